package corpus

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAll(t *testing.T) {
	cs, err := All()
	if err != nil {
		t.Fatalf("All() error: %v", err)
	}
	if len(cs) < 300 {
		t.Errorf("All() = %d cases; want at least 300", len(cs))
	}
	ids := map[string]bool{}
	groups := map[string]int{}
	for i, c := range cs {
		if ids[c.ID] {
			t.Errorf("duplicate id %q", c.ID)
		}
		ids[c.ID] = true
		groups[c.Group]++
		if i > 0 && (cs[i-1].Group > c.Group || cs[i-1].Group == c.Group && cs[i-1].ID >= c.ID) {
			t.Errorf("All() not sorted at %d: %s/%s after %s/%s", i, c.Group, c.ID, cs[i-1].Group, cs[i-1].ID)
		}
		if want := "cases/" + c.Group + "/" + c.ID + ".case"; c.File != want {
			t.Errorf("case %q File = %q; want %q", c.ID, c.File, want)
		}
		if c.Mode == SendPaced && c.PaceMS <= 0 {
			t.Errorf("case %q paced without pace-ms", c.ID)
		}
		if c.HalfClose && c.Canary {
			t.Errorf("case %q: half-close with a canary makes the canary part of the request", c.ID)
		}
	}
	// The smuggling matrix is the heart of the corpus.
	if n := groups["smuggling"]; n < 80 {
		t.Errorf("smuggling group has %d cases; want at least 80", n)
	}
	again, err := All()
	if err != nil || len(again) != len(cs) {
		t.Fatalf("second All() = %d cases, %v", len(again), err)
	}
	again[0].ID = "mutated"
	if third, _ := All(); third[0].ID == "mutated" {
		t.Errorf("All() returns a shared slice")
	}
}

// TestFilesCanonical: every committed file is in canonical form, so
// Format(Parse(file)) reproduces it byte for byte.
func TestFilesCanonical(t *testing.T) {
	n := 0
	err := fs.WalkDir(casesFS, "cases", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		text, err := casesFS.ReadFile(p)
		if err != nil {
			return err
		}
		c, err := Parse(p, text)
		if err != nil {
			t.Errorf("Parse(%s): %v", p, err)
			return nil
		}
		if got := Format(c); !bytes.Equal(got, text) {
			t.Errorf("Format(Parse(%s)) differs from the file:\n%s", p, cmp.Diff(string(text), string(got)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 300 {
		t.Errorf("walked %d case files; want at least 300", n)
	}
}

func TestRequirements(t *testing.T) {
	rs, err := Requirements()
	if err != nil {
		t.Fatalf("Requirements() error: %v", err)
	}
	if len(rs) < 45 {
		t.Errorf("Requirements() = %d rows; want at least 45", len(rs))
	}
	cs, err := All()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, r := range rs {
		known[r.ID] = true
	}
	used := map[string]bool{}
	for _, c := range cs {
		if !known[c.Requirement] {
			t.Errorf("case %q names unknown requirement %q", c.ID, c.Requirement)
		}
		used[c.Requirement] = true
	}
	var untested []string
	for _, r := range rs {
		if !used[r.ID] {
			untested = append(untested, r.ID)
		}
	}
	if len(untested) > len(rs)/5 {
		t.Errorf("%d of %d requirements have no case: %v", len(untested), len(rs), untested)
	}
}

func TestParseRequirementsErrors(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"too few fields", "a | b | MUST\n", "r.txt:1:1:"},
		{"bad level", "# c\na | RFC | MUSTNT | t\n", "r.txt:2:1: unknown level"},
		{"duplicate", "a | s | MUST | t\na | s | MUST | t\n", "r.txt:2:1: duplicate id"},
		{"empty field", "a |  | MUST | t\n", "r.txt:1:1: empty field 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRequirements("r.txt", []byte(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseRequirements(%q) error = %v; want it to contain %q", tt.text, err, tt.want)
			}
		})
	}
}

