//go:build linux

package server

import (
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStormy: when the heads set is read every tick. A storm begins at
// onAt wakeups that fed heads per window and ends below offBelow pieces,
// judged by the rate over however long the window stayed open, and never
// lasts with no head left.
func TestStormy(t *testing.T) {
	w := stormWindow
	cases := []struct {
		name    string
		on      bool
		n       int
		elapsed time.Duration
		heads   int
		want    bool
	}{
		{"calm", false, stormOnAt - 1, w, 1000, false},
		{"begins", false, stormOnAt, w, 1000, true},
		{"a burst in a long window is not a storm", false, 5 * stormOnAt, time.Minute, 1000, false},
		{"the rate over a longer window", false, 3 * stormOnAt, 3 * w, 1000, true},
		{"no head to read", false, 10 * stormOnAt, w, 0, false},
		{"lasts", true, stormOffBelow, w, 1000, true},
		{"lasts with many pieces", true, 20 * stormOffBelow, w, 1000, true},
		{"ends", true, stormOffBelow - 1, w, 1000, false},
		{"ends when the window stayed open", true, 10 * stormOffBelow, time.Minute, 1000, false},
		{"ends with no head left", true, 10 * stormOnAt, w, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := defaultStorm()
			st.on = c.on
			if got := st.stormy(c.n, c.elapsed, c.heads); got != c.want {
				t.Errorf("on=%v stormy(%d, %v, %d) = %v; want %v", c.on, c.n, c.elapsed, c.heads, got, c.want)
			}
		})
	}
}

// stormState reads the parker's storm flag, its parked heads and how many
// of them are in the heads set.
func (s *Server) stormState() (on bool, heads, inHeads int) {
	p := s.waiter.(*parker)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, ps := range p.slots {
		if ps.c != nil && ps.c.phase == phaseParse && ps.c.park.inHeads {
			inHeads++
		}
	}
	return p.storm.on, p.heads, inHeads
}

// tickMost is the most heads one storm tick has read.
func (s *Server) tickMost() int {
	p := s.waiter.(*parker)
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.most
}

// setTick sets the storm's tick and the time of its next read of the heads
// set, and re-arms the parker's deadline for it.
func (s *Server) setTick(tick time.Duration, next time.Time) {
	p := s.waiter.(*parker)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.storm.tick, p.storm.next = tick, next
	p.arm()
}

