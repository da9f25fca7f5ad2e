// Package server is Ferrox's HTTP/1.1 connection engine: listeners,
// connection loop (keep-alive, pipelining, timeouts, limits), response
// writer, error mapping, configuration and logs. It is written on
// net.Listener; no net/http server is involved. The static file handler
// lives in server/static.
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
	"github.com/ferrox/ferrox/server/static"
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
	serverHeader  bool
	noPark        bool
	headers       [][2]string
	dates         wire.Dates

	shutdown atomic.Bool
	done     chan struct{} // closed once shutting down

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	perIP     map[netip.Addr]int
	wg        sync.WaitGroup // one per live conn, and the parker's goroutine

	waiter waiter // holds waiting connections (see waiter)
}

// New validates cfg and builds a server around o.Handler.
func New(cfg Config, o Options) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return newServer(&cfg, o), nil
}

// NewStatic builds a server for cfg with the static file handler of
// cfg.StaticConfig. Close the returned handler after the server.
func NewStatic(cfg Config, o Options) (*Server, *static.Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, err
	}
	h, err := static.New(cfg.StaticConfig())
	if err != nil {
		return nil, nil, err
	}
	o.Handler = h
	return newServer(&cfg, o), h, nil
}

// newServer resolves defaults without validating the file system (tests).
func newServer(cfg *Config, o Options) *Server {
	l := cfg.Limits
	t := cfg.Timeouts
	s := &Server{
		h:         o.Handler,
		access:    o.Access,
		log:       o.ErrorLog,
		handshake: o.Handshake,
		limits: parser.Limits{
			MaxHeadBytes: orInt(l.MaxHeaderBytes, DefaultMaxHeaderBytes),
			MaxFields:    orInt(l.MaxHeaderFields, DefaultMaxHeaderFields),
			MaxTargetLen: orInt(l.MaxTargetLength, DefaultMaxTargetLength),
		},
		headerTimeout: orDur(t.Header, DefaultHeaderTimeout),
		idleTimeout:   orDur(t.Idle, DefaultIdleTimeout),
		writeTimeout:  orDur(t.Write, DefaultWriteTimeout),
		bodyWindow:    orDur(t.BodyRateWindow, DefaultBodyRateWindow),
		bodyMinRate:   int64(orInt(int(t.BodyMinRateBytes), DefaultBodyMinRateBytes)),
		maxBody:       int64(orInt(int(l.MaxBodyBytes), DefaultMaxBodyBytes)),
		maxConns:      l.MaxConnections,
		maxPerIP:      orInt(l.MaxConnsPerIP, DefaultMaxConnsPerIP),
		serverHeader:  cfg.ServerHeaderOn(),
		noPark:        !cfg.ParkWaitingOn(),
		headers:       cfg.ResponseHeaders(),
		done:          make(chan struct{}),
		listeners:     make(map[net.Listener]struct{}),
		conns:         make(map[*conn]struct{}),
		perIP:         make(map[netip.Addr]int),
	}
	s.maxHeadBuf = s.limits.MaxHeadBytes + 1024
	if eh, ok := o.Handler.(ErrorHandler); ok {
		s.eh = eh
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.maxConns == 0 {
		s.maxConns = AutoMaxConns()
	}
	s.waiter = goroutineWaiter{}
	if !s.noPark {
		s.waiter = newWaiter(s)
	}
	return s
}

// beginShutdown flips the server into shutdown once and closes listeners.
func (s *Server) beginShutdown() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown.Swap(true) {
		return
	}
	close(s.done)
	for ln := range s.listeners {
		ln.Close()
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
		return nil
	case <-ctx.Done():
		s.closeAll()
		<-drained
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

// remoteIP returns the client IP of a TCP conn (invalid for others).
func remoteIP(nc net.Conn) netip.Addr {
	if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap()
	}
	return netip.Addr{}
}

// addConn registers a new connection, enforcing the total and per-IP
// limits. It returns nil when the connection must be refused.
func (s *Server) addConn(nc net.Conn) (*conn, bool) {
	ip := remoteIP(nc)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown.Load() {
		return nil, false
	}
	if len(s.conns) >= s.maxConns || ip.IsValid() && s.perIP[ip] >= s.maxPerIP {
		return nil, true
	}
	c := &conn{srv: s, nc: nc, raw: nc, ip: ip}
	if tc, ok := nc.(*net.TCPConn); ok && s.handshake == nil {
		c.nc = newSockConn(tc)
	}
	s.conns[c] = struct{}{}
	if ip.IsValid() {
		s.perIP[ip]++
	}
	s.wg.Add(1)
	return c, false
}

func (s *Server) removeConn(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	if c.ip.IsValid() {
		if s.perIP[c.ip] <= 1 {
			delete(s.perIP, c.ip)
		} else {
			s.perIP[c.ip]--
		}
	}
	s.mu.Unlock()
	s.wg.Done()
}

// ServeConn serves one already-accepted connection on the calling
// goroutine (tests, in-memory conns). It returns when the connection ends.
func (s *Server) ServeConn(nc net.Conn) {
	c, _ := s.addConn(nc)
	if c == nil {
		nc.Close()
		return
	}
	c.exited = make(chan struct{})
	c.run()
	<-c.exited
}
