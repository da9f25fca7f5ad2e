package server

import (
	"bufio"
	"context"
	"net"
	"testing"
	"time"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/server/static"
)

// keepAliveLoop serves the 1 KiB file over one loopback keep-alive
// connection with or without Metrics and returns a function that makes
// one request, and a cleanup.
func keepAliveLoop(tb testing.TB, m *Metrics) (do func(), stop func()) {
	dir := testSite(tb)
	h, err := static.New(testStatic(dir))
	if err != nil {
		tb.Fatal(err)
	}
	s := mustNew(tb, testSettings(), Options{Handler: h, Metrics: m})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	br := bufio.NewReaderSize(nc, 8192)
	req := []byte(get("/1k.txt", "User-Agent: bench"))
	do = func() {
		if _, err := nc.Write(req); err != nil {
			tb.Fatal(err)
		}
		if st, n, err := readRaw(br); err != nil || st != 200 || n != 1024 {
			tb.Fatalf("response %d, %d bytes, %v; want 200, 1024", st, n, err)
		}
	}
	stop = func() {
		nc.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		<-done
		h.Close()
	}
	return do, stop
}

// Metrics add no allocation to a request: a keep-alive GET allocates as
// much with them as without (measured whole, server and client).
func TestMetricsAddNoAllocs(t *testing.T) {
	if testing.Short() {
		t.Skip("loopback allocation count")
	}
	var allocs [2]float64
	for i, m := range []*Metrics{nil, NewMetrics()} {
		get, stop := keepAliveLoop(t, m)
		for range 50 {
			get() // warm the pools and the connection's state
		}
		allocs[i] = testing.AllocsPerRun(2000, get)
		stop()
	}
	// AllocsPerRun counts the whole process: a pool refilled after a GC
	// can add a fraction either way, never a whole allocation per request.
	if allocs[1] >= allocs[0]+0.5 {
		t.Fatalf("allocations per request: %.2f with metrics, %.2f without; want no more", allocs[1], allocs[0])
	}
}

func TestMethodClass(t *testing.T) {
	for _, tc := range []struct {
		method string
		want   MethodClass
	}{
		{"GET", MethodGET}, {"HEAD", MethodHEAD}, {"OPTIONS", MethodOPTIONS},
		{"POST", MethodOther}, {"get", MethodOther}, {"GETS", MethodOther}, {"", MethodOther},
	} {
		t.Run(tc.method, func(t *testing.T) {
			r := &parser.Request{Method: []byte(tc.method)}
			if got := methodClass(r); got != tc.want {
				t.Fatalf("methodClass(%q) = %v, want %v", tc.method, got, tc.want)
			}
		})
	}
	if methodClass(nil) != MethodOther {
		t.Fatal("a rejected head must count as other")
	}
}

// BenchmarkKeepAliveMetrics: BenchmarkKeepAlive1KiB with metrics off
// and on, side by side (ns/op and allocs/op of the whole round trip).
func BenchmarkKeepAliveMetrics(b *testing.B) {
	for _, bc := range []struct {
		name string
		m    *Metrics
	}{{"off", nil}, {"on", NewMetrics()}} {
		b.Run(bc.name, func(b *testing.B) {
			get, stop := keepAliveLoop(b, bc.m)
			defer stop()
			b.ReportAllocs()
			for b.Loop() {
				get()
			}
		})
	}
}

// BenchmarkRequestHook: the engine's per-request hook (logAccess with the
// access log off) without and with Metrics: the difference is what
// metrics add to a request when no access log is written (the clock read
// and Observe; with an access log the clock read is shared). Plus the
// two connection-state stores of a keep-alive request.
func BenchmarkRequestHook(b *testing.B) {
	for _, bc := range []struct {
		name string
		m    *Metrics
	}{{"off", nil}, {"on", NewMetrics()}} {
		b.Run(bc.name, func(b *testing.B) {
			s := mustNew(b, testSettings(), Options{Handler: nil, Metrics: bc.m})
			c := &conn{srv: s, since: monoKey(time.Now())}
			req := &parser.Request{Method: []byte("GET")}
			b.ReportAllocs()
			for b.Loop() {
				c.mstate.Store(uint32(ConnActive))
				c.logAccess(req, 200, 1300)
				c.mstate.Store(uint32(ConnIdle))
			}
		})
	}
}

func TestRequestHookAllocs(t *testing.T) {
	s := mustNew(t, testSettings(), Options{Metrics: NewMetrics()})
	c := &conn{srv: s, since: monoKey(time.Now())}
	req := &parser.Request{Method: []byte("HEAD")}
	if n := testing.AllocsPerRun(1000, func() { c.logAccess(req, 404, 300) }); n != 0 {
		t.Fatalf("request hook: %v allocs, want 0", n)
	}
}

// A Server joins its Metrics' gauges with its first connection and
// leaves them when it is closed, so a Server built by a reload that then
// failed is never held.
func TestMetricsHoldServersWhileTheyServe(t *testing.T) {
	m := NewMetrics()
	held := func() int {
		m.mu.Lock()
		defer m.mu.Unlock()
		return len(m.servers)
	}
	s := mustNew(t, testSettings(), Options{Handler: nil, Metrics: m})
	if n := held(); n != 0 {
		t.Fatalf("held %d servers before any connection, want 0", n)
	}
	client, srv := net.Pipe()
	client.Close() // the connection ends at once
	s.ServeConn(srv)
	if n := held(); n != 1 {
		t.Fatalf("held %d servers after a connection, want 1", n)
	}
	s.Close()
	if n := held(); n != 0 {
		t.Fatalf("held %d servers after Close, want 0", n)
	}
	if got := m.Snapshot().Accepted; got != 1 {
		t.Fatalf("accepted %d, want 1", got)
	}
}

// The fixed label sets are whole: every tracked code is a distinct error
// status and the latency bounds grow.
func TestMetricsTables(t *testing.T) {
	seen := map[int]bool{}
	for i, c := range TrackedCodes() {
		if c < 400 || c > 599 || seen[c] {
			t.Errorf("TrackedCodes()[%d] = %d; want a distinct 4xx or 5xx", i, c)
		}
		seen[c] = true
	}
	b := LatencyBounds()
	for i := 1; i < len(b); i++ {
		if b[i] <= b[i-1] {
			t.Errorf("LatencyBounds()[%d] = %v; want more than %v", i, b[i], b[i-1])
		}
	}
	if b[0] != 100*time.Microsecond || b[len(b)-1] != 10*time.Second {
		t.Errorf("LatencyBounds() span %v..%v; want 100µs..10s", b[0], b[len(b)-1])
	}
	for s := range NumConnStates {
		if s.String() == "unknown" || s.String() == "" {
			t.Errorf("ConnState(%d) has no name", s)
		}
	}
}
