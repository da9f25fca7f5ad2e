package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferrox/ferrox/loadtest"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func loadTarget(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// loadResolver answers without DNS: example.com is public, localhost is
// loopback, anything else does not exist.
type loadFakeResolver map[string]string

func (r loadFakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	a, ok := r[host]
	if !ok {
		return nil, errors.New("no such host")
	}
	return []netip.Addr{netip.MustParseAddr(a)}, nil
}

var loadResolver = loadFakeResolver{"example.com": "93.184.215.14", "localhost": "127.0.0.1"}

func TestLoadUsage(t *testing.T) {
	out := t.TempDir()
	cases := []struct {
		id   string
		args []string
		want string // in stderr
	}{
		{"no-flags", nil, "--target URL or --targets FILE is required"},
		{"no-scenario", []string{"--target", "http://127.0.0.1:1"}, "ferrox load: --scenario is required (one of keepalive,"},
		{"targets-no-scenario", []string{"--targets", "/nonexistent.txt"}, "ferrox load: --scenario is required"},
		{"unknown-scenario", []string{"--target", "http://127.0.0.1:1", "--scenario", "nope"}, "unknown scenario"},
		{"ftp", []string{"--target", "ftp://127.0.0.1:1", "--scenario", "keepalive"}, "not an http:// or https:// URL"},
		{"https-slowloris", []string{"--target", "https://127.0.0.1:1", "--scenario", "slowloris"}, "give an http:// target"},
		{"cacert-on-http", []string{"--target", "http://127.0.0.1:1", "--scenario", "keepalive", "--insecure"}, "need an https:// target"},
		{"unknown-curve", []string{"--target", "https://127.0.0.1:1", "--scenario", "keepalive", "--tls-curves", "x448"}, "unknown key exchange"},
		{"missing-cacert", []string{"--target", "https://127.0.0.1:1", "--scenario", "keepalive", "--cacert", "/nonexistent.pem"}, "--cacert"},
		{"duration-cap", []string{"--target", "http://127.0.0.1:1", "--scenario", "keepalive", "--duration", "25h"}, "hard cap"},
		{"slow-cap", []string{"--target", "http://127.0.0.1:1", "--scenario", "slowloris", "--slow-conns", "50001"}, "hard cap"},
		{"rate-cap", []string{"--target", "http://127.0.0.1:1", "--scenario", "keepalive", "--rate", "200001"}, "hard cap"},
		{"zero-rate", []string{"--target", "http://127.0.0.1:1", "--scenario", "keepalive", "--rate", "0"}, "positive"},
		{"report-no-files", []string{"report"}, "usage"},
		{"start-at-past", []string{"--target", "http://127.0.0.1:1", "--scenario", "keepalive", "--start-at", "2001-01-01T00:00:00Z"}, "in the past"},
		{"start-at-far", []string{"--target", "http://127.0.0.1:1", "--scenario", "keepalive", "--start-at", time.Now().Add(25 * time.Hour).UTC().Format(time.RFC3339)}, "ahead, more than 24h"},
		{"start-at-garbage", []string{"--target", "http://127.0.0.1:1", "--scenario", "keepalive", "--start-at", "tomorrow"}, "not an RFC 3339 time"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			dir := filepath.Join(out, c.id)
			var stdout, stderr bytes.Buffer
			code := runLoad(context.Background(), append(c.args, "--out", dir), &stdout, &stderr, loadResolver)
			if c.id == "report-no-files" {
				code = cmdLoad(c.args, &stdout, &stderr)
			}
			if code != 2 || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("cmdLoad(%q) = %d, stderr %q; want 2 and %q", c.args, code, stderr.String(), c.want)
			}
			// Refused before anything ran: no output directory.
			if _, err := os.Stat(dir); err == nil {
				t.Errorf("cmdLoad(%q) created %s; want refusal before any run", c.args, dir)
			}
		})
	}
}

// TestLoadRefusesRemote: without --allow-remote, load refuses every
// remote target before anything runs, in the same words as conform.
func TestLoadRefusesRemote(t *testing.T) {
	for _, tc := range remoteTargets {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			args := []string{"--target", "http://" + tc.target, "--scenario", "slowloris", "--out", dir}
			var stdout, stderr bytes.Buffer
			code := runLoad(context.Background(), args, &stdout, &stderr, loadResolver)
			if want := refusal("load", tc.target, tc.detail); code != 2 || stderr.String() != want {
				t.Errorf("runLoad(%q) = %d, stderr %q; want 2 and %q", args, code, stderr.String(), want)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Errorf("runLoad(%q) created %s; want refusal before any run", args, dir)
			}
		})
	}
}

