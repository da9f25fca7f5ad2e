package reports

import (
	"strings"
	"testing"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
)

func TestCompareGate(t *testing.T) {
	res := func(id string, l corpus.Level, v conformance.Verdict) conformance.Result {
		return conformance.Result{Case: corpus.Case{ID: id, Level: l, Section: "RFC9112 6.1"}, Verdict: v, Reason: "why " + id}
	}
	run := &conformance.Run{Target: "t", Results: []conformance.Result{
		res("must-new", corpus.MUST, conformance.Fail),
		res("safety-known", corpus.Safety, conformance.Fail),
		res("must-fixed", corpus.MUST, conformance.Pass),
		res("should-warn", corpus.SHOULD, conformance.Warn),
		res("known-error", corpus.MUST, conformance.Error),
		res("pass", corpus.MUST, conformance.Pass),
		// A policy case is never failing, even if a caller judged it fail.
		res("policy-fail", corpus.Policy, conformance.Fail),
	}}
	known := map[string]bool{"safety-known": true, "must-fixed": true, "known-error": true, "not-in-run": true}
	g := CompareGate(run, known, "expected failures x")
	ids := func(rs []*conformance.Result) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.Case.ID)
		}
		return strings.Join(s, ",")
	}
	for _, c := range []struct{ name, got, want string }{
		{"newly failing", ids(g.NewlyFailing), "must-new"},
		{"fixed", ids(g.Fixed), "must-fixed"},
		{"still failing", ids(g.StillFailing), "safety-known"},
	} {
		if c.got != c.want {
			t.Errorf("CompareGate %s = %q; want %q", c.name, c.got, c.want)
		}
	}
	if g.Known != 3 || !g.Regressed() {
		t.Errorf("CompareGate Known = %d, Regressed = %t; want 3, true", g.Known, g.Regressed())
	}
	var b strings.Builder
	if err := ConformMarkdownGate(run, g)(&b); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"- Compared with: expected failures x", "### Newly failing (1)\n\n- `must-new` (RFC9112 6.1, MUST): why must-new", "### Fixed (known to fail, now pass) (1)\n\n- `must-fixed`"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("ConformMarkdownGate lacks %q:\n%s", w, b.String())
		}
	}
}
