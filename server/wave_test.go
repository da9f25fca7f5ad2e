package server

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"io"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestWave: more than waveAt heads timing out in the window running and
// the one before it make a wave; a window with none between ends it.
func TestWave(t *testing.T) {
	w := int64(waveWindow)
	v := wave{window: waveWindow}
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
	// Widened windows (oneWave): heads a second apart are one wave.
	wide := &wave{window: time.Minute}
	inWave := false
	for i := range waveAt + 1 {
		inWave = wide.count(int64(i) * int64(time.Second))
	}
	if !inWave {
		t.Fatalf("no wave at %d heads a second apart in windows of a minute", waveAt+1)
	}
}

// TestWaveCutsQuietlyInGoroutines: heads that time out in their
// goroutines' own reads, which the parker never holds (in-memory
// connections here, as on a system with no parker, and every TLS one),
// are a wave too. In a synctest bubble every head times out at the same
// instant: one wave with the windows as they are.
func TestWaveCutsQuietlyInGoroutines(t *testing.T) {
	dir := testSite(t)
	tc := newTestCert(t, "cert-a")
	pair, err := tls.X509KeyPair(tc.certPEM, tc.keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(tc.leaf)
	for _, withTLS := range []bool{false, true} {
		name := "plain"
		if withTLS {
			name = "tls"
		}
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var opts Options
				if withTLS {
					var certs CertStore
					certs.cur.Store(&pair)
					opts.Handshake = TLSHandshake(NewTLSConfig(&certs))
				}
				s, open := pipeServerWith(t, dir, func(c *Settings) { c.HeaderTimeout = time.Second }, opts)
				cs := make([]*client, 3*waveAt)
				for i := range cs {
					nc, _ := open()
					if withTLS {
						// The bubble's clock reads 2000: verify at a time the
						// certificate is valid.
						valid := func() time.Time { return tc.leaf.NotBefore.Add(time.Hour) }
						tlsc := tls.Client(nc, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", Time: valid})
						if err := tlsc.Handshake(); err != nil {
							t.Fatalf("handshake %d: %v", i, err)
						}
						nc = tlsc
					}
					cs[i] = &client{t: t, nc: nc, br: bufio.NewReader(nc)}
				}
				cutInWave(t, s, cs)
			})
		})
	}
}

// cutInWave sends the start of a head on every client of cs at once and
// reads how the server ends each at its header timeout: the heads time
// out in one wave (the caller sees to it: oneWave, or a synctest bubble,
// where they all time out at one instant), so exactly the first waveAt
// get their 408 and the rest are closed with nothing; every one is
// counted as a head timeout.
func cutInWave(t *testing.T, s *Server, cs []*client) {
	t.Helper()
	before := s.Stats().Refused[RefusedHeadTimeout]
	for _, c := range cs {
		c.send("GET /a.txt HTTP/1.1\r\n")
	}
	answered := 0
	for i, c := range cs {
		if cutWith408(t, i, c) {
			answered++
		}
	}
	if answered != waveAt {
		t.Errorf("%d of %d heads answered 408, the rest closed with nothing; want exactly the first %d answered", answered, len(cs), waveAt)
	}
	if got := s.Stats().Refused[RefusedHeadTimeout] - before; got != uint64(len(cs)) {
		t.Errorf("head timeouts counted: %d; want %d", got, len(cs))
	}
}

// oneWave widens s's wave windows to a minute: heads that time out
// together in a test are then one wave, however long the machine stalls
// the test between them (with the 0.1 s windows, a stall of two let an
// eleventh head have its 408).
func oneWave(s *Server) {
	s.wave.mu.Lock()
	s.wave.window = time.Minute
	s.wave.mu.Unlock()
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
