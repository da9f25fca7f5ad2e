package metrics

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/server"
	"github.com/ferrox/ferrox/wire"
)

func testSettings() server.Settings {
	return server.Settings{
		Limits:         parser.Limits{MaxHeadBytes: 4096, MaxFields: parser.MaxFields, MaxTargetLen: 2048, MaxMethodLen: 32},
		HeaderTimeout:  10 * time.Second,
		IdleTimeout:    60 * time.Second,
		WriteTimeout:   30 * time.Second,
		BodyRateWindow: 10 * time.Second,
		BodyMinRate:    1024,
		MaxBody:        1 << 20,
		MaxConns:       1000,
		MaxConnsPerIP:  2,
		Park:           true,
	}
}

// site answers GET and HEAD of / with 6 bytes, other paths with 404 and
// other methods with 405.
type site struct{}

func (site) Serve(req *parser.Request, resp *wire.Response) {
	m := string(req.Method)
	switch {
	case m != "GET" && m != "HEAD":
		resp.Add("Allow", "GET, HEAD")
		wire.Error(resp, 405, nil)
	case string(req.Path) != "/":
		wire.Error(resp, 404, nil)
	default:
		resp.Status = 200
		resp.Add("Content-Type", "text/plain")
		resp.SetData([]byte("hello\n"))
	}
}

// serve runs srv on a loopback listener until the test ends.
func serve(t *testing.T, srv *server.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; !errors.Is(err, server.ErrServerClosed) {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln.Addr().String()
}

// response is one HTTP/1.1 response read from a connection.
type response struct {
	status int
	header map[string]string
	body   []byte
}

func readResponse(t *testing.T, br *bufio.Reader, head bool) response {
	t.Helper()
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatalf("status line: %v", err)
	}
	f := strings.Fields(line)
	if len(f) < 2 {
		t.Fatalf("status line %q", line)
	}
	r := response{header: map[string]string{}}
	r.status, _ = strconv.Atoi(f[1])
	for {
		l, err := br.ReadString('\n')
		if err != nil {
			t.Fatalf("head: %v", err)
		}
		l = strings.TrimRight(l, "\r\n")
		if l == "" {
			break
		}
		k, v, _ := strings.Cut(l, ":")
		r.header[strings.ToLower(k)] = strings.TrimSpace(v)
	}
	if head {
		return r
	}
	n, err := strconv.Atoi(r.header["content-length"])
	if err != nil {
		t.Fatalf("Content-Length %q", r.header["content-length"])
	}
	r.body = make([]byte, n)
	if _, err := io.ReadFull(br, r.body); err != nil {
		t.Fatalf("body: %v", err)
	}
	return r
}

func dial(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return nc, bufio.NewReader(nc)
}

// exchange sends raw on a fresh connection and reads one response.
func exchange(t *testing.T, addr, raw string, head bool) response {
	t.Helper()
	nc, br := dial(t, addr)
	if _, err := io.WriteString(nc, raw); err != nil {
		t.Fatal(err)
	}
	r := readResponse(t, br, head)
	nc.Close()
	return r
}

// families parses an exposition strictly.
func families(t *testing.T, body []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("exposition does not parse: %v\n%s", err, body)
	}
	return fams
}

// scrape GETs the exposition and parses it.
func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	r := exchange(t, addr, "GET /metrics HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n", false)
	if r.status != 200 || r.header["content-type"] != ContentType {
		t.Fatalf("scrape: %d %q, want 200 %q", r.status, r.header["content-type"], ContentType)
	}
	return families(t, r.body)
}

// value is the sample of family name whose labels include kv (name,
// value pairs); -1 when there is none.
func value(fams map[string]*dto.MetricFamily, name string, kv ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		for i := 0; i+1 < len(kv); i += 2 {
			found := false
			for _, l := range m.Label {
				if l.GetName() == kv[i] && l.GetValue() == kv[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		case m.Untyped != nil:
			return m.Untyped.GetValue()
		}
	}
	return -1
}

// eventually scrapes until cond holds: the engine counts a response
// after writing it, so a client that has read it may scrape first. It
// fails after 10 s.
func eventually(t *testing.T, addr string, what string, cond func(map[string]*dto.MetricFamily) string) map[string]*dto.MetricFamily {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		fams := scrape(t, addr)
		msg := cond(fams)
		if msg == "" {
			return fams
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %s", what, msg)
		}
		time.Sleep(5 * time.Millisecond) // poll interval of a bounded wait for a condition
	}
}

