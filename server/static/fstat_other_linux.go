//go:build linux && !(amd64 || arm64 || riscv64 || ppc64 || ppc64le || s390x || 386 || arm || mips || mipsle)

package static

import "syscall"

// sysFstat is the ordinary, sysmon-waking syscall.Fstat where no raw call
// fills syscall.Stat_t as it is: loong64 has no fstat system call (the C
// library makes it from statx), and on mips64 the kernel's struct stat is
// not syscall.Stat_t (the syscall package converts it).
func sysFstat(fd uintptr, st *syscall.Stat_t) syscall.Errno {
	if err := syscall.Fstat(int(fd), st); err != nil {
		if e, ok := err.(syscall.Errno); ok {
			return e
		}
		return syscall.EIO
	}
	return 0
}
