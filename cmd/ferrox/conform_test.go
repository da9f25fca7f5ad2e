package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/corpus"
	"github.com/ferrox/ferrox/internal/testnet"
)

// fakeCorpus replaces the corpus for one test.
func fakeCorpus(t *testing.T, cases []corpus.Case) {
	t.Helper()
	old := corpusCases
	corpusCases = func() ([]corpus.Case, error) { return cases, nil }
	t.Cleanup(func() { corpusCases = old })
}

func testCases() []corpus.Case {
	return []corpus.Case{
		{ID: "ok-get", Section: "RFC9112 3", Level: corpus.MUST, Mode: corpus.SendWhole, Canary: true,
			Expect: []corpus.Outcome{{Status: "200"}}, Raw: []byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")},
		{ID: "ok-head", Section: "RFC9110 9.3.2", Level: corpus.SHOULD, Mode: corpus.SendWhole,
			Expect: []corpus.Outcome{{Status: "200"}}, Raw: []byte("HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n")},
		{ID: "reject-space-colon", Section: "RFC9112 5.1", Level: corpus.MUST, Mode: corpus.SendWhole,
			Expect: []corpus.Outcome{{Status: "400", Close: true}}, Raw: []byte("GET / HTTP/1.1\r\nHost : localhost\r\n\r\n")},
		{ID: "may-thing", Section: "RFC9112 2.2", Level: corpus.MAY, Mode: corpus.SendWhole,
			Expect: []corpus.Outcome{{Status: "200"}}, Raw: []byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")},
	}
}

// okServer answers every request head with 200 and keeps the connection:
// the fixture files with their content, any other path with "ok\n".
func okServer(t *testing.T) string {
	t.Helper()
	return fixtureServer(t, nil)
}

// fixtureServer is okServer with answers replaced: override, when set,
// gives the raw response for a path (ok false: the fixture's answer).
func fixtureServer(t *testing.T, override func(path string) (string, bool)) string {
	t.Helper()
	return testnet.Listen(t, fixtureHandler(override))
}

// fixtureHandler is the connection handler of fixtureServer.
func fixtureHandler(override func(path string) (string, bool)) func(net.Conn) {
	files := map[string][]byte{}
	for _, f := range corpus.Fixture() {
		files[f.Path] = f.Data
	}
	return func(c net.Conn) {
		br := bufio.NewReader(c)
		head, target := false, ""
		for range 1000 {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if target == "" {
				f := strings.Fields(l)
				if len(f) >= 2 {
					head, target = f[0] == "HEAD", f[1]
				}
			}
			if l != "\r\n" {
				continue
			}
			body, ok := files[target]
			if !ok {
				body = []byte("ok\n")
			}
			resp := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", len(body))
			if !head {
				resp += string(body)
			}
			if override != nil {
				if r, ok := override(target); ok {
					resp = r
				}
			}
			io.WriteString(c, resp)
			head, target = false, ""
		}
	}
}

func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestConformUsageErrors(t *testing.T) {
	fakeCorpus(t, testCases())
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"bad-flag", []string{"--bogus"}, "flag provided but not defined"},
		{"bad-glob", []string{"--list", "--cases", "ok-[", "--target", "127.0.0.1:1"}, "--cases"},
		{"no-match", []string{"--list", "--cases", "nothing-*"}, "no case matches"},
		{"bad-level", []string{"--level", "strict"}, "--level"},
		{"bad-format", []string{"--format", "pdf"}, "--format"},
		{"no-target", nil, "--target"},
		{"bad-target", []string{"--target", "localhost"}, "HOST:PORT"},
		{"unreachable", []string{"--target", closedPort(t)}, "cannot reach"},
		{"extra-arg", []string{"--target", "127.0.0.1:1", "extra"}, "unexpected argument"},
		{"bad-prefix", []string{"--target", "127.0.0.1:1", "--prefix", "/a/../b/"}, "--prefix"},
		{"prefix-with-via", []string{"--via", "127.0.0.1:1", "--prefix", "/a/"}, "--prefix is for --target"},
		{"no-fixture-none-selected", []string{"--list", "--no-fixture"}, "--no-fixture"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(append([]string{"conform"}, tc.args...), &out, &errb)
			if code != 2 || !strings.Contains(errb.String(), tc.wantErr) {
				t.Errorf("run(conform %q) = %d, stderr %q; want 2 and a message containing %q", tc.args, code, errb.String(), tc.wantErr)
			}
		})
	}
}

