package server

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/wire"
)

// Connection states, for shutdown: only an idle connection (waiting for
// the first byte of its next request) may be closed under it.
const (
	stateActive int32 = iota
	stateIdle
	stateClosing
	stateFirst // waiting for the first request: not idle (see waitRequest)
)

// Lingering close: after the last response, the write side is shut and
// whatever the client still sends is drained for a bounded time, so the
// response is not destroyed by a reset (RFC 9112 §9.6, the TCP reset
// problem).
const (
	lingerTimeout = 2 * time.Second
	lingerBytes   = 256 << 10
)

// reqBufSize is the read buffer a connection takes when a request starts.
const reqBufSize = 4096

// warmWait is how long a connection waits for its next request on the
// goroutine and buffer that served the last one. A busy keep-alive client
// sends it well within that (then the request costs no goroutine switch
// and no extra read); a connection still silent after it idles with no
// buffer, held by the waiter or on a fresh goroutine (see phaseNext).
const warmWait = 250 * time.Millisecond

// warmAfter is how many requests a connection must have sent, with no
// pause longer than warmWait between them, before it gets the warm wait:
// a client that sends one request and falls silent (most idle keep-alive
// connections) never pins a buffer and a grown stack for warmWait.
const warmAfter = 2

// reqState is everything a connection needs only while it has a request
// in hand. It comes from a pool when the first byte of a request arrives
// and goes back when the connection falls idle with nothing buffered, so
// an idle keep-alive connection holds only its conn struct and socket.
type reqState struct {
	buf     []byte // read buffer; len(buf) is its usable size
	r, w    int    // unread bytes are buf[r:w]
	p       parser.Parser
	dec     parser.ChunkedDecoder
	x       *exchange // nil while a head is awaited (see exchange)
	headLen int       // the parsed head's length, from phaseParse to phaseRequest
}

var statePool = sync.Pool{New: func() any { return &reqState{buf: make([]byte, reqBufSize)} }}

// exchange is the parsed request and the response being built. It is most
// of a request's memory (the parser's field array alone is 6 KiB), and it
// holds nothing between reads of an incomplete head (Parse leaves no
// views behind an ErrNeedMore), so a client dribbling its head in (a
// slowloris) keeps only its buffer and parser offsets while it waits.
type exchange struct {
	req  parser.Request
	resp wire.Response
}

var exchangePool = sync.Pool{New: func() any { return new(exchange) }}

// exchange returns the request's exchange, taking one from the pool when
// the connection holds none.
func (c *conn) exchange() *exchange {
	st := c.st
	if st.x == nil {
		st.x = exchangePool.Get().(*exchange)
	}
	return st.x
}

// putExchange gives the exchange back; nothing may refer to it after.
func (c *conn) putExchange() {
	if x := c.st.x; x != nil {
		c.st.x = nil
		x.resp.Reset()
		exchangePool.Put(x)
	}
}

// monoBase anchors deadlines kept as int64 (monoKey): nanoseconds since
// it on the monotonic clock, cheap to compare and store.
var monoBase = time.Now()

func monoKey(t time.Time) int64 { return int64(t.Sub(monoBase)) }

func monoTime(k int64) time.Time { return monoBase.Add(time.Duration(k)) }

