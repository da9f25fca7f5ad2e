//go:build linux

package server

import (
	"os"
	"syscall"
)

// deferAccept is the listener's TCP_DEFER_ACCEPT, in seconds.
const deferAccept = 1

// listenControl sets TCP_DEFER_ACCEPT on a listening socket.
func listenControl(network, address string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_DEFER_ACCEPT, deferAccept)
	})
	if err != nil {
		return err
	}
	return os.NewSyscallError("setsockopt", serr)
}
