// Package reports renders finished conformance runs (and load-test results)
// for people and machines: Markdown, a self-contained HTML page, a JSON
// document with the raw bytes, JUnit XML, a requirement coverage list and a
// side-by-side matrix of several servers, and of several front ends' chain
// runs (ChainMatrix).
//
// Every renderer is a Reporter: a function over results that are already
// complete, which writes one document and returns the first write error.
// Output is deterministic: no map iteration order, fixed time formats.
package reports

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
)

// Reporter writes one finished report to w and returns the first error met,
// including any write error.
type Reporter func(io.Writer) error

// stickyWriter remembers the first write error and turns every later write
// into a no-op, so renderers can write freely and check once at the end.
// It buffers, so Close must be called to flush.
type stickyWriter struct {
	bw  *bufio.Writer
	err error
}

func newStickyWriter(w io.Writer) *stickyWriter {
	return &stickyWriter{bw: bufio.NewWriterSize(w, 32<<10)}
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.bw.Write(p)
	if err != nil {
		s.err = err
	}
	return n, err
}

func (s *stickyWriter) str(v string) {
	if s.err != nil {
		return
	}
	if _, err := s.bw.WriteString(v); err != nil {
		s.err = err
	}
}

func (s *stickyWriter) printf(format string, args ...any) {
	if s.err != nil {
		return
	}
	if _, err := fmt.Fprintf(s.bw, format, args...); err != nil {
		s.err = err
	}
}

// close flushes the buffer and returns the first error seen.
func (s *stickyWriter) close() error {
	if s.err != nil {
		return s.err
	}
	if err := s.bw.Flush(); err != nil {
		s.err = err
	}
	return s.err
}

// tally counts verdicts.
type tally struct {
	Pass, Fail, Warn, Error int
}

func (t *tally) add(v conformance.Verdict) {
	switch v {
	case conformance.Pass:
		t.Pass++
	case conformance.Fail:
		t.Fail++
	case conformance.Warn:
		t.Warn++
	default:
		t.Error++
	}
}

func (t tally) Total() int { return t.Pass + t.Fail + t.Warn + t.Error }

func countRun(run *conformance.Run) tally {
	var t tally
	for i := range run.Results {
		t.add(run.Results[i].Verdict)
	}
	return t
}

// levels in report order.
var levelOrder = []corpus.Level{corpus.MUST, corpus.Safety, corpus.SHOULD, corpus.MAY, corpus.Policy}

// sectionGroup is the results of one section, in run order.
type sectionGroup struct {
	Section string
	Results []*conformance.Result
	Tally   tally
}

// groupBySection groups results by section; sections sort naturally
// ("RFC9112 2.2" before "RFC9112 11.1"), results keep run order.
func groupBySection(run *conformance.Run) []sectionGroup {
	idx := map[string]int{}
	var groups []sectionGroup
	for i := range run.Results {
		r := &run.Results[i]
		j, ok := idx[r.Case.Section]
		if !ok {
			j = len(groups)
			idx[r.Case.Section] = j
			groups = append(groups, sectionGroup{Section: r.Case.Section})
		}
		groups[j].Results = append(groups[j].Results, r)
		groups[j].Tally.add(r.Verdict)
	}
	slices.SortStableFunc(groups, func(a, b sectionGroup) int { return naturalCompare(a.Section, b.Section) })
	return groups
}

// naturalLess compares strings with runs of digits compared as numbers, so
// "6.10" sorts after "6.9" and "11.1" after "2.2".
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := digitPrefix(a), digitPrefix(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

// naturalCompare is naturalLess as a three-way compare.
func naturalCompare(a, b string) int {
	switch {
	case naturalLess(a, b):
		return -1
	case naturalLess(b, a):
		return 1
	}
	return 0
}

func digitPrefix(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// formatOutcomes writes each allowed outcome in the corpus notation
// (corpus.FormatOutcome), as the case file's expect line shows it.
func formatOutcomes(os []corpus.Outcome) []string {
	out := make([]string, 0, len(os))
	for _, o := range os {
		out = append(out, corpus.FormatOutcome(o))
	}
	return out
}

// statusList is the statuses of the observed responses, "none" for none.
func statusList(o *conformance.Observed) string {
	if len(o.Responses) == 0 {
		return "none"
	}
	parts := make([]string, len(o.Responses))
	for i, r := range o.Responses {
		parts[i] = strconv.Itoa(r.Status)
	}
	return strings.Join(parts, ",")
}

// endOf names how the connection ended, "unknown" when unset.
func endOf(o *conformance.Observed) string {
	if o.End == "" {
		return string(conformance.EndUnknown)
	}
	return string(o.End)
}

// formatMS prints a duration as milliseconds with three decimals.
func formatMS(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 3, 64)
}

// formatTime is the one timestamp format of every report (UTC, seconds).
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format(time.RFC3339)
}

// verdictSymbol is the matrix glyph of a verdict.
func verdictSymbol(v conformance.Verdict) string {
	switch v {
	case conformance.Pass:
		return "✓"
	case conformance.Fail:
		return "✗"
	case conformance.Warn:
		return "!"
	case conformance.Error:
		return "E"
	}
	return "–"
}

// CompareSections orders RFC section names naturally ("RFC9112 6.9"
// before "RFC9112 6.10"), as every report does.
func CompareSections(a, b string) int { return naturalCompare(a, b) }
