//go:build linux && (amd64 || arm64)

package server

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Raw accept. Go's TCPListener.Accept makes ordinary system calls
// (accept4, then setsockopt for TCP_NODELAY), and closing a net.Conn
// another (close): each enters the scheduler's syscall bookkeeping, which
// wakes the runtime's sysmon thread when the server was idle; sysmon then
// polls every 20 µs until the server falls idle again. With one
// connection per request that is a wakeup, and several context switches,
// per request (measured: sysmon was 23% of the server's CPU samples in the
// close scenario). Here the listener's socket is read through its
// RawConn: accept4 and setsockopt are raw calls, waited for by Go's
// poller as Accept is, and the new socket is a rawSock, served with raw
// calls and closed with one, with no netFD or poller registration at all
// while nothing has to wait on it.

// rawAcceptor returns an accept function doing that for a TCP listener
// (or a Handoff around one), and stop, which frees what it holds; false
// for any other listener.
//
// A listener's RawConn cannot wait for readability (Go refuses Read on
// it), so the accepts are made on a duplicate of its descriptor,
// registered with the poller as an *os.File. The duplicate keeps the
// socket listening, so it must not outlive the listener: before every
// accept the listener is checked, closed (Shutdown) or released (a
// reload's Handoff.Release: the pending connections are left to the next
// Server). Whoever closes or releases it calls wake, which ends a wait at
// once (the Server's shutdown, Handoff.Release); a listener closed by
// anyone else is noticed within acceptPoll, which bounds every wait.
func rawAcceptor(ln net.Listener) (accept func() (net.Conn, error), stop, wake func(), ok bool) {
	h, _ := ln.(*Handoff)
	inner := ln
	if h != nil {
		inner = h.Listener
	}
	tl, ok := inner.(*net.TCPListener)
	if !ok {
		return nil, nil, nil, false
	}
	lrc, err := tl.SyscallConn()
	if err != nil {
		return nil, nil, nil, false
	}
	laddr, _ := tl.Addr().(*net.TCPAddr)
	if laddr == nil {
		return nil, nil, nil, false
	}
	dup := -1
	var derr error
	if err := lrc.Control(func(fd uintptr) {
		r, _, e := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_DUPFD_CLOEXEC, 0)
		if e != 0 {
			derr = e
			return
		}
		dup = int(r)
	}); err != nil || derr != nil {
		return nil, nil, nil, false
	}
	if syscall.SetNonblock(dup, true) != nil {
		syscall.Close(dup)
		return nil, nil, nil, false
	}
	lf := os.NewFile(uintptr(dup), "listener")
	rc, err := lf.SyscallConn()
	if err != nil {
		lf.Close()
		return nil, nil, nil, false
	}
	// woken is set by wake before it ends a wait; the loop clears it
	// before its checks and looks at it after setting its own deadline,
	// so a wake between the two is not overwritten.
	var woken atomic.Bool
	wake = func() {
		woken.Store(true)
		lf.SetReadDeadline(aLongTimeAgo)
	}
	fixedLocal := !laddr.IP.IsUnspecified()
	// burst: the previous call returned a connection; a call that then
	// finds the next one without waiting in the poller is in a burst of
	// connections, and steps aside before it hands that one over (below).
	burst := false
	ny := newNetYield()
	accept = func() (net.Conn, error) {
		var sa syscall.RawSockaddrAny
		nfd := -1
		var errno syscall.Errno
		for nfd < 0 {
			woken.Store(false)
			if h != nil && h.isReleased() {
				return nil, ErrReleased
			}
			if err := lrc.Control(func(uintptr) {}); err != nil {
				return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: laddr, Err: err}
			}
			lf.SetReadDeadline(time.Now().Add(acceptPoll))
			if woken.Load() {
				continue // check again
			}
			waited := false
			err := rc.Read(func(fd uintptr) bool {
				for {
					l := uint32(syscall.SizeofSockaddrAny)
					r, _, e := syscall.RawSyscall6(syscall.SYS_ACCEPT4, fd, uintptr(unsafe.Pointer(&sa)), uintptr(unsafe.Pointer(&l)), syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0, 0)
					switch e {
					case 0:
						nfd = int(r)
						return true
					case syscall.EINTR, syscall.ECONNABORTED:
						continue // as Go's accept does
					case syscall.EAGAIN:
						waited = true
						return false // wait in the poller
					}
					errno = e
					return true
				}
			})
			if waited {
				burst = false
			}
			switch {
			case err != nil && errors.Is(err, os.ErrDeadlineExceeded):
				continue // check the listener again
			case err != nil:
				return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: laddr, Err: err}
			case errno != 0:
				return nil, &net.OpError{Op: "accept", Net: "tcp", Addr: laddr, Err: os.NewSyscallError("accept4", errno)}
			}
		}
		local := laddr
		if !fixedLocal {
			var ls syscall.RawSockaddrAny
			l := uint32(syscall.SizeofSockaddrAny)
			if _, _, e := syscall.RawSyscall(syscall.SYS_GETSOCKNAME, uintptr(nfd), uintptr(unsafe.Pointer(&ls)), uintptr(unsafe.Pointer(&l))); e == 0 {
				if a := sockaddrPort(&ls); a.IsValid() {
					local = net.TCPAddrFromAddrPort(a)
				}
			}
		}
		// In a burst, each connection costs the accepting goroutine its
		// first read, a parse and a park (conn.start), tens of
		// microseconds; with one processor, a burst taken in one go kept
		// every request that came meanwhile waiting behind all of it (Go's
		// scheduler polls the network only when it has nothing else to
		// run, see pollBurst). nginx takes one connection per pass of its
		// event loop, between the other events. So before each connection
		// after the first of a burst the loop steps aside once (netYield):
		// the requests that came are served, then the burst goes on. A
		// connection that comes alone (one per request, at any rate the
		// server keeps up with) is found after a wait and costs nothing
		// more.
		if burst {
			ny.yield()
		}
		burst = true
		rs := &rawSock{fd: int32(nfd), laddr: local}
		rs.setRemote(sockaddrPort(&sa))
		return rs, nil
	}
	if h != nil {
		h.setWake(wake)
	}
	stop = func() {
		if h != nil {
			h.setWake(nil)
		}
		lf.Close()
		ny.close()
	}
	return accept, stop, wake, true
}

