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
	"syscall"
	"testing"
	"time"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/server/static"
)

// testSettings returns fully resolved settings for tests: the values
// ferrox serves with by default (config.defaults; the config package's
// tests check that its defaults resolve to these), with a fixed
// connection limit.
func testSettings() Settings {
	return Settings{
		Limits:         parser.Limits{MaxHeadBytes: 16384, MaxFields: parser.MaxFields, MaxTargetLen: 8192, MaxMethodLen: 32},
		HeaderTimeout:  10 * time.Second,
		IdleTimeout:    60 * time.Second,
		WriteTimeout:   30 * time.Second,
		BodyRateWindow: 10 * time.Second,
		BodyMinRate:    1024,
		MaxBody:        1 << 20,
		MaxConns:       10000,
		MaxConnsPerIP:  256,
		Headers: [][2]string{
			{"Referrer-Policy", "strict-origin-when-cross-origin"},
			{"X-Content-Type-Options", "nosniff"},
			{"X-Frame-Options", "SAMEORIGIN"},
		},
		ServerHeader: true,
		Park:         true,
	}
}

// testStatic is the file handler configuration for dir, as ferrox
// serves it by default.
func testStatic(dir string) static.Config {
	return static.Config{Root: dir, Index: []string{"index.html"}, OpenFileCache: static.DefaultOpenFileCache}
}

// mustNew is New that fails the test on error.
func mustNew(t testing.TB, set Settings, o Options) *Server {
	t.Helper()
	s, err := New(set, o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

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
func startServer(t *testing.T, mod func(*Settings)) *testEnv {
	t.Helper()
	set := testSettings()
	if mod != nil {
		mod(&set)
	}
	return serveEnv(t, set, testSite(t), Options{})
}

// serveEnv builds the server for set and o around a static handler for
// dir, serves it on a loopback port and, at cleanup, shuts it down, checks
// Serve's result and that no goroutine outlives it.
func serveEnv(t testing.TB, set Settings, dir string, o Options) *testEnv {
	t.Helper()
	return serveEnvOn(t, set, dir, o, listenNow)
}

// startTuned is startServer with tune applied to the server before it
// serves, for the fields its connections read unguarded.
func startTuned(t *testing.T, tune func(*Server)) *testEnv {
	t.Helper()
	return serveEnvOn(t, testSettings(), testSite(t), Options{}, listenNow, tune)
}

// serveEnvOn is serveEnv on a listener made by listen, with each of tune
// applied to the server before it serves.
func serveEnvOn(t testing.TB, set Settings, dir string, o Options, listen func(string) (net.Listener, error), tune ...func(*Server)) *testEnv {
	t.Helper()
	before := runtime.NumGoroutine()
	h, err := static.New(testStatic(dir))
	if err != nil {
		t.Fatalf("static.New: %v", err)
	}
	o.Handler = h
	s := mustNew(t, set, o)
	for _, f := range tune {
		f(s)
	}
	ln, err := listen("127.0.0.1:0")
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
	return &testEnv{s: s, h: h, addr: ln.Addr().String(), dir: dir}
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

// listenNow is Listen without the deferred accept (see listenControl): a
// client that connects and says nothing yet is accepted at once, as the
// engine's tests expect; TestListenDefersSilentConnections tests the
// deferral itself.
func listenNow(addr string) (net.Listener, error) {
	lc := net.ListenConfig{KeepAlive: -1}
	return lc.Listen(context.Background(), "tcp", addr)
}

// tcpPair returns both ends of a loopback TCP connection, closed when the
// test ends: cli as dialed, srv as accepted.
func tcpPair(t testing.TB) (cli, srv net.Conn) {
	t.Helper()
	ln, err := listenNow("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if cli, err = net.Dial("tcp", ln.Addr().String()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	if srv, err = ln.Accept(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return cli, srv
}

// expectClosedAtOnce checks that the server let c's connection go right
// after its last response (after names it), with no lingering close: the
// server holds no connection well within lingerTimeout, though the client
// has not closed, and the client's next writes are refused.
func (e *testEnv) expectClosedAtOnce(t *testing.T, c *client, after string) {
	t.Helper()
	for deadline := time.Now().Add(lingerTimeout / 2); e.s.NumConns() > 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the connection is still open %v after %s; want it closed at once (no lingering close)", lingerTimeout/2, after)
		}
	}
	_, err := c.nc.Write([]byte("more"))
	if err == nil {
		_, err = c.nc.Write([]byte("more"))
	}
	if !errors.Is(err, syscall.EPIPE) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("writes after the server closed = %v; want EPIPE or ECONNRESET (no lingering close)", err)
	}
}
