package server

import (
	"bytes"
	"errors"
	"os"
	"time"

	"github.com/ferrox/ferrox/parser"
)

// waiter holds connections that wait for input, so that they need no
// goroutine meanwhile: idle keep-alive connections (phaseAwait) and
// connections whose head is slow to come (phaseParse). On Linux it is the
// parker (park_linux.go, an epoll set of the server's own); elsewhere, or
// with parking turned off, goroutineWaiter, which holds nothing and lets
// every waiting connection keep a goroutine.
type waiter interface {
	// park hands c over until its socket is readable or until passes,
	// and reports true: c then belongs to the waiter, which starts c.run
	// again when input comes (an idle connection in phaseWoken) or when
	// the deadline passes (an idle one is closed; a head resumes and
	// times out). It reports false, and c stays with the caller, when c
	// cannot be held.
	park(c *conn, until time.Time) bool
	// drain ends waiting for shutdown: held idle connections are closed,
	// held heads resume; later parks are refused.
	drain()
	// watch says that c, on its own goroutine, waits warm for its next
	// request (on), or no longer does (off), so that the waiter's
	// batches of work can step aside when such a request comes.
	watch(c *conn, on bool)
}

// goroutineWaiter holds no connection: each waits on a goroutine of its
// own (blocked in a read, with a deadline).
type goroutineWaiter struct{}

func (goroutineWaiter) park(*conn, time.Time) bool { return false }
func (goroutineWaiter) drain()                     {}
func (goroutineWaiter) watch(*conn, bool)          {}

// nonBlocking is a connection that can try a read without waiting for
// input (sockConn, Linux).
type nonBlocking interface {
	read(b []byte, wait bool) (int, error)
}

// shutdownFirstWait bounds the wait for the first request of a connection
// accepted just before a shutdown (see waitRequest).
const shutdownFirstWait = time.Second

// errWouldBlock is a non-blocking read's answer when nothing is there.
var errWouldBlock = errors.New("read would block")

// waitRequest waits, on the calling goroutine, until the first byte of the
// next request arrives, holding no buffer (a connection whose TLS layer
// had a byte buffered, see tlsQuiet, has it in c.one). It must read, not
// just wait for readability: Go's poller clears a pending readiness before
// every wait (pollReset), so a wait not preceded by a read that failed
// with EAGAIN can sleep through bytes (or a FIN) that are already there,
// until the deadline. The first request of a connection waits at most the
// header timeout (a connection that never speaks is a slowloris), later
// ones the idle keep-alive timeout; either expiry closes quietly with a
// FIN (RFC 9112 §9.5).
func (c *conn) waitRequest(first bool) bool {
	s := c.srv
	c.putState()
	// A new connection is not idle: one accepted before a shutdown (or
	// before a reload hands its listener over) still gets its first
	// request served, as the client sends it right after connecting and
	// closing it unread would lose that request, or reset. Shutdown
	// leaves it alone (it is not stateIdle); its wait is bounded by the
	// header timeout, and by shutdownFirstWait once the shutdown has
	// begun (closeIdle shortens the deadline of one already waiting);
	// Close and the end of the grace close it like any other. Later
	// requests are not waited for under shutdown.
	if first {
		if c.state.Swap(stateFirst) == stateClosing {
			return false // closed by Shutdown or Close meanwhile
		}
	} else {
		c.state.Store(stateIdle)
		if s.shutdown.Load() {
			return false
		}
	}
	if first {
		d := s.headerTimeout
		if s.shutdown.Load() {
			d = min(d, shutdownFirstWait)
		}
		c.nc.SetReadDeadline(time.Now().Add(d))
	} else {
		c.nc.SetReadDeadline(monoTime(c.since).Add(s.idleTimeout))
	}
	n := 1
	if c.pending {
		c.pending = false
	} else {
		n, _ = c.nc.Read(c.one[:])
	}
	if n == 0 {
		return false
	}
	if first && !c.state.CompareAndSwap(stateFirst, stateActive) ||
		!first && !c.state.CompareAndSwap(stateIdle, stateActive) {
		return false // Shutdown closed us meanwhile
	}
	c.getState()
	c.st.buf[0] = c.one[0]
	c.st.w = 1
	return true
}

