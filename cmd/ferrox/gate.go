package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
	"github.com/ferrox/ferrox/reports"
)

// The CI gate of `ferrox conform`: --expect-failures and --baseline name
// the failures a run is known to have, and the exit status then reports
// only regressions.

// parseExpectFailures reads an expected-failures file: one case id or
// path.Match glob per line, `#` starts a comment (at the line start or
// after a space), blank lines are skipped. Every pattern must match a case
// of all (the whole corpus, not the selection, so a list survives
// --cases). Errors are "FILE:LINE:COL: ...", one per bad line, all of them.
func parseExpectFailures(name string, r io.Reader, all []corpus.Case) ([]string, error) {
	var globs []string
	var errs []string
	sc := bufio.NewScanner(r)
	for ln := 1; sc.Scan(); ln++ {
		line := sc.Text()
		if i := commentStart(line); i >= 0 {
			line = line[:i]
		}
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		col := strings.Index(line, fields[0]) + 1
		bad := func(c int, format string, args ...any) {
			errs = append(errs, fmt.Sprintf("%s:%d:%d: %s", name, ln, c, fmt.Sprintf(format, args...)))
		}
		if len(fields) > 1 {
			bad(strings.Index(line[col-1+len(fields[0]):], fields[1])+col+len(fields[0]), "%q: one case id or glob per line (a comment starts with #)", fields[1])
			continue
		}
		g := fields[0]
		if _, err := path.Match(g, ""); err != nil {
			bad(col, "%q: %v", g, err)
			continue
		}
		if !slices.ContainsFunc(all, func(c corpus.Case) bool { ok, _ := path.Match(g, c.ID); return ok }) {
			bad(col, "%q matches no case in the corpus (see ferrox conform --list)", g)
			continue
		}
		globs = append(globs, g)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return globs, nil
}

// commentStart is the index of the # that starts a comment on line, or -1:
// at the start of the line or after a space or tab.
func commentStart(line string) int {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return i
		}
	}
	return -1
}

// loadKnownFailures gathers the ids known to fail from --expect-failures
// (globs matched over all) and --baseline (the failing cases of an earlier
// conformance.json). against names the sources; nil known when neither
// flag is set.
func loadKnownFailures(o *conformOptions, all []corpus.Case) (known map[string]bool, against string, err error) {
	if o.expectFailures == "" && o.baseline == "" {
		return nil, "", nil
	}
	known = map[string]bool{}
	var srcs []string
	if o.expectFailures != "" {
		f, err := os.Open(o.expectFailures)
		if err != nil {
			return nil, "", fmt.Errorf("--expect-failures: %w", err)
		}
		defer f.Close()
		globs, err := parseExpectFailures(o.expectFailures, f, all)
		if err != nil {
			return nil, "", err
		}
		for _, c := range all {
			if matchAny(globs, c.ID) {
				known[c.ID] = true
			}
		}
		srcs = append(srcs, "expected failures "+o.expectFailures)
	}
	if o.baseline != "" {
		f, err := os.Open(o.baseline)
		if err != nil {
			return nil, "", fmt.Errorf("--baseline: %w", err)
		}
		defer f.Close()
		base, err := reports.ReadConformJSON(f)
		if err != nil {
			return nil, "", fmt.Errorf("--baseline %s: %w", o.baseline, err)
		}
		for i := range base.Results {
			if r := &base.Results[i]; r.Verdict == conformance.Fail || r.Verdict == conformance.Error {
				known[r.Case.ID] = true
			}
		}
		srcs = append(srcs, "baseline "+o.baseline)
	}
	return known, strings.Join(srcs, ", "), nil
}

// matchAny reports whether id matches one of globs.
func matchAny(globs []string, id string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, id); ok {
			return true
		}
	}
	return false
}

// writeExpectFailures writes the failing cases of run as an
// expected-failures file (--write-expect-failures), one id per line with
// its section and reason as a comment.
func writeExpectFailures(p string, run *conformance.Run) error {
	return writeFileAtomic(p, func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, "# expected failures of %s (ferrox conform --expect-failures)\n", run.Target)
		for i := range run.Results {
			if r := &run.Results[i]; reports.Failing(r) {
				fmt.Fprintf(bw, "%s  # %s: %s\n", r.Case.ID, r.Case.Section, oneLine(r.Reason))
			}
		}
		return bw.Flush()
	})
}

// oneLine keeps a reason on one line.
func oneLine(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }
