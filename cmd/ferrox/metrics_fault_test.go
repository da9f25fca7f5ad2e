//go:build unix

package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestFaultReloadMetrics: the metrics endpoint of the real binary keeps
// its socket over SIGHUP reloads and its counters go on counting; a
// reload that moves it to another port moves it; the endpoint's version
// label is the binary's.
func TestFaultReloadMetrics(t *testing.T) {
	root := faultSite(t)
	cfg := filepath.Join(t.TempDir(), "ferrox.yml")
	port, mport, mport2 := freePort(t), freePort(t), freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	metricsAt := func(p int) string { return fmt.Sprintf("metrics:\n  listen: 127.0.0.1:%d\n", p) }
	writeConfig(t, cfg, root, port, "g0", metricsAt(mport))
	p := startServe(t, "--config", cfg)
	p.waitLog(`metrics on http://127\.0\.0\.1:` + strconv.Itoa(mport) + `/metrics`)

	gets := regexp.MustCompile(`(?m)^ferrox_requests_total\{code="2xx",method="GET"\} (\d+)$`)
	// count scrapes until the GET counter reaches want (a response is
	// counted right after it is written); 10 s at most.
	count := func(mp, want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			resp, body, err := get(fmt.Sprintf("127.0.0.1:%d", mp), "/metrics")
			if err == nil && resp.StatusCode == 200 {
				if m := gets.FindStringSubmatch(body); m != nil && m[1] == strconv.Itoa(want) {
					if !strings.Contains(resp.Header.Get("Content-Type"), "version=0.0.4") {
						t.Fatalf("Content-Type %q", resp.Header.Get("Content-Type"))
					}
					return
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("metrics on port %d: GET count not %d (err %v)", mp, want, err)
			}
			time.Sleep(10 * time.Millisecond) // poll interval of a bounded wait
		}
	}
	fetch := func(n int) {
		t.Helper()
		for range n {
			resp, body, err := get(addr, "/a.txt")
			if err != nil || resp.StatusCode != 200 || body != "alpha\n" {
				t.Fatalf("GET /a.txt: %v %q", err, body)
			}
		}
	}
	fetch(3)
	count(mport, 3)

	// Reload with another header: same metrics socket, counters kept.
	writeConfig(t, cfg, root, port, "g1", metricsAt(mport))
	p.signal(syscall.SIGHUP)
	p.waitLog(`configuration reloaded`)
	fetch(2)
	count(mport, 5)

	// Reload that moves the endpoint: the new port serves the same
	// counters, the old one is closed.
	writeConfig(t, cfg, root, port, "g2", metricsAt(mport2))
	p.signal(syscall.SIGHUP)
	p.waitLog(`metrics on http://127\.0\.0\.1:` + strconv.Itoa(mport2))
	fetch(1)
	count(mport2, 6)
	if _, _, err := get(fmt.Sprintf("127.0.0.1:%d", mport), "/metrics"); err == nil {
		// The retiring site may still be draining; it closes its
		// listener when its shutdown ends (no connections: at once).
		deadline := time.Now().Add(10 * time.Second)
		for err == nil && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond) // poll interval of a bounded wait
			_, _, err = get(fmt.Sprintf("127.0.0.1:%d", mport), "/metrics")
		}
		if err == nil {
			t.Errorf("old metrics port %d still answers after the reload moved it", mport)
		}
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit code %d; want 0", code)
	}
}
