package fuzz

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"pgregory.net/rapid"

	"github.com/ferrox/ferrox/config"
	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/server"
	"github.com/ferrox/ferrox/server/static"
	"github.com/ferrox/ferrox/wire"
)

// panicLog is a slog handler that remembers whether the server logged a
// recovered panic (the connection loop recovers them, so a panic would
// otherwise go unnoticed by the fuzzer).
type panicLog struct {
	mu  sync.Mutex
	msg string
}

func (l *panicLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *panicLog) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic") {
		l.mu.Lock()
		var b strings.Builder
		b.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool {
			b.WriteString(" " + a.String())
			return true
		})
		l.msg = b.String()
		l.mu.Unlock()
	}
	return nil
}
func (l *panicLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *panicLog) WithGroup(string) slog.Handler      { return l }

func (l *panicLog) take() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.msg
	l.msg = ""
	return m
}

// connEnv is a server over a site, with a panic-recording error log.
type connEnv struct {
	srv *server.Server
	log *panicLog
}

func newConnEnv(tb TB, h server.Handler, mod func(*config.Config)) *connEnv {
	tb.Helper()
	s := newSite(tb)
	cfg := config.Config{}
	cfg.Paths.ServeDir = s.Root
	if mod != nil {
		mod(&cfg)
	}
	e := &connEnv{log: &panicLog{}}
	o := server.Options{Handler: h, ErrorLog: slog.New(e.log)}
	if h == nil {
		sh, err := static.New(cfg.StaticConfig())
		if err != nil {
			tb.Fatalf("static: %v", err)
		}
		tb.Cleanup(func() { sh.Close() })
		o.Handler = sh
	}
	var err error
	e.srv, err = server.New(cfg.Settings(), o)
	if err != nil {
		tb.Fatalf("server: %v", err)
	}
	return e
}

// hangLimit bounds one in-memory connection in real time. memConn never
// blocks, so only a loop in the server can reach it.
const hangLimit = 10 * time.Second

// run serves one connection whose client sends in and then shuts its
// write side; it returns what the server wrote.
func (e *connEnv) run(tb rapid.TB, in []byte, chunk int) []byte {
	tb.Helper()
	mc := &memConn{in: in, chunk: chunk}
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.srv.ServeConn(mc)
	}()
	timer := time.NewTimer(hangLimit)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		tb.Fatalf("ServeConn(%q) still running after %v", in, hangLimit)
	}
	if m := e.log.take(); m != "" {
		tb.Fatalf("ServeConn(%q) panicked: %s", in, m)
	}
	mc.mu.Lock()
	defer mc.mu.Unlock()
	return bytes.Clone(mc.out.Bytes())
}

// streamRequests lists the methods of the requests the client stream in
// holds, read the way the engine reads them: one head after another, each
// body skipped by its framing, stopping at the first rejection or at a
// request that ends the connection. When the stream ends in a rejected
// head or a bad body, the server may answer once more, with an error;
// errMethod is the method that answer is for, and decides whether it has
// a body (RFC 9110 §9.3.2): a bad body is answered for its request (which
// is then not in methods); a rejected head is "HEAD" when its bytes start
// with "HEAD " after CRLF empty lines (RFC 9112 §2.2), else "GET".
func streamRequests(in []byte) (methods []string, errMethod string) {
	errMethod = "GET"
	for len(in) > 0 {
		var p parser.Parser
		var req parser.Request
		n, err := p.Parse(in, &req)
		if err != nil {
			for len(in) >= 2 && in[0] == '\r' && in[1] == '\n' {
				in = in[2:]
			}
			if bytes.HasPrefix(in, []byte("HEAD ")) {
				errMethod = "HEAD"
			}
			return methods, errMethod
		}
		method := string(req.Method)
		methods = append(methods, method)
		in = in[n:]
		switch req.Framing {
		case parser.FramingLength:
			if req.ContentLength > int64(len(in)) {
				return methods[:len(methods)-1], method
			}
			in = in[req.ContentLength:]
		case parser.FramingChunked:
			var d parser.ChunkedDecoder
			for {
				k, _, done, err := d.Decode(in)
				if err != nil || k == 0 && !done {
					return methods[:len(methods)-1], method
				}
				in = in[k:]
				if done {
					break
				}
			}
		}
		if !req.KeepAlive || req.ExpectOther {
			return methods, errMethod
		}
	}
	return methods, errMethod
}

// checkConnection: a connection over in ends (no hang, no panic), and
// what the server wrote is a sequence of well-framed responses: each
// parses with http.ReadResponse, carries a Content-Length that its body
// fills exactly (no chunked coding), there are never more responses than
// requests in the stream (plus one error answer), and nothing follows a
// response carrying "Connection: close".
func (e *connEnv) checkConnection(tb rapid.TB, in []byte) (responses int) {
	tb.Helper()
	out := e.run(tb, in, len(in)%5)
	methods, errMethod := streamRequests(in)
	br := bufio.NewReader(bytes.NewReader(out))
	count := 0
	for {
		if _, err := br.Peek(1); err == io.EOF {
			return count
		}
		method := errMethod
		if count < len(methods) {
			method = methods[count]
		}
		count++
		if count > len(methods)+1 {
			tb.Fatalf("ServeConn(%q): response %d, but the stream holds %d requests; output %q", in, count, len(methods), out)
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: method})
		if err != nil {
			tb.Fatalf("ServeConn(%q): response %d does not parse: %v; output %q", in, count, err, out)
		}
		if resp.StatusCode == 100 {
			// An interim 100 (Continue) precedes the final response to the
			// same request (RFC 9110 §15.2); it has no content.
			count--
			continue
		}
		if len(resp.TransferEncoding) > 0 {
			tb.Fatalf("ServeConn(%q): response %d uses Transfer-Encoding %v", in, count, resp.TransferEncoding)
		}
		noBody := method == "HEAD" || resp.StatusCode < 200 || resp.StatusCode == 204 || resp.StatusCode == 304
		if !noBody && resp.Header.Get("Content-Length") == "" {
			tb.Fatalf("ServeConn(%q): response %d (%d) has no Content-Length", in, count, resp.StatusCode)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			tb.Fatalf("ServeConn(%q): response %d body: %v (declared %d, output %q)", in, count, err, resp.ContentLength, out)
		}
		if !noBody && int64(len(body)) != resp.ContentLength {
			tb.Fatalf("ServeConn(%q): response %d body %d bytes; Content-Length %d", in, count, len(body), resp.ContentLength)
		}
		if resp.Close {
			if rest, _ := io.ReadAll(br); len(rest) > 0 {
				tb.Fatalf("ServeConn(%q): %d bytes after a response with Connection: close: %q", in, len(rest), rest)
			}
			return count
		}
	}
}

