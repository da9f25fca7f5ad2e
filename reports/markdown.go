package reports

import (
	"io"
	"slices"
	"strings"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
)

// ConformMarkdown renders a run as Markdown: the totals, a per-level and a
// per-section table of verdict counts, then every failure and error with its
// reason, expected outcomes and what was observed, then the warnings.
func ConformMarkdown(run *conformance.Run) Reporter { return conformMarkdown(run, nil) }

func conformMarkdown(run *conformance.Run, g *Gate) Reporter {
	return func(w0 io.Writer) error {
		w := newStickyWriter(w0)
		t := countRun(run)
		w.printf("# Conformance: %s\n\n", mdText(run.Target))
		if run.Origin != "" {
			w.printf("Chain run: client → front end `%s` → recording origin `%s`.\n\n", mdCode(run.Target), mdCode(run.Origin))
		}
		w.printf("- Started: %s\n- Duration: %s\n", formatTime(run.Started), humanDuration(run.Duration))
		for _, f := range runFacts(run) {
			if f.Key == "target" {
				continue
			}
			if f.Key == "options" || f.Key == "server" || f.Key == "corpus_revision" || f.Key == "grader" {
				if f.Value == "" {
					w.printf("- %s: –\n", f.Name)
				} else {
					w.printf("- %s: `%s`\n", f.Name, mdCode(f.Value))
				}
				continue
			}
			w.printf("- %s: %s\n", f.Name, mdText(orDash(f.Value)))
		}
		w.printf("- Cases: %d — pass %d, fail %d, warn %d, error %d\n\n", t.Total(), t.Pass, t.Fail, t.Warn, t.Error)
		if g != nil {
			writeMDGate(w, g)
		}

		w.str("## By level\n\n| Level | Cases | Pass | Fail | Warn | Error |\n|---|---:|---:|---:|---:|---:|\n")
		for _, lt := range levelTallies(run) {
			w.printf("| %s | %d | %d | %d | %d | %d |\n", mdCell(lt.Level), lt.T.Total(), lt.T.Pass, lt.T.Fail, lt.T.Warn, lt.T.Error)
		}

		groups := groupBySection(run)
		w.str("\n## By section\n\n| Section | Cases | Pass | Fail | Warn | Error |\n|---|---:|---:|---:|---:|---:|\n")
		for _, g := range groups {
			w.printf("| %s | %d | %d | %d | %d | %d |\n", mdCell(g.Section), g.Tally.Total(), g.Tally.Pass, g.Tally.Fail, g.Tally.Warn, g.Tally.Error)
		}

		for _, part := range []struct {
			title string
			v     conformance.Verdict
		}{{"Failures", conformance.Fail}, {"Errors", conformance.Error}, {"Warnings", conformance.Warn}} {
			var rs []*conformance.Result
			for _, g := range groups {
				for _, r := range g.Results {
					if r.Verdict == part.v || (part.v == conformance.Error && !knownVerdict(r.Verdict)) {
						rs = append(rs, r)
					}
				}
			}
			w.printf("\n## %s (%d)\n", part.title, len(rs))
			if len(rs) == 0 {
				w.str("\nNone.\n")
			}
			for _, r := range rs {
				writeMDCase(w, run, r)
			}
		}
		return w.close()
	}
}

func knownVerdict(v conformance.Verdict) bool {
	switch v {
	case conformance.Pass, conformance.Fail, conformance.Warn, conformance.Error:
		return true
	}
	return false
}

func writeMDCase(w *stickyWriter, run *conformance.Run, r *conformance.Result) {
	o := &r.Observed
	sec := mdText(r.Case.Section)
	if u := rfcURL(r.Case.Section); u != "" {
		sec = "[" + sec + "](" + u + ")"
	}
	w.printf("\n### `%s` — %s, %s\n\n", mdCode(r.Case.ID), sec, mdText(string(r.Case.Level)))
	w.printf("- Reason: %s\n", mdText(r.Reason))
	if r.Case.Requirement != "" {
		if u := requirementURL(r.Case.Requirement); u != "" {
			w.printf("- Requirement: [`%s`](%s)\n", mdCode(r.Case.Requirement), u)
		} else {
			w.printf("- Requirement: `%s`\n", mdCode(r.Case.Requirement))
		}
	}
	if r.Case.Checks != "" {
		w.printf("- Checks: %s\n", mdText(r.Case.Checks))
	}
	w.printf("- Expected: %s\n", mdText(strings.Join(formatOutcomes(r.Case.Expect), " | ")))
	w.printf("- Observed: status %s, end %s, %s\n", statusList(o), mdText(endOf(o)), humanDuration(o.Elapsed))
	if o.Note != "" {
		w.printf("- Note: %s\n", mdText(o.Note))
	}
	if o.Err != "" {
		w.printf("- Runner error: %s\n", mdText(o.Err))
	}
	if o.Unframed > 0 {
		w.printf("- Unframed: %d bytes belong to no complete response\n", o.Unframed)
	}
	if r.Chain != nil {
		w.printf("- Chain expects: %s; forwarded: %s\n", mdText(strings.Join(conformance.ChainExpect(&r.Case), " | ")), mdText(forwardedSummary(r)))
		for _, f := range chainFindingsText(r) {
			w.printf("  - %s\n", mdText(f))
		}
	}
	if r.Replays > 1 {
		w.printf("- Replays: %d connections", r.Replays)
		if o.Split > 0 {
			w.printf("; the observation above is the replay split at offset %d", o.Split)
		}
		w.str("\n")
	}
	w.printf("- Reproduce: `%s`\n", mdCode(reproCommand(run, r)))
}

