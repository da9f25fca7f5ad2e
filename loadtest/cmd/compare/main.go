// Command compare turns the load.json files of a bench-compare run into one
// side-by-side Markdown table of two servers, as ratios.
//
//	compare -a nginx=DIR -b ferrox=DIR [-o reports/bench-compare.md] [-cmd "..."]
//
// Each DIR holds run directories (1, 2, …), each with one directory per
// scenario containing load.json and cpu_us (server CPU time in
// microseconds spent during that scenario). Figures are medians over runs;
// with two runs or more of both servers under the same names, a second
// table pairs them run by run (see pairs).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ferrox/ferrox/loadtest"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// metric is one row of the table.
type metric struct {
	scenario, name string
	better         string // "higher" or "lower"
	get            func(r *loadtest.Result, cpuUS float64) (float64, bool)
}

func phase(r *loadtest.Result, name string) *loadtest.Phase {
	for i := range r.Phases {
		if r.Phases[i].Name == name {
			return &r.Phases[i]
		}
	}
	return nil
}

func field(ph string, f func(*loadtest.Phase) float64) func(*loadtest.Result, float64) (float64, bool) {
	return func(r *loadtest.Result, _ float64) (float64, bool) {
		p := phase(r, ph)
		if p == nil || p.Requests == 0 {
			return 0, false
		}
		return f(p), true
	}
}

func cpuPerReq(r *loadtest.Result, cpuUS float64) (float64, bool) {
	var n uint64
	for _, p := range r.Phases {
		n += p.Requests
	}
	if n == 0 || cpuUS < 0 {
		return 0, false
	}
	return cpuUS / float64(n), true
}

func slowField(f func(*loadtest.SlowStats) float64) func(*loadtest.Result, float64) (float64, bool) {
	return func(r *loadtest.Result, _ float64) (float64, bool) {
		p := phase(r, "attack")
		if p == nil || p.SlowStats == nil {
			return 0, false
		}
		return f(p.SlowStats), true
	}
}

// bigFileMiB is the size of the file the big scenario fetches
// (scripts/bench-compare.sh writes it).
const bigFileMiB = 10

// cpuPerMiB is the server CPU time per MiB of body sent in the big
// scenario.
func cpuPerMiB(r *loadtest.Result, cpuUS float64) (float64, bool) {
	v, ok := cpuPerReq(r, cpuUS)
	return v / bigFileMiB, ok
}

var (
	thr  = func(p *loadtest.Phase) float64 { return p.Throughput }
	mibs = func(p *loadtest.Phase) float64 { return p.Throughput * bigFileMiB }
	p50  = func(p *loadtest.Phase) float64 { return p.P50MS }
	p95  = func(p *loadtest.Phase) float64 { return p.P95MS }
	p99  = func(p *loadtest.Phase) float64 { return p.P99MS }
	succ = func(p *loadtest.Phase) float64 { return p.Success * 100 }
)

