//go:build linux

package server

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/ferrox/ferrox/parser"
	"pgregory.net/rapid"
)

// parkStats returns the number of parked connections, and how many times a
// connection was parked so far (a head fed in place counts as parked
// again).
func (s *Server) parkStats() (now int, total uint64) {
	p, ok := s.waiter.(*parker)
	if !ok {
		return 0, 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.slots) - len(p.free), p.parks + p.feeds
}

// feeds is the number of times a parked head got more bytes and stayed
// parked, fed in place (no epoll_ctl).
func (s *Server) feeds() uint64 {
	p := s.waiter.(*parker)
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.feeds
}

func (s *Server) parked() int {
	n, _ := s.parkStats()
	return n
}

// waitFor polls cond until it holds, failing the test after a bounded
// wait. It waits for a state change, not for time to pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// A kept-alive connection that fell idle is parked, holds no goroutine
// while parked, and is served again when its next request comes; parking
// again re-arms its entry (EPOLL_CTL_MOD) rather than adding it twice.
func TestParkedConnServesNextRequests(t *testing.T) {
	e := startServer(t, nil)
	const n = 40
	base := runtime.NumGoroutine()
	cs := make([]*client, n)
	for i := range cs {
		cs[i] = e.dial(t)
		cs[i].send(get("/a.txt"))
		if resp, body := cs[i].read("GET"); resp.StatusCode != 200 || body != "alpha\n" {
			t.Fatalf("conn %d: %d %q", i, resp.StatusCode, body)
		}
	}
	waitFor(t, "all connections are parked", func() bool { return e.s.parked() == n })
	// The clients are plain sockets; the server side must hold no
	// goroutine per parked connection (the parker itself is one).
	noGoroutinePer(t, e.s, base, n, "parked connections")
	for round := range 3 {
		for i, c := range cs {
			c.send(get("/b.txt"))
			if resp, body := c.read("GET"); resp.StatusCode != 200 || body != "bravo bravo\n" {
				t.Fatalf("round %d conn %d: %d %q", round, i, resp.StatusCode, body)
			}
		}
		waitFor(t, "all connections are parked again", func() bool { return e.s.parked() == n })
	}
	if got := e.s.NumConns(); got != n {
		t.Errorf("NumConns = %d; want %d", got, n)
	}
}

// More parked connections than one epoll_pwait call returns (128) wake at
// once; each gets its answer. The head arrives in two writes, so a woken
// connection whose first read holds part of it reads on.
func TestParkedConnsWakeTogether(t *testing.T) {
	e := startServer(t, func(c *Settings) { c.MaxConnsPerIP = 1000 })
	const n = 300
	cs := make([]*client, n)
	for i := range cs {
		cs[i] = e.dial(t)
		cs[i].send(get("/a.txt"))
		cs[i].read("GET")
	}
	waitFor(t, "all connections are parked", func() bool { return e.s.parked() == n })
	req := get("/sub/c.txt", "X-Pad: "+strings.Repeat("p", 200))
	for _, c := range cs {
		c.send(req[:10])
	}
	for _, c := range cs {
		c.send(req[10:])
	}
	for i, c := range cs {
		if resp, body := c.read("GET"); resp.StatusCode != 200 || body != "charlie\n" {
			t.Fatalf("conn %d: %d %q", i, resp.StatusCode, body)
		}
	}
}

// The parker enforces the idle timeout: a parked connection is closed
// with a plain FIN once idle for timeouts.idle, and the server forgets it.
func TestParkedConnIdleTimeout(t *testing.T) {
	e := startServer(t, func(c *Settings) { c.IdleTimeout = 200 * time.Millisecond })
	c := e.dial(t)
	c.send(get("/a.txt"))
	start := time.Now()
	c.read("GET")
	waitFor(t, "the connection is parked", func() bool { return e.s.parked() == 1 })
	c.expectEOF()
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("closed after %v; want at least the idle timeout", d)
	}
	waitFor(t, "the server forgets the connection", func() bool { return e.s.NumConns() == 0 })
	if p := e.s.parked(); p != 0 {
		t.Errorf("parked = %d after the idle timeout; want 0", p)
	}
}

