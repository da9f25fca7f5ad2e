//go:build linux

package server

import (
	"os"
	"syscall"
	"unsafe"
)

// netYield lets the goroutine that calls yield step aside until Go's
// scheduler has looked for network input, and no longer. The scheduler
// looks only when its processor has nothing else to run (see pollBurst):
// runtime.Gosched puts the goroutine back in a run queue, which the
// scheduler takes from before it polls, so a loop that always has more to
// do never lets a waiting request in. yield instead makes an eventfd
// readable and waits for that in Go's poller: the goroutine parks, the
// processor has nothing to run and polls, and that poll returns the
// eventfd together with whatever else came meanwhile, so the requests
// that waited run, then the yielding goroutine goes on. It costs three
// system calls (the write, the poll, the read) and no timer: a wait on a
// deadline would sleep a whole millisecond when nothing else is due (the
// poller's resolution).
type netYield struct {
	f  *os.File // the eventfd, registered in Go's poller
	rc syscall.RawConn
}

// newNetYield returns a netYield, or nil when the system refuses the
// eventfd (then nothing yields).
func newNetYield() *netYield {
	r, _, e := syscall.RawSyscall(syscall.SYS_EVENTFD2, 0, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if e != 0 {
		return nil
	}
	f := os.NewFile(r, "yield") // non-blocking: registered with the poller
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil
	}
	return &netYield{f: f, rc: rc}
}

// yield steps aside once (see netYield). The write is made inside the
// read's first callback, after the poller has forgotten any readiness it
// had for the eventfd (RawConn.Read resets it before the first call):
// written before that, a readiness another thread's poll reported at
// once would be forgotten, and the wait would last until a write that
// never comes. Whether the wait parks or finds the readiness reported
// already, the second callback reads the counter back to zero.
func (y *netYield) yield() {
	if y == nil {
		return
	}
	wrote := false
	y.rc.Read(func(fd uintptr) bool {
		var v uint64
		if !wrote {
			wrote = true
			v = 1
			if _, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&v)), 8); e != 0 {
				return true // nothing to wait for
			}
			return false
		}
		syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&v)), 8)
		return true
	})
}

// close frees the eventfd.
func (y *netYield) close() {
	if y != nil {
		y.f.Close()
	}
}
