//go:build linux

package server

import (
	"errors"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// parker holds connections that wait for input with no goroutine: idle
// keep-alive connections, and connections in the middle of a request head
// that is slow to come. A waiting connection served by a goroutine costs
// that goroutine's stack (2 KiB, often 4 after parsing) and descriptor; a
// parked one costs only its conn, its socket (and, mid-head, its buffer)
// and an entry in an epoll set of the parker's own. That set is waited for
// by one goroutine through Go's poller (an epoll descriptor is readable
// while it has events); when a parked socket becomes readable (bytes, a
// FIN, an error) the connection is taken out and given a fresh goroutine
// again.
//
// The parker also watches each parked connection's deadline (c.until):
// the idle timeout, or the header timeout counted from the head's first
// byte. Each kind is kept in its own list ordered by deadline (within a
// kind they park in nearly that order), and the goroutine's read deadline
// is the earliest one. An idle connection whose timeout passes is closed
// quietly; a mid-head one is woken, and its goroutine answers 408 as an
// unparked one would.
//
// Ownership: a connection in the table belongs to the parker; whoever
// takes it out under mu (a readiness event, the expiry, shutdown) owns it
// from then on. Only plain TCP connections are parked (sockConn): a TLS
// connection may hold decrypted bytes the socket no longer shows.
type parker struct {
	s  *Server
	ep *os.File // the epoll set, in Go's poller
	fd uintptr  // ep's descriptor (ep.Fd would make it blocking)

	mu     sync.Mutex
	slots  []parkSlot
	free   []int32
	lists  [2]parkList // parkIdle, parkHead
	armed  time.Time   // the deadline the goroutine waits for (zero: none)
	fired  bool        // armed has passed: the deadline must be set anew
	closed bool
	parks  uint64 // connections parked so far
}

// parkList is a doubly linked list of parked conns by until, earliest
// first.
type parkList struct{ head, tail *conn }

// The two kinds of parked connection, indexes into parker.lists.
const (
	parkIdle = 0 // between requests, holding no buffer
	parkHead = 1 // part of a head read (c.midHead), buffer and parser kept
)

func (c *conn) parkKind() int {
	if c.midHead {
		return parkHead
	}
	return parkIdle
}

// parkSlot is one table entry. gen changes on every use of the slot, and
// an event carries slot and gen, so an event left over from an earlier
// occupant is recognised and dropped.
type parkSlot struct {
	c   *conn
	gen uint32
}

// parkEvents are the readiness conditions that wake a parked connection.
// EPOLLONESHOT disarms the entry once it fires: the socket stays in the
// set (the kernel drops it when it is closed) and is re-armed with MOD the
// next time the connection parks.
const parkEvents = syscall.EPOLLIN | syscall.EPOLLRDHUP | syscall.EPOLLONESHOT

func newParker(s *Server) (*parker, error) {
	fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	if err := syscall.SetNonblock(fd, true); err != nil {
		syscall.Close(fd)
		return nil, os.NewSyscallError("fcntl", err)
	}
	// A non-blocking descriptor given to os.NewFile is registered with
	// the poller, so its RawConn waits for readability there and its
	// read deadline works.
	return &parker{s: s, ep: os.NewFile(uintptr(fd), "idle-epoll"), fd: uintptr(fd)}, nil
}

// park hands c to the parker until its socket is readable or until
// passes; the calling goroutine must not touch c afterwards. An idle
// connection (c.midHead false) is marked idle for Shutdown; a mid-head one
// stays active. park reports false (and c stays with the caller) when c
// cannot be parked: not plain TCP, shutdown, or a failing epoll call.
func (c *conn) park(until time.Time) bool {
	s := c.srv
	sc, ok := c.nc.(*sockConn)
	if !ok || s.shutdown.Load() {
		return false
	}
	p := s.getParker()
	if p == nil {
		return false
	}
	if !c.midHead {
		c.state.Store(stateIdle)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed { // ep is closed: fd may be reused
		return false
	}
	var slot int32
	if n := len(p.free); n > 0 {
		slot = p.free[n-1]
		p.free = p.free[:n-1]
	} else {
		slot = int32(len(p.slots))
		p.slots = append(p.slots, parkSlot{})
	}
	ps := &p.slots[slot]
	ps.gen++
	ev := syscall.EpollEvent{Events: parkEvents, Fd: slot, Pad: int32(ps.gen)}
	op := syscall.EPOLL_CTL_MOD
	if !c.registered {
		op = syscall.EPOLL_CTL_ADD
	}
	var errno syscall.Errno
	// Control holds a reference on the socket, so its descriptor number
	// cannot be closed and reused under the call. ADD and MOD both look
	// at the socket's current state: bytes that came before the call
	// fire at once.
	err := sc.rc.Control(func(fd uintptr) {
		_, _, errno = syscall.RawSyscall6(syscall.SYS_EPOLL_CTL, p.fd, uintptr(op), fd, uintptr(unsafe.Pointer(&ev)), 0, 0)
	})
	if err != nil || errno != 0 {
		p.free = append(p.free, slot)
		return false
	}
	c.registered = true
	p.parks++
	ps.c = c
	c.slot = slot
	c.until = until
	l := &p.lists[c.parkKind()]
	l.link(c)
	if l.head == c {
		p.arm()
	}
	return true
}

// link inserts c by until, searching from the tail: connections of one
// kind park in nearly the order of their deadlines (a warm wait parks up
// to warmWait late). mu is held.
func (l *parkList) link(c *conn) {
	at := l.tail
	for at != nil && at.until.After(c.until) {
		at = at.pprev
	}
	c.pprev = at
	if at == nil {
		c.pnext = l.head
		l.head = c
	} else {
		c.pnext = at.pnext
		at.pnext = c
	}
	if c.pnext == nil {
		l.tail = c
	} else {
		c.pnext.pprev = c
	}
}

// getParker returns the server's parker, starting it on first use, or nil
// when the system refuses one (the server then idles on goroutines).
func (s *Server) getParker() *parker {
	s.parkOnce.Do(func() {
		p, err := newParker(s)
		if err != nil {
			s.log.Warn("idle connections will keep their goroutines", "err", err)
			return
		}
		rc, err := p.ep.SyscallConn()
		if err != nil {
			p.ep.Close()
			return
		}
		s.mu.Lock()
		if s.shutdown.Load() {
			s.mu.Unlock()
			p.ep.Close()
			return
		}
		s.wg.Add(1)
		s.mu.Unlock()
		s.park.Store(p)
		go p.run(rc)
	})
	return s.park.Load()
}

// take removes c from the table and its list; mu is held.
func (p *parker) take(c *conn) {
	p.slots[c.slot].c = nil
	p.free = append(p.free, c.slot)
	l := &p.lists[c.parkKind()]
	if c.pprev == nil {
		l.head = c.pnext
	} else {
		c.pprev.pnext = c.pnext
	}
	if c.pnext == nil {
		l.tail = c.pprev
	} else {
		c.pnext.pprev = c.pprev
	}
	c.pprev, c.pnext = nil, nil
}

// arm points the goroutine's read deadline at the earliest deadline; mu
// is held. A deadline already passed wakes the goroutine at once. One
// that has fired is set again even when unchanged: a passed deadline
// fails every wait until it is reset, so leaving it would spin.
func (p *parker) arm() {
	var d time.Time
	for _, l := range p.lists {
		if l.head != nil && (d.IsZero() || l.head.until.Before(d)) {
			d = l.head.until
		}
	}
	if p.fired || !d.Equal(p.armed) {
		p.armed, p.fired = d, false
		p.ep.SetReadDeadline(d)
	}
}

// resume gives a connection taken out of the parker a goroutine again.
// An idle one reads its next request straight into a buffer (woken).
func resume(c *conn) {
	if !c.midHead {
		c.woken = true
	}
	go c.serve()
}

// run waits for events on the parker's set until drain closes it.
func (p *parker) run(rc syscall.RawConn) {
	defer p.s.wg.Done()
	var evs [128]syscall.EpollEvent
	wake := make([]*conn, 0, len(evs))
	for {
		n := 0
		var errno syscall.Errno
		err := rc.Read(func(fd uintptr) bool {
			for {
				// A zero timeout never blocks: an empty set is
				// waited for by the poller instead.
				r, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, fd, uintptr(unsafe.Pointer(&evs[0])), uintptr(len(evs)), 0, 0, 0)
				switch e {
				case 0:
					n = int(r)
					return n > 0
				case syscall.EINTR:
					continue
				}
				errno = e
				return true
			}
		})
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return // closed by drain
		}
		if errno != 0 {
			// Not expected of a valid epoll descriptor; rather than
			// spin on it, give up parking (drain) and let later
			// connections keep their goroutines.
			p.s.log.Error("idle connection parking stopped", "err", os.NewSyscallError("epoll_pwait", errno))
			p.drain()
			return
		}
		wake = wake[:0]
		var expired *conn
		p.mu.Lock()
		if err != nil {
			p.fired = true
		}
		for _, ev := range evs[:n] {
			ps := &p.slots[ev.Fd]
			if c := ps.c; c != nil && ps.gen == uint32(ev.Pad) {
				p.take(c)
				wake = append(wake, c)
			}
		}
		now := time.Now()
		for c := p.lists[parkIdle].head; c != nil && !now.Before(c.until); c = p.lists[parkIdle].head {
			p.take(c)
			c.pnext = expired
			expired = c
		}
		// A head past its deadline is woken: its goroutine's read fails
		// with the timeout at once and it answers 408.
		for c := p.lists[parkHead].head; c != nil && !now.Before(c.until); c = p.lists[parkHead].head {
			p.take(c)
			wake = append(wake, c)
		}
		p.arm()
		p.mu.Unlock()
		for _, c := range wake {
			resume(c)
		}
		clear(wake)
		for c := expired; c != nil; {
			next := c.pnext
			c.pnext = nil
			// RFC 9112 §9.5: an idle connection may be closed at any
			// time; a plain FIN, as waitRequest's timeout does.
			c.state.Store(stateClosing)
			c.finish()
			c = next
		}
	}
}