func TestParseExpect(t *testing.T) {
	tests := []struct {
		in   string
		want []Outcome
		err  bool
	}{
		{"400+close", []Outcome{{"400", true}}, false},
		{"400+close | 2xx+close", []Outcome{{"400", true}, {"2xx", true}}, false},
		{"none | 408+close", []Outcome{{"", true}, {"408", true}}, false},
		{"any", []Outcome{{"any", false}}, false},
		{" 404 |2xx ", []Outcome{{"404", false}, {"2xx", false}}, false},
		{"", nil, true},
		{"400 |", nil, true},
		{"600", nil, true},
		{"4xy", nil, true},
		{"400+keep", nil, true},
		{"none+close", nil, true},
		{"400 | 400", nil, true},
	}
	for _, tt := range tests {
		got, err := ParseExpect(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseExpect(%q) error = %v; want error %v", tt.in, err, tt.err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseExpect(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
		if err == nil {
			back, err := ParseExpect(FormatExpect(got))
			if err != nil || !slices.Equal(back, got) {
				t.Errorf("ParseExpect(FormatExpect(%v)) = %v, %v", got, back, err)
			}
		}
	}
}

const validCase = "id: x-y\nsection: RFC9112 3\nlevel: MUST\nrequirement: 9112-3-request-line\nchecks: something\nexpect: 400+close\n---\nGET / HTTP/1.1\\r\\n\n\\r\\n\n"

func TestParse(t *testing.T) {
	c, err := Parse("cases/g/x-y.case", []byte(validCase))
	if err != nil {
		t.Fatalf("Parse(valid) error: %v", err)
	}
	want := Case{ID: "x-y", Section: "RFC9112 3", Level: MUST, Requirement: "9112-3-request-line", Checks: "something",
		Expect: []Outcome{{"400", true}}, Chain: []ChainOutcome{ChainReject}, Mode: SendWhole, Raw: []byte("GET / HTTP/1.1\r\n\r\n"), File: "cases/g/x-y.case", Group: "g"}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("Parse(valid) mismatch (-want +got):\n%s", diff)
	}
	if got := string(Format(c)); got != validCase {
		t.Errorf("Format(Parse(valid)) = %q; want %q", got, validCase)
	}
	full := strings.Replace(validCase, "---\n", "chain: reject | forward\ncanary: yes\nmode: paced\npace-ms: 50\nhalf-close: yes\ncheck: date, head-no-body\n---\n", 1)
	c, err = Parse("cases/g/x-y.case", []byte(full))
	if err != nil {
		t.Fatalf("Parse(full) error: %v", err)
	}
	if !c.Canary || c.Mode != SendPaced || c.PaceMS != 50 || !c.HalfClose || !slices.Equal(c.Check, []string{"date", "head-no-body"}) ||
		!slices.Equal(c.Chain, []ChainOutcome{ChainReject, ChainForward}) {
		t.Errorf("Parse(full) = %+v; options not read", c)
	}
	if got := string(Format(c)); got != full {
		t.Errorf("Format(Parse(full)) = %q; want %q", got, full)
	}
}

