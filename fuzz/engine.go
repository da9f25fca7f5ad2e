package fuzz

import (
	"flag"
	"fmt"
	"os"
	"sync"
	"testing"

	"pgregory.net/rapid"
)

// The fuzz targets (targets_test.go) run under two engines:
//
//   - `go test -fuzz`, where f is a *testing.F and each input gets a
//     *testing.T;
//   - libFuzzer, through github.com/AdamKorcz/go-118-fuzz-build (what
//     OSS-Fuzz's and ClusterFuzzLite's compile_native_go_fuzzer runs).
//     That tool compiles the package's non-test files plus the one file
//     holding the target, with "testing" in that file replaced by its
//     shim package, and calls FuzzX(f) once per input with the shim's F
//     and T.
//
// So everything a target calls lives in non-test files of this package
// and takes the interfaces below, which the testing types and the shim's
// types both satisfy; targets_test.go holds only the targets. The build
// tag "libfuzzer" (set by go-118-fuzz-build) turns on the per-process
// fixtures and skips the in-code seeds (the libFuzzer seed corpus is
// built from the same sources by scripts/fuzzseeds).

// TB is what the properties and fixtures use of a test: rapid.TB plus
// TempDir and Cleanup.
type TB interface {
	rapid.TB
	TempDir() string
	Cleanup(func())
}

// seeder is a fuzz target's F: TB plus Add.
type seeder interface {
	TB
	Add(args ...any)
}

var fixtures sync.Map // key -> value built by fixture

// testingInit registers the testing flags and marks the flags parsed,
// once: a bare testing.T logs through those flags, and rapid's state
// machines call testing.Short, which panics before flag.Parse. Parsing
// an empty list leaves the libFuzzer binary's own arguments alone. In a
// test binary both are done already and this changes nothing.
var testingInit = sync.OnceFunc(func() {
	testing.Init()
	if !flag.Parsed() {
		_ = flag.CommandLine.Parse(nil)
	}
})

// fixture returns build's result. Under go test it is build(tb), once per
// target as before. Under libFuzzer, where FuzzX runs again for every
// input, it is built once per process with a TB that lives as long as
// the process (the shim's F drops Cleanup calls and its T runs them at
// once, and the shim removes TempDirs after every input), so an input
// costs the property alone and leaks no file or descriptor.
func fixture[V any](tb TB, key string, build func(TB) V) V {
	if !libFuzzer {
		return build(tb)
	}
	if v, ok := fixtures.Load(key); ok {
		return v.(V)
	}
	v := build(processTB{})
	fixtures.Store(key, v)
	return v
}

// processTB is the TB of per-process fixtures under libFuzzer: a failure
// panics (the input that triggered the first run crashes with the
// message); cleanups never run and temp dirs are never removed (a
// libFuzzer process ends in C's exit, past any Go code), so each process
// leaves one small site tree under $TMPDIR (make fuzz-libfuzzer points
// TMPDIR into its scratch directory).
type processTB struct{}

func (processTB) Helper()                         {}
func (processTB) Name() string                    { return "libFuzzer fixture" }
func (processTB) Logf(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
func (processTB) Log(args ...any)                 { fmt.Fprintln(os.Stderr, args...) }
func (processTB) Skipf(format string, args ...any) {
	panic("fixture skipped: " + fmt.Sprintf(format, args...))
}
func (processTB) Skip(args ...any) { panic("fixture skipped: " + fmt.Sprint(args...)) }
func (processTB) SkipNow()         { panic("fixture skipped") }
func (processTB) Errorf(format string, args ...any) {
	panic("fixture: " + fmt.Sprintf(format, args...))
}
func (processTB) Error(args ...any) { panic("fixture: " + fmt.Sprint(args...)) }
func (processTB) Fatalf(format string, args ...any) {
	panic("fixture: " + fmt.Sprintf(format, args...))
}
func (processTB) Fatal(args ...any) { panic("fixture: " + fmt.Sprint(args...)) }
func (processTB) FailNow()          { panic("fixture failed") }
func (processTB) Fail()             { panic("fixture failed") }
func (processTB) Failed() bool      { return false }
func (processTB) Cleanup(func())    {}
func (processTB) TempDir() string {
	dir, err := os.MkdirTemp("", "ferrox-fuzz-")
	if err != nil {
		panic("fixture: " + err.Error())
	}
	return dir
}

// fuzzRapid runs the rapid property prop on a fuzz input, as
// rapid.MakeFuzz does. rapid.MakeFuzz needs a *testing.T, which the
// libFuzzer shim does not have: there it runs with a bare testing.T on
// its own goroutine (rapid's SkipNow for an input it cannot use ends that
// goroutine) and a failure is reported through tb, so the input crashes.
// A bare T drops rapid's own report: replay the crash input under go test
// (scripts/fuzzseeds -decode) for it.
func fuzzRapid(tb TB, prop func(*rapid.T), in []byte) {
	tb.Helper()
	if t, ok := tb.(*testing.T); ok {
		rapid.MakeFuzz(prop)(t, in)
		return
	}
	testingInit()
	var t testing.T
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		rapid.MakeFuzz(prop)(&t, in)
	}()
	// A failure marks the bare T failed and ends the goroutine; a panic
	// that escapes rapid is a failure too.
	if r := <-done; r != nil || t.Failed() {
		tb.Fatalf("rapid property failed on this input (%v); replay it with go test for rapid's report", r)
	}
}
