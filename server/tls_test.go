package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ferrox/ferrox/server/static"
)

// testCert is a self-signed certificate made in the test; no key material
// is committed.
type testCert struct {
	certPEM, keyPEM []byte
	leaf            *x509.Certificate
}

func newTestCert(t testing.TB, cn string) testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return testCert{
		certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		keyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}),
		leaf:    leaf,
	}
}

// writePair writes cert and key PEM files into dir.
func writePair(t testing.TB, dir string, certPEM, keyPEM []byte) (certPath, keyPath string) {
	t.Helper()
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certPath, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return certPath, keyPath
}

type tlsEnv struct {
	*testEnv
	certs  *CertStore
	pool   *x509.CertPool
	cert   testCert
	keyDir string
}

// startTLS runs the static server behind the TLS handshake hook on a
// loopback listener, with a certificate made for the test.
func startTLS(t *testing.T, mod func(*Settings)) *tlsEnv {
	t.Helper()
	return startTLSLog(t, mod, nil)
}

// startTLSLog is startTLS with an access log.
func startTLSLog(t *testing.T, mod func(*Settings), access *AccessLog) *tlsEnv {
	t.Helper()
	tc := newTestCert(t, "cert-a")
	keyDir := t.TempDir()
	certPath, keyPath := writePair(t, keyDir, tc.certPEM, tc.keyPEM)
	certs, err := NewCertStore(certPath, keyPath)
	if err != nil {
		t.Fatalf("NewCertStore: %v", err)
	}
	dir := testSite(t)
	set := testSettings()
	if mod != nil {
		mod(&set)
	}
	env := serveEnv(t, set, dir, Options{Access: access, Handshake: TLSHandshake(NewTLSConfig(certs))})
	pool := x509.NewCertPool()
	pool.AddCert(tc.leaf)
	return &tlsEnv{
		testEnv: env,
		certs:   certs, pool: pool, cert: tc, keyDir: keyDir,
	}
}

// httpClient is net/http's client as an oracle: it trusts only pool and
// keeps at most one connection.
func httpClient(t *testing.T, pool *x509.CertPool) *http.Client {
	tr := &http.Transport{
		// Offer h2 first: the server must still pick http/1.1.
		TLSClientConfig:    &tls.Config{RootCAs: pool, NextProtos: []string{"h2", "http/1.1"}},
		MaxConnsPerHost:    1,
		DisableCompression: true,
		ForceAttemptHTTP2:  false,
	}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func TestTLSGetKeepAlive(t *testing.T) {
	e := startTLS(t, func(c *Settings) {
		c.Headers = append(c.Headers, [2]string{"Strict-Transport-Security", "max-age=31536000; includeSubDomains"})
	})
	c := httpClient(t, e.pool)
	for i, tc := range []struct {
		path, body string
		reused     bool
	}{
		{"/a.txt", "alpha\n", false},
		{"/b.txt", "bravo bravo\n", true},
		// 100 KiB: larger than the inline threshold, so the file goes
		// through the file-segment writer (a copy loop over TLS).
		{"/big.bin", strings.Repeat("0123456789abcdef", 100<<10/16), true},
		{"/a.txt", "alpha\n", true},
	} {
		var reused bool
		trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) { reused = i.Reused }}
		req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", "https://"+e.addr+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("#%d GET %s: %v", i, tc.path, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("#%d GET %s: reading body: %v", i, tc.path, err)
		}
		if resp.StatusCode != 200 || string(body) != tc.body {
			t.Errorf("#%d GET %s = %d, %d bytes; want 200, %d bytes", i, tc.path, resp.StatusCode, len(body), len(tc.body))
		}
		if reused != tc.reused {
			t.Errorf("#%d GET %s: connection reused = %v; want %v", i, tc.path, reused, tc.reused)
		}
		if resp.TLS == nil || resp.TLS.NegotiatedProtocol != "http/1.1" || resp.TLS.Version < tls.VersionTLS12 {
			t.Errorf("#%d GET %s: TLS state %+v; want ALPN http/1.1, TLS >= 1.2", i, tc.path, resp.TLS)
		}
		if got, want := resp.Header.Get("Strict-Transport-Security"), "max-age=31536000; includeSubDomains"; got != want {
			t.Errorf("#%d GET %s: Strict-Transport-Security = %q; want %q", i, tc.path, got, want)
		}
	}
}

