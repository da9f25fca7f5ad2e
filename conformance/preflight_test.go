package conformance

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/corpus"
)

// fixtureAnswer answers one request per connection: respond gives the raw
// answer for the request target.
func fixtureAnswer(respond func(target string) string) func(net.Conn) {
	return func(c net.Conn) {
		br := bufio.NewReader(c)
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		for {
			l, err := br.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			return
		}
		io.WriteString(c, respond(f[1]))
	}
}

func fixtureBody(p string) []byte {
	for _, f := range corpus.Fixture() {
		if f.Path == p {
			return f.Data
		}
	}
	return nil
}

// withLastModified answers with the fixture file and a Last-Modified field.
func withLastModified(date string) func(string) string {
	return func(p string) string {
		b := fixtureBody(p)
		return fmt.Sprintf("HTTP/1.1 200 OK\r\nLast-Modified: %s\r\nContent-Length: %d\r\n\r\n%s", date, len(b), b)
	}
}

func TestPreflight(t *testing.T) {
	lengthed := func(p string) string {
		b := fixtureBody(p)
		return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(b), b)
	}
	chunked := func(p string) string {
		b := fixtureBody(p)
		return fmt.Sprintf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(b), b)
	}
	closeDelimited := func(p string) string { return "HTTP/1.1 200 OK\r\n\r\n" + string(fixtureBody(p)) }
	on := func(path string, other func(string) string) func(string) string {
		return func(p string) string {
			if p == path {
				return other(p)
			}
			return lengthed(p)
		}
	}
	// under serves the fixture below /sub/ only; everything else is 404.
	under := func(p string) string {
		if rest, ok := strings.CutPrefix(p, "/sub/"); ok {
			return lengthed("/" + rest)
		}
		return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
	}
	tests := []struct {
		name     string
		respond  func(string) string
		wantPath string // "" : no error
		wantText string
	}{
		{"prefix-served", under, "", ""},
		{"prefix-not-given", under, "/canary.txt", "status 404, want 200"},
		{"prefix-wrong", under, "/other/canary.txt", "status 404, want 200"},
		{"prefix-but-served-at-root", lengthed, "/sub/canary.txt", "the fixture is served at /, not below /sub/ (drop --prefix"},
		{"content-length", lengthed, "", ""},
		{"chunked", chunked, "", ""},
		{"close-delimited", closeDelimited, "", ""},
		{"index-redirected-to-dir", func(p string) string {
			switch p {
			case "/index.html":
				return "HTTP/1.1 301 Moved Permanently\r\nLocation: ./\r\nContent-Length: 0\r\n\r\n"
			case "/":
				return lengthed("/index.html")
			}
			return lengthed(p)
		}, "", ""},
		{"redirect-elsewhere", on("/index.html", func(string) string {
			return "HTTP/1.1 302 Found\r\nLocation: https://example.com/\r\nContent-Length: 0\r\n\r\n"
		}), "/index.html", "status 302, want 200"},
		{"redirect-to-login", func(p string) string {
			switch p {
			case "/canary.txt":
				return "HTTP/1.1 302 Found\r\nLocation: http://localhost/login\r\nContent-Length: 0\r\n\r\n"
			case "/login":
				return "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nlogin\n"
			}
			return lengthed(p)
		}, "/canary.txt", "redirected (302) to /login: 6 bytes starting \"login\\n\""},
		{"canary-404", on("/canary.txt", func(string) string { return "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n" }), "/canary.txt", "status 404, want 200"},
		{"a-same-length-other-bytes", on("/a.txt", func(p string) string {
			b := fixtureBody(p)
			b2 := append([]byte(nil), b...)
			b2[500] = '!'
			return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s", len(b2), b2)
		}), "/a.txt", "differs from the fixture's at byte 500"},
		{"index-shorter", on("/index.html", func(string) string { return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi" }), "/index.html", "2 bytes starting \"hi\""},
		{"not-http", on("/canary.txt", func(string) string { return "SSH-2.0-OpenSSH_9.6\r\n" }), "/canary.txt", "not an HTTP/1.1 response"},
		{"tls-alert", on("/canary.txt", func(string) string { return "\x15\x03\x01\x00\x02\x02\x46" }), "/canary.txt", "incomplete response after 7 bytes (connection closed); is --tls right?"},
		{"silent-close", on("/canary.txt", func(string) string { return "" }), "/canary.txt", "no response (connection closed)"},
		// The fixture's file times: the canary's Last-Modified must be the
		// fixture's 2024-01-01 when it is sent at all.
		{"canary-fixture-time", on("/canary.txt", withLastModified("Mon, 01 Jan 2024 00:00:00 GMT")), "", ""},
		{"canary-no-last-modified", lengthed, "", ""},
		{"canary-unreadable-date", on("/canary.txt", withLastModified("yesterday")), "", ""},
		{"canary-copied-without-times", on("/canary.txt", withLastModified("Sat, 05 Dec 2026 07:10:00 GMT")), "/canary.txt",
			"Last-Modified: Sat, 05 Dec 2026 07:10:00 GMT, want the fixture's Mon, 01 Jan 2024 00:00:00 GMT: the fixture's file times were not kept (the conditional-request cases compare dates with them): copy it with cp -a / rsync -a"},
	}
	prefixes := map[string]string{"prefix-served": "/sub/", "prefix-wrong": "/other/", "prefix-but-served-at-root": "/sub/"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := serve(t, fixtureAnswer(tc.respond))
			cfg := testConfig(addr)
			cfg.Prefix = prefixes[tc.name]
			_, err := Preflight(context.Background(), cfg)
			if tc.wantPath == "" {
				if err != nil {
					t.Fatalf("Preflight = %v; want nil", err)
				}
				return
			}
			var fe *FixtureError
			if !errors.As(err, &fe) || fe.Path != tc.wantPath || !strings.Contains(fe.Problem, tc.wantText) {
				t.Fatalf("Preflight = %v; want a FixtureError for %s containing %q", err, tc.wantPath, tc.wantText)
			}
		})
	}
}

// PreflightRoot takes any accepting answer to GET / (under the prefix)
// and records its status; a rejection is refused, saying why.
func TestPreflightRoot(t *testing.T) {
	tests := []struct {
		name, prefix, resp string
		wantStatus         int
		wantErr            string
	}{
		{"200", "", "HTTP/1.1 200 OK\r\nServer: app/2\r\nContent-Length: 5\r\n\r\nhello", 200, ""},
		{"404-app", "", "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 404, ""},
		{"redirect", "", "HTTP/1.1 302 Found\r\nLocation: /login\r\nContent-Length: 0\r\n\r\n", 302, ""},
		{"under-prefix", "/sub/", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 200, ""},
		{"400", "", "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 0, "status 400: a plain GET / with Host: localhost is refused"},
		{"503", "", "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", 0, "status 503"},
		{"silent", "", "", 0, "no response"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			askedc := make(chan string, 4)
			addr := serve(t, fixtureAnswer(func(p string) string { askedc <- p; return tc.resp }))
			cfg := testConfig(addr)
			cfg.Prefix = tc.prefix
			info, err := PreflightRoot(context.Background(), cfg)
			if tc.wantErr == "" {
				if err != nil || info.RootStatus != tc.wantStatus {
					t.Fatalf("PreflightRoot = %+v, %v; want status %d", info, err, tc.wantStatus)
				}
				want := tc.prefix
				if want == "" {
					want = "/"
				}
				if asked := <-askedc; asked != want {
					t.Errorf("asked for %q; want %q", asked, want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("PreflightRoot = %+v, %v; want an error containing %q", info, err, tc.wantErr)
			}
		})
	}
}
