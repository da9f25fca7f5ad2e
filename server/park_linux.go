//go:build linux

package server

import (
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/ferrox/ferrox/parser"
)

// parker holds connections that wait for input with no goroutine: idle
// keep-alive connections, connections in the middle of a request head
// that is slow to come, new plain connections whose first request has not
// come yet (phaseFirst, see parkFirst: resumed like a head under
// shutdown, closed quietly at the header timeout) and plain lingering
// closes (phaseLinger, see parkLinger: drained here, closed on the
// client's FIN or at lingerTimeout). A waiting connection served by a goroutine costs
// that goroutine's stack (2 KiB, often 4 after parsing) and descriptor; a
// parked one costs only its conn, its socket (and, mid-head, its buffer)
// and an entry in an epoll set of the parker's own. That set is waited for
// by one goroutine through Go's poller (an epoll descriptor is readable
// while it has events); when a parked socket becomes readable (bytes, a
// FIN, an error) the connection is taken out and given a fresh goroutine
// again.
//
// The parker also watches each parked connection's deadline (until):
// the idle timeout, or the header timeout counted from the head's first
// byte. They are kept in a min-heap, and the parker's timer (tfd) is set
// to the earliest one. An idle connection whose timeout passes is closed
// quietly; a mid-head one is resumed, and its goroutine answers 408 as an
// unparked one would, except in a wave of timeouts (wave) or a storm of
// slow heads: then it is closed where it is, with no 408 (cutQuiet).
//
// Its batches of work (a storm's tick, a round of cuts) step aside when a
// request comes meanwhile on a warm connection, one whose goroutine waits
// for it in Go's poller: see watch and stepAside.
//
// Ownership: a connection in the table belongs to the parker; whoever
// takes it out under mu (a readiness event, the expiry, shutdown) owns it
// from then on. TLS connections are parked only when idle and when their
// TLS layer holds no input (tlsQuiet): the socket's readability says
// nothing about bytes already decrypted or read.
type parker struct {
	s     *Server
	start sync.Once // the epoll set and goroutine start on first use
	ok    bool      // they did (set inside start)
	ep    *os.File  // the epoll set, in Go's poller
	fd    uintptr   // ep's descriptor (ep.Fd would make it blocking)
	// hfd is the heads set (see storm): slow heads parked during a
	// storm, read every tick; nested in ep (an entry marked headsMark,
	// switched off during a storm: nestHeads). It is not in Go's poller,
	// and the parker's goroutine closes it when it ends.
	hfd uintptr
	// tfd is the parker's timer (a timerfd in ep, marked timerMark): the
	// earliest parked deadline, or the storm's next tick, whichever is
	// first (arm). Not a deadline on ep: a Go timer due every few
	// milliseconds (a storm's ticks) woke the runtime's sysmon thread as
	// often, which sleeps until the next timer when nothing runs (159
	// wakeups a second, 5% of the server's CPU with 2 000 slowloris
	// connections, counted from its thread's context switches). The
	// parker's goroutine closes it when it ends.
	tfd uintptr
	// wfd is the watch set: the sockets of warm connections (waitWarm),
	// which wait for their next request in Go's poller, level-triggered,
	// so that a look at it says whether a request is waiting there while
	// this goroutine works through a batch (stepAside). Not in Go's
	// poller; the parker's goroutine closes it when it ends. ny is the
	// parker's goroutine's way to step aside.
	wfd   uintptr
	ny    *netYield
	looks atomic.Uint64 // times stepAside looked (read by the tests)
	steps atomic.Uint64 // times it found a request and yielded (read by the tests)

	mu     sync.Mutex
	slots  []parkSlot
	free   []int32
	heap   []*conn   // parked conns, a binary min-heap by park.until
	armed  time.Time // what the timer is set to (zero: nothing)
	fired  bool      // the timer went off: it must be set anew
	closed bool
	parks  uint64 // connections parked so far (read by the tests)
	feeds  uint64 // heads fed in place and still parked (read by the tests)
	most   int    // the most heads one storm tick read (read by the tests)
	heads  int    // parked heads (phaseParse), in either set
	storm  storm  // set by the parker's goroutine, read by arm
}