var metrics = []metric{
	{"max", "closed-loop keep-alive throughput (req/s)", "higher", field("keepalive", thr)},
	{"max", "p50 (ms)", "lower", field("keepalive", p50)},
	{"max", "p99 (ms)", "lower", field("keepalive", p99)},
	{"max", "success (%)", "higher", field("keepalive", succ)},
	{"max", "server CPU per request (µs)", "lower", cpuPerReq},
	{"keepalive", "throughput (req/s)", "higher", field("keepalive", thr)},
	{"keepalive", "p50 (ms)", "lower", field("keepalive", p50)},
	{"keepalive", "p99 (ms)", "lower", field("keepalive", p99)},
	{"keepalive", "success (%)", "higher", field("keepalive", succ)},
	{"keepalive", "server CPU per request (µs)", "lower", cpuPerReq},
	{"close", "throughput (req/s)", "higher", field("close", thr)},
	{"close", "p50 (ms)", "lower", field("close", p50)},
	{"close", "p99 (ms)", "lower", field("close", p99)},
	{"close", "success (%)", "higher", field("close", succ)},
	{"close", "server CPU per request (µs)", "lower", cpuPerReq},
	{"slowloris", "legit throughput under attack (req/s)", "higher", field("attack", thr)},
	{"slowloris", "throughput attack/baseline", "higher", func(r *loadtest.Result, _ float64) (float64, bool) {
		return r.ThroughputRatio, r.ThroughputRatio > 0
	}},
	{"slowloris", "legit p50 under attack (ms)", "lower", field("attack", p50)},
	{"slowloris", "legit p95 under attack (ms)", "lower", field("attack", p95)},
	{"slowloris", "legit p99 under attack (ms)", "lower", field("attack", p99)},
	{"slowloris", "legit success under attack (%)", "higher", field("attack", succ)},
	{"slowloris", "slow conns held at once", "lower", slowField(func(s *loadtest.SlowStats) float64 { return float64(s.SlowConnsMaxOpen) })},
	{"slowloris", "slow conn median lifetime (ms)", "lower", slowField(func(s *loadtest.SlowStats) float64 { return s.SlowLifetimeMedianMS })},
	{"slowloris", "slow conns cut by the server (408, close or reset)", "", slowField(func(s *loadtest.SlowStats) float64 {
		return float64(s.SlowCut408 + s.SlowCutOtherStatus + s.SlowCutClose + s.SlowCutReset)
	})},
	{"slowloris", "of them with a 408", "", slowField(func(s *loadtest.SlowStats) float64 { return float64(s.SlowCut408) })},
	{"slowloris", "slow conns refused up front (e.g. 503)", "", slowField(func(s *loadtest.SlowStats) float64 { return float64(s.SlowRefused) })},
	{"slowloris", "server CPU per legit request (µs)", "lower", cpuPerReq},
	{"wrk", "closed-loop keep-alive throughput, wrk (req/s)", "higher", field("keepalive", thr)},
	{"wrk", "p50 (ms)", "lower", field("keepalive", p50)},
	{"wrk", "p99 (ms)", "lower", field("keepalive", p99)},
	{"wrk", "server CPU per request (µs)", "lower", cpuPerReq},
	{"big", "10 MiB file, closed loop: throughput (MiB/s)", "higher", field("keepalive", mibs)},
	{"big", "p50 (ms)", "lower", field("keepalive", p50)},
	{"big", "server CPU per MiB (µs)", "lower", cpuPerMiB},
	{"tls-keepalive", "HTTPS keep-alive throughput (req/s)", "higher", field("keepalive", thr)},
	{"tls-keepalive", "p99 (ms)", "lower", field("keepalive", p99)},
	{"tls-keepalive", "success (%)", "higher", field("keepalive", succ)},
	{"tls-keepalive", "server CPU per request (µs)", "lower", cpuPerReq},
	{"tls-close", "HTTPS, one handshake per request: throughput (req/s)", "higher", field("close", thr)},
	{"tls-close", "p50 (ms)", "lower", field("close", p50)},
	{"tls-close", "p99 (ms)", "lower", field("close", p99)},
	{"tls-close", "success (%)", "higher", field("close", succ)},
	{"tls-close", "server CPU per request (µs)", "lower", cpuPerReq},
}

// server is one side of the comparison.
type server struct {
	name, dir string
	// byRun[metric index][run directory name] = that run's value
	byRun map[int]map[string]float64
	runs  int
}

func load(name, dir string) (*server, error) {
	s := &server{name: name, dir: dir, byRun: map[int]map[string]float64{}}
	runs, _ := filepath.Glob(filepath.Join(dir, "*"))
	slices.Sort(runs)
	for _, rd := range runs {
		if st, err := os.Stat(rd); err != nil || !st.IsDir() {
			continue
		}
		s.runs++
		for i, m := range metrics {
			sd := filepath.Join(rd, m.scenario)
			b, err := os.ReadFile(filepath.Join(sd, "load.json"))
			if err != nil {
				continue
			}
			var r loadtest.Result
			if err := json.Unmarshal(b, &r); err != nil {
				return nil, fmt.Errorf("%s: %w", sd, err)
			}
			cpu := -1.0
			if cb, err := os.ReadFile(filepath.Join(sd, "cpu_us")); err == nil {
				if v, err := strconv.ParseFloat(strings.TrimSpace(string(cb)), 64); err == nil {
					cpu = v
				}
			}
			if v, ok := m.get(&r, cpu); ok {
				if s.byRun[i] == nil {
					s.byRun[i] = map[string]float64{}
				}
				s.byRun[i][filepath.Base(rd)] = v
			}
		}
	}
	return s, nil
}

func (s *server) median(i int) (float64, bool) {
	vs := make([]float64, 0, len(s.byRun[i]))
	for _, v := range s.byRun[i] {
		vs = append(vs, v)
	}
	return median(vs)
}

func median(vs []float64) (float64, bool) {
	if len(vs) == 0 {
		return 0, false
	}
	vs = slices.Clone(vs)
	slices.Sort(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2], true
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2, true
}

// pair is metric i of the runs both servers have under the same name
// (bench-compare runs the two back to back in each run): cmp's value ÷
// ref's, run by run in the order of the names, and in how many runs cmp
// did better and worse (the rest tie).
type pair struct {
	ratios        []float64
	better, worse int
}

