package conformance

import (
	"context"
	"crypto/tls"
	"testing"

	"github.com/ferrox/ferrox/corpus"
	"github.com/ferrox/ferrox/internal/testnet"
)

func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	cert, err := tls.X509KeyPair(testnet.SelfSigned(t))
	if err != nil {
		t.Fatal(err)
	}
	return cert
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
