//go:build !linux

package server

import "time"

// parker is Linux only (epoll); elsewhere a waiting connection keeps its
// goroutine.
type parker struct{}

func (c *conn) park(until time.Time) bool { return false }

func (p *parker) drain() {}

func (c *conn) readHead(b []byte, until time.Time) (n int, parked bool, err error) {
	c.putExchange() // empty between reads of a head; see exchange
	n, err = c.nc.Read(b)
	return n, false, err
}
