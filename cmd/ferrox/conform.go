package main

import (
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
	"github.com/ferrox/ferrox/internal/loopback"
	"github.com/ferrox/ferrox/reports"
)

// conformOptions are the parsed flags of `ferrox conform`.
type conformOptions struct {
	target      string
	tls         bool
	insecure    bool
	cacert      string // PEM file of the roots that verify the target
	roots       *x509.CertPool
	serverName  string
	cases       string
	level       string
	out         string
	formats     []string
	parallel    int
	timeout     time.Duration
	noSplits    bool
	list        bool
	fixture     string
	allowRemote bool
	noPreflight bool     // skip the fixture preflight
	prefix      string   // the path the fixture is served under (cleaned: "/x/")
	noFixture   bool     // run only the fixture-free cases, preflight GET / only
	args        []string // the command line after "conform", for the reports

	expectFailures string // file of case ids/globs known to fail
	baseline       string // an earlier conformance.json whose failures are known
	writeExpect    string // write the failing ids here after the run
	known          map[string]bool
	against        string // the sources of known, for the reports
	sel            selection
	verbose        bool   // print the results as a tree by section
	via            string // chain mode: the front end to send the cases to
	origin         string // chain mode: where the recording origin listens
	mutate         int    // chain mode: add this many mutations of the smuggling and chain cases
	seed           uint64 // chain mode: the mutations' random seed
}

// reportFiles maps a --format name to the files it writes in --out.
var reportFiles = map[string][]string{
	"md":    {"conformance.md", "coverage.md"},
	"html":  {"conformance.html"},
	"json":  {"conformance.json"},
	"junit": {"junit.xml"},
}

func conformUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `usage: ferrox conform --target HOST:PORT [flags]
       ferrox conform --via FRONT:PORT [--origin HOST:PORT] [flags]
       ferrox conform --list [--cases GLOB] [--section GLOB] [--group G] [--skip GLOB] [--level L]
       ferrox conform --fixture DIR

Replays the RFC 9112 request corpus against any HTTP/1.1 server (serve the
fixture tree written by --fixture as its document root, or below a path of
a real site with --prefix /PATH/) and judges every response. A preflight
first fetches /canary.txt, /a.txt and /index.html (below the prefix) and
stops (exit 2) when they are not the fixture's (--no-preflight skips it).

--no-fixture runs only the fixture-free cases (the message group): RFC 9112
message-level cases that ask for / alone, so an application server or a
proxy can be graded as it is. A well-formed message passes with any answer
that is not a rejection (2xx, 3xx, or a 4xx other than 400, 408, 411, 413,
414, 417, 431); a malformed or smuggling one must be rejected. The
preflight then only checks that GET / is answered that way.

With --via, the cases go to a front end (reverse proxy, load balancer)
configured to forward to --origin, where conform runs a recording origin: it
keeps the bytes the front end forwards, frames them strictly, and the chain
judge compares them with what the client meant (smuggled requests, malformed
bytes forwarded, missing rewrites). Cases run one at a time.

Exit status: 0 no MUST/safety failure, 1 a MUST/safety case failed, 2 usage
error, unreachable target or fixture not served. With --expect-failures or
--baseline, 1 only when a MUST/safety case fails that is not known to fail;
the console and conformance.md list the newly failing and the fixed cases.

flags:
`)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

