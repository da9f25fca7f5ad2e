//go:build !linux

package server

// The parker is Linux only (epoll): elsewhere a waiting connection keeps
// its goroutine.

type parkEntry struct{}

func newWaiter(*Server) waiter { return goroutineWaiter{} }
