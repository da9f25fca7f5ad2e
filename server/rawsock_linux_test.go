//go:build linux && (amd64 || arm64)

package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// rawListener returns a loopback listener and its raw accept function;
// stop frees what the accept holds (the listener is the caller's to close).
func rawListener(t *testing.T) (ln net.Listener, accept func() (net.Conn, error), stop func()) {
	t.Helper()
	ln, err := listenNow("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accept, stop, _, ok := rawAcceptor(ln)
	if !ok {
		ln.Close()
		t.Fatal("rawAcceptor refused a TCP listener")
	}
	return ln, accept, stop
}

// rawPair returns a rawSock server side, accepted by rawAcceptor, and a
// plain client side.
func rawPair(t *testing.T) (srv *rawSock, cli net.Conn) {
	t.Helper()
	ln, accept, stop := rawListener(t)
	defer func() { stop(); ln.Close() }()
	cli, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	nc, err := accept()
	if err != nil {
		t.Fatal(err)
	}
	srv, ok := nc.(*rawSock)
	if !ok {
		t.Fatalf("accept gave %T", nc)
	}
	t.Cleanup(func() { srv.Close(); cli.Close() })
	return srv, cli
}

// TestRawSock holds the raw socket to net.Conn's behaviour, before and
// after its upgrade: addresses, a read of bytes already there without an
// upgrade, errWouldBlock from a non-blocking read, a passed deadline as a
// timeout, a read that must wait (the upgrade) getting later bytes, a
// large write to a slow reader arriving whole, the FIN as io.EOF, and
// reads after Close failing with net.ErrClosed.
func TestRawSock(t *testing.T) {
	srv, cli := rawPair(t)
	if got, want := srv.RemoteAddr().String(), cli.LocalAddr().String(); got != want {
		t.Errorf("RemoteAddr = %s; want %s", got, want)
	}
	if got, want := srv.LocalAddr().String(), cli.RemoteAddr().String(); got != want {
		t.Errorf("LocalAddr = %s; want %s", got, want)
	}
	b := make([]byte, 16)
	if _, err := srv.read(b, false); err != errWouldBlock {
		t.Fatalf("read with nothing there = %v; want errWouldBlock", err)
	}
	if srv.peek() != inputNone {
		t.Errorf("peek with nothing there = %v; want inputNone", srv.peek())
	}
	cli.Write([]byte("hello"))
	waitFor(t, "the bytes to arrive", func() bool { return srv.peek() == inputData })
	if n, err := srv.read(b, false); err != nil || string(b[:n]) != "hello" {
		t.Fatalf("read = %q, %v", b[:n], err)
	}
	if srv.up.Load() != nil {
		t.Fatal("a read that did not wait upgraded the socket")
	}
	srv.SetReadDeadline(aLongTimeAgo)
	if _, err := srv.Read(b); !errors.Is(err, os.ErrDeadlineExceeded) || !isTimeout(err) {
		t.Fatalf("Read past the deadline = %v; want a timeout", err)
	}
	srv.SetReadDeadline(time.Time{})

	go func() {
		time.Sleep(10 * time.Millisecond) // the read below must wait: it upgrades
		cli.Write([]byte("again"))
	}()
	if n, err := srv.Read(b); err != nil || string(b[:n]) != "again" {
		t.Fatalf("Read that waits = %q, %v", b[:n], err)
	}
	if srv.up.Load() == nil {
		t.Fatal("a read that waited did not upgrade the socket")
	}
	srv.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := srv.Read(b); !isTimeout(err) {
		t.Fatalf("upgraded Read past the deadline = %v; want a timeout", err)
	}
	srv.SetReadDeadline(time.Time{})

	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<19)
	got := make(chan []byte)
	go func() {
		all, _ := io.ReadAll(io.LimitReader(cli, int64(len(big))))
		got <- all
	}()
	if n, err := srv.Write(big); n != len(big) || err != nil {
		t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(big))
	}
	if all := <-got; !bytes.Equal(all, big) {
		t.Fatalf("client got %d bytes, not the %d written", len(all), len(big))
	}
	cli.(*net.TCPConn).CloseWrite()
	if n, err := srv.Read(b); n != 0 || err != io.EOF {
		t.Fatalf("Read after the FIN = %d, %v; want 0, EOF", n, err)
	}
	srv.Close()
	if _, err := srv.Read(b); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Read after Close = %v; want net.ErrClosed", err)
	}
}

