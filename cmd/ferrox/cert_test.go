package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
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
