package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadRequestShape: --method, --header, --body and --body-file shape
// every request the server sees.
func TestLoadRequestShape(t *testing.T) {
	bodyFile := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(bodyFile, []byte(`{"k":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id     string
		args   []string
		method string
		header map[string]string
		body   string
	}{
		{"default-get", nil, "GET", nil, ""},
		{"post-body", []string{"--method", "POST", "--body", "a=1"}, "POST", nil, "a=1"},
		{"put-body-file", []string{"--method", "PUT", "--body-file", bodyFile, "--header", "Content-Type: application/json"},
			"PUT", map[string]string{"Content-Type": "application/json"}, `{"k":1}`},
		{"headers", []string{"--header", "X-One: 1", "--header", "X-Two:  two words "}, "GET",
			map[string]string{"X-One": "1", "X-Two": "two words"}, ""},
		{"host-header", []string{"--header", "Host: example.test"}, "GET", map[string]string{"Host": "example.test"}, ""},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			rt := newRecordingTarget(t)
			args := append([]string{"--target", rt.URL + "/x", "--scenario", "keepalive", "--rate", "20",
				"--duration", "150ms", "--connections", "1", "--out", t.TempDir()}, c.args...)
			var stdout, stderr bytes.Buffer
			if code := cmdLoad(args, &stdout, &stderr); code != 0 {
				t.Fatalf("cmdLoad(%q) = %d; want 0\n%s%s", args, code, &stdout, &stderr)
			}
			rt.mu.Lock()
			defer rt.mu.Unlock()
			if len(rt.reqs) == 0 {
				t.Fatalf("cmdLoad(%q): no request reached the server", args)
			}
			for i, r := range rt.reqs {
				if r.Method != c.method || rt.body[i] != c.body {
					t.Fatalf("cmdLoad(%q): server saw %s with body %q; want %s with %q", args, r.Method, rt.body[i], c.method, c.body)
				}
				for k, v := range c.header {
					got := r.Header.Get(k)
					if k == "Host" {
						got = r.Host
					}
					if got != v {
						t.Fatalf("cmdLoad(%q): header %s = %q; want %q", args, k, got, v)
					}
				}
			}
		})
	}
}

// TestLoadTargetsFile: vegeta's http and json targets files drive the
// legitimate traffic; --header and --body are their defaults.
func TestLoadTargetsFile(t *testing.T) {
	rt := newRecordingTarget(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "body.txt"), []byte("from-file"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		id, format, text string
		extra            []string
		want             map[string]string // "METHOD URI" -> body
	}{
		{"http", "http", "# comment\nGET " + rt.URL + "/a\n\nPOST " + rt.URL + "/b?q=1\nX-T: 1\n@" + filepath.Join(dir, "body.txt") + "\n",
			nil, map[string]string{"GET /a": "", "POST /b?q=1": "from-file"}},
		{"http-default-body", "http", "PUT " + rt.URL + "/p\n", []string{"--body", "dflt"},
			map[string]string{"PUT /p": "dflt"}},
		{"json", "json", `{"method":"GET","url":"` + rt.URL + `/j1"}` + "\n\n" + `{"method":"POST","url":"` + rt.URL + `/j2","body":"aGk="}` + "\n",
			nil, map[string]string{"GET /j1": "", "POST /j2": "hi"}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			rt.mu.Lock()
			rt.reqs, rt.body = nil, nil
			rt.mu.Unlock()
			file := filepath.Join(dir, c.id+".txt")
			if err := os.WriteFile(file, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"--targets", file, "--format", c.format, "--scenario", "keepalive", "--rate", "40",
				"--duration", "200ms", "--connections", "1", "--header", "X-All: yes", "--out", t.TempDir()}, c.extra...)
			var stdout, stderr bytes.Buffer
			if code := cmdLoad(args, &stdout, &stderr); code != 0 {
				t.Fatalf("cmdLoad(%q) = %d; want 0\n%s%s", args, code, &stdout, &stderr)
			}
			rt.mu.Lock()
			defer rt.mu.Unlock()
			seen := map[string]bool{}
			for i, r := range rt.reqs {
				k := r.Method + " " + r.RequestURI
				want, ok := c.want[k]
				if !ok || rt.body[i] != want || r.Header.Get("X-All") != "yes" {
					t.Fatalf("cmdLoad(%q): server saw %s body %q X-All %q; want one of %v with X-All: yes", args, k, rt.body[i], r.Header.Get("X-All"), c.want)
				}
				seen[k] = true
			}
			if len(seen) != len(c.want) {
				t.Errorf("cmdLoad(%q): server saw %v; want all of %v", args, seen, c.want)
			}
		})
	}
}

// TestLoadTargetsFileErrors: a malformed or remote targets file is refused
// with file:line (or the host) and exit 2, before anything runs.
func TestLoadTargetsFileErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		id, format, text string
		want             string // in stderr, after the file name
	}{
		{"bad-method", "http", "GET http://127.0.0.1:1/a\n\nget http://127.0.0.1:1/b\n", ":3: bad method"},
		{"bad-header", "http", "# c\nGET http://127.0.0.1:1/a\nX-Ok: 1\nno-colon\n", ":4: bad header"},
		{"bad-url", "http", "\n\nGET ftp://127.0.0.1:1/a\n", `:3: "ftp://127.0.0.1:1/a" is not an http:// or https:// URL`},
		{"missing-body", "http", "POST http://127.0.0.1:1/a\n@/nonexistent/body\n", ":2: bad body"},
		{"json-syntax", "json", `{"method":"GET","url":"http://127.0.0.1:1/a"}` + "\n" + `{"method":"GET",` + "\n", ":2: "},
		{"json-no-method", "json", "\n" + `{"url":"http://127.0.0.1:1/a"}` + "\n", ":2: target: required method is missing"},
		{"empty", "http", "# nothing\n", ": no targets"},
		{"unknown-format", "yaml", "GET http://127.0.0.1:1/\n", `--format "yaml"`},
		{"remote-host", "http", "GET http://127.0.0.1:1/a\n\nGET http://example.com/b\n", "refusing target example.com"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			file := filepath.Join(dir, c.id+".targets")
			if err := os.WriteFile(file, []byte(c.text), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, c.id+"-out")
			args := []string{"--targets", file, "--format", c.format, "--scenario", "keepalive", "--out", out}
			var stdout, stderr bytes.Buffer
			code := runLoad(context.Background(), args, &stdout, &stderr, loadResolver)
			want := c.want
			if strings.HasPrefix(want, ":") {
				want = file + want
			}
			if code != 2 || !strings.Contains(stderr.String(), want) {
				t.Errorf("runLoad(%q) = %d, stderr %q; want 2 and %q", args, code, stderr.String(), want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("runLoad(%q) created %s; want refusal before any run", args, out)
			}
		})
	}
}
