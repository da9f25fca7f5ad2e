package server

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ferrox/ferrox/server/static"
	"github.com/google/go-cmp/cmp"
)

// pipeServer starts a server with default config (plus mod) inside the
// current synctest bubble and returns a function that opens one in-memory
// connection served by it. net.Pipe blocks durably, so fake time advances
// exactly when every goroutine waits.
func pipeServer(t *testing.T, dir string, mod func(*Settings)) (*Server, func() (net.Conn, <-chan struct{})) {
	t.Helper()
	return pipeServerWith(t, dir, mod, Options{})
}

// pipeServerWith is pipeServer with opts (its Handler is the static one).
func pipeServerWith(t *testing.T, dir string, mod func(*Settings), opts Options) (*Server, func() (net.Conn, <-chan struct{})) {
	t.Helper()
	h, err := static.New(testStatic(dir))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	set := testSettings()
	if mod != nil {
		mod(&set)
	}
	opts.Handler = h
	s := mustNew(t, set, opts)
	return s, func() (net.Conn, <-chan struct{}) {
		cli, srv := net.Pipe()
		done := make(chan struct{})
		go func() {
			s.ServeConn(srv)
			close(done)
		}()
		t.Cleanup(func() { cli.Close(); <-done })
		return cli, done
	}
}

func TestSlowHeaderGets408(t *testing.T) {
	dir := testSite(t)
	synctest.Test(t, func(t *testing.T) {
		_, open := pipeServer(t, dir, nil)
		cli, done := open()
		start := time.Now()
		wrote := make(chan struct{})
		go func() {
			defer close(wrote)
			// One header line every 2 s, never the final CRLF.
			if _, err := io.WriteString(cli, "GET / HTTP/1.1\r\n"); err != nil {
				return
			}
			for range 30 {
				time.Sleep(2 * time.Second)
				if _, err := io.WriteString(cli, "X-Dribble: 1\r\n"); err != nil {
					return
				}
			}
		}()
		resp, err := http.ReadResponse(bufio.NewReader(cli), nil)
		if err != nil {
			t.Fatalf("ReadResponse: %v", err)
		}
		elapsed := time.Since(start)
		if resp.StatusCode != 408 || !resp.Close {
			t.Errorf("status %d close %v; want 408 close", resp.StatusCode, resp.Close)
		}
		if elapsed > 11*time.Second {
			t.Errorf("cut off after %v; want <= 11s with the default 10s header timeout", elapsed)
		}
		<-done
		<-wrote
	})
}

// TestSlowCutDoesNotLinger: a head or a body cut for being too slow, with
// nothing unread left in the socket, gets its 408 and a FIN at once and the
// server lets the connection go: no lingering close waiting for the
// client's FIN (closeIfQuiet). The client, still connected and silent,
// finds the connection gone on its next writes.
func TestSlowCutDoesNotLinger(t *testing.T) {
	for _, tc := range []struct {
		name, send string
		mod        func(*Settings)
	}{
		{"head", "GET /a.txt HTTP/1.1\r\nHost: t\r\nX-Slow: 1\r\n",
			func(s *Settings) { s.HeaderTimeout = 200 * time.Millisecond }},
		{"body", "GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n0123456789",
			func(s *Settings) { s.BodyRateWindow, s.BodyMinRate = 200*time.Millisecond, 1<<20 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startServer(t, tc.mod)
			c := e.dial(t)
			c.send(tc.send)
			if resp, _ := c.read("GET"); resp.StatusCode != 408 || !resp.Close {
				t.Fatalf("status %d close %v; want 408 and close", resp.StatusCode, resp.Close)
			}
			c.expectEOF()
			e.expectClosedAtOnce(t, c, "its 408")
		})
	}
}

