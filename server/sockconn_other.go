//go:build !linux

package server

import (
	"net"
	"os"
)

func newSockConn(tc *net.TCPConn) net.Conn { return tc }

func preadShared(f *os.File, b []byte, off int64) (int, error) { return f.ReadAt(b, off) }
