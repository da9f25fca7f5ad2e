package metrics

import (
	"bufio"
	"crypto/tls"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ferrox/ferrox/internal/testnet"
	"github.com/ferrox/ferrox/server"
)

// TLS handshakes count, a failed one (plain HTTP on the HTTPS port) as
// an error, and the gauges return to 0.
func TestTLSHandshakes(t *testing.T) {
	certPEM, keyPEM := testnet.SelfSigned(t)
	dir := t.TempDir()
	cp, kp := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cp, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kp, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	cs, err := server.NewCertStore(cp, kp)
	if err != nil {
		t.Fatal(err)
	}
	m := server.NewMetrics()
	set := testSettings()
	set.MaxConnsPerIP = 100
	srv, err := server.New(set, server.Options{Handler: site{}, Metrics: m, Handshake: server.TLSHandshake(server.NewTLSConfig(cs))})
	if err != nil {
		t.Fatal(err)
	}
	addr := serve(t, srv)
	c := New(m, "v")
	ms, err := server.New(testSettings(), server.Options{Handler: c.Handler("/metrics")})
	if err != nil {
		t.Fatal(err)
	}
	maddr := serve(t, ms)

	for range 2 {
		tc, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(tc, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if r := readResponse(t, bufio.NewReader(tc), false); r.status != 200 {
			t.Fatalf("over TLS: %d", r.status)
		}
		tc.Close()
	}
	// Plain HTTP on the HTTPS port: the handshake fails (Ferrox answers
	// it in clear text).
	exchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", false)

	ws := []want{
		{"ferrox_tls_handshakes_total", nil, 2},
		{"ferrox_tls_handshake_errors_total", nil, 1},
		{"ferrox_requests_total", []string{"code", "2xx", "method", "GET"}, 2},
	}
	for st := range server.NumConnStates {
		ws = append(ws, want{"ferrox_connections", []string{"state", st.String()}, 0})
	}
	eventually(t, maddr, "after TLS", check(ws))
}
