//go:build linux

package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// sockPair returns a sockConn server side and a plain client side.
func sockPair(t *testing.T) (srv net.Conn, cli net.Conn) {
	t.Helper()
	ln, err := listenNow("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	cli, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	nc, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	srv = newSockConn(nc.(*net.TCPConn))
	if _, ok := srv.(*sockConn); !ok {
		t.Fatalf("newSockConn gave %T", srv)
	}
	t.Cleanup(func() { srv.Close(); cli.Close() })
	return srv, cli
}

// TestSockConn holds the raw-syscall conn to net.Conn's behaviour: reads
// wait for data, deadlines give a timeout error and leave the conn usable,
// a large write to a slow reader arrives whole, a FIN reads as io.EOF,
// and reads after Close fail with net.ErrClosed.
func TestSockConn(t *testing.T) {
	srv, cli := sockPair(t)

	go cli.Write([]byte("hello"))
	b := make([]byte, 16)
	n, err := srv.Read(b)
	if err != nil || string(b[:n]) != "hello" {
		t.Fatalf("Read = %q, %v", b[:n], err)
	}

	srv.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
	if _, err := srv.Read(b); !errors.Is(err, os.ErrDeadlineExceeded) || !isTimeout(err) {
		t.Fatalf("Read past the deadline = %v; want a timeout", err)
	}
	srv.SetReadDeadline(time.Time{})
	go cli.Write([]byte("again"))
	if n, err := srv.Read(b); err != nil || string(b[:n]) != "again" {
		t.Fatalf("Read after a timeout = %q, %v", b[:n], err)
	}

	// 8 MiB is far more than the socket buffers: Write must wait for the
	// reader and resume where the kernel stopped.
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
		t.Fatalf("client got %d bytes, not the %d written (or different ones)", len(all), len(big))
	}

	cli.(*net.TCPConn).CloseWrite()
	if n, err := srv.Read(b); n != 0 || err != io.EOF {
		t.Fatalf("Read after the client's FIN = %d, %v; want 0, EOF", n, err)
	}
	srv.Close()
	if _, err := srv.Read(b); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Read after Close = %v; want net.ErrClosed", err)
	}
}

// TestSockConnConcurrentReads: a read made while another is in flight
// on the same connection (the second takes a sockRead of its own, as the
// first holds the connection's) gets its own bytes; each read gets one
// of the two written, and neither is lost or read twice.
func TestSockConnConcurrentReads(t *testing.T) {
	srv, cli := sockPair(t)
	sc := srv.(*sockConn)
	type res struct {
		b   string
		err error
	}
	got := make(chan res, 2)
	read := func() {
		b := make([]byte, 8)
		n, err := srv.Read(b)
		got <- res{string(b[:n]), err}
	}
	go read()
	for i := 0; !sc.rd.busy.Load(); i++ { // the first read holds sc.rd
		if i == 1e7 {
			t.Fatal("the first read never began")
		}
		runtime.Gosched()
	}
	go read() // sc.rd is busy until a byte comes: this one has its own
	seen := map[string]bool{}
	for _, w := range []string{"a", "b"} {
		if _, err := cli.Write([]byte(w)); err != nil {
			t.Fatal(err)
		}
		r := <-got
		if r.err != nil || len(r.b) != 1 || seen[r.b] {
			t.Fatalf("Read = %q, %v; after %q was written (seen before: %v)", r.b, r.err, w, seen)
		}
		seen[r.b] = true
	}
	if sc.rd.busy.Load() || sc.rd.b != nil {
		t.Fatalf("after both reads the connection's read is busy %v and holds %d bytes of buffer; want free and none", sc.rd.busy.Load(), len(sc.rd.b))
	}
}

// TestKeepAliveRequestAllocatesNothing: a request on a busy keep-alive
// connection (one that waits warm for its next request, on a socket
// handed to Go's poller) costs no allocation in the server or in this
// client: the callbacks of the socket's reads and writes are bound once
// per connection (sockRead, sockWrite), not made per call (five
// allocations a request before). AllocsPerRun counts the whole process,
// on average: a stray allocation of another goroutine does not fail it.
func TestKeepAliveRequestAllocatesNothing(t *testing.T) {
	e := startServer(t, nil)
	nc, err := net.Dial("tcp", e.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	br := bufio.NewReaderSize(nc, 8192)
	req := []byte(get("/1k.txt"))
	var failed error
	one := func() {
		if failed != nil {
			return
		}
		if _, err := nc.Write(req); err != nil {
			failed = err
			return
		}
		if st, n, err := readRaw(br); err != nil || st != 200 || n != 1024 {
			failed = fmt.Errorf("response %d, %d bytes, %v; want 200, 1024", st, n, err)
		}
	}
	for range 2 * warmAfter { // past warmAfter: the connection waits warm
		one()
	}
	allocs := testing.AllocsPerRun(200, one)
	if failed != nil {
		t.Fatal(failed)
	}
	if allocs >= 1 {
		t.Fatalf("%v allocations per keep-alive request; want none", allocs)
	}
}

// TestSockConnWriteReset: writing to a peer that is gone fails with an
// error instead of hanging.
func TestSockConnWriteReset(t *testing.T) {
	srv, cli := sockPair(t)
	cli.(*net.TCPConn).SetLinger(0)
	cli.Close() // RST
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		_, err = srv.Write(make([]byte, 64<<10))
	}
	if err == nil {
		t.Fatal("100 writes to a reset connection all succeeded")
	}
}

