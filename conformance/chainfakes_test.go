package conformance

import (
	"bytes"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferrox/ferrox/parser"
)

// This file holds the fake front ends of the chain self-test: raw-TCP
// reverse proxies that frame each client message with a pluggable framer
// (the strict reference reading here, the hand-written rules of
// chainrules_test.go), forward exactly those bytes (or a normalised
// message) to the recording origin and relay one response back. Each
// lenient framer reproduces one published desync class; the chain judge
// must catch every one of them (chain_selftest_test.go).

// frontFrame is how a front end frames the client message at the start of
// its buffer.
type frontFrame struct {
	n       int    // bytes of the message (> 0 unless reject)
	reject  bool   // refuse it: answer status and close the connection
	status  int    // with reject; 0 means 400
	method  string // the method the front end believes (a HEAD response has no body)
	close   bool   // close the client connection after the response
	send100 bool   // answer 100 Continue to the client before forwarding
	forward []byte // what to send upstream instead of the message's own bytes (a normalising front end)
}

// frontFramer frames the message at the start of buf. ok=false means the
// message is incomplete: read more (at end of stream the front end gives
// up on it and closes). A framer that refuses the message returns
// reject=true with ok=true.
type frontFramer func(buf []byte) (f frontFrame, ok bool)

// Bounds of the fake front end.
const (
	maxFrontBuffer   = 4 << 20 // client bytes buffered for one message; beyond: 413 and close
	maxFrontMessages = 256     // messages per client connection
	frontClientIdle  = 2 * time.Second
	frontDialTimeout = time.Second
)

// frontEnd is a fake reverse proxy. Each client connection gets its own
// upstream connection to the origin (dialled on the first message, and
// again when the origin closed it); messages go one at a time: frame,
// forward verbatim, read one response (after any 1xx), relay it.
type frontEnd struct {
	framer   frontFramer
	upstream string
	frontOpts
	ln net.Listener
	wg sync.WaitGroup // the accept loop and every handler

	mu      sync.Mutex
	clients map[net.Conn]bool
	ups     map[net.Conn]bool
	closed  bool
}

// frontOpts are a fake front end's ways with its upstream.
type frontOpts struct {
	// wait bounds the wait for the origin's response to one message. A
	// front end that framed a message shorter than the origin does waits
	// for a response that never comes: after wait it answers 504, drops
	// the upstream connection and goes on with the client's next bytes,
	// as proxies with an upstream read timeout do.
	wait time.Duration
	// strict: after an upstream failure, close the client connection too
	// (its bytes may have been framed differently upstream).
	strict bool
	// connPerRequest: a new upstream connection for every message, as a
	// front end speaking HTTP/1.0 upstream has.
	connPerRequest bool
}

// newFront serves a fake front end forwarding to upstream on a loopback
// port until Close.
func newFront(upstream string, framer frontFramer, o frontOpts) (*frontEnd, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	fe := &frontEnd{framer: framer, upstream: upstream, frontOpts: o, ln: ln, clients: map[net.Conn]bool{}, ups: map[net.Conn]bool{}}
	fe.wg.Add(1)
	go fe.accept()
	return fe, nil
}

// Addr is where clients connect.
func (fe *frontEnd) Addr() string { return fe.ln.Addr().String() }

func (fe *frontEnd) accept() {
	defer fe.wg.Done()
	for {
		c, err := fe.ln.Accept()
		if err != nil {
			return
		}
		fe.mu.Lock()
		if fe.closed {
			fe.mu.Unlock()
			c.Close()
			return
		}
		fe.clients[c] = true
		fe.wg.Add(1)
		fe.mu.Unlock()
		go func() {
			defer fe.wg.Done()
			fe.handle(c)
			fe.mu.Lock()
			delete(fe.clients, c)
			fe.mu.Unlock()
			c.Close()
		}()
	}
}

// Close stops accepting, closes every client and upstream connection and
// waits for every goroutine of the front end.
func (fe *frontEnd) Close() {
	fe.mu.Lock()
	fe.closed = true
	for c := range fe.clients {
		c.Close()
	}
	for c := range fe.ups {
		c.Close()
	}
	fe.mu.Unlock()
	fe.ln.Close()
	fe.wg.Wait()
}

// upConn is one upstream connection and the bytes read past the last
// response (kept: a proxy that reads the origin as a stream pairs them
// with the next message, as real ones do).
type upConn struct {
	nc   net.Conn
	rest []byte
}

func (fe *frontEnd) dial() (*upConn, error) {
	nc, err := net.DialTimeout("tcp", fe.upstream, frontDialTimeout)
	if err != nil {
		return nil, err
	}
	fe.mu.Lock()
	defer fe.mu.Unlock()
	if fe.closed {
		nc.Close()
		return nil, net.ErrClosed
	}
	fe.ups[nc] = true
	return &upConn{nc: nc}, nil
}

func (fe *frontEnd) drop(u *upConn) {
	if u == nil {
		return
	}
	fe.mu.Lock()
	delete(fe.ups, u.nc)
	fe.mu.Unlock()
	u.nc.Close()
}