func parseConformFlags(args []string, stderr io.Writer) (*conformOptions, int) {
	o := &conformOptions{}
	fs := flag.NewFlagSet("conform", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.target, "target", "", "server to test, `HOST:PORT` (loopback unless --allow-remote)")
	fs.BoolVar(&o.tls, "tls", false, "connect with TLS (ALPN http/1.1)")
	fs.BoolVar(&o.insecure, "insecure", false, "with --tls: accept any certificate (self-signed)")
	fs.StringVar(&o.serverName, "server-name", "", "with --tls: server name to send (SNI) and verify (default: the target host; an IP is verified against the certificate's IP addresses)")
	fs.StringVar(&o.serverName, "sni", "", "same as --server-name")
	fs.StringVar(&o.cacert, "cacert", "", "with --tls: verify the target's certificate against the CA certificates in `FILE` (PEM) instead of the system roots")
	fs.StringVar(&o.cases, "cases", "", "run only cases whose id matches one of these comma-separated `GLOB`s (path.Match)")
	fs.StringVar(&o.level, "level", "all", "`LEVEL` of cases to run: must (MUST+safety), should (+SHOULD), all (+MAY, policy)")
	sections := fs.String("section", "", "run only cases whose RFC section matches one of these comma-separated `GLOB`s, e.g. 'RFC9112 6.*' (a trailing .* also matches the section itself)")
	groups := fs.String("group", "", "run only cases of these comma-separated `GROUPS` (globs), e.g. chunked,smuggling")
	skip := fs.String("skip", "", "leave out cases whose id matches one of these comma-separated `GLOB`s")
	fs.StringVar(&o.out, "out", filepath.Join("out", "conform"), "`DIR` for the reports")
	format := fs.String("format", "md,html,json,junit", "comma-separated report `FORMATS`: md, html, json, junit")
	fs.IntVar(&o.parallel, "parallel", 4, "connections in flight at once")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Second, "per-read timeout")
	fs.BoolVar(&o.noSplits, "no-splits", false, "skip replaying split-mode cases at every byte offset")
	fs.BoolVar(&o.list, "list", false, "list the selected cases and exit")
	fs.BoolVar(&o.verbose, "v", false, "print the results as a tree by RFC section (every section, each case that did not pass)")
	fs.BoolVar(&o.verbose, "verbose", false, "same as -v")
	fs.StringVar(&o.fixture, "fixture", "", "write the fixture tree the corpus expects to `DIR` and exit")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, allowRemoteHelp)
	fs.BoolVar(&o.noPreflight, "no-preflight", false, "do not check first that the target serves the fixture (GET /canary.txt, /a.txt, /index.html)")
	fs.StringVar(&o.prefix, "prefix", "/", "the fixture is served below `PATH` of the site (e.g. /ferrox/): every case's target is moved below it, except targets about the request-line's syntax, traversal above the root and leading-slash probes")
	fs.BoolVar(&o.noFixture, "no-fixture", false, "run only the fixture-free cases (the message group: message-level RFC 9112 cases judged on whatever / answers), for a server that does not serve the fixture")
	fs.StringVar(&o.expectFailures, "expect-failures", "", "`FILE` of case ids or globs known to fail (one a line, # comments): they do not fail the run")
	fs.StringVar(&o.baseline, "baseline", "", "an earlier `REPORT.json` (conformance.json): its failing cases do not fail the run")
	fs.StringVar(&o.writeExpect, "write-expect-failures", "", "after the run, write the failing MUST/safety case ids to `FILE` (for --expect-failures)")
	fs.StringVar(&o.via, "via", "", "chain mode: send the cases to the front end at `HOST:PORT` (instead of --target)")
	fs.StringVar(&o.origin, "origin", "127.0.0.1:8081", "chain mode: run the recording origin on `HOST:PORT`; the front end must forward there (loopback only)")
	fs.IntVar(&o.mutate, "mutate", 0, "chain mode: also run `N` structured mutations (case, whitespace, duplicates, obfuscated CL/TE/Host, bare LF) of the selected smuggling and chain cases; failing ones are written as case files to --out/mutations")
	fs.Uint64Var(&o.seed, "seed", 1, "chain mode: random `SEED` of --mutate (the same seed gives the same mutations)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			conformUsage(stderr, fs)
			return nil, 0
		}
		fmt.Fprintf(stderr, "ferrox conform: %v\n", err)
		conformUsage(stderr, fs)
		return nil, 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ferrox conform: unexpected argument %q\n", fs.Arg(0))
		return nil, 2
	}
	switch o.level {
	case "must", "should", "all":
	default:
		fmt.Fprintf(stderr, "ferrox conform: --level %q: want must, should or all\n", o.level)
		return nil, 2
	}
	for _, f := range strings.Split(*format, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if _, ok := reportFiles[f]; !ok {
			fmt.Fprintf(stderr, "ferrox conform: --format %q: want md, html, json or junit\n", f)
			return nil, 2
		}
		o.formats = append(o.formats, f)
	}
	if o.parallel < 1 || o.parallel > 256 {
		fmt.Fprintf(stderr, "ferrox conform: --parallel %d: want 1..256\n", o.parallel)
		return nil, 2
	}
	if o.mutate < 0 || o.mutate > 100000 {
		fmt.Fprintf(stderr, "ferrox conform: --mutate %d: want 0..100000\n", o.mutate)
		return nil, 2
	}
	if o.timeout <= 0 {
		fmt.Fprintf(stderr, "ferrox conform: --timeout %s: want a positive duration\n", o.timeout)
		return nil, 2
	}
	if !o.tls && (o.cacert != "" || o.serverName != "" || o.insecure) {
		fmt.Fprintln(stderr, "ferrox conform: --cacert, --sni/--server-name and --insecure need --tls")
		return nil, 2
	}
	if o.cacert != "" {
		var err error
		if o.roots, err = loadRoots(o.cacert); err != nil {
			fmt.Fprintf(stderr, "ferrox conform: --cacert: %v\n", err)
			return nil, 2
		}
	}
	p, err := conformance.CleanPrefix(o.prefix)
	if err != nil {
		fmt.Fprintf(stderr, "ferrox conform: --prefix: %v\n", err)
		return nil, 2
	}
	o.prefix = p
	o.args = args
	o.sel = selection{level: o.level, ids: splitList(o.cases), sections: splitList(*sections), groups: splitList(*groups), skip: splitList(*skip), fixtureFree: o.noFixture}
	if err := o.sel.validate(); err != nil {
		fmt.Fprintf(stderr, "ferrox conform: %v\n", err)
		return nil, 2
	}
	return o, -1
}

