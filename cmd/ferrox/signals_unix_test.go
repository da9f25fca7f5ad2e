//go:build unix

package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Signals drive serve (SIGHUP, SIGINT): unix only.

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
	plain := freeAddr(t)

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
