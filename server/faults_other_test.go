//go:build !linux

package server

import (
	"runtime"
	"testing"
)

// TestFaultDescriptorExhaustion needs Linux (RLIMIT_NOFILE in a
// re-executed child); see faults_linux_test.go.
func TestFaultDescriptorExhaustion(t *testing.T) {
	t.Skipf("fault test needs Linux (RLIMIT_NOFILE in a re-executed child); GOOS=%s", runtime.GOOS)
}
