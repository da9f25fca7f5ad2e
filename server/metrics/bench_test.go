package metrics

import (
	"bytes"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/ferrox/ferrox/server"
)

// The per-request work of the metrics, done the hand-written way
// (server.Metrics.Observe: atomic adds into fixed arrays) and the
// prometheus/client_golang way (a CounterVec by code class and method, a
// CounterVec by tracked code, a Counter of bytes and a Histogram with the
// same buckets), in one run. "children" resolves the labelled counters
// once up front, the fastest way to use the library; "labels" looks them
// up per request with WithLabelValues, the usual way.
//
//	go test -run '^$' -bench 'HotPath|Scrape' -benchmem -count 6 ./server/metrics

type promSet struct {
	reqs     *prometheus.CounterVec
	codes    *prometheus.CounterVec
	bytes    prometheus.Counter
	latency  prometheus.Histogram
	children [5][server.NumMethodClasses]prometheus.Counter
	reg      *prometheus.Registry
}

func newPromSet() *promSet {
	buckets := make([]float64, server.NumLatencyBounds)
	for i, d := range server.LatencyBounds() {
		buckets[i] = d.Seconds()
	}
	p := &promSet{
		reqs:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferrox_requests_total", Help: "h"}, []string{"code", "method"}),
		codes:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ferrox_responses_by_code_total", Help: "h"}, []string{"code"}),
		bytes:   prometheus.NewCounter(prometheus.CounterOpts{Name: "ferrox_response_body_bytes_total", Help: "h"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ferrox_request_duration_seconds", Help: "h", Buckets: buckets}),
		reg:     prometheus.NewRegistry(),
	}
	p.reg.MustRegister(p.reqs, p.codes, p.bytes, p.latency)
	for i := range p.children {
		for j := range p.children[i] {
			p.children[i][j] = p.reqs.WithLabelValues(statusClass[i], server.MethodClass(j).String())
		}
	}
	return p
}

// observe is the request hook with children resolved up front.
func (p *promSet) observe(method server.MethodClass, status int, sent int64, d time.Duration) {
	p.children[status/100-1][method].Inc()
	p.bytes.Add(float64(sent))
	p.latency.Observe(d.Seconds())
}

// observeLabels looks the labelled counter up per request.
func (p *promSet) observeLabels(method server.MethodClass, status int, sent int64, d time.Duration) {
	p.reqs.WithLabelValues(statusClass[status/100-1], method.String()).Inc()
	p.bytes.Add(float64(sent))
	p.latency.Observe(d.Seconds())
}

// A mix of requests: mostly 200 GETs, some 304/404 and HEADs, latencies
// over several buckets.
var mix = [8]struct {
	m      server.MethodClass
	status int
	sent   int64
	d      time.Duration
}{
	{server.MethodGET, 200, 1300, 80 * time.Microsecond},
	{server.MethodGET, 200, 5300, 120 * time.Microsecond},
	{server.MethodGET, 304, 200, 60 * time.Microsecond},
	{server.MethodHEAD, 200, 250, 70 * time.Microsecond},
	{server.MethodGET, 200, 1300, 900 * time.Microsecond},
	{server.MethodGET, 404, 400, 90 * time.Microsecond},
	{server.MethodGET, 200, 70000, 3 * time.Millisecond},
	{server.MethodOther, 405, 300, 50 * time.Microsecond},
}

func BenchmarkHotPath(b *testing.B) {
	type observer = func(server.MethodClass, int, int64, time.Duration)
	// Each case makes its own counters; parallel runs them from both
	// cores at once on the same counters: the contended case.
	cases := []struct {
		name     string
		make     func() observer
		parallel bool
	}{
		{"ferrox", func() observer { return server.NewMetrics().Observe }, false},
		{"client_golang-children", func() observer { return newPromSet().observe }, false},
		{"client_golang-labels", func() observer { return newPromSet().observeLabels }, false},
		{"ferrox-parallel", func() observer { return server.NewMetrics().Observe }, true},
		{"client_golang-children-parallel", func() observer { return newPromSet().observe }, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			observe := c.make()
			b.ReportAllocs()
			if !c.parallel {
				i := 0
				for b.Loop() {
					r := &mix[i&7]
					observe(r.m, r.status, r.sent, r.d)
					i++
				}
				return
			}
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					r := &mix[i&7]
					observe(r.m, r.status, r.sent, r.d)
					i++
				}
			})
		})
	}
}

// BenchmarkScrape: rendering the same series, hand-written against the
// library's registry Gather plus the expfmt text encoder.
func BenchmarkScrape(b *testing.B) {
	b.Run("ferrox", func(b *testing.B) {
		c := New(server.NewMetrics(), "v")
		buf := make([]byte, 0, 16<<10)
		b.ReportAllocs()
		for b.Loop() {
			buf = c.AppendText(buf[:0])
		}
	})
	b.Run("client_golang", func(b *testing.B) {
		p := newPromSet()
		var buf bytes.Buffer
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			mfs, err := p.reg.Gather()
			if err != nil {
				b.Fatal(err)
			}
			enc := expfmt.NewEncoder(&buf, expfmt.NewFormat(expfmt.TypeTextPlain))
			for _, mf := range mfs {
				if err := enc.Encode(mf); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