func TestParseErrors(t *testing.T) {
	rep := func(old, new string) string { return strings.Replace(validCase, old, new, 1) }
	tests := []struct {
		name, text, want string
	}{
		{"unknown key", rep("checks:", "check s:"), "f/x-y.case:5:1: unknown key"},
		{"no colon", rep("checks: something", "checks something"), "f/x-y.case:5:1: want"},
		{"duplicate key", rep("level: MUST\n", "level: MUST\nlevel: MAY\n"), "f/x-y.case:4:1: duplicate key"},
		{"bad level", rep("level: MUST", "level: must"), "f/x-y.case:3:8: level: unknown level"},
		{"bad expect", rep("expect: 400+close", "expect: 400+clos"), "f/x-y.case:6:9: expect:"},
		{"missing checks", rep("checks: something\n", ""), "missing key \"checks\""},
		{"empty value", rep("checks: something", "checks: "), "f/x-y.case:5:9: empty value"},
		{"id differs", rep("id: x-y", "id: other"), "differs from the file name"},
		{"bad id", rep("id: x-y", "id: X_Y"), "f/x-y.case:1:5: id:"},
		{"no separator", strings.Replace(validCase, "---\n", "", 1), "want \"key: value\""},
		{"bad escape", rep("GET /", "GET \\q/"), "f/x-y.case:8:5: unknown escape"},
		{"bad escape second line", rep("\\r\\n\n\\r\\n\n", "\\r\\n\nab\\z\n"), "f/x-y.case:9:3: unknown escape"},
		{"empty raw", rep("GET / HTTP/1.1\\r\\n\n\\r\\n\n", ""), "no raw bytes"},
		{"paced without pace", rep("---", "mode: paced\n---"), "mode paced needs pace-ms"},
		{"pace without paced", rep("---", "pace-ms: 5\n---"), "pace-ms is only for mode paced"},
		{"unknown check", rep("---", "check: nope\n---"), "unknown check"},
		{"bad canary", rep("---", "canary: maybe\n---"), "want yes or no"},
		{"unknown chain", rep("---", "chain: drop\n---"), "f/x-y.case:7:8: chain: unknown chain outcome \"drop\""},
		{"chain twice", rep("---", "chain: reject | reject\n---"), "f/x-y.case:7:8: chain: chain outcome \"reject\" listed twice"},
		{"chain any with others", rep("---", "chain: any | reject\n---"), "f/x-y.case:7:8: chain: chain outcome \"any\" stands alone"},
		{"chain empty alternative", rep("---", "chain: reject |\n---"), "f/x-y.case:7:8: chain: empty chain alternative"},
		{"control in value", rep("checks: something", "checks: some\x01thing"), "f/x-y.case:5:13: byte 0x01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("f/x-y.case", []byte(tt.text))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse(%q) error = %v; want it to contain %q", tt.text, err, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	reqs := []Requirement{{ID: "r1"}}
	ok := Case{ID: "a", File: "a", Checks: "x", Expect: []Outcome{{"200", false}}, Chain: []ChainOutcome{ChainForward}, Requirement: "r1"}
	tests := []struct {
		name string
		cs   []Case
		want string
	}{
		{"valid", []Case{ok}, ""},
		{"duplicate id", []Case{ok, ok}, "already used"},
		{"unknown requirement", []Case{func() Case { c := ok; c.Requirement = "r2"; return c }()}, "unknown requirement"},
		{"no outcome", []Case{func() Case { c := ok; c.Expect = nil; return c }()}, "no outcome"},
		{"no chain outcome", []Case{func() Case { c := ok; c.Chain = nil; return c }()}, "no chain outcome"},
		{"empty checks", []Case{func() Case { c := ok; c.Checks = " "; return c }()}, "empty checks"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.cs, reqs)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Validate() = %v; want %q", err, tt.want)
			}
		})
	}
}

func TestFixture(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFixture(dir); err != nil {
		t.Fatalf("WriteFixture: %v", err)
	}
	need := map[string]bool{"/": false, "/index.html": false, "/canary.txt": false, "/a.txt": false, "/big.bin": false,
		"/.hidden": false, "/dir/": false, "/dir/index.html": false, "/list/": false, "/list/<script>x.txt": false}
	for _, f := range Fixture() {
		need[f.Path] = true
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		st, err := os.Stat(p)
		if err != nil {
			t.Errorf("fixture %s: %v", f.Path, err)
			continue
		}
		if st.IsDir() != f.Dir {
			t.Errorf("fixture %s: IsDir = %v; want %v", f.Path, st.IsDir(), f.Dir)
		}
		if f.Dir {
			if !strings.HasSuffix(f.Path, "/") {
				t.Errorf("fixture dir %s does not end in /", f.Path)
			}
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(got, f.Data) {
			t.Errorf("fixture %s reads back %d bytes, %v; want %d bytes", f.Path, len(got), err, len(f.Data))
		}
		if !st.ModTime().Equal(FixtureModTime) {
			t.Errorf("fixture %s mtime = %v; want %v", f.Path, st.ModTime(), FixtureModTime)
		}
	}
	for p, ok := range need {
		if !ok {
			t.Errorf("Fixture() lacks %s", p)
		}
	}
	if got := string(mustFile(t, Fixture(), "/canary.txt")); got != "canary\n" {
		t.Errorf("canary = %q; want %q", got, "canary\n")
	}
	if n := len(mustFile(t, Fixture(), "/a.txt")); n != 1000 {
		t.Errorf("len(/a.txt) = %d; want 1000", n)
	}
	if n := len(mustFile(t, Fixture(), "/big.bin")); n != 64<<10 {
		t.Errorf("len(/big.bin) = %d; want 65536", n)
	}
}

func TestWriteFixtureError(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteFixture(blocker)
	if err == nil || !strings.Contains(err.Error(), blocker) {
		t.Errorf("WriteFixture(a file) error = %v; want it to name %s", err, blocker)
	}
}

func mustFile(t *testing.T, fs []FixtureFile, p string) []byte {
	t.Helper()
	for _, f := range fs {
		if f.Path == p {
			return f.Data
		}
	}
	t.Fatalf("no fixture file %s", p)
	return nil
}
