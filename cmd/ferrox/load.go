package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ferrox/ferrox/internal/loopback"
	"github.com/ferrox/ferrox/loadtest"
	"github.com/ferrox/ferrox/reports"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// cmdLoad runs one load scenario against a target (loopback only unless
// --allow-remote), or merges raw result files with `ferrox load report`.
// Exit codes: 0 pass, 1 legitimate traffic below 100% success, slow or idle
// connections capped (INCONCLUSIVE) or stopped early (STOPPED), 2 usage.
func cmdLoad(args []string, stdout, stderr io.Writer) int {
	return runLoad(context.Background(), args, stdout, stderr, net.DefaultResolver)
}

// runLoad is cmdLoad with the resolver of the loopback check passed in, so
// tests resolve names without DNS traffic, and a context whose end stops
// the run as Ctrl-C does.
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer, resolver loopback.Resolver) int {
	if len(args) > 0 && args[0] == "report" {
		return cmdLoadReport(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("ferrox load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		target      = fs.String("target", "", "URL to load, e.g. http://127.0.0.1:8080/index.html: its path and query are requested (required)")
		scenario    = fs.String("scenario", "", "scenario: "+strings.Join(loadtest.Scenarios, ", ")+" (required)")
		rate        = fs.Int("rate", 100, "legitimate requests per second (ramp: the top rate)")
		closedLoop  = fs.Bool("closed-loop", false, "send as fast as --connections workers allow instead of at --rate")
		duration    = fs.Duration("duration", 5*time.Second, "duration of each measured phase: the whole keepalive/close run, each ramp step, the baseline and the attack of slowloris/slowbody each, the idle hold (max 24h)")
		connections = fs.Int("connections", 16, "persistent connections of the legitimate traffic")
		slowConns   = fs.Int("slow-conns", 100, "slow (slowloris, slowbody) or idle connections (max 50000)")
		slowIntv    = fs.Duration("slow-interval", time.Second, "pause between two trickled header lines or body bytes")
		slowRamp    = fs.Int("slow-ramp", 1000, "slow connections opened per second while ramping up")
		slowSources = fs.Int("slow-sources", 0, "slow/idle connections come from 127.0.0.2.. (this many addresses, at most 250) when the target is an IPv4 loopback literal, so a per-IP limit does not pass for resistance (default one per 100 slow conns)")
		sameSource  = fs.Bool("slow-same-source", false, "slow/idle connections share the legitimate traffic's source address")
		p99Bound    = fs.Duration("p99-bound", 50*time.Millisecond, "ramp: p99 latency a step must stay under")
		rampSteps   = fs.Int("ramp-steps", 10, "ramp: number of steps up to --rate")
		timeout     = fs.Duration("timeout", 10*time.Second, "timeout of one legitimate request")
		paths       = fs.String("paths", "", "more comma-separated request paths (with an optional ?query), requested round-robin after the target URL's")
		pid         = fs.Int("pid", 0, "idle: PID of the local target process, to read its RSS")
		outDir      = fs.String("out", "out/load", "directory for load.txt, load.json, plot.html (summary and charts), latency.html (every sample), results.gob")
		allowRemote = fs.Bool("allow-remote", false, allowRemoteHelp)
		caCert      = fs.String("cacert", "", "https: trust the PEM certificates in `FILE` (e.g. a self-signed server's)")
		insecure    = fs.Bool("insecure", false, "https: do not verify the server's certificate")
		curves      = fs.String("tls-curves", "", "https: key exchanges to offer, comma-separated (x25519, p256, x25519mlkem768; default Go's)")
		method      = fs.String("method", "GET", "method of the legitimate requests to the target URL and --paths (slow and idle connections send their own)")
		body        = fs.String("body", "", "request body to send (with --targets: for targets without their own)")
		bodyFile    = fs.String("body-file", "", "send the contents of `FILE` as the request body (like --body)")
		targetsFile = fs.String("targets", "", "vegeta targets `FILE` (see --format): its requests, round-robin, are the legitimate traffic; --target defaults to the first")
		format      = fs.String("format", "http", "format of --targets: http or json (vegeta's)")
		startAt     = fs.String("start-at", "", "wait until this RFC 3339 `TIME` (e.g. 2026-01-02T15:04:05Z) before the first phase, so several workers' phases line up (at most 24h ahead, not in the past)")
		worker      = fs.String("worker", "", "name of this load generator in the result file and merged reports (default $JOB_COMPLETION_INDEX of an Indexed Job as worker-N, else the host name)")
		headers     headerFlag
	)
	fs.Var(&headers, "header", "request header 'Name: value', repeatable (with --targets: added to every target)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: ferrox load --target URL --scenario NAME [flags]\n       ferrox load --targets FILE [--format http|json] --scenario NAME [flags]\n       ferrox load report [--format text|json|html] [-o OUT] FILE...\n\n"+
			"Every target host must be loopback unless --allow-remote. Exit: 0 pass, 1 legitimate traffic below 100% success\n"+
			"(ramp: no step passed), the server capped the slow connections (verdict INCONCLUSIVE), or the run\n"+
			"stopped early (verdict STOPPED; Ctrl-C stops the run and still writes the report of what was measured),\n"+
			"2 usage or a hard cap (duration 24h per phase, 48h per run, slow conns 50000, rate 200000).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "ferrox load: "+format+"\n", a...)
		return 2
	}
	if fs.NArg() > 0 {
		return usageErr("unexpected argument %q", fs.Arg(0))
	}
	if (*target == "" && *targetsFile == "") || *scenario == "" {
		fs.Usage()
		// After the long flag list, say which required flag is missing.
		switch {
		case *target == "" && *targetsFile == "":
			return usageErr("--target URL or --targets FILE is required")
		default:
			return usageErr("--scenario is required (one of %s)", strings.Join(loadtest.Scenarios, ", "))
		}
	}
	start, err := parseStartAt(*startAt, time.Now())
	if err != nil {
		return usageErr("%v", err)
	}
	if !slices.Contains(loadtest.Scenarios, *scenario) {
		return usageErr("unknown scenario %q (want one of %s)", *scenario, strings.Join(loadtest.Scenarios, ", "))
	}
	var reqBody []byte
	switch {
	case *body != "" && *bodyFile != "":
		return usageErr("give --body or --body-file, not both")
	case *body != "":
		reqBody = []byte(*body)
	case *bodyFile != "":
		b, err := os.ReadFile(*bodyFile)
		if err != nil {
			return usageErr("--body-file: %v", err)
		}
		reqBody = b
	}
	var targets []vegeta.Target
	if *targetsFile != "" {
		if *method != "GET" || *paths != "" {
			return usageErr("--method and --paths do not apply with --targets: the file names each request")
		}
		var err error
		if targets, err = readTargets(*targetsFile, *format, reqBody, headers.h); err != nil {
			return usageErr("%v", err)
		}
		if *target == "" {
			*target = targets[0].URL
		}
	}
	u, err := url.Parse(*target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageErr("target %q is not an http:// or https:// URL", *target)
	}
	// Every host traffic goes to, and whether any of it is https.
	hosts, scheme := []string{u.Host}, u.Scheme
	for _, t := range targets {
		tu, _ := url.Parse(t.URL) // checked by readTargets
		if !slices.Contains(hosts, tu.Host) {
			hosts = append(hosts, tu.Host)
		}
		if tu.Scheme == "https" {
			scheme = "https"
		}
	}
	tlsCfg, err := loadTLSConfig(scheme, *caCert, *insecure, *curves)
	if err != nil {
		return usageErr("%v", err)
	}
	if *rate <= 0 || *connections <= 0 || *slowConns < 0 || *duration <= 0 || *slowIntv <= 0 ||
		*slowRamp <= 0 || *p99Bound <= 0 || *rampSteps <= 0 || *timeout <= 0 || *pid < 0 || *slowSources < 0 {
		return usageErr("rate, connections, durations and counts must be positive")
	}
	cfg := loadtest.Config{
		Target: u, Rate: *rate, ClosedLoop: *closedLoop, Duration: *duration, Connections: *connections,
		SlowConns: *slowConns, SlowInterval: *slowIntv, SlowRampPerSec: *slowRamp, P99Bound: *p99Bound,
		SlowSources: *slowSources, SlowSameSource: *sameSource, RampSteps: *rampSteps, Timeout: *timeout, PID: *pid, Paths: splitList(*paths),
		TLS: tlsCfg, Method: *method, Header: headers.h, Body: reqBody, Targets: targets,
	}
	if err := cfg.Validate(); err != nil {
		return usageErr("%v", err)
	}
	// Safety rule: load goes to loopback unless the user names a remote
	// target they own. Checked before anything is dialled.
	for _, h := range hosts {
		if err := refuseRemote(resolver, h, *allowRemote); err != nil {
			return usageErr("%v", err)
		}
	}
	if u.Scheme == "https" && (*scenario == "slowloris" || *scenario == "slowbody" || *scenario == "idle") {
		return usageErr("%s sends its slow connections over plain TCP: give an http:// target", *scenario)
	}
	if *slowConns == 0 && (*scenario == "slowloris" || *scenario == "slowbody" || *scenario == "idle") {
		return usageErr("--slow-conns must be positive for %s", *scenario)
	}
	cfg.FDLimit = raiseFDLimit()
	if need := uint64(*slowConns + *connections + 256); cfg.FDLimit > 0 && need > cfg.FDLimit &&
		(*scenario == "slowloris" || *scenario == "slowbody" || *scenario == "idle") {
		fmt.Fprintf(stderr, "ferrox load: warning: %d slow connections exceed the fd limit %d; they will be capped\n", *slowConns, cfg.FDLimit)
	}

	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		fmt.Fprintf(stderr, "ferrox load: %v\n", err)
		return 2
	}
	gobFile, err := os.Create(filepath.Join(*outDir, "results.gob"))
	if err != nil {
		fmt.Fprintf(stderr, "ferrox load: %v\n", err)
		return 2
	}
	defer gobFile.Close()
	enc := vegeta.NewEncoder(gobFile)
	pl := reports.NewLoadPlot(fmt.Sprintf("ferrox load %s %s", *scenario, u.Host))
	tl := reports.NewLoadTimeline()
	var (
		count  atomic.Int64
		encErr error
	)
	cfg.OnResult = func(r *vegeta.Result) {
		count.Add(1)
		r.Body = nil // the gob keeps timing and status, not bodies
		if encErr == nil {
			encErr = enc.Encode(r)
		}
		pl.Add(r)
		tl.Add(r)
	}

	// The first Ctrl-C (or SIGTERM) stops the run and the report of what
	// was measured is still written; a second one kills the process.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	defer context.AfterFunc(ctx, stop)()
	if !start.IsZero() {
		if err := waitUntil(ctx, start, stderr); err != nil {
			fmt.Fprintf(stderr, "ferrox load: stopped while waiting for --start-at %s; nothing was measured\n", start.Format(time.RFC3339Nano))
			return 1
		}
	}
	cfg.Live = &loadtest.Live{}
	cfg.SlowWorker = slowWorker()
	stopProgress := loadProgress(stderr, *scenario, &count, cfg.Live)
	res, err := loadtest.Run(ctx, *scenario, cfg)
	stopProgress()
	if err != nil {
		fmt.Fprintf(stderr, "ferrox load: %v\n", err)
		return 2
	}
	res.Worker, res.StartAt = workerName(*worker, os.Getenv, os.Hostname), start
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "ferrox load: stopped early; the report covers what was measured until then")
	}
	if encErr != nil {
		res.Notes = append(res.Notes, "results.gob incomplete: "+encErr.Error())
	}
	if err := gobFile.Close(); err != nil {
		fmt.Fprintf(stderr, "ferrox load: results.gob: %v\n", err)
	}
	outputs := []struct {
		name string
		rep  reports.Reporter
	}{
		{"load.txt", reports.LoadText(res)},
		{"load.json", reports.LoadJSON(res)},
		{"plot.html", reports.LoadHTML(res, tl, "latency.html")},
		{"latency.html", reports.LoadPlot(pl)},
	}
	for _, o := range outputs {
		if err := writeFileAtomic(filepath.Join(*outDir, o.name), o.rep); err != nil {
			fmt.Fprintf(stderr, "ferrox load: %v\n", err)
			return 2
		}
	}
	if err := reports.LoadText(res)(stdout); err != nil {
		fmt.Fprintf(stderr, "ferrox load: %v\n", err)
	}
	fmt.Fprintf(stderr, "ferrox load: wrote %s/{load.txt,load.json,plot.html,latency.html,results.gob}\n", *outDir)
	if !res.Passed() {
		return 1
	}
	return 0
}

