//go:build !unix || aix

package server

import "net"

func peekInput(net.Conn) input { return inputUnknown }
