package server

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

func TestGetHeadParity(t *testing.T) {
	e := startServer(t, nil)
	c := e.dial(t)
	// HEAD first and a GET pipelined behind it: if HEAD leaked body bytes
	// the second response would not parse.
	c.send(strings.Replace(get("/index.html"), "GET", "HEAD", 1) + get("/index.html"))
	head, hbody := c.read("HEAD")
	getr, gbody := c.read("GET")
	if hbody != "" {
		t.Errorf("HEAD body = %q; want empty", hbody)
	}
	if gbody != "<!doctype html><title>t</title><p>hello</p>\n" {
		t.Errorf("GET body = %q", gbody)
	}
	for _, h := range []string{"Content-Length", "Content-Type", "Etag", "Last-Modified", "Server", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options"} {
		if head.Header.Get(h) != getr.Header.Get(h) || getr.Header.Get(h) == "" {
			t.Errorf("%s: HEAD %q, GET %q; want equal and non-empty", h, head.Header.Get(h), getr.Header.Get(h))
		}
	}
	if _, err := time.Parse(time.RFC1123, getr.Header.Get("Date")); err != nil || !strings.HasSuffix(getr.Header.Get("Date"), " GMT") {
		t.Errorf("Date = %q; want IMF-fixdate", getr.Header.Get("Date"))
	}
	if getr.Proto != "HTTP/1.1" || getr.Close {
		t.Errorf("GET proto %s close %v; want HTTP/1.1 keep-alive", getr.Proto, getr.Close)
	}
}

func TestKeepAliveAndPipelining(t *testing.T) {
	e := startServer(t, nil)
	c := e.dial(t)
	c.send(get("/a.txt"))
	if _, body := c.read("GET"); body != "alpha\n" {
		t.Fatalf("first body = %q", body)
	}
	c.send(get("/b.txt"))
	if _, body := c.read("GET"); body != "bravo bravo\n" {
		t.Fatalf("second body on same conn = %q", body)
	}
	// Three requests in one write: answered strictly in order (RFC 9112 §9.3.2).
	c.send(get("/b.txt") + get("/a.txt") + get("/sub/c.txt"))
	var got []string
	for range 3 {
		_, body := c.read("GET")
		got = append(got, body)
	}
	if diff := cmp.Diff([]string{"bravo bravo\n", "alpha\n", "charlie\n"}, got); diff != "" {
		t.Errorf("pipelined bodies (-want +got):\n%s", diff)
	}
}

func TestConnectionCloseStopsProcessing(t *testing.T) {
	e := startServer(t, nil)
	c := e.dial(t)
	c.send(get("/a.txt", "Connection: close") + get("/b.txt"))
	resp, body := c.read("GET")
	// resp.Close is net/http's reading of "Connection: close" (it drops
	// the field itself).
	if body != "alpha\n" || !resp.Close {
		t.Errorf("response = %q close=%v; want alpha, close", body, resp.Close)
	}
	c.expectEOF()
}

