package loadtest

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// sumCodes adds up a phase's status-code histogram.
func sumCodes(p Phase) uint64 {
	var n uint64
	for _, v := range p.StatusCodes {
		n += uint64(v)
	}
	return n
}

func TestVegetaScenarios(t *testing.T) {
	cases := []struct {
		id       string
		scenario string
		closed   bool
		// check the accepted connection count against the requests.
		conns func(accepted int64, requests uint64) bool
	}{
		// Connections are reused: a handful for many requests (the transport
		// may replace one now and then, so allow some slack over 4).
		{"keepalive", "keepalive", false, func(a int64, r uint64) bool { return a >= 1 && a <= 8 }},
		{"close", "close", false, func(a int64, r uint64) bool { return uint64(a) == r }},
		{"closed-loop", "keepalive", true, func(a int64, r uint64) bool { return a >= 1 && a <= 8 }},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			tg := &target{}
			u := startTarget(t, tg)
			var seen uint64
			res, err := Run(context.Background(), c.scenario, Config{
				Target: u, Rate: 40, Duration: 500 * time.Millisecond, Connections: 4,
				ClosedLoop: c.closed, Timeout: 2 * time.Second,
				OnResult: func(*vegeta.Result) { seen++ },
			})
			if err != nil {
				t.Fatalf("Run(%s) error %v", c.scenario, err)
			}
			if len(res.Phases) != 1 {
				t.Fatalf("Run(%s) phases = %d; want 1", c.scenario, len(res.Phases))
			}
			p := res.Phases[0]
			if p.Requests == 0 || p.Requests != seen || sumCodes(p) != p.Requests || uint64(p.StatusCodes["200"]) != p.Requests {
				t.Errorf("Run(%s): requests %d, OnResult saw %d, codes %v; want all equal and 200", c.scenario, p.Requests, seen, p.StatusCodes)
			}
			if !c.closed && (p.Requests < 10 || p.Requests > 30) {
				t.Errorf("Run(%s) requests = %d; want about 20 (40/s for 0.5s)", c.scenario, p.Requests)
			}
			if p.Success != 1 || !res.Passed() {
				t.Errorf("Run(%s) success = %v, passed %v; want 1, true", c.scenario, p.Success, res.Passed())
			}
			if a := tg.accepted.Load(); !c.conns(a, p.Requests) {
				t.Errorf("Run(%s): target accepted %d connections for %d requests", c.scenario, a, p.Requests)
			}
			if !(p.P50MS <= p.P90MS && p.P90MS <= p.P95MS && p.P95MS <= p.P99MS && p.P99MS <= p.MaxMS) {
				t.Errorf("Run(%s) p50 %v p90 %v p95 %v p99 %v max %v; want ordered", c.scenario, p.P50MS, p.P90MS, p.P95MS, p.P99MS, p.MaxMS)
			}
			if p.MeanMS <= 0 || p.MeanMS > p.MaxMS {
				t.Errorf("Run(%s) mean %v max %v; want 0 < mean <= max", c.scenario, p.MeanMS, p.MaxMS)
			}
		})
	}
}

func TestRamp(t *testing.T) {
	cases := []struct {
		id     string
		status int
		want   float64
	}{
		{"healthy", 200, 60},
		{"failing", 500, 0},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			u := startTarget(t, &target{status: c.status})
			res, err := Run(context.Background(), "ramp", Config{
				Target: u, Rate: 60, RampSteps: 2, Duration: 300 * time.Millisecond,
				Connections: 4, P99Bound: time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			// Duration is per step: two steps take twice as long.
			if len(res.Phases) == 2 && res.ElapsedMS < 600 {
				t.Errorf("ramp of 2 steps of 300ms took %vms; want >= 600", res.ElapsedMS)
			}
			if res.MaxOKRate != c.want {
				t.Errorf("ramp max_ok_rate = %v; want %v (phases %+v)", res.MaxOKRate, c.want, res.Phases)
			}
			if res.Passed() != (c.want > 0) {
				t.Errorf("ramp Passed() = %v; want %v", res.Passed(), c.want > 0)
			}
			wantPhases := 2
			if c.want == 0 {
				wantPhases = 1 // stops at the first failing step
			}
			if len(res.Phases) != wantPhases {
				t.Errorf("ramp phases = %d; want %d", len(res.Phases), wantPhases)
			}
		})
	}
}

