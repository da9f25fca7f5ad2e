//go:build linux

package server

import (
	"syscall"
	"time"
)

// Slow heads in a storm: read every tick rather than as they come.
//
// Every piece of a head that comes while the server has nothing else to do
// wakes it: a thread leaves its wait in Go's poller, the parker's
// goroutine runs, reads the piece, parses it and waits again. The wakeup
// costs more than the read and the parse together (perf on this 2-core VM,
// 10 000 slowloris connections dribbling a line a second each: the switch
// into the woken thread was the largest single cost, a sixth of the
// server's CPU), and a slowloris makes it happen a thousand times a second
// and more, with a piece or two per wakeup. So when the parker is woken to
// feed heads more often than a tick would wake it (onAt times in a window,
// a second's tenth), a storm begins: slow heads go to an epoll set of
// their own, the heads set, whose entry in the parker's set is switched
// off (nestHeads), so that nothing waits on it (a head parked before
// moves there with its next piece, toHeads), and the parker reads it every
// tick, all the pieces that came meanwhile in one batch (after a tick that
// found nothing the next is twice as far, up to maxTicks: the pieces of a
// slowloris often come in bursts). When fewer pieces than offBelow come in
// a window (no more pieces than ticks: then the ticks cannot save
// wakeups), or no head is left, the storm ends: new heads park in the
// parker's set again, and the heads set's entry there, with the heads
// still in the set, is switched on again (marked headsMark,
// level-triggered, so the parker's set reports it while it holds any
// event, and at once when it holds one already), until they finish or
// time out.
//
// What it costs: a head that comes in pieces during a storm has each piece
// read up to maxTicks ticks (8 ms) later, and the lingering close of one
// answered there with an error ends as late; one past its header timeout
// is closed with no 408 (cutQuiet). Idle and new connections stay in the
// parker's set, woken as their input comes, and so does every request
// whose head comes whole, which is nearly all of them.
type storm struct {
	on    bool      // the heads set's entry in the parker's set is off; it is read every tick
	begun uint64    // storms so far (read by the tests)
	next  time.Time // while on: the next read of the heads set
	gap   int       // ticks between reads: 1, doubled after an empty read up to maxTicks
	// The current window: its start (monoKey), the wakeups that fed
	// heads in it and the pieces they fed.
	since         int64
	wakes, pieces int
	// The policy (newWaiter sets the defaults; tests, their own).
	tick     time.Duration
	onAt     int // wakeups that fed heads, per window
	offBelow int // pieces, per window
	window   time.Duration
}

// The default storm policy: the heads set is read every 2 ms during a
// storm (8 ms at most, see gap), so at most 500 wakeups a second go to
// slow heads, however many pieces come; a storm begins when pieces woke
// the server more often than that (500 times a second), and ends when
// fewer pieces than that come. Measured with bench-side-by-side, 60 s
// header timeouts for both: 10 000 slowloris connections, CPU per
// legitimate request 0.83x nginx's (1.08x before), 2 000: 0.96x (0.97x).
const (
	stormWindow   = 100 * time.Millisecond
	headTick      = 2 * time.Millisecond
	stormOnAt     = int(stormWindow / headTick)
	stormOffBelow = stormOnAt
	maxTicks      = 4 // the longest wait for a piece: 8 ms
	// tickBatch bounds the heads one tick reads. Reading every piece
	// that came since the last tick kept the parker's goroutine running
	// for 300 µs and more at a time with 10 000 slowloris connections
	// (runtime/trace of the server on the 2-core VM), and with one
	// processor every request that came meanwhile waited that long:
	// Go's scheduler looks for network input only when it has nothing
	// else to run (see pollBurst).
	tickBatch = 16
)

// headsMark is the data of the heads set's entry in the parker's set, in
// place of a slot number (slots are never negative).
const headsMark = -1

// timerMark is the data of the timer's entry (tfd) in the parker's set.
const timerMark = -2

func defaultStorm() storm {
	return storm{tick: headTick, onAt: stormOnAt, offBelow: stormOffBelow, window: stormWindow}
}

// readHeads handles every event the heads set holds, a batch (len(evs))
// at a time, and reports how many heads it fed.
func (p *parker) readHeads(evs []syscall.EpollEvent, b *batch) (fed int, errno syscall.Errno) {
	for {
		n, e := epollPoll(p.hfd, evs)
		if e != 0 {
			return fed, e
		}
		if n > 0 {
			_, f := p.handle(evs[:n], false, b)
			fed += f
		}
		if n < len(evs) {
			return fed, 0
		}
	}
}