// TestCloseIfQuietLingersOnUnread: after a 408 for slowness, the connection
// closes at once only when nothing the client sent is left unread in the
// socket; a byte that came since keeps the lingering close, so the close
// sends no reset that could destroy the 408 (RFC 9112 §9.6).
func TestCloseIfQuietLingersOnUnread(t *testing.T) {
	cli, srv := tcpPair(t)
	c := &conn{raw: srv}
	if got := c.closeIfQuiet(); got != phaseClose {
		t.Errorf("nothing unread: %v; want phaseClose", got)
	}
	if _, err := cli.Write([]byte("XY")); err != nil {
		t.Fatal(err)
	}
	var b [1]byte
	if _, err := io.ReadFull(srv, b[:]); err != nil { // "X": both bytes are in
		t.Fatal(err)
	}
	if got := c.closeIfQuiet(); got != phaseLinger {
		t.Errorf("a byte unread: %v; want phaseLinger", got)
	}
	io.ReadFull(srv, b[:])
	cli.(*net.TCPConn).CloseWrite()
	if n, err := srv.Read(b[:]); n != 0 || err != io.EOF {
		t.Fatalf("read after the client's FIN = %d, %v; want EOF", n, err)
	}
	if got := c.closeIfQuiet(); got != phaseClose {
		t.Errorf("only the client's FIN unread: %v; want phaseClose", got)
	}
}

// TestIdleKeepAliveCloses: the idle timeout counts from the end of the
// last response, whichever way the connection waited for the next request:
// handed off at once (one request), in the warm wait of a busy connection,
// or handed off after the warm wait ran out. Requests that come during the
// warm wait or after it are served alike.
func TestIdleKeepAliveCloses(t *testing.T) {
	dir := testSite(t)
	for _, tc := range []struct {
		name   string
		pauses []time.Duration // before each request after the first
	}{
		{"one-request", nil},
		{"busy", []time.Duration{0, 0}},
		{"busy-pause-within-warm", []time.Duration{0, 0, warmWait / 2, 0}},
		{"busy-pause-past-warm", []time.Duration{0, 0, 3 * warmWait, 0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, open := pipeServer(t, dir, func(c *Settings) { c.IdleTimeout = 5 * time.Second })
				cli, done := open()
				br := bufio.NewReader(cli)
				for i := 0; i <= len(tc.pauses); i++ {
					if i > 0 {
						time.Sleep(tc.pauses[i-1])
					}
					io.WriteString(cli, get("/a.txt"))
					resp, err := http.ReadResponse(br, nil)
					if err != nil {
						t.Fatalf("request %d: %v", i+1, err)
					}
					io.Copy(io.Discard, resp.Body)
					if resp.StatusCode != 200 {
						t.Fatalf("request %d: status %d", i+1, resp.StatusCode)
					}
				}
				idleFrom := time.Now()
				if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
					t.Errorf("idle read = %v; want EOF", err)
				}
				if got := time.Since(idleFrom); got != 5*time.Second {
					t.Errorf("idle connection closed after %v; want 5s", got)
				}
				<-done
			})
		})
	}
}

func TestStalledReaderCutAtWriteTimeout(t *testing.T) {
	dir := testSite(t)
	synctest.Test(t, func(t *testing.T) {
		_, open := pipeServer(t, dir, nil)
		cli, done := open()
		start := time.Now()
		io.WriteString(cli, get("/big.bin")) // then never read
		<-done
		if got := time.Since(start); got != testSettings().WriteTimeout {
			t.Errorf("stalled reader dropped after %v; want %v", got, testSettings().WriteTimeout)
		}
	})
}

func TestSlowBodyGets408(t *testing.T) {
	dir := testSite(t)
	synctest.Test(t, func(t *testing.T) {
		_, open := pipeServer(t, dir, nil)
		cli, done := open()
		start := time.Now()
		wrote := make(chan struct{})
		go func() {
			defer close(wrote)
			io.WriteString(cli, "GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n")
			for range 100 {
				if _, err := io.WriteString(cli, "0123456789"); err != nil {
					return
				}
				time.Sleep(time.Second) // 10 B/s, far below 1 KiB per 10 s
			}
		}()
		resp, err := http.ReadResponse(bufio.NewReader(cli), nil)
		if err != nil {
			t.Fatalf("ReadResponse: %v", err)
		}
		if resp.StatusCode != 408 {
			t.Errorf("status %d; want 408", resp.StatusCode)
		}
		if got := time.Since(start); got > testSettings().BodyRateWindow+time.Second {
			t.Errorf("slow body cut after %v; want about %v", got, testSettings().BodyRateWindow)
		}
		<-done
		<-wrote
	})
}

