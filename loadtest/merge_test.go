package loadtest

import (
	"bytes"
	"encoding/json"
	"slices"
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

func TestMerge(t *testing.T) {
	a := encode(t, "keepalive", 200, 200, 200, 500)
	b := encode(t, "keepalive", 200, 404, 200)
	var seen int
	res, err := Merge(func(*vegeta.Result) { seen++ }, vegeta.NewDecoder(a), vegeta.NewDecoder(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Phases) != 2 {
		t.Fatalf("Merge phases = %d; want keepalive + all", len(res.Phases))
	}
	all := res.Phases[1]
	if all.Name != "all" || all.Requests != 7 || seen != 7 {
		t.Errorf("Merge all = %s with %d requests (callback %d); want all, 7", all.Name, all.Requests, seen)
	}
	want := map[string]int{"200": 5, "404": 1, "500": 1}
	if d := cmp.Diff(want, all.StatusCodes); d != "" {
		t.Errorf("Merge status codes (-want +got):\n%s", d)
	}
	if all.Success != 5.0/7 {
		t.Errorf("Merge success = %v; want 5/7", all.Success)
	}
	if d := cmp.Diff(all.StatusCodes, res.Phases[0].StatusCodes); d != "" {
		t.Errorf("single-attack phase differs from all (-all +phase):\n%s", d)
	}
}

func TestMergeBadInput(t *testing.T) {
	_, err := Merge(nil, vegeta.NewDecoder(bytes.NewReader([]byte("not gob at all"))))
	if err == nil {
		t.Error("Merge(garbage) = nil error; want an error")
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
