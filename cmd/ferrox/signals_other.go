//go:build !unix

package main

import "os"

// No reopen or reload signals here (Windows has neither SIGUSR1 nor
// SIGHUP): restart the server to rotate logs or load a new certificate.
var reopenSignal, reloadSignal os.Signal
