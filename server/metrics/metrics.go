// Package metrics exposes Ferrox's counters in the Prometheus text
// exposition format (version 0.0.4) through a server.Handler, which the
// engine serves on a listener of its own (the `metrics` configuration
// block). The counters themselves live in the engine (server.Metrics:
// atomic adds on the request path, no allocation) and in the static
// handler's compression cache; this package only reads and renders them
// when scraped.
//
// It is written by hand rather than with prometheus/client_golang: the
// engine's hot path costs a few atomic adds either way, but the
// library's labelled counters cost a map lookup or a held child per
// series, its histogram a bucket search plus more atomics, and it pulls
// net/http into the binary; reports/bench-metrics.md has the
// measurement.
package metrics

import (
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/server"
	"github.com/ferrox/ferrox/wire"
)

// ContentType is the media type of the text exposition format 0.0.4.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Compression is a reading of the static handler's compression cache.
type Compression struct {
	Hits, Misses, Evictions uint64 // counters
	Bytes, Entries          int64  // what the cache holds now
}

// Collector renders the engine's Metrics and the other sources of one
// process. It outlives configuration reloads: the reload gives the new
// site's compression cache to SetCompression, and the counters go on
// from where the old cache left them.
type Collector struct {
	engine    *server.Metrics
	version   string
	goversion string
	start     time.Time

	mu       sync.Mutex
	comp     func() Compression
	compBase Compression // counters of the caches replaced by SetCompression
}

// New returns a Collector of engine's counters; version is the build's
// version text (the build info series).
func New(engine *server.Metrics, version string) *Collector {
	return &Collector{engine: engine, version: version, goversion: runtime.Version(), start: processStart}
}

// processStart approximates the process start time by the package's
// initialisation, which runs before main.
var processStart = time.Now()

// Engine is the engine counters the collector renders.
func (c *Collector) Engine() *server.Metrics { return c.engine }

// SetCompression makes fn the compression cache source (nil: none). The
// counters of the previous source are kept as a base, so a reload that
// builds a new cache does not reset them.
func (c *Collector) SetCompression(fn func() Compression) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.comp != nil {
		old := c.comp()
		c.compBase.Hits += old.Hits
		c.compBase.Misses += old.Misses
		c.compBase.Evictions += old.Evictions
	}
	c.comp = fn
}

func (c *Collector) compression() Compression {
	c.mu.Lock()
	defer c.mu.Unlock()
	z := c.compBase
	if c.comp != nil {
		cur := c.comp()
		z.Hits += cur.Hits
		z.Misses += cur.Misses
		z.Evictions += cur.Evictions
		z.Bytes, z.Entries = cur.Bytes, cur.Entries
	}
	return z
}

var statusClass = [5]string{"1xx", "2xx", "3xx", "4xx", "5xx"}

// AppendText appends the exposition of every series to b.
func (c *Collector) AppendText(b []byte) []byte {
	s := c.engine.Snapshot()
	w := writer{b: b}

	w.family("ferrox_requests_total", "counter", "Responses sent, by status class and request method (GET, HEAD, OPTIONS, other; other also counts heads rejected before their method was known).")
	for i := range s.Requests {
		for j := range s.Requests[i] {
			w.sample("ferrox_requests_total", s.Requests[i][j], "code", statusClass[i], "method", server.MethodClass(j).String())
		}
	}
	w.family("ferrox_responses_by_code_total", "counter", "Responses sent with the limit, timeout and overload statuses, by status code (refused connections are in ferrox_refused_total).")
	for i, code := range server.TrackedCodes() {
		w.sample("ferrox_responses_by_code_total", s.Codes[i], "code", strconv.Itoa(code))
	}
	w.family("ferrox_response_body_bytes_total", "counter", "Response body bytes written (the access log's bytes; heads not included).")
	w.sample("ferrox_response_body_bytes_total", s.BytesSent)

	w.family("ferrox_request_duration_seconds", "histogram", "Time from the first byte of a request head to the last byte of its response.")
	var cum uint64
	for i, bound := range server.LatencyBounds() {
		cum += s.Latency[i]
		w.sampleF("ferrox_request_duration_seconds_bucket", float64(cum), "le", strconv.FormatFloat(bound.Seconds(), 'g', -1, 64))
	}
	cum += s.Latency[server.NumLatencyBounds]
	w.sample("ferrox_request_duration_seconds_bucket", cum, "le", "+Inf")
	w.sampleF("ferrox_request_duration_seconds_sum", s.LatencySum.Seconds())
	w.sample("ferrox_request_duration_seconds_count", cum)

	w.family("ferrox_connections", "gauge", "Open connections by state: new (no request yet), tls_handshake, idle (kept alive, waiting for the next request, parked or not), slow_head (a head that did not come whole), active (a request in hand).")
	for i, n := range s.Conns {
		w.sample("ferrox_connections", n, "state", server.ConnState(i).String())
	}
	w.family("ferrox_connections_accepted_total", "counter", "Connections accepted, refused ones included.")
	w.sample("ferrox_connections_accepted_total", s.Accepted)
	w.family("ferrox_refused_total", "counter", "Refusals by a limit, by reason: conn_limit and per_ip_limit are connections answered 503, linger_full those closed at once after it; the others are requests answered 431, 414, 413 or 408.")
	for k := range s.Stats.Refused {
		w.sample("ferrox_refused_total", s.Stats.Refused[k], "reason", server.Refusal(k).Name())
	}
	w.family("ferrox_server_errors_total", "counter", "5xx responses other than the 503s of refused connections.")
	w.sample("ferrox_server_errors_total", s.Stats.ServerErrors)
	w.family("ferrox_file_errors_total", "counter", "Responses cut short because their file failed or shrank while it was sent.")
	w.sample("ferrox_file_errors_total", s.Stats.FileErrors)
	w.family("ferrox_tls_handshakes_total", "counter", "TLS handshakes completed.")
	w.sample("ferrox_tls_handshakes_total", s.TLSHandshakes)
	w.family("ferrox_tls_handshake_errors_total", "counter", "TLS handshakes failed (timeouts, bad client hellos, plain HTTP on the HTTPS port).")
	w.sample("ferrox_tls_handshake_errors_total", s.TLSHandshakeErrors)

	z := c.compression()
	w.family("ferrox_compression_cache_hits_total", "counter", "Compressed responses served from the compression cache.")
	w.sample("ferrox_compression_cache_hits_total", z.Hits)
	w.family("ferrox_compression_cache_misses_total", "counter", "Compressed responses that had to encode their file.")
	w.sample("ferrox_compression_cache_misses_total", z.Misses)
	w.family("ferrox_compression_cache_evictions_total", "counter", "Entries evicted from the compression cache.")
	w.sample("ferrox_compression_cache_evictions_total", z.Evictions)
	w.family("ferrox_compression_cache_bytes", "gauge", "Bytes of encoded files the compression cache holds.")
	w.sample("ferrox_compression_cache_bytes", uint64(max(z.Bytes, 0)))
	w.family("ferrox_compression_cache_entries", "gauge", "Encoded files the compression cache holds.")
	w.sample("ferrox_compression_cache_entries", uint64(max(z.Entries, 0)))

	w.family("ferrox_build_info", "gauge", "Always 1; the labels name the build.")
	w.sample("ferrox_build_info", 1, "version", c.version, "goversion", c.goversion)
	w.family("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds.")
	w.sampleF("process_start_time_seconds", float64(c.start.UnixNano())/1e9)
	return w.b
}