func TestTLSRangeAndPipelining(t *testing.T) {
	e := startTLS(t, nil)
	tc, err := tls.Dial("tcp", e.addr, &tls.Config{RootCAs: e.pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	// Three requests in one write: answered in order (RFC 9112 §9.3.2).
	if _, err := io.WriteString(tc, get("/a.txt")+get("/big.bin", "Range: bytes=16-40015")+get("/b.txt")); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(tc)
	big := strings.Repeat("0123456789abcdef", 100<<10/16)
	for i, want := range []struct {
		status int
		body   string
	}{{200, "alpha\n"}, {206, big[16:40016]}, {200, "bravo bravo\n"}} {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("response %d body: %v", i, err)
		}
		if resp.StatusCode != want.status || string(body) != want.body {
			t.Errorf("response %d = %d, %d bytes; want %d, %d bytes", i, resp.StatusCode, len(body), want.status, len(want.body))
		}
	}
}

func TestTLSVersionsAndALPN(t *testing.T) {
	e := startTLS(t, nil)
	cases := []struct {
		name     string
		cfg      *tls.Config
		wantErr  bool
		wantALPN string
	}{
		{"tls1.1 refused", &tls.Config{MaxVersion: tls.VersionTLS11}, true, ""},
		{"tls1.0 refused", &tls.Config{MaxVersion: tls.VersionTLS10}, true, ""},
		{"tls1.2 accepted", &tls.Config{MaxVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}, false, "http/1.1"},
		{"tls1.3 h2 not chosen", &tls.Config{NextProtos: []string{"h2", "http/1.1"}}, false, "http/1.1"},
		{"no alpn", &tls.Config{}, false, ""},
		// RFC 7301 §3.2: no protocol in common → no_application_protocol.
		{"h2 only refused", &tls.Config{NextProtos: []string{"h2"}}, true, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			cfg.RootCAs = e.pool
			cfg.ServerName = "127.0.0.1"
			d := &net.Dialer{Timeout: 5 * time.Second}
			conn, err := tls.DialWithDialer(d, "tcp", e.addr, cfg)
			if c.wantErr {
				if err == nil {
					conn.Close()
					t.Fatalf("Dial(MaxVersion %x, NextProtos %q) succeeded; want a handshake failure", c.cfg.MaxVersion, c.cfg.NextProtos)
				}
				return
			}
			if err != nil {
				t.Fatalf("Dial: %v", err)
			}
			defer conn.Close()
			if got := conn.ConnectionState().NegotiatedProtocol; got != c.wantALPN {
				t.Errorf("NegotiatedProtocol = %q; want %q", got, c.wantALPN)
			}
		})
	}
}

// TestTLSHandshakeTimeout: a client that connects and says nothing, or
// stops in the middle of its ClientHello, is closed at the header timeout.
func TestTLSHandshakeTimeout(t *testing.T) {
	tc := newTestCert(t, "cert-a")
	pair, err := tls.X509KeyPair(tc.certPEM, tc.keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		send []byte
	}{
		{"silent", nil},
		{"partial client hello", []byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01}},
	} {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var cs CertStore
				cs.cur.Store(&pair)
				set := testSettings()
				set.HeaderTimeout = 3 * time.Second
				s := mustNew(t, set, Options{Handler: RedirectHandler{}, Handshake: TLSHandshake(NewTLSConfig(&cs))})
				cli, srv := net.Pipe()
				done := make(chan struct{})
				go func() {
					s.ServeConn(srv)
					close(done)
				}()
				defer func() { cli.Close(); <-done }()
				if len(c.send) > 0 {
					if _, err := cli.Write(c.send); err != nil {
						t.Fatalf("write: %v", err)
					}
				}
				start := time.Now()
				n, err := cli.Read(make([]byte, 1))
				if n != 0 || err == nil {
					t.Fatalf("Read = %d, %v; want the server to close", n, err)
				}
				if waited := time.Since(start); waited < 3*time.Second {
					t.Errorf("closed after %v (fake time); want the 3s header timeout", waited)
				}
			})
		})
	}
}

