package main

import (
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/reports"
)

// The console output of `ferrox conform`: the cases that did not pass, one
// a line (or, with -v, a tree by section like h2spec's), and a one-line
// summary printed last.

// verdictOrder is the order non-passing cases are listed in.
var verdictOrder = []conformance.Verdict{conformance.Fail, conformance.Error, conformance.Warn}

// printResults lists the cases that did not pass, failures first, one a
// line: verdict, id, section, level, reason.
func printResults(w io.Writer, run *conformance.Run) {
	for _, v := range verdictOrder {
		for i := range run.Results {
			if r := &run.Results[i]; r.Verdict == v {
				fmt.Fprintf(w, "%-5s %-44s %-16s %-6s %s\n", v, r.Case.ID, r.Case.Section, r.Case.Level, oneLine(r.Reason))
			}
		}
	}
}

// printTree prints every section in natural order with its counts, then one
// line per case that did not pass; passing cases are only counted.
func printTree(w io.Writer, run *conformance.Run) {
	bySection := map[string][]*conformance.Result{}
	var sections []string
	for i := range run.Results {
		r := &run.Results[i]
		if _, ok := bySection[r.Case.Section]; !ok {
			sections = append(sections, r.Case.Section)
		}
		bySection[r.Case.Section] = append(bySection[r.Case.Section], r)
	}
	slices.SortStableFunc(sections, reports.CompareSections)
	for _, s := range sections {
		rs := bySection[s]
		n := map[conformance.Verdict]int{}
		for _, r := range rs {
			n[r.Verdict]++
		}
		mark := "✔"
		if n[conformance.Fail] > 0 || n[conformance.Error] > 0 {
			mark = "✘"
		} else if n[conformance.Warn] > 0 {
			mark = "!"
		}
		noun := "cases"
		if len(rs) == 1 {
			noun = "case"
		}
		fmt.Fprintf(w, "%s %s: %d %s, %d pass", mark, s, len(rs), noun, n[conformance.Pass])
		for _, v := range verdictOrder {
			if n[v] > 0 {
				fmt.Fprintf(w, ", %d %s", n[v], v)
			}
		}
		fmt.Fprintln(w)
		for _, r := range rs {
			if r.Verdict != conformance.Pass {
				fmt.Fprintf(w, "    %-5s %-44s %-6s %s\n", r.Verdict, r.Case.ID, r.Case.Level, oneLine(r.Reason))
			}
		}
	}
}

// summaryLine is the last line of a run: the counts, how many MUST/safety
// cases failed and, with a gate, the regressions.
func summaryLine(run *conformance.Run, gate *reports.Gate) string {
	n := map[conformance.Verdict]int{}
	failing := 0
	for i := range run.Results {
		n[run.Results[i].Verdict]++
		if reports.Failing(&run.Results[i]) {
			failing++
		}
	}
	s := fmt.Sprintf("conformance of %s: %d cases: %d pass, %d fail, %d warn, %d error; %d MUST/safety failing",
		run.Target, len(run.Results), n[conformance.Pass], n[conformance.Fail], n[conformance.Warn], n[conformance.Error], failing)
	if gate != nil {
		s += fmt.Sprintf("; %d newly failing, %d fixed", len(gate.NewlyFailing), len(gate.Fixed))
	}
	return s
}

// provenanceLine says what graded what, with what: the grader, the corpus
// revision, the target's Server header, the fixture prefix and the options.
func provenanceLine(run *conformance.Run) string {
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	server := "none sent"
	if run.Server != "" {
		server = strconv.Quote(run.Server)
	}
	prefix, used := reports.FixtureWhere(run)
	fixture := "fixture at " + prefix
	if !used {
		fixture = "no fixture (message cases at " + prefix + ")"
	}
	return fmt.Sprintf("graded by %s, corpus %s; server %s; %s; options: %s",
		dash(run.Grader), dash(run.CorpusRev), server, fixture, dash(run.Options))
}
