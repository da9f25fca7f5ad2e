package reports

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func render(t *testing.T, r Reporter) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := r(&buf); err != nil {
		t.Fatalf("reporter: %v", err)
	}
	return buf.Bytes()
}

func TestGolden(t *testing.T) {
	tests := []struct {
		file string
		r    Reporter
	}{
		{"conform.md", ConformMarkdown(fixtureRun("127.0.0.1:18085"))},
		{"conform.json", ConformJSON(fixtureRun("127.0.0.1:18085"))},
		{"conform.junit.xml", ConformJUnit(fixtureRun("127.0.0.1:18085"))},
		{"conform.html", ConformHTML(fixtureRun("127.0.0.1:18085"))},
		{"coverage.md", Coverage(fixtureRun("127.0.0.1:18085"), fixtureReqs())},
		{"matrix.md", Matrix(fixtureRuns())},
		{"matrix.html", MatrixHTML(fixtureRuns())},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got := render(t, tc.r)
			path := filepath.Join("testdata", tc.file+".golden")
			if updating() {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s mismatch (-want +got), run go test -update if intended:\n%s", tc.file, diff)
			}
			// The same input renders the same bytes.
			if again := render(t, tc.r); !bytes.Equal(again, got) {
				t.Errorf("%s: second render differs from the first", tc.file)
			}
		})
	}
}

const xss = "<script>alert(1)</script>"

func xssRun() *conformance.Run {
	run := fixtureRun("t" + xss)
	run.Server += xss
	run.Options += " '" + xss + "'"
	run.Grader += xss
	for i := range run.Results {
		r := &run.Results[i]
		r.Case.ID += xss
		r.Case.Section += xss
		r.Case.Checks += xss
		r.Case.Requirement += xss
		r.Case.File += xss
		r.Case.Check = []string{xss}
		r.Case.Level += corpus.Level(xss)
		r.Reason += xss
		r.Observed.Note += xss
		r.Observed.Sent = append(r.Observed.Sent, xss+"\"'&"...)
		r.Observed.Received = append(r.Observed.Received, xss...)
		r.Observed.Responses = append(r.Observed.Responses, conformance.Response{
			Status: 200, Proto: xss, Framing: xss, Headers: [][2]string{{xss, xss}},
		})
	}
	return run
}

// TestHTMLInert checks that hostile bytes and strings anywhere in a run
// show up only escaped: the page's own <script> is the only one.
func TestHTMLInert(t *testing.T) {
	tests := []struct {
		name string
		r    Reporter
	}{
		{"conform", ConformHTML(xssRun())},
		{"matrix", MatrixHTML([]*conformance.Run{xssRun(), fixtureRun("plain")})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			page := string(render(t, tc.r))
			if n := strings.Count(strings.ToLower(page), "<script"); n != 1 {
				t.Errorf("page has %d <script elements; want 1 (its own)", n)
			}
			if strings.Contains(page, "alert(1)</script>") {
				t.Errorf("page contains the injected script unescaped")
			}
			if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
				t.Errorf("page does not show the injected text escaped")
			}
		})
	}
}

func TestWireHTMLEscapes(t *testing.T) {
	got := string(wireHTML([]byte("<a>\r\n\x00\xe9&\"")))
	want := `&lt;a&gt;<span class="e">\r</span><span class="e">\n</span>` + "\n" +
		`<span class="e">\x00</span><span class="e">\xE9</span>&amp;&#34;`
	if got != want {
		t.Errorf("wireHTML = %q; want %q", got, want)
	}
}

