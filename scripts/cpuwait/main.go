// Command cpuwait reads the context switches of one CPU (the text of
// `perf script -F time,event,trace` over a `perf record -e
// sched:sched_switch -C N` file) and says how long a request arriving at
// a random instant waits behind the server's own work on that CPU, and
// how much of the CPU other tasks took.
//
//	perf script -i sched.data -F time,event,trace | go run ./scripts/cpuwait -server ferrox
//
// The server is every task whose name (comm) starts with -server: all of
// a Go server's threads, an nginx worker. A stretch is a run of the
// server on the CPU with no other task and no idle between: its threads
// handing over to one another make one stretch. A request that arrives
// during a stretch of length L is not looked at before the stretch ends
// (a single event loop, or Go's scheduler with one processor, polls for
// input between stretches); one arriving at a uniformly random instant
// waits, with probability L/T for each stretch, a time uniform in [0, L).
// That wait's mean and upper quantiles are the server's own share of a
// request's latency, whatever the load generator and the machine add:
// the lower-noise companion of a client-side p99 on a shared machine. It
// is an upper bound: a server that polls for input inside a stretch (an
// event loop whose epoll_wait returns at once with more, Go's scheduler
// between two goroutines when its queue runs dry) picks a request up
// sooner.
//
// Other tasks (anything not the server and not idle) are listed by their
// share of the CPU with their longest stretch: on a shared VM they are
// where multi-millisecond stalls on the server's CPU come from.
//
// Input that is not a context switch is skipped; no switch at all, or a
// line that names one but does not parse, is an error (exit 2, with the
// line number).
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

func main() {
	server := flag.String("server", "", "name (comm) prefix of the server's tasks, e.g. ferrox or nginx")
	jsonOut := flag.String("json", "", "also write the summary as JSON to this file")
	flag.Parse()
	if *server == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: perf script -F time,event,trace | cpuwait -server PREFIX [-json FILE]")
		os.Exit(2)
	}
	sws, err := parse(os.Stdin)
	if err == nil && len(sws) < 2 {
		err = errors.New("fewer than two context switches on stdin: record with perf record -e sched:sched_switch -C N")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpuwait:", err)
		os.Exit(2)
	}
	s := summarize(sws, *server)
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(s, "", "  ")
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "cpuwait:", err)
			os.Exit(2)
		}
	}
	fmt.Print(s.text())
}

// sw is one context switch: at T (seconds), the CPU went from Prev to
// Next (task names; pid 0 is idle, named "").
type sw struct {
	T          float64
	Prev, Next string
}

// parse reads the switches from perf script's text.
func parse(r io.Reader) ([]sw, error) {
	var out []sw
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		i := strings.Index(line, "sched:sched_switch:")
		if i < 0 {
			continue
		}
		s, err := parseLine(line[:i], line[i+len("sched:sched_switch:"):])
		if err != nil {
			return nil, fmt.Errorf("stdin:%d: %v", n, err)
		}
		out = append(out, s)
	}
	return out, sc.Err()
}

// parseLine reads "  12.345678: " and "prev_comm=A prev_pid=1 ... ==>
// next_comm=B next_pid=2 ...". A comm may hold spaces, so each runs to
// its pid field.
func parseLine(head, rest string) (sw, error) {
	ts := strings.TrimSuffix(strings.TrimSpace(head), ":")
	if f := strings.Fields(ts); len(f) > 0 {
		ts = f[len(f)-1] // perf may print the task before the time
	}
	t, err := strconv.ParseFloat(ts, 64)
	if err != nil {
		return sw{}, fmt.Errorf("no timestamp before the event: %q", head)
	}
	prev, ppid, err := task(rest, "prev_comm=", " prev_pid=")
	if err != nil {
		return sw{}, err
	}
	next, npid, err := task(rest, "next_comm=", " next_pid=")
	if err != nil {
		return sw{}, err
	}
	if ppid == 0 {
		prev = ""
	}
	if npid == 0 {
		next = ""
	}
	return sw{T: t, Prev: prev, Next: next}, nil
}

