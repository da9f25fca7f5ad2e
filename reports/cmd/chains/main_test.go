package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
	"github.com/ferrox/ferrox/reports"
)

// writeReport writes a one-case JSON report to path: a chain run when
// origin is set, with a smuggled finding when smuggled is.
func writeReport(t *testing.T, path, origin string, smuggled bool) {
	t.Helper()
	raw := []byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
	r := conformance.Result{
		Case: corpus.Case{ID: "smuggle-demo", Section: "RFC9112 11.2", Group: "smuggling", Level: corpus.Safety,
			Expect: []corpus.Outcome{{Status: "400", Close: true}}, Raw: raw},
		Verdict:  conformance.Pass,
		Observed: conformance.Observed{Sent: raw, End: conformance.EndFIN},
	}
	if origin != "" {
		r.Chain = &conformance.Chain{Intent: conformance.ReadIntent(raw)}
	}
	if smuggled {
		r.Verdict = conformance.Fail
		r.Chain.Upstreams = []conformance.Upstream{{Conn: 1, Raw: []byte("GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"), Closed: "front end",
			Requests: []conformance.Message{{Method: "GET", Target: "/smuggled", Tag: "c1 r1"}}}}
		r.Chain.Findings = []conformance.Finding{{Kind: conformance.FindSmuggled, Severity: conformance.Fail, Detail: "GET /smuggled reached the origin", Conn: 1, Seq: 1}}
	}
	run := &conformance.Run{Target: "127.0.0.1:18201", Origin: origin,
		Started: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC), Results: []conformance.Result{r}}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := reports.ConformJSON(run)(&buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	if strings.HasSuffix(path, ".gz") {
		var zb bytes.Buffer
		zw := gzip.NewWriter(&zb)
		if _, err := zw.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		data = zb.Bytes()
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	writeReport(t, filepath.Join(dir, "nginx", "conformance.json"), "127.0.0.1:18301", true)
	writeReport(t, filepath.Join(dir, "haproxy.json.gz"), "127.0.0.1:18303", false)
	writeReport(t, filepath.Join(dir, "x", "conformance.json.gz"), "127.0.0.1:18310", false)
	out := filepath.Join(dir, "out")
	var stderr bytes.Buffer
	args := []string{"-out", out, filepath.Join(dir, "nginx") + "/", filepath.Join(dir, "haproxy.json.gz"), "goproxy=" + filepath.Join(dir, "x")}
	if code := run(args, &stderr); code != 0 {
		t.Fatalf("run(%q) = %d; want 0; stderr:\n%s", args, code, stderr.String())
	}
	md, err := os.ReadFile(filepath.Join(out, "matrix.md"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "| `smuggle-demo` | smuggling | safety | ✗ smuggled | ✓ | ✓ |"; !strings.Contains(string(md), want) {
		t.Errorf("matrix.md lacks %q:\n%s", want, md)
	}
	if want := "| Front end | Pass |"; !strings.Contains(string(md), want) {
		t.Errorf("matrix.md lacks %q:\n%s", want, md)
	}
	html, err := os.ReadFile(filepath.Join(out, "matrix.html"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `id="f-nginx--smuggle-demo"`; !strings.Contains(string(html), want) {
		t.Errorf("matrix.html lacks %q", want)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	writeReport(t, filepath.Join(dir, "single", "conformance.json"), "", false)
	writeReport(t, filepath.Join(dir, "a", "conformance.json"), "127.0.0.1:18301", false)
	if err := os.WriteFile(filepath.Join(dir, "bad.json.gz"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no-args", nil, 2},
		{"empty-name", []string{"=" + filepath.Join(dir, "a")}, 2},
		{"same-name", []string{filepath.Join(dir, "a"), "a=" + filepath.Join(dir, "a")}, 2},
		{"missing-file", []string{filepath.Join(dir, "nope.json")}, 1},
		{"no-report-in-dir", []string{dir}, 1},
		{"not-a-chain-run", []string{filepath.Join(dir, "single")}, 1},
		{"not-gzip", []string{filepath.Join(dir, "bad.json.gz")}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			args := append([]string{"-out", filepath.Join(dir, "out")}, tc.args...)
			if code := run(args, &stderr); code != tc.want {
				t.Errorf("run(%q) = %d; want %d; stderr:\n%s", args, code, tc.want, stderr.String())
			}
		})
	}
}