// conn is one client connection, served by one goroutine at a time, or
// by none while a waiter holds it (see waiter). Its lifecycle is phase,
// advanced only by run's loop.
type conn struct {
	srv    *Server
	nc     net.Conn
	raw    net.Conn // the accepted conn under nc's TLS wrapper; see closeIdle
	remote string   // client IP text, made on first log line
	// state is the shutdown view of the connection, read by other
	// goroutines (closeIdle); phase is the lifecycle, owned by whoever
	// holds the connection.
	state atomic.Int32
	// mstate is the ConnState, for the metrics' gauges (read by Snapshot).
	mstate atomic.Uint32
	st     *reqState
	// since (monoKey) is when the current wait or request began: while
	// waiting for a request, when the connection fell idle (the idle
	// timeout counts from it); from phaseHead on, when the head began (the
	// header timeout counts from it, and the access log's duration).
	since int64
	// bodyUntil (monoKey) is when the current request's body must be
	// complete (bodyTime after its head).
	bodyUntil int64
	// The small fields together: an idle connection is mostly this
	// struct, kept to a smaller allocation size class.
	// streak counts the requests since the connection was last idle
	// longer than warmWait, up to warmAfter (all that is asked of it).
	streak uint8
	phase  phase
	// headDeadline: the header deadline is set on the socket for the
	// current head (it is set before the first read that needs it).
	headDeadline bool
	// waveCounted: the parker counted the current head's timeout in the
	// wave and left it its 408 (see fail).
	waveCounted bool
	// watched: the socket is in the parker's watch set (parker.watch).
	// Only the connection's own goroutine touches it.
	watched bool
	pending bool    // one holds the next request's first byte (tlsQuiet)
	one     [1]byte // receives the first byte of the next request while idle
	park    parkEntry

	exited chan struct{} // closed when the connection ends (ServeConn only)
}

func (c *conn) getState() {
	c.st = statePool.Get().(*reqState)
	c.st.r, c.st.w = 0, 0
}

func (c *conn) putState() {
	st := c.st
	if st == nil {
		return
	}
	c.putExchange()
	c.st = nil
	if len(st.buf) != reqBufSize {
		// Grown for a big head or chunk line: views may still point into
		// the old array elsewhere only during a request, so a fresh small
		// buffer is safe; the big one goes to the garbage collector.
		st.buf = make([]byte, reqBufSize)
	}
	statePool.Put(st)
}

// phase is where a connection is in its lifecycle. run's switch holds
// every transition; the comments say what each phase waits for and where
// it can go.
type phase uint8

const (
	// phaseNew: just accepted. With a handshake hook (TLS) the handshake
	// runs under the header timeout (→ phaseFirst; phaseLinger after
	// answering plain HTTP on the HTTPS port; phaseClose).
	phaseNew phase = iota
	// phaseFirst: waiting for the first byte of the first request, at
	// most the header timeout: served at once when it is already there,
	// else held by a waiter (raw sockets, park_linux.go) or on a goroutine
	// (→ phaseHead, or phaseClose: a connection that never speaks is
	// closed quietly).
	phaseFirst
	// phaseAwait: waiting for the first byte of the next request, at most
	// the idle timeout from since (→ phaseHead, or phaseClose with a plain
	// FIN, RFC 9112 §9.5): on a goroutine, or held by a waiter.
	phaseAwait
	// phaseWoken: a waiter saw input on an idle connection; the bytes (or
	// a FIN) are there, so they are read straight into a buffer (→
	// phaseHead, or phaseClose).
	phaseWoken
	// phaseHead: a head begins with the bytes in the buffer (the first
	// byte read, or pipelined bytes) (→ phaseParse).
	phaseHead
	// phaseParse: parsing the head, reading more as needed (→
	// phaseRequest; phaseLinger or phaseClose after a rejection). While
	// the rest is slow to come a waiter may hold the connection in this
	// phase, with its buffer and the parser's offsets.
	phaseParse
	// phaseRequest: the head is complete: expectation, body, handler,
	// response (→ phaseNext when the connection stays; phaseLinger or
	// phaseClose when not).
	phaseRequest
	// phaseNext: a response was sent and the connection stays. Pipelined
	// bytes begin the next head at once; otherwise a busy connection
	// waits warmWait here, and an idle one lets its goroutine go (→
	// phaseHead, phaseAwait in a waiter or on a fresh goroutine, or
	// phaseClose).
	phaseNext
	// phaseLinger: the last response is out and the client may still be
	// sending: half-close, drain for a bounded time (→ phaseClose).
	phaseLinger
	// phaseClose: the end (finish).
	phaseClose
)

