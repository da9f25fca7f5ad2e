//go:build linux

package server

import (
	"syscall"
	"time"
)

// Slow heads in a storm: read every tick rather than as they come.
//
// Every piece of a head that comes while the server has nothing else to do
// wakes it: a thread leaves its wait in Go's poller, the parker's goroutine
// runs, reads the piece, parses it and waits again. The wakeup costs more
// than the read and the parse together (perf on this 2-core VM, 10 000
// slowloris connections dribbling a line a second each: the switch into
// the woken thread was the largest single cost, a fifth of the server's
// CPU), and a slowloris makes it happen a thousand times a second and
// more, with a piece or two per wakeup. So the slow heads have an epoll set
// of their own, nested in the parker's (an entry marked headsMark, level-
// triggered: the parker's set reports it while it holds any event), and
// when more than onAt pieces come within a window (a second's tenth), a
// storm begins: the heads set leaves the parker's set, so no piece wakes
// the server any more, and the parker reads it every tick instead, all
// that came meanwhile in one batch. When fewer than offBelow come in a
// window, or no head is left, the storm ends and the heads set goes back
// (EPOLL_CTL_ADD reports what it already holds at once).
//
// What it costs: a head that comes in pieces during a storm has each
// piece read up to a tick later. Idle and new connections and lingering
// closes are in the parker's own set and stay woken as their input comes,
// and so does every request whose head comes whole, which is nearly all of
// them.
type storm struct {
	on   bool      // the heads set is out of the parker's set, read every tick
	next time.Time // while on: the next read of the heads set
	// The current window: its start (monoKey) and the pieces (heads set
	// events) read in it.
	since int64
	n     int
	// The policy (newWaiter sets the defaults; tests, their own).
	tick           time.Duration
	onAt, offBelow int // pieces per window
	window         time.Duration
}

// The default storm policy: a storm begins at 1 000 pieces a second and
// ends below 250; during it the heads set is read every 2 ms, so at most
// 500 wakeups a second go to slow heads, however many there are.
const (
	stormWindow   = 100 * time.Millisecond
	stormOnAt     = 100
	stormOffBelow = 25
	headTick      = 2 * time.Millisecond
)

// headsMark is the data of the heads set's entry in the parker's set, in
// place of a slot number (slots are never negative).
const headsMark = -1

func defaultStorm() storm {
	return storm{tick: headTick, onAt: stormOnAt, offBelow: stormOffBelow, window: stormWindow}
}

// readHeads handles every event the heads set holds, a batch (len(evs))
// at a time, and counts them for the storm's window.
func (p *parker) readHeads(evs []syscall.EpollEvent, b *batch) syscall.Errno {
	for {
		n, e := epollPoll(p.hfd, evs)
		if e != 0 {
			return e
		}
		p.storm.n += n
		if n > 0 {
			p.handle(evs[:n], false, b)
		}
		if n < len(evs) {
			break
		}
	}
	p.weather(time.Now())
	return 0
}

// tick reads the heads set during a storm once its tick has come (the
// goroutine's deadline, see arm, also fires for parked deadlines).
func (p *parker) tick(evs []syscall.EpollEvent, b *batch) syscall.Errno {
	now := time.Now()
	if now.Before(p.storm.next) {
		return 0
	}
	p.mu.Lock()
	p.storm.next = now.Add(p.storm.tick)
	p.mu.Unlock()
	return p.readHeads(evs, b) // which re-arms the deadline (handle)
}

// weather begins or ends a storm at the end of each window. A window is
// judged by its rate, pieces per window length, so a window that ended
// long ago (no piece came to close it) counts its pieces over all that
// time. Only the parker's goroutine calls it.
func (p *parker) weather(now time.Time) {
	st := &p.storm
	k := monoKey(now)
	elapsed := k - st.since
	if elapsed < int64(st.window) {
		return
	}
	n := st.n
	st.since, st.n = k, 0
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || st.stormy(n, time.Duration(elapsed), p.heads) == st.on {
		return
	}
	if !st.on {
		if syscall.EpollCtl(int(p.fd), syscall.EPOLL_CTL_DEL, int(p.hfd), nil) == nil {
			st.on, st.next = true, now.Add(st.tick)
			p.arm()
		}
		return
	}
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: headsMark}
	if syscall.EpollCtl(int(p.fd), syscall.EPOLL_CTL_ADD, int(p.hfd), &ev) == nil {
		st.on = false
		p.arm()
	}
}

// stormy says whether the heads set is to be read by the tick after a
// window of length elapsed (at least st.window) in which n pieces came,
// with heads slow heads parked: a storm begins at onAt pieces per window
// and lasts while at least offBelow come and a head is left. The rate is
// what counts, so a window left open for long (no piece came to close it)
// does not add up to a storm.
func (st *storm) stormy(n int, elapsed time.Duration, heads int) bool {
	if heads == 0 {
		return false
	}
	at := st.onAt
	if st.on {
		at = st.offBelow
	}
	return int64(n)*int64(st.window) >= int64(at)*int64(elapsed)
}
