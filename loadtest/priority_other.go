//go:build !linux

package loadtest

// yieldCPU: the idle CPU priority the worker takes on Linux has no
// equivalent here that a measured request's wake-up preempts at once.
func yieldCPU() string {
	return "slow connections ran in a worker process at normal CPU priority (idle priority is Linux-only): " +
		"on a shared CPU they can delay the measured requests"
}