// dialTLS opens a raw TLS connection trusting pool and returns it with the
// leaf certificate the server presented.
func dialTLS(t *testing.T, addr string, pool *x509.CertPool) (*tls.Conn, *bufio.Reader) {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("tls.Dial: %v", err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return conn, bufio.NewReader(conn)
}

func roundTrip(t *testing.T, conn *tls.Conn, br *bufio.Reader, path, want string) {
	t.Helper()
	if _, err := io.WriteString(conn, get(path)); err != nil {
		t.Fatalf("write: %v", err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("ReadResponse: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != want {
		t.Fatalf("GET %s = %d %q; want 200 %q", path, resp.StatusCode, body, want)
	}
}

func TestCertificateReload(t *testing.T) {
	e := startTLS(t, nil)
	b := newTestCert(t, "cert-b")
	e.pool.AddCert(b.leaf)

	connA, brA := dialTLS(t, e.addr, e.pool)
	if got := connA.ConnectionState().PeerCertificates[0].Subject.CommonName; got != "cert-a" {
		t.Fatalf("first handshake presented %q; want cert-a", got)
	}
	roundTrip(t, connA, brA, "/a.txt", "alpha\n")

	// A bad pair (B's certificate with A's key) is refused; A stays.
	certPath, keyPath := writePair(t, e.keyDir, b.certPEM, e.cert.keyPEM)
	err := e.certs.Reload()
	if err == nil || !strings.Contains(err.Error(), "private key does not match certificate") || !strings.Contains(err.Error(), keyPath) {
		t.Fatalf("Reload(mismatched pair) = %v; want a key mismatch naming %s", err, keyPath)
	}
	if got := e.certs.Certificate().Leaf.Subject.CommonName; got != "cert-a" {
		t.Fatalf("after a failed reload the store holds %q; want cert-a", got)
	}
	c2, _ := dialTLS(t, e.addr, e.pool)
	if got := c2.ConnectionState().PeerCertificates[0].Subject.CommonName; got != "cert-a" {
		t.Fatalf("handshake after a failed reload presented %q; want cert-a", got)
	}

	// The good pair B is picked up by new handshakes only.
	writePair(t, e.keyDir, b.certPEM, b.keyPEM)
	if err := e.certs.Reload(); err != nil {
		t.Fatalf("Reload(%s, %s) = %v; want nil", certPath, keyPath, err)
	}
	connB, brB := dialTLS(t, e.addr, e.pool)
	if got := connB.ConnectionState().PeerCertificates[0].Subject.CommonName; got != "cert-b" {
		t.Errorf("handshake after reload presented %q; want cert-b", got)
	}
	roundTrip(t, connB, brB, "/b.txt", "bravo bravo\n")
	// The connection made under A still serves requests.
	roundTrip(t, connA, brA, "/sub/c.txt", "charlie\n")
}

func TestLoadKeyPairErrors(t *testing.T) {
	a := newTestCert(t, "a")
	b := newTestCert(t, "b")
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	certA, keyA, keyB := write("a.pem", a.certPEM), write("a.key", a.keyPEM), write("b.key", b.keyPEM)
	junk := write("junk.pem", []byte("not pem\n"))
	missing := filepath.Join(dir, "missing.pem")
	cases := []struct {
		name, cert, key, want string
	}{
		{"ok", certA, keyA, ""},
		{"missing cert", missing, keyA, missing + ": no such file or directory"},
		{"missing key", certA, missing, "key " + missing + ": no such file or directory"},
		{"cert not pem", junk, keyA, junk + ": no PEM certificate found"},
		{"key not pem", certA, junk, "key " + junk + ": no PEM private key found"},
		{"key is a cert", certA, certA, "key " + certA + ": no PEM private key found"},
		{"mismatch", certA, keyB, "key " + keyB + ": private key does not match certificate " + certA},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadKeyPair(c.cert, c.key)
			got := ""
			if err != nil {
				// "key " marks an error the *KeyPairError blames on the key.
				var ke *KeyPairError
				if !errors.As(err, &ke) {
					t.Fatalf("LoadKeyPair error %T; want *KeyPairError", err)
				}
				if ke.Key {
					got = "key "
				}
				got += err.Error()
			}
			if got != c.want {
				t.Errorf("LoadKeyPair(%q, %q) = %q; want %q", c.cert, c.key, got, c.want)
			}
			if strings.Contains(got, "\n") {
				t.Errorf("LoadKeyPair error %q spans lines; want one line", got)
			}
		})
	}
}

// TestTLSAccessLogScheme: the JSON access line says https for the TLS
// listener and http for the plain one.
func TestTLSAccessLogScheme(t *testing.T) {
	var buf lockedBuf
	log := NewAccessLog(&buf, FormatJSON)
	e := startTLSLog(t, nil, log)
	conn, br := dialTLS(t, e.addr, e.pool)
	roundTrip(t, conn, br, "/a.txt", "alpha\n")
	// The line for a request is written after its response; a second
	// request on the same connection orders it.
	roundTrip(t, conn, br, "/b.txt", "bravo bravo\n")
	log.Flush()
	if got := buf.String(); !strings.Contains(got, `"scheme":"https","method":"GET","target":"/a.txt"`) {
		t.Errorf("access log %q; want scheme https for /a.txt", got)
	}

	var pbuf lockedBuf
	plog := NewAccessLog(&pbuf, FormatJSON)
	s := mustNew(t, testSettings(), Options{Handler: RedirectHandler{}, Access: plog})
	cli, srv := net.Pipe()
	go s.ServeConn(srv)
	defer cli.Close()
	cli.SetDeadline(time.Now().Add(10 * time.Second))
	io.WriteString(cli, get("/x"))
	if resp, err := http.ReadResponse(bufio.NewReader(cli), nil); err != nil || resp.StatusCode != 301 {
		t.Fatalf("redirect over a pipe: %v %v; want 301", resp, err)
	}
	cli.Close()
	s.Close()
	plog.Flush()
	if got := pbuf.String(); !strings.Contains(got, `"scheme":"http","method":"GET","target":"/x"`) {
		t.Errorf("access log %q; want scheme http for /x", got)
	}
}

// lockedBuf is a bytes.Buffer safe for the log's flush timer.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// BenchmarkKeepAlive1KiBTLS is BenchmarkKeepAlive1KiB over TLS: one
// keep-alive connection, GET of a 1 KiB file per op (client and server in
// one process; see TestKeepAliveTLSvsPlain for server CPU per request).
func BenchmarkKeepAlive1KiBTLS(b *testing.B) {
	tc := newTestCert(b, "bench")
	dir := testSite(b)
	certPath, keyPath := writePair(b, b.TempDir(), tc.certPEM, tc.keyPEM)
	certs, err := NewCertStore(certPath, keyPath)
	if err != nil {
		b.Fatal(err)
	}
	h, err := static.New(testStatic(dir))
	if err != nil {
		b.Fatal(err)
	}
	s := mustNew(b, testSettings(), Options{Handler: h, Handshake: TLSHandshake(NewTLSConfig(certs))})
	defer h.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		<-done
	}()
	pool := x509.NewCertPool()
	pool.AddCert(tc.leaf)
	nc, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		b.Fatal(err)
	}
	benchGet1KiB(b, nc)
}

