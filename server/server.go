// Package server is Ferrox's HTTP/1.1 connection engine: listeners,
// connection loop (keep-alive, pipelining, timeouts, limits), response
// writer, error mapping, TLS and logs. It is written on net.Listener; no
// net/http server is involved. It takes resolved Settings; configuration
// files, defaults and validation live in package config, and the static
// file handler in server/static.
package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/wire"
)

// Handler answers one parsed request by filling resp. The request's byte
// slices are views valid only during the call.
type Handler interface {
	Serve(req *parser.Request, resp *wire.Response)
}

// ErrorHandler is optionally implemented by a Handler to render error
// responses (custom error pages); otherwise built-in pages are sent.
type ErrorHandler interface {
	ErrorResponse(status int, resp *wire.Response)
}

// Options are the collaborators of a Server. Only Handler is required.
type Options struct {
	Handler Handler
	// Access receives one line per response; nil means no access log.
	Access *AccessLog
	// ErrorLog receives connection-level errors; nil discards them.
	ErrorLog *slog.Logger
	// Handshake, when set, runs first on every accepted connection under
	// the header deadline and may return a wrapping conn (the TLS hook).
	Handshake func(nc net.Conn) (net.Conn, error)
	// Metrics, when set, counts requests, connections and refusals (see
	// Metrics); the Servers of a reload share one.
	Metrics *Metrics
}

// Server serves HTTP/1.1 on any number of listeners.
type Server struct {
	h         Handler
	eh        ErrorHandler
	access    *AccessLog
	log       *slog.Logger
	handshake func(net.Conn) (net.Conn, error)

	limits        parser.Limits
	maxHeadBuf    int
	headerTimeout time.Duration
	idleTimeout   time.Duration
	writeTimeout  time.Duration
	bodyWindow    time.Duration
	bodyMinRate   int64
	maxBody       int64
	maxConns      int
	maxPerIP      int
	noPark        bool
	warm          time.Duration // the warm wait: warmWait; tests widen it before Serve
	wave          wave          // heads timing out together, counted
	// Bounds on a request body, which the server never uses (see
	// serveRequest): set from the constants in body.go; tests shorten
	// them.
	bodyTime       time.Duration
	drainGap       time.Duration
	keepDrainBytes int64
	// refusedLinger bounds the graceful close of a refused connection
	// (see lingerRefused); tests shorten it.
	refusedLinger    time.Duration
	maxRefusedLinger int // read under mu
	// head is how every response head is formatted; clearHead is the
	// same for a response a TLS server sends in clear text (before or
	// instead of the handshake): no Strict-Transport-Security, which only
	// a secure transport may carry (RFC 6797 §7.2).
	head, clearHead wire.Settings
	dates           wire.Dates

	shutdown atomic.Bool
	done     chan struct{} // closed once shutting down

	mu        sync.Mutex
	listeners map[net.Listener]func() // each with its raw accept's wake, or nil
	conns     map[*conn]struct{}
	perIP     map[netip.Addr]int
	wg        sync.WaitGroup // one per live conn, and the parker's goroutine

	waiter  waiter  // holds waiting connections (see waiter)
	workers workers // serve connections that have input (see workers)

	counters  *counters // the Metrics' when shared
	metrics   *Metrics  // nil: none
	attached  bool      // in metrics' gauges: from the first connection on (under mu)
	refusals  *refusalLog
	lingering map[net.Conn]struct{} // refused connections closing gracefully (under mu)
}

// New builds a server around o.Handler with the resolved settings set
// (see Settings; the config package makes them from a configuration). It
// fails only when set is not resolved, which is a programming error.
func New(set Settings, o Options) (*Server, error) {
	if err := set.check(); err != nil {
		return nil, err
	}
	s := &Server{
		h:                o.Handler,
		access:           o.Access,
		log:              o.ErrorLog,
		handshake:        o.Handshake,
		limits:           set.Limits,
		maxHeadBuf:       set.Limits.MaxHeadBytes + 1024,
		headerTimeout:    set.HeaderTimeout,
		idleTimeout:      set.IdleTimeout,
		writeTimeout:     set.WriteTimeout,
		bodyWindow:       set.BodyRateWindow,
		bodyMinRate:      set.BodyMinRate,
		maxBody:          set.MaxBody,
		maxConns:         set.MaxConns,
		maxPerIP:         set.MaxConnsPerIP,
		noPark:           !set.Park,
		warm:             warmWait,
		wave:             wave{window: waveWindow},
		workers:          workers{max: maxIdleWorkers()},
		bodyTime:         bodyTime,
		drainGap:         drainGap,
		keepDrainBytes:   keepDrainBytes,
		refusedLinger:    refusedLingerTime,
		maxRefusedLinger: maxRefusedLinger,
		lingering:        make(map[net.Conn]struct{}),
		done:             make(chan struct{}),
		listeners:        make(map[net.Listener]func()),
		conns:            make(map[*conn]struct{}),
		perIP:            make(map[netip.Addr]int),
	}
	if eh, ok := o.Handler.(ErrorHandler); ok {
		s.eh = eh
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s.refusals = newRefusalLog(s.log, s)
	s.counters = new(counters)
	if o.Metrics != nil {
		s.metrics, s.counters = o.Metrics, &o.Metrics.engine
	}
	s.head = wire.Settings{ServerHeader: set.ServerHeader, Headers: set.Headers, Dates: &s.dates}
	s.clearHead = s.head
	s.clearHead.Headers = withoutHSTS(set.Headers)
	s.waiter = goroutineWaiter{}
	if !s.noPark {
		s.waiter = newWaiter(s)
	}
	return s, nil
}

// debugOn reports whether debug messages are kept. The calls on paths a
// client can make hot (every 408 of a slowloris wave, every client that
// leaves) check it first: their arguments are built before slog looks at
// the level (the client's address text, each value boxed into an
// interface, the argument slice), all for a message that is dropped.
func (s *Server) debugOn() bool { return s.log.Enabled(context.Background(), slog.LevelDebug) }

// beginShutdown flips the server into shutdown once and closes listeners.
func (s *Server) beginShutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown.Swap(true) {
		return
	}
	close(s.done)
	s.workers.close()
	for ln, wake := range s.listeners {
		ln.Close()
		if wake != nil {
			wake()
		}
	}
	for nc := range s.lingering {
		nc.Close()
	}
}