// TestConformRefusesRemote: without --allow-remote, conform refuses every
// remote target before dialling, in the same words as load; host names are
// resolved (through a fake resolver here), not trusted by spelling.
func TestConformRefusesRemote(t *testing.T) {
	fakeCorpus(t, testCases())
	for _, tc := range remoteTargets {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			args := []string{"--target", tc.target, "--out", dir}
			var out, errb bytes.Buffer
			code := runConform(args, &out, &errb, loadResolver)
			if want := refusal("conform", tc.target, tc.detail); code != 2 || errb.String() != want {
				t.Errorf("runConform(%q) = %d, stderr %q; want 2 and %q", args, code, errb.String(), want)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Errorf("runConform(%q) created %s; want refusal before any run", args, dir)
			}
		})
	}
	// A name is resolved: one that resolves to loopback passes the guard
	// and reaches the (closed) port.
	var out, errb bytes.Buffer
	_, port, _ := net.SplitHostPort(closedPort(t))
	args := []string{"--target", "localhost:" + port}
	if code := runConform(args, &out, &errb, loadResolver); code != 2 || strings.Contains(errb.String(), "refusing") {
		t.Errorf("runConform(%q) = %d, stderr %q; want 2 from the probe, not a refusal", args, code, errb.String())
	}
}

func TestConformList(t *testing.T) {
	fakeCorpus(t, testCases())
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"all", []string{"--list"}, []string{"ok-get", "ok-head", "reject-space-colon", "may-thing"}},
		{"must", []string{"--list", "--level", "must"}, []string{"ok-get", "reject-space-colon"}},
		{"should", []string{"--list", "--level", "should"}, []string{"ok-get", "ok-head", "reject-space-colon"}},
		{"glob-list", []string{"--list", "--cases", "ok-h*,reject-*"}, []string{"ok-head", "reject-space-colon"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(append([]string{"conform"}, tc.args...), &out, &errb); code != 0 {
				t.Fatalf("run(conform %q) = %d (stderr %q); want 0", tc.args, code, errb.String())
			}
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				got = append(got, strings.Fields(l)[0])
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("run(conform %q) listed %q; want %q", tc.args, got, tc.want)
			}
		})
	}
}

func TestConformRun(t *testing.T) {
	fakeCorpus(t, testCases())
	addr := okServer(t)
	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantOut   []string
		wantFiles []string
	}{
		{"pass", []string{"--cases", "ok-*", "--format", "md,json,junit,html"}, 0,
			[]string{"2 cases: 2 pass, 0 fail"},
			[]string{"conformance.md", "coverage.md", "conformance.json", "junit.xml", "conformance.html"}},
		{"must-fail", []string{"--level", "must", "--format", "json"}, 1,
			[]string{"2 cases: 1 pass, 1 fail", "fail  reject-space-colon"},
			[]string{"conformance.json"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			args := append([]string{"conform", "--target", addr, "--timeout", "300ms", "--out", dir}, tc.args...)
			var out, errb bytes.Buffer
			code := run(args, &out, &errb)
			if code != tc.wantCode {
				t.Errorf("run(%q) = %d; want %d\nstdout: %s\nstderr: %s", args, code, tc.wantCode, out.String(), errb.String())
			}
			for _, w := range tc.wantOut {
				if !strings.Contains(out.String(), w) {
					t.Errorf("run(%q) stdout %q; want it to contain %q", args, out.String(), w)
				}
			}
			for _, f := range tc.wantFiles {
				st, err := os.Stat(filepath.Join(dir, f))
				if err != nil || st.Size() == 0 {
					t.Errorf("report %s: %v (size %v); want a non-empty file", f, err, st)
				}
			}
			if !strings.Contains(errb.String(), "done in") {
				t.Errorf("stderr %q; want a final progress line", errb.String())
			}
		})
	}
}