// slowCase is one case of TestSlow.
type slowCase struct {
	id       string
	scenario string
	tg       *target
	// pick the counter that must be positive
	want func(*SlowStats) int
	// counters that must stay zero
	zero func(*SlowStats) []int
	// legit traffic may fail (the target refuses connections)
	legitMayFail bool
}

func TestSlow(t *testing.T) {
	const hold = 700 * time.Millisecond
	cases := []slowCase{
		{"slowloris-408", "slowloris", &target{slowCut: 150 * time.Millisecond, mode: cut408},
			func(s *SlowStats) int { return s.SlowCut408 },
			func(s *SlowStats) []int { return []int{s.SlowCutOtherStatus} }, false},
		{"slowloris-close", "slowloris", &target{slowCut: 150 * time.Millisecond, mode: cutClose},
			func(s *SlowStats) int { return s.SlowCutClose },
			func(s *SlowStats) []int { return []int{s.SlowCut408, s.SlowCutOtherStatus} }, false},
		{"slowloris-reset", "slowloris", &target{slowCut: 150 * time.Millisecond, mode: cutReset},
			func(s *SlowStats) int { return s.SlowCutReset },
			func(s *SlowStats) []int { return []int{s.SlowCut408, s.SlowCutOtherStatus} }, false},
		{"slowbody-408", "slowbody", &target{slowCut: 150 * time.Millisecond, mode: cut408},
			func(s *SlowStats) int { return s.SlowCut408 },
			func(s *SlowStats) []int { return []int{s.SlowCutOtherStatus} }, false},
		{"slowloris-never-cut", "slowloris", &target{},
			func(s *SlowStats) int { return s.SlowAliveAtEnd },
			func(s *SlowStats) []int {
				return []int{s.SlowCut408, s.SlowCutClose, s.SlowCutReset, s.SlowCutOtherStatus, s.SlowRefused}
			}, false},
		{"slowloris-conn-limit", "slowloris", &target{limit: 3},
			func(s *SlowStats) int { return s.SlowRefused },
			func(s *SlowStats) []int { return []int{s.SlowCut408, s.SlowCutOtherStatus} }, true},
	}
	for _, c := range cases {
		// The slow connections in this process, and in a worker process
		// (Config.SlowWorker): the same statistics come back.
		for _, worker := range []func() *exec.Cmd{nil, testWorker} {
			id := c.id
			if worker != nil {
				id += "-worker"
			}
			t.Run(id, func(t *testing.T) {
				t.Parallel()
				testSlowCase(t, c, worker, hold)
			})
		}
	}
}

