package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/loadtest"
	"github.com/google/go-cmp/cmp"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func loadFixture() *loadtest.Result {
	return &loadtest.Result{
		Schema: loadtest.SchemaVersion, Scenario: "slowloris", Target: "http://127.0.0.1:8080",
		Started: time.Date(2026, 11, 23, 21, 0, 0, 0, time.UTC), ElapsedMS: 12345.678,
		Config: loadtest.Settings{Rate: 100, DurationMS: 5000, Connections: 16, SlowConns: 2000, SlowIntervalMS: 1000, Paths: []string{"/"}},
		Phases: []loadtest.Phase{
			{Name: "baseline", Requests: 500, Success: 1, Rate: 100, Throughput: 99.9, P50MS: 0.4, P90MS: 0.8, P95MS: 1.125, P99MS: 1.5, MeanMS: 0.456, MaxMS: 3,
				StatusCodes: map[string]int{"200": 500}, Errors: []string{}, Legit: true},
			{Name: "attack", Requests: 500, Success: 0.99, Rate: 100, Throughput: 98, P50MS: 0.5, P90MS: 0.9, P99MS: 2, MaxMS: 30,
				StatusCodes: map[string]int{"200": 495, "0": 5}, Errors: []string{"connection reset"}, Legit: true,
				SlowStats: &loadtest.SlowStats{SlowConnsTarget: 2000, SlowConnsMaxOpen: 1999, SlowConnects: 2100,
					SlowLifetimeMedianMS: 10000, SlowLifetimeMaxMS: 10050, SlowCut408: 100, SlowAliveAtEnd: 2000}},
		},
		ThroughputRatio: 0.981,
	}
}

func TestLoadText(t *testing.T) {
	var buf bytes.Buffer
	if err := LoadText(loadFixture())(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"slowloris against http://127.0.0.1:8080",
		"baseline", "attack", "200:495", "0:5",
		"max open at once 1999", "median 10000.000 ms", "408 100", "alive at end 2000",
		"throughput attack/baseline: 0.981", "connection reset", "verdict: FAIL",
		"mean ms", "p95 ms", "0.456", "1.125",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("LoadText output lacks %q:\n%s", want, out)
		}
	}
}

func TestLoadTextScenarios(t *testing.T) {
	base := func(scenario string, phases ...loadtest.Phase) *loadtest.Result {
		return &loadtest.Result{Schema: 1, Scenario: scenario, Target: "http://127.0.0.1:1", Phases: phases}
	}
	ok := func(name string) loadtest.Phase {
		return loadtest.Phase{Name: name, Requests: 10, Success: 1, StatusCodes: map[string]int{"200": 10}, Legit: true}
	}
	idle := ok("idle")
	idle.IdleStats = &loadtest.IdleStats{IdleConns: 10, Held: 7, HoldMS: 1000, RSSKiBBefore: 100, RSSKiBAfter: 140, RSSKiBPerConn: 4}
	capped := ok("attack")
	capped.SlowStats = &loadtest.SlowStats{SlowConnsTarget: 5000, SlowConnsMaxOpen: 256, SlowNeverHeld: 4744, SlowSourcesUsed: 1, SlowMaxOpenPerSource: 256}
	ramp := base("ramp", ok("ramp-100"), ok("ramp-200"))
	ramp.MaxOKRate, ramp.P99BoundMS = 200, 50
	for i := range ramp.Phases {
		ramp.Phases[i].Legit = false
	}
	cases := []struct {
		id   string
		res  *loadtest.Result
		want []string
	}{
		{"idle", base("idle", idle), []string{"10 opened, 7 still held after 1000.000 ms", "100 KiB before, 140 KiB after, 4.0 KiB per connection", "verdict: PASS"}},
		{"ramp", ramp, []string{"ramp-100", "ramp-200", "p99 <= 50.000 ms: 200/s", "verdict: PASS"}},
		{"stopped", &loadtest.Result{Scenario: "keepalive", StoppedEarly: true, Notes: []string{"stopped early: signal"}, Phases: []loadtest.Phase{ok("keepalive")}},
			[]string{"note: stopped early: signal", "verdict: STOPPED"}},
		{"targets", &loadtest.Result{Scenario: "keepalive", Config: loadtest.Settings{Paths: []string{"/"}, Method: "GET",
			Targets: []string{"GET http://127.0.0.1:1/a", "POST http://127.0.0.1:1/b"}}, Phases: []loadtest.Phase{ok("keepalive")}},
			[]string{"targets GET http://127.0.0.1:1/a, POST http://127.0.0.1:1/b\n"}},
		{"method", &loadtest.Result{Scenario: "keepalive", Config: loadtest.Settings{Paths: []string{"/x"}, Method: "POST"},
			Phases: []loadtest.Phase{ok("keepalive")}}, []string{"method POST, paths /x\n"}},
		{"headers", &loadtest.Result{Scenario: "keepalive", Config: loadtest.Settings{Paths: []string{"/x"}, Headers: []string{"Accept-Encoding: gzip", "X-A: 1"}},
			Phases: []loadtest.Phase{ok("keepalive")}}, []string{"paths /x, headers Accept-Encoding: gzip; X-A: 1\n"}},
		{"capped", &loadtest.Result{Scenario: "slowloris", SlowCapped: true, Phases: []loadtest.Phase{ok("baseline"), capped},
			Notes: []string{"CAPPED: the server capped you at 256 from one address: this measures its per-IP limit, not its resistance"}},
			[]string{"*** WARNING: the server capped you at 256 from one address: this measures its per-IP limit, not its resistance ***",
				"never held open (refused or closed first): 4744; from 1 source address(es), at most 256 open from one",
				"verdict: INCONCLUSIVE"}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			var buf bytes.Buffer
			if err := LoadText(c.res)(&buf); err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(buf.String(), w) {
					t.Errorf("LoadText(%s) lacks %q:\n%s", c.id, w, &buf)
				}
			}
		})
	}
}

