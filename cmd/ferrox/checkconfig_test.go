package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckConfig(t *testing.T) {
	certA, keyA := devPair(t)
	_, keyB := devPair(t)
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	root := "paths:\n  serve_dir: " + t.TempDir() + "\n"
	tlsYAML := root + "tls:\n  enabled: true\n  cert_path: %s\n  key_path: %s\n"
	cases := []struct {
		name, body string
		code       int
		out        string // substring of stdout (code 0) or stderr
	}{
		{"ok.yml", root + "server:\n  port: 9000\n", 0, "ok.yml: ok"},
		{"unknown.yml", "server:\n  prot: 9000\n", 2, "unknown.yml:2:3:"},
		{"missing-root.yml", "paths:\n  serve_dir: /nonexistent/ferrox\n", 2, "missing-root.yml:2:3: paths.serve_dir"},
		{"tls-ok.yml", fmt.Sprintf(tlsYAML, certA, keyA), 0, ": ok"},
		{"tls-mismatch.yml", fmt.Sprintf(tlsYAML, certA, keyB), 2, "tls.key_path: " + keyB + ": private key does not match certificate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := write(c.name, c.body)
			var stdout, stderr bytes.Buffer
			code := run([]string{"check-config", p}, &stdout, &stderr)
			got := stdout.String()
			if code != 0 {
				got = stderr.String()
			}
			if code != c.code || !strings.Contains(got, c.out) {
				t.Errorf("check-config %s = %d, %q; want %d and %q", c.name, code, got, c.code, c.out)
			}
		})
	}
}

// TestCheckConfigEveryError: every problem is its own line on stderr, in
// file order, and nothing goes to stdout.
func TestCheckConfigEveryError(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.yml")
	body := "paths:\n  serve_dir: " + t.TempDir() + "\nserver:\n  prot: 1\nlimits:\n  max_body_bytes: lots\ntimeouts:\n  idle: soon\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"check-config", p}, &stdout, &stderr)
	want := p + `:4:3: unknown key "prot"; did you mean server.port?` + "\n" +
		p + `:6:19: limits.max_body_bytes: want a whole number of bytes, got "lots"` + "\n" +
		p + `:8:9: timeouts.idle: want a duration such as 10s or 500ms, got "soon"` + "\n"
	if code != 2 || stdout.Len() != 0 || stderr.String() != want {
		t.Errorf("check-config = %d, stdout %q, stderr:\n%s\nwant 2, nothing, stderr:\n%s", code, stdout.String(), stderr.String(), want)
	}
}
