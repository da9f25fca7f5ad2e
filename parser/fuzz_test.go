package parser

// The native fuzz targets of the parser and everything they run. They
// also build as libFuzzer binaries with go-118-fuzz-build (what
// ClusterFuzzLite and OSS-Fuzz run; make fuzz-libfuzzer): that tool
// compiles the package's non-test files plus only the file holding the
// target, with this file's unnamed import "testing" replaced by its shim,
// and calls FuzzX(f) again for every input. So this file calls nothing
// from the package's other test files: the properties, the request views
// and the request generator live here (the rapid checks, the corpus
// tables and the unit tests in the other files use them too), and what
// only go test needs comes in through fuzzParseSeeds.

import (
	"bytes"
	"errors"
	"flag"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	// Package testing itself, under a name go-118-fuzz-build's rewrite
	// leaves alone (it replaces only the unnamed import): fuzzRapid needs
	// a real *testing.T for rapid.MakeFuzz.
	stdtesting "testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// fuzzParseSeeds adds FuzzParse's seeds beyond its own: the benchmark
// requests and the error cases (parse_test.go sets it). go-118-fuzz-build
// does not compile that file, so under libFuzzer it is nil, which is as
// well: there f.Add is a no-op, FuzzParse runs for every input, and the
// seed corpus comes from scripts/fuzzseeds.
var fuzzParseSeeds func(f *testing.F)

// FuzzParse: no panic, views inside the input, accepted requests
// re-serialise and re-parse equal, whole and byte-at-a-time feeding agree
// (checkParseInvariants).
func FuzzParse(f *testing.F) {
	if fuzzParseSeeds != nil {
		fuzzParseSeeds(f)
	}
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"\r\n\r\nOPTIONS * HTTP/1.1\r\nHost:\r\n\r\n",
		"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
		"GET http://[v1.x]:80/p?q HTTP/1.1\r\nHost: [::ffff:1.2.3.4]\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nX:\t\xff\xfe \t\r\n\r\nGET / HTTP/1.1\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkParseInvariants(t, in) })
}

// FuzzChunked: decoding whole and in small pieces agree.
func FuzzChunked(f *testing.F) {
	for _, s := range []string{
		"5\r\nhello\r\n0\r\n\r\n",
		"3;a=b\r\nabc\r\nA\r\n0123456789\r\n0\r\nX: y\r\n\r\nleft",
		"0000\r\n\r\n",
		"5 ;a\r\nhello\r\n0\r\n\r\n",
		"5\nhello\r\n0\r\n\r\n",
		"5\r\nhelloX\r\n",
		"ffffffffffffffffff\r\n",
		"0x5\r\nhello\r\n",
		"5;a=\"b\\\"c\"\r\nhello\r\n0\r\n\r\n",
		"0\r\nX : y\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkChunkedInvariants(t, in) })
}

// FuzzRoundTrip drives the generated-request property from fuzz input.
func FuzzRoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, in []byte) { fuzzRapid(t, propSplit, in) })
}

// testingInit registers the testing flags and marks the flags parsed,
// once: a bare testing.T logs through those flags, and rapid's state
// machines call testing.Short, which panics before flag.Parse. In a test
// binary both are done already and this changes nothing.
var testingInit = sync.OnceFunc(func() {
	stdtesting.Init()
	if !flag.Parsed() {
		_ = flag.CommandLine.Parse(nil)
	}
})

// fuzzRapid runs the rapid property prop on a fuzz input: under go test
// exactly rapid.MakeFuzz(prop)(t, in). Under libFuzzer t is the shim's T,
// which rapid.MakeFuzz cannot take: prop then runs with a bare
// testing.T on its own goroutine (rapid's SkipNow for an input it cannot
// use ends that goroutine) and a failure is reported through t, so the
// input crashes. A bare T drops rapid's own report: replay the crash
// input under go test (scripts/fuzzseeds -decode) for it. The same
// adapter as fuzz/engine.go's, which cannot be imported from here.
func fuzzRapid(t *testing.T, prop func(*rapid.T), in []byte) {
	t.Helper()
	if st, ok := any(t).(*stdtesting.T); ok {
		rapid.MakeFuzz(prop)(st, in)
		return
	}
	testingInit()
	var bare stdtesting.T
	done := make(chan any, 1)
	go func() {
		defer func() { done <- recover() }()
		rapid.MakeFuzz(prop)(&bare, in)
	}()
	// A failure marks the bare T failed and ends the goroutine; a panic
	// that escapes rapid is a failure too.
	if r := <-done; r != nil || bare.Failed() {
		t.Fatalf("rapid property failed on this input (%v); replay it with go test for rapid's report", r)
	}
}

