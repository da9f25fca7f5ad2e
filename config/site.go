package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"reflect"
	"time"

	"github.com/ferrox/ferrox/server"
	"github.com/ferrox/ferrox/server/metrics"
	"github.com/ferrox/ferrox/server/static"
)

// Site is a configuration wired up: its logs, the static file handler,
// the engine that serves it and, with TLS, the certificate store and the
// plain listener's redirecting engine. Open builds it, Listen binds its
// addresses (or takes them over from the site it replaces), Start serves
// them, Shutdown and Close end it.
//
// A reload (SIGHUP) builds a whole new Site from the re-read file while
// the old one runs: the new one takes over the listening sockets whose
// address did not change (Listen(prev), then Start), binds the new
// addresses, and the old one is shut down gracefully, so its in-flight
// requests finish under the settings they started with; the addresses
// the new configuration dropped close with it.
type Site struct {
	Logs *Logs
	// Grace is how long a graceful shutdown waits (timeouts.shutdown_grace).
	Grace time.Duration
	// Listening holds each engine with its listener, after Listen.
	Listening []*Listening

	cfg     Config
	handler *static.Handler
	main    *server.Server
	redir   *server.Server     // the plain listener's engine with TLS, after Listen
	certs   *server.CertStore  // nil without TLS
	metrics *metrics.Collector // nil without metrics.listen; passed on by reloads
	mserver *server.Server     // the metrics endpoint's engine, after Listen
}

// Listening is one engine and the listener it serves.
type Listening struct {
	Srv *server.Server
	Ln  *server.Handoff
	// Addr is the configured address (before the system picks a port
	// for 0): a reload keeps the socket when it is unchanged.
	Addr string

	prev    *Listening    // the old site's listener this one takes over
	fresh   bool          // bound by this site (closed if Listen fails)
	kept    bool          // handed over to the next site: Close leaves it
	started bool          // Start ran Serve on it
	done    chan struct{} // closed when Serve has returned; err is its result
	err     error
}

// Open wires c (which should have passed Validate) into a Site: it opens
// the logs, the file handler and, with TLS, the key pair, and builds the
// engine with c's resolved Settings.
func Open(c *Config, stdout, stderr io.Writer) (*Site, error) {
	return OpenAfter(c, stdout, stderr, nil)
}

