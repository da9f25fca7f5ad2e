package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ferrox/ferrox/conformance"
)

// JUnit XML as read by CI systems (Jenkins, GitLab, GitHub test reporters):
// one <testsuite> per RFC section, one <testcase> per case. A warning is a
// passing test with a note in <system-out>. Every suite's properties carry
// the run's provenance (runFacts) and, with a gate, its result. With a
// gate, a case known to fail that still fails is <skipped> ("expected
// failure", as pytest reports xfail), so a dashboard stays green unless
// something regressed; a new failure's message starts "regression:".

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut *junitText    `xml:"system-out,omitempty"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

type junitText struct {
	Text string `xml:",cdata"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// ConformJUnit renders a run as JUnit XML. Every <testsuite> and the
// <testsuites> root carry tests/failures/errors counts computed from the
// cases they hold.
func ConformJUnit(run *conformance.Run) Reporter { return ConformJUnitGate(run, nil) }

// junitProps are the properties of every suite: the run's facts, then the
// gate's result.
func junitProps(run *conformance.Run, gate *Gate) []junitProperty {
	var ps []junitProperty
	for _, f := range runFacts(run) {
		ps = append(ps, junitProperty{Name: f.Key, Value: f.Value})
	}
	if gate != nil {
		ids := func(rs []*conformance.Result) string {
			out := make([]string, len(rs))
			for i, r := range rs {
				out[i] = r.Case.ID
			}
			return strings.Join(out, ",")
		}
		ps = append(ps,
			junitProperty{Name: "gate.against", Value: gate.Against},
			junitProperty{Name: "gate.regressed", Value: strconv.FormatBool(gate.Regressed())},
			junitProperty{Name: "gate.newly_failing", Value: ids(gate.NewlyFailing)},
			junitProperty{Name: "gate.fixed", Value: ids(gate.Fixed)},
			junitProperty{Name: "gate.still_failing", Value: ids(gate.StillFailing)})
	}
	return ps
}

// ConformJUnitGate is ConformJUnit judged against known failures (g nil:
// none): see the comment at the top of this file.
func ConformJUnitGate(run *conformance.Run, gate *Gate) Reporter {
	return func(w0 io.Writer) error {
		root := junitSuites{Name: "ferrox conformance: " + run.Target, Time: seconds(run.Duration)}
		props := junitProps(run, gate)
		status := map[*conformance.Result]string{}
		if gate != nil {
			for _, r := range gate.StillFailing {
				status[r] = "known"
			}
			for _, r := range gate.NewlyFailing {
				status[r] = "new"
			}
			for _, r := range gate.Fixed {
				status[r] = "fixed"
			}
		}
		for _, g := range groupBySection(run) {
			s := junitSuite{
				Name:       g.Section,
				Timestamp:  junitTimestamp(run.Started),
				Properties: props,
			}
			var total time.Duration
			for _, r := range g.Results {
				c := junitCase{Name: r.Case.ID, Classname: g.Section, Time: seconds(r.Observed.Elapsed)}
				total += r.Observed.Elapsed
				detail := xmlSafe(junitDetail(run, r))
				switch {
				case status[r] == "known":
					c.Skipped = &junitSkipped{Message: xmlSafe("expected failure (" + gate.Against + "): " + r.Reason)}
					s.Skipped++
				case status[r] == "fixed":
					c.SystemOut = &junitText{Text: xmlSafe("fixed: known to fail (" + gate.Against + "), now passes\n")}
				case r.Verdict == conformance.Pass:
				case r.Verdict == conformance.Warn:
					c.SystemOut = &junitText{Text: xmlSafe("warn: "+r.Reason+"\n") + detail}
				case r.Verdict == conformance.Fail:
					msg := r.Reason
					if status[r] == "new" {
						msg = "regression: " + msg
					}
					c.Failure = &junitProblem{Message: msg, Type: "fail", Body: detail}
					s.Failures++
				default:
					c.Error = &junitProblem{Message: r.Reason, Type: "error", Body: detail}
					s.Errors++
				}
				s.Tests++
				s.Cases = append(s.Cases, c)
			}
			s.Time = seconds(total)
			root.Tests += s.Tests
			root.Failures += s.Failures
			root.Errors += s.Errors
			root.Skipped += s.Skipped
			root.Suites = append(root.Suites, s)
		}
		w := newStickyWriter(w0)
		w.str(xml.Header)
		enc := xml.NewEncoder(w)
		enc.Indent("", "  ")
		if err := enc.Encode(root); err != nil {
			if w.err != nil {
				return w.err
			}
			return fmt.Errorf("reports: encode junit: %w", err)
		}
		w.str("\n")
		return w.close()
	}
}

func junitTimestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05")
}

// junitDetail is the plain-text body of a failure, error or warning.
func junitDetail(run *conformance.Run, r *conformance.Result) string {
	o := &r.Observed
	var b strings.Builder
	fmt.Fprintf(&b, "level: %s\nsection: %s %s\nchecks: %s\nexpected: %s\nobserved: status %s, end %s, %s\n",
		r.Case.Level, r.Case.Section, rfcURL(r.Case.Section), r.Case.Checks, strings.Join(formatOutcomes(r.Case.Expect), " | "), statusList(o), endOf(o), humanDuration(o.Elapsed))
	if o.Note != "" {
		fmt.Fprintf(&b, "note: %s\n", o.Note)
	}
	if o.Err != "" {
		fmt.Fprintf(&b, "runner error: %s\n", o.Err)
	}
	if o.Split > 0 {
		fmt.Fprintf(&b, "split at offset: %d\n", o.Split)
	}
	if r.Chain != nil {
		fmt.Fprintf(&b, "forwarded: %s\n", forwardedSummary(r))
		for _, f := range chainFindingsText(r) {
			fmt.Fprintf(&b, "finding: %s\n", f)
		}
	}
	fmt.Fprintf(&b, "reproduce: %s\n", reproCommand(run, r))
	sent, cut := truncated(o.Sent, 4<<10)
	b.WriteString("sent:\n")
	b.WriteString(escapeText(sent))
	if cut > 0 {
		fmt.Fprintf(&b, "\n[truncated: %d more bytes]", cut)
	}
	return b.String()
}

// xmlSafe replaces what XML 1.0 cannot carry even in CDATA (most control
// characters, invalid UTF-8) with U+FFFD.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == utf8.RuneError, r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
			return utf8.RuneError
		}
		return r
	}, s)
}
