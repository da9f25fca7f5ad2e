package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/corpus"
)

func TestParseExpectFailures(t *testing.T) {
	all := testCases()
	tests := []struct {
		name    string
		in      string
		want    []string
		wantErr string
	}{
		{"ids-comments-blank", "# known\n\nok-get\n  reject-space-colon   # bare space before colon\n", []string{"ok-get", "reject-space-colon"}, ""},
		{"glob", "ok-*\n", []string{"ok-*"}, ""},
		{"hash-inside-is-not-comment", "ok#get\n", nil, "f.txt:1:1: \"ok#get\" matches no case"},
		{"two-ids", "ok-get\n\tok-get ok-head\n", nil, "f.txt:2:9: \"ok-head\": one case id or glob per line"},
		{"bad-glob", "ok-get\n\n   ok-[\n", nil, "f.txt:3:4: \"ok-[\": syntax error in pattern"},
		{"unknown-id", "nope-*\n", nil, "f.txt:1:1: \"nope-*\" matches no case in the corpus"},
		{"all-errors", "nope\nok-[\n", nil, "f.txt:1:1: \"nope\" matches no case in the corpus (see ferrox conform --list)\nf.txt:2:1: \"ok-[\": syntax error in pattern"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseExpectFailures("f.txt", strings.NewReader(tc.in), all)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseExpectFailures(%q) = %q, %v; want error containing %q", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("parseExpectFailures(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

// TestConformGateFlow is the CI flow against the lenient okServer (200 to
// everything, so reject-space-colon fails): the first run records the
// failures (--write-expect-failures, conformance.json), a second run with
// either record exits 0, a deliberately changed case is caught as newly
// failing (exit 1), and a known failure that passes is listed as fixed.
func TestConformGateFlow(t *testing.T) {
	fakeCorpus(t, testCases())
	addr := okServer(t)
	dir := t.TempDir()
	expect := filepath.Join(dir, "expect.txt")
	first := filepath.Join(dir, "first")
	conform := func(t *testing.T, out string, extra ...string) (int, string) {
		t.Helper()
		args := append([]string{"conform", "--target", addr, "--timeout", "300ms", "--level", "must", "--out", out, "--format", "md,json"}, extra...)
		var o, e bytes.Buffer
		code := run(args, &o, &e)
		return code, o.String() + e.String()
	}
	code, out := conform(t, first, "--write-expect-failures", expect)
	if code != 1 {
		t.Fatalf("first run = %d; want 1 (reject-space-colon fails)\n%s", code, out)
	}
	b, err := os.ReadFile(expect)
	if err != nil || !strings.Contains(string(b), "\nreject-space-colon  # RFC9112 5.1: ") || strings.Contains(string(b), "ok-get") {
		t.Fatalf("recorded expected failures %q, %v; want reject-space-colon only", b, err)
	}
	baseline := filepath.Join(first, "conformance.json")

	changed := testCases()
	changed[0].Expect = []corpus.Outcome{{Status: "400", Close: true}} // ok-get now fails against okServer
	fixed := testCases()
	fixed[2].Expect = []corpus.Outcome{{Status: "200"}} // reject-space-colon now passes

	tests := []struct {
		name     string
		cases    []corpus.Case
		flags    []string
		wantCode int
		wantOut  []string
		wantMD   []string
	}{
		{"expect-file", testCases(), []string{"--expect-failures", expect}, 0,
			[]string{"0 newly failing, 0 fixed, 1 still failing"}, []string{"- Result: no regression", "### Newly failing (0)"}},
		{"baseline", testCases(), []string{"--baseline", baseline}, 0,
			[]string{"0 newly failing, 0 fixed, 1 still failing"}, []string{"baseline " + baseline}},
		{"expect-file-regression", changed, []string{"--expect-failures", expect}, 1,
			[]string{"1 newly failing", "newly failing ok-get"}, []string{"- Result: **regressed**", "### Newly failing (1)\n\n- `ok-get` (RFC9112 3, MUST)"}},
		{"baseline-regression", changed, []string{"--baseline", baseline}, 1,
			[]string{"newly failing ok-get"}, nil},
		{"fixed", fixed, []string{"--expect-failures", expect, "--baseline", baseline}, 0,
			[]string{"0 newly failing, 1 fixed", "fixed         reject-space-colon"}, []string{"### Fixed (known to fail, now pass) (1)\n\n- `reject-space-colon`"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fakeCorpus(t, tc.cases)
			out := filepath.Join(t.TempDir(), "out")
			code, text := conform(t, out, tc.flags...)
			if code != tc.wantCode {
				t.Errorf("conform %q = %d; want %d\n%s", tc.flags, code, tc.wantCode, text)
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(strings.Join(strings.Fields(text), " "), strings.Join(strings.Fields(w), " ")) {
					t.Errorf("conform %q output %q; want it to contain %q", tc.flags, text, w)
				}
			}
			md, err := os.ReadFile(filepath.Join(out, "conformance.md"))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.wantMD {
				if !strings.Contains(string(md), w) {
					t.Errorf("conformance.md lacks %q:\n%s", w, md)
				}
			}
		})
	}
}

// Bad gate inputs are usage errors (exit 2) before anything runs.
func TestConformGateErrors(t *testing.T) {
	fakeCorpus(t, testCases())
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("ok-get\nno-such-case\n"), 0o644)
	notJSON := filepath.Join(dir, "x.json")
	os.WriteFile(notJSON, []byte(`{"schema":"other"}`), 0o644)
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"unknown-id", []string{"--expect-failures", bad}, bad + ":2:1: \"no-such-case\" matches no case"},
		{"missing-file", []string{"--expect-failures", filepath.Join(dir, "none")}, "--expect-failures: open"},
		{"bad-baseline", []string{"--baseline", notJSON}, "--baseline " + notJSON + ": reports: schema"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"conform", "--target", closedPort(t)}, tc.args...)
			if code := run(args, &out, &errb); code != 2 || !strings.Contains(errb.String(), tc.wantErr) {
				t.Errorf("run(%q) = %d, stderr %q; want 2 and %q", args, code, errb.String(), tc.wantErr)
			}
		})
	}
}
