package server

import (
	"bytes"
	"crypto/tls"
	"errors"
	"time"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/wire"
)

// serveRequest runs phaseRequest: the head is complete (its views in the
// exchange, its length in st.headLen). It lets the handler answer,
// disposes of the body, writes the response and says where the
// connection goes: phaseNext when it stays, phaseLinger or phaseClose
// when not.
//
// The handler's answer never depends on the body, so it is decided from
// the head alone and, when it refuses the request (4xx, 5xx), sent at
// once: a client is never made to upload a body that will be dropped,
// and a slow body cannot delay the answer. RFC 9110 §10.1.1 lets a server
// answer an Expect: 100-continue request with its final status and no
// 100; Ferrox never sends 100 Continue, since it never uses a body. What
// happens to the body (see the bounds in body.go):
//   - already complete in the buffer: skipped, the connection stays;
//   - a success (2xx, 3xx) without Expect: the body is read first, within
//     the body bounds, then the answer is made anew: a request is only
//     served as a success once it is complete (RFC 9112 §8);
//   - at most keepDrainBytes of a Content-Length body still to come, or a
//     chunked body, no Expect: answered, then the rest is drained within
//     the bounds (a chunked body's data at most keepDrainBytes), and the
//     next request is framed exactly after it (RFC 9112 §9.3);
//   - otherwise (more to come, or a client waiting on Expect):
//     answered with Connection: close, then half-close and the bounded
//     lingering close (RFC 9112 §9.6).
func (c *conn) serveRequest() phase {
	s := c.srv
	st := c.st
	x := c.exchange()
	req := &x.req
	http10 := req.Version.Major == 1 && req.Version.Minor == 0

	// RFC 9110 §10.1.1: an HTTP/1.0 request's Expect is ignored; for 1.1
	// only 100-continue is understood, anything else gets 417. The parser
	// sets neither flag for 1.0.
	if req.ExpectOther {
		return c.fail(errExpectation, req)
	}
	c.bodyUntil = monoKey(time.Now().Add(s.bodyTime))
	pos, complete, err := c.bufferedBody(req, st.headLen)
	if err != nil {
		return c.fail(err, req)
	}

	resp := &x.resp
	resp.Reset()
	s.h.Serve(req, resp)
	drain := false // drain the body after the answer
	bodyClose := false
	if !complete {
		switch {
		case resp.Status < 400 && !req.Expect100:
			resp.Reset()
			if pos, err = c.discardBody(req, st.headLen); err != nil {
				return c.fail(err, req)
			}
			s.h.Serve(req, resp)
		case !req.Expect100 && (req.Framing == parser.FramingChunked ||
			req.ContentLength-int64(st.w-st.headLen) <= s.keepDrainBytes):
			drain = true
			pos = st.headLen
		default:
			bodyClose = true
		}
	}
	st.r = pos
	if resp.Status >= 500 {
		s.counters.serverErrors.Add(1)
		cause := resp.Cause
		if cause == nil {
			cause = errNoCause
		}
		s.log.Error("request failed", "remote", c.remoteString(), "status", resp.Status, "err", cause)
	}
	// RFC 9112 §9.3: persistence follows the request's version and
	// Connection options; a handler, a shutdown or an unread body may end
	// it sooner.
	stay := req.KeepAlive && !resp.Close && !s.shutdown.Load() && !bodyClose
	sent, werr := c.writeResponse(resp, wire.Meta{
		KeepAlive: stay,
		HTTP10:    http10,
		Head:      bytes.Equal(req.Method, []byte("HEAD")),
	})
	c.logAccess(req, resp.Status, sent)
	if werr != nil {
		c.logWriteError(werr, resp, sent)
		resp.Release()
		return phaseClose
	}
	resp.Release()
	if bodyClose {
		return phaseLinger // Connection: close was sent; the body is left unread
	}
	if !stay {
		// RFC 9112 §9.6: nothing after a close is processed.
		return c.closeClean()
	}
	if drain {
		g := c.newBodyGuard(s.drainGap)
		var end int
		var err error
		if req.Framing == parser.FramingChunked {
			end, err = c.discardChunked(st.headLen, &g, s.keepDrainBytes)
		} else {
			end, err = c.discardLength(st.headLen, req.ContentLength, &g)
		}
		if err != nil {
			switch err {
			case errBodyTimeout:
				s.refuse(RefusedBodyTimeout, c.clientIP())
			case errBodyTooLarge:
				s.refuse(RefusedBodyTooLarge, c.clientIP())
			}
			if s.debugOn() {
				s.log.Debug("body not drained after the answer", "remote", c.remoteString(), "err", err)
			}
			if rc := errorReaction(err); rc.status == 0 {
				return phaseClose // the client is gone
			}
			// Too slow or too large: the client may still be sending, so
			// the bounded lingering close keeps the end a FIN.
			return phaseLinger
		}
		st.r = end
	}
	return phaseNext
}

// logWriteError logs why a response could not be sent whole: a file that
// failed or shrank while it was sent is the server's fault and is logged
// at error level with its path and how much was sent; a client that went
// away only at debug level. Either way the connection closes, so a short
// body is never padded or followed by another response.
func (c *conn) logWriteError(err error, resp *wire.Response, sent int64) {
	s := c.srv
	var fe *fileError
	if errors.As(err, &fe) {
		s.counters.fileErrors.Add(1)
		s.log.Error("file changed or failed while it was sent; connection closed",
			"remote", c.remoteString(), "path", fe.path, "sent", sent, "of", resp.ContentLength, "err", fe.err)
		return
	}
	if s.debugOn() {
		s.log.Debug("write failed", "remote", c.remoteString(), "err", err)
	}
}

