package server

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferrox/ferrox/parser"
)

// Metrics are the engine's operational counters for an exposition (the
// Prometheus endpoint of package server/metrics). One Metrics is given to
// every Server of a process (Options.Metrics), and to the Servers a
// reload builds, so counters keep counting across reloads and the
// connection gauges see the connections of a retiring Server too.
//
// The per-request cost is a handful of uncontended atomic adds and no
// allocation (see Observe); the connection gauges cost nothing per
// request beyond a store in the connection itself: they are counted when
// the exposition asks (Snapshot), over the live connections of every
// Server that shares the Metrics.
type Metrics struct {
	requests   [5][NumMethodClasses]atomic.Uint64 // by status class (1xx..5xx) and method
	codes      [NumTrackedCodes]atomic.Uint64
	bytes      atomic.Uint64
	latency    [NumLatencyBounds + 1]atomic.Uint64 // not cumulative; the last is above every bound
	latencySum atomic.Uint64                       // nanoseconds
	accepted   atomic.Uint64
	tlsOK      atomic.Uint64
	tlsFailed  atomic.Uint64

	// engine holds the refusal and error counters of every Server that
	// shares the Metrics (their Stats).
	engine counters

	mu      sync.Mutex
	servers map[*Server]struct{}
}

// NewMetrics returns zeroed Metrics.
func NewMetrics() *Metrics { return &Metrics{servers: make(map[*Server]struct{})} }

// MethodClass is the bounded method label of a request.
type MethodClass uint8

// The method classes: the methods a static server serves, and the rest.
const (
	MethodGET MethodClass = iota
	MethodHEAD
	MethodOPTIONS
	MethodOther // any other method, and a request whose head was rejected
	NumMethodClasses
)

var methodClassNames = [NumMethodClasses]string{"GET", "HEAD", "OPTIONS", "other"}

// String is the method class's label value.
func (m MethodClass) String() string {
	if m < NumMethodClasses {
		return methodClassNames[m]
	}
	return "other"
}

// trackedCodes are the status codes counted one by one besides the
// status classes: the answers of limits, timeouts and overload.
var trackedCodes = [NumTrackedCodes]int{400, 404, 405, 408, 413, 414, 417, 431, 500, 501, 503, 505}

// NumTrackedCodes is the number of TrackedCodes.
const NumTrackedCodes = 12

// TrackedCodes returns the status codes counted one by one
// (MetricsSnapshot.Codes), in order.
func TrackedCodes() [NumTrackedCodes]int { return trackedCodes }

// NumLatencyBounds is the number of LatencyBounds.
const NumLatencyBounds = 16

// LatencyBounds returns the upper bounds of the request latency
// histogram, in order.
func LatencyBounds() [NumLatencyBounds]time.Duration { return latencyBounds }

// latencyBounds: Prometheus's default buckets shifted down for a fast
// static server, 100 µs to 10 s.
var latencyBounds = [NumLatencyBounds]time.Duration{
	100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2500 * time.Millisecond, 5 * time.Second, 10 * time.Second,
}

// ConnState is what a connection is doing, for the connection gauges.
type ConnState uint32

// The connection states.
const (
	// ConnNew: accepted, its first request not begun (nor its handshake).
	ConnNew ConnState = iota
	// ConnHandshake: in its TLS handshake.
	ConnHandshake
	// ConnIdle: a kept-alive connection waiting for its next request,
	// held by the waiter (parked) or on a goroutine.
	ConnIdle
	// ConnSlowHead: a request head that did not come in one read is
	// still arriving (a slow client, or a slowloris).
	ConnSlowHead
	// ConnActive: a request is being read, answered or lingered on.
	ConnActive
	NumConnStates
)

var connStateNames = [NumConnStates]string{"new", "tls_handshake", "idle", "slow_head", "active"}

// String is the connection state's label value.
func (s ConnState) String() string {
	if s < NumConnStates {
		return connStateNames[s]
	}
	return "unknown"
}

