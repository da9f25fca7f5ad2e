package loadtest

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// encode writes synthetic results as one gob stream.
func encode(t *testing.T, attack string, codes ...uint16) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	enc := vegeta.NewEncoder(&buf)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, c := range codes {
		r := vegeta.Result{Attack: attack, Seq: uint64(i), Code: c, Timestamp: t0.Add(time.Duration(i) * 10 * time.Millisecond),
			Latency: time.Duration(i+1) * time.Millisecond}
		if c >= 400 || c == 0 {
			r.Error = "bad"
		}
		if err := enc.Encode(&r); err != nil {
			t.Fatal(err)
		}
	}
	return &buf
}

func TestRawResult(t *testing.T) {
	var seen int
	res, err := RawResult("w0", vegeta.NewDecoder(encode(t, "keepalive", 200, 200, 200, 500)), func(*vegeta.Result) { seen++ })
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Phases) != 1 || seen != 4 {
		t.Fatalf("RawResult phases = %d, callback %d; want 1 phase, 4 results", len(res.Phases), seen)
	}
	p := res.Phases[0]
	if p.Name != "keepalive" || p.Requests != 4 || p.Success != 0.75 || p.Latency == nil || p.Latency.Count != 4 {
		t.Errorf("RawResult phase = %+v; want keepalive, 4 requests, success 0.75, histogram of 4", p)
	}
	if res.Worker != "w0" || res.Scenario != "raw" {
		t.Errorf("RawResult worker, scenario = %q, %q; want w0, raw", res.Worker, res.Scenario)
	}
}

func TestRawResultBadInput(t *testing.T) {
	_, err := RawResult("x", vegeta.NewDecoder(bytes.NewReader([]byte("not gob at all"))), nil)
	if err == nil {
		t.Error("RawResult(garbage) = nil error; want an error")
	}
}

// worker builds a one-phase keepalive result whose latencies are lat
// milliseconds, sent from t0+offset over one second.
func worker(name string, offset time.Duration, rate float64, codes map[string]int, lat ...int) Input {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(offset)
	var h Histogram
	var sum float64
	for _, l := range lat {
		h.Record(time.Duration(l) * time.Millisecond)
		sum += float64(l)
	}
	ok := 0
	for k, v := range codes {
		if k == "200" {
			ok += v
		}
	}
	p := Phase{Name: "keepalive", Requests: uint64(len(lat)), Success: float64(ok) / float64(len(lat)), Rate: rate, Throughput: rate,
		MeanMS: sum / float64(len(lat)), MaxMS: float64(slices.Max(lat)), StatusCodes: codes, Errors: []string{}, Legit: true,
		FirstSend: t0, LastSend: t0.Add(time.Second), Latency: h.Seal()}
	p.P50MS = h.Quantile(0.5)
	r := &Result{Schema: SchemaVersion, Scenario: "keepalive", Target: "http://10.0.0.1:80/", Started: t0, ElapsedMS: 1000,
		Worker: name, Config: Settings{Rate: int(rate), Connections: 2, DurationMS: 1000, Paths: []string{"/"}}, Phases: []Phase{p}}
	r.Verdict = r.Judge()
	return Input{File: name + "/load.json", Result: r}
}