// A client closing a parked connection wakes it; the server closes its
// side and forgets it.
func TestParkedConnClientClose(t *testing.T) {
	e := startServer(t, nil)
	c := e.dial(t)
	c.send(get("/a.txt"))
	c.read("GET")
	waitFor(t, "the connection is parked", func() bool { return e.s.parked() == 1 })
	c.nc.Close()
	waitFor(t, "the server forgets the connection", func() bool { return e.s.NumConns() == 0 })
}

// Shutdown and Close end parked connections at once (they are idle), and
// no goroutine is left (startServer's cleanup checks that for Shutdown).
func TestParkedConnsShutdown(t *testing.T) {
	for _, name := range []string{"Shutdown", "Close"} {
		t.Run(name, func(t *testing.T) {
			e := startServer(t, nil)
			cs := make([]*client, 10)
			for i := range cs {
				cs[i] = e.dial(t)
				cs[i].send(get("/a.txt"))
				cs[i].read("GET")
			}
			waitFor(t, "all connections are parked", func() bool { return e.s.parked() == len(cs) })
			if name == "Close" {
				e.s.Close()
			} else {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := e.s.Shutdown(ctx); err != nil {
					t.Fatalf("Shutdown = %v; want nil (parked connections are idle)", err)
				}
			}
			for _, c := range cs {
				c.expectEOF()
			}
			if n := e.s.NumConns(); n != 0 {
				t.Errorf("NumConns = %d after %s; want 0", n, name)
			}
		})
	}
}

// Requests racing with Shutdown on connections being parked and woken:
// every connection ends, none is lost in the parker (Shutdown returns).
func TestParkRacesShutdown(t *testing.T) {
	e := startServer(t, nil)
	var wg sync.WaitGroup
	for range 20 {
		c := e.dial(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if _, err := c.nc.Write([]byte(get("/a.txt"))); err != nil {
					return
				}
				if _, _, err := readRaw(c.br); err != nil {
					return
				}
			}
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.s.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	wg.Wait()
}

// The deadline heap stays a heap, with every conn's index right, through
// any order of pushes and takes (slow heads re-park with old deadlines),
// and gives the conns back earliest deadline first.
func TestParkHeap(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		p := &parker{}
		var live []*conn
		ops := rapid.SliceOfN(rapid.IntRange(-300, 2000), 1, 80).Draw(t, "ops")
		for _, op := range ops {
			if op < 0 && len(live) > 0 {
				k := (-op) % len(live)
				c := live[k]
				p.slots = append(p.slots, parkSlot{}) // take frees c.park.slot
				c.park.slot = int32(len(p.slots) - 1)
				p.take(c)
				if c.park.hidx != -1 {
					t.Fatalf("a taken conn keeps heap index %d", c.park.hidx)
				}
				live = append(live[:k], live[k+1:]...)
			} else if op >= 0 {
				c := &conn{park: parkEntry{until: int64(op)}}
				p.push(c)
				live = append(live, c)
			}
			for i, c := range p.heap {
				if int(c.park.hidx) != i {
					t.Fatalf("heap[%d] has index %d", i, c.park.hidx)
				}
				if i > 0 && c.park.until < p.heap[(i-1)/2].park.until {
					t.Fatalf("heap[%d] is earlier than its parent", i)
				}
			}
			if len(p.heap) != len(live) {
				t.Fatalf("%d in the heap, %d live", len(p.heap), len(live))
			}
		}
		last := int64(-1)
		for len(p.heap) > 0 {
			c := p.heap[0]
			p.slots = append(p.slots, parkSlot{})
			c.park.slot = int32(len(p.slots) - 1)
			p.take(c)
			if c.park.until < last {
				t.Fatalf("taken out of order: %d after %d", c.park.until, last)
			}
			last = c.park.until
		}
	})
}