// checkTarget checks the --target syntax, then the loopback rule: the
// runner sends deliberately malformed and smuggling requests.
func checkTarget(r loopback.Resolver, target string, allowRemote bool) error {
	if _, port, err := net.SplitHostPort(target); err != nil || port == "" {
		return fmt.Errorf("--target %q: want HOST:PORT", target)
	}
	return refuseRemote(r, target, allowRemote)
}

func cmdConform(args []string, stdout, stderr io.Writer) int {
	return runConform(args, stdout, stderr, net.DefaultResolver)
}

// runConform is cmdConform with the resolver of the loopback check passed
// in, so tests resolve names without DNS traffic.
func runConform(args []string, stdout, stderr io.Writer, resolver loopback.Resolver) int {
	o, code := parseConformFlags(args, stderr)
	if o == nil {
		return code
	}
	if o.fixture != "" {
		if err := corpusWriteFixture(o.fixture); err != nil {
			fmt.Fprintf(stderr, "ferrox conform: --fixture: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "wrote the conformance fixture to %s\n", o.fixture)
		return 0
	}
	all, err := corpusCases()
	if err != nil {
		fmt.Fprintf(stderr, "ferrox conform: loading the corpus: %v\n", err)
		return 2
	}
	if o.known, o.against, err = loadKnownFailures(o, all); err != nil {
		fmt.Fprintf(stderr, "ferrox conform: %v\n", err)
		return 2
	}
	cases, err := o.sel.apply(all)
	if err != nil {
		fmt.Fprintf(stderr, "ferrox conform: %v\n", err)
		return 2
	}
	if o.list {
		for _, c := range cases {
			fmt.Fprintf(stdout, "%-40s %-7s %-18s %s\n", c.ID, c.Level, c.Section, c.Checks)
		}
		return 0
	}
	if o.via != "" {
		if o.prefix != "/" {
			fmt.Fprintln(stderr, "ferrox conform: --prefix is for --target: in a chain run the recording origin answers every path")
			return 2
		}
		if o.target != "" {
			fmt.Fprintln(stderr, "ferrox conform: --via and --target exclude each other: --via sends to a front end, --target to a server")
			return 2
		}
		return runChain(o, cases, stdout, stderr, resolver)
	}
	if o.target == "" {
		fmt.Fprintln(stderr, "ferrox conform: --target HOST:PORT is required (or --via FRONT:PORT, --list, --fixture DIR)")
		return 2
	}
	if err := checkTarget(resolver, o.target, o.allowRemote); err != nil {
		fmt.Fprintf(stderr, "ferrox conform: %v\n", err)
		return 2
	}

	cfg := conformance.Config{
		Target:             o.target,
		TLS:                o.tls,
		InsecureSkipVerify: o.insecure,
		ServerName:         o.serverName,
		RootCAs:            o.roots,
		Timeout:            o.timeout,
		Parallel:           o.parallel,
		NoSplits:           o.noSplits,
		Prefix:             o.prefix,
	}
	var check func(context.Context, conformance.Config) (conformance.PreflightInfo, error)
	if !o.noPreflight {
		check = preflight
		if o.noFixture {
			check = preflightRoot
		}
	}
	return gradeRun(o, cfg, cases, stdout, stderr, check, conformance.RunCases)
}

// preflight is conformance.Preflight with the remedy spelled out: the
// cases only mean something against a server that serves the fixture (at
// its document root, or below --prefix). The fixture-free cases' root
// status is learnt on the way.
func preflight(ctx context.Context, cfg conformance.Config) (conformance.PreflightInfo, error) {
	info, err := conformance.Preflight(ctx, cfg)
	var fe *conformance.FixtureError
	if errors.As(err, &fe) {
		where := "as the document root of " + cfg.Target
		if cfg.Prefix != "" && cfg.Prefix != "/" {
			where = "at " + cfg.Prefix + " of " + cfg.Target
		}
		return info, fmt.Errorf("the target does not serve the conformance fixture: GET %s: %s\n"+
			"  write the fixture with `ferrox conform --fixture DIR` and serve DIR %s (--prefix /PATH/ when it lives below a path),\n"+
			"  or pass --no-fixture to run only the cases that need no fixture,\n"+
			"  or pass --no-preflight to run the cases anyway (every case that reads a fixture file will fail)",
			fe.Path, fe.Problem, where)
	}
	if err != nil {
		return info, err
	}
	root, err := conformance.PreflightRoot(ctx, cfg)
	if err == nil {
		info.RootStatus = root.RootStatus
	}
	return info, nil
}

// preflightRoot is the preflight of --no-fixture: GET / must be answered
// without a rejection.
func preflightRoot(ctx context.Context, cfg conformance.Config) (conformance.PreflightInfo, error) {
	info, err := conformance.PreflightRoot(ctx, cfg)
	var fe *conformance.FixtureError
	if errors.As(err, &fe) {
		return info, fmt.Errorf("GET %s on %s: %s\n  (pass --no-preflight to run the cases anyway)", fe.Path, cfg.Target, fe.Problem)
	}
	return info, err
}

// gradeRun probes the target, runs the cases with progress on a terminal,
// writes the reports and the summary, and returns the exit status. check,
// when set, runs after the probe (the chain probe); a chain run's findings
// and mutations are summarised and written too.
func gradeRun(o *conformOptions, cfg conformance.Config, cases []corpus.Case, stdout, stderr io.Writer,
	check func(context.Context, conformance.Config) (conformance.PreflightInfo, error),
	runCases func(context.Context, conformance.Config, []corpus.Case) (*conformance.Run, error)) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := conformance.Probe(ctx, cfg); err != nil {
		fmt.Fprintf(stderr, "ferrox conform: %v\n", err)
		return 2
	}
	var info conformance.PreflightInfo
	if check != nil {
		var err error
		if info, err = check(ctx, cfg); err != nil {
			fmt.Fprintf(stderr, "ferrox conform: %v\n", err)
			return 2
		}
		cfg.RootStatus = info.RootStatus
	}
	tty := isTerminal(stderr)
	if tty {
		cfg.Progress = func(done, total int) {
			fmt.Fprintf(stderr, "\r[%d/%d] running...", done, total)
		}
	}
	run, err := runCases(ctx, cfg, cases)
	if run == nil {
		fmt.Fprintf(stderr, "ferrox conform: %v\n", err)
		return 2
	}
	if tty {
		fmt.Fprint(stderr, "\r")
	}
	if info.Server != "" {
		run.Server = info.Server
	}
	run.Grader, run.CorpusRev, run.Options = "ferrox "+version, corpusRevision(), shellJoin(o.args)
	fmt.Fprintf(stderr, "[%d/%d] done in %s\n", len(run.Results), len(cases), run.Duration.Round(time.Millisecond))
	if err != nil {
		fmt.Fprintf(stderr, "ferrox conform: interrupted: %v (reporting what finished)\n", err)
	}

	var gate *reports.Gate
	if o.known != nil {
		gate = reports.CompareGate(run, o.known, o.against)
	}
	written, werr := writeConformReports(run, gate, o)
	if werr == nil && o.writeExpect != "" {
		werr = writeExpectFailures(o.writeExpect, run)
		if werr == nil {
			written = append(written, o.writeExpect)
		}
	}
	if werr == nil && o.mutate > 0 {
		var mw []string
		mw, werr = writeMutationFindings(run, o.out)
		written = append(written, mw...)
	}
	if o.verbose {
		printTree(stdout, run)
	} else {
		printResults(stdout, run)
	}
	mustFailed := slices.ContainsFunc(run.Results, func(r conformance.Result) bool { return reports.Failing(&r) })
	if run.Origin != "" {
		summarizeFindings(stdout, run)
	}
	if gate != nil {
		summarizeGate(stdout, gate)
		mustFailed = gate.Regressed()
	}
	for _, f := range written {
		fmt.Fprintf(stdout, "wrote %s\n", f)
	}
	fmt.Fprintln(stdout, provenanceLine(run))
	fmt.Fprintln(stdout, summaryLine(run, gate))
	if werr != nil {
		fmt.Fprintf(stderr, "ferrox conform: writing reports: %v\n", werr)
		return 1
	}
	if mustFailed || err != nil {
		return 1
	}
	return 0
}

// writeConformReports renders the chosen formats into o.out, each through
// a temporary file renamed into place.
func writeConformReports(run *conformance.Run, gate *reports.Gate, o *conformOptions) ([]string, error) {
	if len(o.formats) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return nil, err
	}
	var written []string
	for _, f := range o.formats {
		for _, name := range reportFiles[f] {
			rep, err := reporterFor(name, run, gate)
			if err != nil {
				return written, err
			}
			p := filepath.Join(o.out, name)
			if err := writeFileAtomic(p, rep); err != nil {
				return written, err
			}
			written = append(written, p)
		}
	}
	return written, nil
}