func TestLoadKeepaliveWritesOutputs(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"--target", loadTarget(t), "--scenario", "keepalive", "--rate", "40", "--duration", "400ms",
		"--connections", "2", "--out", dir}
	if code := cmdLoad(args, &stdout, &stderr); code != 0 {
		t.Fatalf("cmdLoad(%q) = %d; want 0\nstdout:\n%s\nstderr:\n%s", args, code, &stdout, &stderr)
	}
	for _, f := range []string{"load.txt", "load.json", "plot.html", "latency.html", "results.gob"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("output %s: %v; want a non-empty file", f, err)
		}
	}
	var res loadtest.Result
	b, _ := os.ReadFile(filepath.Join(dir, "load.json"))
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("load.json: %v", err)
	}
	if len(res.Phases) != 1 || res.Phases[0].Requests == 0 || res.Phases[0].Success != 1 {
		t.Fatalf("load.json phases = %+v; want one fully successful phase", res.Phases)
	}
	// The gob holds exactly the measured requests.
	f, err := os.Open(filepath.Join(dir, "results.gob"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, err := loadtest.RawResult("w", vegeta.NewDecoder(f), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := raw.Phases[0].Requests; got != res.Phases[0].Requests {
		t.Errorf("results.gob has %d results; want %d", got, res.Phases[0].Requests)
	}
	if !strings.Contains(stdout.String(), "verdict: PASS") {
		t.Errorf("stdout lacks the verdict:\n%s", &stdout)
	}
}

func TestLoadFailingTargetExits1(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	var stdout, stderr bytes.Buffer
	args := []string{"--target", srv.URL, "--scenario", "close", "--rate", "20", "--duration", "200ms", "--out", t.TempDir()}
	if code := cmdLoad(args, &stdout, &stderr); code != 1 {
		t.Errorf("cmdLoad against a 503 target = %d; want 1\n%s", code, &stdout)
	}
}

// loadWriteGob encodes n results with the given status code.
func loadWriteGob(t *testing.T, path string, codes ...uint16) {
	t.Helper()
	var buf bytes.Buffer
	enc := vegeta.NewEncoder(&buf)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, c := range codes {
		r := vegeta.Result{Attack: "keepalive", Seq: uint64(i), Code: c, Timestamp: t0.Add(time.Duration(i) * time.Millisecond), Latency: time.Millisecond}
		if err := enc.Encode(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadReportMerge(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.gob"), filepath.Join(dir, "b.gob")
	loadWriteGob(t, a, 200, 200, 200)
	loadWriteGob(t, b, 200, 200)
	out := filepath.Join(dir, "merged.json")
	var stdout, stderr bytes.Buffer
	if code := cmdLoad([]string{"report", "--format", "json", "-o", out, a, b}, &stdout, &stderr); code != 0 {
		t.Fatalf("load report = %d; want 0\n%s", code, &stderr)
	}
	var res loadtest.Result
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatal(err)
	}
	if p := res.Phases[0]; p.Requests != 5 || p.StatusCodes["200"] != 5 || len(res.Workers) != 2 {
		t.Errorf("merged = %d requests %v, %d workers; want 5, 200:5, 2 workers", p.Requests, p.StatusCodes, len(res.Workers))
	}

	loadWriteGob(t, b, 500)
	if code := cmdLoad([]string{"report", "--check", a, b}, &stdout, &stderr); code != 1 {
		t.Errorf("load report --check with a 500 = %d; want 1", code)
	}
	if code := cmdLoad([]string{"report", a, b}, &stdout, &stderr); code != 0 {
		t.Errorf("load report with a 500 = %d; want 0 (rendered; no --check)", code)
	}
	cases := []struct {
		id   string
		args []string
		want string
	}{
		{"missing", []string{filepath.Join(dir, "missing.gob")}, "no such file"},
		{"empty-dir", []string{t.TempDir()}, "no load.json in it"},
		{"format", []string{"--format", "pdf", a}, "unknown --format"},
		{"mixed-kinds", []string{out, a}, "give the load.json files of every worker"},
		{"garbage-json", []string{writeTemp(t, dir, "bad.json", "{\"schema\": 1}")}, "not a ferrox load result"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := cmdLoad(append([]string{"report"}, c.args...), &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("load report %q = %d, %q; want 2 and %q", c.args, code, &stderr, c.want)
			}
		})
	}
}

// TestLoadReportSchema1: a result file of the first schema (no histograms,
// no worker) is still re-rendered, but not merged.
func TestLoadReportSchema1(t *testing.T) {
	dir := t.TempDir()
	v1 := `{"schema":1,"scenario":"keepalive","target":"http://127.0.0.1:8080/","started":"2026-01-01T00:00:00Z","elapsed_ms":1000,
"config":{"rate":10,"closed_loop":false,"duration_ms":1000,"connections":1,"slow_conns":0,"slow_interval_ms":0,"slow_sources":0,"slow_same_source":false,"paths":["/"]},
"phases":[{"name":"keepalive","requests":10,"success":1,"rate":10,"throughput":10,"p50_ms":1,"p90_ms":2,"p95_ms":2.5,"p99_ms":3,"mean_ms":1.2,"max_ms":4,
"status_codes":{"200":10},"errors":[],"legit":true}],"verdict":"PASS","stopped_early":false}`
	a := writeTemp(t, dir, "a.json", v1)
	b := writeTemp(t, dir, "b.json", strings.Replace(v1, "00:00:00Z", "00:00:01Z", 1))
	var stdout, stderr bytes.Buffer
	if code := cmdLoad([]string{"report", a}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "p99 ms") || !strings.Contains(stdout.String(), "    3.000") {
		t.Errorf("load report of a schema-1 file = %d\n%s%s; want 0 and its figures", code, &stdout, &stderr)
	}
	stderr.Reset()
	if code := cmdLoad([]string{"report", a, b}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "no latency histogram") {
		t.Errorf("load report merging schema-1 files = %d, %q; want 2 and no latency histogram", code, &stderr)
	}
}

func writeTemp(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestLoadDistributed runs two workers with one --start-at against one
// target and merges their load.json files: counts add up, the workers are
// named, the start is recorded and no request left before it; mixing in a
// run of another scenario is refused.
func TestLoadDistributed(t *testing.T) {
	target := loadTarget(t)
	dir := t.TempDir()
	start := time.Now().Add(300 * time.Millisecond).UTC()
	var wg sync.WaitGroup
	codes := make([]int, 2)
	errs := make([]bytes.Buffer, 2)
	for i := range 2 {
		wg.Go(func() {
			var stdout bytes.Buffer
			codes[i] = cmdLoad([]string{"--target", target, "--scenario", "keepalive", "--rate", "40", "--duration", "300ms",
				"--connections", "2", "--start-at", start.Format(time.RFC3339Nano), "--worker", "w" + string(rune('0'+i)),
				"--out", filepath.Join(dir, "w"+string(rune('0'+i)))}, &stdout, &errs[i])
		})
	}
	wg.Wait()
	var sum uint64
	for i := range 2 {
		if codes[i] != 0 {
			t.Fatalf("worker %d = %d; want 0\n%s", i, codes[i], &errs[i])
		}
		var r loadtest.Result
		b, _ := os.ReadFile(filepath.Join(dir, "w"+string(rune('0'+i)), "load.json"))
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		if r.Worker != "w"+string(rune('0'+i)) || !r.StartAt.Equal(start) || r.Phases[0].FirstSend.Before(start) {
			t.Errorf("worker %d: worker %q, start_at %v, first send %v; want w%d, %v, not before it", i, r.Worker, r.StartAt, r.Phases[0].FirstSend, i, start)
		}
		sum += r.Phases[0].Requests
	}
	for _, format := range []string{"text", "json", "html"} {
		t.Run(format, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			// One worker by directory, one by file; then both at once
			// through their parent directory.
			args := []string{filepath.Join(dir, "w0"), filepath.Join(dir, "w1", "load.json")}
			if format == "json" {
				args = []string{dir}
			}
			code := cmdLoad(append([]string{"report", "--format", format}, args...), &stdout, &stderr)
			if code != 0 {
				t.Fatalf("load report --format %s = %d; want 0\n%s", format, code, &stderr)
			}
			for _, want := range []string{"w0", "w1", "keepalive"} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("load report --format %s lacks %q", format, want)
				}
			}
			if format == "json" {
				var m loadtest.Result
				if err := json.Unmarshal(stdout.Bytes(), &m); err != nil {
					t.Fatal(err)
				}
				if m.Phases[0].Requests != sum {
					t.Errorf("merged requests = %d; want the sum %d", m.Phases[0].Requests, sum)
				}
			}
		})
	}
	other := t.TempDir()
	var stdout, stderr bytes.Buffer
	if code := cmdLoad([]string{"--target", target, "--scenario", "close", "--rate", "20", "--duration", "100ms", "--out", other}, &stdout, &stderr); code != 0 {
		t.Fatalf("close run = %d\n%s", code, &stderr)
	}
	stderr.Reset()
	if code := cmdLoad([]string{"report", filepath.Join(dir, "w0"), other}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), `ran scenario "close"`) {
		t.Errorf("load report of keepalive + close = %d, %q; want 2 and a scenario mismatch", code, &stderr)
	}
}

