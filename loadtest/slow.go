package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// slowKind selects what a slow connection trickles.
type slowKind int

const (
	// slowHeaders is slowloris: a request head that never ends, one field
	// line per interval. RFC 9112 §2.1 ends a head with an empty line; we
	// never send it.
	slowHeaders slowKind = iota
	// slowBody is R.U.D.Y.: a complete head announcing Content-Length:
	// 1000000 (RFC 9112 §6.2), then slowBodyDrip body bytes per interval.
	slowBody
)

// slowBodyDrip is how many body bytes slowbody sends per SlowInterval:
// 120, so that at the default interval (1 s) the body comes at 120 B/s,
// just above Ferrox's default rate floor (1 KiB per 10 s, 102.4 B/s),
// the pace at which a body once held a connection for hours (issue 18).
// A server with a stricter floor cuts it; one that answers from the
// head alone answers before the first drip.
const slowBodyDrip = 120

// maxLifetimeSamples bounds the memory of lifetime samples.
const maxLifetimeSamples = 1 << 20

// maxOpenSamples bounds SlowOpenSeries (100 ms apart: over half an hour of
// changes); later changes are dropped.
const maxOpenSamples = 20000

// openSampleMS is the width of one SlowOpenSeries point.
const openSampleMS = 100

// endHow is how one slow connection ended.
type endHow int

const (
	endAlive   endHow = iota // still open when the attack stopped
	end408                   // the server answered 408
	endStatus                // the server answered another status
	endClose                 // orderly close (FIN) without a response
	endReset                 // connection reset
	endRefused               // a response before the first trickled byte
)

// slowEngine holds N slow connections open against the target.
type slowEngine struct {
	cfg  *Config
	kind slowKind
	n    int

	mu        sync.Mutex
	open      int
	openBySrc []int // held open now, per source address
	stats     SlowStats
	lifetimes []time.Duration
	lifeMax   time.Duration
	// t0 is the run's start, the origin of SlowOpenSeries; series is
	// off while it is zero.
	t0         time.Time
	lastBucket int64

	rampDone chan struct{}
}

func newSlowEngine(c *Config, kind slowKind, n int) *slowEngine {
	srcs := c.slowSourceCount()
	return &slowEngine{cfg: c, kind: kind, n: n, rampDone: make(chan struct{}), openBySrc: make([]int, srcs),
		stats: SlowStats{SlowConnsTarget: c.SlowConns, SlowSourcesUsed: srcs}}
}

// run opens the connections gradually (SlowRampPerSec), keeps each slot
// busy until ctx ends, reconnecting a cut slot at most SlowReconnects
// times, and returns when every slot has stopped.
func (e *slowEngine) run(ctx context.Context) {
	var wg sync.WaitGroup
	defer wg.Wait()
	const tick = 10 * time.Millisecond
	perTick := max(1, (e.cfg.SlowRampPerSec+99)/100)
	t := time.NewTicker(tick)
	defer t.Stop()
	started := 0
	for started < e.n {
		for i := 0; i < perTick && started < e.n; i++ {
			started++
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				e.slot(ctx, i)
			}(started)
		}
		if started == e.n {
			break
		}
		select {
		case <-ctx.Done():
			close(e.rampDone)
			return
		case <-t.C:
		}
	}
	close(e.rampDone)
}

// slot is one slow client, reconnecting (bounded) when the server cuts it.
// Connections that die within a second back off exponentially from 50ms up
// to SlowInterval, so a refusing server sees a slow-client pace, not a
// connection flood.
func (e *slowEngine) slot(ctx context.Context, i int) {
	backoff := 50 * time.Millisecond
	for attempt := 0; attempt <= e.cfg.SlowReconnects && ctx.Err() == nil; attempt++ {
		life, ok := e.conn(ctx, i)
		if ok && life >= time.Second {
			backoff = 50 * time.Millisecond
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, max(e.cfg.SlowInterval, 50*time.Millisecond))
	}
}

