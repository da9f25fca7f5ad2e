package server

import (
	"bytes"
	"crypto/tls"
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
// buffer, parked or on a fresh goroutine (see serve).
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
	buf  []byte // read buffer; len(buf) is its usable size
	r, w int    // unread bytes are buf[r:w]
	p    parser.Parser
	dec  parser.ChunkedDecoder
	x    *exchange // nil while a head is awaited (see serveRequest)
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

// conn is one client connection, served by one goroutine at a time (none
// while parked).
type conn struct {
	srv    *Server
	nc     net.Conn
	raw    net.Conn // the accepted conn under nc's TLS wrapper; see closeIdle
	ip     netip.Addr
	remote string // client IP text, made on first log line
	state  atomic.Int32
	st     *reqState
	one    [1]byte   // receives the first byte of the next request while idle
	idleAt time.Time // when the connection last fell idle: the idle timeout counts from it
	streak int       // requests since the connection was last idle longer than warmWait

	started    bool  // the first goroutine has run (handshake, first wait)
	woken      bool  // the parker saw input: read it straight into a buffer
	pending    bool  // c.one holds the next request's first byte (tlsQuiet)
	midHead    bool  // parked, or resuming, with part of a head read
	registered bool  // the socket is in the parker's epoll set
	slot       int32 // the parker's table entry, while parked
	hidx       int32 // its index in the parker's deadline heap
	until      int64 // the parker's deadline for it (monoKey)

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

// serve runs the connection on a goroutine with a fresh stack. After a
// request of a busy connection (warmAfter) it first waits warmWait for the
// next one where it is (waitWarm); if none comes, or the connection is not
// busy, the goroutine lets go of the connection (idle) and ends: the
// connection is parked with no goroutine at all where it can be (see
// parker) and gets a new one when its next request arrives; otherwise it
// waits on a new goroutine with the minimum 2 KiB stack, as request
// processing may have grown this one's to several KiB. That keeps an idle keep-alive
// connection near its floor (conn struct, socket), while a busy one is
// served without a goroutine switch.
func (c *conn) serve() {
	s := c.srv
	handedOff := false
	defer func() {
		if handedOff {
			return
		}
		if v := recover(); v != nil {
			s.log.Error("panic serving connection", "remote", c.remoteString(), "panic", v)
		}
		c.finish()
	}()
	if !c.started {
		c.started = true
		if s.handshake != nil {
			// No request has been sent during the handshake: the
			// connection counts as idle, so Shutdown closes it at once.
			c.state.Store(stateIdle)
			if s.shutdown.Load() {
				return
			}
			c.nc.SetDeadline(time.Now().Add(s.headerTimeout))
			nc, err := s.handshake(c.nc)
			if err != nil {
				s.log.Debug("handshake failed", "remote", c.remoteString(), "err", err)
				return
			}
			c.nc = nc // other goroutines only touch c.raw
			c.nc.SetDeadline(time.Time{})
		}
		if !c.waitRequest(true) {
			return
		}
	}
	fresh := true
	for {
		if c.st == nil || c.st.r == c.st.w {
			switch {
			case fresh:
				if !c.waitRequest(false) {
					return
				}
			case c.streak < warmAfter:
				// Not busy (yet): no buffer is held for it.
				c.idleAt = time.Now()
				handedOff = true
				c.idle()
				return
			case !c.waitWarm():
				return
			case c.st.w == 0: // still idle: hand off
				c.streak = 0
				handedOff = true
				c.idle()
				return
			}
		}
		fresh = false
		keep, parked := c.serveRequest()
		if parked {
			handedOff = true
			return
		}
		if !keep {
			return
		}
		c.streak++
	}
}

// idle lets the connection wait for its next request without the current
// goroutine: parked (no goroutine at all) where it can be, otherwise on a
// fresh goroutine. The caller must not touch c afterwards.
func (c *conn) idle() {
	c.putState()
	if !c.park(c.idleAt.Add(c.srv.idleTimeout)) {
		go c.serve()
	}
}

// finish ends the connection: buffer back to the pool, socket closed,
// server bookkeeping. It runs once, on whichever side owns c last.
func (c *conn) finish() {
	c.putState()
	c.nc.Close()
	c.srv.removeConn(c)
	if c.exited != nil {
		close(c.exited)
	}
}

// waitRequest idles until the first byte of the next request arrives,
// holding no buffer (a connection the parker woke has its bytes there
// already and reads them straight into one; one whose TLS layer had a
// byte buffered, see tlsQuiet, has it in c.one). It must read, not just
// wait for readability: Go's poller clears a pending readiness before
// every wait (pollReset), so a wait not preceded by a read that failed
// with EAGAIN can sleep through bytes (or a FIN) that are already there,
// until the deadline. The first request of a connection waits at most the
// header timeout (a connection that never speaks is a slowloris), later
// ones the idle keep-alive timeout; either expiry closes quietly with a
// FIN (RFC 9112 §9.5).
func (c *conn) waitRequest(first bool) bool {
	s := c.srv
	c.putState()
	c.state.Store(stateIdle)
	if s.shutdown.Load() {
		return false
	}
	if first {
		c.nc.SetReadDeadline(time.Now().Add(s.headerTimeout))
	} else {
		if c.idleAt.IsZero() {
			c.idleAt = time.Now()
		}
		c.nc.SetReadDeadline(c.idleAt.Add(s.idleTimeout))
	}
	if c.woken {
		// The parker saw the socket readable: the request (or a FIN) is
		// there, so the buffer is taken before the read, not after.
		c.woken = false
		c.getState()
		n, _ := c.nc.Read(c.st.buf)
		if n == 0 || !c.state.CompareAndSwap(stateIdle, stateActive) {
			return false
		}
		c.st.w = n
		return true
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
	if !c.state.CompareAndSwap(stateIdle, stateActive) {
		return false // Shutdown closed us meanwhile
	}
	c.getState()
	c.st.buf[0] = c.one[0]
	c.st.w = 1
	return true
}

// waitWarm waits up to warmWait for the next request on the current
// goroutine, reading straight into the request buffer. It reports false
// when the connection is to close (closed by the client, the idle timeout,
// or shutdown); otherwise c.st.w > 0 when bytes arrived, and 0 when the
// connection is still idle and should be handed off.
func (c *conn) waitWarm() bool {
	s := c.srv
	st := c.st
	st.r, st.w = 0, 0
	c.idleAt = time.Now()
	c.state.Store(stateIdle)
	if s.shutdown.Load() {
		return false
	}
	d := min(warmWait, s.idleTimeout)
	c.nc.SetReadDeadline(c.idleAt.Add(d))
	n, err := c.nc.Read(st.buf)
	if n == 0 {
		// Only the warm deadline leaves the connection open.
		return d < s.idleTimeout && isTimeout(err) && c.state.Load() == stateIdle
	}
	if !c.state.CompareAndSwap(stateIdle, stateActive) {
		return false // Shutdown closed us meanwhile
	}
	st.w = n
	return true
}

// serveRequest reads one request head, disposes of its body, answers it
// and reports whether the connection stays open for another. It reports
// parked instead when the rest of the head is slow to come and the
// connection went to the parker: the caller must then leave c alone (the
// parker resumes it on a new goroutine, with c.midHead set, and this
// function carries on where it stopped).
func (c *conn) serveRequest() (keep, parked bool) {
	s := c.srv
	st := c.st
	var start time.Time
	resumed := c.midHead
	if resumed {
		// The deadline was set before parking; the parser's offsets and
		// the bytes so far (with what the parker read since) are in st.
		c.midHead = false
		start = monoTime(c.until).Add(-s.headerTimeout)
	} else {
		start = time.Now()
		if st.r > 0 {
			st.w = copy(st.buf, st.buf[st.r:st.w])
			st.r = 0
		}
		st.p.Limits = s.limits
		st.p.Reset()
	}

	// RFC 9112 §2.2 / slowloris: the whole head must arrive within the
	// header timeout counted from its first byte. The deadline is set
	// before the first read that needs it: a head that came whole needs
	// none.
	var headLen int
	for deadline := resumed; ; {
		n, err := st.p.Parse(st.buf[:st.w], &c.exchange().req)
		if err == nil {
			headLen = n
			break
		}
		if err != parser.ErrNeedMore {
			return c.fail(err, nil, start), false
		}
		if st.w == len(st.buf) {
			if len(st.buf) >= s.maxHeadBuf {
				return c.fail(errHeadTooLarge, nil, start), false
			}
			c.grow(min(2*len(st.buf), s.maxHeadBuf))
		}
		if !deadline {
			c.nc.SetReadDeadline(start.Add(s.headerTimeout))
			deadline = true
		}
		m, parked, err := c.readHead(st.buf[st.w:], start.Add(s.headerTimeout))
		if parked {
			return false, true
		}
		st.w += m
		if err != nil && m == 0 {
			if isTimeout(err) {
				err = errHeadTimeout
			}
			return c.fail(err, nil, start), false
		}
	}
	x := c.exchange()
	req := &x.req
	http10 := req.Version.Major == 1 && req.Version.Minor == 0

	// RFC 9110 §10.1.1: an HTTP/1.0 request's Expect is ignored; for 1.1
	// only 100-continue is understood, anything else gets 417. The parser
	// sets neither flag for 1.0.
	if req.ExpectOther {
		return c.fail(errExpectation, req, start), false
	}
	pos, err := c.discardBody(req, headLen, req.Expect100)
	if err != nil {
		return c.fail(err, req, start), false
	}
	st.r = pos

	resp := &x.resp
	resp.Reset()
	s.h.Serve(req, resp)
	// RFC 9112 §9.3: persistence follows the request's version and
	// Connection options; a handler or a shutdown may end it sooner.
	stay := req.KeepAlive && !resp.Close && !s.shutdown.Load()
	sent, werr := c.writeResponse(resp, respMeta{
		keepAlive: stay,
		http10:    http10,
		noBody:    bytes.Equal(req.Method, []byte("HEAD")),
	})
	c.logAccess(req, resp.Status, sent, start)
	resp.Release()
	if werr != nil {
		s.log.Debug("write failed", "remote", c.remoteString(), "err", werr)
		return false, false
	}
	if !stay {
		// RFC 9112 §9.6: nothing after a close is processed.
		c.closeClean()
		return false, false
	}
	return true, false
}

// input is what peekInput sees in the socket's receive queue.
type input uint8

const (
	inputUnknown input = iota
	inputNone          // nothing unread (yet)
	inputEOF           // the client has closed its side
	inputData          // unread bytes
)

// closeClean ends a connection after a complete request was answered and
// the connection is not kept (Connection: close, HTTP/1.0, shutdown). The
// lingering close exists for a client that is still sending: closing a
// socket with unread input makes the kernel send a reset, which can
// destroy the response before the client reads it (RFC 9112 §9.6). When
// nothing is unread, neither in the buffer nor in the socket, the close
// (done by serve) sends a plain FIN and the half-close, drain and second
// wakeup are skipped, as nginx's lingering_close does by default. A client
// sending more at that very moment gets a reset, which after a
// "Connection: close" it has no reason to expect otherwise.
func (c *conn) closeClean() {
	if c.st != nil && c.st.r < c.st.w {
		c.lingerClose() // pipelined bytes after the close: the client is sending
		return
	}
	switch peekInput(c.raw) {
	case inputNone, inputEOF:
		return
	}
	c.lingerClose()
}

// grow replaces the read buffer with a larger copy. Views into the old
// array (the parsed head) stay valid: the old array is not reused.
func (c *conn) grow(size int) {
	st := c.st
	nb := make([]byte, size)
	copy(nb, st.buf[:st.w])
	st.buf = nb
}

// fail answers an error through errorReaction and reports false (the
// connection closes). req is nil when no head was parsed.
func (c *conn) fail(err error, req *parser.Request, start time.Time) bool {
	s := c.srv
	rc := errorReaction(err)
	if rc.status == 0 {
		s.log.Debug("connection ended", "remote", c.remoteString(), "err", err)
		return false
	}
	if rc.status >= 500 {
		s.log.Error("request failed", "remote", c.remoteString(), "status", rc.status, "err", err)
	} else {
		s.log.Debug("request rejected", "remote", c.remoteString(), "status", rc.status, "err", err)
	}
	resp := &c.exchange().resp
	resp.Reset()
	// The handler renders the error when it can (its configured pages);
	// either way the response comes from wire.Error.
	if s.eh != nil {
		s.eh.ErrorResponse(rc.status, resp)
	}
	if resp.Status == 0 {
		wire.Error(resp, rc.status, nil)
	}
	resp.Status = rc.status
	var head bool
	if req != nil {
		head = bytes.Equal(req.Method, []byte("HEAD"))
	} else if c.st != nil {
		// The head was rejected, so there is no parsed method; a HEAD
		// request still must not get a body (RFC 9110 §9.3.2), or the
		// client would read the error page as the next response.
		head = rawMethodIsHEAD(c.st.buf[c.st.r:c.st.w])
	}
	http10 := req != nil && req.Version.Major == 1 && req.Version.Minor == 0
	sent, werr := c.writeResponse(resp, respMeta{keepAlive: false, http10: http10, noBody: head})
	c.logAccess(req, rc.status, sent, start)
	resp.Release()
	if werr == nil {
		c.lingerClose()
	}
	return false
}

// rawMethodIsHEAD reports whether unparsed request bytes start with the
// HEAD method, after the empty lines a server skips (RFC 9112 §2.2).
func rawMethodIsHEAD(b []byte) bool {
	for len(b) >= 2 && b[0] == '\r' && b[1] == '\n' {
		b = b[2:]
	}
	return bytes.HasPrefix(b, []byte("HEAD "))
}

// lingerClose half-closes the connection and drains what the client still
// sends, bounded in time and bytes, so the last response is delivered
// before the socket is closed (RFC 9112 §9.6).
func (c *conn) lingerClose() {
	cw, ok := c.nc.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	var buf []byte
	if c.st != nil {
		buf = c.st.buf
	} else {
		buf = c.one[:]
	}
	deadline := time.Now().Add(lingerTimeout)
	c.nc.SetReadDeadline(deadline)
	for total := 0; total < lingerBytes; {
		n, err := c.nc.Read(buf)
		total += n
		if err != nil {
			return
		}
	}
}

func (c *conn) remoteString() string {
	if c.remote == "" {
		if c.ip.IsValid() {
			c.remote = c.ip.String()
		} else {
			c.remote = c.nc.RemoteAddr().String()
		}
	}
	return c.remote
}

var protoHTTP = [...][]byte{[]byte("HTTP/1.0"), []byte("HTTP/1.1")}

func (c *conn) logAccess(req *parser.Request, status int, sent int64, start time.Time) {
	a := c.srv.access
	if a == nil {
		return
	}
	now := time.Now()
	e := AccessEntry{Time: now, Remote: c.remoteString(), Status: status, Bytes: sent, Duration: now.Sub(start)}
	e.Scheme = "http"
	if _, ok := c.nc.(*tls.Conn); ok {
		e.Scheme = "https"
	}
	if req != nil {
		e.Method, e.Target = req.Method, req.Target
		if req.Version.Major == 1 && req.Version.Minor <= 1 {
			e.Proto = protoHTTP[req.Version.Minor]
		} else {
			e.Proto = []byte{'H', 'T', 'T', 'P', '/', '0' + req.Version.Major, '.', '0' + req.Version.Minor}
		}
		e.Referer, _ = req.Header("Referer")
		e.UserAgent, _ = req.Header("User-Agent")
	}
	a.Log(&e)
}