func TestGracefulShutdown(t *testing.T) {
	dir := testSite(t)
	synctest.Test(t, func(t *testing.T) {
		s, open := pipeServer(t, dir, nil)
		// Two idle connections: one handed off after its only request,
		// one in the warm wait of a busy connection.
		idle, idleDone := open()
		warm, warmDone := open()
		var resp *http.Response
		var err error
		for _, x := range []struct {
			c net.Conn
			n int
		}{{idle, 1}, {warm, warmAfter + 1}} {
			br := bufio.NewReader(x.c)
			for range x.n {
				io.WriteString(x.c, get("/a.txt"))
				if resp, err = http.ReadResponse(br, nil); err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
			}
		}

		busy, busyDone := open()
		half := get("/b.txt")
		io.WriteString(busy, half[:10]) // a request in flight
		synctest.Wait()

		shut := make(chan error, 1)
		start := time.Now()
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			shut <- s.Shutdown(ctx)
		}()
		<-idleDone // idle connections closed at once
		<-warmDone
		if got := time.Since(start); got != 0 {
			t.Errorf("idle connections closed after %v; want immediately", got)
		}
		time.Sleep(time.Second)
		go io.WriteString(busy, half[10:])
		resp, err = http.ReadResponse(bufio.NewReader(busy), nil)
		if err != nil {
			t.Fatalf("in-flight request: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || string(body) != "bravo bravo\n" || !resp.Close {
			t.Errorf("in-flight response %d %q close %v; want 200 bravo close", resp.StatusCode, body, resp.Close)
		}
		<-busyDone
		if err := <-shut; err != nil {
			t.Errorf("Shutdown = %v; want nil", err)
		}
		if n := s.NumConns(); n != 0 {
			t.Errorf("NumConns after Shutdown = %d; want 0", n)
		}
	})
}

func TestShutdownDeadlineClosesStragglers(t *testing.T) {
	dir := testSite(t)
	synctest.Test(t, func(t *testing.T) {
		s, open := pipeServer(t, dir, nil)
		busy, busyDone := open()
		io.WriteString(busy, strings.Repeat("G", 1)) // head started, never finished
		synctest.Wait()                              // the server is now waiting for the rest
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Shutdown = %v; want DeadlineExceeded", err)
		}
		<-busyDone
	})
}

// flakyListener fails Accept with EMFILE a few times, then blocks until
// closed.
type flakyListener struct {
	fails  int
	calls  []time.Time
	closed chan struct{}
}

func (l *flakyListener) Accept() (net.Conn, error) {
	l.calls = append(l.calls, time.Now())
	if len(l.calls) <= l.fails {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	<-l.closed
	return nil, net.ErrClosed
}

func (l *flakyListener) Close() error {
	select {
	case <-l.closed:
	default:
		close(l.closed)
	}
	return nil
}

func (l *flakyListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

func TestAcceptBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := mustNew(t, testSettings(), Options{Handler: nil})
		ln := &flakyListener{fails: 9, closed: make(chan struct{})}
		done := make(chan error, 1)
		go func() { done <- s.Serve(ln) }()
		time.Sleep(3 * time.Second) // fake time: all back-offs elapse
		synctest.Wait()             // Serve is blocked in the 10th Accept
		var gaps []time.Duration
		for i := 1; i < len(ln.calls); i++ {
			gaps = append(gaps, ln.calls[i].Sub(ln.calls[i-1]))
		}
		ms := time.Millisecond
		want := []time.Duration{5 * ms, 10 * ms, 20 * ms, 40 * ms, 80 * ms, 160 * ms, 320 * ms, 640 * ms, time.Second}
		if diff := cmp.Diff(want, gaps); diff != "" {
			t.Errorf("accept retry gaps (-want +got):\n%s", diff)
		}
		s.Close()
		if err := <-done; !errors.Is(err, ErrServerClosed) {
			t.Errorf("Serve = %v; want ErrServerClosed", err)
		}
	})
}