type want struct {
	name string
	kv   []string
	v    float64
}

func check(ws []want) func(map[string]*dto.MetricFamily) string {
	return func(fams map[string]*dto.MetricFamily) string {
		var b strings.Builder
		for _, w := range ws {
			if got := value(fams, w.name, w.kv...); got != w.v {
				fmt.Fprintf(&b, "%s%v = %v, want %v; ", w.name, w.kv, got, w.v)
			}
		}
		return b.String()
	}
}

// newPair starts a site engine sharing m and a metrics endpoint engine.
func newPair(t *testing.T, m *server.Metrics) (siteAddr, metricsAddr string, c *Collector) {
	t.Helper()
	srv, err := server.New(testSettings(), server.Options{Handler: site{}, Metrics: m})
	if err != nil {
		t.Fatal(err)
	}
	c = New(m, "v1.2.3")
	ms, err := server.New(testSettings(), server.Options{Handler: c.Handler("/metrics")})
	if err != nil {
		t.Fatal(err)
	}
	return serve(t, srv), serve(t, ms), c
}

func TestValuesAfterKnownRequests(t *testing.T) {
	m := server.NewMetrics()
	addr, maddr, _ := newPair(t, m)

	// One keep-alive connection: 2 GETs, 1 HEAD, a 404, a POST (405).
	a, abr := dial(t, addr)
	seq := []struct {
		raw    string
		status int
		head   bool
	}{
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 200, false},
		{"GET /?q=1 HTTP/1.1\r\nHost: x\r\n\r\n", 200, false},
		{"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n", 200, true},
		{"GET /missing HTTP/1.1\r\nHost: x\r\n\r\n", 404, false},
		{"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405, false},
	}
	var sent int
	for _, s := range seq {
		io.WriteString(a, s.raw)
		r := readResponse(t, abr, s.head)
		if r.status != s.status {
			t.Fatalf("%q: status %d, want %d", s.raw, r.status, s.status)
		}
		sent += len(r.body)
	}
	// A head over the 4 KiB limit: 431 on a connection of its own.
	big := "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 5000) + "\r\n\r\n"
	r431 := exchange(t, addr, big, false)
	if r431.status != 431 {
		t.Fatalf("big head: %d, want 431", r431.status)
	}
	sent += len(r431.body)
	// Once the 431's connection is gone, a is idle and b new (it says
	// nothing): the per-IP limit (2) refuses c.
	eventually(t, maddr, "431 connection closed", check([]want{
		{"ferrox_connections", []string{"state", "active"}, 0},
		{"ferrox_connections", []string{"state", "idle"}, 1},
	}))
	b, _ := dial(t, addr)
	eventually(t, maddr, "a idle, b new", check([]want{
		{"ferrox_connections", []string{"state", "idle"}, 1},
		{"ferrox_connections", []string{"state", "new"}, 1},
	}))
	c, cbr := dial(t, addr)
	if r := readResponse(t, cbr, false); r.status != 503 {
		t.Fatalf("third connection: %d, want 503", r.status)
	}
	c.Close()

	fams := eventually(t, maddr, "after the sequence", check([]want{
		{"ferrox_requests_total", []string{"code", "2xx", "method", "GET"}, 2},
		{"ferrox_requests_total", []string{"code", "2xx", "method", "HEAD"}, 1},
		{"ferrox_requests_total", []string{"code", "4xx", "method", "GET"}, 1},
		{"ferrox_requests_total", []string{"code", "4xx", "method", "other"}, 2}, // the POST and the 431
		{"ferrox_requests_total", []string{"code", "5xx", "method", "GET"}, 0},
		{"ferrox_responses_by_code_total", []string{"code", "404"}, 1},
		{"ferrox_responses_by_code_total", []string{"code", "405"}, 1},
		{"ferrox_responses_by_code_total", []string{"code", "431"}, 1},
		{"ferrox_responses_by_code_total", []string{"code", "408"}, 0},
		{"ferrox_request_duration_seconds", nil, 6},
		{"ferrox_connections_accepted_total", nil, 4},
		{"ferrox_refused_total", []string{"reason", "per_ip_limit"}, 1},
		{"ferrox_refused_total", []string{"reason", "head_too_large"}, 1},
		{"ferrox_refused_total", []string{"reason", "conn_limit"}, 0},
		{"ferrox_tls_handshakes_total", nil, 0},
		{"ferrox_build_info", []string{"version", "v1.2.3"}, 1},
	}))
	// Bytes: exactly the bodies read (the HEAD's none).
	if got := value(fams, "ferrox_response_body_bytes_total"); got != float64(sent) {
		t.Errorf("ferrox_response_body_bytes_total = %v, want the %d body bytes read", got, sent)
	}
	h := fams["ferrox_request_duration_seconds"].Metric[0].Histogram
	if len(h.Bucket) != server.NumLatencyBounds+1 { // +Inf included
		t.Errorf("%d buckets, want %d", len(h.Bucket), server.NumLatencyBounds+1)
	}
	if h.GetSampleSum() <= 0 {
		t.Errorf("latency sum %v, want > 0", h.GetSampleSum())
	}
	if st := value(fams, "process_start_time_seconds"); st <= 0 || st > float64(time.Now().Unix())+1 {
		t.Errorf("process_start_time_seconds = %v", st)
	}

	// Every connection closed: every gauge back to 0.
	a.Close()
	b.Close()
	var zero []want
	for st := range server.NumConnStates {
		zero = append(zero, want{"ferrox_connections", []string{"state", st.String()}, 0})
	}
	eventually(t, maddr, "gauges after close", check(zero))
}