func TestHTTP10(t *testing.T) {
	e := startServer(t, nil)
	t.Run("close-by-default", func(t *testing.T) {
		c := e.dial(t)
		c.send("GET /a.txt HTTP/1.0\r\n\r\n")
		resp, body := c.read("GET")
		if resp.Proto != "HTTP/1.1" || body != "alpha\n" || !resp.Close {
			t.Errorf("got %s %q close=%v; want HTTP/1.1 alpha close", resp.Proto, body, resp.Close)
		}
		if len(resp.TransferEncoding) != 0 {
			t.Errorf("Transfer-Encoding %v toward HTTP/1.0", resp.TransferEncoding)
		}
		c.expectEOF()
	})
	t.Run("keep-alive", func(t *testing.T) {
		c := e.dial(t)
		c.send("GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		resp, _ := c.read("GET")
		if resp.Header.Get("Connection") != "keep-alive" {
			t.Errorf("Connection = %q; want keep-alive", resp.Header.Get("Connection"))
		}
		c.send("GET /b.txt HTTP/1.0\r\n\r\n")
		if _, body := c.read("GET"); body != "bravo bravo\n" {
			t.Errorf("second body = %q", body)
		}
		c.expectEOF()
	})
}

func TestBodies(t *testing.T) {
	e := startServer(t, func(c *Settings) { c.MaxBody = 100 })
	t.Run("content-length-discarded", func(t *testing.T) {
		c := e.dial(t)
		c.send("GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello" + get("/b.txt"))
		if _, body := c.read("GET"); body != "alpha\n" {
			t.Errorf("first body = %q", body)
		}
		if _, body := c.read("GET"); body != "bravo bravo\n" {
			t.Errorf("second body = %q", body)
		}
	})
	t.Run("content-length-in-pieces", func(t *testing.T) {
		c := e.dial(t)
		c.send("GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 50\r\n\r\n0123456789")
		c.send(strings.Repeat("z", 40) + get("/b.txt"))
		c.read("GET")
		if _, body := c.read("GET"); body != "bravo bravo\n" {
			t.Errorf("second body = %q", body)
		}
	})
	t.Run("chunked-discarded", func(t *testing.T) {
		c := e.dial(t)
		c.send("GET /a.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\n" + get("/b.txt"))
		if _, body := c.read("GET"); body != "alpha\n" {
			t.Errorf("first body = %q", body)
		}
		if _, body := c.read("GET"); body != "bravo bravo\n" {
			t.Errorf("second body = %q", body)
		}
	})
	t.Run("content-length-over-limit", func(t *testing.T) {
		c := e.dial(t)
		c.send("GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n")
		resp, _ := c.read("GET")
		if resp.StatusCode != 413 || !resp.Close {
			t.Errorf("status %d close %v; want 413 close", resp.StatusCode, resp.Close)
		}
		c.expectEOF()
	})
	t.Run("chunked-over-limit", func(t *testing.T) {
		c := e.dial(t)
		c.send("GET /a.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n80\r\n" + strings.Repeat("q", 128) + "\r\n0\r\n\r\n")
		resp, _ := c.read("GET")
		if resp.StatusCode != 413 || !resp.Close {
			t.Errorf("status %d close %v; want 413 close", resp.StatusCode, resp.Close)
		}
		c.expectEOF()
	})
	t.Run("refused-body-in-pieces-drained", func(t *testing.T) {
		// The 405 comes before the body; the body, sent after it, is
		// drained and the next request framed right after it.
		c := e.dial(t)
		c.send("POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 50\r\n\r\n0123456789")
		if resp, _ := c.read("POST"); resp.StatusCode != 405 || resp.Close {
			t.Fatalf("status %d close %v; want 405 keep-alive before the body", resp.StatusCode, resp.Close)
		}
		c.send(strings.Repeat("G", 40) + get("/b.txt"))
		if _, body := c.read("GET"); body != "bravo bravo\n" {
			t.Errorf("next body = %q", body)
		}
	})
	t.Run("refused-chunked-in-pieces-drained", func(t *testing.T) {
		c := e.dial(t)
		c.send("PUT /a.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel")
		if resp, _ := c.read("PUT"); resp.StatusCode != 405 || resp.Close {
			t.Fatalf("status %d close %v; want 405 keep-alive before the body", resp.StatusCode, resp.Close)
		}
		c.send("lo\r\n0\r\n\r\n" + get("/b.txt"))
		if _, body := c.read("GET"); body != "bravo bravo\n" {
			t.Errorf("next body = %q", body)
		}
	})
	t.Run("refused-chunked-over-limit-closes", func(t *testing.T) {
		// MaxBody is 100 here, but a drained chunked body may reach
		// keepDrainBytes (64 KiB); beyond that the connection closes.
		c := e.dial(t)
		c.send("PUT /a.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
		if resp, _ := c.read("PUT"); resp.StatusCode != 405 {
			t.Fatalf("status %d; want 405", resp.StatusCode)
		}
		chunk := "8000\r\n" + strings.Repeat("z", 0x8000) + "\r\n"
		c.send(chunk + chunk + chunk + "0\r\n\r\n" + get("/b.txt"))
		c.expectEOF()
	})
	t.Run("short-body-half-close", func(t *testing.T) {
		c := e.dial(t)
		c.send("GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12345")
		c.nc.(*net.TCPConn).CloseWrite()
		c.expectEOF() // no response at all, certainly no 2xx
	})
}

// TestExpectContinue: the final status is known from the head alone, so
// it is sent at once and no 100 (Continue) ever is (RFC 9110 §10.1.1
// allows either); a client that withholds its body is answered with
// Connection: close, since it may never send it.
func TestExpectContinue(t *testing.T) {
	e := startServer(t, func(c *Settings) { c.MaxBody = 100 })
	for _, tc := range []struct {
		id, req string
		status  int
	}{
		{"get-final-without-100", "GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", 200},
		{"post-405-without-100", "POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 50\r\nExpect: 100-continue\r\n\r\n", 405},
		{"get-missing-404", "GET /nope HTTP/1.1\r\nHost: t\r\nContent-Length: 50\r\nExpect: 100-continue\r\n\r\n", 404},
		{"chunked-405", "PUT /a.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n", 405},
		{"too-large-413", "GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n", 413},
	} {
		t.Run(tc.id, func(t *testing.T) {
			c := e.dial(t)
			c.send(tc.req)
			resp, _ := c.read("GET")
			if resp.StatusCode != tc.status || !resp.Close {
				t.Fatalf("first response %d close %v; want %d with Connection: close and no 100 before it", resp.StatusCode, resp.Close, tc.status)
			}
			c.expectEOF()
		})
	}
	t.Run("body-already-sent-keeps-connection", func(t *testing.T) {
		c := e.dial(t)
		c.send("POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello" + get("/b.txt"))
		if resp, _ := c.read("GET"); resp.StatusCode != 405 || resp.Close {
			t.Errorf("status %d close %v; want 405 keep-alive", resp.StatusCode, resp.Close)
		}
		if _, body := c.read("GET"); body != "bravo bravo\n" {
			t.Errorf("second body = %q", body)
		}
	})
	t.Run("other-expectation", func(t *testing.T) {
		c := e.dial(t)
		c.send(get("/a.txt", "Expect: teapot"))
		if resp, _ := c.read("GET"); resp.StatusCode != 417 {
			t.Errorf("status %d; want 417", resp.StatusCode)
		}
	})
}

// TestExpectContinueNetHTTPClient: net/http's client, told to wait for
// 100 (Continue) before sending its body, gets the final response at
// once, with no 100 and without sending the body.
func TestExpectContinueNetHTTPClient(t *testing.T) {
	e := startServer(t, nil)
	var got100 atomic.Bool
	trace := &httptrace.ClientTrace{Got100Continue: func() { got100.Store(true) }}
	// A long ExpectContinueTimeout: the body would leave only after a 100.
	tr := &http.Transport{ExpectContinueTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	for _, tc := range []struct {
		method string
		status int
		body   string
	}{
		{"GET", 200, "alpha\n"},
		{"POST", 405, ""},
	} {
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
			tc.method, "http://"+e.addr+"/a.txt", strings.NewReader("hello"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Expect", "100-continue")
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatalf("RoundTrip: %v", err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != tc.status || (tc.body != "" && string(body) != tc.body) || got100.Load() {
			t.Errorf("%s with Expect: 100-continue = %d %q (err %v), got 100: %v; want %d %q and no 100", tc.method, resp.StatusCode, body, err, got100.Load(), tc.status, tc.body)
		}
	}
}

func TestRejectionsAndErrorPages(t *testing.T) {
	e := startServer(t, func(c *Settings) { c.Limits.MaxHeadBytes = 1024 })
	for _, tc := range []struct {
		id     string
		req    string
		status int
		close  bool
	}{
		{"duplicate-host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" + get("/a.txt"), 400, true},
		{"space-in-target", "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", 400, true},
		{"cl-and-te", "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + get("/a.txt"), 400, true},
		{"head-too-large", "GET / HTTP/1.1\r\nHost: a\r\nX: " + strings.Repeat("v", 2000) + "\r\n\r\n", 431, true},
		{"not-found", get("/missing.txt"), 404, false},
		{"bad-method", "FOO / HTTP/1.1\r\nHost: a\r\n\r\n", 501, false},
	} {
		t.Run(tc.id, func(t *testing.T) {
			c := e.dial(t)
			c.send(tc.req)
			resp, body := c.read("GET")
			if resp.StatusCode != tc.status || resp.Close != tc.close {
				t.Fatalf("status %d close %v; want %d close %v", resp.StatusCode, resp.Close, tc.status, tc.close)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, strconv.Itoa(tc.status)) {
				t.Errorf("error page Content-Type %q body %q; want an HTML page naming %d", resp.Header.Get("Content-Type"), body, tc.status)
			}
			if tc.close {
				c.expectEOF()
			}
		})
	}
}

// A HEAD request that the parser rejects still gets no body: the method is
// read from the raw bytes (the corpus case rl-asterisk-head found this).
func TestRejectedHEADHasNoBody(t *testing.T) {
	e := startServer(t, nil)
	for _, tc := range []struct{ id, req string }{
		{"asterisk", "HEAD * HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"leading-crlf", "\r\n\r\nHEAD /a b HTTP/1.1\r\nHost: a\r\n\r\n"},
		{"bad-field", "HEAD / HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			c := e.dial(t)
			c.send(tc.req)
			resp, _ := c.read("HEAD")
			if resp.StatusCode != 400 || !resp.Close {
				t.Fatalf("status %d close %v; want 400 and close", resp.StatusCode, resp.Close)
			}
			c.expectEOF() // no body bytes after the head
		})
	}
}

func TestRangeAndNotModified(t *testing.T) {
	e := startServer(t, nil)
	c := e.dial(t)
	c.send(get("/big.bin", "Range: bytes=16-31"))
	resp, body := c.read("GET")
	if resp.StatusCode != 206 || body != "0123456789abcdef" || resp.Header.Get("Content-Range") != "bytes 16-31/102400" {
		t.Fatalf("range: %d %q %q; want 206, 16 bytes, bytes 16-31/102400", resp.StatusCode, body, resp.Header.Get("Content-Range"))
	}
	c.send(get("/big.bin"))
	full, body := c.read("GET")
	if full.StatusCode != 200 || len(body) != 100<<10 {
		t.Fatalf("full: %d len %d; want 200 102400", full.StatusCode, len(body))
	}
	c.send(get("/big.bin", "If-None-Match: "+full.Header.Get("ETag")) + get("/a.txt"))
	nm, body := c.read("GET")
	if nm.StatusCode != 304 || body != "" || nm.Header.Get("ETag") != full.Header.Get("ETag") {
		t.Errorf("conditional: %d %q ETag %q; want 304, empty, %q", nm.StatusCode, body, nm.Header.Get("ETag"), full.Header.Get("ETag"))
	}
	if _, ok := nm.Header["Content-Length"]; ok {
		t.Errorf("304 has Content-Length %q; want none", nm.Header.Get("Content-Length"))
	}
	if _, body := c.read("GET"); body != "alpha\n" {
		t.Errorf("request after 304 = %q; want alpha", body)
	}
}

func TestConnectionLimits(t *testing.T) {
	e := startServer(t, func(c *Settings) { c.MaxConnsPerIP = 1 })
	c1 := e.dial(t)
	c1.send(get("/a.txt"))
	c1.read("GET") // c1 is now registered and idle
	c2 := e.dial(t)
	resp, _ := c2.read("GET")
	if resp.StatusCode != 503 {
		t.Errorf("second conn from one IP: status %d; want 503", resp.StatusCode)
	}
	checkDate(t, "503 over the per-IP limit", resp)
	c2.expectEOF()
}

// checkDate fails unless resp carries exactly one Date in IMF-fixdate
// (RFC 9110 §5.6.7) within a minute of now: RFC 9110 §6.6.1 has a server
// with a clock send it on 2xx, 3xx and 4xx, and Ferrox sends it always.
func checkDate(t *testing.T, what string, resp *http.Response) {
	t.Helper()
	ds := resp.Header.Values("Date")
	if len(ds) != 1 {
		t.Errorf("%s: Date fields %q; want exactly one", what, ds)
		return
	}
	d, err := time.Parse(http.TimeFormat, ds[0])
	if err != nil || d.Format(http.TimeFormat) != ds[0] {
		t.Errorf("%s: Date %q is not an IMF-fixdate (err %v)", what, ds[0], err)
		return
	}
	if off := time.Since(d); off < -time.Minute || off > time.Minute {
		t.Errorf("%s: Date %q is %v away from now", what, ds[0], off)
	}
}

func TestTotalConnectionLimitAndServerHeaderOff(t *testing.T) {
	e := startServer(t, func(c *Settings) {
		c.MaxConns = 1
		c.ServerHeader = false
		c.Headers = [][2]string{{"Referrer-Policy", "strict-origin-when-cross-origin"}, {"X-Content-Type-Options", "nosniff"}, {"X-Test", "1"}}
	})
	c1 := e.dial(t)
	c1.send(get("/a.txt"))
	resp, _ := c1.read("GET")
	if _, ok := resp.Header["Server"]; ok {
		t.Errorf("Server = %q with server_header false; want none", resp.Header.Get("Server"))
	}
	if resp.Header.Get("X-Test") != "1" || resp.Header.Get("X-Frame-Options") != "" || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("headers %v; want X-Test added, X-Frame-Options removed, nosniff kept", resp.Header)
	}
	c2 := e.dial(t)
	resp, _ = c2.read("GET")
	if resp.StatusCode != 503 || !resp.Close {
		t.Errorf("connection over max_connections: %d close %v; want 503 close", resp.StatusCode, resp.Close)
	}
	checkDate(t, "503 over max_connections", resp)
	// The refusal is built like every head: configured fields, no Server.
	if _, ok := resp.Header["Server"]; ok || resp.Header.Get("X-Test") != "1" {
		t.Errorf("503 headers %v; want X-Test and no Server", resp.Header)
	}
	c2.expectEOF()
}

func TestConcurrentClients(t *testing.T) {
	e := startServer(t, nil)
	errs := make(chan string, 20)
	for i := range 20 {
		go func() {
			nc, err := net.Dial("tcp", e.addr)
			if err != nil {
				errs <- err.Error()
				return
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(10 * time.Second))
			br := bufio.NewReader(nc)
			for j := range 20 {
				path := []string{"/a.txt", "/big.bin", "/index.html"}[(i+j)%3]
				if _, err := io.WriteString(nc, get(path)); err != nil {
					errs <- err.Error()
					return
				}
				if st, _, err := readRaw(br); err != nil || st != 200 {
					errs <- fmt.Sprintf("client %d request %d: %d %v", i, j, st, err)
					return
				}
			}
			errs <- ""
		}()
	}
	for range 20 {
		if msg := <-errs; msg != "" {
			t.Error(msg)
		}
	}
}

// TestCleanCloseDoesNotLinger: after "Connection: close" with nothing more
// sent, the server closes at once instead of half-closing and draining:
// the client reads the whole response and EOF (the FIN leaves with the
// response), the server lets the connection go at once (a lingering one
// would stay for lingerTimeout), and bytes the client sends after that meet a
// closed socket (the kernel answers them with a reset, so a second write
// fails), not a server still reading.
func TestCleanCloseDoesNotLinger(t *testing.T) {
	e := startServer(t, nil)
	c := e.dial(t)
	c.send(get("/a.txt", "Connection: close"))
	if _, body := c.read("GET"); body != "alpha\n" {
		t.Fatalf("body %q; want alpha", body)
	}
	c.expectEOF()
	e.expectClosedAtOnce(t, c, "its response")
}

// TestPeekInput: what is unread in a socket, seen without consuming it.
func TestPeekInput(t *testing.T) {
	cli, srv := tcpPair(t)
	if got := peekInput(srv); got != inputNone {
		t.Errorf("nothing sent: %v; want inputNone", got)
	}
	cli.Write([]byte("ab"))
	var b [1]byte
	if _, err := io.ReadFull(srv, b[:]); err != nil { // "a": both bytes are in
		t.Fatal(err)
	}
	if got := peekInput(srv); got != inputData {
		t.Errorf("one byte unread: %v; want inputData", got)
	}
	if _, err := io.ReadFull(srv, b[:]); err != nil || b[0] != 'b' {
		t.Fatalf("the peeked byte was consumed: %q %v", b[:], err)
	}
	cli.(*net.TCPConn).CloseWrite()
	if n, err := srv.Read(b[:]); n != 0 || err != io.EOF {
		t.Fatalf("read after the client's FIN = %d, %v; want EOF", n, err)
	}
	if got := peekInput(srv); got != inputEOF {
		t.Errorf("after the client's FIN: %v; want inputEOF", got)
	}
	if got := peekInput(struct{ net.Conn }{srv}); got != inputUnknown {
		t.Errorf("conn without SyscallConn: %v; want inputUnknown", got)
	}
}

// TestConnSize: an idle connection is mostly its conn, whose small fields
// are packed to keep it in the 128-byte allocation size class on 64-bit
// systems (the next class is 144 bytes: 16 more per idle connection).
func TestConnSize(t *testing.T) {
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Skip("the size class is for 64-bit layouts")
	}
	if got := unsafe.Sizeof(conn{}); got > 128 {
		t.Fatalf("conn is %d bytes; want at most 128", got)
	}
}