var (
	resp100 = []byte("HTTP/1.1 100 Continue\r\n\r\n")
	resp504 = []byte("HTTP/1.1 504 Gateway Timeout\r\nContent-Length: 0\r\n\r\n")
	resp502 = []byte("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
)

func frontReject(status int) []byte {
	if status == 0 {
		status = 400
	}
	return []byte("HTTP/1.1 " + strconv.Itoa(status) + " Rejected\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
}

// handle serves one client connection.
func (fe *frontEnd) handle(c net.Conn) {
	var up *upConn
	defer func() { fe.drop(up) }()
	var buf []byte
	rd := make([]byte, 32<<10)
	eof := false
	for msgs := 0; msgs < maxFrontMessages; msgs++ {
		var f frontFrame
		for {
			ok := false
			if len(buf) > 0 {
				f, ok = fe.framer(buf)
			}
			if ok {
				break
			}
			if len(buf) >= maxFrontBuffer {
				f = frontFrame{reject: true, status: 413}
				break
			}
			if eof {
				return // an incomplete message at the end of the stream
			}
			_ = c.SetReadDeadline(time.Now().Add(frontClientIdle))
			n, err := c.Read(rd)
			buf = append(buf, rd[:n]...)
			if err != nil {
				eof = true
			}
		}
		_ = c.SetWriteDeadline(time.Now().Add(frontClientIdle))
		if f.reject || f.n <= 0 || f.n > len(buf) {
			c.Write(frontReject(f.status))
			return
		}
		if f.send100 {
			if _, err := c.Write(resp100); err != nil {
				return
			}
		}
		msg := buf[:f.n]
		if f.forward != nil {
			msg = f.forward
		}
		var resp []byte
		var err error
		up, resp, err = fe.exchange(up, msg, f.method)
		buf = buf[f.n:]
		if fe.connPerRequest {
			fe.drop(up)
			up = nil
		}
		if err != nil {
			if fe.strict || !isTimeout(err) {
				c.Write(resp502)
				return
			}
			resp = resp504
		}
		if _, err := c.Write(resp); err != nil || f.close {
			return
		}
	}
}

// exchange forwards msg on u (dialling when u is nil) and reads one
// response: any 1xx, then a final one framed by Content-Length (none for
// HEAD, 1xx, 204 and 304: the recording origin's responses are that
// simple). It returns the upstream connection to use next (nil when it is
// gone) and the response bytes.
func (fe *frontEnd) exchange(u *upConn, msg []byte, method string) (*upConn, []byte, error) {
	if u == nil {
		var err error
		if u, err = fe.dial(); err != nil {
			return nil, nil, err
		}
	}
	_ = u.nc.SetDeadline(time.Now().Add(fe.wait))
	if _, err := u.nc.Write(msg); err != nil {
		fe.drop(u)
		return nil, nil, err
	}
	rd := make([]byte, 32<<10)
	for {
		n, done, closeAfter := frameOriginResponse(u.rest, method)
		if done {
			resp := append([]byte(nil), u.rest[:n]...)
			u.rest = append(u.rest[:0], u.rest[n:]...)
			if closeAfter {
				fe.drop(u)
				u = nil
			}
			return u, resp, nil
		}
		if len(u.rest) > maxFrontBuffer {
			fe.drop(u)
			return nil, nil, errors.New("upstream response too large")
		}
		k, err := u.nc.Read(rd)
		u.rest = append(u.rest, rd[:k]...)
		if err != nil && k == 0 {
			fe.drop(u)
			return nil, nil, err
		}
	}
}

// frameOriginResponse frames the responses at the start of b up to and
// including the first final one: its length, whether it is complete, and
// whether it asks to close.
func frameOriginResponse(b []byte, method string) (n int, done, closeAfter bool) {
	i := 0
	for k := 0; k < 16; k++ {
		end := bytes.Index(b[i:], []byte("\r\n\r\n"))
		if end < 0 {
			return 0, false, false
		}
		head := string(b[i : i+end])
		i += end + 4
		line, fields, _ := strings.Cut(head, "\r\n")
		status := 0
		if f := strings.Fields(line); len(f) >= 2 {
			status, _ = strconv.Atoi(f[1])
		}
		if status >= 100 && status < 200 {
			continue
		}
		cl := 0
		for _, l := range strings.Split(fields, "\r\n") {
			name, value, _ := strings.Cut(l, ":")
			value = strings.TrimSpace(value)
			switch {
			case strings.EqualFold(name, "Content-Length"):
				cl, _ = strconv.Atoi(value)
			case strings.EqualFold(name, "Connection") && strings.EqualFold(value, "close"):
				closeAfter = true
			}
		}
		if method == "HEAD" || status == 204 || status == 304 {
			cl = 0
		}
		if len(b)-i < cl {
			return 0, false, false
		}
		return i + cl, true, closeAfter
	}
	return 0, false, false
}

// strictFrontFrame frames like the conformance package's own strict
// reading (frameOne, package parser): what it rejects is answered with the
// parser's status and a close, a message that ends the connection closes
// it after the response.
func strictFrontFrame(buf []byte) (frontFrame, bool) {
	m, n, err := frameOne(buf)
	switch {
	case err == nil:
		return frontFrame{n: n, method: m.Method, close: !m.KeepAlive}, true
	case errors.Is(err, parser.ErrNeedMore), errors.Is(err, errHeadOnly):
		return frontFrame{}, false
	}
	f := frontFrame{reject: true, status: 400}
	var pe *parser.Error
	if errors.As(err, &pe) {
		f.status = pe.Status
	}
	return f, true
}
