package main

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestCertDev(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dev")
	var stdout, stderr bytes.Buffer
	if code := cmdCert([]string{"--dev", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("cert --dev %s = %d (%s); want 0", dir, code, stderr.String())
	}
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		t.Fatalf("LoadX509KeyPair: %v", err)
	}
	leaf := pair.Leaf
	if leaf == nil {
		if leaf, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			t.Fatal(err)
		}
	}
	if k, ok := leaf.PublicKey.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
		t.Errorf("public key %T; want ECDSA P-256", leaf.PublicKey)
	}
	for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
		if err := leaf.VerifyHostname(name); err != nil {
			t.Errorf("VerifyHostname(%q) = %v; want nil", name, err)
		}
	}
	if err := leaf.VerifyHostname("example.com"); err == nil {
		t.Errorf("VerifyHostname(example.com) = nil; want an error")
	}
	if d := leaf.NotAfter.Sub(time.Now()); d < 29*24*time.Hour || d > 30*24*time.Hour {
		t.Errorf("certificate valid for another %v; want 30 days", d)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool, DNSName: "localhost"}); err != nil {
		t.Errorf("self-signed Verify: %v", err)
	}
	for _, p := range []string{certPath, keyPath} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v; want 0600", p, fi.Mode().Perm())
		}
	}
	if want := "--tls-cert " + certPath + " --tls-key " + keyPath; !strings.Contains(stdout.String(), want) {
		t.Errorf("stdout %q; want the serve command with %q", stdout.String(), want)
	}

	// A second run refuses to overwrite; --force replaces the pair.
	stderr.Reset()
	if code := cmdCert([]string{"--dev", dir}, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "exists") {
		t.Errorf("second cert --dev = %d %q; want 2 and an 'exists' message", code, stderr.String())
	}
	if code := cmdCert([]string{"--dev", dir, "--force"}, io.Discard, &stderr); code != 0 {
		t.Errorf("cert --dev --force = %d; want 0", code)
	}
	again, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil || bytes.Equal(again.Certificate[0], pair.Certificate[0]) {
		t.Errorf("after --force: err %v, same certificate %v; want a new loadable pair", err, err == nil)
	}
}

func TestCertUsage(t *testing.T) {
	for _, c := range []struct {
		id   string
		args []string
		code int
		want string
	}{
		{"no-dev", nil, 2, "--dev DIR is required"},
		{"extra-arg", []string{"--dev", "x", "y"}, 2, "unexpected argument"},
		{"unknown-flag", []string{"--prod"}, 2, "flag provided but not defined"},
	} {
		t.Run(c.id, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := cmdCert(c.args, io.Discard, &stderr); code != c.code || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("cert %q = %d %q; want %d and %q", c.args, code, stderr.String(), c.code, c.want)
			}
		})
	}
}

// devPair writes a development pair into a new directory.
func devPair(t *testing.T) (certPath, keyPath string) {
	t.Helper()
	dir := t.TempDir()
	if code := cmdCert([]string{"--dev", dir}, io.Discard, io.Discard); code != 0 {
		t.Fatalf("cert --dev = %d", code)
	}
	return filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
}