func TestWorkerName(t *testing.T) {
	host := func() (string, error) { return "box", nil }
	cases := []struct {
		id, flag, index, want string
	}{
		{"flag", "eu-1", "3", "eu-1"},
		{"indexed-job", "", "3", "worker-3"},
		{"hostname", "", "", "box"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			env := func(k string) string {
				if k == "JOB_COMPLETION_INDEX" {
					return c.index
				}
				return ""
			}
			if got := workerName(c.flag, env, host); got != c.want {
				t.Errorf("workerName(%q, index %q) = %q; want %q", c.flag, c.index, got, c.want)
			}
		})
	}
}

// recordingTarget is an httptest server that records each request's
// method, request target, headers and body.
type recordingTarget struct {
	URL  string
	mu   sync.Mutex
	reqs []*http.Request
	body []string
}

func newRecordingTarget(t *testing.T) *recordingTarget {
	t.Helper()
	rt := &recordingTarget{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rt.mu.Lock()
		if len(rt.reqs) < 10000 {
			rt.reqs = append(rt.reqs, r)
			rt.body = append(rt.body, string(b))
		}
		rt.mu.Unlock()
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	rt.URL = srv.URL
	return rt
}

// targets returns the distinct request targets seen, sorted.
func (rt *recordingTarget) targets() []string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	seen := map[string]bool{}
	for _, r := range rt.reqs {
		seen[r.RequestURI] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestLoadUsesTargetPath: the target URL's path and query are loaded,
// --paths adds more.
func TestLoadUsesTargetPath(t *testing.T) {
	cases := []struct {
		id    string
		path  string
		extra []string
		want  []string
	}{
		{"file", "/some/file.txt", nil, []string{"/some/file.txt"}},
		{"query", "/f?v=1", nil, []string{"/f?v=1"}},
		{"paths", "/a", []string{"--paths", "/b,/c"}, []string{"/a", "/b", "/c"}},
		{"root", "", nil, []string{"/"}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			rt := newRecordingTarget(t)
			args := append([]string{"--target", rt.URL + c.path, "--scenario", "keepalive", "--rate", "30",
				"--duration", "200ms", "--connections", "2", "--out", t.TempDir()}, c.extra...)
			var stdout, stderr bytes.Buffer
			if code := cmdLoad(args, &stdout, &stderr); code != 0 {
				t.Fatalf("cmdLoad(%q) = %d; want 0\n%s%s", args, code, &stdout, &stderr)
			}
			if got := rt.targets(); !slices.Equal(got, c.want) {
				t.Errorf("cmdLoad(%q): server saw %q; want %q", args, got, c.want)
			}
		})
	}
}

// TestLoadInterrupted: a run stopped midway (Ctrl-C cancels the same
// context) still writes its report of what was measured, marked stopped
// early, and exits 1. The target stops the run itself after a few requests.
func TestLoadInterrupted(t *testing.T) {
	cases := []struct {
		id   string
		args []string
	}{
		{"keepalive-soak", []string{"--scenario", "keepalive", "--duration", "24h"}},
		{"ramp", []string{"--scenario", "ramp", "--duration", "1h", "--ramp-steps", "3"}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			// Bounded even if cancelling failed to stop the run.
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var n atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 5 {
					cancel()
				}
				w.Write([]byte("ok"))
			}))
			defer srv.Close()
			dir := t.TempDir()
			args := append([]string{"--target", srv.URL, "--rate", "50", "--connections", "1", "--out", dir}, c.args...)
			var stdout, stderr bytes.Buffer
			start := time.Now()
			code := runLoad(ctx, args, &stdout, &stderr, loadResolver)
			if code != 1 || time.Since(start) > 15*time.Second {
				t.Fatalf("runLoad(%q) = %d after %v; want 1 soon after the stop\n%s", args, code, time.Since(start), &stderr)
			}
			var res loadtest.Result
			b, err := os.ReadFile(filepath.Join(dir, "load.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &res); err != nil {
				t.Fatal(err)
			}
			if !res.StoppedEarly || len(res.Phases) == 0 || res.Phases[0].Requests < 5 {
				t.Errorf("load.json stopped_early %v phases %+v; want stopped early with the >= 5 requests measured", res.StoppedEarly, res.Phases)
			}
			if res.MaxOKRate != 0 {
				t.Errorf("load.json max_ok_rate %v; want 0: a ramp step cut short is not credited", res.MaxOKRate)
			}
			if !strings.Contains(stderr.String(), "stopped early") || !strings.Contains(stdout.String(), "verdict: STOPPED") {
				t.Errorf("runLoad(%q): stderr %q, stdout %q; want the stop said and a STOPPED verdict", args, &stderr, &stdout)
			}
		})
	}
}

