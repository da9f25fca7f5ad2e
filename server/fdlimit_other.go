//go:build !unix

package server

// openFileLimit: no per-process descriptor limit to read here (Windows
// handles are bounded by memory).
func openFileLimit() (uint64, bool) { return 0, false }
