package loadtest

import (
	"context"
	"net"
	"net/http"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// attackOpts are the knobs of one vegeta phase.
type attackOpts struct {
	name      string
	pacer     vegeta.Pacer
	duration  time.Duration
	keepAlive bool
	closed    bool // closed loop: Connections workers, no pacing
}

// newAttacker builds a vegeta attacker over our own transport, so the
// phase can close its idle connections when it ends. vegeta.Client must come
// first: the later options assert the transport is *http.Transport. No
// proxy (a load test measures the target, whatever the environment says),
// HTTP/2 off, and no Accept-Encoding of the transport's own: it would ask
// for gzip and gunzip every body on the generator's CPU (an
// Accept-Encoding the user sets is sent, and the body read as it comes).
func (c *Config) newAttacker(o attackOpts) (*vegeta.Attacker, *http.Transport) {
	tr := &http.Transport{
		DialContext:        (&net.Dialer{Timeout: c.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:    c.TLS.Clone(),
		DisableCompression: true,
	}
	opts := []func(*vegeta.Attacker){
		vegeta.Client(&http.Client{Transport: tr}),
		vegeta.HTTP2(false),
		vegeta.KeepAlive(o.keepAlive),
		vegeta.Timeout(c.Timeout),
		vegeta.Redirects(vegeta.NoFollow),
		vegeta.MaxBody(0),
	}
	if o.keepAlive {
		opts = append(opts, vegeta.Connections(c.Connections), vegeta.MaxConnections(c.Connections))
	}
	if o.closed {
		opts = append(opts, vegeta.Workers(uint64(c.Connections)), vegeta.MaxWorkers(uint64(c.Connections)))
	}
	return vegeta.NewAttacker(opts...), tr
}

// attack runs one vegeta phase until its duration passes or ctx ends and
// returns its closed metrics. Every result also goes to c.OnResult.
func (c *Config) attack(ctx context.Context, o attackOpts) Phase {
	a, transport := c.newAttacker(o)
	defer transport.CloseIdleConnections()
	tr := vegeta.NewStaticTargeter(c.targets()...)
	pacer := o.pacer
	if o.closed {
		pacer = vegeta.Rate{}
	}
	stop := context.AfterFunc(ctx, func() { a.Stop() })
	defer stop()
	var (
		m vegeta.Metrics
		h Histogram
	)
	for r := range a.Attack(tr, pacer, o.duration, o.name) {
		m.Add(r)
		h.Record(r.Latency)
		if c.OnResult != nil {
			c.OnResult(r)
		}
	}
	m.Close()
	p := PhaseOf(o.name, &m)
	p.Latency = h.Seal()
	p.Legit = true
	return p
}

// rate is the constant pacer for n requests per second.
func rate(n int) vegeta.Rate { return vegeta.Rate{Freq: n, Per: time.Second} }
