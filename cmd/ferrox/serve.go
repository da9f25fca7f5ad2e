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
	"runtime"
	"strings"
	"sync"
	"syscall"

	"github.com/ferrox/ferrox/config"
)

// cmdServe runs `ferrox serve`: flags and an optional config file become a
// config.Config, which config.Open wires into a site; signals drive
// shutdown (SIGINT, SIGTERM, SIGQUIT), reload of the whole configuration
// (SIGHUP) and log reopening (SIGUSR1); see serveUntilSignal.
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

	// Signals are caught from before the banner on, so that a signal
	// sent once it is printed is never left to the default action.
	sigs := make(chan os.Signal, 4)
	notify := []os.Signal{os.Interrupt, syscall.SIGTERM}
	for _, sig := range []os.Signal{reopenSignal, reloadSignal, gracefulSignal} {
		if sig != nil {
			notify = append(notify, sig)
		}
	}
	signal.Notify(sigs, notify...)
	defer signal.Stop(sigs)
	// ferrox_build_info's version: the second word of `ferrox version`.
	o.Version = strings.Fields(versionText(version, buildInfo(), runtime.GOOS, runtime.GOARCH))[1]
	site, code := startSite(configFile, &o, stdout, stderr, nil)
	if site == nil {
		return code
	}
	fmt.Fprintf(stderr, "ferrox: %s\n", site.Banner())
	return serveUntilSignal(site, sigs, func(cur *config.Site) (*config.Site, []error) {
		return loadSite(configFile, &o, stdout, stderr, cur)
	}, stderr)
}

// loadSite reads configFile ("" for none) with the overrides o, exactly
// as check-config does, opens the site it describes and binds its
// addresses, taking over those that prev (the running site, on a reload;
// nil at start) already listens on. When the configuration is prev's, it
// returns prev itself. It returns every problem, each a
// *config.ConfigError for the file or a plain error.
func loadSite(configFile string, o *config.Overrides, stdout, stderr io.Writer, prev *config.Site) (*config.Site, []error) {
	var b []byte
	if configFile != "" {
		var err error
		if b, err = os.ReadFile(configFile); err != nil {
			return nil, []error{err}
		}
	}
	cfg, err := config.LoadBytes(configFile, b, o)
	if err != nil {
		return nil, splitErrors(err)
	}
	if prev != nil && prev.Unchanged(&cfg) {
		return prev, nil
	}
	site, err := config.OpenAfter(&cfg, stdout, stderr, prev)
	if err != nil {
		return nil, []error{err}
	}
	if err := site.Listen(prev); err != nil {
		site.Close()
		return nil, []error{err}
	}
	return site, nil
}

// startSite is loadSite at start: problems go to stderr, and the exit
// code is 2 for a configuration problem, 1 for an address that cannot be
// bound.
func startSite(configFile string, o *config.Overrides, stdout, stderr io.Writer, prev *config.Site) (*config.Site, int) {
	site, errs := loadSite(configFile, o, stdout, stderr, prev)
	if site != nil {
		return site, 0
	}
	printConfigErrors(stderr, errors.Join(errs...))
	var ne *net.OpError
	if len(errs) == 1 && errors.As(errs[0], &ne) {
		return nil, 1
	}
	return nil, 2
}

// splitErrors flattens an errors.Join.
func splitErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
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