func reporterFor(name string, run *conformance.Run, gate *reports.Gate) (reports.Reporter, error) {
	switch name {
	case "conformance.md":
		return reports.ConformMarkdownGate(run, gate), nil
	case "coverage.md":
		reqs, err := corpusRequirements()
		if err != nil {
			return nil, err
		}
		return reports.Coverage(run, reqs), nil
	case "conformance.html":
		return reports.ConformHTMLGate(run, gate), nil
	case "conformance.json":
		return reports.ConformJSONGate(run, gate), nil
	case "junit.xml":
		return reports.ConformJUnitGate(run, gate), nil
	}
	return nil, fmt.Errorf("no reporter for %s", name)
}

// The corpus entry points, as seams the command's tests can replace.
var (
	corpusCases        = corpus.All
	corpusWriteFixture = corpus.WriteFixture
	corpusRequirements = corpus.Requirements
	corpusRevision     = corpus.Revision
)

// shellJoin writes args as one shell line: an argument holding anything
// but letters, digits and -_./:=,@+ is single-quoted.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		plain := a != ""
		for _, r := range a {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@+", r)) {
				plain = false
				break
			}
		}
		if plain {
			out[i] = a
		} else {
			out[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}

// summarizeGate prints the comparison with the known failures: the newly
// failing and the fixed cases, one a line.
func summarizeGate(w io.Writer, g *reports.Gate) {
	fmt.Fprintf(w, "against %s: %d newly failing, %d fixed, %d still failing\n", g.Against, len(g.NewlyFailing), len(g.Fixed), len(g.StillFailing))
	for _, part := range []struct {
		title string
		rs    []*conformance.Result
	}{{"newly failing", g.NewlyFailing}, {"fixed", g.Fixed}} {
		for _, r := range part.rs {
			fmt.Fprintf(w, "  %-13s %-40s %-16s %s\n", part.title, r.Case.ID, r.Case.Section, oneLine(r.Reason))
		}
	}
}

// loadRoots reads PEM CA certificates (--cacert) into a pool.
func loadRoots(p string) (*x509.CertPool, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s holds no PEM certificate", p)
	}
	return pool, nil
}