func TestMergeResults(t *testing.T) {
	// Worker a's samples are all fast, b's all slow: averaging their
	// medians (50.5) differs from the median of all samples (11).
	a := worker("a", 0, 10, map[string]int{"200": 10}, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	b := worker("b", 3*time.Millisecond, 20, map[string]int{"200": 4, "500": 1}, 11, 12, 13, 90, 100)
	res, err := MergeResults([]Input{a, b})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Phases[0]
	checks := []struct {
		name      string
		got, want float64
	}{
		{"requests", float64(p.Requests), 15},
		{"rate", p.Rate, 30},
		{"throughput", p.Throughput, 30},
		{"success", p.Success, 14.0 / 15},
		// Percentiles: within the histogram's 0.4 % bucket half-width.
		{"p50", p.P50MS / 8, 1},
		{"p90", p.P90MS / 90, 1},
		{"max", p.MaxMS, 100},
		{"mean", p.MeanMS, (55 + 226) / 15.0},
		{"start skew", res.StartSkewMS, 3},
		{"common window", p.CommonWindowMS, 997},
		{"config rate", float64(res.Config.Rate), 30},
	}
	for _, c := range checks {
		if d := c.got - c.want; d > 4e-3 || d < -4e-3 {
			t.Errorf("MergeResults %s = %v; want %v", c.name, c.got, c.want)
		}
	}
	if d := cmp.Diff(map[string]int{"200": 14, "500": 1}, p.StatusCodes); d != "" {
		t.Errorf("MergeResults status codes (-want +got):\n%s", d)
	}
	if len(res.Workers) != 2 || res.Workers[1].Worker != "b" || res.Workers[1].Phases[0].Latency != nil {
		t.Errorf("MergeResults workers = %+v; want a, b without histograms", res.Workers)
	}
	if res.Verdict != "FAIL" {
		t.Errorf("MergeResults verdict = %s; want FAIL (a 500)", res.Verdict)
	}
}

// TestMergeResultsNotesOtherSettings: workers that asked with other
// headers (or another method) are merged with a note that says so.
func TestMergeResultsNotesOtherSettings(t *testing.T) {
	for _, c := range []struct {
		id  string
		set func(*Settings)
	}{
		{"headers", func(s *Settings) { s.Headers = []string{"Accept-Encoding: gzip"} }},
		{"method", func(s *Settings) { s.Method = "POST" }},
	} {
		a := worker("a", 0, 10, map[string]int{"200": 1}, 5)
		b := worker("b", 0, 10, map[string]int{"200": 1}, 5)
		c.set(&b.Result.Config)
		res, err := MergeResults([]Input{a, b})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(res.Notes, func(n string) bool { return strings.Contains(n, "b ran with other settings than a") }) {
			t.Errorf("%s: notes %q; want one on b's other settings", c.id, res.Notes)
		}
	}
	a := worker("a", 0, 10, map[string]int{"200": 1}, 5)
	b := worker("b", 0, 10, map[string]int{"200": 1}, 5)
	if res, err := MergeResults([]Input{a, b}); err != nil || len(res.Notes) != 0 {
		t.Errorf("the same settings: notes %q, err %v; want none", res.Notes, err)
	}
}

func TestMergeResultsRefuses(t *testing.T) {
	other := func(f func(r *Result)) Input {
		in := worker("b", 0, 10, map[string]int{"200": 1}, 5)
		f(in.Result)
		return in
	}
	a := worker("a", 0, 10, map[string]int{"200": 1}, 5)
	merged, err := MergeResults([]Input{a, worker("c", 0, 1, map[string]int{"200": 1}, 1)})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id   string
		in   Input
		want string
	}{
		{"scenario", other(func(r *Result) { r.Scenario = "close" }), `ran scenario "close"`},
		{"target", other(func(r *Result) { r.Target = "http://10.0.0.2/" }), "loaded http://10.0.0.2/"},
		{"same-run-twice", other(func(r *Result) { r.Worker = "a" }), "are the same run"},
		{"schema-1", other(func(r *Result) { r.Schema = 1; r.Phases[0].Latency = nil }), "no latency histogram"},
		{"newer-schema", other(func(r *Result) { r.Schema = 99 }), "newer than this ferrox"},
		{"already-merged", Input{File: "m.json", Result: merged}, "already a merged result"},
		{"bad-histogram", other(func(r *Result) { r.Phases[0].Latency = &Histogram{SubBucketBits: 3} }), "sub_bucket_bits"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			_, err := MergeResults([]Input{a, c.in})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("MergeResults = %v; want an error containing %q", err, c.want)
			}
		})
	}
}