// serveUntilSignal serves site until a signal (from sigs) or a listener
// failure.
//
//   - SIGUSR1 reopens the logs.
//   - SIGHUP reloads: reload re-reads the whole configuration and builds a
//     new site on the running sockets (see config.Site); the old site is
//     shut down gracefully in the background: its in-flight requests
//     finish under the old settings, its idle keep-alive connections are
//     closed at once (as nginx's old workers close theirs), and the
//     addresses the new configuration dropped close. When the file
//     describes the running configuration, the site stays (idle
//     connections too) and only its certificate and logs are re-read. When the new configuration
//     is invalid, every problem is logged and the running site stays,
//     with its certificate re-read and its logs reopened (as before
//     reloads re-read the whole file).
//   - SIGINT/SIGTERM shut down gracefully within the grace period and
//     return 0; a second SIGINT/SIGTERM during the grace stops at once,
//     cutting the connections still open, and logs how many.
//   - SIGQUIT (unix) shuts down gracefully too, but only gracefully: a
//     second SIGQUIT changes nothing (nginx's "graceful quit").
//
// A listener that fails on its own closes everything and returns 1.
func serveUntilSignal(site *config.Site, sigs <-chan os.Signal, reload func(cur *config.Site) (*config.Site, []error), stderr io.Writer) int {

	// force ends every grace period at once (second signal, failure).
	force, forceNow := context.WithCancel(context.Background())
	defer forceNow()
	failed := make(chan error, 8)
	cur := site
	cur.Start(failed)
	var retiring []*config.Site // old sites still draining, after reloads
	var retired sync.WaitGroup
	retire := func(old *config.Site) {
		retiring = append(retiring, old)
		retired.Add(1)
		go func() {
			defer retired.Done()
			ctx, cancel := context.WithTimeout(force, old.Grace)
			defer cancel()
			if err := old.Shutdown(ctx); err != nil {
				old.Logs.Error.Warn("previous configuration: grace period over; its remaining connections closed", "err", err)
			}
			old.Close()
		}()
	}
	open := func() int {
		n := cur.NumConns()
		for _, r := range retiring {
			n += r.NumConns()
		}
		return n
	}
	for {
		select {
		case err := <-failed:
			cur.Logs.Error.Error("listener failed", "err", err)
			forceNow()
			cur.Stop()
			retired.Wait()
			cur.Close()
			return 1
		case sig := <-sigs:
			switch sig {
			case reopenSignal:
				reopenLogs(cur, sig, stderr)
				continue
			case reloadSignal:
				next, errs := reload(cur)
				if next == nil {
					for _, e := range errs {
						cur.Logs.Error.Error("reload failed; keeping the running configuration", "err", e.Error())
					}
					cur.ReloadCerts()
					reopenLogs(cur, sig, stderr)
					continue
				}
				if next == cur {
					cur.Logs.Error.Info("configuration unchanged; keeping the running site", "signal", sig.String())
					cur.ReloadCerts()
					reopenLogs(cur, sig, stderr)
					continue
				}
				next.Start(failed)
				next.Logs.Error.Info("configuration reloaded", "signal", sig.String(), "site", next.Banner())
				next.ReloadCerts() // says so in the log; the pair was read by Open
				old := cur
				cur = next
				retire(old)
				continue
			}
			graceful := sig == gracefulSignal
			cur.Logs.Error.Info("shutting down", "signal", sig.String(), "grace", cur.Grace, "graceful_only", graceful)
			ctx, cancel := context.WithTimeout(force, cur.Grace)
			done := make(chan error, 1)
			go func() { done <- cur.Shutdown(ctx) }()
			var err error
		wait:
			for {
				select {
				case err = <-done:
					break wait
				case sig2 := <-sigs:
					if sig2 != os.Interrupt && sig2 != syscall.SIGTERM {
						// SIGQUIT is graceful only; reloads and reopens
						// make no sense any more.
						cur.Logs.Error.Info("already shutting down gracefully; send SIGTERM or SIGINT to stop at once", "signal", sig2.String())
						continue
					}
					cut := open()
					cur.Logs.Error.Warn(fmt.Sprintf("shutdown forced by second signal: %d connections cut", cut), "signal", sig2.String(), "connections_cut", cut)
					forceNow()
				}
			}
			cancel()
			if err != nil && force.Err() == nil {
				cur.Logs.Error.Warn("grace period over; remaining connections closed", "err", err)
			}
			retired.Wait()
			cur.Close()
			return 0
		}
	}
}

// reopenLogs reopens the running site's logs (SIGUSR1, or SIGHUP with
// an invalid configuration).
func reopenLogs(site *config.Site, sig os.Signal, stderr io.Writer) {
	if err := site.Logs.Reopen(); err != nil {
		fmt.Fprintf(stderr, "ferrox: reopening logs: %v\n", err)
		return
	}
	site.Logs.Error.Info("logs reopened", "signal", sig.String())
}
