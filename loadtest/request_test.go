package loadtest

import (
	"context"
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
