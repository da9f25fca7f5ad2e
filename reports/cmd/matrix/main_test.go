package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
	"github.com/ferrox/ferrox/reports"
)

func writeReport(t *testing.T, path, target string, v conformance.Verdict) {
	t.Helper()
	run := &conformance.Run{
		Target:  target,
		Started: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC),
		Results: []conformance.Result{{
			Case:    corpus.Case{ID: "cl-plus", Section: "RFC9112 6.3", Level: corpus.MUST, Expect: []corpus.Outcome{{Status: "400", Close: true}}},
			Verdict: v,
			Observed: conformance.Observed{
				Responses: []conformance.Response{{Status: 400}},
				End:       conformance.EndFIN,
			},
		}},
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := reports.ConformJSON(run)(&buf); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	writeReport(t, filepath.Join(dir, "nginx", "conformance.json"), "127.0.0.1:18081", conformance.Fail)
	writeReport(t, filepath.Join(dir, "ferrox.json"), "127.0.0.1:18085", conformance.Pass)
	var stderr bytes.Buffer
	args := []string{"-out", dir, "-rewrite-json", "nginx=" + filepath.Join(dir, "nginx"), "ferrox=" + filepath.Join(dir, "ferrox.json")}
	if code := run(args, &stderr); code != 0 {
		t.Fatalf("run(%q) = %d; want 0; stderr:\n%s", args, code, stderr.String())
	}
	md, err := os.ReadFile(filepath.Join(dir, "matrix.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "| `cl-plus` | RFC9112 6.3 | MUST | ✗ 400 · fin | ✓ 400 · fin |") {
		t.Errorf("matrix.md lacks the disagreement row:\n%s", md)
	}
	if _, err := reports.ReadConformJSON(mustOpen(t, filepath.Join(dir, "nginx", "conformance.json"))); err != nil {
		t.Errorf("rewritten report does not read back: %v", err)
	}
	for _, f := range []string{"matrix.html", "nginx/report.md", "nginx/report.html", "report.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("missing output %s: %v", f, err)
		}
	}
}

func TestRunUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no-args", nil, 2},
		{"not-name-path", []string{"nginx"}, 2},
		{"missing-file", []string{"a=" + filepath.Join(dir, "nope.json")}, 1},
		{"empty-dir", []string{"a=" + dir}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if got := run(tc.args, &stderr); got != tc.want {
				t.Errorf("run(%q) = %d; want %d", tc.args, got, tc.want)
			}
		})
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