var connSeeds = []string{
	"GET / HTTP/1.1\r\nHost: a\r\n\r\nHEAD /a.txt HTTP/1.1\r\nHost: a\r\n\r\nGET /big.txt HTTP/1.1\r\nHost: a\r\nRange: bytes=0-3,10-20\r\n\r\n",
	"POST /a.txt HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n",
	"PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /dir HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET / HTTP/1.0\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
	"GET /noindex/ HTTP/1.1\r\nHost: a\r\nAccept: application/json\r\n\r\n",
	"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE\r\n\r\n",
}

// fixedHandler answers every request with a copy of resp.
type fixedHandler struct {
	mu   sync.Mutex
	resp wire.Response
}

func (h *fixedHandler) set(status int, hdr []wire.Field, body []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.resp.Status = status
	h.resp.Header = hdr
	h.resp.Body = []wire.Segment{{Data: body}}
	h.resp.ContentLength = int64(len(body))
}

func (h *fixedHandler) Serve(_ *parser.Request, resp *wire.Response) {
	h.mu.Lock()
	defer h.mu.Unlock()
	resp.Status = h.resp.Status
	resp.Header = append(resp.Header, h.resp.Header...)
	resp.Body = append(resp.Body, h.resp.Body...)
	resp.ContentLength = h.resp.ContentLength
}

// managed are fields the engine writes itself; a handler does not set them.
var managed = map[string]bool{"content-length": true, "transfer-encoding": true, "connection": true, "date": true, "server": true}

var (
	genFieldName  = rapid.StringMatching(`[A-Za-z0-9!#$%&'*+.^_|~-]{1,20}`)
	genFieldValue = rapid.StringMatching(`([!-~\x{80}-\x{ff}]([ \t!-~]{0,30}[!-~])?)?`)
	genBadValue   = rapid.StringMatching(`[a-z]{0,5}(\r\n|\n|\r|\x00)[A-Za-z: -]{0,12}`)
)

// propResponseHead: the head the engine writes for any status and any
// valid fields a handler sets re-parses with http.ReadResponse with the
// same status and every field value in order; invalid values (CR, LF,
// NUL) are dropped, never injected.
func propResponseHead(h *fixedHandler, e *connEnv) func(*rapid.T) {
	return func(t *rapid.T) {
		status := rapid.OneOf(rapid.IntRange(200, 599), rapid.SampledFrom([]int{200, 204, 206, 301, 304, 404, 416, 500, 999})).Draw(t, "status")
		n := rapid.IntRange(0, 6).Draw(t, "fields")
		var hdr []wire.Field
		want := map[string][]string{} // canonical name -> values
		for i := 0; i < n; i++ {
			name := genFieldName.Draw(t, "name")
			if managed[strings.ToLower(name)] {
				continue
			}
			if rapid.IntRange(0, 9).Draw(t, "bad") == 0 {
				hdr = append(hdr, wire.Field{Name: name, Value: genBadValue.Draw(t, "badValue")})
				continue
			}
			v := genFieldValue.Draw(t, "value")
			hdr = append(hdr, wire.Field{Name: name, Value: v})
			k := http.CanonicalHeaderKey(name)
			want[k] = append(want[k], v)
		}
		body := []byte(rapid.StringN(0, 64, 200).Draw(t, "body"))
		head := rapid.Bool().Draw(t, "head")
		h.set(status, hdr, body)
		method := "GET"
		if head {
			method = "HEAD"
		}
		in := []byte(method + " / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
		out := e.run(t, in, 0)
		resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), &http.Request{Method: method})
		if err != nil {
			t.Fatalf("status %d fields %q: ReadResponse(%q) = %v", status, hdr, out, err)
		}
		if resp.StatusCode != status {
			t.Fatalf("status %d: ReadResponse got %d; head %q", status, resp.StatusCode, out)
		}
		for k, vs := range want {
			if got := resp.Header.Values(k); !equalStrings(got, vs) {
				t.Fatalf("field %q = %q; want %q (head %q)", k, got, vs, out)
			}
		}
		for k := range resp.Header {
			if strings.ContainsAny(k, "\r\n\x00") || strings.ContainsAny(strings.Join(resp.Header[k], ""), "\r\n\x00") {
				t.Fatalf("injected field %q in head %q", k, out)
			}
		}
		got, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("body: %v (head %q)", err, out)
		}
		if !head && status != 204 && status != 304 && !bytes.Equal(got, body) {
			t.Fatalf("body = %q; want %q", got, body)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
