// Package fuzzfix builds a fuzz target's fixtures once per process under
// libFuzzer, for the packages whose targets also build as libFuzzer
// binaries (fuzz, server/static).
//
// go-118-fuzz-build (what OSS-Fuzz's and ClusterFuzzLite's
// compile_native_go_fuzzer runs; make fuzz-libfuzzer) calls a target
// FuzzX(f) again for every input, with a shim F that drops Cleanup calls
// and removes its TempDirs after each input. A fixture built from that F
// would cost a site tree and a handler per input and leak both; one built
// here lives as long as the process.
package fuzzfix

import (
	"fmt"
	"os"
	"sync"
)

var built sync.Map // key -> value built by Once

// Once returns build(Process{}) for key, built on the first call in this
// process and kept. Under go test a target builds its fixture from its own
// F instead: a caller calls Once only under libFuzzer.
func Once[V any](key string, build func(Process) V) V {
	if v, ok := built.Load(key); ok {
		return v.(V)
	}
	v := build(Process{})
	built.Store(key, v)
	return v
}

// Process is the test of per-process fixtures: every method of a
// testing.TB a fixture uses. A failure panics (the input that triggered
// the first build crashes with the message); cleanups never run and temp
// dirs are never removed (a libFuzzer process ends in C's exit, past any
// Go code), so each process leaves one small tree under $TMPDIR (make
// fuzz-libfuzzer points TMPDIR into its scratch directory).
type Process struct{}

func (Process) Helper()                         {}
func (Process) Name() string                    { return "libFuzzer fixture" }
func (Process) Logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
func (Process) Log(args ...any)                 { fmt.Fprintln(os.Stderr, args...) }
func (Process) Skipf(format string, args ...any) {
	panic("fixture skipped: " + fmt.Sprintf(format, args...))
}
func (Process) Skip(args ...any) { panic("fixture skipped: " + fmt.Sprint(args...)) }
func (Process) SkipNow()         { panic("fixture skipped") }
func (Process) Errorf(format string, args ...any) {
	panic("fixture: " + fmt.Sprintf(format, args...))
}
func (Process) Error(args ...any) { panic("fixture: " + fmt.Sprint(args...)) }
func (Process) Fatalf(format string, args ...any) {
	panic("fixture: " + fmt.Sprintf(format, args...))
}
func (Process) Fatal(args ...any) { panic("fixture: " + fmt.Sprint(args...)) }
func (Process) FailNow()          { panic("fixture failed") }
func (Process) Fail()             { panic("fixture failed") }
func (Process) Failed() bool      { return false }
func (Process) Cleanup(func())    {}
func (Process) TempDir() string {
	dir, err := os.MkdirTemp("", "ferrox-fuzz-")
	if err != nil {
		panic("fixture: " + err.Error())
	}
	return dir
}
