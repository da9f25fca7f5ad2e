package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferrox/ferrox/internal/testnet"
)

// testCert makes a self-signed certificate for names (DNS names or IP
// addresses) valid from notBefore for a day, and the PEM of it.
func testCert(t *testing.T, notBefore time.Time, names ...string) (tls.Certificate, []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: names[0]},
		NotBefore:    notBefore,
		NotAfter:     notBefore.Add(24 * time.Hour),
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// tlsFixtureServer serves the fixture over TLS with cert and records the
// server names (SNI) clients sent.
func tlsFixtureServer(t *testing.T, cert tls.Certificate) (addr string, snis func() []string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	cfg := &tls.Config{
		NextProtos: []string{"http/1.1"},
		GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
			mu.Lock()
			seen = append(seen, h.ServerName)
			mu.Unlock()
			return &cert, nil
		},
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	return testnet.Serve(t, ln, fixtureHandler(nil)), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// TestConformTLS: an IP target over TLS works with --insecure and with
// --cacert plus --sni; each handshake failure is one line naming the flag
// that addresses it.
func TestConformTLS(t *testing.T) {
	fakeCorpus(t, testCases())
	dir := t.TempDir()
	named, namedPEM := testCert(t, time.Now().Add(-time.Hour), "ferrox.test")
	expired, expiredPEM := testCert(t, time.Now().Add(-48*time.Hour), "ferrox.test", "127.0.0.1")
	ipCert, ipPEM := testCert(t, time.Now().Add(-time.Hour), "127.0.0.1")
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	namedCA, expiredCA, ipCA := write("named.pem", namedPEM), write("expired.pem", expiredPEM), write("ip.pem", ipPEM)
	garbage := write("garbage.pem", []byte("not pem"))
	plain := okServer(t)
	answer400 := func(c net.Conn) { // a plain server that answers at once
		c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
	}

	tests := []struct {
		name     string
		cert     *tls.Certificate // nil: a plain-text server, plainHandler or okServer's
		plain    func(net.Conn)
		args     []string
		wantCode int
		wantErr  string
		wantSNI  string // the server name the server saw, when it must be checked
	}{
		{"unknown-authority", &ipCert, nil, nil, 2, "signed by an unknown authority: pass --cacert FILE with its CA (PEM), or --insecure", ""},
		{"ip-insecure", &named, nil, []string{"--insecure"}, 0, "", "-"},
		{"ip-insecure-sni", &named, nil, []string{"--insecure", "--sni", "ferrox.test"}, 0, "", "ferrox.test"},
		{"name-mismatch", &named, nil, []string{"--cacert", namedCA}, 2, `the certificate is not valid for "127.0.0.1" (it names ferrox.test): pass --sni NAME`, ""},
		{"cacert-sni", &named, nil, []string{"--cacert", namedCA, "--sni", "ferrox.test"}, 0, "", "ferrox.test"},
		{"cacert-server-name", &named, nil, []string{"--cacert", namedCA, "--server-name", "ferrox.test"}, 0, "", "ferrox.test"},
		{"cacert-ip-san", &ipCert, nil, []string{"--cacert", ipCA}, 0, "", "-"},
		{"expired", &expired, nil, []string{"--cacert", expiredCA}, 2, "the certificate has expired or is not yet valid: pass --insecure", ""},
		{"expired-insecure", &expired, nil, []string{"--insecure"}, 0, "", ""},
		{"not-tls-silent", nil, nil, []string{"--insecure"}, 2, "TLS: no handshake answer within 500ms: is it a TLS port? (drop --tls for plain HTTP)", ""},
		{"not-tls-answers", nil, answer400, []string{"--insecure", "--timeout", "2s"}, 2, "the target does not speak TLS (its first bytes are not a TLS record): drop --tls", ""},
		{"cacert-garbage", &named, nil, []string{"--cacert", garbage}, 2, "--cacert: " + garbage + " holds no PEM certificate", ""},
		{"cacert-missing", &named, nil, []string{"--cacert", filepath.Join(dir, "none.pem")}, 2, "--cacert: open", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr, snis := plain, func() []string { return nil }
			if tc.cert != nil {
				addr, snis = tlsFixtureServer(t, *tc.cert)
			}
			if tc.plain != nil {
				addr = testnet.Listen(t, tc.plain)
			}
			args := append([]string{"conform", "--tls", "--target", addr, "--timeout", "500ms", "--cases", "ok-*", "--format", "json", "--out", t.TempDir()}, tc.args...)
			var out, errb bytes.Buffer
			code := run(args, &out, &errb)
			if code != tc.wantCode || !strings.Contains(errb.String(), tc.wantErr) {
				t.Fatalf("run(%q) = %d, stderr %q; want %d and %q", args, code, errb.String(), tc.wantCode, tc.wantErr)
			}
			if code == 2 && strings.Count(strings.TrimSpace(errb.String()), "\n") > 0 {
				t.Errorf("run(%q) stderr %q; want one line", args, errb.String())
			}
			if tc.wantSNI == "" {
				return
			}
			want := tc.wantSNI
			if want == "-" {
				want = "" // an IP target sends no SNI
			}
			for _, got := range snis() {
				if got != want {
					t.Errorf("run(%q): server saw SNI %q; want %q", args, got, want)
					break
				}
			}
		})
	}
	// Without --tls the TLS flags are a usage error.
	var out, errb bytes.Buffer
	if code := run([]string{"conform", "--target", plain, "--sni", "x"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "need --tls") {
		t.Errorf("run(conform --sni without --tls) = %d, %q; want 2 and \"need --tls\"", code, errb.String())
	}
}
