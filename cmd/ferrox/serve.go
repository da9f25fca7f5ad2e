package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/ferrox/ferrox/server"
)

// cmdServe runs `ferrox serve`: flags and an optional config file become a
// server.Config; signals drive shutdown (SIGINT, SIGTERM) and log reopening
// (SIGUSR1, and SIGHUP until configuration reload exists).
func cmdServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	// Errors are reported in one line below; -h prints the usage.
	fs.SetOutput(io.Discard)
	var (
		configFile string
		o          server.Overrides
	)
	fs.StringVar(&configFile, "config", "", "YAML config `file` (optional; see ferrox.yml)")
	fs.StringVar(&o.Root, "root", "", "directory to serve (default www)")
	fs.StringVar(&o.Listen, "listen", "", "listen address `HOST:PORT` (default 127.0.0.1:8080)")
	fs.StringVar(&o.LogDir, "log-dir", "", "write access.log and error.log in `DIR` (default stdout/stderr)")
	fs.StringVar(&o.AccessFormat, "access-format", "", "access log format: combined, common or json (default combined)")
	fs.BoolVar(&o.NoListing, "no-listing", false, "disable directory listings")
	var tf tlsFlags
	tf.register(fs)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "usage: ferrox serve [--config FILE] [--root DIR] [--listen HOST:PORT] [--log-dir DIR] [--access-format F] [--no-listing] [--tls-cert FILE --tls-key FILE [--https-listen HOST:PORT]]")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "ferrox: serve: %v\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ferrox: serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}

	var cfg server.Config
	if configFile != "" {
		b, err := os.ReadFile(configFile)
		if err != nil {
			fmt.Fprintf(stderr, "ferrox: %v\n", err)
			return 2
		}
		c, root, err := server.ParseConfig(configFile, b)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		cfg = c
		if err := applyServeFlags(o, &tf, &cfg); err != nil {
			fmt.Fprintf(stderr, "ferrox: %v\n", err)
			return 2
		}
		if err := cfg.Validate(); err != nil {
			fmt.Fprintln(stderr, server.PositionError(configFile, root, err))
			return 2
		}
	} else {
		if err := applyServeFlags(o, &tf, &cfg); err != nil {
			fmt.Fprintf(stderr, "ferrox: %v\n", err)
			return 2
		}
		if err := cfg.Validate(); err != nil {
			fmt.Fprintf(stderr, "ferrox: %v\n", err)
			return 2
		}
	}

	logs, err := server.OpenLogs(&cfg, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "ferrox: %v\n", err)
		return 2
	}
	defer logs.Close()
	if cfg.TLS.Enabled {
		return serveTLS(cfg, tf, logs, stderr)
	}
	srv, h, err := server.NewStatic(cfg, server.Options{Access: logs.Access, ErrorLog: logs.Error})
	if err != nil {
		fmt.Fprintf(stderr, "ferrox: %v\n", err)
		return 2
	}
	defer h.Close()
	ln, err := server.Listen(cfg.Addr())
	if err != nil {
		fmt.Fprintf(stderr, "ferrox: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "ferrox: serving %s on http://%s\n", cfg.ServeDir(), ln.Addr())

	return serveUntilSignal(cfg, logs, stderr, nil, listening{srv, ln})
}

// listening is one server and the listener it serves.
type listening struct {
	srv *server.Server
	ln  net.Listener
}

// serveUntilSignal serves every pair until a signal or a listener failure.
// SIGUSR1 reopens the logs; SIGHUP runs onHUP (certificate reload), when
// set, then reopens the logs too; SIGINT/SIGTERM shut every server down
// within the grace period and return 0. A listener that fails on its own
// closes everything and returns 1.
func serveUntilSignal(cfg server.Config, logs *server.Logs, stderr io.Writer, onHUP func(), ls ...listening) int {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGHUP)
	defer signal.Stop(sigs)
	served := make(chan error, len(ls))
	for _, l := range ls {
		go func() { served <- l.srv.Serve(l.ln) }()
	}
	grace := cfg.Timeouts.ShutdownGrace
	if grace == 0 {
		grace = server.DefaultShutdownGrace
	}
	for {
		select {
		case err := <-served:
			logs.Error.Error("listener failed", "err", err)
			for _, l := range ls {
				l.srv.Close()
			}
			for range len(ls) - 1 {
				<-served
			}
			return 1
		case sig := <-sigs:
			switch sig {
			case syscall.SIGHUP, syscall.SIGUSR1:
				if sig == syscall.SIGHUP && onHUP != nil {
					onHUP()
				}
				if err := logs.Reopen(); err != nil {
					fmt.Fprintf(stderr, "ferrox: reopening logs: %v\n", err)
				} else {
					logs.Error.Info("logs reopened", "signal", sig.String())
				}
				continue
			}
			logs.Error.Info("shutting down", "signal", sig.String(), "grace", grace)
			ctx, cancel := context.WithTimeout(context.Background(), grace)
			errs := make(chan error, len(ls))
			for _, l := range ls {
				go func() { errs <- l.srv.Shutdown(ctx) }()
			}
			var err error
			for range ls {
				err = errors.Join(err, <-errs)
				<-served
			}
			cancel()
			if err != nil {
				logs.Error.Warn("grace period over; remaining connections closed", "err", err)
			}
			return 0
		}
	}
}
