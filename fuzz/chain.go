package fuzz

import (
	"bytes"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/parser"
)

// The chain property (issue 12, part 4): client bytes sent through a
// front end (net/http serving httputil.ReverseProxy) to the recording
// origin must never make a request reach the origin that the strict
// reading of those bytes (conformance.ReadIntent) does not contain: every
// forwarded request is one of the client's messages that the strict
// reading accepts or tolerates, in order. Go's documented leniencies are
// the commented allowlist below (chainAllowances), as in the net/http
// differential (differential_test.go).

// fuzzInputHeader tags every request the proxy forwards with the client
// connection it came from (its address as the server saw it), so what
// reaches the origin is tied to one input even when the proxy forwards
// late or reuses an upstream connection.
const fuzzInputHeader = "X-Ferrox-Fuzz-Input"

// Bounds of one input's run.
const (
	chainInputMax  = 200 * time.Millisecond // reading the client's responses, at most
	chainInputIdle = 25 * time.Millisecond  // a quiet client connection this long is done
	chainQuiet     = 10 * time.Millisecond  // the origin's quiet period before Collect returns
)

// chainEnv is the chain under test: the recording origin and the address
// of the reverse proxy in front of it.
type chainEnv struct {
	origin *conformance.Origin
	proxy  string
}

// theChain starts the chain once per process (each fuzzing worker is
// one): an origin on 127.0.0.1, httputil.NewSingleHostReverseProxy to it
// with its own Transport (no proxy from the environment), served by an
// http.Server on 127.0.0.1. They live until the process exits.
var theChain = sync.OnceValues(func() (*chainEnv, error) {
	o, err := conformance.ListenOrigin("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go o.Serve()
	target, err := url.Parse("http://" + o.Addr())
	if err != nil {
		return nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: time.Second}).DialContext,
		ResponseHeaderTimeout: 2 * time.Second,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       10 * time.Second,
	}
	direct := rp.Director
	rp.Director = func(r *http.Request) {
		direct(r)
		r.Header.Set(fuzzInputHeader, r.RemoteAddr)
	}
	quiet := log.New(io.Discard, "", 0)
	rp.ErrorLog = quiet
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: rp, ReadHeaderTimeout: 2 * time.Second, IdleTimeout: 5 * time.Second, ErrorLog: quiet}
	go srv.Serve(ln)
	return &chainEnv{origin: o, proxy: ln.Addr().String()}, nil
})

// sendThroughChain sends in on a fresh connection to the proxy, reads
// until the proxy closes, the connection is quiet or chainInputMax has
// passed, and returns the requests that reached the origin from this
// connection.
func sendThroughChain(tb TB, env *chainEnv, in []byte) []conformance.Message {
	tb.Helper()
	env.origin.Collect(0, 0) // forget whatever an earlier input left
	c, err := net.DialTimeout("tcp", env.proxy, time.Second)
	if err != nil {
		tb.Fatalf("dial the proxy: %v", err)
	}
	id := c.LocalAddr().String()
	limit := time.Now().Add(chainInputMax)
	_ = c.SetWriteDeadline(limit)
	_, _ = c.Write(in) // the proxy may close before reading it all
	buf := make([]byte, 32<<10)
	for {
		dl := time.Now().Add(chainInputIdle)
		if dl.After(limit) {
			dl = limit
		}
		_ = c.SetReadDeadline(dl)
		if _, err := c.Read(buf); err != nil {
			break
		}
	}
	c.Close()
	var got []conformance.Message
	for _, u := range env.origin.Collect(chainQuiet, chainInputMax) {
		for _, r := range u.Requests {
			if v := r.Field(fuzzInputHeader); len(v) == 1 && v[0] == id {
				got = append(got, r)
			}
		}
	}
	return got
}