// Property bodies shared by the rapid checks, the native fuzz targets and
// the corpus ("one property, many runners").

// failer is what the properties need from a test: testing.TB and
// *rapid.T both have it.
type failer interface {
	Fatalf(format string, args ...any)
}

func helper(tb failer) {
	if h, ok := tb.(interface{ Helper() }); ok {
		h.Helper()
	}
}

// inside reports whether v is nil or a view into in, where cap(in) ==
// len(in): then v = in[a:b] means cap(v) = len(in)-a, and the address of
// in[a] must be v's.
func inside(in, v []byte) bool {
	if v == nil {
		return true
	}
	a := len(in) - cap(v)
	if a < 0 || a+len(v) > len(in) {
		return false
	}
	if cap(v) == 0 {
		return true
	}
	return &v[:1][0] == &in[a]
}

// checkRequestViews fails tb unless every view of req lies inside in.
func checkRequestViews(tb failer, in []byte, req *Request) {
	helper(tb)
	for _, v := range [][]byte{req.Method, req.Target, req.Path, req.Query, req.Host} {
		if !inside(in, v) {
			tb.Fatalf("Parse(%q): view %q is not inside the input", in, v)
		}
	}
	for _, f := range req.Fields() {
		if !inside(in, f.Name) || !inside(in, f.Value) {
			tb.Fatalf("Parse(%q): field %q: %q is not inside the input", in, f.Name, f.Value)
		}
	}
}