// parkEntry is the parker's bookkeeping for one connection, kept in the
// conn (no allocation per park) but touched only here, under mu.
type parkEntry struct {
	slot       int32 // the table entry, while parked
	hidx       int32 // its index in the deadline heap
	until      int64 // the deadline (monoKey)
	lingered   int32 // bytes drained by a lingering close (parkLinger)
	registered bool  // the socket is in the epoll set (ep)
	inHeads    bool  // the socket is in the heads set (hfd)
	firstDone  bool  // parked once waiting for the first request (parkFirst)
	feeding    bool  // the parker's goroutine is feeding it, outside mu
}

// epollCtler is a socket the parker can register in its set: sockConn,
// rawSock.
type epollCtler interface {
	epollCtl(ep uintptr, op int, ev *syscall.EpollEvent) syscall.Errno
}

// newWaiter returns the parker: waiting connections hold no goroutine.
func newWaiter(s *Server) waiter { return &parker{s: s, storm: defaultStorm()} }

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

// headEvents register a head that is slow to come: edge-triggered and not
// one-shot, so the entry stays armed while the parker reads each new piece
// and the connection stays parked in place (see feedHeads), with no
// epoll_ctl per piece. An edge fires only when new bytes (or a FIN) come,
// so every feed reads until the socket has nothing more. Once the head is
// complete the connection leaves with its entry still armed: an event
// while a goroutine serves it finds no parked connection in its slot and
// is dropped, and its next park re-arms it (MOD) in whichever mode.
const headEvents = syscall.EPOLLIN | syscall.EPOLLRDHUP | epollET

// epollET is EPOLLET as an event bit (package syscall has it negative).
const epollET = 1 << 31

