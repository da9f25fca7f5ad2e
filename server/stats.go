package server

import (
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// Refusal is a kind of refusal by a limit. Its Name is a stable
// snake_case token, usable as a metric label (e.g. a Prometheus
// ferrox_refused_total{reason="per_ip_limit"} counter).
type Refusal uint8

// The refusals the engine counts.
const (
	// RefusedConnLimit: a connection refused with 503 because the server
	// holds MaxConns connections.
	RefusedConnLimit Refusal = iota
	// RefusedPerIP: a connection refused with 503 because its address
	// holds MaxConnsPerIP connections.
	RefusedPerIP
	// RefusedLingerFull: a refused connection closed at once after its
	// 503, because maxRefusedLinger refused connections were already
	// being closed gracefully.
	RefusedLingerFull
	// RefusedHeadTooLarge: 431, the head exceeded the head limits.
	RefusedHeadTooLarge
	// RefusedTargetTooLong: 414, the request target exceeded its limit.
	RefusedTargetTooLong
	// RefusedBodyTooLarge: 413, the body exceeded MaxBody.
	RefusedBodyTooLarge
	// RefusedHeadTimeout: 408, the head did not arrive within the header
	// timeout.
	RefusedHeadTimeout
	// RefusedBodyTimeout: 408, the body fell below the rate floor or
	// outlasted bodyTime.
	RefusedBodyTimeout

	// NumRefusals is the number of Refusal kinds.
	NumRefusals
)

var refusalNames = [NumRefusals]string{
	RefusedConnLimit:     "conn_limit",
	RefusedPerIP:         "per_ip_limit",
	RefusedLingerFull:    "linger_full",
	RefusedHeadTooLarge:  "head_too_large",
	RefusedTargetTooLong: "target_too_long",
	RefusedBodyTooLarge:  "body_too_large",
	RefusedHeadTimeout:   "head_timeout",
	RefusedBodyTimeout:   "body_timeout",
}

// Name is the refusal's stable token.
func (r Refusal) Name() string {
	if r < NumRefusals {
		return refusalNames[r]
	}
	return "unknown"
}

// Stats is a snapshot of the engine's counters since New (or, for a
// Server given Options.Metrics, since NewMetrics: Servers that share a
// Metrics share these counters). Counters only grow.
type Stats struct {
	// Refused counts refusals by kind (index with a Refusal).
	Refused [NumRefusals]uint64
	// ServerErrors counts 5xx responses other than the 503s of refused
	// connections (those are in Refused).
	ServerErrors uint64
	// FileErrors counts responses cut short because their file failed or
	// shrank while it was sent.
	FileErrors uint64
}

// counters are the live, atomically updated counters behind Stats.
type counters struct {
	refused      [NumRefusals]atomic.Uint64
	serverErrors atomic.Uint64
	fileErrors   atomic.Uint64
}

// Stats returns a snapshot of the server's counters.
func (s *Server) Stats() Stats { return s.counters.stats() }

func (c *counters) stats() Stats {
	var st Stats
	for i := range st.Refused {
		st.Refused[i] = c.refused[i].Load()
	}
	st.ServerErrors = c.serverErrors.Load()
	st.FileErrors = c.fileErrors.Load()
	return st
}

// refusalWindow is how often at most one summary line per kind is
// logged.
const refusalWindow = time.Second

// maxWindowAddrs bounds the distinct addresses remembered per kind and
// window (beyond it the line says "at least").
const maxWindowAddrs = 1024

// refusalLog turns refusals into rate-limited summary lines: the first
// refusal of a kind arms a timer of refusalWindow; when it fires, one
// line says how many refusals of that kind came, from how many
// addresses, and which limit refused them. So a flood costs one line per
// second per kind, and a single refusal is still logged (at most a
// second late).
type refusalLog struct {
	log    *slog.Logger
	detail [NumRefusals]string // the limit, in words, for each kind

	mu     sync.Mutex
	closed bool
	win    [NumRefusals]refusalCount
}

type refusalCount struct {
	n     uint64
	addrs map[netip.Addr]struct{}
	more  bool // addresses beyond maxWindowAddrs were seen
	timer *time.Timer
}

func newRefusalLog(log *slog.Logger, s *Server) *refusalLog {
	l := &refusalLog{log: log}
	l.detail = [NumRefusals]string{
		RefusedConnLimit:     fmt.Sprintf("connection limit %d", s.maxConns),
		RefusedPerIP:         fmt.Sprintf("per-IP limit %d", s.maxPerIP),
		RefusedLingerFull:    fmt.Sprintf("closed at once after the 503: %d refused connections already closing", s.maxRefusedLinger),
		RefusedHeadTooLarge:  fmt.Sprintf("head larger than %d bytes (431)", s.limits.MaxHeadBytes),
		RefusedTargetTooLong: fmt.Sprintf("target longer than %d bytes (414)", s.limits.MaxTargetLen),
		RefusedBodyTooLarge:  fmt.Sprintf("body larger than %d bytes (413)", s.maxBody),
		RefusedHeadTimeout:   fmt.Sprintf("head not complete within %s (408; closed without it in a wave of timeouts)", s.headerTimeout),
		RefusedBodyTimeout:   fmt.Sprintf("body slower than %d bytes per %s or longer than %s (408)", s.bodyMinRate, s.bodyWindow, s.bodyTime),
	}
	return l
}

// refuse counts one refusal of kind from ip (invalid for a non-TCP
// client) and schedules its summary line.
func (s *Server) refuse(kind Refusal, ip netip.Addr) {
	s.counters.refused[kind].Add(1)
	l := s.refusals
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return
	}
	w := &l.win[kind]
	w.n++
	if ip.IsValid() {
		if w.addrs == nil {
			w.addrs = make(map[netip.Addr]struct{})
		}
		if len(w.addrs) < maxWindowAddrs {
			w.addrs[ip] = struct{}{}
		} else if _, ok := w.addrs[ip]; !ok {
			w.more = true
		}
	}
	if w.timer == nil {
		w.timer = time.AfterFunc(refusalWindow, func() { l.flush(kind) })
	}
}