// A head that is slow to come parks its connection (buffer and parser
// offsets kept, no goroutine); each new piece wakes it, the parser goes
// on from where it stopped, and the complete request is answered.
func TestSlowHeadParks(t *testing.T) {
	e := startServer(t, nil)
	const n = 30
	base := runtime.NumGoroutine()
	pieces := []string{"GET /sub/c.txt HTTP/1.1\r\n", "Host: t\r\n", "X-Slow: 1\r\n", "X-Slow: 2\r\n", "\r\n"}
	cs := make([]*client, n)
	for i := range cs {
		cs[i] = e.dial(t)
	}
	// A new connection waits for its first bytes parked too (parkFirst).
	waitFor(t, "every new connection is parked", func() bool {
		now, total := e.s.parkStats()
		return now == n && total == n
	})
	for k, piece := range pieces[:len(pieces)-1] {
		for _, c := range cs {
			c.send(piece)
		}
		// Each piece wakes every connection and parks it again.
		waitFor(t, "every slow head is parked again after piece "+strconv.Itoa(k), func() bool {
			now, total := e.s.parkStats()
			return now == n && total == uint64(n*(k+2))
		})
	}
	// The first piece found each connection waiting for its first request
	// and went to a goroutine, which parked the incomplete head; every
	// later piece was fed in place.
	if got, want := e.s.feeds(), uint64(n*(len(pieces)-2)); got != want {
		t.Errorf("%d heads fed in place; want %d (one per connection and later piece)", got, want)
	}
	noGoroutinePer(t, e.s, base, n, "parked heads")
	for i, c := range cs {
		c.send(pieces[len(pieces)-1])
		if resp, body := c.read("GET"); resp.StatusCode != 200 || body != "charlie\n" {
			t.Fatalf("conn %d: %d %q", i, resp.StatusCode, body)
		}
	}
}

// A parked head still has to be complete within the header timeout: the
// parker wakes it at the deadline and it gets a 408, then the close.
func TestParkedHeadTimeout(t *testing.T) {
	e := startServer(t, func(c *Settings) { c.HeaderTimeout = 300 * time.Millisecond })
	c := e.dial(t)
	start := time.Now()
	c.send("GET /a.txt HTTP/1.1\r\nHost: t\r\n")
	waitFor(t, "the head is parked", func() bool { return e.s.parked() == 1 })
	if resp, _ := c.read("GET"); resp.StatusCode != 408 {
		t.Errorf("status %d; want 408", resp.StatusCode)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("408 after %v; want at least the header timeout", d)
	}
	c.expectEOF()
}

// Shutdown lets a request whose head is parked finish (it is in flight,
// not idle): the head completes after Shutdown began and is answered with
// Connection: close, and Shutdown then returns.
func TestParkedHeadSurvivesShutdown(t *testing.T) {
	e := startServer(t, nil)
	c := e.dial(t)
	c.send("GET /a.txt HTTP/1.1\r\n")
	waitFor(t, "the head is parked", func() bool { return e.s.parked() == 1 })
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- e.s.Shutdown(ctx)
	}()
	waitFor(t, "the parker is drained", func() bool { return e.s.parked() == 0 })
	c.send("Host: t\r\n\r\n")
	resp, body := c.read("GET")
	if resp.StatusCode != 200 || body != "alpha\n" || !resp.Close {
		t.Errorf("got %d %q close=%v; want 200 \"alpha\\n\" with Connection: close", resp.StatusCode, body, resp.Close)
	}
	if err := <-done; err != nil {
		t.Errorf("Shutdown = %v; want nil", err)
	}
}

