package server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/wire"
)

// startRedirect runs the redirect handler on a loopback listener.
func startRedirect(t *testing.T, httpsPort int) string {
	t.Helper()
	before := runtime.NumGoroutine()
	s := mustNew(t, testSettings(), Options{Handler: RedirectHandler{HTTPSPort: httpsPort}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown = %v; want nil", err)
		}
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve = %v; want ErrServerClosed", err)
		}
		waitGoroutines(t, before)
	})
	return ln.Addr().String()
}

func TestRedirect(t *testing.T) {
	addr := startRedirect(t, 8443)
	cases := []struct {
		name   string
		req    string
		method string // for response framing; GET unless set
		status int
		loc    string // "" means: no Location field at all
	}{
		{"get", "GET /a.txt HTTP/1.1\r\nHost: example.com\r\n\r\n", "", 301, "https://example.com:8443/a.txt"},
		{"head", "HEAD /a.txt HTTP/1.1\r\nHost: example.com\r\n\r\n", "HEAD", 301, "https://example.com:8443/a.txt"},
		{"post keeps method", "POST /form HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nabc", "", 308, "https://example.com:8443/form"},
		{"put", "PUT /x HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n", "", 308, "https://example.com:8443/x"},
		{"unknown method", "FOO /x HTTP/1.1\r\nHost: example.com\r\n\r\n", "", 308, "https://example.com:8443/x"},
		{"host port stripped", "GET / HTTP/1.1\r\nHost: example.com:8080\r\n\r\n", "", 301, "https://example.com:8443/"},
		{"ipv6 literal", "GET /p HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", "", 301, "https://[::1]:8443/p"},
		{"ipv6 literal no port", "GET /p HTTP/1.1\r\nHost: [2001:db8::1]\r\n\r\n", "", 301, "https://[2001:db8::1]:8443/p"},
		{"ipv4", "GET /p HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n", "", 301, "https://127.0.0.1:8443/p"},
		{"query kept", "GET /s?q=a+b&x=%2F HTTP/1.1\r\nHost: h\r\n\r\n", "", 301, "https://h:8443/s?q=a+b&x=%2F"},
		{"empty query kept", "GET /s? HTTP/1.1\r\nHost: h\r\n\r\n", "", 301, "https://h:8443/s?"},
		{"path as received", "GET /a/../b/%7Ec//d HTTP/1.1\r\nHost: h\r\n\r\n", "", 301, "https://h:8443/a/../b/%7Ec//d"},
		{"absolute form authority wins", "GET http://other.example:81/x?y HTTP/1.1\r\nHost: h\r\n\r\n", "", 301, "https://other.example:8443/x?y"},
		{"absolute form no path", "GET http://other.example HTTP/1.1\r\nHost: h\r\n\r\n", "", 301, "https://other.example:8443/"},
		{"options asterisk", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", "", 308, "https://h:8443/"},
		{"http/1.0 with host", "GET /a HTTP/1.0\r\nHost: h\r\n\r\n", "", 301, "https://h:8443/a"},
		{"encoded crlf stays encoded", "GET /%0d%0aSet-Cookie:%20a=b HTTP/1.1\r\nHost: h\r\n\r\n", "", 301, "https://h:8443/%0d%0aSet-Cookie:%20a=b"},

		{"missing host", "GET / HTTP/1.1\r\n\r\n", "", 400, ""},
		{"http/1.0 without host", "GET / HTTP/1.0\r\n\r\n", "", 400, ""},
		{"duplicate host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "", 400, ""},
		{"empty host", "GET / HTTP/1.1\r\nHost: \r\n\r\n", "", 400, ""},
		{"port only host", "GET / HTTP/1.1\r\nHost: :8080\r\n\r\n", "", 400, ""},
		{"userinfo host", "GET / HTTP/1.1\r\nHost: evil@h\r\n\r\n", "", 400, ""},
		{"slash in host", "GET / HTTP/1.1\r\nHost: evil.example/x\r\n\r\n", "", 400, ""},
		{"space in host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", "", 400, ""},
		{"pct-encoded host", "GET / HTTP/1.1\r\nHost: evil%2eexample\r\n\r\n", "", 400, ""},
		{"sub-delims host", "GET / HTTP/1.1\r\nHost: a;b\r\n\r\n", "", 400, ""},
		{"bare cr in host", "GET / HTTP/1.1\r\nHost: a\rLocation: x\r\n\r\n", "", 400, ""},
		{"bare cr in target", "GET /a\rLocation:x HTTP/1.1\r\nHost: h\r\n\r\n", "", 400, ""},
		{"bare lf in target", "GET /a\nSet-Cookie: a HTTP/1.1\r\nHost: h\r\n\r\n", "", 400, ""},
		{"space in target", "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", "", 400, ""},
		{"non-ascii in target", "GET /\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", "", 400, ""},
		{"absolute form userinfo", "GET http://evil@h/ HTTP/1.1\r\nHost: h\r\n\r\n", "", 400, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			nc, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(10 * time.Second))
			if _, err := io.WriteString(nc, c.req); err != nil {
				t.Fatal(err)
			}
			method := c.method
			if method == "" {
				method = "GET"
			}
			resp, err := http.ReadResponse(bufio.NewReader(nc), &http.Request{Method: method})
			if err != nil {
				t.Fatalf("ReadResponse: %v", err)
			}
			io.Copy(io.Discard, resp.Body)
			loc, hasLoc := resp.Header["Location"]
			if resp.StatusCode != c.status {
				t.Errorf("%q → status %d; want %d", c.req, resp.StatusCode, c.status)
			}
			switch {
			case c.loc == "" && hasLoc:
				t.Errorf("%q → Location %q; want none", c.req, loc)
			case c.loc != "" && (len(loc) != 1 || loc[0] != c.loc):
				t.Errorf("%q → Location %q; want %q", c.req, loc, c.loc)
			}
			if sc := resp.Header.Values("Set-Cookie"); len(sc) > 0 {
				t.Errorf("%q → Set-Cookie %q; want none (response splitting)", c.req, sc)
			}
			if hsts := resp.Header.Get("Strict-Transport-Security"); hsts != "" {
				t.Errorf("%q → Strict-Transport-Security %q on plain HTTP; want none", c.req, hsts)
			}
		})
	}
}

// TestRedirectPort443 omits the https default port.
func TestRedirectPort443(t *testing.T) {
	for _, port := range []int{0, 443} {
		var p parser.Parser
		var req parser.Request
		if _, err := p.Parse([]byte("GET /x?y HTTP/1.1\r\nHost: example.com:80\r\n\r\n"), &req); err != nil {
			t.Fatal(err)
		}
		var resp wire.Response
		RedirectHandler{HTTPSPort: port}.Serve(&req, &resp)
		want := []wire.Field{{Name: "Location", Value: "https://example.com/x?y"}}
		if resp.Status != 301 || len(resp.Header) != 1 || resp.Header[0] != want[0] {
			t.Errorf("RedirectHandler{%d}: %d %v; want 301 %v", port, resp.Status, resp.Header, want)
		}
	}
}