// A storm of pieces of heads: the heads go to the heads set, read only at
// its tick, while idle connections are still woken by their input; when
// the storm ends the heads left there are read as their pieces come again
// (the set nested in the parker's), and new heads park in the parker's
// set.
func TestStormReadsHeadsAtTheTick(t *testing.T) {
	e := startServer(t, func(c *Settings) { c.HeaderTimeout = time.Minute })
	p := quickStorms(e)

	idle := e.dial(t)
	idle.send(get("/a.txt"))
	if resp, _ := idle.read("GET"); resp.StatusCode != 200 {
		t.Fatalf("idle connection: status %d", resp.StatusCode)
	}
	const n = 30
	cs := make([]*client, n)
	for i := range cs {
		cs[i] = e.dial(t)
		cs[i].send("GET /a.txt HTTP/1.1\r\n")
	}
	waitFor(t, "every head and the idle connection are parked", func() bool {
		_, heads, in := e.s.stormState()
		return heads == n && in == 0 && e.s.parked() == n+1
	})
	// Pieces, until a window holds enough of them.
	piecesUntilStorm(t, e, cs)
	// The heads parked before the storm go to the heads set with their
	// next piece.
	feeds := e.s.feeds()
	for _, c := range cs {
		c.send("X-A: 1\r\n")
	}
	waitFor(t, "every head is in the heads set", func() bool {
		_, heads, in := e.s.stormState()
		return e.s.feeds() >= feeds+n && heads == n && in == n
	})
	// No tick for an hour: the heads set is not read, but the idle
	// connection is woken by its request (or this read times out).
	e.s.setTick(time.Hour, time.Now().Add(time.Hour))
	feeds = e.s.feeds()
	for _, c := range cs {
		c.send("X-B: 1\r\n")
	}
	idle.send(get("/a.txt"))
	if resp, body := idle.read("GET"); resp.StatusCode != 200 || body != "alpha\n" {
		t.Fatalf("idle connection during the storm: %d %q", resp.StatusCode, body)
	}
	if on, _, _ := e.s.stormState(); !on {
		t.Fatal("the storm ended with every head parked")
	}
	// The heads set's entry stays in the parker's set, switched off (taken
	// out, it would cost a walk over every head to add it back). The
	// kernel keeps EPOLLERR and EPOLLHUP in every entry; an epoll set
	// never reports them.
	if ev, ok := headsEntry(t, p); !ok || ev&syscall.EPOLLIN != 0 {
		t.Fatalf("during the storm the heads set's entry: present %v, events %#x; want present without EPOLLIN", ok, ev)
	}
	// The pieces went out before that request: read as they came, some
	// would have been fed by now.
	if got := e.s.feeds(); got != feeds {
		t.Fatalf("%d pieces fed during the storm with no tick; want 0", got-feeds)
	}
	// The pieces are read at the tick, tickBatch at a time: the first
	// tick finds every head waiting and leaves the rest to the next round.
	e.s.setTick(5*time.Millisecond, time.Now())
	waitFor(t, "the pieces are fed at the tick", func() bool { return e.s.feeds() >= feeds+n })
	if most := e.s.tickMost(); most != tickBatch {
		t.Fatalf("the most heads one tick read: %d; want tickBatch (%d) of the %d waiting", most, tickBatch, n)
	}
	// The storm ends with the heads still in the heads set (a policy no
	// window meets), which goes back into the parker's set: their pieces
	// are read as they come again, with no tick.
	p.mu.Lock()
	p.storm.offBelow = 1 << 30
	p.mu.Unlock()
	waitFor(t, "the storm ends with every head in the heads set", func() bool {
		on, heads, in := e.s.stormState()
		return !on && heads == n && in == n
	})
	e.s.setTick(time.Hour, time.Now().Add(time.Hour))
	feeds = e.s.feeds()
	for _, c := range cs {
		c.send("X-C: 1\r\n")
	}
	waitFor(t, "the pieces are fed with no tick", func() bool { return e.s.feeds() == feeds+n })
	if ev, ok := headsEntry(t, p); !ok || ev&syscall.EPOLLIN == 0 {
		t.Fatalf("after the storm the heads set's entry: present %v, events %#x; want EPOLLIN", ok, ev)
	}
	for i, c := range cs {
		c.send("Host: t\r\n\r\n")
		if resp, body := c.read("GET"); resp.StatusCode != 200 || body != "alpha\n" {
			t.Fatalf("head %d: %d %q", i, resp.StatusCode, body)
		}
	}
	// After the storm a new head parks in the parker's set and its
	// pieces are read as they come.
	c := e.dial(t)
	c.send("GET /a.txt HTTP/1.1\r\n")
	waitFor(t, "the new head is parked in the parker's set", func() bool {
		_, heads, in := e.s.stormState()
		return heads == 1 && in == 0
	})
	feeds = e.s.feeds()
	c.send("X-D: 1\r\n")
	waitFor(t, "the piece is fed", func() bool { return e.s.feeds() == feeds+1 })
	c.send("Host: t\r\n\r\n")
	if resp, body := c.read("GET"); resp.StatusCode != 200 || body != "alpha\n" {
		t.Fatalf("after the storm: %d %q", resp.StatusCode, body)
	}
}

