//go:build unix && !aix

package server

import (
	"net"
	"syscall"
)

// peekInput reports, without blocking or consuming anything, whether the
// client has sent bytes the server has not read yet (see closeClean).
func peekInput(nc net.Conn) input {
	// A raw peek where the connection has one (Linux): no scheduler
	// syscall bookkeeping, so an idle server's sysmon stays asleep.
	if p, ok := nc.(interface{ peek() input }); ok {
		return p.peek()
	}
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return inputUnknown
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return inputUnknown
	}
	res := inputUnknown
	var b [1]byte
	// Control, not Read: Read fails at once, calling nothing, once the
	// read deadline has passed, and the peek that matters most comes
	// right after a timeout (closeIfQuiet after a 408 for a slow head),
	// which then always chose the lingering close. The socket is
	// non-blocking: the call never waits either way.
	err = rc.Control(func(fd uintptr) {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case err == syscall.EAGAIN || err == syscall.EWOULDBLOCK:
			res = inputNone
		case err != nil:
			res = inputUnknown
		case n == 0:
			res = inputEOF
		default:
			res = inputData
		}
	})
	if err != nil {
		return inputUnknown
	}
	return res
}
