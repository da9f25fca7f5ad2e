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
	err = rc.Read(func(fd uintptr) bool {
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
		return true // never wait for readiness
	})
	if err != nil {
		return inputUnknown
	}
	return res
}