// TestRawSockWriteUpgrades: a write larger than the socket buffers, to a
// reader that is not reading yet, upgrades and still arrives whole.
func TestRawSockWriteUpgrades(t *testing.T) {
	srv, cli := rawPair(t)
	big := bytes.Repeat([]byte("x"), 8<<20)
	got := make(chan int)
	go func() {
		time.Sleep(10 * time.Millisecond)
		n, _ := io.Copy(io.Discard, io.LimitReader(cli, int64(len(big))))
		got <- int(n)
	}()
	if n, err := srv.Write(big); n != len(big) || err != nil {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if n := <-got; n != len(big) {
		t.Fatalf("client got %d bytes; want %d", n, len(big))
	}
	if srv.up.Load() == nil {
		t.Fatal("a write that waited did not upgrade")
	}
}

// TestRawSockRaw: with nothing to wait for, the connection is closed raw
// (the client sees the FIN) and CloseWrite sends a FIN first.
func TestRawSockRaw(t *testing.T) {
	srv, cli := rawPair(t)
	if err := srv.CloseWrite(); err != nil {
		t.Fatal(err)
	}
	cli.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := cli.Read(make([]byte, 1)); n != 0 || err != io.EOF {
		t.Fatalf("client read after CloseWrite = %d, %v; want EOF", n, err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if srv.up.Load() != nil {
		t.Fatal("upgraded with nothing to wait for")
	}
	if err := srv.Close(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("second Close = %v; want net.ErrClosed", err)
	}
}

// TestRawSockConcurrentClose: Close from another goroutine (Shutdown)
// while the connection's goroutine reads and writes: no race (go test
// -race), and every call after it fails with net.ErrClosed.
func TestRawSockConcurrentClose(t *testing.T) {
	srv, _ := rawPair(t)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		b := make([]byte, 8)
		for {
			if _, err := srv.read(b, false); err != nil && err != errWouldBlock {
				return
			}
		}
	}()
	srv.Close()
	wg.Wait()
	if _, err := srv.Write([]byte("x")); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write after Close = %v; want net.ErrClosed", err)
	}
}

// TestRawAcceptReleased: a released Handoff stops the raw accept (a
// blocked one too, at once: Release wakes it) with ErrReleased and leaves
// the pending connection to the next server; a listener closed and woken
// (as a Server's shutdown does) stops it with an error; one closed by
// someone else, within acceptPoll.
func TestRawAcceptReleased(t *testing.T) {
	defer func(d time.Duration) { acceptPoll = d }(acceptPoll)
	acceptPoll = time.Hour // only a wake can end a wait in time
	wait := func(done chan error) error {
		t.Helper()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			t.Fatal("the raw accept's wait was not ended")
			return nil
		}
	}
	ln, err := listenNow("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	h := NewHandoff(ln)
	accept, stop, wake, ok := rawAcceptor(h)
	if !ok {
		t.Fatal("rawAcceptor refused a Handoff")
	}
	defer stop()
	done := make(chan error)
	go func() {
		_, err := accept()
		done <- err
	}()
	h.Release()
	if err := wait(done); !errors.Is(err, ErrReleased) {
		t.Fatalf("accept after Release = %v; want ErrReleased", err)
	}
	h.Resume()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	nc, err := h.Accept() // the next server's
	if err != nil {
		t.Fatalf("the next server's Accept = %v", err)
	}
	nc.Close()
	go func() {
		_, err := accept()
		done <- err
	}()
	ln.Close()
	wake()
	if err := wait(done); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("accept after Close = %v; want a closed-listener error", err)
	}

	// Closed by someone else: no wake, noticed at the next poll.
	acceptPoll = 10 * time.Millisecond
	ln2, err := listenNow("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accept2, stop2, _, _ := rawAcceptor(ln2)
	defer stop2()
	go func() {
		_, err := accept2()
		done <- err
	}()
	ln2.Close()
	if err := wait(done); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Fatalf("accept after an outside Close = %v; want a closed-listener error", err)
	}
}

// TestParkedLinger: a connection closed after an error response lingers
// in the parker, without a goroutine, until the client closes its side.
func TestParkedLinger(t *testing.T) {
	e := startServer(t, nil)
	c := e.dial(t)
	c.send("GET /a.txt HTTP/1.1\r\nHost: t\r\nBad Header\r\n\r\n")
	resp, _ := c.read("GET")
	if resp.StatusCode != 400 {
		t.Fatalf("status %d; want 400", resp.StatusCode)
	}
	waitFor(t, "the lingering connection is parked", func() bool { return e.s.parked() == 1 })
	c.expectEOF()
	c.nc.Close()
	waitFor(t, "the lingering connection is closed", func() bool { return e.s.parked() == 0 && e.s.NumConns() == 0 })
}