// net/http reads some requests the strict reading refuses, on purpose or
// by a documented choice; where the strict reading stops at such a
// message (Intent.Hidden with HiddenWhy "framing"), net/http reads on and
// forwards what follows. goReading models net/http's reading of that one
// message's framing (its server, net/textproto and the chunked reader),
// and chainAllowances names the differences that reading may use: an
// extension of the strict reading is allowed only when every difference
// it relies on is listed, each with the RFC section and why.
var chainAllowances = map[string]string{
	// RFC 9112 §6.1: a server may process a request with both
	// Content-Length and Transfer-Encoding by the Transfer-Encoding, but it
	// MUST close the connection afterwards. net/http reads the chunked
	// body, drops Content-Length and keeps the connection (transfer.go,
	// fixLength), so the requests after the chunked body are forwarded.
	"cl-te-keep-alive": "RFC 9112 §6.1: TE overrides CL; net/http does not close after",
	// RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 request means faulty
	// framing, to be closed after. net/http ignores Transfer-Encoding in
	// HTTP/1.0 (Go issue 12785) and frames by Content-Length; with
	// "Connection: keep-alive" it reads on.
	"http10-te-ignored": "RFC 9112 §6.1: TE in HTTP/1.0 is faulty framing; net/http ignores it",
	// RFC 9112 §2.2: a recipient MAY take a bare LF as a line terminator
	// in the start-line and fields; net/textproto does.
	"bare-lf-in-head": "RFC 9112 §2.2 allows a bare LF to end a head line",
	// RFC 9112 §5.2: a recipient may replace obs-fold with SP (a server
	// MUST either reject or replace); net/textproto joins folded lines.
	"obs-fold-joined": "RFC 9112 §5.2 allows replacing obs-fold by SP",
	// NOT allowed by the RFC: a chain issue of net/http found by this
	// target. Its chunked reader refuses a bare LF in chunk lines (erratum
	// 7633), but the trailer section after the last chunk goes to
	// net/textproto, which takes a bare LF as a line end: "0\r\n\n" (or
	// a trailer line ended by LF, then LF) ends the body whenever a CRLF
	// CRLF follows within 4 KiB, and the bytes after it are read as the
	// next request. A front end ending the body at the next CRLF CRLF (a
	// trailer section read by CRLF only) hides that request from itself
	// and hands it to net/http. Listed so the fuzzer can look past it;
	// reported with corpus case smuggle-last-chunk-bare-lf-trailer-end.
	"bare-lf-ends-trailer": "net/http: a bare LF ends the trailer section (not RFC 9112 §7.1)",
}

// goFraming is net/http's framing of one request head.
type goFraming struct {
	bodyLen   int  // bytes of the body after the head
	keepAlive bool // the server reads another request after this one
	uses      []string
}

// goReading frames the request at the start of raw as net/http's server
// does, for a message the strict reading refused: the head's lines end
// at LF (a CR before it dropped), a line starting with SP or HTAB
// continues the previous field, field names are tokens followed by a
// colon; Transfer-Encoding counts in HTTP/1.1 only, as one "chunked" line;
// Content-Length lines must be identical digits; with both, the chunked
// body wins. ok=false when net/http refuses the head or its body does not
// end within raw (no reading to extend the strict one with).
func goReading(raw []byte) (headEnd int, f goFraming, ok bool) {
	var lines []string
	i := 0
	for n := 0; n < 1<<10; n++ {
		k := bytes.IndexByte(raw[i:], '\n')
		if k < 0 {
			return 0, f, false
		}
		line := raw[i : i+k]
		if bytes.HasSuffix(line, []byte("\r")) {
			line = line[:len(line)-1]
		} else if !slices.Contains(f.uses, "bare-lf-in-head") {
			f.uses = append(f.uses, "bare-lf-in-head")
		}
		if bytes.IndexByte(line, '\r') >= 0 {
			return 0, f, false // net/textproto refuses a CR inside a line
		}
		i += k + 1
		if len(line) == 0 {
			break
		}
		if (line[0] == ' ' || line[0] == '\t') && len(lines) > 1 {
			lines[len(lines)-1] += " " + strings.Trim(string(line), " \t")
			if !slices.Contains(f.uses, "obs-fold-joined") {
				f.uses = append(f.uses, "obs-fold-joined")
			}
			continue
		}
		lines = append(lines, string(line))
	}
	if len(lines) == 0 {
		return 0, f, false
	}
	rl := strings.Split(lines[0], " ")
	if len(rl) != 3 || !parser.ValidToken(rl[0]) {
		return 0, f, false
	}
	http10 := rl[2] == "HTTP/1.0"
	if !http10 && rl[2] != "HTTP/1.1" {
		return 0, f, false
	}
	var cl, te []string
	f.keepAlive = !http10
	for _, l := range lines[1:] {
		name, value, found := strings.Cut(l, ":")
		if !found || !parser.ValidToken(name) {
			return 0, f, false
		}
		value = strings.Trim(value, " \t")
		switch strings.ToLower(name) {
		case "content-length":
			cl = append(cl, value)
		case "transfer-encoding":
			te = append(te, value)
		case "connection":
			for _, tok := range strings.Split(value, ",") {
				switch strings.ToLower(strings.TrimSpace(tok)) {
				case "close":
					f.keepAlive = false
				case "keep-alive":
					f.keepAlive = f.keepAlive || http10
				}
			}
		}
	}
	n := -1
	for _, v := range cl {
		x, err := strconv.Atoi(v)
		if v == "" || strings.Trim(v, "0123456789") != "" || err != nil || n >= 0 && v != cl[0] {
			return 0, f, false
		}
		n = x
	}
	switch {
	case len(te) > 0 && http10:
		f.uses = append(f.uses, "http10-te-ignored")
	case len(te) > 0:
		if len(te) != 1 || !strings.EqualFold(te[0], "chunked") {
			return 0, f, false
		}
		if n >= 0 {
			f.uses = append(f.uses, "cl-te-keep-alive")
		}
		end, bareLF, good := goChunkedEnd(raw[i:])
		if bareLF {
			f.uses = append(f.uses, "bare-lf-ends-trailer")
		}
		f.bodyLen = end
		return i, f, good
	}
	f.bodyLen = max(n, 0)
	return i, f, i+f.bodyLen <= len(raw)
}

