package conformance

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/ferrox/ferrox/corpus"
	"github.com/ferrox/ferrox/internal/testnet"
)

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestTLSTarget(t *testing.T) {
	cert := selfSigned(t)
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	addr := testnet.Serve(t, ln, strictServer)
	cases := []corpus.Case{selfCase(t, "get-simple"), selfCase(t, "space-before-colon")}
	cases[0].Mode = corpus.SendWhole
	tests := []struct {
		name     string
		insecure bool
		want     []Verdict
	}{
		{"insecure", true, []Verdict{Pass, Pass}},
		{"verify-fails", false, []Verdict{Error, Error}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(addr)
			cfg.TLS, cfg.InsecureSkipVerify = true, tc.insecure
			run, err := RunCases(context.Background(), cfg, cases)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range run.Results {
				if r.Verdict != tc.want[i] {
					t.Errorf("TLS %s: %s = %s (%s); want %s", tc.name, r.Case.ID, r.Verdict, r.Reason, tc.want[i])
				}
			}
		})
	}
}
