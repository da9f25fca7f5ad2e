//go:build !linux

package server

// parker is Linux only (epoll); elsewhere idle connections keep a
// goroutine each.
type parker struct{}

func (c *conn) park() bool { return false }

func (p *parker) drain() {}