// park implements waiter: it hands c to the parker until its socket is
// readable or until passes. An idle connection (phaseAwait) is marked idle
// for Shutdown; a mid-head one (phaseParse) stays active. It refuses c
// (false, c stays with the caller) when c is not TCP, is a TLS connection
// mid-head or with input in its TLS layer, or on shutdown or a failing
// epoll call.
func (p *parker) park(c *conn, until time.Time) bool {
	s := p.s
	if s.shutdown.Load() {
		return false
	}
	idle := c.phase == phaseAwait
	var sock epollCtler
	if sc, ok := c.nc.(epollCtler); ok {
		sock = sc
	} else if sc, ok := c.raw.(epollCtler); ok && idle && c.tlsQuiet() {
		sock = sc // TLS over the socket
	} else {
		return false
	}
	if !p.started() {
		return false
	}
	if idle {
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
	// A head (phaseParse) is registered with headEvents and fed in place
	// (see handle); the phase does not change while parked. It goes to
	// the heads set during a storm (see storm), and stays there once in
	// it, as does the lingering close of a head answered there with an
	// error (a 400, or a 408 after the storm ended; a storm's tick may
	// close it a tick later, which costs the client nothing); else to ep.
	// Any other connection goes to ep, one-shot; one that was in the
	// heads set leaves it first, where its entry is still armed and would
	// report every later request as a stale event. (Its
	// one-shot entry in ep, if any, fired when it was woken: it reports
	// nothing while the connection is a head.)
	pe := &c.park
	events, set, in := uint32(parkEvents), p.fd, &pe.registered
	if c.phase == phaseParse {
		events = headEvents
	}
	if pe.inHeads && (c.phase == phaseParse || c.phase == phaseLinger) || c.phase == phaseParse && p.storm.on {
		set, in = p.hfd, &pe.inHeads
	} else if pe.inHeads {
		sock.epollCtl(p.hfd, syscall.EPOLL_CTL_DEL, nil) // ENOENT: upgraded, see below
		pe.inHeads = false
	}
	ev := syscall.EpollEvent{Events: events, Fd: slot, Pad: int32(ps.gen)}
	op := syscall.EPOLL_CTL_MOD
	if !*in {
		op = syscall.EPOLL_CTL_ADD
	}
	// ADD and MOD both look at the socket's current state: bytes that
	// came before the call fire at once. A socket upgraded since it was
	// registered (rawSock) has a new descriptor, not in the set yet.
	errno := sock.epollCtl(set, op, &ev)
	if errno == syscall.ENOENT && op == syscall.EPOLL_CTL_MOD {
		errno = sock.epollCtl(set, syscall.EPOLL_CTL_ADD, &ev)
	}
	if errno != 0 {
		p.free = append(p.free, slot)
		return false
	}
	*in = true
	if c.phase == phaseParse {
		p.heads++
	}
	p.parks++
	ps.c = c
	pe.slot = slot
	pe.until = monoKey(until)
	p.push(c)
	if pe.hidx == 0 {
		p.arm()
	}
	return true
}

// watch puts the socket of a warm connection (on, see waitWarm) in the
// watch set, or takes it out of it (off: the connection is no longer
// warm and may be parked, where the parker itself waits for its input).
// It is called by the connection's goroutine. Only a socket in Go's
// poller is watched (a sockConn, or a rawSock once upgraded to one,
// which its first wait for a warm request does): a rawSock's own
// descriptor number is closed by its upgrade, and an entry made under it
// could not be taken out. The entry stays until off, or until the socket
// is closed (the kernel drops it then). Under mu, so that no entry is
// made once the parker has closed (its goroutine then closes the set).
func (p *parker) watch(c *conn, on bool) {
	if c.watched == on {
		return
	}
	u, ok := c.raw.(interface{ upgraded() *sockConn })
	if !ok {
		return
	}
	sc := u.upgraded()
	if sc == nil || !p.started() || p.wfd == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	if on {
		ev := syscall.EpollEvent{Events: syscall.EPOLLIN}
		if sc.epollCtl(p.wfd, syscall.EPOLL_CTL_ADD, &ev) == 0 {
			c.watched = true
		}
		return
	}
	sc.epollCtl(p.wfd, syscall.EPOLL_CTL_DEL, nil)
	c.watched = false
}

// stepAside lets a request waiting on a warm connection run (see wfd)
// before this goroutine goes on with a batch: one epoll_pwait that does
// not wait (level-triggered entries stay ready; nothing is taken from Go's
// poller), and when it finds one, a netYield, so that the scheduler polls
// and serves it. Only the parker's goroutine calls it, with mu not held.
// Measured with 10 000 slowloris connections at the defaults, one server
// at a time beside the build before (bench-compare, six triples): the
// legitimate p99 under attack 0.89x (lower in 5 of 6), CPU 1.01x side by
// side; 2 300 looks and 95 yields a second.
func (p *parker) stepAside() {
	if p.wfd == 0 {
		return
	}
	p.looks.Add(1)
	var ev [1]syscall.EpollEvent
	if n, _ := epollPoll(p.wfd, ev[:]); n > 0 {
		p.steps.Add(1)
		p.ny.yield()
	}
}

// tlsQuiet reports whether the TLS layer of an idle connection holds no
// input, so that the socket's readability says when the next request
// comes. A client may have sent more than one record, or one the server
// read only part of: then the TLS layer answers a read without touching
// the socket. The read here is made with a deadline already passed, which
// fails before any system call when nothing is buffered (a read timeout
// leaves a tls.Conn usable). A byte it does return is kept for
// waitRequest (c.pending); an error is left for it to find again.
func (c *conn) tlsQuiet() bool {
	c.nc.SetReadDeadline(aLongTimeAgo)
	n, err := c.nc.Read(c.one[:])
	if n == 1 {
		c.pending = true
		return false
	}
	return isTimeout(err)
}

// aLongTimeAgo is a read deadline that has passed.
var aLongTimeAgo = time.Unix(1, 0)

// The deadline heap. A heap, not a list in parking order: a slow head
// parks again and again with the deadline of its first byte, which
// belongs far from the tail once newer connections have parked. mu is
// held for all of these.

func (p *parker) less(i, j int) bool { return p.heap[i].park.until < p.heap[j].park.until }

func (p *parker) swap(i, j int) {
	h := p.heap
	h[i], h[j] = h[j], h[i]
	h[i].park.hidx, h[j].park.hidx = int32(i), int32(j)
}

func (p *parker) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !p.less(i, parent) {
			return
		}
		p.swap(i, parent)
		i = parent
	}
}

func (p *parker) down(i int) {
	n := len(p.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && p.less(r, l) {
			m = r
		}
		if !p.less(m, i) {
			return
		}
		p.swap(i, m)
		i = m
	}
}

func (p *parker) push(c *conn) {
	c.park.hidx = int32(len(p.heap))
	p.heap = append(p.heap, c)
	p.up(int(c.park.hidx))
}

// unheap removes c from the heap.
func (p *parker) unheap(c *conn) {
	i, last := int(c.park.hidx), len(p.heap)-1
	if i != last {
		p.swap(i, last)
	}
	p.heap[last] = nil
	p.heap = p.heap[:last]
	if i != last {
		p.down(i)
		p.up(i)
	}
	c.park.hidx = -1
}