// OpenAfter is Open for a reload that replaces prev: the metrics
// counters (when both configure them) carry on from prev's.
func OpenAfter(c *Config, stdout, stderr io.Writer, prev *Site) (*Site, error) {
	logs, err := OpenLogs(c, stdout, stderr)
	if err != nil {
		return nil, err
	}
	s := &Site{Logs: logs, Grace: c.ShutdownGrace(), cfg: *c}
	if s.handler, err = static.New(c.StaticConfig()); err != nil {
		s.Close()
		return nil, err
	}
	o := server.Options{Handler: s.handler, Access: logs.Access, ErrorLog: logs.Error}
	if c.MetricsOn() {
		if s.metrics = metrics.New(server.NewMetrics(), or(c.version, "dev")); prev != nil && prev.metrics != nil {
			s.metrics = prev.metrics
		}
		o.Metrics = s.metrics.Engine()
	}
	if c.TLS.Enabled {
		if s.certs, err = server.NewCertStore(c.TLS.CertPath, c.TLS.KeyPath); err != nil {
			s.Close()
			return nil, fmt.Errorf("tls: %w", err)
		}
		o.Handshake = server.TLSHandshake(server.NewTLSConfig(s.certs))
	}
	if s.main, err = server.New(c.Settings(), o); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Listen binds the site's addresses: server.addr:port, and with TLS the
// HTTPS address too, whose plain twin then redirects every request to it.
// An address that prev (the running site a reload replaces; nil at
// start) listens on is not bound again: Start takes its socket over. On
// error the addresses bound here are closed again and prev is untouched.
func (s *Site) Listen(prev *Site) error {
	c := &s.cfg
	taken := map[*Listening]bool{} // each of prev's sockets goes to one listener (two may say port 0)
	take := func(addr string) (*Listening, error) {
		if prev != nil {
			for _, l := range prev.Listening {
				if l.Addr == addr && !l.kept && !taken[l] {
					taken[l] = true
					return &Listening{Ln: l.Ln, Addr: addr, prev: l}, nil
				}
			}
		}
		ln, err := server.Listen(addr)
		if err != nil {
			return nil, err
		}
		return &Listening{Ln: server.NewHandoff(ln), Addr: addr, fresh: true}, nil
	}
	fail := func(err error) error {
		for _, l := range s.Listening {
			if l.fresh {
				l.Ln.Close()
			}
		}
		s.Listening = nil
		return err
	}
	if !c.TLS.Enabled {
		l, err := take(c.Addr())
		if err != nil {
			return fail(err)
		}
		l.Srv = s.main
		s.Listening = []*Listening{l}
		return s.listenMetrics(take, fail)
	}
	https, err := take(c.HTTPSAddr())
	if err != nil {
		return fail(err)
	}
	https.Srv = s.main
	s.Listening = []*Listening{https}
	s.redir, err = server.New(c.redirectSettings(), server.Options{
		Handler:  server.RedirectHandler{HTTPSPort: https.Ln.Addr().(*net.TCPAddr).Port},
		Access:   s.Logs.Access,
		ErrorLog: s.Logs.Error,
		Metrics:  s.mainMetrics(),
	})
	if err != nil {
		return fail(err)
	}
	plain, err := take(c.Addr())
	if err != nil {
		return fail(err)
	}
	plain.Srv = s.redir
	s.Listening = append(s.Listening, plain)
	return s.listenMetrics(take, fail)
}

// listenMetrics binds the metrics endpoint, last in s.Listening, with an
// engine of its own (scrapes are not counted).
func (s *Site) listenMetrics(take func(string) (*Listening, error), fail func(error) error) error {
	if s.metrics == nil {
		return nil
	}
	c := &s.cfg
	var err error
	s.mserver, err = server.New(c.Settings(), server.Options{Handler: s.metrics.Handler(c.MetricsPath()), ErrorLog: s.Logs.Error})
	if err != nil {
		return fail(err)
	}
	l, err := take(c.Metrics.Listen)
	if err != nil {
		return fail(fmt.Errorf("metrics.listen: %w", err))
	}
	l.Srv = s.mserver
	s.Listening = append(s.Listening, l)
	return nil
}

// Start serves every listener on a goroutine of its own. A listener taken
// over from the previous site is first released by it (its engine stops
// accepting on the socket, which stays open; connections arriving
// meanwhile wait in the accept queue). A listener whose Serve ends for
// any reason other than a shutdown or a hand-over reports its error on
// failed, which must have room for one error per listener or be read.
func (s *Site) Start(failed chan<- error) {
	if s.metrics != nil {
		h := s.handler
		s.metrics.SetCompression(func() metrics.Compression {
			z := h.CompressionStats()
			return metrics.Compression{Hits: uint64(z.Hits), Misses: uint64(z.Misses), Evictions: uint64(z.Evictions), Bytes: z.Bytes, Entries: int64(z.Entries)}
		})
	}
	for _, l := range s.Listening {
		if p := l.prev; p != nil {
			p.kept = true
			if p.started {
				if err := p.Ln.Release(); err != nil {
					failed <- err
					continue
				}
				<-p.done
			}
			if err := l.Ln.Resume(); err != nil {
				failed <- err
				continue
			}
		}
		l.done = make(chan struct{})
		l.started = true
		go func() {
			defer close(l.done)
			l.err = l.Srv.Serve(l.Ln)
			if !errors.Is(l.err, server.ErrServerClosed) && !errors.Is(l.err, server.ErrReleased) {
				failed <- fmt.Errorf("%s: %w", l.Addr, l.err)
			}
		}()
	}
}

// engines are the site's servers.
func (s *Site) engines() []*server.Server {
	e := []*server.Server{s.main}
	if s.redir != nil {
		e = append(e, s.redir)
	}
	if s.mserver != nil {
		e = append(e, s.mserver)
	}
	return e
}

// mainMetrics is the engine counters of the site's engines (nil without
// metrics).
func (s *Site) mainMetrics() *server.Metrics {
	if s.metrics == nil {
		return nil
	}
	return s.metrics.Engine()
}

// MetricsAddr is the metrics endpoint's address after Listen ("" when
// off).
func (s *Site) MetricsAddr() string {
	for _, l := range s.Listening {
		if l.Srv != nil && l.Srv == s.mserver {
			return l.Ln.Addr().String()
		}
	}
	return ""
}

// NumConns is the number of connections the site's engines hold open.
func (s *Site) NumConns() int {
	n := 0
	for _, e := range s.engines() {
		n += e.NumConns()
	}
	return n
}

// Shutdown stops every engine gracefully (server.Server.Shutdown): idle
// connections close at once, in-flight requests finish, and when ctx
// ends first the rest are cut and ctx's error returned. It returns when
// every started Serve has returned. Listeners handed to the next site
// stay open.
func (s *Site) Shutdown(ctx context.Context) error {
	errs := make(chan error, 2)
	es := s.engines()
	for _, e := range es {
		go func() { errs <- e.Shutdown(ctx) }()
	}
	var err error
	for range es {
		err = errors.Join(err, <-errs)
	}
	s.waitServe()
	return err
}

// Stop closes every engine and connection at once.
func (s *Site) Stop() {
	for _, e := range s.engines() {
		e.Close()
	}
	s.waitServe()
}

func (s *Site) waitServe() {
	for _, l := range s.Listening {
		if l.started {
			<-l.done
		}
	}
}

// Unchanged reports whether c is the configuration the site runs. A
// reload with an unchanged configuration keeps the site (and its idle
// keep-alive connections) and only re-reads the certificate and reopens
// the logs.
func (s *Site) Unchanged(c *Config) bool { return reflect.DeepEqual(s.cfg, *c) }

// Banner says what is served where, after Listen.
func (s *Site) Banner() string {
	ls := s.Listening
	if s.mserver != nil && len(ls) > 0 {
		ls = ls[:len(ls)-1]
	}
	var m string
	if s.mserver != nil {
		m = fmt.Sprintf("; metrics on http://%s%s", s.MetricsAddr(), s.cfg.MetricsPath())
	}
	switch len(ls) {
	case 1:
		return fmt.Sprintf("serving %s on http://%s", s.cfg.ServeDir(), ls[0].Ln.Addr()) + m
	case 2:
		return fmt.Sprintf("serving %s on https://%s (http://%s redirects to it)", s.cfg.ServeDir(), ls[0].Ln.Addr(), ls[1].Ln.Addr()) + m
	}
	return "not listening"
}

// ReloadCerts re-reads the TLS key pair (SIGHUP); handshakes after it
// present the new pair, established connections are left alone. On error
// the pair in use is kept and the error logged. Without TLS it does
// nothing.
func (s *Site) ReloadCerts() {
	if s.certs == nil {
		return
	}
	if err := s.certs.Reload(); err != nil {
		s.Logs.Error.Error("certificate reload failed; keeping the current certificate", "err", err)
		return
	}
	s.Logs.Error.Info("certificate reloaded", "cert", s.cfg.TLS.CertPath)
}

// Close closes the listeners still open (not those handed to the next
// site), the file handler and the logs.
// Call it after the engines have stopped.
func (s *Site) Close() error {
	var errs []error
	for _, l := range s.Listening {
		if l.kept || l.prev != nil && !l.started {
			continue // the next site's (or still the previous site's) socket
		}
		if err := l.Ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if s.handler != nil {
		errs = append(errs, s.handler.Close())
	}
	errs = append(errs, s.Logs.Close())
	return errors.Join(errs...)
}