// A slow head and an idle connection show in their gauges.
func TestGaugesSlowHead(t *testing.T) {
	m := server.NewMetrics()
	addr, maddr, _ := newPair(t, m)
	a, _ := dial(t, addr)
	io.WriteString(a, "GET / HTTP/1.1\r\nHo") // and no more
	eventually(t, maddr, "slow head", check([]want{{"ferrox_connections", []string{"state", "slow_head"}, 1}}))
	io.WriteString(a, "st: x\r\n\r\n")
	eventually(t, maddr, "idle after the answer", check([]want{
		{"ferrox_connections", []string{"state", "slow_head"}, 0},
		{"ferrox_connections", []string{"state", "idle"}, 1},
		{"ferrox_requests_total", []string{"code", "2xx", "method", "GET"}, 1},
	}))
}

func TestHandlerMethodsAndPaths(t *testing.T) {
	_, maddr, _ := newPair(t, server.NewMetrics())
	tests := []struct {
		name   string
		raw    string
		head   bool
		status int
		allow  string
	}{
		{"GET", "GET /metrics HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n", false, 200, ""},
		{"GET with a query", "GET /metrics?x=1 HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n", false, 200, ""},
		{"HEAD", "HEAD /metrics HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n", true, 200, ""},
		{"POST", "POST /metrics HTTP/1.1\r\nHost: m\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", false, 405, "GET, HEAD"},
		{"OPTIONS", "OPTIONS /metrics HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n", false, 405, "GET, HEAD"},
		{"other path", "GET /metrics/x HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n", false, 404, ""},
		{"root", "GET / HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n", false, 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := exchange(t, maddr, tt.raw, tt.head)
			if r.status != tt.status || r.header["allow"] != tt.allow {
				t.Fatalf("%d Allow %q, want %d Allow %q", r.status, r.header["allow"], tt.status, tt.allow)
			}
			if tt.status == 200 {
				if r.header["content-type"] != ContentType {
					t.Errorf("Content-Type %q", r.header["content-type"])
				}
				if n, _ := strconv.Atoi(r.header["content-length"]); n == 0 {
					t.Errorf("Content-Length %q", r.header["content-length"])
				}
				if !tt.head {
					families(t, r.body)
				}
			}
		})
	}
}