// started starts the epoll set and its goroutine on first use, and
// reports whether they run; when the system refuses them, waiting
// connections keep their goroutines.
func (p *parker) started() bool {
	p.start.Do(func() {
		s := p.s
		fd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			s.log.Warn("waiting connections will keep their goroutines", "err", os.NewSyscallError("epoll_create1", err))
			return
		}
		if err := syscall.SetNonblock(fd, true); err != nil {
			syscall.Close(fd)
			s.log.Warn("waiting connections will keep their goroutines", "err", os.NewSyscallError("fcntl", err))
			return
		}
		// The heads set, nested in the set: level-triggered, so the set
		// reports it while it holds any event.
		hfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err == nil {
			err = syscall.EpollCtl(fd, syscall.EPOLL_CTL_ADD, hfd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: headsMark})
			if err != nil {
				syscall.Close(hfd)
			}
		}
		if err != nil {
			syscall.Close(fd)
			s.log.Warn("waiting connections will keep their goroutines", "err", os.NewSyscallError("epoll_ctl", err))
			return
		}
		// The timer, in the set: edge-triggered, so each expiry is one
		// event and its count need not be read.
		tfd, errno := timerfdCreate()
		if errno == 0 {
			if err = syscall.EpollCtl(fd, syscall.EPOLL_CTL_ADD, int(tfd), &syscall.EpollEvent{Events: syscall.EPOLLIN | epollET, Fd: timerMark}); err != nil {
				syscall.Close(int(tfd))
			}
		} else {
			err = os.NewSyscallError("timerfd_create", errno)
		}
		if err != nil {
			syscall.Close(fd)
			syscall.Close(hfd)
			s.log.Warn("waiting connections will keep their goroutines", "err", err)
			return
		}
		// The watch set: without it (or the yield) nothing steps aside.
		wfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
		if err != nil {
			wfd = -1
		}
		closeAll := func() {
			syscall.Close(hfd)
			syscall.Close(int(tfd))
			if wfd >= 0 {
				syscall.Close(wfd)
			}
		}
		// A non-blocking descriptor given to os.NewFile is registered
		// with the poller, so its RawConn waits for readability there.
		ep := os.NewFile(uintptr(fd), "idle-epoll")
		rc, err := ep.SyscallConn()
		if err != nil {
			ep.Close()
			closeAll()
			return
		}
		s.mu.Lock()
		if s.shutdown.Load() {
			s.mu.Unlock()
			ep.Close()
			closeAll()
			return
		}
		s.wg.Add(1)
		s.mu.Unlock()
		p.ep, p.fd, p.hfd, p.tfd, p.ok = ep, uintptr(fd), uintptr(hfd), tfd, true
		if wfd >= 0 {
			if p.ny = newNetYield(); p.ny != nil {
				p.wfd = uintptr(wfd)
			} else {
				syscall.Close(wfd)
			}
		}
		p.storm.since = monoKey(time.Now())
		go p.run(rc)
	})
	return p.ok
}

// take removes c from the table and the heap; mu is held.
func (p *parker) take(c *conn) {
	if c.phase == phaseParse {
		p.heads--
	}
	p.slots[c.park.slot].c = nil
	p.free = append(p.free, c.park.slot)
	p.unheap(c)
}