// acceptPoll bounds a raw accept's wait between checks of its listener,
// for a listener closed by someone other than its Server (which wakes
// the wait at once): an idle listener wakes the server once a second.
// (A variable for the tests.)
var acceptPoll = time.Second

// sockaddrPort converts a socket address (invalid when it is not IPv4 or
// IPv6).
func sockaddrPort(sa *syscall.RawSockaddrAny) netip.AddrPort {
	switch sa.Addr.Family {
	case syscall.AF_INET:
		p := (*syscall.RawSockaddrInet4)(unsafe.Pointer(sa))
		port := int(p.Port>>8 | p.Port<<8)
		return netip.AddrPortFrom(netip.AddrFrom4(p.Addr), uint16(port))
	case syscall.AF_INET6:
		p := (*syscall.RawSockaddrInet6)(unsafe.Pointer(sa))
		port := int(p.Port>>8 | p.Port<<8)
		return netip.AddrPortFrom(netip.AddrFrom16(p.Addr), uint16(port))
	}
	return netip.AddrPort{}
}

// rawSock is an accepted TCP socket served with raw, non-blocking system
// calls and no poller registration. As long as every call finds what it
// needs (the request is there, the response fits the socket buffer) it
// never waits, and closing it is one raw close. The first time a call
// would have to wait (a read with nothing there, a full send buffer,
// sendfile), the socket is upgraded, once, to a poller-registered
// sockConn (net.FileConn, which duplicates the descriptor), and every
// call goes there from then on. A parker may hold it without an upgrade:
// it waits on the descriptor in its own epoll set (epollCtl).
//
// mu is held across every raw call and Close, so a Close from another
// goroutine (Shutdown) cannot close the descriptor, and let its number be
// reused, under a call in flight; raw calls never block, so it is held
// only briefly.
type rawSock struct {
	up atomic.Pointer[sockConn] // set once by upgrade

	// The struct is kept small (80 bytes, a size class): an
	// idle keep-alive connection that never had to wait is a rawSock and
	// a conn, and little else.
	mu   sync.Mutex
	fd   int32    // -1 once closed or handed to up
	sets [2]int32 // the parker's epoll sets holding fd (0: none)
	// Deadlines (monoKey, 0 for none), kept until an upgrade applies
	// them.
	rdl   int64
	wdl   int64
	laddr *net.TCPAddr // the listener's, unless it listens on any address
	// The client's address (see remoteAddrPort): IPv4 in the IPv4-mapped
	// IPv6 form with is4 set; RemoteAddr builds a *net.TCPAddr.
	rip    [16]byte
	rport  uint16
	is4    bool
	closed bool
	// wrote: a write was made; noDelay: TCP_NODELAY is set (see Write);
	// shut: the FIN was sent (writeLast), CloseWrite has nothing to do.
	wrote, noDelay, shut bool
}

