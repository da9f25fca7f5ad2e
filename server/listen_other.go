//go:build !linux

package server

import "syscall"

// listenControl has nothing to set where TCP_DEFER_ACCEPT does not exist.
func listenControl(network, address string, c syscall.RawConn) error { return nil }