// The parker's pacing constants keep a burst of work that arrives at once
// from starving the connections waiting on Go's poller. Go's scheduler
// looks for network input when its processor runs out of goroutines to
// run (or every 10 ms, from its monitor thread): a loop that always finds
// more to do, or a queue of goroutines it made runnable, keeps it from
// looking. (The raw accept loop, which met this first with 10 000
// slowloris connections coming in at once, steps aside with a netYield
// instead; pollYield is the storm tick's wait, tickBatch.)
//
// Slow heads that connected together time out together, and each cut
// costs microseconds to tens of them (the parker's own close in a wave,
// cutQuiet; a worker's 408 and close for one that times out alone). A
// timeout is a bound, not an appointment, so the parker takes expired
// connections expireBurst at a time, expireGap apart, and the requests
// that came meanwhile are served between the rounds. The gap is counted
// from the round's start and must outlast the round's work: with
// pollYield there, the deadline passed while the workers still ran, the
// parker was runnable again before the scheduler idled and polled, and
// the rounds ran on as one busy stretch (runtime/trace of the server).
// Go's poller slept whole milliseconds, and the parker's timer does too
// (setTimer), so a round with nothing else to do takes one. Once the
// oldest deadline waiting is expireLag behind, rounds take pollBurst, so
// a wave larger than the pacing serves does not fall further behind.
// Measured with tickBatch
// (park_storm_linux.go) in the same build, 10 000 slowloris connections
// at the defaults, five alternating runs each with the server's context
// switches recorded on its CPU: the wait a request arriving at a random
// instant has behind the server's own work, p99 535 -> 381 µs (median
// of runs); the legitimate p95 under attack 0.78 -> 0.53 ms, p99 3.59
// -> 2.80 ms (lower in four pairs of five).
const (
	pollBurst   = 32
	pollYield   = 100 * time.Microsecond
	expireBurst = 4
	expireGap   = 500 * time.Microsecond
	expireLag   = 50 * time.Millisecond
	// stepEvery is how many slow heads a batch feeds between two looks
	// for a request waiting on a warm connection (stepAside): a few
	// microseconds each, so a request that comes during a storm's tick
	// waits behind about as many rather than the whole tick (tickBatch).
	stepEvery = 4
)

// expireQuota is how many expired connections a round resumes when the
// oldest deadline waiting is oldest (monoKey, as now): expireBurst, or
// pollBurst once that deadline is expireLag behind.
func expireQuota(oldest, now int64) int {
	if now-oldest >= int64(expireLag) {
		return pollBurst
	}
	return expireBurst
}

// armAt sets the timer to d, earlier than the
// earliest deadline when some that passed are left for later; mu is held.
func (p *parker) armAt(d time.Time) {
	p.armed, p.fired = d, false
	p.setTimer(d)
}

// setTimer sets the timer (tfd) to go off at d, or never for the zero d;
// mu is held. A d already passed goes off at once.
func (p *parker) setTimer(d time.Time) {
	var its itimerspec
	if !d.IsZero() {
		// Relative, and in whole milliseconds as Go's poller waited: a
		// storm's full tick and the rounds of expiries (pollYield,
		// expireGap) were paced and measured so, and to the microsecond
		// they came more often, each with less to do (10 000 slowloris
		// connections, one server at a time, six pairs: CPU per
		// legitimate request 1.04x nginx; rounded, 0.89x). A zero
		// it_value would disarm it: a time passed is 1 ns.
		rel := time.Until(d)
		if rel <= 0 {
			rel = 1
		} else {
			rel = (rel + time.Millisecond - 1).Truncate(time.Millisecond)
		}
		its.value = syscall.NsecToTimespec(int64(rel))
	}
	syscall.RawSyscall6(syscall.SYS_TIMERFD_SETTIME, p.tfd, 0, uintptr(unsafe.Pointer(&its)), 0, 0, 0)
}

// itimerspec is the kernel's struct itimerspec (timerfd_settime).
type itimerspec struct {
	interval, value syscall.Timespec
}

// arm sets the timer (setTimer) to the earliest deadline, or the storm's
// next tick; mu is held. A deadline already passed wakes the goroutine at
// once. One that has fired is set again even when unchanged.
func (p *parker) arm() {
	var d time.Time
	if len(p.heap) > 0 {
		d = monoTime(p.heap[0].park.until)
	}
	if t := p.storm.next; p.storm.on && (d.IsZero() || t.Before(d)) {
		d = t // the next read of the heads set
	}
	if p.fired || !d.Equal(p.armed) {
		p.armed, p.fired = d, false
		p.setTimer(d)
	}
}

// resume gives a connection taken out of the parker a goroutine again.
// An idle one reads its next request straight into a buffer (phaseWoken);
// a head goes on parsing (phaseParse).
func resume(c *conn) {
	if c.phase == phaseAwait {
		c.phase = phaseWoken
	}
	c.srv.workers.serve(c)
}