// MetricsSnapshot is a reading of Metrics.
type MetricsSnapshot struct {
	// Requests counts responses by status class (index status/100-1) and
	// method class.
	Requests [5][NumMethodClasses]uint64
	// Codes counts the responses of each TrackedCodes status.
	Codes [NumTrackedCodes]uint64
	// BytesSent counts response body bytes written (heads not included).
	BytesSent uint64
	// Latency counts requests per LatencyBounds bucket, not cumulative;
	// the last entry counts those above the last bound.
	Latency [NumLatencyBounds + 1]uint64
	// LatencySum is the sum of the request latencies.
	LatencySum time.Duration
	// Accepted counts accepted connections, refused ones included.
	Accepted uint64
	// TLSHandshakes and TLSHandshakeErrors count completed and failed
	// handshakes (a plain HTTP request on the HTTPS port is a failure).
	TLSHandshakes, TLSHandshakeErrors uint64
	// Stats are the refusal and error counters of every Server sharing
	// the Metrics.
	Stats Stats
	// Conns counts the open connections by state.
	Conns [NumConnStates]uint64
}

// Snapshot reads m. The counters are read one by one while requests go
// on, so two of them may disagree by the requests in flight.
func (m *Metrics) Snapshot() MetricsSnapshot {
	var s MetricsSnapshot
	for i := range m.requests {
		for j := range m.requests[i] {
			s.Requests[i][j] = m.requests[i][j].Load()
		}
	}
	for i := range m.codes {
		s.Codes[i] = m.codes[i].Load()
	}
	s.BytesSent = m.bytes.Load()
	for i := range m.latency {
		s.Latency[i] = m.latency[i].Load()
	}
	s.LatencySum = time.Duration(m.latencySum.Load())
	s.Accepted = m.accepted.Load()
	s.TLSHandshakes = m.tlsOK.Load()
	s.TLSHandshakeErrors = m.tlsFailed.Load()
	s.Stats = m.engine.stats()
	m.mu.Lock()
	servers := make([]*Server, 0, len(m.servers))
	for srv := range m.servers {
		servers = append(servers, srv)
	}
	m.mu.Unlock()
	for _, srv := range servers {
		srv.mu.Lock()
		for c := range srv.conns {
			if st := c.mstate.Load(); st < uint32(NumConnStates) {
				s.Conns[st]++
			}
		}
		srv.mu.Unlock()
	}
	return s
}

// methodClass classifies a request's method (req is nil for a rejected
// head).
func methodClass(req *parser.Request) MethodClass {
	if req == nil {
		return MethodOther
	}
	switch string(req.Method) {
	case "GET":
		return MethodGET
	case "HEAD":
		return MethodHEAD
	case "OPTIONS":
		return MethodOPTIONS
	}
	return MethodOther
}

// Observe counts one response: its method class, status, bytes written
// and latency. It is the engine's per-request hook (next to the access
// log line) and allocates nothing.
func (m *Metrics) Observe(method MethodClass, status int, sent int64, d time.Duration) {
	class := status/100 - 1
	if class < 0 || class > 4 {
		class = 4 // not an HTTP status: counted as the server's fault
	}
	m.requests[class][method].Add(1)
	if status >= 400 {
		for i, c := range trackedCodes {
			if c == status {
				m.codes[i].Add(1)
				break
			}
		}
	}
	if sent > 0 {
		m.bytes.Add(uint64(sent))
	}
	b := 0
	for b < NumLatencyBounds && d > latencyBounds[b] {
		b++
	}
	m.latency[b].Add(1)
	if d > 0 {
		m.latencySum.Add(uint64(d))
	}
}

// The hooks below are nil-safe, so that a Server without Metrics pays a
// nil check only.

func (m *Metrics) countAccept() {
	if m != nil {
		m.accepted.Add(1)
	}
}

func (m *Metrics) countHandshake(err error) {
	if m == nil {
		return
	}
	if err != nil {
		m.tlsFailed.Add(1)
	} else {
		m.tlsOK.Add(1)
	}
}

// attach makes srv's connections count in the gauges (from its first
// connection on, under srv.mu).
func (m *Metrics) attach(srv *Server) {
	m.mu.Lock()
	m.servers[srv] = struct{}{}
	m.mu.Unlock()
}

// detach forgets srv (after its last connection ended).
func (m *Metrics) detach(srv *Server) {
	if m == nil {
		return
	}
	m.mu.Lock()
	delete(m.servers, srv)
	m.mu.Unlock()
}
