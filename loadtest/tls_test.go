package loadtest

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// An https:// target is driven like an http:// one: keep-alive reuses
// its connections (one handshake each), close makes one handshake per
// request; every request succeeds with the client's TLS settings.
func TestHTTPSTarget(t *testing.T) {
	for _, c := range []struct {
		scenario string
		conns    func(accepted int64, requests uint64) bool
	}{
		{"keepalive", func(a int64, r uint64) bool { return a >= 1 && a <= 8 }},
		{"close", func(a int64, r uint64) bool { return uint64(a) == r }},
	} {
		t.Run(c.scenario, func(t *testing.T) {
			var accepted atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.TLS == nil {
					t.Errorf("request over plain TCP")
				}
				w.Write([]byte("ok"))
			}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					accepted.Add(1)
				}
			}
			srv.StartTLS()
			defer srv.Close()
			u, _ := url.Parse(srv.URL)
			res, err := Run(context.Background(), c.scenario, Config{
				Target: u, Rate: 40, Duration: 500 * time.Millisecond, Connections: 4, Timeout: 2 * time.Second,
				TLS: srv.Client().Transport.(*http.Transport).TLSClientConfig,
			})
			if err != nil {
				t.Fatalf("Run(%s) over https: %v", c.scenario, err)
			}
			p := res.Phases[0]
			if p.Requests == 0 || p.Success != 1 || uint64(p.StatusCodes["200"]) != p.Requests {
				t.Fatalf("Run(%s) over https: %d requests, success %v, codes %v, errors %v; want all 200", c.scenario, p.Requests, p.Success, p.StatusCodes, p.Errors)
			}
			if a := accepted.Load(); !c.conns(a, p.Requests) {
				t.Errorf("Run(%s) over https: %d connections for %d requests", c.scenario, a, p.Requests)
			}
		})
	}
}

// Without the server's certificate trusted, every request fails: the
// client verifies by default.
func TestHTTPSTargetVerifies(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	res, err := Run(context.Background(), "keepalive", Config{Target: u, Rate: 20, Duration: 200 * time.Millisecond, Connections: 1, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if p := res.Phases[0]; p.Success != 0 || p.Requests == 0 {
		t.Errorf("untrusted certificate: %d requests, success %v; want all failed", p.Requests, p.Success)
	}
}

// The slow scenarios write plain HTTP on raw connections: an https://
// target is refused with a message that says so.
func TestSlowScenariosRefuseHTTPS(t *testing.T) {
	for _, s := range []string{"slowloris", "slowbody", "idle"} {
		_, err := Run(context.Background(), s, Config{Target: mustURL("https://127.0.0.1:1"), SlowConns: 1})
		if err == nil || !strings.Contains(err.Error(), "http://") {
			t.Errorf("Run(%s, https) = %v; want an error asking for an http:// target", s, err)
		}
	}
}