// parkFirst hands a new connection whose first request has not come yet
// to the waiter, until it does or until the header timeout, and reports
// whether the waiter took it (the caller must then leave c alone). Once
// the waiter wakes it (input, or a FIN, is there), or under shutdown, it
// refuses, and waitRequest reads on the goroutine. Holding the
// connection in the waiter rather than in a read spares a raw socket
// (rawSock) its upgrade to the poller, and the connection a goroutine,
// while the client's request is on its way. At the deadline the waiter
// closes it quietly, as waitRequest's timeout does; it is not idle (see
// waitRequest): Shutdown gives it back its goroutine.
func (c *conn) parkFirst() bool {
	s := c.srv
	if c.park.firstDone || s.shutdown.Load() {
		return false
	}
	if _, ok := c.nc.(nonBlocking); !ok {
		return false
	}
	if c.state.Swap(stateFirst) == stateClosing {
		c.state.Store(stateClosing)
		return false // waitRequest finds out
	}
	c.park.firstDone = true
	prev := c.phase
	c.phase = phaseFirst
	if s.waiter.park(c, time.Now().Add(s.headerTimeout)) {
		return true
	}
	c.phase = prev
	return false
}

// parkLinger is the lingering close (lingerClose) of a plain connection
// that can try reads without waiting: the write side is shut and the
// connection waits in the waiter, with no goroutine (and, for a rawSock,
// no upgrade to the poller), until the client closes its side, sends more
// (drained there, see lingerDrain) or lingerTimeout passes; then it is
// closed. What the client sent already is not read first: the waiter's
// registration reports it at once (a read here would mostly find nothing,
// one system call per lingering close for nothing: a slowloris cut with a
// 408 is still sending). It reports false, having done nothing, when the
// connection cannot be held that way (lingerClose then runs on the
// goroutine); true when the connection is finished or belongs to the
// waiter.
func (c *conn) parkLinger() bool {
	if _, ok := c.nc.(nonBlocking); !ok || c.srv.shutdown.Load() {
		return false
	}
	cw, ok := c.nc.(interface{ CloseWrite() error })
	if !ok {
		return false
	}
	if cw.CloseWrite() != nil {
		c.finish() // as lingerClose: nothing to drain
		return true
	}
	// Reads may go on until lingerTimeout, whatever deadline the request
	// left (the parker's reads check it too).
	until := time.Now().Add(lingerTimeout)
	c.nc.SetReadDeadline(until)
	c.park.lingered = 0
	c.putState()
	c.phase = phaseLinger
	if c.srv.waiter.park(c, until) {
		return true
	}
	c.lingerRead() // not held: on the goroutine, as lingerClose
	c.finish()
	return true
}

// lingerDrain reads what a lingering connection's client has sent, into
// buf, without waiting, and reports whether the connection is to wait for
// more: nothing more there yet, no FIN or error, and less than lingerBytes
// drained in all.
func lingerDrain(c *conn, nb nonBlocking, buf []byte) bool {
	for c.park.lingered < lingerBytes {
		n, err := nb.read(buf, false)
		c.park.lingered += int32(n)
		if err == errWouldBlock {
			return true
		}
		if err != nil {
			return false
		}
	}
	return false
}

// start begins serving a new plain connection on the accepting goroutine
// (Serve): its first bytes are read when they are already there, and a
// worker serves them (or, when they are only part of a head, the
// connection is parked at once, see parkHead); when they are not there,
// the connection goes to the waiter (parkFirst) with no goroutine at all
// until they come. Else (no waiter, a TLS handshake to make) a worker
// starts from the beginning. scratch is the accepting goroutine's parse
// target (see parkHead).
func (c *conn) start(scratch *parser.Request) {
	if c.srv.handshake == nil {
		c.phase = phaseFirst
		if c.readReady() {
			c.phase = phaseHead
			if c.parkHead(scratch) {
				return
			}
		} else if c.parkFirst() {
			return
		}
	}
	c.srv.workers.serve(c)
}

// mayBeComplete reports whether b holds a blank line, without which no
// head is complete. A request with no body ends with one, so the end is
// looked at first, and b is scanned only otherwise.
func mayBeComplete(b []byte) bool {
	return bytes.HasSuffix(b, []byte("\n\r\n")) || bytes.HasSuffix(b, []byte("\n\n")) ||
		bytes.Contains(b, []byte("\n\r\n")) || bytes.Contains(b, []byte("\n\n"))
}

// parkHead parks, on the accepting goroutine, a new connection whose first
// bytes are only part of a head (a slowloris sends a line at a time), as
// the parker does for a head that is still incomplete (feed): a worker
// would only parse the same bytes and park it, and a burst of such
// connections queued for workers would hold up every connection waiting
// for the scheduler to poll the network. Bytes with no blank line cannot
// be a complete head; any others go to a worker as they are, unparsed. It
// reports whether the waiter took c; otherwise c is ready for a worker (in
// phaseParse when it was parsed, which goes on from the parser's state).
func (c *conn) parkHead(scratch *parser.Request) bool {
	if mayBeComplete(c.st.buf[:c.st.w]) {
		return false // a worker parses it once
	}
	c.mstate.Store(uint32(ConnActive))
	c.beginHead()
	c.phase = phaseParse
	if _, err := c.advanceHead(scratch); err != parser.ErrNeedMore {
		return false
	}
	// As run's phaseParse does before it waits for more (readMoreHead).
	c.mstate.Store(uint32(ConnSlowHead))
	until := monoTime(c.since).Add(c.srv.headerTimeout)
	c.nc.SetReadDeadline(until)
	c.headDeadline = true
	return c.srv.waiter.park(c, until)
}