// serialize writes req back in the plain form: method SP target SP version
// CRLF, "name: value" CRLF per field, CRLF.
func serialize(req *Request) []byte {
	var b bytes.Buffer
	b.Write(req.Method)
	b.WriteByte(' ')
	b.Write(req.Target)
	b.WriteString(" HTTP/" + strconv.Itoa(int(req.Version.Major)) + "." + strconv.Itoa(int(req.Version.Minor)) + "\r\n")
	for _, f := range req.Fields() {
		b.Write(f.Name)
		b.WriteString(": ")
		b.Write(f.Value)
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// outcome is what a parse of some input amounted to.
type outcome struct {
	N      int
	Err    string // "" accepted, "need_more", or "status reason"
	Status int
	View   reqView
}

func outcomeOf(n int, req *Request, err error) outcome {
	var pe *Error
	switch {
	case err == nil:
		return outcome{N: n, View: viewOf(req)}
	case err == ErrNeedMore:
		return outcome{Err: "need_more"}
	case errors.As(err, &pe):
		return outcome{Err: strconv.Itoa(pe.Status) + " " + pe.Reason, Status: pe.Status}
	}
	return outcome{Err: "untyped: " + err.Error()}
}

// checkParseInvariants is the parser's main property over arbitrary bytes:
//   - Parse never panics and answers need-more, a request, or *Error;
//   - an accepted request's views lie inside the input;
//   - an accepted request re-serialises to bytes that parse to the same
//     request;
//   - feeding the input one byte more per call gives the same outcome
//     (accepted identically, or rejected with the same status and reason).
func checkParseInvariants(tb failer, in []byte) {
	helper(tb)
	in = in[:len(in):len(in)]
	var p Parser
	req := new(Request)
	n, err := p.Parse(in, req)
	whole := outcomeOf(n, req, err)
	if whole.Err != "" && whole.Err != "need_more" && whole.Status == 0 {
		tb.Fatalf("Parse(%q) = %v; want ErrNeedMore or *Error", in, err)
	}
	if err == nil {
		if n <= 0 || n > len(in) || req.HeadLen != n {
			tb.Fatalf("Parse(%q) = %d (HeadLen %d); out of range", in, n, req.HeadLen)
		}
		checkRequestViews(tb, in, req)
		re := serialize(req)
		n2, req2, err2 := parseAll(re)
		if err2 != nil || n2 != len(re) {
			tb.Fatalf("re-serialised %q from %q: Parse = %d, %v", re, in, n2, err2)
		}
		want := viewOf(req)
		want.HeadLen = len(re)
		if d := cmp.Diff(want, viewOf(req2)); d != "" {
			tb.Fatalf("re-serialised %q from %q parses differently (-first +second):\n%s", re, in, d)
		}
	}
	if len(in) <= 4096 {
		n3, req3, err3 := parseTrickle(in)
		if d := cmp.Diff(whole, outcomeOf(n3, req3, err3)); d != "" {
			tb.Fatalf("Parse(%q) whole vs one byte at a time (-whole +trickle):\n%s", in, d)
		}
	}
}

// decodeChunked feeds in to a fresh decoder in pieces of at most step
// bytes (0: all at once) and returns the data, done and the error.
func decodeChunked(in []byte, step int) (data []byte, done bool, rest int, err error) {
	in = in[:len(in):len(in)]
	var d ChunkedDecoder
	pos := 0
	end := 0
	for pos < len(in) {
		if step == 0 {
			end = len(in)
		} else {
			end = min(len(in), max(end, pos)+step)
		}
		for pos < end {
			n, b, dn, e := d.Decode(in[pos:end])
			if e != nil {
				return data, false, 0, e
			}
			if !inside(in, b) {
				return data, false, 0, errors.New("data view outside the input")
			}
			data = append(data, b...)
			pos += n
			if dn {
				return data, true, len(in) - pos, nil
			}
			if n == 0 {
				break // wants more than in[pos:end]
			}
		}
	}
	return data, false, 0, nil
}

// checkChunkedInvariants: decoding in whole and one byte at a time agree
// (data, done, bytes left after the body, error status and reason).
func checkChunkedInvariants(tb failer, in []byte) {
	helper(tb)
	type res struct {
		Data string
		Done bool
		Rest int
		Err  string
	}
	run := func(step int) res {
		data, done, rest, err := decodeChunked(in, step)
		r := res{Data: string(data), Done: done, Rest: rest}
		var ce *Error
		if err != nil {
			if !errors.As(err, &ce) {
				tb.Fatalf("Decode(%q): untyped error %v", in, err)
			}
			r = res{Err: strconv.Itoa(ce.Status) + " " + ce.Reason}
		}
		return r
	}
	whole := run(0)
	for _, step := range []int{1, 2, 7} {
		if d := cmp.Diff(whole, run(step)); d != "" {
			tb.Fatalf("Decode(%q) whole vs steps of %d (-whole +split):\n%s", in, step, d)
		}
	}
}

// reqView is a comparable copy of a Request (views as strings, nil as
// "<nil>") for cmp.Diff.
type reqView struct {
	Method, Target, Path, Query, Host string
	Form                              Form
	Version                           Version
	Framing                           FramingKind
	ContentLength                     int64
	KeepAlive, Expect100, ExpectOther bool
	HeadLen                           int
	Fields                            []string
}

func str(b []byte) string {
	if b == nil {
		return "<nil>"
	}
	return string(b)
}

func viewOf(r *Request) reqView {
	v := reqView{
		Method: str(r.Method), Target: str(r.Target), Path: str(r.Path), Query: str(r.Query), Host: str(r.Host),
		Form: r.Form, Version: r.Version, Framing: r.Framing, ContentLength: r.ContentLength,
		KeepAlive: r.KeepAlive, Expect100: r.Expect100, ExpectOther: r.ExpectOther, HeadLen: r.HeadLen,
	}
	for _, f := range r.Fields() {
		v.Fields = append(v.Fields, string(f.Name)+": "+string(f.Value))
	}
	return v
}

// parseAll parses in as one buffer (with cap == len, so views can be
// checked against it).
func parseAll(in []byte) (int, *Request, error) {
	in = in[:len(in):len(in)]
	var p Parser
	req := new(Request)
	n, err := p.Parse(in, req)
	return n, req, err
}

// parseTrickle feeds in one byte more per call, as a slow client would,
// and returns the first result that is not ErrNeedMore.
func parseTrickle(in []byte) (int, *Request, error) {
	in = in[:len(in):len(in)]
	var p Parser
	req := new(Request)
	for k := 0; k <= len(in); k++ {
		n, err := p.Parse(in[:k], req)
		if err != ErrNeedMore {
			return n, req, err
		}
	}
	return 0, req, ErrNeedMore
}

// genRequest is a generated valid request: its bytes (head, body,
// pipelined leftovers) and what Parse must return for it.
type genRequest struct {
	raw     []byte
	headLen int
	want    reqView
}

var (
	genToken    = rapid.StringMatching(`[A-Za-z0-9!#$%&'*+.^_|~-]{1,12}`)
	genRegName  = rapid.StringMatching(`[a-z0-9-]{1,10}(\.[a-z0-9-]{1,10}){0,2}`)
	genPort     = rapid.StringMatching(`(:[0-9]{1,5})?`)
	genPath     = rapid.StringMatching(`/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,30}`)
	genQuery    = rapid.StringMatching(`[A-Za-z0-9=&%/?:@.-]{0,20}`)
	genValue    = rapid.StringMatching(`([!-~\x{80}-\x{ff}]([ \t!-~\x{80}-\x{ff}]{0,30}[!-~\x{80}-\x{ff}])?)?`)
	genOWS      = rapid.SampledFrom([]string{"", "", " ", "\t", " \t "})
	genLeftover = rapid.SliceOfN(rapid.Byte(), 0, 20)
)

// special names are the ones Parse interprets; free fields avoid them.
var special = []string{"host", "content-length", "transfer-encoding", "connection", "expect"}

func drawRequest(t *rapid.T) genRequest {
	version := rapid.SampledFrom([]Version{{1, 0}, {1, 1}, {1, 2}}).Draw(t, "version")
	http11 := version.Minor >= 1
	form := rapid.SampledFrom([]Form{FormOrigin, FormOrigin, FormAbsolute, FormAuthority, FormAsterisk}).Draw(t, "form")
	w := reqView{Version: version, Form: form, Path: "<nil>", Query: "<nil>", Host: "<nil>"}

	switch form {
	case FormAuthority:
		w.Method = "CONNECT"
	case FormAsterisk:
		w.Method = "OPTIONS"
	default:
		w.Method = rapid.OneOf(rapid.SampledFrom([]string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"}), genToken).Draw(t, "method")
		if w.Method == "CONNECT" {
			w.Method = "GET"
		}
	}
	var authority string
	switch form {
	case FormOrigin, FormAbsolute:
		w.Path = genPath.Draw(t, "path")
		w.Target = w.Path
		if rapid.Bool().Draw(t, "hasQuery") {
			w.Query = genQuery.Draw(t, "query")
			w.Target += "?" + w.Query
		}
		if form == FormAbsolute {
			authority = genRegName.Draw(t, "authority") + genPort.Draw(t, "authPort")
			w.Target = rapid.SampledFrom([]string{"http://", "https://", "HTTP://"}).Draw(t, "scheme") + authority + w.Target
		}
	case FormAuthority:
		authority = genRegName.Draw(t, "authority") + ":" + rapid.StringMatching(`[0-9]{1,5}`).Draw(t, "port")
		w.Target = authority
	case FormAsterisk:
		w.Target = "*"
	}

	type line struct{ name, value string }
	var lines []line
	for i, n := 0, rapid.IntRange(0, 8).Draw(t, "nfields"); i < n; i++ {
		name := genToken.Draw(t, "name")
		if slices.Contains(special, strings.ToLower(name)) {
			name = "X-" + name
		}
		lines = append(lines, line{name, genValue.Draw(t, "value")})
	}
	insert := func(name, value string) {
		at := rapid.IntRange(0, len(lines)).Draw(t, "at")
		lines = slices.Insert(lines, at, line{name, value})
	}
	if http11 || rapid.Bool().Draw(t, "host10") {
		host := ""
		if rapid.IntRange(0, 9).Draw(t, "emptyHost") > 0 {
			host = genRegName.Draw(t, "host") + genPort.Draw(t, "hostPort")
		}
		insert(rapid.SampledFrom([]string{"Host", "host", "HOST"}).Draw(t, "hostName"), host)
		w.Host = host
	}
	if authority != "" {
		w.Host = authority
	}
	body := 0
	switch rapid.IntRange(0, 3).Draw(t, "framing") {
	case 1:
		body = rapid.IntRange(0, 20).Draw(t, "cl")
		v := strconv.Itoa(body)
		if rapid.Bool().Draw(t, "clList") {
			v += ", " + v
		}
		insert("Content-Length", v)
		w.Framing, w.ContentLength = FramingLength, int64(body)
	case 2:
		if http11 {
			insert("Transfer-Encoding", rapid.SampledFrom([]string{"chunked", "Chunked", ", chunked"}).Draw(t, "te"))
			w.Framing = FramingChunked
		}
	}
	conn := rapid.SampledFrom([]string{"", "close", "keep-alive", "Keep-Alive, Upgrade", "foo"}).Draw(t, "connection")
	if conn != "" {
		insert("Connection", conn)
	}
	w.KeepAlive = (http11 && !strings.Contains(conn, "close")) || (!http11 && strings.Contains(strings.ToLower(conn), "keep-alive"))
	if http11 && rapid.Bool().Draw(t, "expect") {
		insert("Expect", "100-continue")
		w.Expect100 = true
	}

	var b bytes.Buffer
	b.WriteString(strings.Repeat("\r\n", rapid.IntRange(0, 2).Draw(t, "leading")))
	b.WriteString(w.Method + " " + w.Target + " HTTP/" + strconv.Itoa(int(version.Major)) + "." + strconv.Itoa(int(version.Minor)) + "\r\n")
	for _, l := range lines {
		b.WriteString(l.name + ":" + genOWS.Draw(t, "pre") + l.value + genOWS.Draw(t, "post") + "\r\n")
		w.Fields = append(w.Fields, l.name+": "+l.value)
	}
	b.WriteString("\r\n")
	w.HeadLen = b.Len()
	b.Write(bytes.Repeat([]byte("b"), body))
	b.Write(genLeftover.Draw(t, "leftover"))
	return genRequest{raw: b.Bytes(), headLen: w.HeadLen, want: w}
}

// propSplit: feeding growing prefixes gives ErrNeedMore until the head is
// complete, then the same result as the whole buffer. The prefixes are
// fresh copies, as after a buffer grows.
func propSplit(t *rapid.T) {
	g := drawRequest(t)
	cuts := rapid.SliceOfN(rapid.IntRange(0, len(g.raw)), 1, 12).Draw(t, "cuts")
	cuts = append(cuts, len(g.raw))
	slices.Sort(cuts)
	var p Parser
	var req Request
	for _, c := range cuts {
		buf := make([]byte, c) // exact cap, so views can be checked
		copy(buf, g.raw)
		n, err := p.Parse(buf, &req)
		if c < g.headLen {
			if err != ErrNeedMore {
				t.Fatalf("Parse(%q) = %d, %v; want ErrNeedMore", buf, n, err)
			}
			continue
		}
		if err != nil || n != g.headLen {
			t.Fatalf("Parse(%q) after splits %v = %d, %v; want %d, nil", buf, cuts, n, err, g.headLen)
		}
		if d := cmp.Diff(g.want, viewOf(&req)); d != "" {
			t.Fatalf("Parse(%q) after splits %v mismatch (-want +got):\n%s", buf, cuts, d)
		}
		checkRequestViews(t, buf, &req)
		return
	}
}
