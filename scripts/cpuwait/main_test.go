package main

import (
	"math"
	"strings"
	"testing"
)

// perf script's text for a CPU that runs: idle; ferrox 1 ms (two threads
// handing over: one stretch); idle 1 ms; nginx-like other task 0.5 ms;
// ferrox 3 ms; idle to 10 ms. Window 10 ms, server stretches 1 ms and 3 ms.
const trace = `
 swapper     0 [000]   100.000000: sched:sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=ferrox next_pid=11 next_prio=120
   100.000400: sched:sched_switch: prev_comm=ferrox prev_pid=11 prev_prio=120 prev_state=S ==> next_comm=ferrox next_pid=12 next_prio=120
   100.001000: sched:sched_switch: prev_comm=ferrox prev_pid=12 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120
 some unrelated line
   100.002000: sched:sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=tokio rt worker next_pid=81 next_prio=110
   100.002500: sched:sched_switch: prev_comm=tokio rt worker prev_pid=81 prev_prio=110 prev_state=S ==> next_comm=ferrox next_pid=11 next_prio=120
   100.005500: sched:sched_switch: prev_comm=ferrox prev_pid=11 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120
   100.010000: sched:sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=swapper/0 next_pid=0 next_prio=120
`

func TestSummarize(t *testing.T) {
	sws, err := parse(strings.NewReader(trace))
	if err != nil {
		t.Fatal(err)
	}
	if len(sws) != 7 {
		t.Fatalf("parsed %d switches; want 7", len(sws))
	}
	s := summarize(sws, "ferrox")
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %v; want %v", what, got, want)
		}
	}
	near("window", s.WindowS, 0.010)
	if s.Stretches != 2 {
		t.Errorf("stretches = %d; want 2 (the handover between threads is one)", s.Stretches)
	}
	near("server share", s.ServerPct, 40)
	near("longest", s.LongestUS, 3000)
	// Mean wait: (1² + 3²) ms² / 2 / 10 ms = 0.5 ms.
	near("mean wait", s.WaitMeanUS, 500)
	// P(wait > w) = (max(0,1-w) + max(0,3-w)) / 10 (ms): 1% at w = 2.9 ms,
	// 0.1% at 2.99 ms.
	if math.Abs(s.WaitP99US-2900) > 0.01 || math.Abs(s.WaitP999US-2990) > 0.01 {
		t.Errorf("wait p99 %v, p99.9 %v µs; want 2900, 2990", s.WaitP99US, s.WaitP999US)
	}
	if len(s.Others) != 1 || s.Others[0].Name != "tokio rt worker" {
		t.Fatalf("others = %+v; want the one task, by its name with spaces", s.Others)
	}
	near("other's share", s.Others[0].Pct, 5)
	near("other's longest", s.Others[0].LongestUS, 500)
	if !strings.Contains(s.text(), "p99 2.9ms") {
		t.Errorf("text does not give the p99:\n%s", s.text())
	}
}

func TestWaitQuantileNoWait(t *testing.T) {
	// Busy 0.5% of the window: an arrival waits at all only 0.5% of the time,
	// so its p99 wait is zero.
	if got := waitQuantile([]float64{0.005}, 1, 0.99); got != 0 {
		t.Errorf("p99 = %v; want 0", got)
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{
		"   1.0: sched:sched_switch: prev_pid=1 ==> next_comm=a next_pid=2\n",
		"   x: sched:sched_switch: prev_comm=a prev_pid=1 ==> next_comm=b next_pid=2\n",
		"   1.0: sched:sched_switch: prev_comm=a prev_pid=one ==> next_comm=b next_pid=2\n",
	} {
		if _, err := parse(strings.NewReader("header\n" + in)); err == nil || !strings.HasPrefix(err.Error(), "stdin:2: ") {
			t.Errorf("parse(%q): err %v; want one naming stdin:2", in, err)
		}
	}
}

// A task whose switches out are not recorded: who ran between the last
// switch seen and the next is not known, and is counted to no one.
func TestUnrecordedSwitch(t *testing.T) {
	const in = `
   1.000: sched:sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=ferrox next_pid=11 next_prio=120
   1.001: sched:sched_switch: prev_comm=ferrox prev_pid=11 prev_prio=120 prev_state=R ==> next_comm=init next_pid=81 next_prio=110
   1.003: sched:sched_switch: prev_comm=ferrox prev_pid=11 prev_prio=120 prev_state=S ==> next_comm=swapper/0 next_pid=0 next_prio=120
   1.010: sched:sched_switch: prev_comm=swapper/0 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=swapper/0 next_pid=0 next_prio=120
`
	sws, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	s := summarize(sws, "ferrox")
	if s.Stretches != 1 || math.Abs(s.LongestUS-1000) > 1e-3 {
		t.Errorf("stretches %d, longest %v µs; want the one seen whole, 1000", s.Stretches, s.LongestUS)
	}
	if s.Unrecorded != 1 || math.Abs(s.UnrecordedPct-20) > 1e-6 {
		t.Errorf("unrecorded %d, %v%%; want 1, 20%% (1 to 3 ms of 10)", s.Unrecorded, s.UnrecordedPct)
	}
	if math.Abs(s.ServerPct-10) > 1e-6 || len(s.Others) != 0 {
		t.Errorf("server %v%%, others %+v; want 10%%, none (the init's time is not known)", s.ServerPct, s.Others)
	}
}
