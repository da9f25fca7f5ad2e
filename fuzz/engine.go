package fuzz

import (
	"flag"
	"sync"
	"testing"

	"pgregory.net/rapid"

	"github.com/ferrox/ferrox/internal/fuzzfix"
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
// input, it is built once per process (fuzzfix.Once), so an input costs
// the property alone and leaks no file or descriptor.
func fixture[V any](tb TB, key string, build func(TB) V) V {
	if !libFuzzer {
		return build(tb)
	}
	return fuzzfix.Once("fuzz/"+key, func(p fuzzfix.Process) V { return build(p) })
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