// setRemote keeps the client's address a (invalid: none).
func (s *rawSock) setRemote(a netip.AddrPort) {
	if !a.IsValid() {
		return
	}
	s.rip, s.rport, s.is4 = a.Addr().As16(), a.Port(), a.Addr().Is4()
}

// remoteAddrPort is the client's address (invalid when unknown), without
// allocating (see remoteIP).
func (s *rawSock) remoteAddrPort() netip.AddrPort {
	if s.rip == [16]byte{} && s.rport == 0 {
		return netip.AddrPort{}
	}
	a := netip.AddrFrom16(s.rip)
	if s.is4 {
		a = a.Unmap()
	}
	return netip.AddrPortFrom(a, s.rport)
}

func (s *rawSock) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "tcp", Source: s.LocalAddr(), Addr: s.RemoteAddr(), Err: err}
}

// passed reports whether deadline d (monoKey) is set and has passed.
func passed(d int64) bool { return d != 0 && monoKey(time.Now()) >= d }

// deadlineKey is t as a deadline key: 0 for none.
func deadlineKey(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	if k := monoKey(t); k != 0 {
		return k
	}
	return 1
}

// upgrade hands the descriptor over to a poller-registered sockConn; mu is
// held. The parker's registration, if any, is dropped first: it belongs
// to this descriptor number, which the upgrade closes (the socket lives on
// under the duplicate), and park registers the new one afresh.
func (s *rawSock) upgrade() (*sockConn, error) {
	if up := s.up.Load(); up != nil {
		return up, nil
	}
	if s.closed {
		return nil, net.ErrClosed
	}
	f := os.NewFile(uintptr(s.fd), "tcp")
	nc, err := net.FileConn(f)
	if err != nil {
		f.Close()
		s.fd, s.closed = -1, true
		return nil, err
	}
	for i, ep := range s.sets {
		if ep != 0 {
			var ev syscall.EpollEvent
			syscall.RawSyscall6(syscall.SYS_EPOLL_CTL, uintptr(ep), syscall.EPOLL_CTL_DEL, uintptr(s.fd), uintptr(unsafe.Pointer(&ev)), 0, 0)
			s.sets[i] = 0
		}
	}
	f.Close()
	s.fd = -1
	tc, ok := nc.(*net.TCPConn)
	var sc *sockConn
	if ok {
		sc, ok = newSockConn(tc).(*sockConn)
	}
	if !ok {
		nc.Close()
		s.closed = true
		return nil, s.opError("upgrade", syscall.EINVAL)
	}
	if s.rdl != 0 {
		sc.SetReadDeadline(monoTime(s.rdl))
	}
	if s.wdl != 0 {
		sc.SetWriteDeadline(monoTime(s.wdl))
	}
	sc.shut = s.shut
	s.up.Store(sc)
	return sc, nil
}

func (s *rawSock) Read(b []byte) (int, error) { return s.read(b, true) }

