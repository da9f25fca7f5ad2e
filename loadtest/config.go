// Package loadtest drives load scenarios against an HTTP/1.1 target:
// vegeta-paced legitimate traffic (keep-alive, one connection per request, a
// stepped ramp) and our own raw-connection engine for slow clients
// (slowloris, slow body) and idle connections, which vegeta cannot produce.
//
// Every scenario is bounded in time (Config.MaxDuration) and in count, stops
// when its context is cancelled, and returns a Result value; nothing here
// exits the process or writes outside the callbacks it is given.
package loadtest

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os/exec"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Hard caps a Config may not exceed.
const (
	// MaxDurationCap bounds Duration, one phase: long enough for a soak.
	MaxDurationCap = 24 * time.Hour
	// MaxRunCap bounds a whole run, all phases (e.g. every ramp step).
	MaxRunCap       = 48 * time.Hour
	MaxRampStepsCap = 1000
	MaxSlowConnsCap = 50000
	MaxRateCap      = 200000
)

// Config describes one scenario run. The zero value of each field means its
// default; Validate fills the defaults in and checks the caps.
type Config struct {
	// Target is the URL to load, http:// or https:// (e.g.
	// http://127.0.0.1:8080/some/file.txt?v=1); its path and query are the
	// first request target ("/" when it has no path). Required. The
	// slow-client scenarios (slowloris, slowbody, idle) speak plain TCP:
	// http:// only.
	Target *url.URL
	// TLS is the client configuration of an https:// target; nil means
	// Go's defaults (the system's roots). Default nil.
	TLS *tls.Config
	// Rate is the legitimate request rate per second. Default 100. Zero
	// after Validate never happens; set ClosedLoop for an unpaced attack.
	Rate int
	// ClosedLoop sends as fast as Connections workers allow instead of at
	// Rate (vegeta Rate{} with MaxWorkers). Default false.
	ClosedLoop bool
	// Duration of each measured phase: the whole keepalive or close run,
	// each ramp step, the baseline and the attack of slowloris and
	// slowbody each, the idle hold. Default 5s.
	Duration time.Duration
	// Connections is the number of persistent connections (and closed-loop
	// workers) of the legitimate traffic. Default 16.
	Connections int
	// SlowConns is the number of slow (or idle) connections. Default 100.
	SlowConns int
	// SlowInterval is the pause between two trickled bytes or header lines
	// of a slow connection. Default 1s.
	SlowInterval time.Duration
	// SlowRampPerSec is how many slow connections are opened per second
	// while ramping up. Default 1000.
	SlowRampPerSec int
	// SlowReconnects bounds how often one slow slot reconnects after the
	// server cut it. Default 1000.
	SlowReconnects int
	// SlowSources is how many loopback source addresses the slow and idle
	// connections come from, round-robin: 127.0.0.2, 127.0.0.3, … when the
	// target is an IPv4 loopback literal, so per-client-IP limits tell
	// them apart from the legitimate traffic (from 127.0.0.1), and a
	// per-IP cap does not stand in for the server's resistance, as on a
	// real network with many attackers. Default one per 100 SlowConns
	// (rounded up), at most 250.
	SlowSources int
	// SlowSameSource makes slow and idle connections use the same source
	// address as the legitimate traffic. Default false.
	SlowSameSource bool
	// FDLimit, when non-zero, is the process file-descriptor limit; slow
	// and idle connections are capped below it and the cap is noted in
	// the result. Default 0 (unknown, no cap).
	FDLimit uint64
	// Paths are more request targets (a path and an optional query),
	// requested round-robin after Target's own, on Target's scheme and
	// host. Default none.
	Paths []string
	// Method of the legitimate requests built from Target and Paths.
	// Default GET.
	Method string
	// Header is added to every legitimate request built from Target and
	// Paths. Default none.
	Header http.Header
	// Body is sent with every legitimate request built from Target and
	// Paths. Default none.
	Body []byte
	// Targets, when set, are the legitimate requests instead of those
	// built from Target, Paths, Method, Header and Body, round-robin (a
	// vegeta targets file); Target then only names the run and addresses
	// the slow and idle connections. Default none.
	Targets []vegeta.Target
	// Timeout of one legitimate request. Default 10s.
	Timeout time.Duration
	// P99Bound is the p99 latency a ramp step must stay under. Default 50ms.
	P99Bound time.Duration
	// RampSteps is the number of ramp steps up to Rate. Default 10.
	RampSteps int
	// PID of a local target process; idle reads its VmRSS. Default 0 (none).
	PID int
	// MaxDuration is the hard cap on the whole scenario, all phases
	// included. Default the scenario's planned time (see Planned) plus a
	// tenth and 30s, never above MaxRunCap.
	MaxDuration time.Duration
	// Live, when set, is updated while the run goes (for progress lines).
	Live *Live
	// SlowWorker, when set, returns a command (not started) whose
	// process runs RunSlowWorker on its standard input and output:
	// slowloris and slowbody then run their slow connections there, so
	// that their goroutines do not stall the measurement of the
	// legitimate traffic (see slowproc.go). Default nil: they run in this
	// process.
	SlowWorker func() *exec.Cmd
	// OnResult, when set, receives every raw vegeta result, serially
	// (results of one attack arrive out of sequence order).
	OnResult func(*vegeta.Result)
}