// TestKeepAliveTLSvsPlain measures a running `ferrox serve` twice in one
// run, plain HTTP then HTTPS: FERROX_TLS_CONNS keep-alive connections
// (default 8) each GET a 1 KiB file in a closed loop for FERROX_TLS_SECS
// seconds (default 5). It reports requests/s and the server process's CPU
// (utime+stime from /proc/PID/stat) per request. Skipped unless
// FERROX_BENCH_BIN names the ferrox binary:
//
//	go build -o /tmp/ferrox ./cmd/ferrox
//	FERROX_BENCH_BIN=/tmp/ferrox go test ./server -run TestKeepAliveTLSvsPlain -v
func TestKeepAliveTLSvsPlain(t *testing.T) {
	bin := os.Getenv("FERROX_BENCH_BIN")
	if bin == "" {
		t.Skip("set FERROX_BENCH_BIN to the ferrox binary to measure HTTPS against HTTP")
	}
	conns, secs := 8, 5
	if v, err := strconv.Atoi(os.Getenv("FERROX_TLS_CONNS")); err == nil && v > 0 && v <= 256 {
		conns = v
	}
	if v, err := strconv.Atoi(os.Getenv("FERROX_TLS_SECS")); err == nil && v > 0 && v <= 60 {
		secs = v
	}
	site := testSite(t)
	tc := newTestCert(t, "bench")
	certPath, keyPath := writePair(t, t.TempDir(), tc.certPEM, tc.keyPEM)
	pool := x509.NewCertPool()
	pool.AddCert(tc.leaf)
	cfgFile := writeConfig(t, site, "paths:\n  serve_dir: SITE\nlogs:\n  access_log: /dev/null\n  level: error\n")

	type row struct {
		name       string
		reqs       int
		rps, cpuUs float64
	}
	var rows []row
	for _, useTLS := range []bool{false, true} {
		plainAddr, httpsAddr := freeAddr(t), freeAddr(t)
		args := []string{"serve", "--config", cfgFile, "--listen", plainAddr}
		target := plainAddr
		if useTLS {
			args = append(args, "--tls-cert", certPath, "--tls-key", keyPath, "--https-listen", httpsAddr)
			target = httpsAddr
		}
		cmd := exec.Command(bin, args...)
		var stderr lockedBuf
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		stop := func() {
			cmd.Process.Signal(os.Interrupt)
			cmd.Wait()
		}
		dialOne := func() (net.Conn, error) {
			if useTLS {
				return tls.Dial("tcp", target, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
			}
			return net.Dial("tcp", target)
		}
		var cs []net.Conn
		for i := 0; i < 200 && len(cs) == 0; i++ {
			if c, err := dialOne(); err == nil {
				cs = append(cs, c)
			} else {
				time.Sleep(20 * time.Millisecond) // waiting for the process to listen
			}
		}
		if len(cs) == 0 {
			stop()
			t.Fatalf("server did not come up: %s", stderr.String())
		}
		for len(cs) < conns {
			c, err := dialOne()
			if err != nil {
				stop()
				t.Fatal(err)
			}
			cs = append(cs, c)
		}
		req := []byte(get("/1k.txt", "User-Agent: bench"))
		one := func(c net.Conn, br *bufio.Reader) error {
			if _, err := c.Write(req); err != nil {
				return err
			}
			st, n, err := readRaw(br)
			if err == nil && (st != 200 || n != 1024) {
				err = fmt.Errorf("response %d, %d bytes; want 200, 1024", st, n)
			}
			return err
		}
		brs := make([]*bufio.Reader, len(cs))
		for i, c := range cs {
			brs[i] = bufio.NewReaderSize(c, 8192)
			if err := one(c, brs[i]); err != nil { // warm-up, handshake done
				stop()
				t.Fatal(err)
			}
		}
		cpu0 := procCPU(t, cmd.Process.Pid)
		start := time.Now()
		deadline := start.Add(time.Duration(secs) * time.Second)
		counts := make([]int, len(cs))
		errs := make(chan error, len(cs))
		for i, c := range cs {
			go func() {
				for time.Now().Before(deadline) {
					if err := one(c, brs[i]); err != nil {
						errs <- err
						return
					}
					counts[i]++
				}
				errs <- nil
			}()
		}
		for range cs {
			if err := <-errs; err != nil {
				t.Errorf("request failed: %v", err)
			}
		}
		elapsed := time.Since(start)
		cpu := procCPU(t, cmd.Process.Pid) - cpu0
		for _, c := range cs {
			c.Close()
		}
		stop()
		total := 0
		for _, n := range counts {
			total += n
		}
		name := "http"
		if useTLS {
			name = "https"
		}
		rows = append(rows, row{name, total, float64(total) / elapsed.Seconds(), float64(cpu.Microseconds()) / float64(total)})
	}
	t.Logf("%d keep-alive connections, %d s each, GET 1 KiB, server = %s", conns, secs, bin)
	t.Logf("%-6s %10s %12s %18s", "scheme", "requests", "requests/s", "server CPU µs/req")
	for _, r := range rows {
		t.Logf("%-6s %10d %12.0f %18.2f", r.name, r.reqs, r.rps, r.cpuUs)
	}
	if len(rows) == 2 && rows[0].rps > 0 && rows[0].cpuUs > 0 {
		t.Logf("https/http: requests/s ×%.2f, CPU per request ×%.2f", rows[1].rps/rows[0].rps, rows[1].cpuUs/rows[0].cpuUs)
	}
}

// freeAddr returns a loopback address with a port that was free a moment
// ago (the flags need a real port).
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// procCPU returns utime+stime of process pid from /proc/PID/stat (fields
// 14 and 15, in clock ticks of 1/100 s on Linux).
func procCPU(t *testing.T, pid int) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	// f[0] is field 3 (state): utime is field 14 → f[11], stime f[12].
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("parsing %s: %v %v", b, err1, err2)
	}
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// TestTLSShutdownDuringHandshake: a connection still in its handshake has
// sent no request, so Shutdown closes it at once like an idle one instead
// of waiting for the header timeout.
func TestTLSShutdownDuringHandshake(t *testing.T) {
	tc := newTestCert(t, "cert-a")
	pair, err := tls.X509KeyPair(tc.certPEM, tc.keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	synctest.Test(t, func(t *testing.T) {
		var cs CertStore
		cs.cur.Store(&pair)
		set := testSettings()
		set.HeaderTimeout = time.Minute
		s := mustNew(t, set, Options{Handler: RedirectHandler{}, Handshake: TLSHandshake(NewTLSConfig(&cs))})
		cli, srv := net.Pipe()
		defer cli.Close()
		go s.ServeConn(srv)
		synctest.Wait() // the server waits for a ClientHello
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown = %v after %v; want nil at once", err, time.Since(start))
		}
	})
}