type levelTally struct {
	Level string
	T     tally
}

// levelTallies counts verdicts per level, known levels first in a fixed
// order, then any other level sorted.
func levelTallies(run *conformance.Run) []levelTally {
	var out []levelTally
	find := func(l string) *levelTally {
		for i := range out {
			if out[i].Level == l {
				return &out[i]
			}
		}
		out = append(out, levelTally{Level: l})
		return &out[len(out)-1]
	}
	for _, l := range levelOrder {
		find(string(l))
	}
	for i := range run.Results {
		find(string(run.Results[i].Case.Level)).T.add(run.Results[i].Verdict)
	}
	known := len(levelOrder)
	slices.SortFunc(out[known:], func(a, b levelTally) int { return strings.Compare(a.Level, b.Level) })
	return slices.DeleteFunc(out, func(l levelTally) bool { return l.T.Total() == 0 })
}

// Coverage renders the requirement list as Markdown: every requirement with
// its level and the cases that test it (with their verdicts), then the
// requirements no case tests, then cases naming an unknown requirement.
func Coverage(run *conformance.Run, reqs []corpus.Requirement) Reporter {
	return func(w0 io.Writer) error {
		w := newStickyWriter(w0)
		byReq := map[string][]*conformance.Result{}
		for i := range run.Results {
			r := &run.Results[i]
			byReq[r.Case.Requirement] = append(byReq[r.Case.Requirement], r)
		}
		sorted := slices.Clone(reqs)
		slices.SortStableFunc(sorted, func(a, b corpus.Requirement) int {
			if c := naturalCompare(a.Section, b.Section); c != 0 {
				return c
			}
			return strings.Compare(a.ID, b.ID)
		})
		known := map[string]bool{}
		var untested []corpus.Requirement
		for _, q := range sorted {
			known[q.ID] = true
			if len(byReq[q.ID]) == 0 {
				untested = append(untested, q)
			}
		}
		w.printf("# Requirement coverage: %s\n\n", mdText(run.Target))
		w.printf("- Requirements: %d, tested: %d, untested: %d\n", len(sorted), len(sorted)-len(untested), len(untested))
		w.str("\n| Level | Requirements | Tested | Untested |\n|---|---:|---:|---:|\n")
		for _, lv := range reqLevels(sorted) {
			n, u := 0, 0
			for _, q := range sorted {
				if q.Level == lv {
					n++
					if len(byReq[q.ID]) == 0 {
						u++
					}
				}
			}
			w.printf("| %s | %d | %d | %d |\n", mdCell(lv), n, n-u, u)
		}

		w.str("\n## Requirements\n\n| Requirement | Section | Level | Text | Cases |\n|---|---|---|---|---|\n")
		for _, q := range sorted {
			var cs []string
			for _, r := range byReq[q.ID] {
				cs = append(cs, "`"+mdCode(r.Case.ID)+"` "+verdictSymbol(r.Verdict)+" "+string(r.Verdict))
			}
			cell := "**untested**"
			if len(cs) > 0 {
				cell = strings.Join(cs, "<br>")
			}
			w.printf("| `%s` | %s | %s | %s | %s |\n", mdCode(q.ID), mdCell(q.Section), mdCell(q.Level), mdCell(q.Text), cell)
		}

		w.printf("\n## Untested requirements (%d)\n\n", len(untested))
		if len(untested) == 0 {
			w.str("None.\n")
		}
		for _, q := range untested {
			w.printf("- `%s` (%s, %s): %s\n", mdCode(q.ID), mdText(q.Section), mdText(q.Level), mdText(q.Text))
		}

		var orphans []*conformance.Result
		for i := range run.Results {
			if r := &run.Results[i]; !known[r.Case.Requirement] {
				orphans = append(orphans, r)
			}
		}
		if len(orphans) > 0 {
			w.printf("\n## Cases naming no known requirement (%d)\n\n", len(orphans))
			for _, r := range orphans {
				req := r.Case.Requirement
				if req == "" {
					req = "(none)"
				}
				w.printf("- `%s` (%s): requirement `%s`\n", mdCode(r.Case.ID), mdText(r.Case.Section), mdCode(req))
			}
		}
		return w.close()
	}
}

// reqLevels lists the levels present, known levels first.
func reqLevels(reqs []corpus.Requirement) []string {
	var out []string
	for _, l := range levelOrder {
		out = append(out, string(l))
	}
	for _, q := range reqs {
		if !slices.Contains(out, q.Level) {
			out = append(out, q.Level)
		}
	}
	slices.Sort(out[len(levelOrder):])
	return slices.DeleteFunc(out, func(l string) bool {
		return !slices.ContainsFunc(reqs, func(q corpus.Requirement) bool { return q.Level == l })
	})
}

// mdText makes free text safe in Markdown prose: one line, no HTML.
var mdTextReplacer = strings.NewReplacer("\r", " ", "\n", " ", "<", "&lt;", ">", "&gt;", "&", "&amp;", "`", "'")

func mdText(s string) string { return mdTextReplacer.Replace(s) }

// mdCell is mdText for a table cell: pipes are escaped too.
func mdCell(s string) string { return strings.ReplaceAll(mdText(s), "|", `\|`) }

// mdCode makes s safe inside a `code span` in a table: no backticks,
// no line breaks, pipes escaped.
var mdCodeReplacer = strings.NewReplacer("`", "'", "\r", " ", "\n", " ", "|", `\|`)

func mdCode(s string) string { return mdCodeReplacer.Replace(s) }
