//go:build linux

package server

import (
	"net"
	"syscall"
	"testing"
	"time"
)

// Listen defers accepting a connection until its first bytes come
// (TCP_DEFER_ACCEPT): a client that connected later but has spoken is
// accepted first, and a silent one is still accepted after the deferral,
// not lost.
func TestListenDefersSilentConnections(t *testing.T) {
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	rc, err := ln.(*net.TCPListener).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var v int
	var gerr error
	rc.Control(func(fd uintptr) {
		v, gerr = syscall.GetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_DEFER_ACCEPT)
	})
	if gerr != nil || v < deferAccept {
		t.Fatalf("TCP_DEFER_ACCEPT = %d, %v; want at least %d", v, gerr, deferAccept)
	}

	silent, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	talker, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer talker.Close()
	if _, err := talker.Write([]byte("G")); err != nil {
		t.Fatal(err)
	}
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
	first, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if first.RemoteAddr().String() != talker.LocalAddr().String() {
		t.Fatalf("accepted %v first; want the client that spoke, %v (the silent one is %v)", first.RemoteAddr(), talker.LocalAddr(), silent.LocalAddr())
	}
	second, err := ln.Accept()
	if err != nil {
		t.Fatalf("the silent connection was never accepted: %v", err)
	}
	defer second.Close()
	if second.RemoteAddr().String() != silent.LocalAddr().String() {
		t.Fatalf("accepted %v second; want the silent client %v", second.RemoteAddr(), silent.LocalAddr())
	}
}
