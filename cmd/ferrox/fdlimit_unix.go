//go:build unix

package main

import "syscall"

// raiseFDLimit raises the soft RLIMIT_NOFILE to the hard limit (slow
// scenarios hold one descriptor per connection) and returns the soft limit
// in force, 0 when unknown. The limit's type differs by system (int64 on
// FreeBSD), hence the conversion.
func raiseFDLimit() uint64 {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	if rl.Cur < rl.Max {
		want := rl
		want.Cur = rl.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want) == nil {
			rl = want
		}
	}
	return uint64(rl.Cur)
}