// tickDue reports whether a storm's tick has come, and if so sets the
// next one: the tick after an empty one is twice as far, up to maxTicks
// ticks (a slowloris's pieces often come in bursts, and a tick that finds
// nothing is a wakeup for nothing), and back to one tick after one that
// finds pieces (see tick).
func (p *parker) tickDue() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := &p.storm
	now := time.Now()
	if !st.on || now.Before(st.next) {
		return false
	}
	st.next = now.Add(time.Duration(st.gap) * st.tick)
	return true
}

// tick reads the heads set at a storm's tick (tickDue): one batch of at
// most tickBatch heads. A tick that finds more leaves them for the next,
// which comes pollYield later rather than a tick later: meanwhile the
// scheduler polls, and a request that came during the tick is served.
func (p *parker) tick(evs []syscall.EpollEvent, b *batch) syscall.Errno {
	n, e := epollPoll(p.hfd, evs[:tickBatch])
	fed := 0
	if e == 0 && n > 0 {
		_, fed = p.handle(evs[:n], false, b)
	}
	p.mu.Lock()
	p.most = max(p.most, n)
	st := &p.storm
	switch {
	case n == tickBatch:
		st.gap = 1
		st.next = time.Now().Add(pollYield)
		p.arm()
	case fed > 0:
		st.gap = 1
	default:
		st.gap = min(2*st.gap, maxTicks)
	}
	p.mu.Unlock()
	p.weather(time.Now(), fed)
	return e
}

// toHeads moves a parked head from ep to the heads set, in a storm: a
// head parked before the storm began goes over with the first piece it
// gets during it, once (ADD before DEL: no piece can fall between them);
// mu is held.
func (p *parker) toHeads(c *conn) {
	sock, ok := c.nc.(epollCtler)
	if !ok {
		return
	}
	pe := &c.park
	ev := syscall.EpollEvent{Events: headEvents, Fd: pe.slot, Pad: int32(p.slots[pe.slot].gen)}
	if sock.epollCtl(p.hfd, syscall.EPOLL_CTL_ADD, &ev) == 0 {
		pe.inHeads = true
		sock.epollCtl(p.fd, syscall.EPOLL_CTL_DEL, nil)
		pe.registered = false
	}
}

// weather counts a wakeup that fed heads, or a tick (fed heads, maybe
// none), and begins or ends a storm at the end of each window (one left
// open by a calm spell is judged by its rate, see stormy). Only the parker's
// goroutine calls it (storm's on and next change only under mu, as arm
// reads them).
func (p *parker) weather(now time.Time, fed int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := &p.storm
	if fed > 0 {
		st.wakes++
		st.pieces += fed
	}
	k := monoKey(now)
	elapsed := k - st.since
	if elapsed < int64(st.window) {
		return
	}
	n := st.wakes
	if st.on {
		n = st.pieces
	}
	st.since, st.wakes, st.pieces = k, 0, 0
	if p.closed || st.stormy(n, time.Duration(elapsed), p.heads) == st.on {
		return
	}
	if !st.on {
		if p.nestHeads(0) == nil {
			st.on, st.next, st.gap = true, now.Add(st.tick), 1
			st.begun++
			p.arm()
		}
		return
	}
	if p.nestHeads(syscall.EPOLLIN) == nil {
		st.on = false
		p.arm()
	}
}

// nestHeads sets the events of the heads set's entry in the parker's set:
// EPOLLIN, it is reported while it holds any event (and at once if it
// holds one now); none, never (a storm). The entry stays from the
// parker's start to its end and only its events change: adding an epoll
// set to another, the kernel walks every entry of the added set looking
// for loops and wakeup paths (ep_loop_check, reverse_path_check), and with
// 2 000 slowloris heads in it that took 9–11 ms of the server's one CPU at
// a storm's end (perf, 20 kHz, on the 2-core VM; 73 µs in
// BenchmarkStormTurn, where every head is in the cache), a stall in every
// request being served; EPOLL_CTL_MOD does no such walk (2.6 µs). With it,
// 2 000 slowloris connections at Ferrox's defaults, four runs each,
// alternating: the server's CPU over the run 2.81–3.72 s → 2.40–2.68 s,
// the legitimate p99 under attack 0.97–2.56 ms (median 1.43) → 0.70–1.47
// ms (median 0.91).
func (p *parker) nestHeads(events uint32) error {
	ev := syscall.EpollEvent{Events: events, Fd: headsMark}
	return syscall.EpollCtl(int(p.fd), syscall.EPOLL_CTL_MOD, int(p.hfd), &ev)
}

// stormy says whether the heads set is to be read by the tick after a
// window of length elapsed (at least st.window) with heads slow heads
// parked: a storm begins when n, the wakeups that fed heads, reach onAt
// per window, and lasts while n, now the pieces read, reach offBelow and a
// head is left. The rate is what counts, so a window left open for long
// (nothing came to close it) does not add up to a storm.
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