// Label values and help text are escaped: a hostile version string
// parses back unchanged.
func TestEscaping(t *testing.T) {
	tests := []struct{ name, version string }{
		{"plain", "v1.0.0"},
		{"quote", `v1"0`},
		{"backslash", `v1\0\`},
		{"newline", "v1\n0"},
		{"all", "\\\"\n\\n"},
		{"unicode", "v1-é-✓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(server.NewMetrics(), tt.version)
			fams := families(t, c.AppendText(nil))
			if got := value(fams, "ferrox_build_info", "version", tt.version); got != 1 {
				t.Fatalf("build info for %q not found back:\n%s", tt.version, c.AppendText(nil))
			}
		})
	}
	// Bytes that are not UTF-8 come out replaced, never raw.
	c := New(server.NewMetrics(), "v\xff")
	if out := c.AppendText(nil); !bytes.Contains(out, []byte("v\uFFFD")) {
		t.Errorf("invalid UTF-8 not replaced")
	}
}

// Every family has HELP and TYPE lines, in that order, before its
// samples, and the exposition ends with a newline (no "# EOF": that is
// OpenMetrics).
func TestExpositionShape(t *testing.T) {
	out := New(server.NewMetrics(), "v").AppendText(nil)
	if !bytes.HasSuffix(out, []byte("\n")) || bytes.Contains(out, []byte("# EOF")) {
		t.Fatalf("exposition must end with a newline and have no # EOF")
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	typed := map[string]bool{}
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "# HELP "):
			name := strings.Fields(l)[2]
			if i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "# TYPE "+name+" ") {
				t.Errorf("HELP %s not followed by its TYPE", name)
			}
			typed[name] = true
		case strings.HasPrefix(l, "# TYPE "):
		default:
			name, _, _ := strings.Cut(l, " ")
			name, _, _ = strings.Cut(name, "{")
			base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
			if !typed[name] && !typed[base] {
				t.Errorf("sample %q before its HELP/TYPE", l)
			}
		}
	}
}

// Compression counters carry on across a change of source (a reload's
// new cache).
func TestCompressionAcrossReload(t *testing.T) {
	c := New(server.NewMetrics(), "v")
	c.SetCompression(func() Compression { return Compression{Hits: 5, Misses: 2, Evictions: 1, Bytes: 100, Entries: 3} })
	c.SetCompression(func() Compression { return Compression{Hits: 1, Bytes: 10, Entries: 1} })
	fams := families(t, c.AppendText(nil))
	for _, w := range []want{
		{"ferrox_compression_cache_hits_total", nil, 6},
		{"ferrox_compression_cache_misses_total", nil, 2},
		{"ferrox_compression_cache_evictions_total", nil, 1},
		{"ferrox_compression_cache_bytes", nil, 10},
		{"ferrox_compression_cache_entries", nil, 1},
	} {
		if got := value(fams, w.name); got != w.v {
			t.Errorf("%s = %v, want %v", w.name, got, w.v)
		}
	}
}

// Concurrent requests, scrapes and a server swap (as a reload does): run
// with -race. The counters end exact.
func TestConcurrentAndSwap(t *testing.T) {
	m := server.NewMetrics()
	c := New(m, "v")
	ms, err := server.New(testSettings(), server.Options{Handler: c.Handler("/metrics")})
	if err != nil {
		t.Fatal(err)
	}
	maddr := serve(t, ms)
	set := testSettings()
	set.MaxConnsPerIP = 100
	const clients, each = 4, 25
	for round := range 2 { // the second server is the reload's
		srv, err := server.New(set, server.Options{Handler: site{}, Metrics: m})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		errs := make(chan error, clients+1)
		for range clients {
			go func() {
				nc, err := net.Dial("tcp", ln.Addr().String())
				if err != nil {
					errs <- err
					return
				}
				defer nc.Close()
				br := bufio.NewReader(nc)
				for range each {
					io.WriteString(nc, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
					line, err := br.ReadString('\n')
					if err != nil || !strings.Contains(line, " 200 ") {
						errs <- fmt.Errorf("%q %v", line, err)
						return
					}
					for {
						l, err := br.ReadString('\n')
						if err != nil {
							errs <- err
							return
						}
						if l == "\r\n" {
							break
						}
					}
					br.Discard(6)
				}
				errs <- nil
			}()
		}
		go func() {
			for range 10 {
				c.AppendText(nil)
			}
			errs <- nil
		}()
		for range clients + 1 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := srv.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
		<-served
		fams := scrape(t, maddr)
		if got, want := value(fams, "ferrox_requests_total", "code", "2xx", "method", "GET"), float64((round+1)*clients*each); got != want {
			t.Fatalf("round %d: %v GETs counted, want %v", round, got, want)
		}
		if got := value(fams, "ferrox_connections", "state", "idle"); got != 0 {
			t.Fatalf("round %d: %v idle after shutdown", round, got)
		}
	}
}

// The per-request hook allocates nothing.
func TestObserveAllocs(t *testing.T) {
	m := server.NewMetrics()
	if n := testing.AllocsPerRun(1000, func() {
		m.Observe(server.MethodGET, 200, 1234, 300*time.Microsecond)
	}); n != 0 {
		t.Fatalf("Observe: %v allocs per call, want 0", n)
	}
}
