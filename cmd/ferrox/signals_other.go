//go:build !unix

package main

import "os"

// No reopen, reload or graceful-only signals here (Windows has no
// SIGUSR1, SIGHUP or SIGQUIT): restart the server to rotate logs or load
// a new configuration; Ctrl-C (os.Interrupt) shuts down gracefully, a
// second one at once.
var reopenSignal, reloadSignal, gracefulSignal os.Signal