// testSlowCase runs one case of TestSlow, its slow connections in a
// worker process when worker is set.
func testSlowCase(t *testing.T, c slowCase, worker func() *exec.Cmd, hold time.Duration) {
	// A target of its own: the case's runs go in parallel.
	tg := &target{slowCut: c.tg.slowCut, idleCut: c.tg.idleCut, mode: c.tg.mode, status: c.tg.status,
		limit: c.tg.limit, perIP: c.tg.perIP}
	u := startTarget(t, tg)
	res, err := Run(context.Background(), c.scenario, Config{
		Target: u, Rate: 20, Duration: hold, Connections: 2,
		SlowConns: 6, SlowInterval: 40 * time.Millisecond, Timeout: 2 * time.Second,
		SlowWorker: worker,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range res.Notes {
		if strings.Contains(n, "slow worker") || strings.Contains(n, "measuring process") {
			t.Errorf("%s: note %q; want the slow connections where they were asked to run", c.id, n)
		}
	}
	if len(res.Phases) != 2 || res.Phases[0].Name != "baseline" || res.Phases[1].Name != "attack" {
		t.Fatalf("%s phases = %+v; want baseline, attack", c.id, res.Phases)
	}
	for _, p := range res.Phases {
		if c.legitMayFail && p.Name == "attack" {
			continue
		}
		if p.Requests == 0 || p.Success != 1 || sumCodes(p) != p.Requests {
			t.Errorf("%s phase %s: requests %d success %v codes %v; want legit traffic unharmed", c.id, p.Name, p.Requests, p.Success, p.StatusCodes)
		}
	}
	s := res.Phases[1].SlowStats
	if s == nil {
		t.Fatalf("%s: attack phase has no slow stats", c.id)
	}
	if s.SlowConnsTarget != 6 || s.SlowConnsMaxOpen < 1 || s.SlowConnsMaxOpen > 6 || s.SlowConnects < 6 {
		t.Errorf("%s: target %d max open %d connects %d; want 6, 1..6, >=6", c.id, s.SlowConnsTarget, s.SlowConnsMaxOpen, s.SlowConnects)
	}
	// The open series starts at zero when the slow connections
	// start, never exceeds the most held at once, and reaches it.
	ser := s.SlowOpenSeries
	if len(ser) == 0 || ser[0].Open != 0 {
		t.Errorf("%s: slow open series %v; want a first point with 0 open", c.id, ser)
	}
	peak := 0
	for i, q := range ser {
		peak = max(peak, q.Open)
		if q.Open < 0 || (i > 0 && q.AtMS < ser[i-1].AtMS) {
			t.Errorf("%s: slow open series point %d = %+v; want open >= 0 in time order", c.id, i, q)
		}
	}
	if len(ser) > 0 && peak != s.SlowConnsMaxOpen {
		t.Errorf("%s: slow open series peaks at %d; want max open %d", c.id, peak, s.SlowConnsMaxOpen)
	}
	ends := s.SlowCut408 + s.SlowCutOtherStatus + s.SlowCutClose + s.SlowCutReset + s.SlowRefused + s.SlowAliveAtEnd
	if ends != s.SlowConnects {
		t.Errorf("%s: endings add up to %d; want connects %d (%+v)", c.id, ends, s.SlowConnects, *s)
	}
	if c.want(s) == 0 {
		t.Errorf("%s: expected counter is 0: %+v", c.id, *s)
	}
	for i, z := range c.zero(s) {
		if z != 0 {
			t.Errorf("%s: counter %d = %d; want 0: %+v", c.id, i, z, *s)
		}
	}
	if tg.limit > 0 {
		// Refused connections give no lifetime; the ones held do.
		if s.SlowConnsMaxOpen > 3 {
			t.Errorf("%s: held at once %d; want <= the target's limit 3", c.id, s.SlowConnsMaxOpen)
		}
		if s.SlowLifetimeMaxMS <= 0 {
			t.Errorf("%s: max lifetime %v; want > 0 from the connections held", c.id, s.SlowLifetimeMaxMS)
		}
	} else if tg.slowCut > 0 {
		// Cut connections live about slowCut, shorter than the attack.
		if s.SlowLifetimeMedianMS <= 0 || s.SlowLifetimeMedianMS >= ms(hold) {
			t.Errorf("%s: median lifetime %vms; want in (0, %v)", c.id, s.SlowLifetimeMedianMS, ms(hold))
		}
		if s.SlowConnects <= 6 {
			t.Errorf("%s: connects %d; want reconnects after cuts", c.id, s.SlowConnects)
		}
	} else if s.SlowLifetimeMedianMS < ms(hold) {
		t.Errorf("%s: median lifetime %vms; want >= attack duration %v", c.id, s.SlowLifetimeMedianMS, hold)
	}
	if res.ThroughputRatio <= 0 && !c.legitMayFail {
		t.Errorf("%s: throughput ratio %v; want > 0", c.id, res.ThroughputRatio)
	}
}

func TestIdle(t *testing.T) {
	cases := []struct {
		id   string
		tg   *target
		held int
	}{
		{"held", &target{}, 8},
		{"idle-timeout", &target{idleCut: 100 * time.Millisecond}, 0},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			tg := c.tg
			u := startTarget(t, tg)
			res, err := Run(context.Background(), "idle", Config{
				Target: u, SlowConns: 8, Duration: 400 * time.Millisecond, Timeout: time.Second,
				PID: osPID(),
			})
			if err != nil {
				t.Fatal(err)
			}
			p := res.Phases[0]
			if p.IdleStats == nil || p.Requests != 8 || p.Success != 1 {
				t.Fatalf("idle phase = %+v; want 8 successful opening requests", p)
			}
			if p.Held != c.held {
				t.Errorf("idle held = %d; want %d", p.Held, c.held)
			}
			if !(p.MeanMS > 0 && p.P50MS <= p.P95MS && p.P95MS <= p.P99MS && p.MeanMS <= p.MaxMS) {
				t.Errorf("idle mean %v p50 %v p95 %v p99 %v max %v; want mean > 0 and ordered", p.MeanMS, p.P50MS, p.P95MS, p.P99MS, p.MaxMS)
			}
			if p.RSSKiBBefore <= 0 || p.RSSKiBAfter <= 0 {
				t.Errorf("idle rss before %d after %d; want > 0", p.RSSKiBBefore, p.RSSKiBAfter)
			}
		})
	}
}

