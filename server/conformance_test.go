package server

import (
	"context"
	"errors"
	"net"
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
	s, h, err := NewStatic(Config{Paths: PathsConfig{ServeDir: root}}, Options{})
	if err != nil {
		t.Fatalf("NewStatic: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown = %v; want nil", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve = %v; want ErrServerClosed", err)
		}
		h.Close()
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	run, err := conformance.RunCases(ctx, conformance.Config{Target: ln.Addr().String(), Parallel: 16}, cases)
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