func TestConformFixture(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "root")
	var out, errb bytes.Buffer
	if code := run([]string{"conform", "--fixture", dir}, &out, &errb); code != 0 {
		t.Fatalf("run(conform --fixture) = %d (stderr %q); want 0", code, errb.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "canary.txt"))
	if err != nil || string(b) != "canary\n" {
		t.Errorf("fixture canary.txt = %q, %v; want \"canary\\n\"", b, err)
	}
}

// The real corpus loads and --list shows every case at --level all.
func TestConformListRealCorpus(t *testing.T) {
	all, err := corpus.All()
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"conform", "--list"}, &out, &errb); code != 0 {
		t.Fatalf("run(conform --list) = %d (stderr %q); want 0", code, errb.String())
	}
	if got := strings.Count(out.String(), "\n"); got != len(all) {
		t.Errorf("run(conform --list) printed %d lines; want %d", got, len(all))
	}
}

// TestConformPreflight: a target that does not serve the fixture is
// refused before any case runs, naming the file and the remedy;
// --no-preflight runs the cases anyway.
func TestConformPreflight(t *testing.T) {
	fakeCorpus(t, testCases())
	answer := func(path, resp string) func(string) (string, bool) {
		return func(p string) (string, bool) { return resp, p == path }
	}
	tests := []struct {
		name     string
		override func(string) (string, bool)
		extra    []string
		wantCode int
		wantErr  []string
	}{
		{"served", nil, nil, 0, nil},
		{"canary-404", answer("/canary.txt", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), nil, 2,
			[]string{"GET /canary.txt: status 404, want 200", "ferrox conform --fixture DIR", "document root", "--no-preflight"}},
		{"a-different", answer("/a.txt", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"), nil, 2,
			[]string{"GET /a.txt: 3 bytes starting \"ok\\n\", want the fixture's 1000 bytes"}},
		{"index-different", answer("/index.html", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"), nil, 2,
			[]string{"GET /index.html:"}},
		{"skipped", answer("/a.txt", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), []string{"--no-preflight"}, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := fixtureServer(t, tc.override)
			dir := t.TempDir()
			args := append([]string{"conform", "--target", addr, "--timeout", "300ms", "--out", dir, "--cases", "ok-*", "--format", "json"}, tc.extra...)
			var out, errb bytes.Buffer
			code := run(args, &out, &errb)
			if code != tc.wantCode {
				t.Fatalf("run(%q) = %d; want %d\nstdout: %s\nstderr: %s", args, code, tc.wantCode, out.String(), errb.String())
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("run(%q) stderr %q; want it to contain %q", args, errb.String(), w)
				}
			}
			_, err := os.Stat(filepath.Join(dir, "conformance.json"))
			if ran := err == nil; ran != (tc.wantCode == 0) {
				t.Errorf("run(%q): report written = %t; want %t (no case runs after a failed preflight)", args, ran, tc.wantCode == 0)
			}
		})
	}
}

// underHandler serves the fixture below prefix ("/sub/") and 404 for every
// other path: a site where the fixture lives under a path.
func underHandler(prefix string) func(net.Conn) {
	inner := fixtureHandler(nil)
	return func(c net.Conn) {
		inner(&rewriteConn{Conn: c, prefix: prefix})
	}
}

// rewriteConn strips prefix from request targets on the way in, and turns
// a target outside it into /outside-the-prefix, which the answer below
// makes a 404.
type rewriteConn struct {
	net.Conn
	prefix string
	buf    []byte
}

