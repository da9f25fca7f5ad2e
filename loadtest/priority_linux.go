package loadtest

import (
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// yieldCPU puts every thread of this process under SCHED_IDLE, the
// lowest CPU priority: a thread of normal priority that wakes up takes
// the CPU from it at once (nice 19 only shares the CPU unevenly). Threads
// inherit their creator's policy, so once every thread has it, the ones
// the Go runtime starts later have it too; the loop takes again the
// threads started while it ran. It returns the note for the run's report.
func yieldCPU() string {
	attr := unix.SchedAttr{Policy: unix.SCHED_IDLE}
	done := map[int]bool{}
	for range 100 {
		tasks, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return notIdle(err)
		}
		added := false
		for _, t := range tasks {
			tid, err := strconv.Atoi(t.Name())
			if err != nil || done[tid] {
				continue
			}
			if err := unix.SchedSetAttr(tid, &attr, 0); err != nil && !errors.Is(err, unix.ESRCH) {
				return notIdle(fmt.Errorf("sched_setattr(%d, SCHED_IDLE): %w", tid, err))
			}
			done[tid] = true
			added = true
		}
		if !added {
			return "slow connections ran in a worker process at idle CPU priority (SCHED_IDLE): " +
				"they take only the CPU time the measured requests leave"
		}
	}
	return notIdle(errors.New("threads kept appearing"))
}

func notIdle(err error) string {
	return "slow connections ran in a worker process at normal CPU priority (" + err.Error() +
		"): on a shared CPU they can delay the measured requests"
}
