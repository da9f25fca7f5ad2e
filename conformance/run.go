package conformance

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/ferrox/ferrox/corpus"
)

// Canary is the request appended after a case's bytes when Case.Canary is
// set; a server that stays in sync answers it exactly once with a 2xx (the
// fixture serves "canary\n" at /canary.txt).
const Canary = "GET /canary.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"

// CanaryBody is how the canary's content starts (the fixture serves
// "canary\n"); another 2xx in its place means the canary was swallowed.
const CanaryBody = "canary"

// Config says where and how to replay cases. The zero value of every field
// but Target means its default.
type Config struct {
	Target             string         // host:port to dial (required)
	TLS                bool           // speak TLS (ALPN http/1.1)
	InsecureSkipVerify bool           // accept any certificate (self-signed targets)
	ServerName         string         // TLS server name (SNI, and the name verified); default: Target's host (an IP literal is verified against the certificate's IP addresses, no SNI sent)
	RootCAs            *x509.CertPool // roots that verify the target's certificate; default: the system roots
	Timeout            time.Duration  // per read (and dial) deadline; default 2s
	Idle               time.Duration  // quiet period that ends a replay once every expected response arrived; default 300ms
	Parallel           int            // connections in flight at once; default 4
	NoSplits           bool           // skip the per-offset replays of split-mode cases (default: replay them)
	MaxPace            time.Duration  // upper bound on a paced send; default 20s
	Progress           func(done, total int)

	// Prefix is the path the fixture is served under ("/ferrox/"): every
	// case's target is rewritten below it (WithPrefix) and the canary asks
	// for Prefix+"canary.txt". Default "/": the fixture is the document
	// root. It must start and end with "/" (CleanPrefix makes it so).
	Prefix string
	// RootStatus is the status GET Prefix answered in the preflight
	// (PreflightRoot); the canary of a fixture-free case must get it again.
	// 0: unknown, any accepting status will do.
	RootStatus int

	canary string // the canary request; default Canary (a chain run names the case in it)
}

// MaxSplitReplays bounds the split replays of one case: every offset up
// to 256, then every k-th offset so a case costs about this many replays.
const MaxSplitReplays = 300

func (c Config) withDefaults() Config {
	if c.Prefix == "" {
		c.Prefix = "/"
	}
	if c.Timeout <= 0 {
		c.Timeout = 2 * time.Second
	}
	if c.Idle <= 0 {
		c.Idle = 300 * time.Millisecond
	}
	if c.Parallel <= 0 {
		c.Parallel = 4
	}
	if c.MaxPace <= 0 {
		c.MaxPace = 20 * time.Second
	}
	return c
}

// Validate reports a Config that cannot run.
func (c Config) Validate() error {
	if c.Target == "" {
		return errors.New("conformance: no target")
	}
	if _, _, err := net.SplitHostPort(c.Target); err != nil {
		return fmt.Errorf("conformance: target %q: %w", c.Target, err)
	}
	if c.Prefix != "" {
		if p, err := CleanPrefix(c.Prefix); err != nil || p != c.Prefix {
			return fmt.Errorf("conformance: prefix %q: want a path that starts and ends with / (CleanPrefix)", c.Prefix)
		}
	}
	return nil
}

// canaryFor is the canary request appended to cs: a chain run's named
// canary, GET / (under the prefix) for a fixture-free case, else GET
// /canary.txt under the prefix.
func (c *Config) canaryFor(cs *corpus.Case) string {
	switch {
	case c.canary != "":
		return c.canary
	case cs.FixtureFree:
		return "GET " + c.Prefix + " HTTP/1.1\r\nHost: localhost\r\n\r\n"
	case c.Prefix != "/" && c.Prefix != "":
		return "GET " + c.Prefix + "canary.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
	}
	return Canary
}

// Probe dials the target once (with TLS when configured) to tell an
// unreachable target apart from failing cases.
func Probe(ctx context.Context, cfg Config) error {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	c, err := dial(ctx, &cfg)
	if err != nil {
		return fmt.Errorf("conformance: cannot reach %s: %w", cfg.Target, explainDial(err, &cfg))
	}
	return c.Close()
}

