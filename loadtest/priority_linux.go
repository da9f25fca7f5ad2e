package loadtest

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// schedIdle is SCHED_IDLE (linux/sched.h), which package syscall does
// not name.
const schedIdle = 5

// yieldCPU puts every thread of this process under SCHED_IDLE, the
// lowest CPU priority: a thread of normal priority that wakes up takes
// the CPU from it at once (nice 19 only shares the CPU unevenly). Threads
// inherit their creator's policy, so once every thread has it, the ones
// the Go runtime starts later have it too; the loop takes again the
// threads started while it ran. It returns the note for the run's report.
func yieldCPU() string {
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
			if err := setIdle(tid); err != nil && !errors.Is(err, syscall.ESRCH) {
				return notIdle(fmt.Errorf("sched_setscheduler(%d, SCHED_IDLE): %w", tid, err))
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

// setIdle puts thread tid under SCHED_IDLE (its static priority must be 0).
func setIdle(tid int) error {
	var param struct{ priority int32 } // struct sched_param
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETSCHEDULER, uintptr(tid), schedIdle, uintptr(unsafe.Pointer(&param)))
	if e != 0 {
		return e
	}
	return nil
}