func task(s, key, pidKey string) (string, int, error) {
	i := strings.Index(s, key)
	if i < 0 {
		return "", 0, fmt.Errorf("no %s in the switch", strings.TrimSuffix(key, "="))
	}
	s = s[i+len(key):]
	j := strings.Index(s, pidKey)
	if j < 0 {
		return "", 0, fmt.Errorf("no %s after %s", strings.TrimSpace(pidKey), key)
	}
	f := strings.Fields(s[j+len(pidKey):])
	if len(f) == 0 {
		return "", 0, fmt.Errorf("empty %s", strings.TrimSpace(pidKey))
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil {
		return "", 0, fmt.Errorf("%s%s is not a number", strings.TrimSpace(pidKey), f[0])
	}
	return s[:j], pid, nil
}

// summary is what cpuwait prints.
type summary struct {
	Server     string  `json:"server"`
	WindowS    float64 `json:"window_s"`
	ServerPct  float64 `json:"server_cpu_pct"`
	Stretches  int     `json:"stretches"`
	MedianUS   float64 `json:"stretch_median_us"`
	LongestUS  float64 `json:"stretch_longest_us"`
	WaitMeanUS float64 `json:"wait_mean_us"`
	WaitP99US  float64 `json:"wait_p99_us"`
	WaitP999US float64 `json:"wait_p999_us"`
	OthersPct  float64 `json:"others_cpu_pct"`
	Others     []other `json:"others"`
	// Switches not recorded, and the share of the window after them
	// (who ran is not known; see summarize).
	Unrecorded    int     `json:"unrecorded_switches"`
	UnrecordedPct float64 `json:"unrecorded_pct"`
}

type other struct {
	Name      string  `json:"name"`
	Pct       float64 `json:"cpu_pct"`
	LongestUS float64 `json:"longest_us"`
}

// summarize measures the window from the first switch to the last.
func summarize(sws []sw, server string) summary {
	isServer := func(name string) bool { return name != "" && strings.HasPrefix(name, server) }
	t0, t1 := sws[0].T, sws[len(sws)-1].T
	window := t1 - t0
	var stretches []float64
	busy := map[string]float64{}
	longest := map[string]float64{}
	start := -1.0 // the current server stretch's start, or -1
	var unrecorded float64
	missing := 0
	for i, s := range sws {
		// The CPU ran s.Prev from the previous switch to this one, when
		// that switch went to s.Prev. Some tasks' switches are not
		// recorded (on the 2-core VM, the switches out of the sandbox's
		// own init process): then who ran in between is not known, and
		// the time is counted to no one, nor to a server stretch.
		//
		// A stretch opens at a switch into the server and closes at one out
		// of it. After switches were missed, an open stretch is closed at
		// the last one seen (it ended somewhere in the gap: what is counted
		// is its lower bound).
		if i > 0 {
			last := sws[i-1]
			d := s.T - last.T
			switch {
			case s.Prev != last.Next:
				unrecorded += d
				missing++
				if start >= 0 && last.T > start {
					stretches = append(stretches, last.T-start)
				}
				start = -1
			case s.Prev != "":
				busy[s.Prev] += d
				longest[s.Prev] = max(longest[s.Prev], d)
			}
		}
		if isServer(s.Next) {
			if start < 0 {
				start = s.T
			}
		} else if start >= 0 {
			stretches = append(stretches, s.T-start)
			start = -1
		}
	}
	out := summary{Server: server, WindowS: window, Stretches: len(stretches),
		Unrecorded: missing, UnrecordedPct: 100 * unrecorded / window}
	var serverBusy float64
	for name, b := range busy {
		if isServer(name) {
			serverBusy += b
			continue
		}
		out.OthersPct += 100 * b / window
		out.Others = append(out.Others, other{Name: name, Pct: 100 * b / window, LongestUS: 1e6 * longest[name]})
	}
	sort.Slice(out.Others, func(i, j int) bool { return out.Others[i].Pct > out.Others[j].Pct })
	out.ServerPct = 100 * serverBusy / window
	if len(stretches) > 0 {
		sort.Float64s(stretches)
		out.MedianUS = 1e6 * stretches[len(stretches)/2]
		out.LongestUS = 1e6 * stretches[len(stretches)-1]
		var sq float64
		for _, l := range stretches {
			sq += l * l
		}
		out.WaitMeanUS = 1e6 * sq / 2 / window
		out.WaitP99US = 1e6 * waitQuantile(stretches, window, 0.99)
		out.WaitP999US = 1e6 * waitQuantile(stretches, window, 0.999)
	}
	return out
}

// waitQuantile is the q quantile of the wait of an arrival at a uniformly
// random instant of the window: the w at which P(wait > w), the sum over
// the stretches of max(0, L-w)/window, falls to 1-q. ls is sorted.
func waitQuantile(ls []float64, window, q float64) float64 {
	over := func(w float64) float64 {
		var s float64
		for i := len(ls) - 1; i >= 0 && ls[i] > w; i-- {
			s += ls[i] - w
		}
		return s / window
	}
	if over(0) <= 1-q {
		return 0
	}
	lo, hi := 0.0, ls[len(ls)-1]
	for range 60 {
		mid := (lo + hi) / 2
		if over(mid) > 1-q {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

func (s summary) text() string {
	var b strings.Builder
	us := func(v float64) string { return time.Duration(v * 1e3).Round(time.Microsecond).String() }
	fmt.Fprintf(&b, "server %q: %.2f%% of the CPU over %.1f s, in %d stretches (median %s, longest %s)\n",
		s.Server, s.ServerPct, s.WindowS, s.Stretches, us(s.MedianUS), us(s.LongestUS))
	fmt.Fprintf(&b, "  a request arriving at a random instant waits behind the server's own work: mean %s, p99 %s, p99.9 %s\n",
		us(s.WaitMeanUS), us(s.WaitP99US), us(s.WaitP999US))
	fmt.Fprintf(&b, "other tasks: %.2f%% of the CPU", s.OthersPct)
	for i, o := range s.Others {
		if i == 5 {
			break
		}
		sep := "; "
		if i == 0 {
			sep = ": "
		}
		fmt.Fprintf(&b, "%s%s %.2f%% (longest %s)", sep, o.Name, o.Pct, us(o.LongestUS))
	}
	b.WriteString("\n")
	if s.Unrecorded > 0 {
		fmt.Fprintf(&b, "switches not recorded: %d (the %.2f%% of the window after them is counted to no one)\n", s.Unrecorded, s.UnrecordedPct)
	}
	return b.String()
}
