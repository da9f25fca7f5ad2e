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
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ferrox/ferrox/conformance"
)

func originUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, `usage: ferrox origin [--listen HOST:PORT] --record DIR

Runs the recording origin on its own, for a chain you wire up yourself: point
a front end's upstream at --listen, send it anything, and read what it
forwarded. Every upstream connection's raw bytes go to DIR/conn-N.raw and
the requests the strict parser framed from them (or where it refused them) to
DIR/conn-N.txt; each request is answered with a 200 naming it in an
X-Ferrox-Origin field ("cN rM"), so a response seen by the client ties back
to the forwarded request. A connection that holds an incomplete message for
--quiet is closed. Stops on SIGINT or SIGTERM.

flags:
`)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

func cmdOrigin(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("origin", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	listen := fs.String("listen", "127.0.0.1:8081", "listen on `HOST:PORT` (loopback only)")
	dir := fs.String("record", "", "write each upstream connection to `DIR` (created if missing)")
	quiet := fs.Duration("quiet", 2*time.Second, "close a connection whose message stays incomplete this long")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			originUsage(stderr, fs)
			return 0
		}
		fmt.Fprintf(stderr, "ferrox origin: %v\n", err)
		originUsage(stderr, fs)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ferrox origin: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *dir == "" {
		fmt.Fprintln(stderr, "ferrox origin: --record DIR is required")
		return 2
	}
	if *quiet <= 0 {
		fmt.Fprintf(stderr, "ferrox origin: --quiet %s: want a positive duration\n", *quiet)
		return 2
	}
	if err := checkFlagAddr("--listen", net.DefaultResolver, *listen, false); err != nil {
		fmt.Fprintf(stderr, "ferrox origin: %v\n", err)
		return 2
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "ferrox origin: --record: %v\n", err)
		return 2
	}
	o, err := conformance.ListenOrigin(*listen)
	if err != nil {
		fmt.Fprintf(stderr, "ferrox origin: --listen %s: %v\n", *listen, err)
		return 2
	}
	rec := &recorder{dir: *dir, out: stdout}
	o.OnUpstream = rec.write
	go func() { _ = o.Serve() }()
	fmt.Fprintf(stdout, "recording origin on %s, writing to %s\n", o.Addr(), *dir)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for ctx.Err() == nil {
		// Collect returns after --quiet of silence (or at most 2×), closing
		// only connections left with an incomplete message.
		o.Collect(*quiet, 2**quiet)
	}
	o.Collect(0, 0)
	_ = o.Close()
	if rec.err != nil {
		fmt.Fprintf(stderr, "ferrox origin: writing records: %v\n", rec.err)
		return 1
	}
	return 0
}

// recorder appends each upstream record to its connection's files.
type recorder struct {
	dir string
	out io.Writer
	mu  sync.Mutex
	err error
}

func (r *recorder) write(u conformance.Upstream) {
	r.mu.Lock()
	defer r.mu.Unlock()
	base := filepath.Join(r.dir, "conn-"+strconv.Itoa(u.Conn))
	if err := appendFile(base+".raw", u.Raw); err != nil && r.err == nil {
		r.err = err
	}
	var b strings.Builder
	for _, m := range u.Requests {
		fmt.Fprintf(&b, "%s %s %s %s framing=%s body=%d bytes=%d-%d\n", m.Tag, m.Method, strconv.Quote(m.Target), m.Proto, m.Framing, m.BodyLen, m.Start, m.End)
		fmt.Fprintf(r.out, "%s %s %s (%d body bytes)\n", m.Tag, m.Method, strconv.Quote(m.Target), m.BodyLen)
	}
	if u.Reject != "" {
		fmt.Fprintf(&b, "c%d refused at byte %d: %s (%d)\n", u.Conn, u.RejectAt, u.Reject, u.RejectStatus)
		fmt.Fprintf(r.out, "c%d refused at byte %d: %s (%d)\n", u.Conn, u.RejectAt, u.Reject, u.RejectStatus)
	}
	if u.Pending > 0 && u.Reject == "" {
		fmt.Fprintf(&b, "c%d ended with %d bytes of an incomplete message (closed by %s)\n", u.Conn, u.Pending, u.Closed)
	}
	if err := appendFile(base+".txt", []byte(b.String())); err != nil && r.err == nil {
		r.err = err
	}
}

func appendFile(p string, b []byte) error {
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	return werr
}
