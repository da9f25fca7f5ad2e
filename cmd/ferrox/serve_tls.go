package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"

	"github.com/ferrox/ferrox/server"
)

// tlsFlags are serve's HTTPS flags. Giving --tls-cert and --tls-key turns
// TLS on (tls.enabled) over whatever the config file says.
type tlsFlags struct {
	listen, cert, key string
}

func (f *tlsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.listen, "https-listen", "", "HTTPS listen address `HOST:PORT` (default server.addr:8443; needs TLS)")
	fs.StringVar(&f.cert, "tls-cert", "", "PEM certificate chain `FILE`; enables HTTPS (with --tls-key)")
	fs.StringVar(&f.key, "tls-key", "", "PEM private key `FILE` of --tls-cert")
}

// apply writes the flags into c. Errors name the flag.
func (f *tlsFlags) apply(c *server.Config) error {
	if (f.cert == "") != (f.key == "") {
		return fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if f.cert != "" {
		c.TLS.Enabled, c.TLS.CertPath, c.TLS.KeyPath = true, f.cert, f.key
	}
	if f.listen != "" {
		if !c.TLS.Enabled {
			return fmt.Errorf("--https-listen %q: HTTPS needs --tls-cert and --tls-key (or tls.enabled)", f.listen)
		}
		_, port, err := net.SplitHostPort(f.listen)
		if err != nil {
			return fmt.Errorf("--https-listen %q: want HOST:PORT", f.listen)
		}
		p, err := strconv.Atoi(port)
		if err != nil || p < 0 || p > 65535 {
			return fmt.Errorf("--https-listen %q: port must be 0-65535", f.listen)
		}
		c.Server.HTTPSPort = p
	}
	return nil
}

// httpsAddr is the HTTPS listen address: the flag as given, else the
// config's server.addr and server.https_port.
func (f *tlsFlags) httpsAddr(c *server.Config) string {
	if f.listen != "" {
		return f.listen
	}
	return c.HTTPSAddr()
}

// serveTLS runs `ferrox serve` with tls.enabled: the static site over
// HTTPS, and on the plain listener a redirect of every request to it.
// SIGHUP re-reads the certificate and key (a bad pair keeps the old one)
// and reopens the logs; SIGUSR1 reopens the logs; SIGINT and SIGTERM shut
// both listeners down gracefully.
func serveTLS(cfg server.Config, f tlsFlags, logs *server.Logs, stderr io.Writer) int {
	if addr := f.httpsAddr(&cfg); addr == cfg.Addr() {
		fmt.Fprintf(stderr, "ferrox: server.https_port: %s is also the plain HTTP address\n", addr)
		return 2
	}
	certs, err := server.NewCertStore(cfg.TLS.CertPath, cfg.TLS.KeyPath)
	if err != nil {
		fmt.Fprintf(stderr, "ferrox: %v\n", err)
		return 2
	}
	srv, h, err := server.NewStatic(cfg, server.Options{
		Access:    logs.Access,
		ErrorLog:  logs.Error,
		Handshake: server.TLSHandshake(server.NewTLSConfig(certs)),
	})
	if err != nil {
		fmt.Fprintf(stderr, "ferrox: %v\n", err)
		return 2
	}
	defer h.Close()

	httpsLn, err := server.Listen(f.httpsAddr(&cfg))
	if err != nil {
		fmt.Fprintf(stderr, "ferrox: %v\n", err)
		return 1
	}
	defer httpsLn.Close()
	port := httpsLn.Addr().(*net.TCPAddr).Port
	redir, err := server.New(cfg.RedirectConfig(), server.Options{
		Handler:  server.RedirectHandler{HTTPSPort: port},
		Access:   logs.Access,
		ErrorLog: logs.Error,
	})
	if err != nil {
		fmt.Fprintf(stderr, "ferrox: %v\n", err)
		return 2
	}
	ln, err := server.Listen(cfg.Addr())
	if err != nil {
		fmt.Fprintf(stderr, "ferrox: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "ferrox: serving %s on https://%s (http://%s redirects to it)\n", cfg.ServeDir(), httpsLn.Addr(), ln.Addr())

	// SIGHUP: handshakes after it present the new pair; established
	// connections are left alone.
	reload := func() {
		if err := certs.Reload(); err != nil {
			logs.Error.Error("certificate reload failed; keeping the current certificate", "err", err)
		} else {
			logs.Error.Info("certificate reloaded", "cert", cfg.TLS.CertPath)
		}
	}
	return serveUntilSignal(cfg, logs, stderr, reload, listening{srv, httpsLn}, listening{redir, ln})
}

// applyServeFlags applies the plain overrides, then the TLS flags.
func applyServeFlags(o server.Overrides, f *tlsFlags, c *server.Config) error {
	if err := o.Apply(c); err != nil {
		return err
	}
	return f.apply(c)
}