func TestCancel(t *testing.T) {
	u := startTarget(t, &target{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Run(ctx, "slowloris", Config{Target: u, Duration: 5 * time.Minute, SlowConns: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Notes) == 0 || res.Passed() {
		t.Errorf("cancelled run: notes %q passed %v; want a note and not passed", res.Notes, res.Passed())
	}
}

func TestMaxDuration(t *testing.T) {
	u := startTarget(t, &target{})
	res, err := Run(context.Background(), "keepalive", Config{Target: u, Rate: 10, Duration: time.Minute, MaxDuration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.ElapsedMS > 5000 || len(res.Notes) == 0 {
		t.Errorf("capped run elapsed %vms notes %q; want stopped by MaxDuration with a note", res.ElapsedMS, res.Notes)
	}
}

// TestRunCap: a run whose phases add up over MaxRunCap is refused before
// anything is sent.
func TestRunCap(t *testing.T) {
	cases := []struct {
		id       string
		scenario string
		cfg      Config
		cap      bool
	}{
		{"ramp-over", "ramp", Config{RampSteps: 3, Duration: 24 * time.Hour}, true},
		{"slowloris-over", "slowloris", Config{Duration: 24 * time.Hour, SlowConns: 10}, true},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			cfg := c.cfg
			cfg.Target = startTargetURL()
			_, err := Run(context.Background(), c.scenario, cfg)
			if errors.Is(err, ErrCap) != c.cap {
				t.Errorf("Run(%s) = %v; want cap error %v", c.id, err, c.cap)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	u := startTargetURL()
	cases := []struct {
		id  string
		cfg Config
		cap bool
		ok  bool
	}{
		{"defaults", Config{Target: u}, false, true},
		{"no-target", Config{}, false, false},
		{"https", Config{Target: mustURL("https://127.0.0.1:1")}, false, true},
		{"ftp", Config{Target: mustURL("ftp://127.0.0.1:1")}, false, false},
		{"duration-cap", Config{Target: u, Duration: 25 * time.Hour}, true, false},
		{"soak", Config{Target: u, Duration: 24 * time.Hour}, false, true},
		{"ramp-steps-cap", Config{Target: u, RampSteps: 1001}, true, false},
		{"bad-method", Config{Target: u, Method: "G T"}, false, false},
		{"bad-target", Config{Target: u, Targets: []vegeta.Target{{Method: "GET", URL: "ftp://127.0.0.1/"}}}, false, false},
		{"slow-cap", Config{Target: u, SlowConns: 50001}, true, false},
		{"rate-cap", Config{Target: u, Rate: 200001}, true, false},
		{"rate-at-cap", Config{Target: u, Rate: 200000}, false, true},
		{"bad-path", Config{Target: u, Paths: []string{"x"}}, false, false},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			err := c.cfg.Validate()
			if (err == nil) != c.ok || errors.Is(err, ErrCap) != c.cap {
				t.Errorf("Validate(%s) = %v; want ok=%v cap=%v", c.id, err, c.ok, c.cap)
			}
		})
	}
}

func TestFDLimitCapsConnections(t *testing.T) {
	u := startTarget(t, &target{})
	live := &Live{}
	res, err := Run(context.Background(), "idle", Config{
		Target: u, SlowConns: 10, Connections: 4, FDLimit: 4 + 256 + 3, Duration: 50 * time.Millisecond, Live: live,
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Phases[0]; p.IdleConns != 3 || p.Held != 3 || !strings.Contains(strings.Join(res.Notes, "\n"), "fd limit") {
		t.Errorf("idle under fd limit: opened %d held %d notes %q; want 3, 3 and one note", p.IdleConns, p.Held, res.Notes)
	}
	if n := live.SlowOpen.Load(); n != 0 {
		t.Errorf("Live.SlowOpen after the run = %d; want 0", n)
	}
}

func TestSlowSources(t *testing.T) {
	cases := []struct {
		id   string
		cfg  Config
		want []string
	}{
		{"three-sources", Config{SlowSources: 3}, []string{"127.0.0.2", "127.0.0.3", "127.0.0.4"}},
		{"same-source", Config{SlowSameSource: true}, []string{"127.0.0.1"}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			tg := &target{}
			cfg := c.cfg
			cfg.Target = startTarget(t, tg)
			cfg.SlowConns, cfg.Duration = 6, 10*time.Millisecond
			if _, err := Run(context.Background(), "idle", cfg); err != nil {
				t.Fatal(err)
			}
			var got []string
			tg.sources.Range(func(k, _ any) bool { got = append(got, k.(string)); return true })
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("idle %s: target saw sources %v; want %v", c.id, got, c.want)
			}
		})
	}
}