// Heads split at any points, with the connection parked between pieces
// (fed by the parker, or resumed by a goroutine, depending on where the
// split falls), are answered exactly as when sent whole. Two requests per
// connection, so the second head starts from an idle-parked connection.
// Calm, and in storms (see storm) that begin as soon as a head is parked
// and end when none is left, read every millisecond: the heads then move
// between the sets, and the heads set in and out of the parker's.
func TestParkedHeadSplitsProperty(t *testing.T) {
	t.Run("calm", func(t *testing.T) { parkedHeadSplits(t, nil) })
	t.Run("storms", func(t *testing.T) {
		s := parkedHeadSplits(t, func(st *storm) {
			st.onAt, st.offBelow, st.tick, st.window = 0, 0, time.Millisecond, time.Millisecond
		})
		p := s.waiter.(*parker)
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.storm.begun == 0 {
			t.Error("no storm began")
		}
	})
}

func parkedHeadSplits(t *testing.T, policy func(*storm)) *Server {
	e := startServer(t, nil)
	if policy != nil {
		p := e.s.waiter.(*parker)
		p.mu.Lock()
		policy(&p.storm)
		p.mu.Unlock()
	}
	reqs := []struct{ head, body string }{
		{get("/a.txt"), "alpha\n"},
		{get("/sub/c.txt", "User-Agent: rapid/1.0", "Accept: */*", "X-Long: "+strings.Repeat("v", 300)), "charlie\n"},
		{"\r\n" + get("/b.txt", "Accept-Encoding: gzip, br", "Cookie: a=b; c=d"), "bravo bravo\n"},
	}
	rapid.Check(t, func(rt *rapid.T) {
		c := e.dial(t)
		defer c.nc.Close()
		for round := range 2 {
			r := reqs[rapid.IntRange(0, len(reqs)-1).Draw(rt, "req")]
			cuts := rapid.SliceOfNDistinct(rapid.IntRange(1, len(r.head)-1), 0, 4, rapid.ID[int]).Draw(rt, "cuts")
			slices.Sort(cuts)
			prev := 0
			for _, cut := range cuts {
				_, before := e.s.parkStats()
				c.send(r.head[prev:cut])
				prev = cut
				waitFor(t, "the connection parks with part of its head", func() bool {
					_, total := e.s.parkStats()
					return total > before
				})
			}
			c.send(r.head[prev:])
			resp, body := c.read("GET")
			if resp.StatusCode != 200 || body != r.body {
				rt.Fatalf("round %d, cuts %v: %d %q; want 200 %q", round, cuts, resp.StatusCode, body, r.body)
			}
		}
	})
	return e.s
}

// An idle TLS connection whose TLS layer holds no input is parked like a
// plain one and served again; one whose client sent its next request in
// the same flight (a second record, possibly already read from the socket
// into the TLS layer) is not parked on the socket's readability, or that
// request would wait for bytes that already came.
func TestParkedTLSConns(t *testing.T) {
	e := startTLS(t, nil)
	const n = 20
	base := runtime.NumGoroutine()
	type tc struct {
		conn *tls.Conn
		br   *bufio.Reader
	}
	cs := make([]tc, n)
	for i := range cs {
		cs[i].conn, cs[i].br = dialTLS(t, e.addr, e.pool)
		roundTrip(t, cs[i].conn, cs[i].br, "/a.txt", "alpha\n")
	}
	waitFor(t, "all TLS connections are parked", func() bool { return e.s.parked() == n })
	noGoroutinePer(t, e.s, base, n, "parked TLS connections") // the clients run no goroutines
	for round := range 3 {
		for _, c := range cs {
			// Two records in one flight.
			io.WriteString(c.conn, get("/a.txt"))
			io.WriteString(c.conn, get("/b.txt"))
			for _, want := range []string{"alpha\n", "bravo bravo\n"} {
				resp, err := http.ReadResponse(c.br, nil)
				if err != nil {
					t.Fatalf("round %d: %v", round, err)
				}
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != 200 || string(body) != want {
					t.Fatalf("round %d: %d %q; want 200 %q", round, resp.StatusCode, body, want)
				}
			}
		}
		waitFor(t, "all TLS connections are parked again", func() bool { return e.s.parked() == n })
	}
}