// ErrCap reports a Config over one of the hard caps.
var ErrCap = errors.New("loadtest: over hard cap")

// Validate fills in defaults and checks the config against the hard caps.
func (c *Config) Validate() error {
	if c.Target == nil || c.Target.Host == "" {
		return errors.New("loadtest: target URL required")
	}
	if c.Target.Scheme != "http" && c.Target.Scheme != "https" {
		return fmt.Errorf("loadtest: target scheme %q unsupported (http or https)", c.Target.Scheme)
	}
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	defd := func(p *time.Duration, v time.Duration) {
		if *p == 0 {
			*p = v
		}
	}
	def(&c.Rate, 100)
	def(&c.Connections, 16)
	def(&c.SlowConns, 100)
	def(&c.SlowRampPerSec, 1000)
	def(&c.SlowReconnects, 1000)
	def(&c.RampSteps, 10)
	// One source address per 100 connections stays under common per-IP
	// limits (nginx limit_conn examples, Ferrox's 256), and 250 sources
	// keep each under the ephemeral port range of one (source, target)
	// pair at the 50000 cap.
	def(&c.SlowSources, min(250, max(1, (c.SlowConns+99)/100)))
	defd(&c.Duration, 5*time.Second)
	defd(&c.SlowInterval, time.Second)
	defd(&c.Timeout, 10*time.Second)
	defd(&c.P99Bound, 50*time.Millisecond)
	if c.Method == "" {
		c.Method = "GET"
	}
	for _, p := range c.Paths {
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("loadtest: path %q must start with /", p)
		}
	}
	for i, t := range c.targets() {
		if _, err := t.Request(); err != nil {
			return fmt.Errorf("loadtest: target %d: %w", i+1, err)
		}
		if u, _ := url.Parse(t.URL); u == nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("loadtest: target %d: %q is not an http:// or https:// URL", i+1, t.URL)
		}
	}
	switch {
	case c.Rate < 0 || c.Connections < 0 || c.SlowConns < 0 || c.SlowRampPerSec < 0 ||
		c.SlowReconnects < 0 || c.RampSteps < 0 || c.SlowSources < 0 || c.Duration < 0 || c.SlowInterval < 0 ||
		c.Timeout < 0 || c.P99Bound < 0 || c.MaxDuration < 0:
		return errors.New("loadtest: negative value in config")
	case c.SlowSources > 250:
		return fmt.Errorf("loadtest: slow sources %d > 250", c.SlowSources)
	case c.Duration > MaxDurationCap:
		return fmt.Errorf("%w: duration %v > %v", ErrCap, c.Duration, MaxDurationCap)
	case c.RampSteps > MaxRampStepsCap:
		return fmt.Errorf("%w: ramp steps %d > %d", ErrCap, c.RampSteps, MaxRampStepsCap)
	case c.SlowConns > MaxSlowConnsCap:
		return fmt.Errorf("%w: slow conns %d > %d", ErrCap, c.SlowConns, MaxSlowConnsCap)
	case c.Rate > MaxRateCap:
		return fmt.Errorf("%w: rate %d > %d", ErrCap, c.Rate, MaxRateCap)
	case c.Connections > MaxSlowConnsCap:
		return fmt.Errorf("%w: connections %d > %d", ErrCap, c.Connections, MaxSlowConnsCap)
	}
	c.MaxDuration = min(c.MaxDuration, MaxRunCap)
	return nil
}