// read reads into b; with wait false it returns errWouldBlock instead of
// waiting (and upgrading) when nothing is there.
func (s *rawSock) read(b []byte, wait bool) (int, error) {
	if up := s.up.Load(); up != nil {
		return up.read(b, wait)
	}
	if len(b) == 0 {
		return 0, nil
	}
	s.mu.Lock()
	if up := s.up.Load(); up != nil {
		s.mu.Unlock()
		return up.read(b, wait)
	}
	if s.closed {
		s.mu.Unlock()
		return 0, s.opError("read", net.ErrClosed)
	}
	if passed(s.rdl) {
		s.mu.Unlock()
		return 0, s.opError("read", os.ErrDeadlineExceeded)
	}
	n, e := rawRead(uintptr(s.fd), b)
	switch e {
	case 0:
		s.mu.Unlock()
		if n == 0 {
			return 0, io.EOF
		}
		return n, nil
	case syscall.EAGAIN:
		if !wait {
			s.mu.Unlock()
			return 0, errWouldBlock
		}
		up, err := s.upgrade()
		s.mu.Unlock()
		if err != nil {
			return 0, s.opError("read", err)
		}
		return up.read(b, true)
	}
	s.mu.Unlock()
	return 0, s.opError("read", os.NewSyscallError("read", e))
}

func (s *rawSock) Write(b []byte) (int, error) { return s.write(b, false) }

func (s *rawSock) writeLast(b []byte) (int, error) { return sendLast(s, b) }

func (s *rawSock) write(b []byte, last bool) (int, error) {
	if up := s.up.Load(); up != nil {
		return up.write(b, last)
	}
	s.mu.Lock()
	if up := s.up.Load(); up != nil {
		s.mu.Unlock()
		return up.write(b, last)
	}
	if s.closed {
		s.mu.Unlock()
		return 0, s.opError("write", net.ErrClosed)
	}
	if passed(s.wdl) {
		s.mu.Unlock()
		return 0, s.opError("write", os.ErrDeadlineExceeded)
	}
	// No Nagle delay for a short segment behind unacknowledged data
	// (what Go's accept sets on every socket): set before the second
	// write, not at accept. The first write of a connection has nothing
	// in flight before it, so it leaves at once; a connection closed after
	// one write (one request per connection) saves the system call. A
	// socket upgraded to the poller has it set (net.FileConn does).
	if s.wrote && !s.noDelay {
		one := int32(1)
		syscall.RawSyscall6(syscall.SYS_SETSOCKOPT, uintptr(s.fd), syscall.IPPROTO_TCP, syscall.TCP_NODELAY, uintptr(unsafe.Pointer(&one)), 4, 0)
		s.noDelay = true
	}
	s.wrote = true
	done, e := rawWrite(uintptr(s.fd), b, 0, last)
	switch e {
	case 0:
		s.mu.Unlock()
		return done, nil
	case syscall.EAGAIN:
		up, err := s.upgrade()
		s.mu.Unlock()
		if err != nil {
			return done, s.opError("write", err)
		}
		n, err := up.write(b[done:], last)
		return done + n, err
	}
	s.mu.Unlock()
	return done, s.opError("write", os.NewSyscallError("write", e))
}

// ReadFrom sends r (a file: sendfile) through the upgraded socket, which
// waits for room as sendfile needs.
func (s *rawSock) ReadFrom(r io.Reader) (int64, error) {
	s.mu.Lock()
	up, err := s.upgrade()
	s.mu.Unlock()
	if err != nil {
		return 0, s.opError("readfrom", err)
	}
	return up.ReadFrom(r)
}

func (s *rawSock) Close() error {
	if up := s.up.Load(); up != nil {
		return up.Close()
	}
	s.mu.Lock()
	if up := s.up.Load(); up != nil {
		s.mu.Unlock()
		return up.Close()
	}
	if s.closed {
		s.mu.Unlock()
		return s.opError("close", net.ErrClosed)
	}
	s.closed = true
	fd := s.fd
	s.fd = -1
	// The kernel drops fd from the parker's epoll set as it closes.
	_, _, e := syscall.RawSyscall(syscall.SYS_CLOSE, uintptr(fd), 0, 0)
	s.mu.Unlock()
	if e != 0 {
		return s.opError("close", os.NewSyscallError("close", e))
	}
	return nil
}