func (r *rewriteConn) Read(p []byte) (int, error) {
	if len(r.buf) == 0 {
		b := make([]byte, 32<<10)
		n, err := r.Conn.Read(b)
		if n == 0 {
			return 0, err
		}
		s := string(b[:n])
		for _, m := range []string{"GET ", "HEAD ", "POST "} {
			s = strings.ReplaceAll(s, m+"/canary.txt", m+"/outside-the-prefix")
			s = strings.ReplaceAll(s, m+r.prefix, m+"/")
		}
		r.buf = []byte(s)
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

func (r *rewriteConn) Write(p []byte) (int, error) {
	if bytes.Contains(p, []byte("\r\n\r\nok\n")) {
		// /outside-the-prefix and other unknown paths: 404.
		return r.Conn.Write([]byte("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
	}
	return r.Conn.Write(p)
}

// TestConformPrefix: with the fixture below /sub/, a run without --prefix
// stops in the preflight naming /canary.txt; with --prefix /sub/ the
// cases run below it, and the report says where the fixture was.
func TestConformPrefix(t *testing.T) {
	fakeCorpus(t, testCases())
	addr := testnet.Listen(t, underHandler("/sub/"))
	dir := t.TempDir()
	var out, errb bytes.Buffer
	base := []string{"conform", "--target", addr, "--timeout", "300ms", "--out", dir, "--cases", "ok-get", "--format", "json"}
	if code := run(base, &out, &errb); code != 2 || !strings.Contains(errb.String(), "GET /canary.txt: status 404") || !strings.Contains(errb.String(), "--prefix /PATH/") {
		t.Fatalf("without --prefix: %d, stderr %q; want 2 naming /canary.txt and --prefix", code, errb.String())
	}
	out.Reset()
	errb.Reset()
	if code := run(append(base, "--prefix", "sub"), &out, &errb); code != 0 {
		t.Fatalf("with --prefix sub: %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "conformance.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"prefix": "/sub/"`, `"schema": "ferrox.conformance/v3"`, `GET /sub/ HTTP/1.1`, `"options": "--target ` + addr} {
		if !strings.Contains(string(b), want) {
			t.Errorf("conformance.json lacks %q", want)
		}
	}
	if !strings.Contains(out.String(), "fixture at /sub/") {
		t.Errorf("stdout %q; want the provenance line naming the prefix", out.String())
	}
}

// TestConformNoFixture: --no-fixture runs only the fixture-free cases and
// its preflight asks only for /: a server that 404s the fixture files is
// graded; one that rejects GET / is refused with the reason.
func TestConformNoFixture(t *testing.T) {
	cases := append(testCases(), corpus.Case{ID: "msg-get", Section: "RFC9112 3", Level: corpus.MUST, Mode: corpus.SendWhole, Canary: true,
		FixtureFree: true, Group: "message", Expect: []corpus.Outcome{{Status: corpus.Accept}}, Raw: []byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")})
	fakeCorpus(t, cases)
	notFound := "HTTP/1.1 404 Not Found\r\nServer: app/1\r\nContent-Length: 0\r\n\r\n"
	tests := []struct {
		name     string
		root     string
		wantCode int
		wantOut  string
	}{
		{"root-404", notFound, 0, "1 cases: 1 pass"},
		{"root-400", "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 2, "GET / on"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := fixtureServer(t, func(string) (string, bool) { return tc.root, true })
			dir := t.TempDir()
			var out, errb bytes.Buffer
			args := []string{"conform", "--target", addr, "--timeout", "300ms", "--out", dir, "--no-fixture", "--format", "md"}
			code := run(args, &out, &errb)
			if code != tc.wantCode || !strings.Contains(out.String()+errb.String(), tc.wantOut) {
				t.Fatalf("run(%q) = %d; want %d and %q\nstdout %s\nstderr %s", args, code, tc.wantCode, tc.wantOut, out.String(), errb.String())
			}
			if code == 0 && !strings.Contains(out.String(), `server "app/1"`) {
				t.Errorf("stdout %q; want the Server header from the preflight", out.String())
			}
			if code != 0 {
				return
			}
			// No fixture was asked for: neither the summary nor the report
			// may claim one.
			if !strings.Contains(out.String(), "no fixture (message cases at /)") || strings.Contains(out.String(), "fixture at /") {
				t.Errorf("stdout %q; want \"no fixture (message cases at /)\", not \"fixture at /\"", out.String())
			}
			md, err := os.ReadFile(filepath.Join(dir, "conformance.md"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(md), "none (message cases at /)") {
				t.Errorf("conformance.md does not say that no fixture was used:\n%s", md)
			}
		})
	}
}
