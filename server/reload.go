package server

import (
	"errors"
	"net"
	"sync"
	"time"
)

// ErrReleased is what Serve returns when its listener was released
// (Handoff.Release) so that another Server can accept on it.
var ErrReleased = errors.New("server: listener released to another server")

// Handoff is a listener that can pass from one Server to another without
// closing its socket, which is how a configuration reload keeps the
// listening addresses that did not change: connections that arrive while
// it passes wait in the kernel's accept queue instead of being refused.
//
// The sequence is: Release (the Server accepting on it returns
// ErrReleased from Serve), wait for that Serve to return, Resume, then
// Serve on the next Server. The listener must have SetDeadline (a TCP or
// Unix listener has); Release interrupts a blocked Accept with a deadline
// in the past. A connection accepted just before the release is served by
// the first Server, under its settings.
type Handoff struct {
	net.Listener
	mu       sync.Mutex
	released bool
	wake     func() // ends a raw accept's wait (see rawAcceptor)
}

// setWake registers (nil: forgets) the function that ends a raw accept's
// wait on h's socket, which Release calls.
func (h *Handoff) setWake(wake func()) {
	h.mu.Lock()
	h.wake = wake
	h.mu.Unlock()
}

// NewHandoff wraps ln.
func NewHandoff(ln net.Listener) *Handoff { return &Handoff{Listener: ln} }

type deadliner interface{ SetDeadline(time.Time) error }

// Accept is the listener's Accept, or ErrReleased once released.
func (h *Handoff) Accept() (net.Conn, error) {
	if h.isReleased() {
		return nil, ErrReleased
	}
	nc, err := h.Listener.Accept()
	if err != nil && h.isReleased() {
		return nil, ErrReleased
	}
	return nc, err
}

func (h *Handoff) isReleased() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.released
}

// Release makes Accept (a blocked one too) return ErrReleased, so that
// the Server serving h stops accepting on it and forgets it (its Shutdown
// then leaves the socket open).
func (h *Handoff) Release() error {
	d, ok := h.Listener.(deadliner)
	if !ok {
		return errors.New("server: this listener cannot be handed over (no SetDeadline)")
	}
	h.mu.Lock()
	h.released = true
	wake := h.wake
	h.mu.Unlock()
	err := d.SetDeadline(time.Unix(1, 0))
	if wake != nil {
		wake()
	}
	return err
}

// Resume undoes Release, for the next Server's Serve.
func (h *Handoff) Resume() error {
	d, ok := h.Listener.(deadliner)
	if !ok {
		return errors.New("server: this listener cannot be handed over (no SetDeadline)")
	}
	if err := d.SetDeadline(time.Time{}); err != nil {
		return err
	}
	h.mu.Lock()
	h.released = false
	h.mu.Unlock()
	return nil
}
