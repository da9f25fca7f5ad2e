package fuzz

import (
	"bufio"
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"testing/synctest"
	"time"

	"pgregory.net/rapid"

	"github.com/ferrox/ferrox/config"
	"github.com/ferrox/ferrox/server"
	"github.com/ferrox/ferrox/server/static"
)

// The keep-alive state machine drives one connection at a time to a real
// server over an in-memory pipe inside a testing/synctest bubble (fake
// time: timeouts expire instantly and deterministically). Actions: a
// valid request, a head sent in two parts, a pipelined burst, an invalid
// request, a half-close, a byte-by-byte write, a stall past the header
// timeout and an idle period past the keep-alive timeout. Invariants:
// responses arrive in order and answer their requests; nothing arrives
// unasked; after a response with Connection: close, or a quiet timeout,
// the server sends nothing more and the connection ends.

// lingerBound is longer than the server's lingering close (2s).
const lingerBound = 3 * time.Second

// kaRequest is a request the model knows the answer to.
type kaRequest struct {
	method, target string
	status         int
	body           string // for GET 200: the file content
	close          bool   // send Connection: close
}

func (r kaRequest) bytes() []byte {
	s := r.method + " " + r.target + " HTTP/1.1\r\nHost: example\r\n"
	if r.close {
		s += "Connection: close\r\n"
	}
	return []byte(s + "\r\n")
}

// kaTargets are paths with known answers on the site.
var kaTargets = []struct {
	target string
	status int
	file   string // site file whose content a GET returns
}{
	{"/a.txt", 200, "a.txt"}, {"/dir/b.txt", 200, "dir/b.txt"}, {"/dir/sub/c.txt", 200, "dir/sub/c.txt"},
	{"/missing.txt", 404, ""}, {"/dir", 301, ""}, {"/.hidden", 404, ""}, {"/link-out-rel", 404, ""},
	{"/%2e%2e/a.txt", 200, "a.txt"},
}

