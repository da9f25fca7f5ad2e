//go:build unix

package server

import "syscall"

// openFileLimit returns the soft RLIMIT_NOFILE. Its type differs by
// system (int64 on FreeBSD), hence the conversion.
func openFileLimit() (uint64, bool) {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil || rl.Cur == 0 {
		return 0, false
	}
	return uint64(rl.Cur), true
}
