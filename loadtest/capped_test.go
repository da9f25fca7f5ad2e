package loadtest

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestSlowCapped: a server that turns slow connections away beyond a
// per-address limit is reported as capped (a loud note, verdict
// INCONCLUSIVE, not passed); spread over enough addresses, the same
// server holds them all and the run passes.
func TestSlowCapped(t *testing.T) {
	cases := []struct {
		id      string
		perIP   int
		sources int
		capped  bool
		note    string // in the capped note
	}{
		{"one-address-capped", 3, 1, true, "the server capped you at 3 from one address: this measures its per-IP limit, not its resistance"},
		{"spread-holds-all", 3, 4, false, ""},
		{"spread-still-capped", 1, 2, true, "(at most 1 from one of 2 addresses): this measures its connection limit"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			u := startTarget(t, &target{perIP: c.perIP})
			res, err := Run(context.Background(), "slowloris", Config{
				Target: u, Rate: 20, Duration: 300 * time.Millisecond, Connections: 1,
				SlowConns: 8, SlowSources: c.sources, SlowInterval: 40 * time.Millisecond, Timeout: 2 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			s := res.Phases[len(res.Phases)-1].SlowStats
			if s == nil {
				t.Fatalf("%s: no slow stats: %+v", c.id, res.Phases)
			}
			notes := strings.Join(res.Notes, "\n")
			if res.SlowCapped != c.capped || (c.capped && !strings.Contains(notes, c.note)) {
				t.Errorf("%s: capped %v, notes %q; want capped %v with %q (stats %+v)", c.id, res.SlowCapped, notes, c.capped, c.note, *s)
			}
			wantVerdict, wantPass := "PASS", true
			if c.capped {
				wantVerdict, wantPass = "INCONCLUSIVE", false
			}
			if res.Judge() != wantVerdict || res.Verdict != wantVerdict || res.Passed() != wantPass {
				t.Errorf("%s: Judge() = %s, Verdict %s, Passed() = %v; want %s, %v", c.id, res.Judge(), res.Verdict, res.Passed(), wantVerdict, wantPass)
			}
			if s.SlowSourcesUsed != c.sources || s.SlowMaxOpenPerSource > c.perIP {
				t.Errorf("%s: sources used %d, max open per source %d; want %d, <= %d", c.id, s.SlowSourcesUsed, s.SlowMaxOpenPerSource, c.sources, c.perIP)
			}
			if !c.capped && (s.SlowConnsMaxOpen != 8 || s.SlowNeverHeld != 0) {
				t.Errorf("%s: max open %d, never held %d; want 8, 0", c.id, s.SlowConnsMaxOpen, s.SlowNeverHeld)
			}
		})
	}
}

// TestSlowSourcesDefault: slow connections are spread over one source
// address per 100 by default, 1 to 250.
func TestSlowSourcesDefault(t *testing.T) {
	cases := []struct{ conns, want int }{{1, 1}, {100, 1}, {101, 2}, {5000, 50}, {25000, 250}, {50000, 250}}
	for _, c := range cases {
		cfg := Config{Target: startTargetURL(), SlowConns: c.conns}
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		if cfg.SlowSources != c.want {
			t.Errorf("Validate(SlowConns %d): SlowSources %d; want %d", c.conns, cfg.SlowSources, c.want)
		}
	}
}

// TestJudge: the verdict of each kind of outcome.
func TestJudge(t *testing.T) {
	ok := Phase{Name: "attack", Requests: 10, Success: 1, Legit: true}
	bad := Phase{Name: "attack", Requests: 10, Success: 0.5, Legit: true}
	cases := []struct {
		id   string
		res  Result
		want string
	}{
		{"pass", Result{Phases: []Phase{ok}}, "PASS"},
		{"fail", Result{Phases: []Phase{bad}}, "FAIL"},
		{"capped", Result{Phases: []Phase{ok}, SlowCapped: true}, "INCONCLUSIVE"},
		{"capped-and-failing", Result{Phases: []Phase{bad}, SlowCapped: true}, "FAIL"},
		{"stopped", Result{Phases: []Phase{ok}, StoppedEarly: true}, "STOPPED"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			if got := c.res.Judge(); got != c.want {
				t.Errorf("Judge(%s) = %s; want %s", c.id, got, c.want)
			}
		})
	}
}

// TestIdleCapped: idle connections refused over a per-address limit make
// the run inconclusive, not failed; spread, the same server holds them.
func TestIdleCapped(t *testing.T) {
	cases := []struct {
		id      string
		sources int
		capped  bool
		note    string
		verdict string
	}{
		{"one-address-capped", 1, true, "the server capped you at 3 from one address: this measures its per-IP limit", "INCONCLUSIVE"},
		{"spread", 4, false, "", "PASS"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			u := startTarget(t, &target{perIP: 3})
			res, err := Run(context.Background(), "idle", Config{
				Target: u, SlowConns: 8, SlowSources: c.sources, Duration: 50 * time.Millisecond, Timeout: time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			notes := strings.Join(res.Notes, "\n")
			if res.SlowCapped != c.capped || !strings.Contains(notes, c.note) || res.Judge() != c.verdict {
				t.Errorf("idle %s: capped %v verdict %s notes %q; want %v %s with %q", c.id, res.SlowCapped, res.Judge(), notes, c.capped, c.verdict, c.note)
			}
		})
	}
}
