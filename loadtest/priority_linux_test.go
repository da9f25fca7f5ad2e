package loadtest

import (
	"bufio"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// policy is thread tid's scheduling policy.
func policy(tid int) (int, error) {
	r, _, e := syscall.RawSyscall(syscall.SYS_SCHED_GETSCHEDULER, uintptr(tid), 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// TestSlowWorkerIdlePriority: every thread of a slow worker holding its
// connections runs under SCHED_IDLE, and the worker says so in a note; the
// measuring process keeps its own priority.
func TestSlowWorkerIdlePriority(t *testing.T) {
	u := startTarget(t, &target{})
	cmd := testWorker()
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer in.Close()
	job := slowJob{Kind: slowHeaders, N: 8, Target: u.String(), Timeout: 5 * time.Second, SlowConns: 8,
		SlowInterval: 50 * time.Millisecond, SlowRampPerSec: 1000, SlowSources: 1, T0: time.Now()}
	if err := json.NewEncoder(in).Encode(&job); err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bufio.NewReader(out))
	var notes []string
	for {
		var ev slowEvent
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("worker output ended before it ramped: %v", err)
		}
		if ev.Note != "" {
			notes = append(notes, ev.Note)
		}
		if ev.Ramped {
			break
		}
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "at idle CPU priority (SCHED_IDLE)") {
		t.Errorf("notes %q; want one saying the worker runs at idle CPU priority", notes)
	}
	tasks, err := os.ReadDir("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/task")
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range tasks {
		tid, _ := strconv.Atoi(task.Name())
		p, err := policy(tid)
		if err != nil {
			t.Errorf("thread %d: %v", tid, err)
		} else if p != schedIdle {
			t.Errorf("worker thread %d has policy %d; want SCHED_IDLE (%d)", tid, p, schedIdle)
		}
	}
	if len(tasks) < 2 {
		t.Errorf("worker has %d threads; want the runtime's several", len(tasks))
	}
	if p, err := policy(0); err != nil || p == schedIdle {
		t.Errorf("this process: policy %d, %v; want it left as it was", p, err)
	}
}