func TestAccessLogThroughServer(t *testing.T) {
	dir := testSite(t)
	var buf strings.Builder
	synctest.Test(t, func(t *testing.T) {
		h, err := static.New(testStatic(dir))
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		access := NewAccessLog(&buf, FormatCommon)
		s := mustNew(t, testSettings(), Options{Handler: h, Access: access})
		cli, srv := net.Pipe()
		done := make(chan struct{})
		go func() { s.ServeConn(srv); close(done) }()
		go io.WriteString(cli, get("/a.txt")+"GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
		br := bufio.NewReader(cli)
		for _, want := range []int{200, 400} {
			resp, err := http.ReadResponse(br, nil)
			if err != nil || resp.StatusCode != want {
				t.Fatalf("response = %v, %v; want %d", resp, err, want)
			}
			io.Copy(io.Discard, resp.Body)
		}
		cli.Close()
		<-done
		access.Close()
	})
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"GET /a.txt HTTP/1.1" 200 6`) || !strings.Contains(lines[1], `"" 400 `) {
		t.Errorf("access log = %q; want a 200 line for /a.txt and a 400 line without request line", lines)
	}
}

// TestSplitDelivery replays a pipelined sequence (a Content-Length body,
// a chunked body, a head larger than the initial buffer) in pieces of
// every size from 1 to 9 bytes: net.Pipe hands each piece to a separate
// Read, so every buffer boundary case is exercised.
func TestSplitDelivery(t *testing.T) {
	dir := testSite(t)
	seq := "GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 7\r\n\r\n1234567" +
		"GET /b.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3;e=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX: y\r\n\r\n" +
		"GET /sub/c.txt HTTP/1.1\r\nHost: t\r\nX-Big: " + strings.Repeat("b", 6000) + "\r\n\r\n" +
		"HEAD /a.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
	for size := 1; size <= 9; size++ {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, open := pipeServer(t, dir, nil)
				cli, done := open()
				go func() {
					for i := 0; i < len(seq); i += size {
						if _, err := io.WriteString(cli, seq[i:min(i+size, len(seq))]); err != nil {
							return
						}
					}
				}()
				br := bufio.NewReader(cli)
				var got []string
				for _, m := range []string{"GET", "GET", "GET", "HEAD"} {
					resp, err := http.ReadResponse(br, &http.Request{Method: m})
					if err != nil {
						t.Fatalf("response %d: %v", len(got)+1, err)
					}
					body, _ := io.ReadAll(resp.Body)
					got = append(got, strconv.Itoa(resp.StatusCode)+" "+string(body))
				}
				want := []string{"200 alpha\n", "200 bravo bravo\n", "200 charlie\n", "200 "}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("responses (-want +got):\n%s", diff)
				}
				if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
					t.Errorf("after Connection: close: %v; want EOF", err)
				}
				<-done
			})
		})
	}
}

// A connection waiting for the rest of a head holds its buffer and parser
// offsets but not the request/response exchange (6.7 KiB), which a
// slowloris would otherwise pin per connection; the request still
// completes normally once the head does.
func TestSlowHeadHoldsNoExchange(t *testing.T) {
	dir := testSite(t)
	synctest.Test(t, func(t *testing.T) {
		s, open := pipeServer(t, dir, nil)
		cli, _ := open()
		io.WriteString(cli, "GET /a.txt HTTP/1.1\r\nHost: t\r\n")
		synctest.Wait() // the server waits for the rest of the head
		s.mu.Lock()
		var c *conn
		for k := range s.conns {
			c = k
		}
		s.mu.Unlock()
		if c == nil || c.st == nil || c.st.w == 0 {
			t.Fatal("the server has not read the partial head")
		}
		if c.st.x != nil {
			t.Error("a connection awaiting the rest of its head holds an exchange")
		}
		io.WriteString(cli, "\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(cli), nil)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 100))
		if resp.StatusCode != 200 || string(body) != "alpha\n" {
			t.Errorf("got %d %q; want 200 \"alpha\\n\"", resp.StatusCode, body)
		}
	})
}