func TestServeTLSStartupErrors(t *testing.T) {
	root := t.TempDir()
	certA, keyA := devPair(t)
	_, keyB := devPair(t)
	missing := filepath.Join(root, "nope.pem")
	cases := []struct {
		id   string
		args []string
		want string // the whole single line on stderr (regexp)
	}{
		{"missing-cert", []string{"--tls-cert", missing, "--tls-key", keyA}, `^ferrox: --tls-cert: ` + regexp.QuoteMeta(missing) + `: no such file`},
		{"missing-key", []string{"--tls-cert", certA, "--tls-key", missing}, `^ferrox: --tls-key: ` + regexp.QuoteMeta(missing) + `: no such file`},
		{"mismatch", []string{"--tls-cert", certA, "--tls-key", keyB}, `^ferrox: --tls-key: ` + regexp.QuoteMeta(keyB) + `: private key does not match certificate`},
		{"key-is-cert", []string{"--tls-cert", certA, "--tls-key", certA}, `^ferrox: --tls-key: .*no PEM private key found`},
		{"cert-without-key", []string{"--tls-cert", certA}, `^ferrox: --tls-cert and --tls-key go together`},
		{"https-listen-without-tls", []string{"--https-listen", "127.0.0.1:8443"}, `^ferrox: --https-listen .*needs --tls-cert`},
		{"same-address", []string{"--tls-cert", certA, "--tls-key", keyA, "--https-listen", "127.0.0.1:1"}, `^ferrox: --https-listen: 127\.0\.0\.1:1 is also the HTTP address; HTTPS needs a port of its own$`},
		{"bad-https-listen", []string{"--tls-cert", certA, "--tls-key", keyA, "--https-listen", "8443"}, `^ferrox: --https-listen "8443": want HOST:PORT`},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"--root", root, "--listen", "127.0.0.1:1"}, c.args...)
			code := cmdServe(args, &stdout, &stderr)
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if code != 2 || len(lines) != 1 || !regexp.MustCompile(c.want).MatchString(lines[0]) {
				t.Errorf("serve %q = %d, stderr %q; want 2 and one line matching %s", c.args, code, stderr.String(), c.want)
			}
		})
	}
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestServeTLSEndToEnd runs `ferrox serve` with HTTPS in-process: the
// HTTPS listener serves the site, the plain one redirects, SIGHUP picks up
// a replaced certificate while an open connection keeps working, SIGINT
// stops it with exit code 0.
func TestServeTLSEndToEnd(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("alpha\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	keyDir := t.TempDir()
	if code := cmdCert([]string{"--dev", keyDir}, io.Discard, io.Discard); code != 0 {
		t.Fatal("cert --dev failed")
	}
	certPath, keyPath := filepath.Join(keyDir, "cert.pem"), filepath.Join(keyDir, "key.pem")
	// A free plain port (--listen needs a real one).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	plain := l.Addr().String()
	l.Close()

	var stdout, stderr lockedBuffer
	exit := make(chan int, 1)
	go func() {
		exit <- cmdServe([]string{"--root", root, "--listen", plain, "--tls-cert", certPath, "--tls-key", keyPath,
			"--https-listen", "127.0.0.1:0", "--access-format", "json"}, &stdout, &stderr)
	}()
	httpsRe := regexp.MustCompile(`on https://(127\.0\.0\.1:\d+) `)
	var httpsAddr string
	for i := 0; i < 500 && httpsAddr == ""; i++ {
		select {
		case code := <-exit:
			t.Fatalf("serve exited with %d: %s", code, stderr.String())
		default:
		}
		if m := httpsRe.FindStringSubmatch(stderr.String()); m != nil {
			httpsAddr = m[1]
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if httpsAddr == "" {
		t.Fatalf("serve did not start: %s", stderr.String())
	}
	stopped := false
	defer func() {
		if !stopped {
			syscall.Kill(os.Getpid(), syscall.SIGINT)
			<-exit
		}
	}()

	trust := func() *x509.CertPool {
		pool := x509.NewCertPool()
		b, err := os.ReadFile(certPath)
		if err != nil {
			t.Fatal(err)
		}
		pool.AppendCertsFromPEM(b)
		return pool
	}
	poolA := trust()
	dial := func(pool *x509.CertPool) (*tls.Conn, *bufio.Reader) {
		c, err := tls.Dial("tcp", httpsAddr, &tls.Config{RootCAs: pool, ServerName: "localhost", NextProtos: []string{"http/1.1"}})
		if err != nil {
			t.Fatalf("tls.Dial: %v", err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		t.Cleanup(func() { c.Close() })
		return c, bufio.NewReader(c)
	}
	get := func(c io.Writer, br *bufio.Reader, host string) (*http.Response, string) {
		t.Helper()
		if _, err := io.WriteString(c, "GET /a.txt?x=1 HTTP/1.1\r\nHost: "+host+"\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("ReadResponse: %v", err)
		}
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}

	connA, brA := dial(poolA)
	if resp, body := get(connA, brA, "localhost"); resp.StatusCode != 200 || body != "alpha\n" {
		t.Fatalf("HTTPS GET = %d %q; want 200 alpha", resp.StatusCode, body)
	}

	pc, err := net.Dial("tcp", plain)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	pc.SetDeadline(time.Now().Add(10 * time.Second))
	_, port, _ := net.SplitHostPort(httpsAddr)
	if resp, _ := get(pc, bufio.NewReader(pc), "localhost:"+strings.Split(plain, ":")[1]); resp.StatusCode != 301 ||
		resp.Header.Get("Location") != "https://localhost:"+port+"/a.txt?x=1" {
		t.Errorf("plain GET = %d Location %q; want 301 https://localhost:%s/a.txt?x=1", resp.StatusCode, resp.Header.Get("Location"), port)
	}

	// Replace the files with a new pair and send SIGHUP.
	if code := cmdCert([]string{"--dev", keyDir, "--force"}, io.Discard, io.Discard); code != 0 {
		t.Fatal("cert --dev --force failed")
	}
	poolB := trust()
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	var connB *tls.Conn
	for i := 0; i < 500; i++ {
		c, err := tls.Dial("tcp", httpsAddr, &tls.Config{RootCAs: poolB, ServerName: "localhost"})
		if err == nil {
			connB = c
			break
		}
		time.Sleep(10 * time.Millisecond) // the signal is handled asynchronously
	}
	if connB == nil {
		t.Fatalf("no handshake with the new certificate after SIGHUP: %s", stderr.String())
	}
	connB.Close()
	// The connection made under the old certificate still serves.
	if resp, body := get(connA, brA, "localhost"); resp.StatusCode != 200 || body != "alpha\n" {
		t.Errorf("old connection after reload: %d %q; want 200 alpha", resp.StatusCode, body)
	}

	syscall.Kill(os.Getpid(), syscall.SIGINT)
	stopped = true
	if code := <-exit; code != 0 {
		t.Errorf("serve exit code %d; want 0 (%s)", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "certificate reloaded") {
		t.Errorf("error log %q; want a 'certificate reloaded' line", stderr.String())
	}
}
