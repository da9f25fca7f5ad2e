package server

import (
	"errors"
	"io"
	"net"
	"os"

	"github.com/ferrox/ferrox/parser"
)

// Engine errors. They never contain request bytes.
var (
	// ErrServerClosed is returned by Serve after Shutdown or Close.
	ErrServerClosed = errors.New("server: closed")

	errBodyTooLarge  = errors.New("server: request body too large")
	errHeadTimeout   = errors.New("server: request head timeout")
	errBodyTimeout   = errors.New("server: request body too slow")
	errExpectation   = errors.New("server: unsupported expectation")
	errHeadTooLarge  = errors.New("server: request head too large")
	errBadChunkSlack = errors.New("server: chunk framing line too long")
	errNoCause       = errors.New("server: the handler gave no cause")
)

// fileError is a failure of the file side of a response body: the file
// could not be read, or it ended before the length announced in the head
// (truncated while it was sent). path is the file's name as the handler
// opened it.
type fileError struct {
	path string
	err  error
}

func (e *fileError) Error() string { return "file " + e.path + ": " + e.err.Error() }
func (e *fileError) Unwrap() error { return e.err }

// refusalOf says which limit, if any, err is a refusal by.
func refusalOf(err error) (Refusal, bool) {
	var pe *parser.Error
	switch {
	case errors.Is(err, errHeadTooLarge):
		return RefusedHeadTooLarge, true
	case errors.Is(err, errBodyTooLarge):
		return RefusedBodyTooLarge, true
	case errors.Is(err, errHeadTimeout):
		return RefusedHeadTimeout, true
	case errors.Is(err, errBodyTimeout):
		return RefusedBodyTimeout, true
	case errors.As(err, &pe):
		switch pe.Status {
		case 431:
			return RefusedHeadTooLarge, true
		case 414:
			return RefusedTargetTooLong, true
		}
	}
	return 0, false
}

// reaction is what the wire sees for an error.
type reaction struct {
	status int  // response status; 0 = send nothing
	close  bool // close the connection afterwards
	// drained: the client was too slow, and everything it sent up to then
	// was read, so the close may come right behind the answer, with no
	// lingering close, unless more came since (closeIfQuiet).
	drained bool
}

// errorReaction is the one place that turns an error into a status and a
// close decision. Every path that fails a request goes through it.
func errorReaction(err error) reaction {
	var pe *parser.Error
	switch {
	case err == nil:
		return reaction{}
	case errors.As(err, &pe):
		// RFC 9112 §2.2, §6.3: after a rejected head or bad framing the
		// message boundary is unknown, so respond and close.
		return reaction{status: pe.Status, close: true}
	case errors.Is(err, errHeadTimeout), errors.Is(err, errBodyTimeout):
		// RFC 9110 §15.5.9: 408 tells the client we gave up waiting; the
		// connection closes (RFC 9112 §9.5).
		return reaction{status: 408, close: true, drained: true}
	case errors.Is(err, errBodyTooLarge):
		// RFC 9110 §15.5.14: 413, and close since the rest of the body
		// is not read (RFC 9112 §9.3).
		return reaction{status: 413, close: true}
	case errors.Is(err, errHeadTooLarge):
		return reaction{status: 431, close: true}
	case errors.Is(err, errBadChunkSlack):
		return reaction{status: 400, close: true}
	case errors.Is(err, errExpectation):
		// RFC 9110 §10.1.1: an expectation we cannot meet gets 417.
		return reaction{status: 417, close: true}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		// RFC 9112 §8: an incomplete message ends the connection; the
		// client is gone or half-closed, nothing useful to answer.
		return reaction{close: true}
	case isTimeout(err):
		// A deadline we did not classify (write side): drop.
		return reaction{close: true}
	case isNetError(err):
		return reaction{close: true}
	}
	return reaction{status: 500, close: true}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

func isNetError(err error) bool {
	var oe *net.OpError
	return errors.As(err, &oe)
}