// run waits for events on the parker's set until drain closes it.
//
// The batches are handled inside the poller's read callback: one call of
// rc.Read waits as often as needed, and only its first wait forgets a
// readiness already signalled (the poller resets it once per call), so
// after a batch that did not fill evs (the set held nothing more) it can
// wait straight away, with one epoll_pwait per wakeup rather than a
// second that finds the set empty. Whatever becomes ready after that
// epoll_pwait, including by this goroutine's own epoll_ctl, signals the
// set's descriptor again (no entry is level-triggered, so none stays in
// the ready list once reported). The timer's event (the earliest parked
// deadline, or the storm's tick) comes in a batch like any other.
func (p *parker) run(rc syscall.RawConn) {
	defer p.s.wg.Done()
	// After drain: nothing registers in the heads set or sets the timer
	// any more.
	defer syscall.Close(int(p.tfd))
	defer syscall.Close(int(p.hfd))
	if p.wfd != 0 {
		// drain has set closed: no watch reaches the set any more.
		defer p.ny.close()
		defer syscall.Close(int(p.wfd))
	}
	var b batch
	var evs [128]syscall.EpollEvent
	for {
		var errno syscall.Errno
		err := rc.Read(func(fd uintptr) bool {
			fed := 0 // pieces of heads fed in this wakeup (see storm)
			for {
				n, e := epollPoll(fd, evs[:])
				if e == 0 && n > 0 {
					// The timer went off: a parked deadline, or the
					// storm's tick (due: set for the next one first,
					// so that handle sets the timer once).
					timer := hasMark(evs[:n], timerMark)
					due := timer && p.tickDue()
					mark, f := p.handle(evs[:n], timer, &b)
					fed += f
					if mark { // the heads set had events
						f, e = p.readHeads(evs[:], &b)
						fed += f
					}
					if due && e == 0 {
						e = p.tick(evs[:], &b)
					}
				}
				if e != 0 {
					errno = e
					return true
				}
				if n < len(evs) {
					// Only a wakeup that fed heads counts; during a storm
					// the ticks close its windows.
					if fed > 0 {
						p.weather(time.Now(), fed)
					}
					return false
				}
			}
		})
		if errno != 0 {
			// Not expected of a valid epoll descriptor; rather than
			// spin on it, give up parking (drain) and let later
			// connections keep their goroutines.
			p.s.log.Error("connection parking stopped", "err", os.NewSyscallError("epoll_pwait", errno))
			p.drain()
			return
		}
		if err != nil {
			return // closed by drain
		}
	}
}

// hasMark reports whether evs holds the entry marked m.
func hasMark(evs []syscall.EpollEvent, m int32) bool {
	for i := range evs {
		if evs[i].Fd == m {
			return true
		}
	}
	return false
}

// epollPoll takes the events epoll set ep has, up to len(evs), without
// waiting (an empty set is waited for by Go's poller, or read again at
// the next tick).
func epollPoll(ep uintptr, evs []syscall.EpollEvent) (int, syscall.Errno) {
	for {
		r, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, ep, uintptr(unsafe.Pointer(&evs[0])), uintptr(len(evs)), 0, 0, 0)
		if e != syscall.EINTR {
			return int(r), e
		}
	}
}

// batch is the parker goroutine's scratch space for handle.
type batch struct {
	ready   []*conn // input for an idle or new connection
	linger  []*conn // lingering closes with input or a FIN
	heads   []*conn // parked heads with new bytes, fed in place
	hup     []bool  // for each head: its event says the client closed or failed
	done    []*conn // fed heads that leave the parker
	late    []*conn // heads past their deadline
	cut     []*conn // heads past their deadline in a wave or a storm: closed here (cutQuiet)
	expired []*conn // idle connections past their deadline
	scratch parser.Request
	drain   [4096]byte // lingering closes drain into it
}