// conn runs one slow connection to its end and records how it ended. ok is
// false when the dial failed.
func (e *slowEngine) conn(ctx context.Context, i int) (time.Duration, bool) {
	d := e.cfg.slowDialer(i)
	nc, err := d.DialContext(ctx, "tcp", e.cfg.dialAddr())
	if err != nil {
		if ctx.Err() == nil {
			e.mu.Lock()
			e.stats.SlowDialErrors++
			e.mu.Unlock()
		}
		return 0, false
	}
	defer nc.Close()
	born := time.Now()
	e.mu.Lock()
	e.stats.SlowConnects++
	e.mu.Unlock()
	// Wake a blocked Read when the attack stops.
	stop := context.AfterFunc(ctx, func() { nc.SetReadDeadline(time.Now()) })
	defer stop()

	src := i % len(e.openBySrc)
	how, held := e.drive(ctx, nc, src)
	life := time.Since(born)
	e.record(life, how, held, src)
	return life, true
}

// drive writes the prologue and trickles until the server reacts or ctx
// ends. held reports whether the connection counted as held open: the
// server kept it through the first interval and took the first trickle.
func (e *slowEngine) drive(ctx context.Context, nc net.Conn, src int) (how endHow, held bool) {
	path := e.cfg.requestURIs()[0]
	var head, drip string
	switch e.kind {
	case slowHeaders:
		head = "GET " + path + " HTTP/1.1\r\nHost: " + e.cfg.Target.Host + "\r\nUser-Agent: ferrox-load/slowloris\r\n"
		drip = "X-a: b\r\n"
	case slowBody:
		head = "POST " + path + " HTTP/1.1\r\nHost: " + e.cfg.Target.Host +
			"\r\nUser-Agent: ferrox-load/slowbody\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\n"
		drip = strings.Repeat("a", slowBodyDrip)
	}
	if _, err := io.WriteString(nc, head); err != nil {
		return classify(ctx, err), false
	}
	buf := make([]byte, 64)
	for dripped := false; ; dripped = true {
		if dripped && !held {
			held = true
			e.hold(1, src)
		}
		if ctx.Err() != nil {
			return endAlive, held
		}
		nc.SetReadDeadline(time.Now().Add(e.cfg.SlowInterval))
		n, err := nc.Read(buf)
		if n > 0 {
			how := statusEnd(buf[:n])
			if how == endStatus && !dripped {
				return endRefused, held
			}
			return how, held
		}
		if errors.Is(err, net.ErrClosed) || errors.Is(err, context.Canceled) {
			return endAlive, held
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			if ctx.Err() != nil {
				return endAlive, held
			}
			if _, err := io.WriteString(nc, drip); err != nil {
				return classify(ctx, err), held
			}
			continue
		}
		return classify(ctx, err), held
	}
}

// hold counts a connection from source src in (+1) or out (-1) of the
// held-open set.
func (e *slowEngine) hold(d, src int) {
	e.mu.Lock()
	e.open += d
	e.openBySrc[src] += d
	e.stats.SlowConnsMaxOpen = max(e.stats.SlowConnsMaxOpen, e.open)
	e.stats.SlowMaxOpenPerSource = max(e.stats.SlowMaxOpenPerSource, e.openBySrc[src])
	e.sampleLocked(time.Now())
	e.mu.Unlock()
	e.cfg.Live.addSlow(int64(d))
}

// startSeries turns SlowOpenSeries on, with origin t0, and records its
// first point: none open at now, when the slow connections start. Later
// changes never fold into that point, so it marks the start.
func (e *slowEngine) startSeries(t0, now time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.t0 = t0
	e.sampleLocked(now)
	e.lastBucket = -1
}

// sampleLocked records the open count at now in SlowOpenSeries, folding
// changes within one openSampleMS bucket into its last point. e.mu held.
func (e *slowEngine) sampleLocked(now time.Time) {
	if e.t0.IsZero() {
		return
	}
	at := ms(now.Sub(e.t0))
	b := int64(at / openSampleMS)
	ser := e.stats.SlowOpenSeries
	switch {
	case len(ser) > 0 && b == e.lastBucket:
		ser[len(ser)-1].Open = e.open
	case len(ser) < maxOpenSamples:
		e.stats.SlowOpenSeries = append(ser, OpenSample{AtMS: at, Open: e.open})
		e.lastBucket = b
	}
}

// statusEnd classifies the first bytes the server sent: a 408 or another
// status line (RFC 9112 §4: "HTTP/1.1 SP 3DIGIT").
func statusEnd(b []byte) endHow {
	if len(b) >= 12 && bytes.HasPrefix(b, []byte("HTTP/1.")) && b[8] == ' ' {
		if string(b[9:12]) == "408" {
			return end408
		}
	}
	return endStatus
}

// classify maps a read or write error to close or reset.
func classify(ctx context.Context, err error) endHow {
	switch {
	case ctx.Err() != nil:
		return endAlive
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		return endReset
	default:
		return endClose
	}
}