// TestStormCutsQuietly: during a storm a head past its header timeout is
// closed where it is parked, with no 408 (cutQuiet): the client reads the
// end of its input (a FIN, not a reset, though it sent a piece no tick
// read) and nothing before it, the cut is counted as a head timeout, and
// the server holds the connection no more. Ten heads are no wave
// (waveAt): the storm alone makes these cuts quiet; a head that times
// out alone gets its 408 (TestSlowCutDoesNotLinger).
func TestStormCutsQuietly(t *testing.T) {
	e := startServer(t, func(c *Settings) { c.HeaderTimeout = time.Second })
	quickStorms(e)
	const n = 10
	before := e.s.Stats().Refused[RefusedHeadTimeout]
	cs := make([]*client, n)
	for i := range cs {
		cs[i] = e.dial(t)
		cs[i].send("GET /a.txt HTTP/1.1\r\n")
	}
	waitFor(t, "every head is parked", func() bool {
		_, heads, _ := e.s.stormState()
		return heads == n
	})
	piecesUntilStorm(t, e, cs)
	// A last piece each that no tick reads: the cut reads it, or its
	// close would be a reset (unread input), which expectEOF refuses.
	e.s.setTick(time.Hour, time.Now().Add(time.Hour))
	for _, c := range cs {
		c.send("X-B: 1\r\n")
	}
	for _, c := range cs {
		c.expectEOF()
	}
	if got := e.s.Stats().Refused[RefusedHeadTimeout] - before; got != n {
		t.Errorf("head timeouts counted during the storm: %d; want %d", got, n)
	}
	waitFor(t, "the server holds no connection", func() bool { return e.s.NumConns() == 0 })
}

// TestWaveCutsQuietly: with no storm (pieces of heads do not come), heads
// that time out together are a wave: the first waveAt get their 408, the
// rest are closed where they are parked with nothing sent (cutQuiet), and
// every one is counted as a head timeout.
func TestWaveCutsQuietly(t *testing.T) {
	e := startServer(t, func(c *Settings) { c.HeaderTimeout = 300 * time.Millisecond })
	noStorms(e)
	oneWave(e.s)
	cs := make([]*client, 3*waveAt)
	for i := range cs {
		cs[i] = e.dial(t)
	}
	cutInWave(t, e.s, cs)
	if on, _, _ := e.s.stormState(); on {
		t.Error("a storm began")
	}
}

// TestWaveCountsAHeadOnce: waveAt parked heads that time out together are
// no wave, and each gets its 408: the parker counts each, and the
// goroutine it resumes to answer does not count it again. The windows are
// widened (oneWave) so that a second count always lands in the same wave.
func TestWaveCountsAHeadOnce(t *testing.T) {
	e := startServer(t, func(c *Settings) { c.HeaderTimeout = 300 * time.Millisecond })
	noStorms(e)
	oneWave(e.s)
	cs := make([]*client, waveAt)
	for i := range cs {
		cs[i] = e.dial(t)
		cs[i].send("GET /a.txt HTTP/1.1\r\n")
	}
	waitFor(t, "every head is parked", func() bool { return e.s.parked() == waveAt })
	for i, c := range cs {
		if !cutWith408(t, i, c) {
			t.Errorf("head %d of %d: closed with nothing; want its 408", i, waveAt)
		}
	}
}

// noStorms gives e's parker a storm policy no test meets: pieces of
// heads are fed as they come, and heads past their deadline are cut only
// in a wave.
func noStorms(e *testEnv) {
	p := e.s.waiter.(*parker)
	p.mu.Lock()
	p.storm.onAt = 1 << 30
	p.mu.Unlock()
}

// quickStorms gives e's parker a storm policy a test can meet: a storm
// begins at 5 reads that found pieces in a window of 20 ms and lasts while
// a head is left.
func quickStorms(e *testEnv) *parker {
	p := e.s.waiter.(*parker)
	p.mu.Lock()
	p.storm.onAt, p.storm.offBelow, p.storm.window = 5, 0, 20*time.Millisecond
	p.mu.Unlock()
	return p
}