// TestSchemaFields pins the JSON field names SCHEMA.md documents.
func TestSchemaFields(t *testing.T) {
	res := Result{Schema: SchemaVersion, Scenario: "slowloris", Phases: []Phase{
		{Name: "attack", StatusCodes: map[string]int{}, Errors: []string{}, SlowStats: &SlowStats{}},
		{Name: "idle", StatusCodes: map[string]int{}, Errors: []string{}, IdleStats: &IdleStats{}},
	}}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Top    map[string]any
		Phases []map[string]any `json:"phases"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(b, &doc.Top)
	keys := func(m map[string]any) []string {
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		return ks
	}
	need := func(where string, m map[string]any, names ...string) {
		for _, n := range names {
			if _, ok := m[n]; !ok {
				t.Errorf("%s lacks field %q; has %v", where, n, keys(m))
			}
		}
	}
	need("result", doc.Top, "schema", "scenario", "target", "started", "elapsed_ms", "config", "phases", "stopped_early")
	common := []string{"name", "requests", "success", "rate", "throughput", "p50_ms", "p90_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms", "status_codes", "errors", "legit"}
	need("slow phase", doc.Phases[0], append(common, "slow_conns_target", "slow_conns_max_open", "slow_lifetime_median_ms",
		"slow_lifetime_max_ms", "slow_cut_408", "slow_cut_close", "slow_cut_reset", "slow_alive_at_end")...)
	need("idle phase", doc.Phases[1], append(common, "held", "rss_kib_before", "rss_kib_after", "rss_kib_per_conn")...)
	if _, ok := doc.Phases[0]["held"]; ok {
		t.Error("slow phase has idle field held; want idle fields omitted")
	}
	if slices.Contains(keys(doc.Phases[1]), "slow_cut_408") {
		t.Error("idle phase has slow field slow_cut_408; want slow fields omitted")
	}
}

// TestMergeResultsScenarios: slowloris merges sum the slow-connection
// counts and recompute the throughput ratio from the merged phases; ramp
// merges credit the sum of the workers' step rates of the highest merged
// step that passed.
func TestMergeResultsScenarios(t *testing.T) {
	phase := func(name string, thr float64, lat int, slow *SlowStats) Phase {
		var h Histogram
		h.Record(time.Duration(lat) * time.Millisecond)
		return Phase{Name: name, Requests: 1, Success: 1, Rate: thr, Throughput: thr, MeanMS: float64(lat), MaxMS: float64(lat),
			StatusCodes: map[string]int{"200": 1}, Errors: []string{}, Legit: true, Latency: h.Seal(), SlowStats: slow}
	}
	run := func(name, scenario string, ps ...Phase) Input {
		r := &Result{Schema: SchemaVersion, Scenario: scenario, Target: "http://t/", Worker: name, P99BoundMS: 50, Phases: ps}
		return Input{File: name, Result: r}
	}
	slowA := &SlowStats{SlowConnsTarget: 100, SlowConnsMaxOpen: 90, SlowCut408: 80, SlowLifetimeMaxMS: 10000}
	slowB := &SlowStats{SlowConnsTarget: 100, SlowConnsMaxOpen: 70, SlowCut408: 60, SlowLifetimeMaxMS: 12000}
	res, err := MergeResults([]Input{
		run("a", "slowloris", phase("baseline", 100, 1, nil), phase("attack", 50, 2, slowA)),
		run("b", "slowloris", phase("baseline", 100, 1, nil), phase("attack", 100, 2, slowB)),
	})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Phases[1].SlowStats
	if s == nil || s.SlowConnsTarget != 200 || s.SlowConnsMaxOpen != 160 || s.SlowCut408 != 140 || s.SlowLifetimeMaxMS != 12000 {
		t.Errorf("merged slow stats = %+v; want target 200, max open 160, 408 140, lifetime max 12000", s)
	}
	if res.ThroughputRatio != 0.75 {
		t.Errorf("merged throughput ratio = %v; want 150/200 = 0.75", res.ThroughputRatio)
	}

	res, err = MergeResults([]Input{
		run("a", "ramp", phase("ramp-10", 10, 5, nil), phase("ramp-20", 20, 60, nil)),
		run("b", "ramp", phase("ramp-10", 10, 5, nil), phase("ramp-20", 20, 5, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.MaxOKRate != 20 {
		t.Errorf("merged max ok rate = %v; want 20 (ramp-10 on both workers; ramp-20 has a p99 over 50 ms)", res.MaxOKRate)
	}
}
