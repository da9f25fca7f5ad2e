package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/ferrox/ferrox/config"
)

// cmdServe runs `ferrox serve`: flags and an optional config file become a
// config.Config, which config.Open wires into a site; signals drive
// shutdown (SIGINT, SIGTERM), certificate reload (SIGHUP) and log
// reopening (SIGUSR1, SIGHUP).
func cmdServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	// Errors are reported in one line below; -h prints the usage.
	fs.SetOutput(io.Discard)
	var (
		configFile string
		o          config.Overrides
	)
	fs.StringVar(&configFile, "config", "", "YAML config `file` (optional; see ferrox.yml)")
	fs.StringVar(&o.Root, "root", "", "directory to serve (default www)")
	fs.StringVar(&o.Listen, "listen", "", "listen address `HOST:PORT` (default 127.0.0.1:8080)")
	fs.StringVar(&o.LogDir, "log-dir", "", "write access.log and error.log in `DIR` (default stdout/stderr)")
	fs.StringVar(&o.AccessFormat, "access-format", "", "access log format: combined, combined_time, common or json (default combined)")
	fs.BoolVar(&o.Listing, "listing", false, "list directories that have no index file (default off)")
	fs.BoolVar(&o.NoListing, "no-listing", false, "do not list directories (overrides listing.enabled: true in the file)")
	fs.StringVar(&o.HTTPSListen, "https-listen", "", "HTTPS listen address `HOST:PORT` (default server.addr:8443; needs TLS)")
	fs.StringVar(&o.TLSCert, "tls-cert", "", "PEM certificate chain `FILE`; enables HTTPS (with --tls-key)")
	fs.StringVar(&o.TLSKey, "tls-key", "", "PEM private key `FILE` of --tls-cert")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "usage: ferrox serve [--config FILE] [--root DIR] [--listen HOST:PORT] [--log-dir DIR] [--access-format F] [--listing | --no-listing] [--tls-cert FILE --tls-key FILE [--https-listen HOST:PORT]]")
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

	var b []byte
	if configFile != "" {
		var err error
		if b, err = os.ReadFile(configFile); err != nil {
			fmt.Fprintf(stderr, "ferrox: %v\n", err)
			return 2
		}
	}
	cfg, err := config.LoadBytes(configFile, b, &o)
	if err != nil {
		printConfigErrors(stderr, err)
		return 2
	}
	site, err := config.Open(&cfg, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "ferrox: %v\n", err)
		return 2
	}
	defer site.Close()
	if err := site.Listen(); err != nil {
		fmt.Fprintf(stderr, "ferrox: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "ferrox: %s\n", site.Banner())
	return serveUntilSignal(site, stderr)
}

// printConfigErrors prints one line per problem: "file:line:col: message"
// for a problem in the file, "ferrox: message" for one with a flag.
func printConfigErrors(w io.Writer, err error) {
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var ce *config.ConfigError
		if errors.As(e, &ce) && ce.File != "" {
			fmt.Fprintln(w, e)
		} else {
			fmt.Fprintf(w, "ferrox: %v\n", e)
		}
	}
}

// serveUntilSignal serves every listener of site until a signal or a
// listener failure. SIGUSR1 reopens the logs; SIGHUP reloads the TLS
// certificate, then reopens the logs too; SIGINT/SIGTERM shut every
// engine down within the grace period and return 0. A listener that fails
// on its own closes everything and returns 1.
func serveUntilSignal(site *config.Site, stderr io.Writer) int {
	sigs := make(chan os.Signal, 4)
	notify := []os.Signal{os.Interrupt, syscall.SIGTERM}
	for _, sig := range []os.Signal{reopenSignal, reloadSignal} {
		if sig != nil {
			notify = append(notify, sig)
		}
	}
	signal.Notify(sigs, notify...)
	defer signal.Stop(sigs)
	ls, logs := site.Listening, site.Logs
	served := make(chan error, len(ls))
	for _, l := range ls {
		go func() { served <- l.Srv.Serve(l.Ln) }()
	}
	for {
		select {
		case err := <-served:
			logs.Error.Error("listener failed", "err", err)
			for _, l := range ls {
				l.Srv.Close()
			}
			for range len(ls) - 1 {
				<-served
			}
			return 1
		case sig := <-sigs:
			if sig == reopenSignal || sig == reloadSignal {
				if sig == reloadSignal {
					site.ReloadCerts()
				}
				if err := logs.Reopen(); err != nil {
					fmt.Fprintf(stderr, "ferrox: reopening logs: %v\n", err)
				} else {
					logs.Error.Info("logs reopened", "signal", sig.String())
				}
				continue
			}
			logs.Error.Info("shutting down", "signal", sig.String(), "grace", site.Grace)
			ctx, cancel := context.WithTimeout(context.Background(), site.Grace)
			errs := make(chan error, len(ls))
			for _, l := range ls {
				go func() { errs <- l.Srv.Shutdown(ctx) }()
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