// TestRawSockNoDelay: TCP_NODELAY is set before a connection's second
// write, not at accept: the first write has nothing in flight before it
// for Nagle to wait on, and a connection closed after one response saves
// the call.
func TestRawSockNoDelay(t *testing.T) {
	srv, cli := rawPair(t)
	noDelay := func() int {
		t.Helper()
		srv.mu.Lock()
		defer srv.mu.Unlock()
		v, err := syscall.GetsockoptInt(int(srv.fd), syscall.IPPROTO_TCP, syscall.TCP_NODELAY)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := noDelay(); v != 0 {
		t.Fatalf("TCP_NODELAY = %d after accept; want 0 until the second write", v)
	}
	buf := make([]byte, 2)
	for i, want := range []int{0, 1, 1} {
		if _, err := srv.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		if v := noDelay(); v != want {
			t.Fatalf("TCP_NODELAY = %d after write %d; want %d", v, i+1, want)
		}
		if _, err := io.ReadFull(cli, buf[:1]); err != nil {
			t.Fatal(err)
		}
	}
	if srv.up.Load() != nil {
		t.Fatal("upgraded with nothing to wait for")
	}
}

// TestRawSockLastWriteCarriesFIN: a connection's last bytes (writeLast)
// leave with its FIN, in one segment rather than two, on the raw socket
// and on the one upgraded to the poller, and a CloseWrite after it sends
// nothing more. The server's own count of segments sent (TCP_INFO) is
// exact: the client sends nothing the server must acknowledge.
func TestRawSockLastWriteCarriesFIN(t *testing.T) {
	for _, upgraded := range []bool{false, true} {
		t.Run(fmt.Sprintf("upgraded=%v", upgraded), func(t *testing.T) {
			srv, cli := rawPair(t)
			if upgraded {
				srv.mu.Lock()
				_, err := srv.upgrade()
				srv.mu.Unlock()
				if err != nil {
					t.Fatal(err)
				}
			}
			before := segsOut(t, srv)
			if n, err := srv.writeLast([]byte("last")); n != 4 || err != nil {
				t.Fatalf("writeLast = %d, %v; want 4, nil", n, err)
			}
			cli.SetReadDeadline(time.Now().Add(10 * time.Second)) // no FIN: fail, not hang
			got, err := io.ReadAll(cli)                           // the bytes, then the FIN
			if cerr := srv.CloseWrite(); cerr != nil {
				t.Fatalf("CloseWrite after writeLast = %v; want nil", cerr)
			}
			if string(got) != "last" || err != nil {
				t.Fatalf("client read %q, %v; want \"last\" and the FIN", got, err)
			}
			if n := segsOut(t, srv) - before; n != 1 {
				t.Fatalf("the last bytes and the FIN left in %d segments; want 1", n)
			}
		})
	}
}

// segsOut is the number of segments s has sent (TCP_INFO).
func segsOut(t *testing.T, s *rawSock) uint32 {
	t.Helper()
	var info *unix.TCPInfo
	var err error
	get := func(fd uintptr) { info, err = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO) }
	if up := s.up.Load(); up != nil {
		if cerr := up.rc.Control(get); cerr != nil {
			t.Fatal(cerr)
		}
	} else {
		s.mu.Lock()
		get(uintptr(s.fd))
		s.mu.Unlock()
	}
	if err != nil {
		t.Fatal(err)
	}
	return info.Segs_out
}

// TestRawSockRemoteIP: the per-IP limit's key comes from a raw socket
// without an allocation (RemoteAddr would build a *net.TCPAddr).
func TestRawSockRemoteIP(t *testing.T) {
	srv, cli := rawPair(t)
	want := cli.LocalAddr().(*net.TCPAddr).AddrPort().Addr().Unmap()
	if got := remoteIP(srv); got != want {
		t.Fatalf("remoteIP = %v; want %v", got, want)
	}
	if a := testing.AllocsPerRun(100, func() { remoteIP(srv) }); a != 0 {
		t.Fatalf("remoteIP allocates %.0f times per call; want 0", a)
	}
	var none rawSock
	if a := none.remoteAddrPort(); a.IsValid() || none.RemoteAddr() != nil {
		t.Fatalf("a rawSock with no address: %v, %v; want none", a, none.RemoteAddr())
	}
}

// TestRawAcceptBurst: a backlog of connections is accepted whole, the
// loop stepping aside (netYield) between them.
func TestRawAcceptBurst(t *testing.T) {
	ln, accept, stop := rawListener(t)
	defer ln.Close()
	defer stop()
	n := 3*pollBurst + 7
	var clients []net.Conn
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	for range n {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	done := make(chan error, 1)
	go func() {
		for i := range n {
			nc, err := accept()
			if err != nil {
				done <- fmt.Errorf("accept %d of %d: %v", i+1, n, err)
				return
			}
			nc.Close()
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the backlog of %d connections was not accepted", n)
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
	cli, _, served := waitingReader(t)
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