// handle handles a batch of events, then the deadlines that have passed;
// fired says that the parker's timer went off. It reports whether the
// batch held the heads set's entry (headsMark: the caller then reads that
// set, readHeads), and how many heads it fed.
func (p *parker) handle(evs []syscall.EpollEvent, fired bool, b *batch) (mark bool, fed int) {
	p.mu.Lock()
	if fired {
		p.fired = true
	}
	for _, ev := range evs {
		if ev.Fd == headsMark {
			mark = true // read by the caller, after these
			continue
		}
		if ev.Fd == timerMark {
			continue // the caller's: fired
		}
		ps := &p.slots[ev.Fd]
		if c := ps.c; c != nil && ps.gen == uint32(ev.Pad) {
			switch {
			case c.phase == phaseParse:
				c.park.feeding = true // stays parked (see below)
				b.heads = append(b.heads, c)
				b.hup = append(b.hup, ev.Events&(syscall.EPOLLRDHUP|syscall.EPOLLHUP|syscall.EPOLLERR) != 0)
				continue
			case c.phase == phaseAwait || c.phase == phaseFirst:
				b.ready = append(b.ready, c)
			default: // phaseLinger
				b.linger = append(b.linger, c)
			}
			p.take(c)
		}
	}
	p.mu.Unlock()
	// Connections with a request to serve first, then the slow heads: a
	// worker given a connection runs only when this goroutine yields, so
	// feeding a batch of heads first would delay every request woken with
	// them.
	for _, c := range b.ready {
		resume(c)
	}
	if len(b.ready) > 0 && len(b.heads) > 0 {
		runtime.Gosched()
	}
	// The heads are fed where they are parked (feed): their entries stay
	// armed (headEvents), they stay in the table and the deadline heap, so
	// a slowloris dribbling its head a line at a time costs a read and a
	// parse of the new bytes per line, and no epoll_ctl, heap operation or
	// goroutine. One that is complete, failed or ended is taken out and
	// resumed; so is every one once a shutdown has begun, as drain leaves
	// the ones being fed to this goroutine.
	for i, c := range b.heads {
		if i > 0 && i%stepEvery == 0 {
			p.stepAside()
		}
		if !c.feed(&b.scratch, b.hup[i]) {
			b.heads[i] = nil
			b.done = append(b.done, c)
		}
	}
	fed = len(b.heads)
	p.mu.Lock()
	for _, c := range b.heads {
		if c != nil && p.closed {
			b.done = append(b.done, c)
		} else if c != nil {
			c.park.feeding = false
			p.feeds++
			if p.storm.on && !c.park.inHeads {
				p.toHeads(c)
			}
		}
	}
	for _, c := range b.done {
		c.park.feeding = false
		p.take(c)
		b.late = append(b.late, c) // resumed below
	}
	// An idle connection past its deadline is closed; a head is cut
	// here with no 408 in a wave or a storm (cutQuiet; the wave counts
	// every head, storm or not), else woken: its goroutine's read fails
	// with the timeout at once and it answers 408. At most expireBurst
	// at a time (see there): the rest wait for the next round, expireGap
	// later.
	now := monoKey(time.Now())
	capped := false
	burst := 0
	if len(p.heap) > 0 {
		burst = expireQuota(p.heap[0].park.until, now)
	}
	for len(p.heap) > 0 && p.heap[0].park.until <= now {
		if len(b.late)+len(b.cut)+len(b.expired) >= burst {
			capped = true
			break
		}
		c := p.heap[0]
		p.take(c)
		switch {
		case c.phase != phaseParse:
			b.expired = append(b.expired, c)
		case p.s.wave.count(now) || p.storm.on:
			b.cut = append(b.cut, c) // closed here, with no 408 (cutQuiet)
		default:
			c.waveCounted = true // its goroutine answers 408 (fail)
			b.late = append(b.late, c)
		}
	}
	if capped {
		p.armAt(time.Now().Add(expireGap))
	} else {
		p.arm()
	}
	p.mu.Unlock()
	for i, c := range b.linger {
		// A lingering close (parkLinger): drain what came, and wait again
		// or close.
		if i > 0 {
			p.stepAside()
		}
		if lingerDrain(c, c.nc.(nonBlocking), b.drain[:]) && p.park(c, monoTime(c.park.until)) {
			continue
		}
		c.state.Store(stateClosing)
		c.finish()
	}
	for _, c := range b.late {
		resume(c)
	}
	for i, c := range b.cut {
		if i > 0 {
			p.stepAside() // a close is tens of microseconds
		}
		c.cutQuiet(b.drain[:])
	}
	for i, c := range b.expired {
		if i > 0 || len(b.cut) > 0 {
			p.stepAside()
		}
		// RFC 9112 §9.5: an idle connection may be closed at any time; a
		// plain FIN, as waitRequest's timeout does. A TLS close first
		// sends close_notify, which may wait on the client for seconds:
		// not on this goroutine.
		c.state.Store(stateClosing)
		if c.nc != c.raw {
			go c.finish()
		} else {
			c.finish()
		}
	}
	clear(b.ready)
	clear(b.linger)
	clear(b.heads)
	clear(b.done)
	clear(b.late)
	clear(b.expired)
	clear(b.cut)
	b.ready, b.linger, b.heads, b.hup, b.done, b.late, b.expired, b.cut = b.ready[:0], b.linger[:0], b.heads[:0], b.hup[:0], b.done[:0], b.late[:0], b.expired[:0], b.cut[:0]
	return mark, fed
}

