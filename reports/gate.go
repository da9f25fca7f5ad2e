package reports

import (
	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
)

// Gate compares a run with the failures it was known to have (an
// expected-failures list, a baseline report), so CI fails only on a
// regression. Results point into the run.
type Gate struct {
	Against      string                // what the run was compared with, one line (file names)
	Known        int                   // cases of this run known to fail
	NewlyFailing []*conformance.Result // failing (Failing) and not known to fail: regressions
	Fixed        []*conformance.Result // known to fail but passed
	StillFailing []*conformance.Result // failing and known to fail
}

// Failing reports whether a result fails the run: a MUST or safety case
// (any level but SHOULD, MAY and policy) judged fail.
func Failing(r *conformance.Result) bool {
	l := r.Case.Level
	return r.Verdict == conformance.Fail && l != corpus.SHOULD && l != corpus.MAY && l != corpus.Policy
}

// CompareGate builds the Gate of run against known, the ids of the cases
// known to fail.
func CompareGate(run *conformance.Run, known map[string]bool, against string) *Gate {
	g := &Gate{Against: against}
	for i := range run.Results {
		r := &run.Results[i]
		k := known[r.Case.ID]
		if k {
			g.Known++
		}
		switch {
		case Failing(r) && k:
			g.StillFailing = append(g.StillFailing, r)
		case Failing(r):
			g.NewlyFailing = append(g.NewlyFailing, r)
		case k && r.Verdict == conformance.Pass:
			g.Fixed = append(g.Fixed, r)
		}
	}
	return g
}

// Regressed reports whether a case newly fails.
func (g *Gate) Regressed() bool { return len(g.NewlyFailing) > 0 }

// writeMDGate writes the gate section of the Markdown report.
func writeMDGate(w *stickyWriter, g *Gate) {
	w.printf("## Against known failures\n\n- Compared with: %s\n", mdText(g.Against))
	w.printf("- Known to fail: %d of this run's cases; still failing: %d\n", g.Known, len(g.StillFailing))
	verdict := "no regression"
	if g.Regressed() {
		verdict = "**regressed**"
	}
	w.printf("- Result: %s\n", verdict)
	for _, part := range []struct {
		title string
		rs    []*conformance.Result
	}{{"Newly failing", g.NewlyFailing}, {"Fixed (known to fail, now pass)", g.Fixed}} {
		w.printf("\n### %s (%d)\n\n", part.title, len(part.rs))
		if len(part.rs) == 0 {
			w.str("None.\n")
		}
		for _, r := range part.rs {
			w.printf("- `%s` (%s, %s): %s\n", mdCode(r.Case.ID), mdText(r.Case.Section), mdText(string(r.Case.Level)), mdText(r.Reason))
		}
	}
	w.str("\n")
}

// ConformMarkdownGate is ConformMarkdown with the comparison against
// known failures after the totals (g nil: none).
func ConformMarkdownGate(run *conformance.Run, g *Gate) Reporter {
	return conformMarkdown(run, g)
}