// Shutdown stops accepting, closes idle connections at once and lets
// in-flight requests finish (their connections close after the response).
// When ctx ends first, the remaining connections are closed and ctx's error
// is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.beginShutdown()
	s.drainParked()
	s.closeIdle()
	drained := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(drained)
	}()
	select {
	case <-drained:
		s.refusals.close()
		s.metrics.detach(s)
		return nil
	case <-ctx.Done():
		s.closeAll()
		<-drained
		s.refusals.close()
		s.metrics.detach(s)
		return ctx.Err()
	}
}

// Close closes the listeners and every connection now, and waits until
// their goroutines have ended.
func (s *Server) Close() error {
	s.beginShutdown()
	s.drainParked()
	s.closeAll()
	s.wg.Wait()
	s.refusals.close()
	s.metrics.detach(s)
	return nil
}

// drainParked closes the idle connections a waiter holds, resumes its
// heads, and stops it; it holds none after.
func (s *Server) drainParked() { s.waiter.drain() }

// closeIdle and closeAll close the accepted socket (c.raw), never the TLS
// wrapper: closing a *tls.Conn first writes a close_notify alert, which
// can block for seconds on a client that stopped reading, and nothing may
// wait on that under s.mu. The conn's goroutine closes the wrapper itself.
func (s *Server) closeIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.state.CompareAndSwap(stateIdle, stateClosing) {
			c.raw.Close()
		} else if c.state.Load() == stateFirst {
			c.raw.SetReadDeadline(time.Now().Add(shutdownFirstWait))
		}
	}
}

func (s *Server) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.state.Store(stateClosing)
		c.raw.Close()
	}
}

// NumConns returns the number of open connections.
func (s *Server) NumConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// remoteIP returns the client IP of a TCP conn (invalid for others),
// without allocating: a raw socket has it as a value, and a *net.TCPConn
// (under a sockConn) keeps its *net.TCPAddr.
func remoteIP(nc net.Conn) netip.Addr {
	if r, ok := nc.(interface{ remoteAddrPort() netip.AddrPort }); ok {
		return r.remoteAddrPort().Addr().Unmap()
	}
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}

// addConn registers a new connection, enforcing the total and per-IP
// limits. It returns nil when the connection must be closed: refused
// then says whether a limit refused it (and which), else the server is
// shutting down.
func (s *Server) addConn(nc net.Conn) (c *conn, refused bool, kind Refusal, ip netip.Addr) {
	ip = remoteIP(nc)
	s.metrics.countAccept()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown.Load() {
		return nil, false, 0, ip
	}
	if len(s.conns) >= s.maxConns {
		return nil, true, RefusedConnLimit, ip
	}
	if ip.IsValid() && s.perIP[ip] >= s.maxPerIP {
		return nil, true, RefusedPerIP, ip
	}
	c = &conn{srv: s, nc: nc, raw: nc}
	if tc, ok := nc.(*net.TCPConn); ok {
		// Raw socket calls under TLS too: the TLS layer's reads and
		// writes then keep sysmon asleep as plain ones do (see sockConn).
		c.nc = newSockConn(tc)
		c.raw = c.nc
	}
	s.conns[c] = struct{}{}
	if ip.IsValid() {
		s.perIP[ip]++
	}
	if s.metrics != nil && !s.attached {
		s.attached = true
		s.metrics.attach(s) // a Server that never serves is never held by its Metrics
	}
	s.wg.Add(1)
	return c, false, 0, ip
}

func (s *Server) removeConn(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	if ip := c.clientIP(); ip.IsValid() {
		if s.perIP[ip] <= 1 {
			delete(s.perIP, ip)
		} else {
			s.perIP[ip]--
		}
	}
	s.mu.Unlock()
	s.wg.Done()
}

// ServeConn serves one already-accepted connection on the calling
// goroutine (tests, in-memory conns). It returns when the connection ends.
func (s *Server) ServeConn(nc net.Conn) {
	c, refused, kind, ip := s.addConn(nc)
	if c == nil {
		if refused {
			s.refuse(kind, ip)
		}
		nc.Close()
		return
	}
	c.exited = make(chan struct{})
	c.run()
	<-c.exited
}
