//go:build unix

package main

import (
	"os"
	"syscall"
)

// The signals that reopen the logs (after rotation) and reload the TLS
// certificate, as nginx uses them.
var (
	reopenSignal os.Signal = syscall.SIGUSR1
	reloadSignal os.Signal = syscall.SIGHUP
)
