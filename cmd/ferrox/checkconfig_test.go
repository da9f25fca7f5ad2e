package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/config"
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

// TestCheckConfigAgreesWithServe: for every configuration path (routes,
// spa_fallback, error pages), check-config and serve's start accept or
// reject alike, with the same messages; what both accept, serve serves.
func TestCheckConfigAgreesWithServe(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	for name, body := range map[string]string{"a.txt": "alpha\n", "404.html": "<p>gone</p>\n", "sub/b.txt": "beta\n"} {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"out.txt":   filepath.Join(outside, "secret.txt"), // leaves the root
		"outdir":    outside,                              // a directory outside
		"in.txt":    "a.txt",                              // stays inside
		"upout.txt": "../" + filepath.Base(outside) + "/secret.txt",
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	cases := []struct {
		name  string
		files string // the files: section
		ok    bool
		msg   string // with !ok: a substring of every output
		get   string // with ok: a path that must answer 200 with want
		want  string
	}{
		{"route ok", "  routes:\n    /r: a.txt\n", true, "", "/r", "alpha\n"},
		{"route in subdir", "  routes:\n    /r: sub/b.txt\n", true, "", "/r", "beta\n"},
		{"route symlink inside", "  routes:\n    /r: in.txt\n", true, "", "/r", "alpha\n"},
		{"route missing", "  routes:\n    /r: nope.txt\n", false, "files.routes./r: " + filepath.Join(root, "nope.txt") + ": no such file", "", ""},
		{"route dotdot", "  routes:\n    /r: ../x.txt\n", false, `"../x.txt" must be a relative path inside paths.serve_dir`, "", ""},
		{"route absolute", "  routes:\n    /r: /etc/hostname\n", false, `"/etc/hostname" must be a relative path inside paths.serve_dir (absolute paths are refused`, "", ""},
		{"route symlink out", "  routes:\n    /r: out.txt\n", false, `"out.txt" leads outside paths.serve_dir`, "", ""},
		{"route through dir symlink out", "  routes:\n    /r: outdir/secret.txt\n", false, `"outdir/secret.txt" leads outside paths.serve_dir`, "", ""},
		{"route relative symlink out", "  routes:\n    /r: upout.txt\n", false, `"upout.txt" leads outside paths.serve_dir`, "", ""},
		{"route directory", "  routes:\n    /r: sub\n", false, "is a directory, not a file", "", ""},
		{"spa ok", "  spa_fallback: a.txt\n", true, "", "/app/page", "alpha\n"},
		{"spa absolute", "  spa_fallback: /etc/hostname\n", false, "files.spa_fallback: \"/etc/hostname\" must be a relative path", "", ""},
		{"spa symlink out", "  spa_fallback: out.txt\n", false, "files.spa_fallback: \"out.txt\" leads outside", "", ""},
		{"error page ok", "  error_pages:\n    404: 404.html\n", true, "", "", ""},
		{"error page absolute", "  error_pages:\n    404: /etc/hostname\n", false, "files.error_pages.404: \"/etc/hostname\" must be a relative path", "", ""},
		{"error page symlink out", "  error_pages:\n    404: out.txt\n", false, "files.error_pages.404: \"out.txt\" leads outside", "", ""},
		{"error page missing", "  error_pages:\n    500: nope.html\n", false, "files.error_pages.500: " + filepath.Join(root, "nope.html") + ": no such file", "", ""},
	}
	dir := t.TempDir()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			port := freePort(t)
			file := filepath.Join(dir, fmt.Sprintf("c%d.yml", i))
			body := fmt.Sprintf("paths:\n  serve_dir: %s\nserver:\n  port: %d\nlogs:\n  access_log: \"off\"\nfiles:\n%s", root, port, c.files)
			if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			var ccOut, ccErr, sErr bytes.Buffer
			ccCode := run([]string{"check-config", file}, &ccOut, &ccErr)
			site, sCode := startSite(file, &config.Overrides{}, io.Discard, &sErr, nil)
			if site != nil {
				defer site.Close()
			}
			if ccErr.String() != sErr.String() || ccCode != sCode {
				t.Fatalf("check-config = %d %q; serve = %d %q; want the same", ccCode, ccErr.String(), sCode, sErr.String())
			}
			if !c.ok {
				if ccCode != 2 || !strings.Contains(ccErr.String(), c.msg) || !strings.Contains(ccErr.String(), fmt.Sprintf("%s:", file)) {
					t.Fatalf("check-config = %d %q; want 2 and file:line:col %q", ccCode, ccErr.String(), c.msg)
				}
				return
			}
			if ccCode != 0 || site == nil {
				t.Fatalf("check-config = %d %q; serve = %d %q; want both to accept", ccCode, ccErr.String(), sCode, sErr.String())
			}
			if c.get == "" {
				return
			}
			failed := make(chan error, 4)
			site.Start(failed)
			defer site.Shutdown(context.Background())
			resp, got, err := get(site.Listening[0].Ln.Addr().String(), c.get)
			if err != nil || resp.StatusCode != 200 || got != c.want {
				t.Errorf("GET %s = %v %q %v; want 200 %q", c.get, resp, got, err, c.want)
			}
		})
	}
}

// freePort returns a loopback port free at the time of the call, for a
// server the test starts later (a child process needs a number, not a
// listener). It is taken outside the kernel's ephemeral range (Linux's
// default is 32768-60999) and outside the 18000s that scripts use: a port
// that ":0" hands out can be taken as the local port of any outgoing
// connection in the meantime (parallel test packages make thousands), and
// the server's bind then fails with "address already in use".
func freePort(t *testing.T) int {
	t.Helper()
	for range 200 {
		port := 20000 + rand.IntN(12000)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err != nil {
			continue
		}
		l.Close()
		return port
	}
	t.Fatal("freePort: no free loopback port in 20000-31999 after 200 tries")
	return 0
}

// freeAddr is freePort as a 127.0.0.1:port address.
func freeAddr(t *testing.T) string {
	t.Helper()
	return fmt.Sprintf("127.0.0.1:%d", freePort(t))
}

// get makes one request on a new connection and returns the response
// with its body read.
func get(addr, path string) (*http.Response, string, error) {
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
		return nil, "", err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}