// CloseWrite shuts the write side (a FIN after what was sent).
func (s *rawSock) CloseWrite() error {
	if up := s.up.Load(); up != nil {
		return up.CloseWrite()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if up := s.up.Load(); up != nil {
		return up.CloseWrite()
	}
	if s.closed {
		return s.opError("close", net.ErrClosed)
	}
	if s.shut {
		return nil
	}
	if _, _, e := syscall.RawSyscall(syscall.SYS_SHUTDOWN, uintptr(s.fd), syscall.SHUT_WR, 0); e != 0 {
		return s.opError("close", os.NewSyscallError("shutdown", e))
	}
	s.shut = true
	return nil
}

func (s *rawSock) LocalAddr() net.Addr {
	if s.laddr == nil {
		return nil
	}
	return s.laddr
}

func (s *rawSock) RemoteAddr() net.Addr {
	a := s.remoteAddrPort()
	if !a.IsValid() {
		return nil
	}
	return net.TCPAddrFromAddrPort(a)
}

func (s *rawSock) SetDeadline(t time.Time) error {
	if err := s.SetReadDeadline(t); err != nil {
		return err
	}
	return s.SetWriteDeadline(t)
}

func (s *rawSock) SetReadDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if up := s.up.Load(); up != nil {
		return up.SetReadDeadline(t)
	}
	if s.closed {
		return s.opError("set", net.ErrClosed)
	}
	s.rdl = deadlineKey(t)
	return nil
}

func (s *rawSock) SetWriteDeadline(t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if up := s.up.Load(); up != nil {
		return up.SetWriteDeadline(t)
	}
	if s.closed {
		return s.opError("set", net.ErrClosed)
	}
	s.wdl = deadlineKey(t)
	return nil
}

// upgraded returns the socket in Go's poller the descriptor went to, or
// nil before any upgrade (see parker.watch).
func (s *rawSock) upgraded() *sockConn { return s.up.Load() }

// epollCtl runs an epoll_ctl for the socket on the parker's set ep (see
// park); a descriptor registered there is remembered, so that an upgrade
// can take it out.
func (s *rawSock) epollCtl(ep uintptr, op int, ev *syscall.EpollEvent) syscall.Errno {
	if up := s.up.Load(); up != nil {
		return up.epollCtl(ep, op, ev)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if up := s.up.Load(); up != nil {
		return up.epollCtl(ep, op, ev)
	}
	if s.closed {
		return syscall.EBADF
	}
	_, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_CTL, ep, uintptr(op), uintptr(s.fd), uintptr(unsafe.Pointer(ev)), 0, 0)
	if e == 0 {
		// Remember the set (upgrade leaves it), or forget it.
		i := slices.Index(s.sets[:], int32(ep))
		switch {
		case op == syscall.EPOLL_CTL_DEL && i >= 0:
			s.sets[i] = 0
		case op != syscall.EPOLL_CTL_DEL && i < 0:
			if j := slices.Index(s.sets[:], 0); j >= 0 {
				s.sets[j] = int32(ep)
			}
		}
	}
	return e
}

// peek is peekInput's raw MSG_PEEK (see there).
func (s *rawSock) peek() input {
	if up := s.up.Load(); up != nil {
		return up.peek()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if up := s.up.Load(); up != nil {
		return up.peek()
	}
	if s.closed {
		return inputUnknown
	}
	return peekFd(uintptr(s.fd))
}

func (c *sockConn) peek() input {
	res := inputUnknown
	if c.rc.Control(func(fd uintptr) { res = peekFd(fd) }) != nil {
		return inputUnknown
	}
	return res
}

// peekFd looks, without blocking or consuming, at what the socket holds.
func peekFd(fd uintptr) input {
	var b [1]byte
	for {
		r, _, e := syscall.RawSyscall6(syscall.SYS_RECVFROM, fd, uintptr(unsafe.Pointer(&b[0])), 1, syscall.MSG_PEEK|syscall.MSG_DONTWAIT, 0, 0)
		switch {
		case e == syscall.EINTR:
			continue
		case e == syscall.EAGAIN:
			return inputNone
		case e != 0:
			return inputUnknown
		case r == 0:
			return inputEOF
		}
		return inputData
	}
}
