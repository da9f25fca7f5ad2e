//go:build linux

package server

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// waitingReader starts a goroutine blocked in a read on a loopback
// connection, as a kept-alive client's goroutine waits in Go's poller,
// and returns the end to write its request to, the end it reads from and
// a flag it sets once it has read it.
func waitingReader(t *testing.T) (cli, srv net.Conn, served *atomic.Bool) {
	t.Helper()
	cli, srv = tcpPair(t)
	served = new(atomic.Bool)
	ready := make(chan struct{})
	go func() {
		close(ready)
		var b [1]byte
		if n, _ := srv.Read(b[:]); n == 1 {
			served.Store(true)
		}
	}()
	<-ready
	runtime.Gosched() // let it block in the poller
	return cli, srv, served
}

// withOneProcessor runs the test with GOMAXPROCS 1, as the servers in the
// benchmarks run: then a goroutine that does not block keeps every other
// from running until the scheduler polls.
func withOneProcessor(t *testing.T) {
	prev := runtime.GOMAXPROCS(1)
	t.Cleanup(func() { runtime.GOMAXPROCS(prev) })
}

// TestNetYieldLetsPollerIn: a goroutine that never blocks but yields
// between its units of work lets a request that came meanwhile be served
// at its next yield. runtime.Gosched in yield's place fails this: the
// scheduler runs the yielding goroutine again without polling, and the
// loop ends with the request unread.
func TestNetYieldLetsPollerIn(t *testing.T) {
	withOneProcessor(t)
	ny := newNetYield()
	if ny == nil {
		t.Skip("no eventfd here")
	}
	defer ny.close()
	cli, _, served := waitingReader(t)
	if _, err := cli.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	servedWithinTwo(t, "yield", ny.yield, served)
}

// servedWithinTwo calls step, a goroutine's step aside, until the request
// the waitingReader was sent is read, and fails the test unless that
// happens at the first or second call (what tells a step that lets the
// scheduler poll from one that does not). It never blocks otherwise: with
// one processor, the reader runs only when a step lets it.
func servedWithinTwo(t *testing.T, what string, step func(), served *atomic.Bool) {
	t.Helper()
	const rounds = 1000
	at := -1
	for i := range rounds {
		step()
		if served.Load() {
			at = i
			break
		}
	}
	if at < 0 || at > 1 {
		t.Fatalf("the waiting request was served after %s %d of %d (-1: never); want the first or second", what, at, rounds)
	}
}

// TestStepAsideLetsWarmRequestIn: the parker's look between pieces of a
// batch (stepAside) sees a request that came on a warm connection, whose
// goroutine waits in Go's poller, and steps aside so that it is served at
// once. Without the watch entry, or with the look not yielding, the loop
// ends with the request unread. A connection no longer watched is not
// reported, however much input it has.
func TestStepAsideLetsWarmRequestIn(t *testing.T) {
	withOneProcessor(t)
	e := startServer(t, nil)
	p := watchParker(t, e)
	cli, srv, served := waitingReader(t)
	c := watchedConn(t, e, p, srv)
	if _, err := cli.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	servedWithinTwo(t, "look", p.stepAside, served)

	p.watch(c, false)
	if _, err := cli.Write([]byte("y")); err != nil {
		t.Fatal(err)
	}
	var evs [1]syscall.EpollEvent
	if c.watched || watched(t, p) != 0 {
		t.Fatalf("after watch off: watched %v, %d entries; want false, 0", c.watched, watched(t, p))
	}
	if n, _ := epollPoll(p.wfd, evs[:]); n != 0 {
		t.Fatalf("the watch set reports %d ready with no connection in it", n)
	}
}

// TestWarmConnWatched: a busy keep-alive connection is in the parker's
// watch set while it waits warm for its next request (once its socket is
// Go's poller's: a raw socket is handed over by the first read that has to
// wait), and out of it once it falls quiet and is parked, where the parker
// itself waits for its input. The first server's warm wait is a minute,
// so that no stall of a loaded machine ends a wait before it is seen; the
// second's is warmWait, which it outlasts.
func TestWarmConnWatched(t *testing.T) {
	get200 := func(t *testing.T, c *client, what string) {
		t.Helper()
		c.send(get("/a.txt"))
		if resp, _ := c.read("GET"); resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", what, resp.StatusCode)
		}
	}
	t.Run("warm", func(t *testing.T) {
		e := startTuned(t, func(s *Server) { s.warm = time.Minute })
		p := watchParker(t, e)
		c := e.dial(t)
		for i := range warmAfter {
			get200(t, c, fmt.Sprintf("request %d", i+1))
		}
		// Its first warm wait: nothing comes, so the read waits and
		// hands the socket over (whether it was watched depends on
		// whether an earlier read had to wait).
		waitFor(t, "the warm connection's socket is the poller's", func() bool { return upgraded(e) })
		get200(t, c, "from the first warm wait")
		waitFor(t, "the warm connection is watched", func() bool { return watched(t, p) == 1 })
		if n := e.s.parked(); n != 0 {
			t.Fatalf("%d parked while waiting warm; want 0", n)
		}
		get200(t, c, "from the watched warm wait")
	})
	t.Run("quiet", func(t *testing.T) {
		e := startServer(t, nil)
		p := watchParker(t, e)
		c := e.dial(t)
		for i := range warmAfter + 1 {
			get200(t, c, fmt.Sprintf("request %d", i+1))
		}
		waitFor(t, "the quiet connection is parked and no longer watched", func() bool {
			return e.s.parked() == 1 && watched(t, p) == 0
		})
		get200(t, c, "after the quiet spell")
	})
}