// cutQuiet ends a head past its header timeout in a wave of them (see
// wave) or during a storm of slow heads, on the parker's goroutine and
// with no 408: what came since the last read is read, and the connection
// closed, a plain FIN. A head that times out alone is resumed and its
// goroutine answers 408 (fail). Here the cut also saves the hand-over to
// a worker and its second look at the socket (see
// reports/bench-compare-slowloris.md). The read keeps the close graceful
// (§9.5): input left unread would turn it into a reset.
func (c *conn) cutQuiet(scratch []byte) {
	c.srv.refuse(RefusedHeadTimeout, c.clientIP())
	c.logQuietCut(nil)
	c.nc.SetReadDeadline(time.Time{}) // passed: the read would fail without looking
	c.nc.(nonBlocking).read(scratch, false)
	c.state.Store(stateClosing)
	c.finish()
}

// feed reads what arrived for a parked head and advances it (advanceHead,
// as the connection's goroutine does), and reports whether the head is
// still incomplete, so the connection stays parked (see handle): a
// slowloris dribbling its head a line at a time then costs a read and a
// parse of the new bytes per line, and no goroutine (a fresh one would
// also grow its stack to parse). hup says the event that woke it carried
// the client's FIN or an error. Anything else (a complete
// head, an error, the end of input) is left to the connection's
// goroutine, which parses again from the same parser state. Only the
// parker's goroutine calls it, with its own scratch request: Parse leaves
// nothing in it after ErrNeedMore.
func (c *conn) feed(scratch *parser.Request, hup bool) bool {
	st := c.st
	nb := c.nc.(nonBlocking)
	// Until the socket has nothing more: an edge-triggered entry
	// (headEvents) fires again only for bytes that come later. A read
	// that did not fill the room it was given emptied the socket, so it
	// needs no second read to see that (bytes that come after it fire the
	// entry again), unless the client's FIN came with the bytes: then
	// read on to the end of input, which no later edge would announce.
	for {
		room := len(st.buf) - st.w
		if room == 0 {
			return false // advanceHead leaves room; never spin on a full buffer
		}
		n, err := nb.read(st.buf[st.w:], false)
		if err == errWouldBlock {
			return true
		}
		if err != nil {
			// Past the header timeout (the read looks at the deadline
			// first): the head stays for the deadline heap, which handle
			// reads next and cuts it from, in a wave with no 408
			// (cutQuiet). Resumed here instead, it got a 408 from its
			// goroutine whatever the wave: with 1 s header timeouts and
			// a piece a second, a fifth of a slowloris's cuts.
			return isTimeout(err)
		}
		st.w += n
		if _, err = c.advanceHead(scratch); err != parser.ErrNeedMore {
			return false
		}
		if n < room && !hup {
			return true
		}
	}
}

// drain ends parking for shutdown: every idle parked connection is
// closed, every mid-head one (or one awaiting its first request, see
// waitRequest) gets its goroutine back (its request is in
// flight, which Shutdown lets finish), and the parker's goroutine ends.
// It must not be called with s.mu held.
func (p *parker) drain() {
	p.start.Do(func() {}) // none starts after this
	if !p.ok {
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.closed = true
	var idle, heads []*conn
	// A head the parker's goroutine is feeding stays: that goroutine
	// finds the parker closed and resumes it.
	for _, c := range slices.Clone(p.heap) {
		if c.park.feeding {
			continue
		}
		p.take(c)
		if c.phase == phaseParse || c.phase == phaseFirst {
			heads = append(heads, c) // a first request is not idle either
		} else {
			idle = append(idle, c)
		}
	}
	p.mu.Unlock()
	p.ep.Close() // the goroutine's wait fails and it returns
	for _, c := range idle {
		// As closeIdle does: the socket first, so a TLS close does not
		// wait on its close_notify.
		c.state.Store(stateClosing)
		c.raw.Close()
		c.finish()
	}
	for _, c := range heads {
		resume(c)
	}
}

// timerfdCreate makes the parker's timer: a timerfd on the monotonic
// clock, non-blocking.
func timerfdCreate() (uintptr, syscall.Errno) {
	fd, _, e := syscall.RawSyscall(syscall.SYS_TIMERFD_CREATE, 1 /* CLOCK_MONOTONIC */, syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	return fd, e
}
