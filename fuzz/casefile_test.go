package fuzz

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ferrox/ferrox/corpus"
)

// caseFileName picks the file name a case text claims through its "id"
// line (Parse requires the stem to equal the id).
func caseFileName(text []byte) string {
	for _, l := range strings.Split(string(text), "\n") {
		if v, ok := strings.CutPrefix(l, "id:"); ok {
			return "cases/fuzz/" + strings.TrimSpace(v) + ".case"
		}
		if l == "---" {
			break
		}
	}
	return "cases/fuzz/x.case"
}

var caseErr = regexp.MustCompile(`^cases/fuzz/[^\n]*\.case:[1-9][0-9]*:[1-9][0-9]*: `)

// checkCaseFile: corpus.Parse never panics and its errors read
// "file:line:col: msg" with 1-based positions; a text it accepts formats
// (corpus.Format) to a canonical text that parses back to the same case,
// and formatting is idempotent.
func checkCaseFile(tb testing.TB, text []byte) {
	tb.Helper()
	file := caseFileName(text)
	c, err := corpus.Parse(file, text)
	if err != nil {
		if !caseErr.MatchString(err.Error()) {
			tb.Fatalf("Parse(%q) error %q; want %q", text, err, file+":LINE:COL: msg")
		}
		return
	}
	canon := corpus.Format(c)
	c2, err := corpus.Parse(file, canon)
	if err != nil {
		tb.Fatalf("Parse(Format(Parse(%q))) = %v; Format gave %q", text, err, canon)
	}
	if !bytes.Equal(c.Raw, c2.Raw) {
		tb.Fatalf("Parse(%q) and Parse(Format(...)) differ in Raw: %q vs %q", text, c.Raw, c2.Raw)
	}
	// Raw is compared above: cmp is slow on megabyte slices.
	if d := cmp.Diff(c, c2, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(corpus.Case{}, "Raw")); d != "" {
		tb.Fatalf("Parse(%q) and Parse(Format(...)) differ (-first +second):\n%s", text, d)
	}
	if again := corpus.Format(c2); !bytes.Equal(again, canon) {
		tb.Fatalf("Format not idempotent for %q: %q then %q", text, canon, again)
	}
}

func FuzzCaseFile(f *testing.F) {
	for _, c := range corpusCases(f) {
		f.Add(corpus.Format(c))
	}
	f.Add([]byte("id: x\n---\nGET / HTTP/1.1\\r\\n\n"))
	f.Add([]byte("id: x\nsection: RFC9112 2.2\nlevel: MUST\nrequirement: r\nchecks: c\nexpect: 400+close | none\nmode: paced\npace-ms: 5\n---\n\\{3*\\x00}\\xff\n"))
	f.Add([]byte("id: x\nsection: RFC9112 2.2\nlevel: MUST\nrequirement: r\nchecks: c\nexpect: 2xx\nchain: forward | reject\n---\nGET / HTTP/1.1\\r\\n\n"))
	f.Fuzz(func(t *testing.T, text []byte) { checkCaseFile(t, text) })
}

// TestCorpusCaseFile runs the property over every case as stored.
func TestCorpusCaseFile(t *testing.T) {
	for _, c := range corpusCases(t) {
		t.Run(c.ID, func(t *testing.T) { checkCaseFile(t, corpus.Format(c)) })
	}
}
