package server

import (
	"runtime"
	"sync"
)

// workers is a small pool of goroutines that serve connections. A fresh
// goroutine starts with the minimum stack (2 KiB), and serving a request
// grows it to 8 KiB or more, each growth a copy of the stack that walks
// every frame: measured at 7.7% of the server's CPU with one connection
// per request (perf, close scenario). A worker that has served keeps its
// grown stack, and takes the next connection that has input (a new one
// whose request is there, one the waiter wakes) instead of a new goroutine
// growing its own.
//
// At most maxIdleWorkers wait for work (the most recently idle first, so
// the others stay idle and the count only rises with concurrency); a
// worker with nothing to do beyond that ends. An idle worker is a goroutine
// with its stack, so the bound is what the pool costs an idle server.
type workers struct {
	mu     sync.Mutex
	idle   []*worker // a stack: the last to finish is the first to serve
	max    int
	closed bool // the server is shutting down: no worker waits any more
}

// worker is an idle worker's hand: a connection to serve, or nil to end.
type worker struct{ next chan *conn }

// maxIdleWorkers bounds the idle workers: enough for every processor to
// have a warm one at hand, and a few more for the bursts between two
// accepts.
func maxIdleWorkers() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// serve runs c.run on an idle worker, or on a new goroutine that becomes
// one.
func (p *workers) serve(c *conn) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		w := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		w.next <- c // buffered: never blocks
		return
	}
	p.mu.Unlock()
	go p.work(c)
}

// work serves c, then waits for more while the pool has room for it.
func (p *workers) work(c *conn) {
	var w *worker
	for c != nil {
		c.run()
		c = nil
		p.mu.Lock()
		if p.closed || len(p.idle) >= p.max {
			p.mu.Unlock()
			return
		}
		if w == nil {
			w = &worker{next: make(chan *conn, 1)}
		}
		p.idle = append(p.idle, w)
		p.mu.Unlock()
		c = <-w.next
	}
}

// close ends the idle workers; those still serving end when they finish.
func (p *workers) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	for i, w := range p.idle {
		w.next <- nil
		p.idle[i] = nil
	}
	p.idle = p.idle[:0]
}

// numIdle is the number of idle workers (read by the tests).
func (p *workers) numIdle() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}