// maxStartAhead and maxStartLate bound --start-at: a time more than a day
// ahead is a typo, and one more than a few seconds gone means the workers
// would not start together.
const (
	maxStartAhead = 24 * time.Hour
	maxStartLate  = 5 * time.Second
)

// parseStartAt reads --start-at; zero when empty.
func parseStartAt(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--start-at %q is not an RFC 3339 time like 2026-01-02T15:04:05Z", s)
	}
	switch d := t.Sub(now); {
	case d < -maxStartLate:
		return time.Time{}, fmt.Errorf("--start-at %s is %s in the past (now %s): the workers would not start together; pick a time a little ahead",
			s, (-d).Round(time.Second), now.UTC().Format(time.RFC3339))
	case d > maxStartAhead:
		return time.Time{}, fmt.Errorf("--start-at %s is %s ahead, more than %s (now %s)", s, d.Round(time.Second), maxStartAhead, now.UTC().Format(time.RFC3339))
	}
	return t, nil
}

// waitUntil sleeps until t, or returns ctx's error when it ends first.
func waitUntil(ctx context.Context, t time.Time, w io.Writer) error {
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	fmt.Fprintf(w, "ferrox load: waiting %s for --start-at %s\n", d.Round(time.Millisecond), t.Format(time.RFC3339Nano))
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// workerName is --worker, else worker-N from an Indexed Job's
// JOB_COMPLETION_INDEX, else the host name.
func workerName(flag string, getenv func(string) string, hostname func() (string, error)) string {
	if flag != "" {
		return flag
	}
	if i := getenv("JOB_COMPLETION_INDEX"); i != "" {
		return "worker-" + i
	}
	if h, err := hostname(); err == nil {
		return h
	}
	return ""
}

// loadProgress reports on w until the returned stop function is called: one
// line rewritten every second on a terminal, a plain line every 5 seconds
// otherwise (logs, scripts).
func loadProgress(w io.Writer, scenario string, count *atomic.Int64, live *loadtest.Live) (stop func()) {
	start := time.Now()
	tty := isTerminal(w)
	every := 5 * time.Second
	if tty {
		every = time.Second
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				line := fmt.Sprintf("ferrox load: %s %4.0fs elapsed, %d requests measured, %d slow/idle conns open",
					scenario, time.Since(start).Seconds(), count.Load(), live.SlowOpen.Load())
				if tty {
					fmt.Fprintf(w, "\r%s ", line)
				} else {
					fmt.Fprintln(w, line)
				}
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		if tty && time.Since(start) >= every {
			fmt.Fprintln(w)
		}
	}
}

// loadTLSConfig builds the client TLS settings of an https:// target from
// --cacert, --insecure and --tls-curves; they are refused for http://.
func loadTLSConfig(scheme, caFile string, insecure bool, curves string) (*tls.Config, error) {
	if scheme != "https" {
		if caFile != "" || insecure || curves != "" {
			return nil, errors.New("--cacert, --insecure and --tls-curves need an https:// target")
		}
		return nil, nil
	}
	c := &tls.Config{InsecureSkipVerify: insecure}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("--cacert: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--cacert %s: no PEM certificate found", caFile)
		}
	}
	known := map[string]tls.CurveID{"x25519": tls.X25519, "p256": tls.CurveP256, "p384": tls.CurveP384, "x25519mlkem768": tls.X25519MLKEM768}
	for _, name := range splitList(curves) {
		id, ok := known[strings.ToLower(name)]
		if !ok {
			return nil, fmt.Errorf("--tls-curves: unknown key exchange %q (want x25519, p256, p384 or x25519mlkem768)", name)
		}
		c.CurvePreferences = append(c.CurvePreferences, id)
	}
	return c, nil
}