// pairs pairs metric i's runs; ok is false when fewer than two runs pair
// or every ratio rounds to 1.00 (a fixed rate's throughput), which say
// nothing a median does not.
func pairs(ref, cmp *server, i int) (p pair, ok bool) {
	names := make([]string, 0, len(ref.byRun[i]))
	for n := range ref.byRun[i] {
		if _, both := cmp.byRun[i][n]; both {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	lower := metrics[i].better == "lower"
	for _, n := range names {
		rv, cv := ref.byRun[i][n], cmp.byRun[i][n]
		if rv == 0 {
			continue
		}
		p.ratios = append(p.ratios, cv/rv)
		switch {
		case cv == rv:
		case (cv < rv) == lower:
			p.better++
		default:
			p.worse++
		}
	}
	moved := slices.ContainsFunc(p.ratios, func(r float64) bool { return math.Abs(r-1) >= 0.005 })
	return p, len(p.ratios) >= 2 && moved
}

func fmtNum(v float64, ok bool) string {
	if !ok {
		return "n/a"
	}
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(stderr)
	a := fs.String("a", "", "reference server NAME=DIR (e.g. nginx=out/bench/nginx)")
	b := fs.String("b", "", "compared server NAME=DIR (e.g. ferrox=out/bench/ferrox)")
	out := fs.String("o", "", "write the Markdown here instead of stdout")
	cmdline := fs.String("cmd", "", "command line to quote in the report")
	params := fs.String("params", "", "load parameters to quote in the report")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var sides []*server
	for _, spec := range []string{*a, *b} {
		name, dir, ok := strings.Cut(spec, "=")
		if !ok || name == "" || dir == "" {
			fmt.Fprintln(stderr, "compare: -a and -b take NAME=DIR")
			return 2
		}
		s, err := load(name, dir)
		if err != nil {
			fmt.Fprintf(stderr, "compare: %v\n", err)
			return 1
		}
		sides = append(sides, s)
	}
	ref, cmp := sides[0], sides[1]
	var sb strings.Builder
	fmt.Fprintf(&sb, "# %s vs %s: keep-alive, close, slowloris, wrk, a 10 MiB file, HTTPS\n\n", cmp.name, ref.name)
	if *cmdline != "" {
		fmt.Fprintf(&sb, "Command: `%s`\n\n", *cmdline)
	}
	if *params != "" {
		fmt.Fprintf(&sb, "Parameters: %s\n\n", *params)
	}
	fmt.Fprintf(&sb, "Same load generators (`ferrox load`, vegeta + slow-client engine; wrk for the wrk rows; pinned to CPU 1), same files, same "+
		"connection counts; both servers pinned to CPU 0, one worker. Medians of %d/%d runs. "+
		"Absolute numbers on this shared 2-core machine are noise; the ratio column is the signal "+
		"(%s ÷ %s; for \"higher is better\" rows > 1 favours %s, for \"lower\" rows < 1 does).\n\n",
		ref.runs, cmp.runs, cmp.name, ref.name, cmp.name)
	fmt.Fprintf(&sb, "| scenario | metric | better | %s | %s | %s/%s |\n|---|---|---|---:|---:|---:|\n", ref.name, cmp.name, cmp.name, ref.name)
	for i, m := range metrics {
		rv, rok := ref.median(i)
		cv, cok := cmp.median(i)
		if !rok && !cok {
			continue // a scenario neither side ran (SCENARIOS picked others)
		}
		ratio := "n/a"
		if rok && cok && rv != 0 {
			ratio = strconv.FormatFloat(cv/rv, 'f', 2, 64)
		}
		better := m.better
		if better == "" {
			better = "–"
		}
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %s | %s |\n", m.scenario, m.name, better, fmtNum(rv, rok), fmtNum(cv, cok), ratio)
	}
	paired := false
	for i, m := range metrics {
		if m.better == "" {
			continue
		}
		p, ok := pairs(ref, cmp, i)
		if !ok {
			continue
		}
		if !paired {
			paired = true
			fmt.Fprintf(&sb, "\nRun by run (run N of both servers ran back to back, in one order in odd runs and the reverse in even ones, so they shared the machine's state of the moment; "+
				"on a noisy machine the pairs' ratios and which side did better how often move less than a ratio of medians):\n\n"+
				"| scenario | metric | %s/%s, run by run | median | %s better, worse |\n|---|---|---|---:|---:|\n", cmp.name, ref.name, cmp.name)
		}
		rs := make([]string, len(p.ratios))
		for k, r := range p.ratios {
			rs[k] = strconv.FormatFloat(r, 'f', 2, 64)
		}
		med, _ := median(p.ratios)
		fmt.Fprintf(&sb, "| %s | %s | %s | %s | %d, %d of %d |\n", m.scenario, m.name, strings.Join(rs, ", "),
			strconv.FormatFloat(med, 'f', 2, 64), p.better, p.worse, len(p.ratios))
	}
	sb.WriteString("\nCPU per request: utime+stime of the server process and its children (/proc/PID/stat) over the " +
		"scenario, divided by all legitimate requests of the scenario (slowloris: baseline + attack phases). " +
		"The closed-loop row is bounded by the round trip of the connections and by the generator's one core: a server " +
		"that stays below 100% of its core there is latency-bound, and CPU per request is the better capacity signal.\n")
	if *out == "" {
		if _, err := io.WriteString(stdout, sb.String()); err != nil {
			return 1
		}
		return 0
	}
	if err := os.WriteFile(*out, []byte(sb.String()), 0o644); err != nil {
		fmt.Fprintf(stderr, "compare: %v\n", err)
		return 1
	}
	return 0
}
