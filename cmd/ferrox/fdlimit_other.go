//go:build !unix

package main

// raiseFDLimit: no per-process descriptor limit here; 0 means unknown.
func raiseFDLimit() uint64 { return 0 }