// The parker's idle timeout ends a parked TLS connection too (off its
// own goroutine: a TLS close first tries to send close_notify).
func TestParkedTLSIdleTimeout(t *testing.T) {
	e := startTLS(t, func(c *Settings) { c.IdleTimeout = 200 * time.Millisecond })
	conn, br := dialTLS(t, e.addr, e.pool)
	roundTrip(t, conn, br, "/a.txt", "alpha\n")
	waitFor(t, "the TLS connection is parked", func() bool { return e.s.parked() == 1 })
	if b, err := br.ReadByte(); err == nil || !errors.Is(err, io.EOF) {
		t.Fatalf("read %q, %v; want EOF after the idle timeout", b, err)
	}
	waitFor(t, "the server forgets the connection", func() bool { return e.s.NumConns() == 0 })
}

// server.park_waiting: false keeps every waiting connection on a
// goroutine: no parker is started, and idle and slow-head connections
// are served as before.
func TestParkingOff(t *testing.T) {
	e := startServer(t, func(c *Settings) { c.Park = false })
	c := e.dial(t)
	for range 2 {
		c.send(get("/a.txt"))
		if resp, body := c.read("GET"); resp.StatusCode != 200 || body != "alpha\n" {
			t.Fatalf("%d %q", resp.StatusCode, body)
		}
	}
	c.send("GET /b.txt HTTP/1.1\r\n")
	waitFor(t, "the server holds the partial head", func() bool { return e.s.NumConns() == 1 })
	c.send("Host: t\r\n\r\n")
	if resp, body := c.read("GET"); resp.StatusCode != 200 || body != "bravo bravo\n" {
		t.Fatalf("%d %q", resp.StatusCode, body)
	}
	if _, ok := e.s.waiter.(goroutineWaiter); !ok {
		t.Errorf("waiter %T with park_waiting: false; want goroutineWaiter", e.s.waiter)
	}
}

// noGoroutinePer checks that the server holds no goroutine per parked
// connection: beyond base, at most the parker's and a couple of others,
// besides the idle workers, which serve no connection (their number is
// bounded by maxIdleWorkers, whatever the number of connections). A worker
// that has just finished serving is briefly neither, hence the wait.
func noGoroutinePer(t *testing.T, s *Server, base, n int, what string) {
	t.Helper()
	extra := func() int { return runtime.NumGoroutine() - base - s.workers.numIdle() }
	waitFor(t, "no goroutine per one of "+strconv.Itoa(n)+" "+what, func() bool { return extra() <= 3 })
}

// A parked head whose client sends more and closes its side at once is
// ended then, not at the header timeout: the edge-triggered entry fires
// once for the bytes and the FIN together, and the parker reads on to the
// end of input.
func TestParkedHeadFIN(t *testing.T) {
	e := startServer(t, func(c *Settings) { c.HeaderTimeout = time.Minute })
	for round := range 20 {
		_, parks := e.s.parkStats()
		c := e.dial(t)
		waitFor(t, "the new connection is parked", func() bool {
			now, total := e.s.parkStats()
			return now == 1 && total == parks+1
		})
		c.send("GET /a.txt HTTP/1.1\r\n")
		waitFor(t, "the head is parked", func() bool {
			now, total := e.s.parkStats()
			return now == 1 && total == parks+2
		})
		before := e.s.feeds()
		c.send("Host: t\r\n")
		waitFor(t, "the piece is fed in place", func() bool { return e.s.feeds() > before })
		// A piece and the FIN in one go.
		c.nc.(*net.TCPConn).SetNoDelay(false)
		c.send("X-A: 1\r\n")
		c.nc.(*net.TCPConn).CloseWrite()
		c.nc.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.ReadAll(c.nc); err != nil {
			t.Fatalf("round %d: the server did not end the connection after the client's FIN: %v", round, err)
		}
		c.nc.Close()
		waitFor(t, "nothing is parked", func() bool { return e.s.parked() == 0 })
	}
}

