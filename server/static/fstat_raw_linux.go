//go:build linux && (amd64 || arm64 || riscv64 || ppc64 || ppc64le || s390x)

package static

import (
	"syscall"
	"unsafe"
)

// sysFstat is fstat(2) as a raw system call (see fstat). On these systems
// the kernel's struct stat is syscall.Stat_t, and syscall.Fstat is this
// same system call.
func sysFstat(fd uintptr, st *syscall.Stat_t) syscall.Errno {
	_, _, e := syscall.RawSyscall(syscall.SYS_FSTAT, fd, uintptr(unsafe.Pointer(st)), 0)
	return e
}