// TestPlainHTTPOnTLSPort: a plain request on the HTTPS port gets a plain
// 400 that says why, then the connection closes; other junk is just
// closed.
func TestPlainHTTPOnTLSPort(t *testing.T) {
	e := startTLS(t, func(s *Settings) {
		s.Headers = append(s.Headers, [2]string{"Strict-Transport-Security", "max-age=60"})
	})
	for _, c := range []struct {
		name, send string
		status     int // 0: closed without a response
	}{
		{"get", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		{"delete", "DELETE /x HTTP/1.1\r\nHost: h\r\n\r\n", 400},
		// More than the handshake reads: still answered (the rest is drained).
		{"large head", "GET / HTTP/1.1\r\nHost: h\r\nX: " + strings.Repeat("a", 100<<10) + "\r\n\r\n", 400},
		{"junk", "\x00\x01\x02\x03\x04\x05\r\n\r\n", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			cl := e.dial(t)
			cl.send(c.send)
			if c.status == 0 {
				cl.expectEOF()
				return
			}
			resp, body := cl.read("GET")
			if resp.StatusCode != c.status || !strings.Contains(body, "HTTPS") || !resp.Close {
				t.Errorf("%q → %d %q close=%v; want %d, a body naming HTTPS, close", c.send, resp.StatusCode, body, resp.Close, c.status)
			}
			checkDate(t, "400 on the HTTPS port", resp)
			// RFC 6797 §7.2: never over plain HTTP.
			if v := resp.Header.Get("Strict-Transport-Security"); v != "" {
				t.Errorf("400 on the HTTPS port sent in clear text carries Strict-Transport-Security: %q", v)
			}
			// Built like every response: the configured fields too.
			for name, want := range map[string]string{"Server": "ferrox", "X-Content-Type-Options": "nosniff", "Content-Type": "text/plain; charset=utf-8"} {
				if got := resp.Header.Get(name); got != want {
					t.Errorf("400 on the HTTPS port: %s = %q; want %q", name, got, want)
				}
			}
		})
	}
}