// A new connection whose first bytes, there when it is accepted (Listen
// defers the accept until they come), are part of a head is parsed and
// parked by the accepting goroutine (parkHead): no worker ever serves it
// until the rest comes, and it is then answered as usual.
func TestNewPartialHeadParkedAtAccept(t *testing.T) {
	e := serveEnvOn(t, testSettings(), testSite(t), Options{}, Listen)
	c := e.dial(t)
	c.send("GET /a.txt HTTP/1.1\r\nHost: t\r\n")
	waitFor(t, "the partial head is parked", func() bool {
		now, total := e.s.parkStats()
		return now == 1 && total == 1
	})
	if n := e.s.workers.numIdle(); n != 0 {
		t.Fatalf("%d idle workers: a worker served the partial head", n)
	}
	c.send("X-A: 1\r\n")
	waitFor(t, "the piece is fed in place", func() bool { return e.s.feeds() == 1 })
	c.send("\r\n")
	if resp, body := c.read("GET"); resp.StatusCode != 200 || body != "alpha\n" {
		t.Fatalf("got %d %q; want 200 alpha", resp.StatusCode, body)
	}
	// A complete head goes to a worker, unparsed.
	c2 := e.dial(t)
	c2.send(get("/a.txt"))
	if resp, body := c2.read("GET"); resp.StatusCode != 200 || body != "alpha\n" {
		t.Fatalf("got %d %q; want 200 alpha", resp.StatusCode, body)
	}
}

// More slow heads than pollBurst time out together: every one is still
// cut, expireBurst a round (pollBurst once the oldest is expireLag
// behind); the first waveAt with a 408, the rest of the wave with none
// (cutQuiet).
func TestParkedHeadsTimeOutTogether(t *testing.T) {
	e := startServer(t, func(c *Settings) { c.HeaderTimeout = 300 * time.Millisecond })
	oneWave(e.s)
	n := 3*pollBurst + 5
	cs := make([]*client, n)
	for i := range cs {
		cs[i] = e.dial(t)
		cs[i].send("GET /a.txt HTTP/1.1\r\nHost: t\r\n")
	}
	waitFor(t, "every head is parked", func() bool { return e.s.parked() == n })
	answered := 0
	for i, c := range cs {
		if cutWith408(t, i, c) {
			answered++
		}
	}
	if answered != waveAt {
		t.Errorf("%d of %d heads answered 408; want exactly the first %d", answered, n, waveAt)
	}
}

// A piece of a parked head that comes after its header deadline, before
// the deadline heap is read: feed leaves the head parked, for the heap to
// cut it (quietly, in a wave), and reads none of it. Handed back to its
// goroutine, as it was, the head got a 408 whatever the wave.
func TestFeedLeavesAHeadPastItsDeadline(t *testing.T) {
	s := mustNew(t, testSettings(), Options{})
	srv, cli := sockPair(t)
	c := &conn{srv: s, nc: srv, raw: srv}
	c.getState()
	defer c.putState()
	c.beginHead()
	var scratch parser.Request
	for i, piece := range []string{"GET /a.txt HTTP/1.1\r\n", "Host: t\r\n"} {
		if i == 1 {
			srv.SetReadDeadline(time.Now().Add(-time.Second)) // passed
		}
		if _, err := io.WriteString(cli, piece); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the piece is there", func() bool { return peekInput(srv) != inputNone })
		if !c.feed(&scratch, false) {
			t.Fatalf("piece %d: feed let the head go; want it parked", i)
		}
	}
	if got, want := string(c.st.buf[:c.st.w]), "GET /a.txt HTTP/1.1\r\n"; got != want {
		t.Errorf("buffered %q; want %q (nothing read past the deadline)", got, want)
	}
}