// readReady reads a new connection's first bytes straight into a buffer
// when they are already there, as they usually are (a client writes its
// request right after connecting, and accepting takes a while): one read
// system call, where waiting for the first byte and then reading the rest
// takes two. It reports false, holding no buffer, when nothing has come
// yet (or the connection cannot try a read): then waitRequest waits.
func (c *conn) readReady() bool {
	nb, ok := c.nc.(nonBlocking)
	if !ok {
		return false // (also under shutdown: see waitRequest)
	}
	c.getState()
	n, _ := nb.read(c.st.buf, false)
	if n > 0 {
		c.st.w = n
		return true
	}
	c.putState() // nothing yet, or EOF or an error: waitRequest finds out
	return false
}

// readWoken reads the input a waiter saw on an idle connection: the
// request (or a FIN) is there, so the buffer is taken before the read,
// not after, and the read goes straight into it.
func (c *conn) readWoken() bool {
	c.state.Store(stateIdle)
	if c.srv.shutdown.Load() {
		return false
	}
	c.nc.SetReadDeadline(monoTime(c.since).Add(c.srv.idleTimeout))
	c.getState()
	n, _ := c.nc.Read(c.st.buf)
	if n == 0 || !c.state.CompareAndSwap(stateIdle, stateActive) {
		return false
	}
	c.st.w = n
	return true
}

// warm is what waitWarm saw.
type warm uint8

const (
	warmClose warm = iota // the connection is to close: client gone, idle timeout, shutdown
	warmBytes             // the next request began: c.st.w > 0
	warmQuiet             // nothing within warmWait: let the goroutine go
)

// waitWarm waits up to the warm wait (warmWait) for the next request on
// the current goroutine, reading straight into the request buffer.
func (c *conn) waitWarm() warm {
	s := c.srv
	st := c.st
	st.r, st.w = 0, 0
	now := time.Now()
	c.since = monoKey(now)
	c.state.Store(stateIdle)
	if s.shutdown.Load() {
		return warmClose
	}
	d := min(s.warm, s.idleTimeout)
	c.nc.SetReadDeadline(now.Add(d))
	s.waiter.watch(c, true)
	n, err := c.nc.Read(st.buf)
	if n == 0 {
		// Only the warm deadline leaves the connection open.
		if d < s.idleTimeout && isTimeout(err) && c.state.Load() == stateIdle {
			s.waiter.watch(c, false) // it may be parked next
			return warmQuiet
		}
		return warmClose
	}
	if !c.state.CompareAndSwap(stateIdle, stateActive) {
		return warmClose // Shutdown closed us meanwhile
	}
	st.w = n
	return warmBytes
}

// readHead reads more of a head into b. On a connection that can try a
// read (nonBlocking) and finds nothing yet, it offers the connection to
// the waiter until more arrives or until (the header deadline) and
// reports parked when the waiter took it; the caller must then leave c
// alone. Otherwise it waits as a read does. Before any wait the exchange
// goes back to the pool: it is empty between reads of a head (see
// exchange), and a slow head should not pin it.
func (c *conn) readHead(b []byte, until time.Time) (n int, parked bool, err error) {
	nb, ok := c.nc.(nonBlocking)
	if !ok {
		c.putExchange()
		n, err = c.nc.Read(b)
		return n, false, err
	}
	n, err = nb.read(b, false)
	if err != errWouldBlock {
		return n, false, err
	}
	if !until.IsZero() && !time.Now().Before(until) {
		// The deadline has passed, though the socket's own timer may not
		// have fired yet (Go's poller runs its deadline timers when the
		// scheduler gets to them): parked again, a head the waiter
		// resumed at its deadline came straight back to it, and again,
		// until its timeouts counted as a wave and it was cut with no
		// 408 (seen on linux/386, where the socket is Go's).
		return 0, false, os.ErrDeadlineExceeded
	}
	c.putExchange()
	if c.srv.waiter.park(c, until) {
		return 0, true, nil
	}
	n, err = nb.read(b, true)
	return n, false, err
}
