package server

import (
	"sync"
	"time"

	"github.com/ferrox/ferrox/parser"
)

// Slow heads that time out together: a wave.
//
// A head whose header timeout passes alone gets a 408 (fail): a courtesy
// to a client that is slow rather than hostile, which RFC 9110 §15.5.9
// describes but does not require (a server may close at any time, RFC
// 9112 §9.5, and may turn away what it deems an attack, §9.4). A
// slowloris's connections, opened together, time out together, and only
// reconnect: there the courtesy costs what the cut does (the 1 KiB page,
// its write, the half-close). So once more than waveAt heads time out in
// the window running and the one before it, the heads that time out are
// closed with no 408, as nginx closes every head it times out; the
// access log and the metrics count them as 408s with no bytes sent. The
// count is the Server's, on every platform and for every kind of
// connection: the parker counts the heads it holds (cutQuiet), and a
// connection's goroutine counts a head that timed out in its own read
// (fail): one whose socket is not parked (parking off, or a system with
// no parker) and every TLS one, whose heads are never parked.

// wave counts the heads whose header timeout passes, over windows of
// waveWindow. It is the Server's, shared by the parker and the
// connections' goroutines.
type wave struct {
	mu      sync.Mutex
	since   int64 // the window's start (monoKey)
	n, prev int   // heads timed out in it, and in the one before
	// window is the windows' length: waveWindow (New). Tests widen it so
	// that a stall of the test machine cannot split one wave in two.
	window time.Duration
}

// waveAt is the most heads that time out in two windows (0.1 to 0.2 s)
// with a 408 each: a hundred a second and more is an attack's rate, not
// slow clients'.
const waveAt = 10

// waveWindow is the length of a window of wave.
const waveWindow = 100 * time.Millisecond

// count counts a head past its deadline at now (monoKey) and reports
// whether heads are timing out in a wave.
func (w *wave) count(now int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	win := int64(w.window)
	if d := now - w.since; d < 0 || d >= win {
		w.prev = w.n
		if d < 0 || d >= 2*win {
			// The window before this one saw none; or now is before
			// the window's start (a clock that is not the process's
			// own, such as a test's fake time, before monoBase): a
			// fresh count.
			w.prev = 0
		}
		w.n, w.since = 0, now
	}
	w.n++
	return w.n+w.prev > waveAt
}

// logQuietCut logs a head closed with no 408 in a wave or a storm: the
// access log counts it as a 408 with no bytes sent, as nginx logs the
// heads it times out. The caller has counted the refusal.
func (c *conn) logQuietCut(req *parser.Request) {
	if s := c.srv; s.debugOn() {
		s.log.Debug("slow head closed without a 408", "remote", c.remoteString())
	}
	c.logAccess(req, 408, 0)
}