// kaInvalid are heads the server must reject, with their status.
var kaInvalid = []struct {
	raw    string
	status int
}{
	{"GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n", 400},
	{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
	{"GET / HTTP/1.1\r\n\r\n", 400},
	{"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 400}, // chunked not final (RFC 9112 §6.1)
	{"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501},
	{"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", 400},
	{"GET / HTTP/1.1\r\nHost: a\r\n Folded: x\r\n\r\n", 400},
	{"GET / HTTP/1.1\nHost: a\n\n", 400},
}

type kaMachine struct {
	srv     *server.Server
	headerT time.Duration
	idleT   time.Duration
	client  *pipeEnd
	server  *pipeEnd
	br      *bufio.Reader
	done    chan struct{} // closed when ServeConn returns
	closed  bool          // the server ended this connection
	served  int           // requests answered on this connection
}

func (m *kaMachine) connect() {
	m.client, m.server = newPipe()
	m.br = bufio.NewReader(m.client)
	m.done = make(chan struct{})
	m.closed, m.served = false, 0
	done, srv, conn := m.done, m.srv, m.server
	go func() {
		defer close(done)
		srv.ServeConn(conn)
	}()
}

// finish closes the client end and waits for the server goroutine, so
// the bubble ends with no goroutine left.
func (m *kaMachine) finish() {
	m.client.Close()
	<-m.done
}

func (m *kaMachine) genRequest(t *rapid.T) kaRequest {
	k := rapid.IntRange(0, len(kaTargets)-1).Draw(t, "target")
	tg := kaTargets[k]
	r := kaRequest{method: rapid.SampledFrom([]string{"GET", "HEAD"}).Draw(t, "method"), target: tg.target, status: tg.status}
	if tg.file != "" {
		r.body = siteFiles[tg.file]
	}
	return r
}

// expect reads one response and checks it answers r.
func (m *kaMachine) expect(t *rapid.T, r kaRequest) {
	t.Helper()
	resp, err := http.ReadResponse(m.br, &http.Request{Method: r.method})
	if err != nil {
		t.Fatalf("%s %s: reading response %d: %v", r.method, r.target, m.served+1, err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: body: %v", r.method, r.target, err)
	}
	if resp.StatusCode != r.status {
		t.Fatalf("%s %s = %d; want %d (responses out of order or wrong)", r.method, r.target, resp.StatusCode, r.status)
	}
	if r.method == "GET" && r.status == 200 && string(body) != r.body {
		t.Fatalf("GET %s body = %q; want %q", r.target, body, r.body)
	}
	if r.method == "HEAD" && len(body) != 0 {
		t.Fatalf("HEAD %s has a %d-byte body", r.target, len(body))
	}
	m.served++
	if r.close != resp.Close {
		t.Fatalf("%s %s with close=%v: response Connection close = %v", r.method, r.target, r.close, resp.Close)
	}
	if resp.Close {
		m.expectEnd(t)
	}
}

// expectEnd checks the server sends nothing more and ends the connection.
func (m *kaMachine) expectEnd(t *rapid.T) {
	t.Helper()
	rest, err := io.ReadAll(m.br)
	if err != nil {
		t.Fatalf("reading to the end: %v", err)
	}
	if len(rest) > 0 {
		t.Fatalf("%d bytes after the connection should have ended: %q", len(rest), rest)
	}
	m.closed = true
	// The server may linger, draining what the client still sends, for a
	// bounded time (RFC 9112 §9.6); then it must be gone.
	time.Sleep(lingerBound)
	synctest.Wait()
	select {
	case <-m.done:
	default:
		t.Fatalf("server still serving %v after it ended the connection", lingerBound)
	}
}

// needOpen starts a new connection when the server ended the last one
// (every action applies in every state, so rapid never runs out of
// valid actions).
func (m *kaMachine) needOpen(*rapid.T) {
	if m.closed {
		m.finish()
		m.connect()
	}
}

func (m *kaMachine) ValidRequest(t *rapid.T) {
	m.needOpen(t)
	r := m.genRequest(t)
	r.close = rapid.IntRange(0, 5).Draw(t, "close") == 0
	m.client.Write(r.bytes())
	m.expect(t, r)
}

func (m *kaMachine) PartialHead(t *rapid.T) {
	m.needOpen(t)
	r := m.genRequest(t)
	b := r.bytes()
	cut := rapid.IntRange(1, len(b)-1).Draw(t, "cut")
	m.client.Write(b[:cut])
	// Less than the header timeout passes before the rest arrives.
	time.Sleep(time.Duration(rapid.Int64Range(0, int64(m.headerT/2)).Draw(t, "pause")))
	synctest.Wait()
	if n := m.client.in.pending(); n > 0 {
		t.Fatalf("server answered a partial head with %d bytes", n)
	}
	m.client.Write(b[cut:])
	m.expect(t, r)
}

func (m *kaMachine) PipelinedBurst(t *rapid.T) {
	m.needOpen(t)
	n := rapid.IntRange(2, 6).Draw(t, "burst")
	var buf bytes.Buffer
	rs := make([]kaRequest, n)
	for i := range rs {
		rs[i] = m.genRequest(t)
		buf.Write(rs[i].bytes())
	}
	m.client.Write(buf.Bytes())
	for _, r := range rs {
		m.expect(t, r)
	}
}

func (m *kaMachine) SlowWrite(t *rapid.T) {
	m.needOpen(t)
	r := m.genRequest(t)
	b := r.bytes()
	// Byte by byte, the whole head within the header timeout.
	step := m.headerT / time.Duration(2*len(b))
	for i := range b {
		m.client.Write(b[i : i+1])
		time.Sleep(step)
	}
	m.expect(t, r)
}

func (m *kaMachine) InvalidRequest(t *rapid.T) {
	m.needOpen(t)
	inv := rapid.SampledFrom(kaInvalid).Draw(t, "invalid")
	m.client.Write([]byte(inv.raw))
	// A valid request pipelined after a rejected head must not be served.
	m.client.Write(kaRequest{method: "GET", target: "/a.txt"}.bytes())
	resp, err := http.ReadResponse(m.br, &http.Request{Method: "GET"})
	if err != nil {
		t.Fatalf("invalid %q: reading response: %v", inv.raw, err)
	}
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != inv.status || !resp.Close {
		t.Fatalf("invalid %q = %d close=%v; want %d with Connection: close", inv.raw, resp.StatusCode, resp.Close, inv.status)
	}
	m.expectEnd(t)
}

func (m *kaMachine) HalfClose(t *rapid.T) {
	m.needOpen(t)
	var r *kaRequest
	if rapid.Bool().Draw(t, "withRequest") {
		rr := m.genRequest(t)
		r = &rr
		m.client.Write(rr.bytes())
	}
	m.client.CloseWrite()
	if r != nil {
		// The response still arrives; it may or may not announce the close.
		resp, err := http.ReadResponse(m.br, &http.Request{Method: r.method})
		if err != nil {
			t.Fatalf("%s %s then half-close: %v", r.method, r.target, err)
		}
		io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != r.status {
			t.Fatalf("%s %s then half-close = %d; want %d", r.method, r.target, resp.StatusCode, r.status)
		}
	}
	m.expectEnd(t)
}

func (m *kaMachine) StalledHead(t *rapid.T) {
	m.needOpen(t)
	b := m.genRequest(t).bytes()
	m.client.Write(b[:rapid.IntRange(1, len(b)-1).Draw(t, "cut")])
	time.Sleep(m.headerT + time.Second)
	resp, err := http.ReadResponse(m.br, &http.Request{Method: "GET"})
	if err != nil {
		t.Fatalf("stalled head: reading response: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 408 || !resp.Close {
		t.Fatalf("stalled head = %d close=%v; want 408 with Connection: close", resp.StatusCode, resp.Close)
	}
	m.expectEnd(t)
}

func (m *kaMachine) IdlePastTimeout(t *rapid.T) {
	m.needOpen(t)
	time.Sleep(max(m.headerT, m.idleT) + time.Second)
	m.expectEnd(t) // a quiet close: no 408 on an idle connection
}

// Check: when the bubble is idle, no response waits unasked.
func (m *kaMachine) Check(t *rapid.T) {
	synctest.Wait()
	if n := m.client.in.pending(); n > 0 && !m.closed {
		t.Fatalf("%d unsolicited bytes from the server", n)
	}
}

// kaHeaderT and kaIdleT are the server's timeouts in the model (fake
// time makes their length free; short ones keep the sleeps readable).
const kaHeaderT, kaIdleT = 5 * time.Second, 20 * time.Second

// propKeepAlive runs the state machine in a synctest bubble, with a
// server built inside it (its goroutines and WaitGroup belong to the
// bubble) over the site at root.
func propKeepAlive(root string) func(*rapid.T) {
	return func(t *rapid.T) {
		rapid.SyncTest(t, func(t *rapid.T) {
			cfg := config.Config{}
			cfg.Paths.ServeDir = root
			cfg.Timeouts.Header, cfg.Timeouts.Idle = kaHeaderT, kaIdleT
			log := &panicLog{}
			sh, err := static.New(cfg.StaticConfig())
			if err != nil {
				t.Fatalf("static: %v", err)
			}
			defer sh.Close()
			srv, err := server.New(cfg.Settings(), server.Options{Handler: sh, ErrorLog: slog.New(log)})
			if err != nil {
				t.Fatalf("server: %v", err)
			}
			m := &kaMachine{srv: srv, headerT: kaHeaderT, idleT: kaIdleT}
			m.connect()
			defer m.finish()
			t.Repeat(rapid.StateMachineActions(m))
			if msg := log.take(); msg != "" {
				t.Fatalf("server panicked: %s", msg)
			}
		})
	}
}
