package server

import (
	"context"
	"errors"
	"net"
	"syscall"
	"time"

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
func (s *Server) overloadResponse(nc net.Conn) {
	s.writeCanned(nc, &s.clearHead, 50*time.Millisecond, 503, "", "", wire.Meta{})
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
	lc := net.ListenConfig{KeepAlive: -1}
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
	s.listeners[ln] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, ln)
		s.mu.Unlock()
	}()

	var delay time.Duration
	for {
		nc, err := ln.Accept()
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
		c, refused := s.addConn(nc)
		if c == nil {
			if refused {
				s.overloadResponse(nc)
			}
			nc.Close()
			continue
		}
		go c.run()
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
