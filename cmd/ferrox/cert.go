package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// devCertValidity is how long a development certificate lasts.
const devCertValidity = 30 * 24 * time.Hour

// cmdCert runs `ferrox cert --dev DIR`: it writes a self-signed ECDSA
// P-256 certificate for localhost, 127.0.0.1 and ::1 (valid 30 days) as
// DIR/cert.pem and DIR/key.pem (mode 0600) and prints the serve command
// that uses them. Nothing else ever generates or uses it.
func cmdCert(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cert", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := fs.String("dev", "", "write a self-signed localhost certificate and key into `DIR`")
	force := fs.Bool("force", false, "overwrite an existing cert.pem / key.pem")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, "usage: ferrox cert --dev DIR [--force]")
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return 0
		}
		fmt.Fprintf(stderr, "ferrox: cert: %v\n", err)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ferrox: cert: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if *dir == "" {
		fmt.Fprintln(stderr, "ferrox: cert: --dev DIR is required (only development certificates are made)")
		return 2
	}
	certPath := filepath.Join(*dir, "cert.pem")
	keyPath := filepath.Join(*dir, "key.pem")
	if !*force {
		for _, p := range []string{certPath, keyPath} {
			if _, err := os.Lstat(p); err == nil {
				fmt.Fprintf(stderr, "ferrox: cert: %s exists (use --force to overwrite)\n", p)
				return 2
			}
		}
	}
	certPEM, keyPEM, err := devCertificate(time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "ferrox: cert: %v\n", err)
		return 1
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		fmt.Fprintf(stderr, "ferrox: cert: %v\n", err)
		return 1
	}
	if err := writeFile0600(keyPath, keyPEM); err != nil {
		fmt.Fprintf(stderr, "ferrox: cert: %v\n", err)
		return 1
	}
	if err := writeFile0600(certPath, certPEM); err != nil {
		fmt.Fprintf(stderr, "ferrox: cert: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "wrote %s and %s (self-signed for localhost, 127.0.0.1, ::1; valid %d days; for development only)\n",
		certPath, keyPath, int(devCertValidity/(24*time.Hour)))
	fmt.Fprintf(stdout, "serve with:\n  ferrox serve --tls-cert %s --tls-key %s --https-listen 127.0.0.1:8443\n", certPath, keyPath)
	fmt.Fprintln(stdout, "then open https://localhost:8443/ (your browser will warn: the certificate is not from a trusted CA)")
	return 0
}

// writeFile0600 replaces path with b, readable by the owner only.
func writeFile0600(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil { // WriteFile keeps an old file's mode
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// devCertificate makes the PEM certificate and PKCS #8 key of a
// self-signed ECDSA P-256 server certificate for the loopback names.
func devCertificate(now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "localhost", Organization: []string{"ferrox development"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(devCertValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // self-signed: it is its own trust anchor
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
}