// piecesUntilStorm sends a piece to every head in cs, a millisecond
// apart, until a storm begins (each is a field line: 60 at most, fewer
// than the 128 a head may have).
func piecesUntilStorm(t *testing.T, e *testEnv, cs []*client) {
	t.Helper()
	for k := 0; ; k++ {
		if on, _, _ := e.s.stormState(); on {
			return
		}
		if k == 60 {
			t.Fatalf("no storm after 60 pieces to each of %d heads", len(cs))
		}
		for _, c := range cs {
			c.send("X-A: 1\r\n")
		}
		time.Sleep(time.Millisecond) // spread the pieces over windows
	}
}

// headsEntry reads the heads set's entry in the parker's set from the
// kernel's description of that set (/proc/self/fdinfo): its events, and
// whether it is there.
func headsEntry(t *testing.T, p *parker) (events uint32, ok bool) {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/self/fdinfo/%d", p.fd))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		var tfd int
		var ev uint32
		if n, _ := fmt.Sscanf(line, "tfd: %d events: %x", &tfd, &ev); n == 2 && uintptr(tfd) == p.hfd {
			return ev, true
		}
	}
	return 0, false
}

// BenchmarkStormTurn times turning the heads set's entry in the parker's
// set off and on again with 2 000 slowloris heads in the heads set: what
// a storm's begin and end cost the server's CPU, a stall in every request
// it is serving. "mod" is what the parker does (nestHeads); "del-add" is
// what it did before, taking the entry out and adding it again, which
// makes the kernel walk every head for loops and wakeup paths.
func BenchmarkStormTurn(b *testing.B) {
	const n = 2000
	e := serveEnv(b, func() Settings {
		set := testSettings()
		set.HeaderTimeout, set.MaxConnsPerIP = time.Hour, n+1
		return set
	}(), testSite(b), Options{})
	p := e.s.waiter.(*parker)
	// A storm that begins at the next window and lasts while a head is
	// left.
	p.mu.Lock()
	p.storm.onAt, p.storm.offBelow, p.storm.window = 0, 0, time.Millisecond
	p.mu.Unlock()
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.Dial("tcp", e.addr)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
		if _, err := io.WriteString(c, "GET /a.txt HTTP/1.1\r\n"); err != nil {
			b.Fatal(err)
		}
	}
	waitFor(b, "every head parked", func() bool {
		_, heads, _ := e.s.stormState()
		return heads == n
	})
	// Pieces: the first fed begin the storm, and a head goes to the heads
	// set with its next piece in it.
	for k := 0; ; k++ {
		if _, _, in := e.s.stormState(); in == n {
			break
		}
		if k == 20 {
			b.Fatal("the heads are not in the heads set after 20 pieces each")
		}
		fed := e.s.feeds()
		for _, c := range conns {
			if _, err := io.WriteString(c, "X-A: 1\r\n"); err != nil {
				b.Fatal(err)
			}
		}
		waitFor(b, "the pieces fed", func() bool { return e.s.feeds() >= fed+n })
	}
	// From here on the parker judges no window: only the benchmark turns
	// the entry.
	p.mu.Lock()
	p.storm.window = time.Hour
	p.mu.Unlock()
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: headsMark}
	for _, w := range []struct {
		name    string
		off, on func() error
	}{
		{"mod", func() error { return p.nestHeads(0) }, func() error { return p.nestHeads(syscall.EPOLLIN) }},
		{"del-add", func() error { return syscall.EpollCtl(int(p.fd), syscall.EPOLL_CTL_DEL, int(p.hfd), nil) },
			func() error { return syscall.EpollCtl(int(p.fd), syscall.EPOLL_CTL_ADD, int(p.hfd), &ev) }},
	} {
		b.Run(w.name, func(b *testing.B) {
			for b.Loop() {
				if err := w.off(); err != nil {
					b.Fatal(err)
				}
				if err := w.on(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The parker's storm is still on: its entry is off, as it must be.
	if err := p.nestHeads(0); err != nil {
		b.Fatal(err)
	}
}