// junitDoc mirrors JUnit XML loosely, to count what a CI system would see.
type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Suites   []struct {
		Name     string `xml:"name,attr"`
		Tests    int    `xml:"tests,attr"`
		Failures int    `xml:"failures,attr"`
		Errors   int    `xml:"errors,attr"`
		Skipped  int    `xml:"skipped,attr"`
		Cases    []struct {
			Name      string    `xml:"name,attr"`
			Classname string    `xml:"classname,attr"`
			Failure   *struct{} `xml:"failure"`
			Error     *struct{} `xml:"error"`
			Skipped   *struct{} `xml:"skipped"`
			SystemOut string    `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func TestJUnitCounts(t *testing.T) {
	hostile := fixtureRun("h\x00")
	for i := range hostile.Results {
		hostile.Results[i].Reason = "a\x00]]>\x1b\xff" + xss
		hostile.Results[i].Case.Checks = "]]>\x01"
	}
	runs := map[string]*conformance.Run{"fixture": fixtureRun("x"), "xss": xssRun(), "empty": {Target: "e"}, "hostile": hostile}
	for _, name := range []string{"empty", "fixture", "xss", "hostile"} {
		run := runs[name]
		t.Run(name, func(t *testing.T) {
			var doc junitDoc
			if err := xml.Unmarshal(render(t, ConformJUnit(run)), &doc); err != nil {
				t.Fatalf("xml.Unmarshal: %v", err)
			}
			want := countRun(run)
			var tests, failures, errs int
			for _, s := range doc.Suites {
				var f, e, sk int
				for _, c := range s.Cases {
					if c.Failure != nil {
						f++
					}
					if c.Error != nil {
						e++
					}
					if c.Skipped != nil {
						sk++
					}
					if c.Classname != s.Name {
						t.Errorf("testcase %q classname %q; want suite name %q", c.Name, c.Classname, s.Name)
					}
				}
				if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e || s.Skipped != 0 || sk != 0 {
					t.Errorf("suite %q: tests=%d failures=%d errors=%d skipped=%d; counted %d, %d, %d, %d",
						s.Name, s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), f, e, sk)
				}
				tests += len(s.Cases)
				failures += f
				errs += e
			}
			if doc.Tests != tests || doc.Failures != failures || doc.Errors != errs {
				t.Errorf("testsuites: tests=%d failures=%d errors=%d; counted %d, %d, %d", doc.Tests, doc.Failures, doc.Errors, tests, failures, errs)
			}
			if tests != want.Total() || failures != want.Fail || errs != want.Error {
				t.Errorf("junit has %d tests, %d failures, %d errors; run has %d, %d, %d", tests, failures, errs, want.Total(), want.Fail, want.Error)
			}
		})
	}
}

func TestJUnitWarnIsPassWithNote(t *testing.T) {
	var doc junitDoc
	if err := xml.Unmarshal(render(t, ConformJUnit(fixtureRun("x"))), &doc); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range doc.Suites {
		for _, c := range s.Cases {
			if c.Name == "bare-lf" {
				found = true
				if c.Failure != nil || c.Error != nil || c.Skipped != nil || !strings.HasPrefix(c.SystemOut, "warn: ") {
					t.Errorf("warn case bare-lf = %+v; want a pass with a warn: note", c)
				}
			}
		}
	}
	if !found {
		t.Errorf("case bare-lf missing from the JUnit output")
	}
}

var errBoom = errors.New("boom")

// failingWriter fails on its n-th Write (0-based) and every later one.
type failingWriter struct {
	n, calls int
}

func (f *failingWriter) Write(p []byte) (int, error) {
	f.calls++
	if f.calls > f.n {
		return 0, errBoom
	}
	return len(p), nil
}

// bigRun has enough bytes to make every reporter write many times.
func bigRun(target string) *conformance.Run {
	run := fixtureRun(target)
	base := run.Results
	for i := range 60 {
		for _, r := range base {
			r.Case.ID += "-" + strings.Repeat("x", i%7) + string(rune('a'+i%26))
			r.Observed.Received = bytes.Repeat([]byte("HTTP/1.1 200 OK\r\n"), 100)
			run.Results = append(run.Results, r)
		}
	}
	return run
}

func TestReportersReturnWriteErrors(t *testing.T) {
	reporters := []struct {
		name string
		r    Reporter
	}{
		{"markdown", ConformMarkdown(bigRun("a"))},
		{"html", ConformHTML(bigRun("a"))},
		{"json", ConformJSON(bigRun("a"))},
		{"junit", ConformJUnit(bigRun("a"))},
		{"coverage", Coverage(bigRun("a"), fixtureReqs())},
		{"matrix", Matrix([]*conformance.Run{bigRun("a"), bigRun("b")})},
		{"matrixhtml", MatrixHTML([]*conformance.Run{bigRun("a"), bigRun("b")})},
	}
	for _, tc := range reporters {
		t.Run(tc.name, func(t *testing.T) {
			counter := &failingWriter{n: 1 << 30}
			if err := tc.r(counter); err != nil {
				t.Fatalf("reporter on a good writer: %v", err)
			}
			if counter.calls < 1 {
				t.Fatalf("reporter wrote nothing")
			}
			// Fail at each write in turn (at most ~40 of them, evenly spread).
			step := max(1, counter.calls/40)
			for n := 0; n < counter.calls; n += step {
				if err := tc.r(&failingWriter{n: n}); !errors.Is(err, errBoom) {
					t.Errorf("reporter with write %d failing = %v; want %v", n, err, errBoom)
				}
			}
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	big := fixtureRun("127.0.0.1:1")
	big.Results[0].Observed.Received = bytes.Repeat([]byte{'a', '\r', '\n', 0xff}, maxShownBytes/2)
	big.Started = time.Date(2026, 1, 2, 3, 4, 5, 678_000_000, time.UTC)
	for name, run := range map[string]*conformance.Run{"fixture": fixtureRun("127.0.0.1:1"), "big-received": big, "empty": {Target: "z"}} {
		t.Run(name, func(t *testing.T) {
			first := render(t, ConformJSON(run))
			got, err := ReadConformJSON(bytes.NewReader(first))
			if err != nil {
				t.Fatalf("ReadConformJSON: %v", err)
			}
			// What the schema does not carry is lost; everything else survives.
			want := *run
			want.Results = append([]conformance.Result(nil), run.Results...)
			for i := range want.Results {
				want.Results[i].Case.Raw = nil
				want.Results[i].Case.PaceMS = 0
				want.Results[i].Case.HalfClose = false
				want.Results[i].Target = run.Target
			}
			if diff := cmp.Diff(&want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("ReadConformJSON(ConformJSON(run)) mismatch (-want +got):\n%s", diff)
			}
			if second := render(t, ConformJSON(got)); !bytes.Equal(first, second) {
				t.Errorf("re-encoding a decoded report changed it")
			}
		})
	}
}

func TestEscapeTextLimit(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"fits", "ab\r\n", 10, "ab\\r\\n\n"},
		{"exact", "abcd", 4, "abcd"},
		{"cut-plain", "abcdef", 4, "abcd\n[truncated: 2 more bytes]"},
		{"cut-before-escape", "abc\x00d", 5, "abc\n[truncated: 2 more bytes]"},
		{"cut-after-escape", "a\x00bcdef", 7, "a\\x00bc\n[truncated: 3 more bytes]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := escapeTextLimit([]byte(tc.in), tc.max); got != tc.want {
				t.Errorf("escapeTextLimit(%q, %d) = %q; want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

func TestJSONTextTruncated(t *testing.T) {
	run := fixtureRun("x")
	run.Results[0].Observed.Received = bytes.Repeat([]byte("y"), maxTextLen+10)
	run.Results[0].Observed.Sent = bytes.Repeat([]byte{0}, maxTextLen)
	out := string(render(t, ConformJSON(run)))
	if !strings.Contains(out, `[truncated: 10 more bytes]`) {
		t.Errorf("received_text of a %d-byte body has no truncation marker", maxTextLen+10)
	}
	if want := fmt.Sprintf(`[truncated: %d more bytes]`, maxTextLen-maxTextLen/4); !strings.Contains(out, want) {
		t.Errorf("sent_text of %d NULs lacks %q", maxTextLen, want)
	}
}

func TestReadConformJSONRejects(t *testing.T) {
	tests := []struct{ name, in string }{
		{"not-json", "nope"},
		{"wrong-schema", `{"schema":"other/v9"}`},
		{"bad-base64", `{"schema":"ferrox.conformance/v1","results":[{"id":"a","sent":"!!"}]}`},
		{"bad-outcome", `{"schema":"ferrox.conformance/v1","results":[{"id":"a","expected":["teapot"]}]}`},
		{"bad-time", `{"schema":"ferrox.conformance/v1","started":"yesterday"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if run, err := ReadConformJSON(strings.NewReader(tc.in)); err == nil {
				t.Errorf("ReadConformJSON(%q) = %+v, nil; want an error", tc.in, run)
			}
		})
	}
}