func TestLoadJSONRoundTrip(t *testing.T) {
	res := loadFixture()
	var buf bytes.Buffer
	if err := LoadJSON(res)(&buf); err != nil {
		t.Fatal(err)
	}
	var got loadtest.Result
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("LoadJSON output does not decode: %v", err)
	}
	if d := cmp.Diff(res, &got); d != "" {
		t.Errorf("LoadJSON round trip (-want +got):\n%s", d)
	}
	for _, field := range []string{`"p99_ms"`, `"slow_cut_408"`, `"throughput_ratio"`, `"status_codes"`} {
		if !bytes.Contains(buf.Bytes(), []byte(field)) {
			t.Errorf("LoadJSON lacks %s", field)
		}
	}
}

func TestLoadPlot(t *testing.T) {
	p := NewLoadPlot("ferrox load test")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 50 {
		r := vegeta.Result{Attack: "keepalive", Seq: uint64(i), Code: 200,
			Timestamp: t0.Add(time.Duration(i) * 10 * time.Millisecond), Latency: time.Millisecond}
		if err := p.Add(&r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := LoadPlot(p)(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<html", "ferrox load test", "uPlot"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("LoadPlot output lacks %q", want)
		}
	}
}

type loadFailWriter struct{}

var errLoadWrite = errors.New("disk full")

func (loadFailWriter) Write([]byte) (int, error) { return 0, errLoadWrite }

func TestLoadWriteErrors(t *testing.T) {
	cases := []struct {
		id  string
		rep Reporter
	}{
		{"text", LoadText(loadFixture())},
		{"json", LoadJSON(loadFixture())},
		{"plot", LoadPlot(NewLoadPlot("x"))},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			if err := c.rep(loadFailWriter{}); !errors.Is(err, errLoadWrite) {
				t.Errorf("%s reporter on failing writer = %v; want %v", c.id, err, errLoadWrite)
			}
		})
	}
}

// TestLoadWorkerBreakdown: a merged result shows one row per worker and
// phase in text and HTML, with the start spread; a single run shows none.
func TestLoadWorkerBreakdown(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ph := func(off time.Duration) loadtest.Phase {
		return loadtest.Phase{Name: "keepalive", Requests: 10, Success: 1, Rate: 10, StatusCodes: map[string]int{"200": 10},
			FirstSend: t0.Add(off), LastSend: t0.Add(time.Second)}
	}
	merged := &loadtest.Result{Schema: 2, Scenario: "keepalive", Target: "http://10.0.0.1/", Started: t0, StartSkewMS: 2.5,
		Phases: []loadtest.Phase{ph(0)},
		Workers: []loadtest.WorkerRun{
			{Worker: "ns-1", Verdict: "PASS", Phases: []loadtest.Phase{ph(0)}},
			{Worker: "ns-2", Verdict: "PASS", Phases: []loadtest.Phase{ph(2500 * time.Microsecond)}},
		}}
	single := &loadtest.Result{Schema: 2, Scenario: "keepalive", Target: "http://10.0.0.1/", Phases: []loadtest.Phase{ph(0)}}
	cases := []struct {
		id   string
		rep  Reporter
		want []string
		not  []string
	}{
		{"text-merged", LoadText(merged), []string{"per worker (2 workers; first sends 2.500 ms apart)", "ns-1 ", "ns-2 ", "    2.500 "}, nil},
		{"html-merged", LoadHTML(merged, nil, ""), []string{`class="phases workers"`, "<td>ns-2</td><td>keepalive</td><td>2.500</td>"}, nil},
		{"text-single", LoadText(single), nil, []string{"per worker"}},
		{"html-single", LoadHTML(single, nil, ""), nil, []string{"per worker"}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			var b strings.Builder
			if err := c.rep(&b); err != nil {
				t.Fatal(err)
			}
			for _, w := range c.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("%s lacks %q:\n%s", c.id, w, b.String())
				}
			}
			for _, w := range c.not {
				if strings.Contains(b.String(), w) {
					t.Errorf("%s has %q; want none", c.id, w)
				}
			}
		})
	}
}

// TestLoadTextConfigKnobs: the config line names the slow-connection
// settings only for the scenarios that use them.
func TestLoadTextConfigKnobs(t *testing.T) {
	cfg := loadtest.Settings{Rate: 100, DurationMS: 1000, Connections: 4, SlowConns: 100, SlowIntervalMS: 1000, Paths: []string{"/"}}
	cases := []struct {
		scenario string
		want     string
	}{
		{"keepalive", "config: rate 100/s, duration 1000.000 ms, connections 4, paths /\n"},
		{"close", "config: rate 100/s, duration 1000.000 ms, connections 4, paths /\n"},
		{"slowloris", "config: rate 100/s, duration 1000.000 ms, connections 4, slow conns 100, slow interval 1000.000 ms, paths /\n"},
		{"slowbody", "config: rate 100/s, duration 1000.000 ms, connections 4, slow conns 100, slow interval 1000.000 ms, paths /\n"},
		{"idle", "config: rate 100/s, duration 1000.000 ms, connections 4, slow conns 100, paths /\n"},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			var buf bytes.Buffer
			res := &loadtest.Result{Scenario: c.scenario, Config: cfg}
			if err := LoadText(res)(&buf); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), c.want) {
				t.Errorf("LoadText(%s) lacks %q:\n%s", c.scenario, c.want, &buf)
			}
		})
	}
}
