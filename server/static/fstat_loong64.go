//go:build linux && loong64

package static

import "syscall"

// sysFstat: loong64 has no fstat system call (the C library makes it from
// statx), so this is the ordinary, sysmon-waking syscall.Fstat.
func sysFstat(fd uintptr, st *syscall.Stat_t) syscall.Errno {
	if err := syscall.Fstat(int(fd), st); err != nil {
		if e, ok := err.(syscall.Errno); ok {
			return e
		}
		return syscall.EIO
	}
	return 0
}
