package server

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/wire"
)

// Accept back-off bounds: a failing Accept (out of file descriptors,
// aborted handshakes) is retried after 5 ms, doubling up to 1 s, instead
// of spinning.
const (
	acceptBackoffMin = 5 * time.Millisecond
	acceptBackoffMax = time.Second
)

// overloadResponse is sent to a connection refused by a limit, within
// 50 ms: RFC 9110 §15.6.4, 503 says the refusal is temporary. It is built
// at send time (wire.AppendCanned), so it carries Date and the configured
// fields, with no content and Connection: close. It goes out before any
// TLS handshake, in clear text, hence clearHead.
func (s *Server) overloadResponse(nc net.Conn) error {
	return s.writeCanned(nc, &s.clearHead, 50*time.Millisecond, 503, "", "", wire.Meta{})
}

// Graceful close of a refused connection. After its 503 the write side
// is shut (FIN) and what the client already sent (its request) is read
// and dropped, at most refusedLingerBytes within refusedLingerTime, so
// that the close does not turn into a reset that can destroy the 503
// before the client reads it (RFC 9112 §9.6). At most maxRefusedLinger
// refused connections linger at once (a goroutine and a 2 KiB buffer
// each, bounded in time): beyond that a refused connection is closed
// right after its 503, and counted (RefusedLingerFull), so a flood of
// refused connections cannot turn the courtesy into a resource sink.
const (
	maxRefusedLinger   = 256
	refusedLingerTime  = time.Second
	refusedLingerBytes = 16 << 10
)

var refusedBufPool = sync.Pool{New: func() any { b := make([]byte, 2048); return &b }}

// refuseConn answers a connection a limit refused: counted and logged
// (rate-limited), a 503, then a graceful close.
func (s *Server) refuseConn(nc net.Conn, kind Refusal, ip netip.Addr) {
	s.refuse(kind, ip)
	if s.overloadResponse(nc) != nil {
		nc.Close() // the client is gone or not reading: nothing to deliver
		return
	}
	s.mu.Lock()
	if s.shutdown.Load() || len(s.lingering) >= s.maxRefusedLinger {
		full := !s.shutdown.Load()
		s.mu.Unlock()
		if full {
			s.refuse(RefusedLingerFull, ip)
		}
		nc.Close()
		return
	}
	s.lingering[nc] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go s.lingerRefused(nc)
}

// lingerRefused is the bounded graceful close of a refused connection
// (see refuseConn).
func (s *Server) lingerRefused(nc net.Conn) {
	defer func() {
		s.mu.Lock()
		delete(s.lingering, nc)
		s.mu.Unlock()
		nc.Close()
		s.wg.Done()
	}()
	cw, ok := nc.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	bp := refusedBufPool.Get().(*[]byte)
	defer refusedBufPool.Put(bp)
	nc.SetReadDeadline(time.Now().Add(s.refusedLinger))
	for total := 0; total < refusedLingerBytes; {
		n, err := nc.Read(*bp)
		total += n
		if err != nil {
			return
		}
	}
}

// ListenAndServe listens on the TCP address addr and serves it.
func (s *Server) ListenAndServe(addr string) error {
	ln, err := Listen(addr)
	if err != nil {
		return err
	}
	return s.Serve(ln)
}

// Listen opens a TCP listener for Serve. Accepted connections get no TCP
// keep-alive probes (Go's net.Listen turns them on, four setsockopt calls
// per connection): every state a connection can be in already has a
// timeout of its own (header, idle, body rate, write), which ends a dead
// peer sooner than probes would.
func Listen(addr string) (net.Listener, error) {
	lc := net.ListenConfig{KeepAlive: -1, Control: listenControl}
	return lc.Listen(context.Background(), "tcp", addr)
}

// Serve accepts connections on ln until Shutdown or Close, serving each on
// its own goroutine. Any net.Listener works (a TLS listener wraps one).
// It always returns a non-nil error: ErrServerClosed after shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.shutdown.Load() {
		s.mu.Unlock()
		ln.Close()
		return ErrServerClosed
	}
	s.listeners[ln] = nil
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
	}()

	// On Linux a plain TCP listener is accepted from with raw calls, into
	// rawSocks (see rawAcceptor); any other listener with its Accept. A
	// TLS connection is not: its handshake waits for the client at once,
	// which would upgrade the rawSock every time (measured: no gain in
	// CPU per handshake, and a longer tail).
	accept := ln.Accept
	if s.handshake != nil {
		// keep Accept
	} else if ra, stop, wake, ok := rawAcceptor(ln); ok {
		accept = ra
		defer stop()
		s.mu.Lock()
		if _, ok := s.listeners[ln]; ok {
			s.listeners[ln] = wake // beginShutdown ends its wait at once
		}
		s.mu.Unlock()
	}
	var delay time.Duration
	var scratch parser.Request // see conn.start
	for {
		nc, err := accept()
		if err != nil {
			if s.shutdown.Load() {
				return ErrServerClosed
			}
			if !temporaryAcceptError(err) {
				return err
			}
			delay = max(acceptBackoffMin, min(2*delay, acceptBackoffMax))
			s.log.Warn("accept failed; backing off", "err", err, "delay", delay)
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-s.done:
				t.Stop()
				return ErrServerClosed
			}
			continue
		}
		delay = 0
		c, refused, kind, ip := s.addConn(nc)
		if c == nil {
			if refused {
				s.refuseConn(nc, kind, ip)
			} else {
				nc.Close()
			}
			continue
		}
		c.start(&scratch)
	}
}

// temporaryAcceptError reports accept failures worth retrying: descriptor
// or buffer exhaustion and connections aborted before accept.
func temporaryAcceptError(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED, syscall.ECONNRESET, syscall.EAGAIN, syscall.EINTR} {
		if errors.Is(err, e) {
			return true
		}
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
