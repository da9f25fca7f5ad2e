//go:build unix

package main

import (
	"os"
	"syscall"
)

// The signals that reopen the logs (after rotation), reload the whole
// configuration, and shut down gracefully only, as nginx uses them.
// SIGQUIT caught this way no longer makes the Go runtime dump its
// goroutines.
var (
	reopenSignal   os.Signal = syscall.SIGUSR1
	reloadSignal   os.Signal = syscall.SIGHUP
	gracefulSignal os.Signal = syscall.SIGQUIT
)
