//go:build linux && (amd64 || arm64)

package server

import (
	"net"
	"runtime"
	"sync/atomic"
	"testing"
)

// waitingReader starts a goroutine blocked in a read on a loopback
// connection, as a kept-alive client's goroutine waits in Go's poller,
// and returns the end to write its request to and a flag it sets once it
// has read it.
func waitingReader(t *testing.T) (net.Conn, *atomic.Bool) {
	t.Helper()
	cli, srv := tcpPair(t)
	var served atomic.Bool
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
	return cli, &served
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
	cli, served := waitingReader(t)
	if _, err := cli.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	const rounds = 1000
	at := -1
	for i := range rounds {
		ny.yield()
		if served.Load() {
			at = i
			break
		}
	}
	if at < 0 || at > 1 {
		t.Fatalf("the waiting request was served after yield %d of %d (-1: never); want the first or second", at, rounds)
	}
}

// TestAcceptBurstLetsRequestsIn: while the raw accept loop takes a burst
// of connections that were all queued at once, a request that came on a
// kept-alive connection is served between two of them, not after the
// burst. With the loop taking the burst in one go (the loop before
// netYield) the request was read only once all 40 were accepted.
func TestAcceptBurstLetsRequestsIn(t *testing.T) {
	withOneProcessor(t)
	ln, accept, stop := rawListener(t)
	defer ln.Close()
	defer stop()
	const n = 40
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
	}
	cli, served := waitingReader(t)
	// The first accept returns at once (the burst's first connection), so
	// the request is written while the burst is under way.
	first, err := accept()
	if err != nil {
		t.Fatal(err)
	}
	first.Close()
	if _, err := cli.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	at := -1
	for i := 1; i < n; i++ {
		nc, err := accept()
		if err != nil {
			t.Fatalf("accept %d of %d: %v", i+1, n, err)
		}
		nc.Close()
		if at < 0 && served.Load() {
			at = i
		}
	}
	if at < 0 {
		t.Fatalf("the request was not served during the burst of %d accepts; want it within the next two after the first", n)
	}
	if at > 2 {
		t.Fatalf("the request was served after accept %d of %d; want it within the next two after the first", at+1, n)
	}
}
