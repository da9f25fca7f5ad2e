package parser

import (
	"errors"
	"strconv"
)

// ErrNeedMore means the buffer holds a valid but incomplete head (or chunk
// framing): read more bytes and call again. It is not a failure.
var ErrNeedMore = errors.New("parser: need more data")

// Error is a typed rejection. Status is the response status the server
// should send (400, 413, 414, 431, 501, 505); Reason is a stable snake_case
// token (for logs, tests and the corpus); Offset is the byte offset in the
// input where the problem was found. Messages never contain request bytes.
type Error struct {
	Status int
	Reason string
	Offset int
}

func (e *Error) Error() string {
	return "parser: " + e.Reason + " at offset " + strconv.Itoa(e.Offset) + " (" + strconv.Itoa(e.Status) + ")"
}

// Constructors for the statuses used; they keep call sites short.
func errBad(reason string, off int) *Error { return &Error{Status: 400, Reason: reason, Offset: off} }
func errStatus(status int, reason string, off int) *Error {
	return &Error{Status: status, Reason: reason, Offset: off}
}