// run drives the connection through its phases on the calling goroutine
// until it ends or a waiter takes it (then run returns, and a new run
// starts when input comes). Every transition is in this switch.
func (c *conn) run() {
	s := c.srv
	detached := false
	defer func() {
		if detached {
			return
		}
		if v := recover(); v != nil {
			s.log.Error("panic serving connection", "remote", c.remoteString(), "panic", v)
		}
		c.finish()
	}()
	for {
		switch c.phase {
		case phaseNew:
			c.phase = phaseFirst
			if s.handshake != nil {
				c.phase = c.handshake()
			}

		case phaseFirst, phaseAwait:
			first := c.phase == phaseFirst
			c.phase = phaseHead
			if first && c.readReady() {
				break
			}
			if first && c.parkFirst() {
				detached = true // a waiter has it, in phaseFirst
				return
			}
			if !c.waitRequest(first) {
				c.phase = phaseClose
			}

		case phaseWoken:
			c.phase = phaseHead
			if !c.readWoken() {
				c.phase = phaseClose
			}

		case phaseHead:
			c.mstate.Store(uint32(ConnActive))
			c.beginHead()
			c.phase = phaseParse

		case phaseParse:
			n, err := c.advanceHead(&c.exchange().req)
			switch {
			case err == nil:
				c.st.headLen = n
				c.phase = phaseRequest
			case err != parser.ErrNeedMore:
				c.phase = c.fail(err, nil)
			default:
				if !c.headDeadline {
					c.mstate.Store(uint32(ConnSlowHead)) // the head did not come whole
				}
				parked, rerr := c.readMoreHead()
				if parked {
					detached = true // a waiter has it, still in phaseParse
					return
				}
				if rerr != nil {
					c.phase = c.fail(rerr, nil)
				}
			}

		case phaseRequest:
			if c.headDeadline {
				c.mstate.Store(uint32(ConnActive)) // after a slow head
			}
			c.phase = c.serveRequest()

		case phaseNext:
			if c.streak < warmAfter {
				c.streak++
			}
			switch {
			case c.st.r < c.st.w:
				c.phase = phaseHead // pipelined
			case c.streak < warmAfter:
				// Not busy (yet): no buffer is held for it.
				c.mstate.Store(uint32(ConnIdle))
				c.since = monoKey(time.Now())
				detached = true
				c.letGo()
				return
			default:
				c.mstate.Store(uint32(ConnIdle))
				switch c.waitWarm() {
				case warmBytes:
					c.phase = phaseHead
				case warmQuiet:
					c.streak = 0
					detached = true
					c.letGo()
					return
				default:
					c.phase = phaseClose
				}
			}

		case phaseLinger:
			if c.parkLinger() {
				detached = true // finished, or a waiter has it
				return
			}
			c.lingerClose()
			c.phase = phaseClose

		case phaseClose:
			return
		}
	}
}

// handshake runs the handshake hook (TLS) under the header timeout and
// says where the connection goes. Like a plain connection waiting for its
// first request (see waitRequest), it is not idle: a client whose
// ClientHello is on its way when a shutdown (or a reload's hand-over)
// begins gets its handshake and first request served, within
// shutdownFirstWait.
func (c *conn) handshake() phase {
	s := c.srv
	c.state.Store(stateFirst)
	c.mstate.Store(uint32(ConnHandshake))
	d := s.headerTimeout
	if s.shutdown.Load() {
		d = min(d, shutdownFirstWait)
	}
	c.nc.SetDeadline(time.Now().Add(d))
	nc, err := s.handshake(c.nc)
	c.mstate.Store(uint32(ConnNew))
	s.metrics.countHandshake(err)
	if err != nil {
		if s.debugOn() {
			s.log.Debug("handshake failed", "remote", c.remoteString(), "err", err)
		}
		var pe *plainHTTPError
		if errors.As(err, &pe) && s.answerPlainHTTP(c.nc) == nil {
			return phaseLinger
		}
		return phaseClose
	}
	c.nc = nc // other goroutines only touch c.raw
	c.nc.SetDeadline(time.Time{})
	return phaseFirst
}

