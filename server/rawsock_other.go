//go:build !(linux && (amd64 || arm64))

package server

import "net"

// rawAcceptor: raw accept is Linux on amd64 and arm64 only (see
// rawsock_linux.go); elsewhere the listener's own Accept serves.
func rawAcceptor(net.Listener) (accept func() (net.Conn, error), stop, wake func(), ok bool) {
	return nil, nil, nil, false
}