// withoutHSTS drops Strict-Transport-Security in any spelling and leaves
// a list without it as it is.
func TestWithoutHSTS(t *testing.T) {
	base := [][2]string{{"Referrer-Policy", "no-referrer"}, {"X-Frame-Options", "DENY"}}
	if got := withoutHSTS(base); &got[0] != &base[0] || len(got) != 2 {
		t.Errorf("withoutHSTS(%q) = %q; want the same slice", base, got)
	}
	for _, name := range []string{"Strict-Transport-Security", "strict-transport-security"} {
		in := [][2]string{base[0], {name, "max-age=1"}, base[1]}
		got := withoutHSTS(in)
		if !slices.Equal(got, base) {
			t.Errorf("withoutHSTS(%q) = %q; want %q", in, got, base)
		}
		if in[1][0] != name {
			t.Errorf("withoutHSTS changed its input: %q", in)
		}
	}
}

// TestTLS12CipherSuites: a TLS 1.2 client that offers only CBC (or
// static-RSA) suites finds no suite in common; one offering an ECDHE AEAD
// suite connects with it.
func TestTLS12CipherSuites(t *testing.T) {
	e := startTLS(t, nil)
	cases := []struct {
		name    string
		suites  []uint16
		wantErr bool
	}{
		{"cbc only", []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256}, true},
		{"static rsa gcm", []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_256_GCM_SHA384}, true},
		{"ecdhe aes-128-gcm", []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, false},
		{"ecdhe aes-256-gcm", []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}, false},
		{"ecdhe chacha20-poly1305", []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := &tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12, CipherSuites: c.suites, RootCAs: e.pool, ServerName: "127.0.0.1"}
			conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", e.addr, cfg)
			if c.wantErr {
				if err == nil {
					suite := conn.ConnectionState().CipherSuite
					conn.Close()
					t.Fatalf("TLS 1.2 handshake offering %v succeeded with %s; want a failure", c.suites, tls.CipherSuiteName(suite))
				}
				return
			}
			if err != nil {
				t.Fatalf("TLS 1.2 handshake offering %v: %v; want success", c.suites, err)
			}
			defer conn.Close()
			if got := conn.ConnectionState().CipherSuite; got != c.suites[0] {
				t.Errorf("CipherSuite = %s; want %s", tls.CipherSuiteName(got), tls.CipherSuiteName(c.suites[0]))
			}
		})
	}
}
