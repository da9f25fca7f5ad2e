//go:build linux && !loong64

package static

import (
	"syscall"
	"unsafe"
)

// sysFstat is fstat(2) as a raw system call (see fstat).
func sysFstat(fd uintptr, st *syscall.Stat_t) syscall.Errno {
	_, _, e := syscall.RawSyscall(syscall.SYS_FSTAT, fd, uintptr(unsafe.Pointer(st)), 0)
	return e
}