// flush logs the summary line of kind's window and starts a new one.
func (l *refusalLog) flush(kind Refusal) {
	l.mu.Lock()
	w := &l.win[kind]
	n, addrs, more := w.n, len(w.addrs), w.more
	w.n, w.more, w.timer = 0, false, nil
	clear(w.addrs)
	l.mu.Unlock()
	if n == 0 {
		return
	}
	what := "requests"
	switch kind {
	case RefusedConnLimit, RefusedPerIP, RefusedLingerFull:
		what = "connections"
	}
	if n == 1 {
		what = what[:len(what)-1]
	}
	from := fmt.Sprintf("%d address", addrs)
	if more {
		from = "at least " + from
	}
	if addrs != 1 {
		from += "es"
	}
	msg := fmt.Sprintf("refused %d %s from %s in the last %s: %s", n, what, from, refusalWindow, l.detail[kind])
	attrs := []any{"reason", kind.Name(), "count", n, "addresses", addrs}
	switch kind {
	case RefusedConnLimit, RefusedPerIP:
		// Answered with 503: a 5xx is logged at error level.
		l.log.Error(msg, attrs...)
	default:
		l.log.Warn(msg, attrs...)
	}
}

// close flushes every pending summary now and stops the timers; later
// refusals are still counted but no longer logged.
func (l *refusalLog) close() {
	l.mu.Lock()
	var pending []Refusal
	for k := range l.win {
		if t := l.win[k].timer; t != nil && t.Stop() {
			pending = append(pending, Refusal(k))
		}
	}
	l.closed = true
	l.mu.Unlock()
	for _, k := range pending {
		l.flush(k)
	}
}
