package loadtest

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"
)

// TestRequestTargets: every scenario requests the target URL's path and
// query, then the extra Paths round-robin; the target sees exactly those.
func TestRequestTargets(t *testing.T) {
	cases := []struct {
		id       string
		scenario string
		path     string // path and query of the target URL
		paths    []string
		want     []string // distinct request targets the server sees, sorted
	}{
		{"root-implied", "keepalive", "", nil, []string{"/"}},
		{"file", "keepalive", "/some/file.txt", nil, []string{"/some/file.txt"}},
		{"query", "close", "/q?a=1&b=2", nil, []string{"/q?a=1&b=2"}},
		{"plus-paths", "keepalive", "/a", []string{"/b", "/c?x=1"}, []string{"/a", "/b", "/c?x=1"}},
		{"ramp", "ramp", "/ramp.txt", nil, []string{"/ramp.txt"}},
		{"idle", "idle", "/idle.txt", nil, []string{"/idle.txt"}},
		{"slowloris-baseline", "slowloris", "/slow.txt", nil, []string{"/slow.txt"}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			tg := &target{}
			u := startTarget(t, tg)
			u = mustURL(u.String() + c.path)
			res, err := Run(context.Background(), c.scenario, Config{
				Target: u, Paths: c.paths, Rate: 30, Duration: 300 * time.Millisecond, Connections: 2,
				RampSteps: 1, SlowConns: 2, SlowInterval: 50 * time.Millisecond, Timeout: 2 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			count := map[string]int{}
			for _, r := range tg.requests() {
				count[r.target]++
			}
			var got []string
			for k := range count {
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("Run(%s, %s + %q): server saw %v; want %v", c.scenario, u, c.paths, got, c.want)
			}
			// Round-robin: no request target is starved.
			for _, k := range c.want {
				if count[k] == 0 {
					t.Errorf("Run(%s): %s never requested (%v)", c.scenario, k, count)
				}
			}
			if want := append([]string{u.RequestURI()}, c.paths...); !slices.Equal(res.Config.Paths, want) {
				t.Errorf("Run(%s) config paths = %q; want %q", c.scenario, res.Config.Paths, want)
			}
		})
	}
}

// TestAcceptEncodingOnlyWhenAsked: the legitimate requests carry
// Accept-Encoding only when the user sets it. Go's transport would add
// "gzip" and gunzip every body itself, which costs the load generator, on
// its one CPU, a gzip reader per response (its GC ran about twice as often
// against a server that compresses, 88 against 48 collections in 10 s at
// 2 000 req/s): the generator would measure its own decompression, and a
// server that compresses would be compared with one that does not on
// unequal work. With the header set, the body is passed on as it came.
func TestAcceptEncodingOnlyWhenAsked(t *testing.T) {
	for _, c := range []struct {
		id       string
		scenario string
		header   http.Header
		want     string // the Accept-Encoding the server sees; "" for none
	}{
		{"keepalive", "keepalive", nil, ""},
		{"close", "close", nil, ""},
		{"slowloris-baseline", "slowloris", nil, ""},
		{"asked", "keepalive", http.Header{"Accept-Encoding": {"gzip"}}, "gzip"},
	} {
		t.Run(c.id, func(t *testing.T) {
			t.Parallel()
			tg := &target{}
			u := startTarget(t, tg)
			res, err := Run(context.Background(), c.scenario, Config{
				Target: mustURL(u.String() + "/x"), Header: c.header, Rate: 30, Duration: 200 * time.Millisecond,
				Connections: 2, SlowConns: 2, SlowInterval: 50 * time.Millisecond, Timeout: 2 * time.Second,
			})
			if err != nil {
				t.Fatal(err)
			}
			// The result says what was asked for.
			var want []string
			if c.want != "" {
				want = []string{"Accept-Encoding: " + c.want}
			}
			if !slices.Equal(res.Config.Headers, want) {
				t.Errorf("Run(%s) config headers = %q; want %q", c.scenario, res.Config.Headers, want)
			}
			reqs := tg.requests()
			if len(reqs) == 0 {
				t.Fatal("the server saw no request")
			}
			for _, r := range reqs {
				if r.target != "/x" {
					continue // a slow connection's own request
				}
				if got, ok := r.header["accept-encoding"]; got != c.want || ok != (c.want != "") {
					t.Fatalf("Run(%s): Accept-Encoding %q (sent: %v); want %q", c.scenario, got, ok, c.want)
				}
			}
		})
	}
}

// TestHeaderLinesRedacts: the headers a result echoes keep what shaped
// the measurement and hide what may be a credential.
func TestHeaderLinesRedacts(t *testing.T) {
	h := http.Header{
		"Accept-Encoding":     {"gzip"},
		"Authorization":       {"Bearer abc"},
		"Cookie":              {"sid=1"},
		"X-Api-Key":           {"k1", "k2"},
		"X-Auth-Token":        {"t"},
		"Proxy-Authorization": {"Basic eA=="},
		"X-Trace":             {"1"},
	}
	want := []string{"Accept-Encoding: gzip", "Authorization: (redacted)", "Cookie: (redacted)",
		"Proxy-Authorization: (redacted)", "X-Api-Key: (redacted)", "X-Api-Key: (redacted)",
		"X-Auth-Token: (redacted)", "X-Trace: 1"}
	if got := headerLines(h); !slices.Equal(got, want) {
		t.Errorf("headerLines = %q; want %q", got, want)
	}
	if got := headerLines(nil); got != nil {
		t.Errorf("headerLines(nil) = %q; want nil", got)
	}
}