// TestPreadShared reads a range positionally and reports a short file.
func TestPreadShared(t *testing.T) {
	p := t.TempDir() + "/f"
	os.WriteFile(p, []byte("0123456789"), 0o644)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, 4)
	if n, err := preadShared(f, b, 3); n != 4 || err != nil || string(b) != "3456" {
		t.Fatalf("preadShared = %d %q %v", n, b, err)
	}
	if n, err := preadShared(f, b, 8); n != 2 || err != io.EOF {
		t.Fatalf("preadShared past the end = %d, %v; want 2, EOF", n, err)
	}
}

// socketCall is one of the two system calls a socket benchmark compares:
// the file call, or the socket call rawRead or rawWrite makes (not ok on
// 386, where socket calls go through socketcall).
type socketCall struct {
	name string
	nr   uintptr
	ok   bool
}

// rawSocket returns the server side of a loopback TCP connection as a
// non-blocking descriptor, and its client; both are closed when b ends.
func rawSocket(b *testing.B) (uintptr, net.Conn) {
	cli, nc := tcpPair(b)
	f, err := nc.(*net.TCPConn).File()
	nc.Close()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	fd := f.Fd() // (Fd puts f in blocking mode: once, before SetNonblock)
	if err := syscall.SetNonblock(int(fd), true); err != nil {
		b.Fatal(err)
	}
	return fd, cli
}

// BenchmarkSocketRead compares read with recvfrom (rawRead's call, see
// there) for an 8-byte read of bytes already queued on a loopback socket:
// the cost of a slow head's piece, less the wakeup.
func BenchmarkSocketRead(b *testing.B) {
	for _, bc := range []socketCall{{"read", syscall.SYS_READ, true}, {"recvfrom", sysRecvfrom, sysRecvfrom != 0}} {
		b.Run(bc.name, func(b *testing.B) {
			if !bc.ok {
				b.Skip("no recvfrom system call here (socketcall)")
			}
			fd, cli := rawSocket(b)
			queued := make([]byte, 32<<10)
			buf := make([]byte, 8)
			left := 0
			for b.Loop() {
				if left == 0 {
					b.StopTimer()
					if _, err := cli.Write(queued); err != nil {
						b.Fatal(err)
					}
					left = len(queued) / len(buf)
					b.StartTimer()
				}
				r, _, e := syscall.RawSyscall6(bc.nr, fd, uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), 0, 0, 0)
				if e == syscall.EAGAIN {
					continue // the rest of the write is still on its way
				}
				if e != 0 || r == 0 {
					b.Fatalf("%s: %d, %v", bc.name, r, e)
				}
				left--
			}
		})
	}
}

// BenchmarkSocketWrite compares write with sendto (rawWrite's call, see
// there) for a 1 200-byte write to a loopback socket whose reader drains
// it: about a response to a small request.
func BenchmarkSocketWrite(b *testing.B) {
	for _, bc := range []socketCall{{"write", syscall.SYS_WRITE, true}, {"sendto", sysSendto, sysSendto != 0}} {
		b.Run(bc.name, func(b *testing.B) {
			if !bc.ok {
				b.Skip("no sendto system call here (socketcall)")
			}
			fd, cli := rawSocket(b)
			drained := make(chan struct{})
			go func() {
				defer close(drained)
				io.Copy(io.Discard, cli)
			}()
			b.Cleanup(func() { cli.Close(); <-drained })
			msg := bytes.Repeat([]byte("x"), 1200)
			for b.Loop() {
				r, _, e := syscall.RawSyscall6(bc.nr, fd, uintptr(unsafe.Pointer(&msg[0])), uintptr(len(msg)), 0, 0, 0)
				if e == syscall.EAGAIN {
					continue // the reader is behind: its buffer is full
				}
				if e != 0 || r == 0 {
					b.Fatalf("%s: %d, %v", bc.name, r, e)
				}
			}
		})
	}
}
