//go:build linux && (386 || arm || mips || mipsle)

package static

import (
	"syscall"
	"unsafe"
)

// sysFstat is fstat64(2) as a raw system call (see fstat): on these 32-bit
// systems syscall.Stat_t is the kernel's struct stat64, which fstat64
// fills and syscall.Fstat calls; fstat(2) fills the older struct stat,
// another layout (every file then looked like no regular file: 404).
func sysFstat(fd uintptr, st *syscall.Stat_t) syscall.Errno {
	_, _, e := syscall.RawSyscall(syscall.SYS_FSTAT64, fd, uintptr(unsafe.Pointer(st)), 0)
	return e
}