// Planned is how long the named scenario runs when nothing stops it
// early, after Validate: one Duration per measured phase plus the time to
// open the slow or idle connections.
func (c *Config) Planned(scenario string) time.Duration {
	rampUp := time.Duration(c.SlowConns) * time.Second / time.Duration(max(c.SlowRampPerSec, 1))
	switch scenario {
	case "ramp":
		return time.Duration(c.RampSteps) * c.Duration
	case "slowloris", "slowbody":
		return 2*c.Duration + rampUp + min(c.SlowInterval, 500*time.Millisecond)
	case "idle":
		return c.Duration + rampUp
	default:
		return c.Duration
	}
}

// requestURIs lists the request targets in round-robin order: Target's
// path and query ("/" when it has none), then Paths.
func (c *Config) requestURIs() []string {
	return append([]string{c.Target.RequestURI()}, c.Paths...)
}

// targets returns the legitimate requests: Targets, or one request of
// Method with Header and Body per request target.
func (c *Config) targets() []vegeta.Target {
	if len(c.Targets) > 0 {
		return c.Targets
	}
	uris := c.requestURIs()
	ts := make([]vegeta.Target, len(uris))
	base := c.Target.Scheme + "://" + c.Target.Host
	for i, p := range uris {
		ts[i] = vegeta.Target{Method: c.Method, URL: base + p, Header: c.Header, Body: c.Body}
	}
	return ts
}

// dialAddr is host:port of the target, port 80 (443 for https) when
// absent.
func (c *Config) dialAddr() string {
	if c.Target.Port() != "" {
		return c.Target.Host
	}
	if c.Target.Scheme == "https" {
		return c.Target.Host + ":443"
	}
	return c.Target.Host + ":80"
}

// slowDialer is the dialer of slow or idle connection number i: bound to
// a loopback source other than 127.0.0.1 when the target is an IPv4
// loopback literal (see SlowSources).
func (c *Config) slowDialer(i int) *net.Dialer {
	d := &net.Dialer{Timeout: c.Timeout}
	if c.SlowSameSource {
		return d
	}
	a, err := netip.ParseAddr(c.Target.Hostname())
	if err != nil || !a.Is4() || !a.IsLoopback() {
		return d
	}
	d.LocalAddr = &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i%c.SlowSources))}
	return d
}

// slowSourceCount is how many source addresses the slow and idle
// connections really use: SlowSources when they are spread, else 1.
func (c *Config) slowSourceCount() int {
	if c.slowDialer(0).LocalAddr == nil {
		return 1
	}
	return c.SlowSources
}

// slowSourceNote describes the slow connections' source addresses.
func (c *Config) slowSourceNote() string {
	if c.slowDialer(0).LocalAddr == nil {
		return "slow/idle connections share the legitimate traffic's source address"
	}
	src := "127.0.0.2"
	if c.SlowSources > 1 {
		src += fmt.Sprintf("..127.0.0.%d", 1+c.SlowSources)
	}
	return "slow/idle connections come from " + src + ", legitimate traffic from 127.0.0.1"
}

// connCap is how many slow or idle connections may be opened under the fd
// limit; it notes the cap when it bites.
func (c *Config) connCap(want int, res *Result) int {
	if c.FDLimit == 0 {
		return want
	}
	room := int64(c.FDLimit) - int64(c.Connections) - 256
	if room < 0 {
		room = 0
	}
	if int64(want) > room {
		res.Notes = append(res.Notes, fmt.Sprintf("slow/idle connections capped at %d by the fd limit %d (asked %d)", room, c.FDLimit, want))
		return int(room)
	}
	return want
}

// Live holds counters a caller may read while a scenario runs.
type Live struct {
	// SlowOpen is the number of slow or idle connections open now.
	SlowOpen atomic.Int64
}

func (l *Live) addSlow(d int64) {
	if l != nil {
		l.SlowOpen.Add(d)
	}
}
