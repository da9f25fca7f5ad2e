package fuzz

import (
	"bytes"
	"regexp"
	"strings"

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
func checkCaseFile(tb TB, text []byte) {
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