// drain ends parking for shutdown: every idle parked connection is
// closed, every mid-head one gets its goroutine back (its request is in
// flight, which Shutdown lets finish), and the parker's goroutine ends.
// It must not be called with s.mu held.
func (p *parker) drain() {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	var idle, heads []*conn
	for c := p.lists[parkIdle].head; c != nil; c = p.lists[parkIdle].head {
		p.take(c)
		idle = append(idle, c)
	}
	for c := p.lists[parkHead].head; c != nil; c = p.lists[parkHead].head {
		p.take(c)
		heads = append(heads, c)
	}
	p.mu.Unlock()
	p.ep.Close() // the goroutine's wait fails and it returns
	for _, c := range idle {
		c.state.Store(stateClosing)
		c.finish()
	}
	for _, c := range heads {
		resume(c)
	}
}

// parkStats returns the number of parked connections, and how many times a
// connection was parked so far.
func (s *Server) parkStats() (now int, total uint64) {
	p := s.park.Load()
	if p == nil {
		return 0, 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.slots) - len(p.free), p.parks
}

func (s *Server) parked() int {
	n, _ := s.parkStats()
	return n
}

// readHead reads more of a head into b. On a plain TCP connection that has
// nothing to read yet it parks the connection until more arrives or until
// (the header deadline) and reports parked; the caller must then leave c
// alone. Elsewhere, or when parking is refused, it waits as a read does.
func (c *conn) readHead(b []byte, until time.Time) (n int, parked bool, err error) {
	sc, ok := c.nc.(*sockConn)
	if !ok {
		n, err = c.nc.Read(b)
		return n, false, err
	}
	n, err = sc.read(b, false)
	if err != errWouldBlock {
		return n, false, err
	}
	c.midHead = true
	if c.park(until) {
		return 0, true, nil
	}
	c.midHead = false
	n, err = sc.Read(b)
	return n, false, err
}
