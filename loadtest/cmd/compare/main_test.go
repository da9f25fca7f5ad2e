package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/loadtest"
)

func writeRun(t *testing.T, dir, scen string, thr float64, cpuUS string) {
	t.Helper()
	writeRunPhase(t, dir, scen, scen, thr, cpuUS)
}

// writeRunPhase is writeRun with the phase named apart from the scenario
// (the max scenario's phase is keepalive).
func writeRunPhase(t *testing.T, dir, scen, phase string, thr float64, cpuUS string) {
	t.Helper()
	d := filepath.Join(dir, scen)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	res := loadtest.Result{Scenario: scen, Phases: []loadtest.Phase{{Name: phase, Requests: 1000, Success: 1, Throughput: thr, P50MS: 1, P99MS: 2}}}
	b, _ := json.Marshal(res)
	if err := os.WriteFile(filepath.Join(d, "load.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(d, "cpu_us"), []byte(cpuUS+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestCompareTable(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	// Three runs for a: the median throughput is 200.
	writeRun(t, filepath.Join(a, "1"), "keepalive", 100, "100000")
	writeRun(t, filepath.Join(a, "2"), "keepalive", 200, "100000")
	writeRun(t, filepath.Join(a, "3"), "keepalive", 900, "100000")
	writeRun(t, filepath.Join(b, "1"), "keepalive", 300, "50000")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-a", "nginx=" + a, "-b", "ferrox=" + b}, &stdout, &stderr); code != 0 {
		t.Fatalf("run = %d; want 0: %s", code, &stderr)
	}
	out := stdout.String()
	for _, want := range []string{
		"| keepalive | throughput (req/s) | higher | 200 | 300 | 1.50 |",
		"| keepalive | server CPU per request (µs) | lower | 100 | 50.00 | 0.50 |",
		"Medians of 3/1 runs",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	// A scenario neither side ran has no rows (bench-compare's SCENARIOS).
	if strings.Contains(out, "| close |") {
		t.Errorf("table has rows of close, which neither side ran:\n%s", out)
	}
	if strings.Contains(out, "Run by run") {
		t.Errorf("one run of ferrox paired:\n%s", out)
	}
	if code := run([]string{"-a", "nginx"}, &stdout, &stderr); code != 2 {
		t.Errorf("run(bad -a) = %d; want 2", code)
	}
}

func TestComparePairsRuns(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	for i, v := range []struct {
		thrA, thrB float64
		cpuB       string
	}{{100, 300, "50000"}, {200, 100, "200000"}, {900, 900, "100000"}} {
		run := strconv.Itoa(i + 1)
		writeRun(t, filepath.Join(a, run), "keepalive", v.thrA, "100000")
		writeRun(t, filepath.Join(b, run), "keepalive", v.thrB, v.cpuB)
	}
	writeRun(t, filepath.Join(b, "4"), "keepalive", 5000, "1") // no pair: left out
	for i, thr := range []float64{1000, 1001} {                // ratios 1.001, 0.999
		run := strconv.Itoa(i + 1)
		writeRunPhase(t, filepath.Join(a, run), "max", "keepalive", 1000, "100000")
		writeRunPhase(t, filepath.Join(b, run), "max", "keepalive", thr, "100000")
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-a", "nginx=" + a, "-b", "ferrox=" + b}, &stdout, &stderr); code != 0 {
		t.Fatalf("run = %d; want 0: %s", code, &stderr)
	}
	out := stdout.String()
	for _, want := range []string{
		"| scenario | metric | ferrox/nginx, run by run | median | ferrox better, worse |",
		"| keepalive | throughput (req/s) | 3.00, 0.50, 1.00 | 1.00 | 1, 1 of 3 |",
		"| keepalive | server CPU per request (µs) | 0.50, 2.00, 1.00 | 1.00 | 1, 1 of 3 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// Every pair ties on p99 (2 ms in each run): no row for it; nor for
	// the closed loop's throughput, whose ratios all round to 1.00.
	if strings.Contains(out, "| keepalive | p99 (ms) | 1.00") {
		t.Errorf("a row of ties:\n%s", out)
	}
	if strings.Contains(out, "| max | closed-loop keep-alive throughput (req/s) | 1.00") {
		t.Errorf("a row of ratios that round to 1.00:\n%s", out)
	}
}