// A round resumes expireBurst expired connections, and pollBurst once the
// oldest deadline waiting is expireLag behind.
func TestExpireQuota(t *testing.T) {
	now := monoKey(time.Now())
	lag := int64(expireLag)
	for _, tc := range []struct {
		name   string
		oldest int64
		want   int
	}{
		{"just passed", now, expireBurst},
		{"behind, not yet lagging", now - lag + 1, expireBurst},
		{"lagging", now - lag, pollBurst},
		{"far behind", now - 100*lag, pollBurst},
	} {
		if got := expireQuota(tc.oldest, now); got != tc.want {
			t.Errorf("%s: expireQuota = %d; want %d", tc.name, got, tc.want)
		}
	}
	if expireBurst >= pollBurst || expireGap <= pollYield {
		t.Errorf("expireBurst %d, expireGap %v: the pacing must take fewer (than pollBurst %d) and wait longer (than pollYield %v)", expireBurst, expireGap, pollBurst, pollYield)
	}
}

// The parker's timer (setTimer, a timerfd): set to a time ahead it waits
// until then, once (no interval); set to the zero time it is off; set to
// a time passed it goes off at once. The itimerspec is the kernel's on
// every architecture (syscall.Timespec), which timerfd_gettime reads
// back.
func TestParkerTimer(t *testing.T) {
	fd, errno := timerfdCreate()
	if errno != 0 {
		t.Fatalf("timerfd_create: %v", errno)
	}
	defer syscall.Close(int(fd))
	p := &parker{tfd: fd}
	get := func() (interval, value time.Duration) {
		var its itimerspec
		if _, _, e := syscall.RawSyscall(syscall.SYS_TIMERFD_GETTIME, fd, uintptr(unsafe.Pointer(&its)), 0); e != 0 {
			t.Fatalf("timerfd_gettime: %v", e)
		}
		return time.Duration(its.interval.Nano()), time.Duration(its.value.Nano())
	}
	p.setTimer(time.Now().Add(time.Hour))
	if iv, v := get(); iv != 0 || v <= 59*time.Minute || v > time.Hour {
		t.Fatalf("set an hour ahead: interval %v, goes off in %v; want 0 and just under an hour", iv, v)
	}
	p.setTimer(time.Time{})
	if iv, v := get(); iv != 0 || v != 0 {
		t.Fatalf("set to the zero time: interval %v, goes off in %v; want off (0, 0)", iv, v)
	}
	p.setTimer(time.Now().Add(-time.Second))
	var n [8]byte
	waitFor(t, "the timer set in the past goes off", func() bool {
		_, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&n[0])), 8)
		return e == 0
	})
	if iv, v := get(); iv != 0 || v != 0 {
		t.Fatalf("after going off: interval %v, goes off in %v; want off (0, 0)", iv, v)
	}
}

// TestReadHeadPastDeadline: a head whose header deadline has passed is
// not offered to the waiter again when nothing more has come, even while
// the socket's own deadline timer has not fired (here: set an hour on,
// as if Go's poller had not run it yet); its read fails with the timeout,
// and the goroutine answers 408. Parked again, a head the waiter resumed
// at its deadline came straight back to it until its timeouts counted as
// a wave and it was cut with no 408 (linux/386, whose sockets are Go's).
func TestReadHeadPastDeadline(t *testing.T) {
	e := startServer(t, nil)
	_, srv := tcpPair(t)
	c, _, _, _ := e.s.addConn(srv)
	if c == nil {
		t.Fatal("addConn refused the connection")
	}
	if _, ok := c.nc.(*sockConn); !ok {
		t.Fatalf("the connection is a %T; want a sockConn", c.nc)
	}
	var parked bool
	defer func() {
		if !parked { // a parked one is the waiter's to end
			c.finish()
		}
	}()
	c.getState()
	c.nc.SetReadDeadline(time.Now().Add(time.Hour))
	n, parked, err := c.readHead(c.st.buf, time.Now().Add(-time.Millisecond))
	if parked || n != 0 || !isTimeout(err) {
		t.Fatalf("readHead past the deadline = %d, parked %v, %v; want 0, not parked, a timeout", n, parked, err)
	}
}