func (e *slowEngine) record(life time.Duration, how endHow, held bool, src int) {
	if held {
		e.hold(-1, src)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !held && how != endAlive {
		e.stats.SlowNeverHeld++
	}
	// Refused connections never became slow clients: no lifetime sample.
	if how != endRefused {
		if len(e.lifetimes) < maxLifetimeSamples {
			e.lifetimes = append(e.lifetimes, life)
		}
		e.lifeMax = max(e.lifeMax, life)
	}
	switch how {
	case endAlive:
		e.stats.SlowAliveAtEnd++
	case end408:
		e.stats.SlowCut408++
	case endStatus:
		e.stats.SlowCutOtherStatus++
	case endClose:
		e.stats.SlowCutClose++
	case endReset:
		e.stats.SlowCutReset++
	case endRefused:
		e.stats.SlowRefused++
	}
}

// result summarises the engine after run returned.
func (e *slowEngine) result() *SlowStats {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.stats
	s.SlowOpenSeries = slices.Clone(s.SlowOpenSeries)
	s.SlowLifetimeMedianMS = ms(median(e.lifetimes))
	s.SlowLifetimeMaxMS = ms(e.lifeMax)
	return &s
}

// slow runs a baseline phase of legitimate keep-alive traffic, then the same
// traffic again while the slow engine holds its connections (opened
// gradually before the attack phase starts).
func slow(ctx context.Context, c *Config, res *Result, kind slowKind) {
	legit := func(name string) Phase {
		return c.attack(ctx, attackOpts{name: name, pacer: rate(c.Rate), duration: c.Duration,
			keepAlive: true, closed: c.ClosedLoop})
	}
	base := legit("baseline")
	res.Phases = append(res.Phases, base)
	if ctx.Err() != nil {
		return
	}
	n := c.connCap(c.SlowConns, res)
	res.Notes = append(res.Notes, c.slowSourceNote())
	eng := startSlow(ctx, c, kind, n, res)
	select {
	case <-eng.ramped():
	case <-ctx.Done():
	}
	// Let the last slow connections send their first bytes before measuring.
	select {
	case <-time.After(min(c.SlowInterval, 500*time.Millisecond)):
	case <-ctx.Done():
	}
	atk := legit("attack")
	stats, notes, err := eng.stop()
	res.Notes = append(res.Notes, notes...)
	if err != nil {
		res.Notes = append(res.Notes, err.Error())
		stats = &SlowStats{SlowConnsTarget: c.SlowConns}
	}
	atk.SlowStats = stats
	res.Phases = append(res.Phases, atk)
	if note, capped := atk.SlowStats.capped(n); capped {
		res.SlowCapped = true
		res.Notes = append(res.Notes, note)
	}
	if base.Throughput > 0 {
		res.ThroughputRatio = atk.Throughput / base.Throughput
	}
	if n < c.SlowConns {
		res.Notes = append(res.Notes, fmt.Sprintf("only %d of %d slow connections attempted", n, c.SlowConns))
	}
}

// capped reports whether the server kept most of the n slow connections
// from ever being held, refusing or closing them up front (a connection
// limit, often per client address), and says so: the run then measured
// that limit, not the server's resistance to slow clients. Capped means
// fewer than 90% were ever open at once and every missing slot was turned
// away at least once before it was held.
func (s *SlowStats) capped(n int) (string, bool) {
	missing := n - s.SlowConnsMaxOpen
	if n == 0 || s.SlowConnsMaxOpen*10 >= n*9 || s.SlowNeverHeld < missing {
		return "", false
	}
	const tail = "this measures its %s limit, not its resistance (%d of %d slow connections held at once at most; %d refused or closed before they were held%s)"
	if s.SlowSourcesUsed <= 1 {
		return fmt.Sprintf("CAPPED: the server capped you at %d from one address: "+tail, s.SlowConnsMaxOpen,
			"per-IP", s.SlowConnsMaxOpen, n, s.SlowNeverHeld, "; spread them over more addresses with --slow-sources"), true
	}
	return fmt.Sprintf("CAPPED: the server capped you at %d open slow connections (at most %d from one of %d addresses): "+tail,
		s.SlowConnsMaxOpen, s.SlowMaxOpenPerSource, s.SlowSourcesUsed, "connection", s.SlowConnsMaxOpen, n, s.SlowNeverHeld, ""), true
}
