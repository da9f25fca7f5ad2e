package conformance

import (
	"context"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/ferrox/ferrox/corpus"
)

// lenientMustFail are corpus cases (smuggling and framing) that the lenient
// fake server must fail and the strict fake must pass: if the runner stops
// catching one of them, the suite has lost its teeth.
var lenientMustFail = []string{
	// CL.TE / TE.CL and obfuscated Transfer-Encoding.
	"smuggle-clte-chunked-identity", "smuggle-clte-chunkedx", "smuggle-clte-comma-prefix",
	"smuggle-clte-lowercase-name", "smuggle-clte-obs-fold", "smuggle-clte-obs-fold-tab",
	"smuggle-clte-quoted", "smuggle-clte-tab-value", "smuggle-clte-trailing-space",
	"smuggle-clte-uppercase-value", "smuggle-clte-xchunked", "smuggle-tecl-chunked-chunked",
	"smuggle-tecl-chunkedx", "smuggle-tecl-comma-prefix", "smuggle-http10-te-hides-request",
	// Content-Length gadgets.
	"smuggle-cl-comma-prefix", "smuggle-cl-decimal", "smuggle-cl-empty", "smuggle-cl-hex",
	"smuggle-cl-list-zero-first", "smuggle-cl-minus", "smuggle-cl-plus",
	"smuggle-cl-space-before-colon", "smuggle-cl-te-obs-fold-value", "smuggle-cl-trailing-garbage",
	"smuggle-chunk-ext-lf-hides-request", "smuggle-chunk-size-wrap-hides-request",
	"cl-differing-list", "cl-duplicate-lines-differing", "cl-plus", "cl-hex", "cl-empty",
	"te-cl-and-te", "te-unknown-coding", "te-chunked-then-gzip", "te-http10-te",
	// Chunked framing.
	"chunk-size-0x", "chunk-size-plus", "chunk-size-minus", "chunk-size-overflow",
	"chunk-size-underscore", "chunk-data-bare-lf", "chunk-data-missing-crlf", "chunk-ext-bare-lf",
}

func corpusByID(t *testing.T, ids []string) []corpus.Case {
	t.Helper()
	all, err := corpus.All()
	if err != nil {
		t.Fatalf("corpus.All: %v", err)
	}
	byID := map[string]corpus.Case{}
	for _, c := range all {
		byID[c.ID] = c
	}
	var out []corpus.Case
	for _, id := range ids {
		c, ok := byID[id]
		if !ok {
			t.Errorf("pinned case %q is not in the corpus (renamed?)", id)
			continue
		}
		out = append(out, c)
	}
	return out
}

func TestCorpusLenientFailsStrictPasses(t *testing.T) {
	cases := corpusByID(t, lenientMustFail)
	for _, tc := range []struct {
		name string
		h    func(net.Conn)
		want Verdict
	}{
		{"lenient", lenientServer, Fail},
		{"strict", strictServer, Pass},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(serve(t, tc.h))
			cfg.Timeout, cfg.Parallel, cfg.NoSplits = 300*time.Millisecond, 16, true
			run, err := RunCases(context.Background(), cfg, cases)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range run.Results {
				if r.Verdict != tc.want {
					t.Errorf("%s server: %s = %s (%s); want %s", tc.name, r.Case.ID, r.Verdict, r.Reason, tc.want)
				}
			}
		})
	}
}

// Every check a case file may name is implemented by the runner.
func TestKnownChecksImplemented(t *testing.T) {
	impl := CheckNames()
	for _, k := range corpus.KnownChecks {
		if !slices.Contains(impl, k) {
			t.Errorf("corpus check %q has no implementation in the runner", k)
		}
	}
}
