package config

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMetricsValidation(t *testing.T) {
	site := testSite(t)
	for _, tc := range []struct {
		id, text string
		want     []string
	}{
		{"off", "paths:\n  serve_dir: SITE\n", nil},
		{"on", "paths:\n  serve_dir: SITE\nmetrics:\n  listen: 127.0.0.1:9090\n  path: /m/x\n", nil},
		{"port-0", "paths:\n  serve_dir: SITE\nmetrics:\n  listen: 127.0.0.1:0\n", nil},
		{"no-port", "paths:\n  serve_dir: SITE\nmetrics:\n  listen: 127.0.0.1\n", []string{
			`F:4:3: metrics.listen: "127.0.0.1" is not HOST:PORT with a port 0-65535 (e.g. 127.0.0.1:9090)`}},
		{"port-range", "paths:\n  serve_dir: SITE\nmetrics:\n  listen: 127.0.0.1:70000\n", []string{
			`F:4:3: metrics.listen: "127.0.0.1:70000" is not HOST:PORT with a port 0-65535 (e.g. 127.0.0.1:9090)`}},
		{"no-host", "paths:\n  serve_dir: SITE\nmetrics:\n  listen: \":9090\"\n", []string{
			`F:4:3: metrics.listen: ":9090" names no host; give one (e.g. 127.0.0.1:9090) so the endpoint is not exposed on every interface by accident`}},
		{"bad-host", "paths:\n  serve_dir: SITE\nmetrics:\n  listen: \"a b:9090\"\n", []string{
			`F:4:3: metrics.listen: "a b" is not an IP address or host name`}},
		{"shares-http", "paths:\n  serve_dir: SITE\nserver:\n  port: 9000\nmetrics:\n  listen: 127.0.0.1:9000\n", []string{
			`F:6:3: metrics.listen: 127.0.0.1:9000 is also a serving address; the metrics endpoint needs a port of its own`}},
		{"shares-wildcard", "paths:\n  serve_dir: SITE\nserver:\n  addr: 0.0.0.0\nmetrics:\n  listen: 127.0.0.1:8080\n", []string{
			`F:6:3: metrics.listen: 127.0.0.1:8080 is also a serving address; the metrics endpoint needs a port of its own`}},
		{"bad-path", "paths:\n  serve_dir: SITE\nmetrics:\n  listen: 127.0.0.1:9090\n  path: metrics?x\n", []string{
			`F:5:3: metrics.path: "metrics?x" is not an absolute path of visible ASCII characters without '?', '#' or '%' (e.g. /metrics)`}},
		{"unknown-key", "paths:\n  serve_dir: SITE\nmetrics:\n  port: 9090\n", []string{
			`F:4:3: unknown key "port"`}},
	} {
		t.Run(tc.id, func(t *testing.T) {
			p := writeConfig(t, site, tc.text)
			_, err := Load(p)
			got := lines(err, p)
			// An unknown key's suggestion is the decoder's business.
			for i := range got {
				if j := strings.Index(got[i], "; did you mean"); j > 0 {
					got[i] = got[i][:j]
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Load errors (-want +got):\n%s", diff)
			}
		})
	}
}

// scrapeSite GETs the exposition of a running site and returns the
// value of every sample line.
func scrapeSite(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	fmt.Fprintf(nc, "GET /metrics HTTP/1.1\r\nHost: m\r\nConnection: close\r\n\r\n")
	b, err := io.ReadAll(nc)
	if err != nil {
		t.Fatal(err)
	}
	head, body, _ := strings.Cut(string(b), "\r\n\r\n")
	if !strings.HasPrefix(head, "HTTP/1.1 200 ") {
		t.Fatalf("scrape: %q", head)
	}
	out := map[string]float64{}
	for _, l := range strings.Split(body, "\n") {
		if l == "" || l[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(l, ' ')
		v, err := strconv.ParseFloat(l[i+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", l, err)
		}
		out[l[:i]] = v
	}
	return out
}

func getOK(t *testing.T, addr string) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	fmt.Fprintf(nc, "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	line, err := bufio.NewReader(nc).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "HTTP/1.1 200 ") {
		t.Fatalf("GET /a.txt: %q %v", line, err)
	}
	io.Copy(io.Discard, nc)
}

const getsKey = `ferrox_requests_total{code="2xx",method="GET"}`

// waitGets scrapes until the GET count is n (a response is counted right
// after it is written, so the client may scrape first); 10 s at most.
func waitGets(t *testing.T, addr string, n float64) map[string]float64 {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := scrapeSite(t, addr)
		if m[getsKey] == n {
			return m
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s = %v, want %v", getsKey, m[getsKey], n)
		}
		time.Sleep(5 * time.Millisecond) // poll interval of a bounded wait
	}
}

// A reload keeps the metrics socket and the counters: requests counted
// before it are still counted after, and new ones add to them.
func TestMetricsSurviveReload(t *testing.T) {
	site := testSite(t)
	text := "paths:\n  serve_dir: SITE\nserver:\n  port: PORT\nmetrics:\n  listen: 127.0.0.1:0\nlogs:\n  access_log: \"off\"\nHEADERS"
	load := func(port int, headers string) *Config {
		t.Helper()
		s := strings.NewReplacer("PORT", strconv.Itoa(port), "HEADERS", headers).Replace(text)
		c, err := Load(writeConfig(t, site, s))
		if err != nil {
			t.Fatal(err)
		}
		return &c
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()

	failed := make(chan error, 8)
	first, err := Open(load(port, ""), io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Listen(nil); err != nil {
		first.Close()
		t.Fatal(err)
	}
	first.Start(failed)
	maddr := first.MetricsAddr()
	if maddr == "" || !regexp.MustCompile(`; metrics on http://127\.0\.0\.1:\d+/metrics$`).MatchString(first.Banner()) {
		t.Fatalf("MetricsAddr %q, banner %q", maddr, first.Banner())
	}
	addr := first.Listening[0].Ln.Addr().String()
	getOK(t, addr)
	getOK(t, addr)
	waitGets(t, maddr, 2)

	// The reload changes a header, so a new site replaces the first.
	next, err := OpenAfter(load(port, "headers:\n  X-Reloaded: yes\n"), io.Discard, io.Discard, first)
	if err != nil {
		t.Fatal(err)
	}
	if err := next.Listen(first); err != nil {
		next.Close()
		t.Fatal(err)
	}
	next.Start(failed)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := first.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	first.Close()
	defer func() {
		next.Stop()
		next.Close()
	}()
	if got := next.MetricsAddr(); got != maddr {
		t.Fatalf("metrics address after the reload %q, want the same socket %q", got, maddr)
	}
	getOK(t, addr)
	m := waitGets(t, maddr, 3)
	if v := m[`ferrox_connections_accepted_total`]; v != 3 {
		t.Errorf("accepted = %v, want 3", v)
	}
	select {
	case err := <-failed:
		t.Fatalf("a listener failed: %v", err)
	default:
	}
}

// With both the HTTPS and the metrics address on port 0 (both configured
// as "127.0.0.1:0"), a reload gives each of the old sockets to its own
// listener again.
func TestMetricsReloadPortZero(t *testing.T) {
	site := testSite(t)
	cert, key := writePair(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	o := &Overrides{HTTPSListen: "127.0.0.1:0", Version: "v9.9.9"}
	load := func(gen string) *Config {
		t.Helper()
		text := fmt.Sprintf("paths:\n  serve_dir: %s\nserver:\n  port: %d\ntls:\n  enabled: true\n  cert_path: %s\n  key_path: %s\n"+
			"metrics:\n  listen: 127.0.0.1:0\nlogs:\n  access_log: \"off\"\nheaders:\n  X-Gen: %s\n", site, port, cert, key, gen)
		c, err := LoadBytes("ferrox.yml", []byte(text), o)
		if err != nil {
			t.Fatal(err)
		}
		return &c
	}
	failed := make(chan error, 8)
	first, err := Open(load("g0"), io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Listen(nil); err != nil {
		t.Fatal(err)
	}
	first.Start(failed)
	https, maddr := first.Listening[0].Ln.Addr().String(), first.MetricsAddr()
	next, err := OpenAfter(load("g1"), io.Discard, io.Discard, first)
	if err != nil {
		t.Fatal(err)
	}
	if err := next.Listen(first); err != nil {
		t.Fatal(err)
	}
	next.Start(failed)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	first.Shutdown(ctx)
	first.Close()
	defer func() {
		next.Stop()
		next.Close()
	}()
	if got, gotM := next.Listening[0].Ln.Addr().String(), next.MetricsAddr(); got != https || gotM != maddr || got == gotM {
		t.Fatalf("after the reload: https %s metrics %s, want %s and %s", got, gotM, https, maddr)
	}
	found := false
	for k, v := range scrapeSite(t, maddr) {
		if strings.HasPrefix(k, `ferrox_build_info{version="v9.9.9",goversion="go`) && v == 1 {
			found = true
		}
	}
	if !found {
		t.Errorf("no ferrox_build_info with the binary's version v9.9.9")
	}
}