// TestLoadSlowlorisWorker: ferrox load runs its slow connections in a
// worker process of its own binary (load-slow-worker), and their
// statistics come back into the result. Where /proc lists processes, the
// worker is seen among this process's children while the run goes.
func TestLoadSlowlorisWorker(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"--target", loadTarget(t), "--scenario", "slowloris", "--rate", "20", "--duration", "300ms",
		"--connections", "2", "--slow-conns", "5", "--slow-interval", "50ms", "--out", dir}
	_, procErr := os.Stat("/proc/self/stat")
	done, seen := make(chan struct{}), make(chan bool, 1)
	go func() {
		for {
			select {
			case <-done:
				seen <- false
				return
			default:
			}
			if procErr == nil && slowWorkerChild() {
				seen <- true
				return
			}
			time.Sleep(2 * time.Millisecond) // the poll interval, while the run goes
		}
	}()
	code := cmdLoad(args, &stdout, &stderr)
	close(done)
	if code != 0 {
		t.Fatalf("cmdLoad(%q) = %d; want 0\nstdout:\n%s\nstderr:\n%s", args, code, &stdout, &stderr)
	}
	if !<-seen {
		if procErr != nil {
			t.Logf("no /proc (%v): the worker process itself is not checked", procErr)
		} else {
			t.Errorf("no child process ran %s during the run", slowWorkerCommand)
		}
	}
	var res loadtest.Result
	b, _ := os.ReadFile(filepath.Join(dir, "load.json"))
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatalf("load.json: %v", err)
	}
	for _, n := range res.Notes {
		if strings.Contains(n, "slow worker") || strings.Contains(n, "measuring process") {
			t.Errorf("note %q; want the slow connections run by the worker", n)
		}
	}
	if len(res.Phases) != 2 || res.Phases[1].SlowStats == nil || res.Phases[1].SlowStats.SlowConnsMaxOpen != 5 {
		t.Fatalf("phases %+v; want an attack phase with 5 slow connections held", res.Phases)
	}
	var errb bytes.Buffer
	if code := run([]string{slowWorkerCommand, "extra"}, io.Discard, &errb); code != 2 || !strings.Contains(errb.String(), "takes no arguments") {
		t.Errorf("run(%s extra) = %d, %q; want 2 and a usage error", slowWorkerCommand, code, errb.String())
	}
}

// slowWorkerChild reports whether a child of this process runs the slow
// worker (read from /proc).
func slowWorkerChild() bool {
	dirs, _ := os.ReadDir("/proc")
	me := strconv.Itoa(os.Getpid())
	for _, d := range dirs {
		stat, err := os.ReadFile(filepath.Join("/proc", d.Name(), "stat"))
		if err != nil {
			continue
		}
		// "pid (comm) state ppid …": the comm may hold spaces.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		if len(f) < 2 || f[1] != me {
			continue
		}
		if cmd, _ := os.ReadFile(filepath.Join("/proc", d.Name(), "cmdline")); bytes.Contains(cmd, []byte(slowWorkerCommand)) {
			return true
		}
	}
	return false
}
