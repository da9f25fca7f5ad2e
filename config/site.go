package config

import (
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/ferrox/ferrox/server"
	"github.com/ferrox/ferrox/server/static"
)

// Site is a configuration wired up: its logs, the static file handler,
// the engine that serves it and, with TLS, the certificate store and the
// plain listener's redirecting engine. Open builds it, Listen binds its
// addresses, Close releases everything.
type Site struct {
	Logs *Logs
	// Grace is how long a graceful shutdown waits (timeouts.shutdown_grace).
	Grace time.Duration
	// Listening holds each engine with its listener, after Listen.
	Listening []Listening

	cfg     Config
	handler *static.Handler
	main    *server.Server
	certs   *server.CertStore // nil without TLS
}

// Listening is one engine and the listener it serves.
type Listening struct {
	Srv *server.Server
	Ln  net.Listener
}

// Open wires c (which should have passed Validate) into a Site: it opens
// the logs, the file handler and, with TLS, the key pair, and builds the
// engine with c's resolved Settings.
func Open(c *Config, stdout, stderr io.Writer) (*Site, error) {
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
func (s *Site) Listen() error {
	c := &s.cfg
	if !c.TLS.Enabled {
		ln, err := server.Listen(c.Addr())
		if err != nil {
			return err
		}
		s.Listening = []Listening{{s.main, ln}}
		return nil
	}
	httpsLn, err := server.Listen(c.HTTPSAddr())
	if err != nil {
		return err
	}
	s.Listening = []Listening{{s.main, httpsLn}}
	redir, err := server.New(c.redirectSettings(), server.Options{
		Handler:  server.RedirectHandler{HTTPSPort: httpsLn.Addr().(*net.TCPAddr).Port},
		Access:   s.Logs.Access,
		ErrorLog: s.Logs.Error,
	})
	if err != nil {
		return err
	}
	ln, err := server.Listen(c.Addr())
	if err != nil {
		return err
	}
	s.Listening = append(s.Listening, Listening{redir, ln})
	return nil
}

// Banner says what is served where, after Listen.
func (s *Site) Banner() string {
	switch len(s.Listening) {
	case 1:
		return fmt.Sprintf("serving %s on http://%s", s.cfg.ServeDir(), s.Listening[0].Ln.Addr())
	case 2:
		return fmt.Sprintf("serving %s on https://%s (http://%s redirects to it)", s.cfg.ServeDir(), s.Listening[0].Ln.Addr(), s.Listening[1].Ln.Addr())
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

// Close closes the listeners still open, the file handler and the logs.
// Call it after the engines have stopped.
func (s *Site) Close() error {
	var errs []error
	for _, l := range s.Listening {
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