func TestEscapeText(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"empty", "", ""},
		{"plain", "GET / HTTP/1.1", "GET / HTTP/1.1"},
		{"crlf", "a\r\nb", "a\\r\\n\nb"},
		{"bare-cr", "a\rb", `a\rb`},
		{"tab", "a\tb", `a\tb`},
		{"nul", "a\x00b", `a\x00b`},
		{"del", "\x7f", `\x7F`},
		{"utf8", "é", `\xC3\xA9`},
		{"backslash", `a\x00`, `a\\x00`},
		{"markup", "<b>&", "<b>&"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := escapeText([]byte(tc.in)); got != tc.want {
				t.Errorf("escapeText(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestEscapeTextASCII checks every byte value: the text is printable ASCII
// or a newline, and each byte maps to a documented form.
func TestEscapeTextASCII(t *testing.T) {
	for b := range 256 {
		got := escapeText([]byte{byte(b)})
		for i := 0; i < len(got); i++ {
			if c := got[i]; (c < 0x20 || c > 0x7e) && c != '\n' {
				t.Errorf("escapeText(%#x) = %q contains byte %#x", b, got, c)
			}
		}
		printable := b >= 0x20 && b <= 0x7e && b != '\\'
		if printable != (got == string(rune(b))) {
			t.Errorf("escapeText(%#x) = %q", b, got)
		}
	}
}

func TestNaturalLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"RFC9112 2.2", "RFC9112 11.1", true},
		{"RFC9112 11.1", "RFC9112 2.2", false},
		{"RFC9112 6.9", "RFC9112 6.10", true},
		{"RFC9110 9.3", "RFC9112 2.2", true},
		{"a", "a", false},
		{"a", "a1", true},
		{"x007", "x7", false},
		{"x7", "x007", false},
	}
	for _, tc := range tests {
		if got := naturalLess(tc.a, tc.b); got != tc.want {
			t.Errorf("naturalLess(%q, %q) = %v; want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestJSONOutcome: "expected" entries are the corpus notation, with no
// response spelled "none+close" as schema v1 has it.
func TestJSONOutcome(t *testing.T) {
	tests := []struct {
		text string
		o    corpus.Outcome
	}{
		{"400+close", corpus.Outcome{Status: "400", Close: true}},
		{"2xx", corpus.Outcome{Status: "2xx"}},
		{"any", corpus.Outcome{Status: "any"}},
		{"any+close", corpus.Outcome{Status: "any", Close: true}},
		{"none+close", corpus.Outcome{Close: true}},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			if got := jsonOutcomes([]corpus.Outcome{tc.o}); len(got) != 1 || got[0] != tc.text {
				t.Errorf("jsonOutcomes(%+v) = %q; want [%q]", tc.o, got, tc.text)
			}
			got, err := parseJSONOutcome(tc.text)
			if err != nil || got != tc.o {
				t.Errorf("parseJSONOutcome(%q) = %+v, %v; want %+v", tc.text, got, err, tc.o)
			}
		})
	}
	if got, err := parseJSONOutcome("none"); err != nil || got != (corpus.Outcome{Close: true}) {
		t.Errorf("parseJSONOutcome(\"none\") = %+v, %v; want no response with close", got, err)
	}
	for _, bad := range []string{"", "close", "6xx", "*", "40", "4000", "abc+close", " 400"} {
		if o, err := parseJSONOutcome(bad); err == nil {
			t.Errorf("parseJSONOutcome(%q) = %+v, nil; want an error", bad, o)
		}
	}
}

// TestJSONAnyOutcome: a case allowing any status survives the JSON writer
// and ReadConformJSON (the reader used to reject "any").
func TestJSONAnyOutcome(t *testing.T) {
	run := fixtureRun("127.0.0.1:1")
	run.Results = run.Results[:1]
	want := []corpus.Outcome{{Status: "any"}, {Status: "any", Close: true}, {Close: true}}
	run.Results[0].Case.Expect = want
	text := render(t, ConformJSON(run))
	if !bytes.Contains(text, []byte(`"any+close"`)) {
		t.Fatalf("ConformJSON lacks \"any+close\":\n%s", text)
	}
	got, err := ReadConformJSON(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("ReadConformJSON(ConformJSON(run with any)) = %v", err)
	}
	if diff := cmp.Diff(want, got.Results[0].Case.Expect); diff != "" {
		t.Errorf("expected outcomes after a round trip (-want +got):\n%s", diff)
	}
}

func TestMatrixDisagreements(t *testing.T) {
	d := buildMatrix(fixtureRuns())
	ids := func(rows []matrixRow) []string {
		var out []string
		for _, r := range rows {
			out = append(out, r.ID)
		}
		return out
	}
	// cl-plus-sign: fail/pass/fail; head-same-headers: caddy never ran it.
	if diff := cmp.Diff([]string{"cl-plus-sign", "head-same-headers"}, ids(d.Verdict), cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
		t.Errorf("verdict disagreements (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"cl-te-both"}, ids(d.Status)); diff != "" {
		t.Errorf("status-only disagreements (-want +got):\n%s", diff)
	}
	if got := d.Headlines[2].Missing; got != 1 {
		t.Errorf("caddy missing = %d; want 1", got)
	}
}

func TestReadConformJSONStatusesOnly(t *testing.T) {
	in := `{"schema":"ferrox.conformance/v1","target":"t","results":[{"id":"a","verdict":"pass","expected":["2xx","none+close"],"observed":{"statuses":[200,404],"end":"fin"}}]}`
	run, err := ReadConformJSON(strings.NewReader(in))
	if err != nil {
		t.Fatalf("ReadConformJSON: %v", err)
	}
	want := []conformance.Response{{Status: 200}, {Status: 404}}
	if diff := cmp.Diff(want, run.Results[0].Observed.Responses); diff != "" {
		t.Errorf("responses made up from statuses (-want +got):\n%s", diff)
	}
	wantExpect := []corpus.Outcome{{Status: "2xx"}, {Close: true}}
	if diff := cmp.Diff(wantExpect, run.Results[0].Case.Expect); diff != "" {
		t.Errorf("expected outcomes (-want +got):\n%s", diff)
	}
}

func TestCompactStatuses(t *testing.T) {
	tests := []struct {
		name string
		in   []int
		want string
	}{
		{"none", nil, "none"},
		{"one", []int{200}, "200"},
		{"two", []int{200, 200}, "200,200"},
		{"run", []int{200, 200, 200, 200}, "200×4"},
		{"mixed", []int{400, 200, 200, 200, 404, 404}, "400,200×3,404,404"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var o conformance.Observed
			for _, st := range tc.in {
				o.Responses = append(o.Responses, conformance.Response{Status: st})
			}
			if got := compactStatuses(&o); got != tc.want {
				t.Errorf("compactStatuses(%v) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}