// upgraded reports whether the socket of e's one connection has been
// handed to Go's poller (false while it has none).
func upgraded(e *testEnv) bool {
	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	for c := range e.s.conns {
		u, ok := c.raw.(interface{ upgraded() *sockConn })
		return ok && u.upgraded() != nil
	}
	return false
}

// TestBatchesStepAside: with a request waiting on a warm connection, the
// parker steps aside between every stepEvery heads it feeds in one batch
// and between the heads it cuts in a wave; with none waiting it never
// does. The waiting request here is one nobody reads, so every look finds
// it.
func TestBatchesStepAside(t *testing.T) {
	withOneProcessor(t)
	e := startServer(t, func(c *Settings) { c.HeaderTimeout = time.Second })
	p := watchParker(t, e)
	noStorms(e) // the pieces are fed as they come
	const n = 3 * waveAt
	cs := make([]*client, n)
	for i := range cs {
		cs[i] = e.dial(t)
		cs[i].send("GET /a.txt HTTP/1.1\r\n")
	}
	waitFor(t, "every head is parked", func() bool { return e.s.parked() == n })
	// With one processor, the pieces sent here (no wait between them) are
	// all there when the parker next runs: one batch.
	feed := func(round int) {
		for _, c := range cs {
			c.send("X-A: 1\r\n")
		}
		waitFor(t, "the pieces are fed", func() bool { return e.s.feeds() == uint64(round*n) })
	}
	// The OS may split a batch (the test goroutine preempted mid-round):
	// each batch of k heads looks (k-1)/stepEvery times, so the round
	// looks at most (n-1)/stepEvery times and, in one batch, that often.
	looked := func(round int, before uint64) uint64 {
		t.Helper()
		got := p.looks.Load() - before
		if got == 0 || got > uint64((n-1)/stepEvery) {
			t.Fatalf("round %d: the parker looked %d times feeding %d heads; want 1 to %d", round, got, n, (n-1)/stepEvery)
		}
		return got
	}
	feed(1)
	looked(1, 0)
	if got := p.steps.Load(); got != 0 {
		t.Fatalf("the parker stepped aside %d times with no request waiting", got)
	}
	cli, srv := tcpPair(t)
	watchedConn(t, e, p, srv)
	if _, err := cli.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	before := p.looks.Load()
	feed(2)
	fed := p.steps.Load()
	if looks := looked(2, before); fed != looks {
		t.Fatalf("the parker stepped aside %d times in %d looks with a request waiting", fed, looks)
	}
	waitFor(t, "every head is cut", func() bool { return e.s.parked() == 0 })
	if p.steps.Load() == fed {
		t.Fatal("the parker did not step aside between the cuts of a wave")
	}
}

// watchParker returns e's parker, started; the test is skipped where it
// has no watch set.
func watchParker(t *testing.T, e *testEnv) *parker {
	t.Helper()
	p := e.s.waiter.(*parker)
	if !p.started() || p.wfd == 0 {
		t.Skip("no watch set here")
	}
	return p
}

// watchedConn puts srv, the server's end of a loopback connection, in p's
// watch set as a warm connection's socket; no goroutine of the server
// reads it.
func watchedConn(t *testing.T, e *testEnv, p *parker, srv net.Conn) *conn {
	t.Helper()
	c := &conn{srv: e.s, nc: newSockConn(srv.(*net.TCPConn))}
	c.raw = c.nc
	p.watch(c, true)
	if !c.watched || watched(t, p) != 1 {
		t.Fatalf("watch: watched %v, %d entries; want true, 1", c.watched, watched(t, p))
	}
	return c
}

// watched counts the entries of the parker's watch set, from its fdinfo.
func watched(t *testing.T, p *parker) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/fdinfo/" + strconv.Itoa(int(p.wfd)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "tfd:") {
			n++
		}
	}
	return n
}
