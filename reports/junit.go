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
// passing test with a note in <system-out>; <skipped> is never used.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
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
	SystemOut *junitText    `xml:"system-out,omitempty"`
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
func ConformJUnit(run *conformance.Run) Reporter {
	return func(w0 io.Writer) error {
		root := junitSuites{Name: "ferrox conformance: " + run.Target, Time: seconds(run.Duration)}
		for _, g := range groupBySection(run) {
			s := junitSuite{
				Name:      g.Section,
				Timestamp: junitTimestamp(run.Started),
				Properties: []junitProperty{
					{Name: "target", Value: run.Target},
					{Name: "tls", Value: strconv.FormatBool(run.TLS)},
				},
			}
			var total time.Duration
			for _, r := range g.Results {
				c := junitCase{Name: r.Case.ID, Classname: g.Section, Time: seconds(r.Observed.Elapsed)}
				total += r.Observed.Elapsed
				detail := xmlSafe(junitDetail(r))
				switch r.Verdict {
				case conformance.Pass:
				case conformance.Warn:
					c.SystemOut = &junitText{Text: xmlSafe("warn: "+r.Reason+"\n") + detail}
				case conformance.Fail:
					c.Failure = &junitProblem{Message: r.Reason, Type: "fail", Body: detail}
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
func junitDetail(r *conformance.Result) string {
	o := &r.Observed
	var b strings.Builder
	fmt.Fprintf(&b, "level: %s\nchecks: %s\nexpected: %s\nobserved: status %s, end %s, %s ms\n",
		r.Case.Level, r.Case.Checks, strings.Join(formatOutcomes(r.Case.Expect), " | "), statusList(o), endOf(o), formatMS(o.Elapsed))
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
