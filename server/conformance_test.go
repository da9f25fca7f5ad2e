package server

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
)

// TestConformanceMust grades Ferrox with the whole corpus over loopback,
// the same black-box way `ferrox conform` grades any server: every MUST
// and safety case must pass, split replays included. SHOULD and MAY cases
// run too and are reported, not failed.
func TestConformanceMust(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the corpus replay takes ~15 s")
	}
	cases, err := corpus.All()
	if err != nil {
		t.Fatalf("corpus.All: %v", err)
	}
	root := filepath.Join(t.TempDir(), "root")
	if err := corpus.WriteFixture(root); err != nil {
		t.Fatalf("WriteFixture: %v", err)
	}
	env := serveEnv(t, testSettings(), root, Options{})

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	run, err := conformance.RunCases(ctx, conformance.Config{Target: env.addr, Parallel: 16}, cases)
	if err != nil {
		t.Fatalf("RunCases: %v", err)
	}
	counts := map[conformance.Verdict]int{}
	for _, r := range run.Results {
		counts[r.Verdict]++
		strict := r.Case.Level == corpus.MUST || r.Case.Level == corpus.Safety
		switch {
		case r.Verdict == conformance.Error:
			t.Errorf("%s (%s %s): runner error: %s", r.Case.ID, r.Case.Level, r.Case.Section, r.Reason)
		case r.Verdict == conformance.Fail && strict:
			t.Errorf("%s (%s %s): %s", r.Case.ID, r.Case.Level, r.Case.Section, r.Reason)
		case r.Verdict != conformance.Pass:
			t.Logf("%s %s (%s): %s", r.Verdict, r.Case.ID, r.Case.Level, r.Reason)
		}
	}
	t.Logf("%d cases: %d pass, %d fail, %d warn, %d error", len(run.Results),
		counts[conformance.Pass], counts[conformance.Fail], counts[conformance.Warn], counts[conformance.Error])
}