// goChunkedEnd returns the length of the chunked body at the start of b
// as net/http's chunked reader and its trailer reading take it: size
// lines ended by CRLF (no other CR; erratum 7633), the size in hex once
// trailing whitespace and any extension are cut, data followed by CRLF.
// After the last chunk, CRLF ends the body; anything else is a trailer
// section read by net/textproto, once a CRLF CRLF shows within the next
// 4 KiB (seeUpcomingDoubleCRLF): its lines, the empty one that ends it
// included, may end at a bare LF (bareLF reports it).
func goChunkedEnd(b []byte) (end int, bareLF, ok bool) {
	i := 0
	for n := 0; n < 1<<12; n++ {
		k := bytes.IndexByte(b[i:], '\n')
		if k < 1 || bytes.IndexByte(b[i:i+k], '\r') != k-1 {
			return 0, false, false
		}
		line := strings.TrimRight(string(b[i:i+k-1]), " \t")
		i += k + 1
		size, _, _ := strings.Cut(line, ";")
		if size == "" || len(size) > 16 || strings.Trim(size, "0123456789abcdefABCDEF") != "" {
			return 0, false, false
		}
		v, err := strconv.ParseUint(size, 16, 64)
		if err != nil || v > uint64(len(b)) {
			return 0, false, false
		}
		if v == 0 {
			return goTrailerEnd(b, i)
		}
		if len(b)-i < int(v)+2 || b[i+int(v)] != '\r' || b[i+int(v)+1] != '\n' {
			return 0, false, false
		}
		i += int(v) + 2
	}
	return 0, false, false
}

// goTrailerEnd reads the trailer section at b[i:] (after the last chunk)
// as net/http does; see goChunkedEnd.
func goTrailerEnd(b []byte, i int) (end int, bareLF, ok bool) {
	if bytes.HasPrefix(b[i:], []byte("\r\n")) {
		return i + 2, false, true
	}
	if !bytes.Contains(b[i:min(len(b), i+4096)], []byte("\r\n\r\n")) {
		return 0, false, false
	}
	for t := 0; t < 1<<10; t++ {
		k := bytes.IndexByte(b[i:], '\n')
		if k < 0 {
			return 0, false, false
		}
		line := b[i : i+k]
		if bytes.HasSuffix(line, []byte("\r")) {
			line = line[:len(line)-1]
		} else {
			bareLF = true
		}
		if bytes.IndexByte(line, '\r') >= 0 {
			return 0, false, false
		}
		i += k + 1
		switch {
		case len(line) == 0:
			return i, bareLF, true
		case line[0] == ' ' || line[0] == '\t':
			if t == 0 {
				return 0, false, false
			}
		default:
			if name, _, found := bytes.Cut(line, []byte(":")); !found || !parser.ValidToken(name) {
				return 0, false, false
			}
		}
	}
	return 0, false, false
}

// chainReading is the client's messages a forwarded request may be: the
// strict reading's (the message it stops at included: the doubt is about
// where its body ends, not whether the client sent it as a request),
// extended past that message by net/http's reading when every difference
// it uses is allowed.
type chainReading struct {
	msgs []conformance.IntentMessage
	why  []string // "" for the strict reading, else the allowances used
}