// splitOffsets returns the offsets at which a request of n bytes is split.
func splitOffsets(n int) []int {
	var out []int
	const dense = 256
	for k := 1; k < n && k <= dense; k++ {
		out = append(out, k)
	}
	if n-1 > dense {
		step := (n - 1 - dense + (MaxSplitReplays - dense) - 1) / (MaxSplitReplays - dense)
		for k := dense + step; k < n; k += step {
			out = append(out, k)
		}
	}
	return out
}

type job struct {
	ci    int // case index
	split int // 0: whole replay
	k     int // index into the case's split offsets
}

type caseState struct {
	refs    []reqInfo
	offs    []int
	whole   Observed
	splits  []Observed
	pending int
}

// RunCases replays every case against cfg.Target with bounded parallelism
// and judges each. Results come back in the order of cases. The error is
// non-nil only for an invalid Config or a cancelled ctx (the Run then holds
// what finished, the rest as Error verdicts).
func RunCases(ctx context.Context, cfg Config, cases []corpus.Case) (*Run, error) {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	run := &Run{Target: cfg.Target, TLS: cfg.TLS, Started: time.Now()}
	if cfg.Prefix != "/" {
		run.Prefix = cfg.Prefix
		cases = WithPrefix(cases, cfg.Prefix)
	}
	states := make([]caseState, len(cases))
	var jobs []job
	for i := range cases {
		states[i].refs = splitRequests(cases[i].Raw)
		jobs = append(jobs, job{ci: i})
		states[i].pending = 1
		if cases[i].Mode == corpus.SendSplit && !cfg.NoSplits {
			offs := splitOffsets(len(cases[i].Raw))
			states[i].offs = offs
			states[i].splits = make([]Observed, len(offs))
			for k, o := range offs {
				jobs = append(jobs, job{ci: i, split: o, k: k})
			}
			states[i].pending += len(offs)
		}
	}

	var mu sync.Mutex
	done := 0
	ch := make(chan job)
	var wg sync.WaitGroup
	for w := 0; w < cfg.Parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				c := &cases[j.ci]
				st := &states[j.ci]
				obs := safeReplay(ctx, &cfg, c, st.refs, j.split)
				mu.Lock()
				if j.split == 0 {
					st.whole = obs
				} else {
					st.splits[j.k] = obs
				}
				st.pending--
				if st.pending == 0 {
					done++
					if cfg.Progress != nil {
						cfg.Progress(done, len(cases))
					}
				}
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		select {
		case ch <- j:
		case <-ctx.Done():
		}
	}
	close(ch)
	wg.Wait()

	run.Results = make([]Result, len(cases))
	for i := range cases {
		st := &states[i]
		r := Result{Case: cases[i], Target: cfg.Target, Observed: st.whole, Replays: 1 + len(st.splits)}
		if st.pending > 0 && st.whole.Err == "" && st.whole.End == "" {
			r.Observed.Err = "not run: " + errString(ctx.Err())
		}
		r.Verdict, r.Reason = judgeRoot(&cases[i], &r.Observed, st.refs, cfg.RootStatus)
		if r.Verdict != Error && len(st.splits) > 0 {
			r.Verdict, r.Reason = judgeSplitsRoot(&cases[i], r.Verdict, r.Reason, st.splits, st.refs, &r.Observed, cfg.RootStatus)
		}
		run.Results[i] = r
		if run.Server == "" {
			run.Server = serverHeader(r.Observed.Responses)
		}
	}
	run.Duration = time.Since(run.Started)
	if err := ctx.Err(); err != nil {
		return run, err
	}
	return run, nil
}

func errString(err error) string {
	if err == nil {
		return "cancelled"
	}
	return err.Error()
}

// safeReplay turns a bug in the runner into an Error verdict for the one
// case instead of crashing the whole run.
func safeReplay(ctx context.Context, cfg *Config, c *corpus.Case, refs []reqInfo, split int) (obs Observed) {
	defer func() {
		if p := recover(); p != nil {
			obs = Observed{Split: split, End: EndUnknown, Err: fmt.Sprintf("runner bug: %v", p)}
		}
	}()
	return replay(ctx, cfg, c, refs, split)
}

// serverHeader is the first Server field among rs ("" if none).
func serverHeader(rs []Response) string {
	for i := range rs {
		if v, ok := rs[i].header("Server"); ok {
			return v
		}
	}
	return ""
}