// input is what peekInput sees in the socket's receive queue.
type input uint8

const (
	inputUnknown input = iota
	inputNone          // nothing unread (yet)
	inputEOF           // the client has closed its side
	inputData          // unread bytes
)

// closeClean picks how a connection ends after a complete request was
// answered and the connection is not kept (Connection: close, HTTP/1.0,
// shutdown): phaseLinger or phaseClose. The lingering close exists for a client that is still sending: closing a
// socket with unread input makes the kernel send a reset, which can
// destroy the response before the client reads it (RFC 9112 §9.6). When
// nothing is unread, neither in the buffer nor in the socket, the close
// (phaseClose) sends a plain FIN and the half-close, drain and second
// wakeup are skipped, as nginx's lingering_close does by default. A client
// sending more at that very moment gets a reset, which after a
// "Connection: close" it has no reason to expect otherwise.
func (c *conn) closeClean() phase {
	if c.st != nil && c.st.r < c.st.w {
		return phaseLinger // pipelined bytes after the close: the client is sending
	}
	return c.closeIfQuiet()
}

// fail answers an error through errorReaction and returns the phase that
// ends the connection: phaseLinger after an answer, so that it is read
// before the close (RFC 9112 §9.6), else phaseClose. req is nil when no
// head was parsed.
func (c *conn) fail(err error, req *parser.Request) phase {
	s := c.srv
	c.mstate.Store(uint32(ConnActive))
	rc := errorReaction(err)
	if rc.status == 0 {
		if s.debugOn() {
			s.log.Debug("connection ended", "remote", c.remoteString(), "err", err)
		}
		return phaseClose
	}
	kind, refused := refusalOf(err)
	if refused {
		s.refuse(kind, c.clientIP())
	}
	if refused && kind == RefusedHeadTimeout && !c.waveCounted && s.wave.count(monoKey(time.Now())) {
		// Heads are timing out in a wave (see wave): closed with no 408.
		// The client's input was read up to the timeout; a plain FIN
		// unless more came since (closeIfQuiet).
		c.logQuietCut(req)
		return c.closeIfQuiet()
	}
	if rc.status >= 500 {
		s.counters.serverErrors.Add(1)
		s.log.Error("request failed", "remote", c.remoteString(), "status", rc.status, "err", err)
	} else if s.debugOn() {
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
	sent, werr := c.writeResponse(resp, wire.Meta{HTTP10: http10, Head: head})
	c.logAccess(req, rc.status, sent)
	resp.Release()
	if werr != nil {
		return phaseClose
	}
	if rc.drained {
		// Cut for slowness (a 408). In a wave of slowloris cuts (2 000 a
		// second, perf on the server) the lingering closes took a quarter
		// of the cut path's CPU (9% of the server's): the park, the
		// wakeup at the client's FIN and its reads. nginx sends no 408
		// there at all and just closes.
		return c.closeIfQuiet()
	}
	return phaseLinger
}

// closeIfQuiet ends a connection whose last answer is out and whose input
// was read up to it: phaseClose when the socket holds nothing unread (a
// plain FIN, right behind the answer), else phaseLinger. Only bytes left
// unread would turn the close into a reset that can destroy the answer
// before the client reads it, and those are what the lingering close is
// for (RFC 9112 §9.6). A client that sends again after the FIN gets a
// reset then, having had the answer first.
func (c *conn) closeIfQuiet() phase {
	switch peekInput(c.raw) {
	case inputNone, inputEOF:
		return phaseClose
	}
	return phaseLinger
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
	c.nc.SetReadDeadline(time.Now().Add(lingerTimeout))
	c.park.lingered = 0
	c.lingerRead()
}

// lingerRead drains, on the goroutine, what the client of a half-closed
// connection sends until it closes, the read deadline passes or
// lingerBytes in all (park.lingered) were drained.
func (c *conn) lingerRead() {
	if c.st == nil {
		c.getState() // a buffer to drain into; finish gives it back
	}
	for c.park.lingered < lingerBytes {
		n, err := c.nc.Read(c.st.buf)
		c.park.lingered += int32(n)
		if err != nil {
			return
		}
	}
}

var protoHTTP = [...][]byte{[]byte("HTTP/1.0"), []byte("HTTP/1.1")}

// logAccess writes the access log line of the request that began at
// c.since (req is nil when no head was parsed).
func (c *conn) logAccess(req *parser.Request, status int, sent int64) {
	a, m := c.srv.access, c.srv.metrics
	if a == nil && m == nil {
		return
	}
	var now time.Time
	var d time.Duration
	if a != nil {
		now = time.Now()
		d = now.Sub(monoTime(c.since))
	} else {
		d = time.Since(monoBase) - time.Duration(c.since) // the monotonic clock only: one read
	}
	if m != nil {
		m.Observe(methodClass(req), status, sent, d)
	}
	if a == nil {
		return
	}
	e := AccessEntry{Time: now, Remote: c.remoteString(), Status: status, Bytes: sent, Duration: d}
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