func readChain(raw []byte) chainReading {
	var cr chainReading
	off, why := 0, ""
	for pass := 0; pass < 16 && off <= len(raw); pass++ {
		in := conformance.ReadIntent(raw[off:])
		next := -1 // where net/http's reading takes over from the strict one
		var f goFraming
		for _, m := range in.Messages {
			if m.Class == conformance.IntentPartial {
				continue
			}
			cr.add(m, off, why)
			class := m.Class
			if m.Reason == "cl_and_te" {
				// Read by Transfer-Encoding with the connection closing
				// after it (RFC 9112 §6.1): the strict reading stops there
				// just as after a rejected message.
				class = conformance.IntentRejected
			}
			switch class {
			case conformance.IntentRejected:
				// The strict reading stops here (Hidden): see whether
				// net/http reads on, and how far this message goes.
				headEnd, gf, ok := goReading(raw[off+m.Start:])
				if ok {
					next, f = off+m.Start+headEnd+gf.bodyLen, gf
				}
			case conformance.IntentTolerated:
				// A head with a bare LF that the strict reading tolerates
				// as cleanly framed may still end elsewhere for a reader
				// taking the LF as a line end (a bare-LF field line then a
				// CRLF empty line ends the head there, RFC 9112 §2.2):
				// ReadIntent ends it at the next CRLF CRLF. Where net/http
				// ends the message elsewhere, its reading takes over.
				head := raw[off+m.Start : off+m.HeadEnd]
				if !hasBareLF(head) {
					continue
				}
				headEnd, gf, ok := goReading(raw[off+m.Start:])
				if ok && m.Start+headEnd+gf.bodyLen != m.End {
					next, f = off+m.Start+headEnd+gf.bodyLen, gf
				}
			}
			if next >= 0 {
				break
			}
		}
		if next < 0 || !f.keepAlive {
			return cr
		}
		for _, u := range f.uses {
			if _, allowed := chainAllowances[u]; !allowed {
				return cr
			}
		}
		off, why = next, strings.Join(f.uses, "+")
	}
	return cr
}

// hasBareLF reports whether b holds an LF not preceded by CR.
func hasBareLF(b []byte) bool {
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			return true
		}
	}
	return false
}

func (cr *chainReading) add(m conformance.IntentMessage, off int, why string) {
	m.Start += off
	m.HeadEnd += off
	m.End += off
	cr.msgs = append(cr.msgs, m)
	cr.why = append(cr.why, why)
}

// targetRewrites are the ways httputil.ReverseProxy changes a
// request-target it forwards without changing which request it is: a
// forwarded request is the client's message when the methods are equal
// (HEAD stays HEAD) and one of these says the targets are.
var targetRewrites = []struct {
	name string
	same func(client, forwarded string) bool
}{
	// The path is re-escaped from its decoded form (url.URL.EscapedPath)
	// and an absolute-form target arrives in origin-form (Message.Path is
	// already the origin-form of both).
	{"path-reescaped", func(c, f string) bool {
		c, _, _ = strings.Cut(c, "?")
		f, _, _ = strings.Cut(f, "?")
		uc, err1 := url.PathUnescape(c)
		uf, err2 := url.PathUnescape(f)
		return c == f || err1 == nil && err2 == nil && uc == uf
	}},
	// The query is not compared: ReverseProxy re-encodes a query it cannot
	// parse (cleanQueryParams: a ';' or a bad escape), dropping those
	// parameters. The path-reescaped rule compares the paths only.
	// An asterisk-form target with a method other than OPTIONS (which RFC
	// 9112 §3.2.4 does not allow; the strict reading tolerates it, its
	// framing being clean) reaches the handler as the path "*", and the
	// proxy joins it to its target's path: "/*", escaped "/%2A".
	{"asterisk-joined", func(c, f string) bool { return c == "*" && (f == "/*" || f == "/%2A") }},
}

// match returns the first message not yet used that r may be.
func (cr *chainReading) match(used []bool, r *conformance.Message) int {
	for j := range cr.msgs {
		m := &cr.msgs[j]
		if used[j] || m.Method != r.Method {
			continue
		}
		for _, tr := range targetRewrites {
			if tr.same(m.Path, r.Path) {
				return j
			}
		}
	}
	return -1
}

// checkChain is the property for one client stream.
func checkChain(t TB, in []byte) {
	t.Helper()
	env, err := theChain()
	if err != nil {
		t.Fatalf("starting the chain: %v", err)
	}
	fwd := sendThroughChain(t, env, in)
	if len(fwd) == 0 {
		return
	}
	cr := readChain(in)
	used := make([]bool, len(cr.msgs))
	for _, r := range fwd {
		j := cr.match(used, &r)
		if j < 0 {
			t.Fatalf("%s %q (%s) reached the origin through httputil.ReverseProxy; the strict reading of the client stream %q holds no such request (%s)",
				r.Method, r.Target, r.Tag, in, describeReading(cr))
		}
		used[j] = true
	}
}

func describeReading(cr chainReading) string {
	if len(cr.msgs) == 0 {
		return "it holds no request a front end may forward"
	}
	var b strings.Builder
	b.WriteString("it holds")
	for j, m := range cr.msgs {
		b.WriteString(" " + m.Method + " " + strconv.Quote(m.Path) + " [" + m.Class)
		if cr.why[j] != "" {
			b.WriteString(", allowed by " + cr.why[j])
		}
		b.WriteString("]")
	}
	return b.String()
}