// letGo lets the connection wait for its next request without the current
// goroutine, which then ends: a waiter holds it where it can (no
// goroutine at all), otherwise a fresh goroutine waits, with the minimum
// stack (request processing may have grown this one's to several KiB).
// The caller must not touch c afterwards.
func (c *conn) letGo() {
	c.putState()
	c.phase = phaseAwait
	if !c.srv.waiter.park(c, monoTime(c.since).Add(c.srv.idleTimeout)) {
		go c.run()
	}
}

// finish ends the connection: buffer back to the pool, socket closed,
// server bookkeeping. It runs once, on whichever side owns c last.
func (c *conn) finish() {
	c.phase = phaseClose
	c.putState()
	c.nc.Close()
	c.srv.removeConn(c)
	if c.exited != nil {
		close(c.exited)
	}
}

// beginHead starts a head with the bytes in the buffer: pipelined bytes
// move to its start, and the parser starts afresh.
func (c *conn) beginHead() {
	st := c.st
	c.since = monoKey(time.Now())
	c.headDeadline = false
	c.waveCounted = false
	if st.r > 0 {
		st.w = copy(st.buf, st.buf[st.r:st.w])
		st.r = 0
	}
	st.p.Limits = c.srv.limits
	st.p.Reset()
}

// advanceHead parses what the buffer holds of the current head into req:
// the head's length when it is complete; parser.ErrNeedMore when more
// bytes are needed (the buffer then has room for them: it grows up to the
// head limit); any other error rejects the head. The connection's
// goroutine and the parker (feed) both advance a head through it.
func (c *conn) advanceHead(req *parser.Request) (int, error) {
	st := c.st
	n, err := st.p.Parse(st.buf[:st.w], req)
	if err != parser.ErrNeedMore {
		return n, err
	}
	if st.w == len(st.buf) {
		if len(st.buf) >= c.srv.maxHeadBuf {
			return 0, errHeadTooLarge
		}
		c.grow(min(2*len(st.buf), c.srv.maxHeadBuf))
	}
	return 0, parser.ErrNeedMore
}

// readMoreHead reads more of the head. RFC 9112 §2.2 / slowloris: the
// whole head must arrive within the header timeout counted from its first
// byte; the deadline is set before the first read that needs it (a head
// that came whole needs none). It reports parked when a waiter took the
// connection (the caller must leave c alone), else an error that ends the
// head (errHeadTimeout for the deadline).
func (c *conn) readMoreHead() (parked bool, err error) {
	st := c.st
	until := monoTime(c.since).Add(c.srv.headerTimeout)
	if !c.headDeadline {
		c.nc.SetReadDeadline(until)
		c.headDeadline = true
	}
	m, parked, err := c.readHead(st.buf[st.w:], until)
	if parked {
		return true, nil
	}
	st.w += m
	if err != nil && m == 0 {
		if isTimeout(err) {
			err = errHeadTimeout
		}
		return false, err
	}
	return false, nil
}

// grow replaces the read buffer with a larger copy. Views into the old
// array (the parsed head) stay valid: the old array is not reused.
func (c *conn) grow(size int) {
	st := c.st
	nb := make([]byte, size)
	copy(nb, st.buf[:st.w])
	st.buf = nb
}

// clientIP is the client's address (invalid when c is not TCP), the
// key of the per-IP limit. It is not kept in the conn: the socket has it
// (see remoteIP).
func (c *conn) clientIP() netip.Addr { return remoteIP(c.raw) }

func (c *conn) remoteString() string {
	if c.remote == "" {
		if ip := c.clientIP(); ip.IsValid() {
			c.remote = ip.String()
		} else {
			c.remote = c.nc.RemoteAddr().String()
		}
	}
	return c.remote
}
