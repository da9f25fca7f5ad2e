package fuzz

import (
	"fmt"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/ferrox/ferrox/internal/fuzzfix"
)

// recordTB is a TB that is not a *testing.T (as go-118-fuzz-build's shim
// T is not): it records failures instead of stopping.
type recordTB struct {
	fuzzfix.Process
	fatal []string
}

func (r *recordTB) Fatalf(format string, args ...any) {
	r.fatal = append(r.fatal, fmt.Sprintf(format, args...))
}

// TestFuzzRapidOtherTB: on a TB other than *testing.T (the libFuzzer
// path), fuzzRapid passes inputs the property holds for, leaves inputs
// rapid cannot use alone, and reports a failing input through the TB.
func TestFuzzRapidOtherTB(t *testing.T) {
	holds := func(t *rapid.T) { rapid.IntRange(0, 1000).Draw(t, "n") }
	fails := func(t *rapid.T) { t.Fatalf("never holds") }
	cases := []struct {
		name     string
		prop     func(*rapid.T)
		in       []byte
		wantFail bool
	}{
		{"holds", holds, []byte{1, 0, 0, 0, 0, 0, 0, 0}, false},
		{"holds on empty input", holds, nil, false},
		{"fails", fails, []byte{77, 0, 0, 0, 0, 0, 0, 0}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tb recordTB
			fuzzRapid(&tb, c.prop, c.in)
			failed := len(tb.fatal) > 0
			if failed != c.wantFail {
				t.Fatalf("fuzzRapid(%v) failures %q; want failure %v", c.in, tb.fatal, c.wantFail)
			}
			if failed && !strings.Contains(tb.fatal[0], "rapid property failed") {
				t.Fatalf("fuzzRapid(%v) failure %q; want it to name the rapid property", c.in, tb.fatal[0])
			}
		})
	}
}

// TestFixtureGoTest: under go test, fixture builds with the test's own TB
// every time (no sharing between targets or tests).
func TestFixtureGoTest(t *testing.T) {
	if libFuzzer {
		t.Skip("built with the libfuzzer tag")
	}
	n := 0
	build := func(tb TB) int { n++; return n }
	if a, b := fixture(t, "k", build), fixture(t, "k", build); a != 1 || b != 2 {
		t.Fatalf("fixture twice = %d, %d; want 1, 2 (built each time)", a, b)
	}
}
