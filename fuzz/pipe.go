package fuzz

import (
	"io"
	"net"
	"os"
	"sync"
	"time"
)

// stream is one direction of a pipe: an unbounded byte queue. Writes
// never block; reads block on a channel (durably, inside a
// testing/synctest bubble) until data, EOF or the reader's deadline.
type stream struct {
	mu      sync.Mutex
	buf     []byte
	eof     bool          // the writer shut this direction
	gone    bool          // the reader closed its end: writes fail
	changed chan struct{} // capacity 1: poked on every change
}

func newStream() *stream { return &stream{changed: make(chan struct{}, 1)} }

func (s *stream) poke() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// pending returns how many bytes wait unread.
func (s *stream) pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.buf)
}

// pipeEnd is one end of an in-memory, half-closable connection.
type pipeEnd struct {
	in, out *stream
	mu      sync.Mutex
	rdl     time.Time
	closed  bool
}

// newPipe returns two connected ends (client, server). Unlike net.Pipe
// it supports CloseWrite (so a client can half-close and still read the
// response) and its writes never block.
func newPipe() (*pipeEnd, *pipeEnd) {
	a, b := newStream(), newStream()
	return &pipeEnd{in: a, out: b}, &pipeEnd{in: b, out: a}
}

func (p *pipeEnd) Read(b []byte) (int, error) {
	for {
		p.mu.Lock()
		closed, dl := p.closed, p.rdl
		p.mu.Unlock()
		if closed {
			return 0, net.ErrClosed
		}
		s := p.in
		s.mu.Lock()
		if len(s.buf) > 0 {
			n := copy(b, s.buf)
			s.buf = s.buf[n:]
			s.mu.Unlock()
			return n, nil
		}
		if s.eof {
			s.mu.Unlock()
			return 0, io.EOF
		}
		s.mu.Unlock()
		if dl.IsZero() {
			<-s.changed
			continue
		}
		d := time.Until(dl)
		if d <= 0 {
			return 0, os.ErrDeadlineExceeded
		}
		t := time.NewTimer(d)
		select {
		case <-s.changed:
		case <-t.C:
		}
		t.Stop()
	}
}

func (p *pipeEnd) Write(b []byte) (int, error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	s := p.out
	s.mu.Lock()
	if closed || s.eof {
		s.mu.Unlock()
		return 0, net.ErrClosed
	}
	if s.gone {
		s.mu.Unlock()
		return 0, io.ErrClosedPipe
	}
	s.buf = append(s.buf, b...)
	s.mu.Unlock()
	s.poke()
	return len(b), nil
}

// CloseWrite shuts the write direction: the peer reads EOF after the
// queued bytes.
func (p *pipeEnd) CloseWrite() error {
	p.out.mu.Lock()
	p.out.eof = true
	p.out.mu.Unlock()
	p.out.poke()
	return nil
}

func (p *pipeEnd) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.CloseWrite()
	p.in.mu.Lock()
	p.in.gone = true
	p.in.mu.Unlock()
	p.in.poke()
	return nil
}

func (p *pipeEnd) SetDeadline(t time.Time) error {
	p.SetReadDeadline(t)
	return nil
}

func (p *pipeEnd) SetReadDeadline(t time.Time) error {
	p.mu.Lock()
	p.rdl = t
	p.mu.Unlock()
	p.in.poke() // a blocked Read recomputes its timer
	return nil
}

func (p *pipeEnd) SetWriteDeadline(time.Time) error { return nil } // writes never block
func (p *pipeEnd) LocalAddr() net.Addr              { return memAddr{} }
func (p *pipeEnd) RemoteAddr() net.Addr             { return memAddr{} }
