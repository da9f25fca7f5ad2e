package server

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/server/static"
)

// testSite writes a small site and returns its directory.
func testSite(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"index.html": "<!doctype html><title>t</title><p>hello</p>\n",
		"a.txt":      "alpha\n",
		"b.txt":      "bravo bravo\n",
		"1k.txt":     strings.Repeat("x", 1023) + "\n",
		"big.bin":    strings.Repeat("0123456789abcdef", 100<<10/16),
		"sub/c.txt":  "charlie\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// waitGoroutines fails the test when the goroutine count does not come
// back to at most want within a bounded wait.
func waitGoroutines(t testing.TB, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= want {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("goroutines after shutdown = %d; want <= %d\n%s", n, want, buf)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

type testEnv struct {
	s    *Server
	h    *static.Handler
	addr string
	dir  string
}

// startServer runs a static server on a loopback listener; cleanup shuts
// it down and checks that no goroutine is left behind.
func startServer(t *testing.T, mod func(*Config)) *testEnv {
	t.Helper()
	cfg := Config{Paths: PathsConfig{ServeDir: testSite(t)}}
	if mod != nil {
		mod(&cfg)
	}
	return serveEnv(t, cfg, Options{})
}

// serveEnv builds the static server for cfg and o, serves it on a loopback
// port and, at cleanup, shuts it down, checks Serve's result and that no
// goroutine outlives it.
func serveEnv(t testing.TB, cfg Config, o Options) *testEnv {
	t.Helper()
	before := runtime.NumGoroutine()
	s, h, err := NewStatic(cfg, o)
	if err != nil {
		t.Fatalf("NewStatic: %v", err)
	}
	ln, err := Listen("127.0.0.1:0")
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
		h.Close()
		waitGoroutines(t, before)
	})
	return &testEnv{s: s, h: h, addr: ln.Addr().String(), dir: cfg.Paths.ServeDir}
}

type client struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func (e *testEnv) dial(t *testing.T) *client {
	t.Helper()
	nc, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { nc.Close() })
	return &client{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (c *client) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read reads one response with net/http as the oracle; method says how
// the body is framed (HEAD has none).
func (c *client) read(method string) (*http.Response, string) {
	c.t.Helper()
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		c.t.Fatalf("ReadResponse: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("reading body: %v", err)
	}
	return resp, string(body)
}

// expectEOF checks that the server closed the connection with nothing
// more to say.
func (c *client) expectEOF() {
	c.t.Helper()
	b, err := c.br.ReadByte()
	if err == nil {
		rest, _ := c.br.Peek(c.br.Buffered())
		c.t.Fatalf("read %q; want EOF", append([]byte{b}, rest...))
	}
	if !errors.Is(err, io.EOF) {
		c.t.Fatalf("read error %v; want EOF", err)
	}
}

func get(path string, extra ...string) string {
	var b bytes.Buffer
	b.WriteString("GET " + path + " HTTP/1.1\r\nHost: t\r\n")
	for _, h := range extra {
		b.WriteString(h + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}
