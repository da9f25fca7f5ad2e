//go:build !linux

package server

// The parker is Linux only (epoll): elsewhere a waiting connection keeps
// its goroutine.

type parkEntry struct {
	firstDone bool  // see parkFirst
	lingered  int32 // bytes drained by a lingering close (parkLinger)
}

func newWaiter(*Server) waiter { return goroutineWaiter{} }