// writer appends exposition lines.
type writer struct{ b []byte }

func (w *writer) family(name, typ, help string) {
	w.b = append(w.b, "# HELP "...)
	w.b = append(w.b, name...)
	w.b = append(w.b, ' ')
	w.b = appendEscaped(w.b, help, false)
	w.b = append(w.b, "\n# TYPE "...)
	w.b = append(w.b, name...)
	w.b = append(w.b, ' ')
	w.b = append(w.b, typ...)
	w.b = append(w.b, '\n')
}

// labels appends {k="v",...}; kv alternates names and values.
func (w *writer) labels(kv []string) {
	if len(kv) == 0 {
		return
	}
	w.b = append(w.b, '{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = append(w.b, kv[i]...)
		w.b = append(w.b, `="`...)
		w.b = appendEscaped(w.b, kv[i+1], true)
		w.b = append(w.b, '"')
	}
	w.b = append(w.b, '}')
}

func (w *writer) sample(name string, v uint64, kv ...string) {
	w.b = append(w.b, name...)
	w.labels(kv)
	w.b = append(w.b, ' ')
	w.b = strconv.AppendUint(w.b, v, 10)
	w.b = append(w.b, '\n')
}

func (w *writer) sampleF(name string, v float64, kv ...string) {
	w.b = append(w.b, name...)
	w.labels(kv)
	w.b = append(w.b, ' ')
	w.b = strconv.AppendFloat(w.b, v, 'g', -1, 64)
	w.b = append(w.b, '\n')
}

// appendEscaped escapes s for the text format: a backslash and a line
// feed in HELP text, and a double quote too in a label value. Bytes that
// are not UTF-8 are replaced, so the output is valid UTF-8.
func appendEscaped(b []byte, s string, quote bool) []byte {
	for _, r := range s {
		switch {
		case r == '\\':
			b = append(b, `\\`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '"' && quote:
			b = append(b, `\"`...)
		default:
			b = append(b, string(r)...)
		}
	}
	return b
}

// Handler serves the exposition at path (GET and HEAD; a query string is
// ignored): 404 for any other path, 405 with Allow for other methods.
func (c *Collector) Handler(path string) server.Handler { return handler{c: c, path: path} }

type handler struct {
	c    *Collector
	path string
}

func (h handler) Serve(req *parser.Request, resp *wire.Response) {
	if string(req.Path) != h.path {
		wire.Error(resp, 404, nil)
		return
	}
	switch string(req.Method) {
	case "GET", "HEAD":
	default:
		resp.Add("Allow", "GET, HEAD")
		wire.Error(resp, 405, nil)
		return
	}
	resp.Status = 200
	resp.Add("Content-Type", ContentType)
	resp.Add("Cache-Control", "no-store")
	resp.SetData(resp.AppendData(h.c.AppendText))
}
