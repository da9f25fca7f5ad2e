package server

import (
	"bufio"
	"crypto/tls"
	"io"
	"strings"
	"testing"
	"time"
)

// TestWave: more than waveAt heads timing out in the window running and
// the one before it make a wave; a window with none between ends it.
func TestWave(t *testing.T) {
	w := int64(waveWindow)
	var v wave
	v.since = 1000 * w
	at := v.since
	for i := 1; i <= waveAt; i++ {
		if v.count(at) {
			t.Fatalf("a wave at %d heads in a window; want more than %d", i, waveAt)
		}
	}
	if !v.count(at) {
		t.Fatalf("no wave at %d heads in a window", waveAt+1)
	}
	// The next window counts the one before it.
	if !v.count(at + w) {
		t.Fatal("no wave in the window after a wave")
	}
	// A window with none between: the count starts over.
	if v.count(at + 3*w) {
		t.Fatal("a wave after a window with no timeout")
	}
	// A clock behind the process's (a test's fake time: monoKey is
	// negative, before the zero window's start): heads three windows
	// apart are never a wave, however many.
	var f wave
	for i := range 3 * waveAt {
		if f.count(-1000*w + int64(i)*3*w) {
			t.Fatalf("a wave at the %d-th head, each three windows after the one before, on a clock behind the process's", i+1)
		}
	}
}

// TestWaveCutsQuietlyUnparked: with parking off (as on a system with no
// parker), heads that time out together in their goroutines' reads are
// a wave too: the first waveAt get their 408, the rest are closed with
// nothing sent.
func TestWaveCutsQuietlyUnparked(t *testing.T) {
	e := startServer(t, func(c *Settings) {
		c.HeaderTimeout = 300 * time.Millisecond
		c.Park = false
	})
	cs := make([]*client, 3*waveAt)
	for i := range cs {
		cs[i] = e.dial(t)
	}
	cutInWave(t, e.s, cs)
}

// TestTLSWaveCutsQuietly: TLS heads, which are never parked, time out in
// a wave as plain ones do.
func TestTLSWaveCutsQuietly(t *testing.T) {
	e := startTLS(t, func(c *Settings) { c.HeaderTimeout = 500 * time.Millisecond })
	cs := make([]*client, 3*waveAt)
	for i := range cs {
		tc, err := tls.Dial("tcp", e.addr, &tls.Config{RootCAs: e.pool, ServerName: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		tc.SetDeadline(time.Now().Add(10 * time.Second))
		t.Cleanup(func() { tc.Close() })
		cs[i] = &client{t: t, nc: tc, br: bufio.NewReader(tc)}
	}
	cutInWave(t, e.s, cs)
}

// cutInWave sends the start of a head on every client of cs at once and
// reads how the server ends each at its header timeout: heads that time
// out within a few milliseconds of each other, in one window or two, are
// a wave after the first waveAt, which get their 408; every one is
// counted as a head timeout.
func cutInWave(t *testing.T, s *Server, cs []*client) {
	t.Helper()
	before := s.Stats().Refused[RefusedHeadTimeout]
	for _, c := range cs {
		c.send("GET /a.txt HTTP/1.1\r\n")
	}
	answered, quiet := 0, 0
	for i, c := range cs {
		if cutWith408(t, i, c) {
			answered++
		} else {
			quiet++
		}
	}
	if answered == 0 || answered > waveAt || quiet < len(cs)-waveAt {
		t.Errorf("%d heads answered 408, %d closed with nothing; want the first of them answered, at most %d", answered, quiet, waveAt)
	}
	if got := s.Stats().Refused[RefusedHeadTimeout] - before; got != uint64(len(cs)) {
		t.Errorf("head timeouts counted: %d; want %d", got, len(cs))
	}
}

// cutWith408 reads what the server sent a head it cut, to the end of
// input: true for a 408, false for nothing at all.
func cutWith408(t *testing.T, i int, c *client) bool {
	t.Helper()
	b, err := io.ReadAll(c.br)
	switch {
	case err != nil:
		t.Fatalf("head %d: read %v; want a 408 or the end of input", i, err)
	case len(b) == 0:
		return false
	case !strings.HasPrefix(string(b), "HTTP/1.1 408 "):
		t.Fatalf("head %d: read %.40q; want a 408 or nothing", i, b)
	}
	return true
}
