package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/loadtest"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// writeWorker writes a worker directory: results.gob with the given
// latencies (ms) and the load.json RawResult makes of it.
func writeWorker(t *testing.T, dir, name string, lat ...int) (string, loadtest.Input) {
	t.Helper()
	d := filepath.Join(dir, name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := vegeta.NewEncoder(&buf)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, l := range lat {
		r := vegeta.Result{Attack: "keepalive", Seq: uint64(i), Code: 200, URL: "http://10.0.0.1/",
			Timestamp: t0.Add(time.Duration(i) * 10 * time.Millisecond), Latency: time.Duration(l) * time.Millisecond}
		if err := enc.Encode(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(d, "results.gob"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := loadtest.RawResult(name, vegeta.NewDecoder(bytes.NewReader(buf.Bytes())), nil)
	if err != nil {
		t.Fatal(err)
	}
	writeJSON(t, filepath.Join(d, "load.json"), res)
	return d, loadtest.Input{File: d, Result: res}
}

func writeJSON(t *testing.T, p string, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	a, ia := writeWorker(t, dir, "a", 1, 2, 3, 4, 5)
	b, ib := writeWorker(t, dir, "b", 50, 60, 70)
	merged, err := loadtest.MergeResults([]loadtest.Input{ia, ib})
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "merged.json")
	writeJSON(t, good, merged)
	// Averaged percentiles, as a naive merge would write them.
	avg := *merged
	avg.Phases = []loadtest.Phase{merged.Phases[0]}
	avg.Phases[0].P50MS = (ia.Result.Phases[0].P50MS + ib.Result.Phases[0].P50MS) / 2
	averaged := filepath.Join(dir, "averaged.json")
	writeJSON(t, averaged, &avg)
	short := avg
	short.Phases = []loadtest.Phase{merged.Phases[0]}
	short.Phases[0].Requests--
	miscounted := filepath.Join(dir, "miscounted.json")
	writeJSON(t, miscounted, &short)

	cases := []struct {
		id, merged string
		want       int
		line       string
	}{
		{"merged", good, 0, "ok   p50 from all samples"},
		{"averaged-p50", averaged, 1, "FAIL p50 from all samples"},
		{"miscounted", miscounted, 1, "FAIL requests = sum"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if got := run([]string{c.merged, a, b}, &stdout, &stderr); got != c.want || !strings.Contains(stdout.String(), c.line) {
				t.Errorf("distcheck = %d\n%s%s; want %d and %q", got, &stdout, &stderr, c.want, c.line)
			}
		})
	}
}
