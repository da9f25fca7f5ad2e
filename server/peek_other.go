//go:build !unix

package server

import "net"

func peekInput(net.Conn) input { return inputUnknown }
