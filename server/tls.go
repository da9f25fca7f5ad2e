package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/wire"
)

// CertStore holds the certificate the HTTPS listener presents. It is read
// on every handshake through GetCertificate (one atomic load) and replaced
// by Reload, so a new certificate applies to new handshakes while
// established connections keep the session they negotiated.
type CertStore struct {
	certPath, keyPath string
	cur               atomic.Pointer[tls.Certificate]
}

// NewCertStore loads the key pair at certPath and keyPath. Errors are
// LoadKeyPair's.
func NewCertStore(certPath, keyPath string) (*CertStore, error) {
	cs := &CertStore{certPath: certPath, keyPath: keyPath}
	if err := cs.Reload(); err != nil {
		return nil, err
	}
	return cs, nil
}

// Reload re-reads both files. On any error the certificate in use is kept
// and the error is returned for the caller to log.
func (cs *CertStore) Reload() error {
	c, err := LoadKeyPair(cs.certPath, cs.keyPath)
	if err != nil {
		return err
	}
	cs.cur.Store(c)
	return nil
}

// Certificate returns the certificate in use.
func (cs *CertStore) Certificate() *tls.Certificate { return cs.cur.Load() }

// GetCertificate is a tls.Config.GetCertificate callback. It ignores SNI:
// one certificate serves every name (an IP-literal client sends none).
func (cs *CertStore) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	return cs.cur.Load(), nil
}

// KeyPairError is a failure to load a certificate and key pair. Path is
// the file at fault; Key says whether it is the private key (else the
// certificate). Error renders "path: problem".
type KeyPairError struct {
	Path string
	Key  bool
	Err  error
}

func (e *KeyPairError) Error() string { return e.Path + ": " + e.Err.Error() }
func (e *KeyPairError) Unwrap() error { return e.Err }

// LoadKeyPair reads a PEM certificate chain and its PEM private key. Every
// error is a *KeyPairError naming the file at fault.
func LoadKeyPair(certPath, keyPath string) (*tls.Certificate, error) {
	certPEM, err := readPEMFile(certPath, false)
	if err != nil {
		return nil, err
	}
	keyPEM, err := readPEMFile(keyPath, true)
	if err != nil {
		return nil, err
	}
	if !hasPEMBlock(certPEM, func(t string) bool { return t == "CERTIFICATE" }) {
		return nil, &KeyPairError{Path: certPath, Err: errors.New("no PEM certificate found")}
	}
	if !hasPEMBlock(keyPEM, func(t string) bool { return t == "PRIVATE KEY" || strings.HasSuffix(t, " PRIVATE KEY") }) {
		return nil, &KeyPairError{Path: keyPath, Key: true, Err: errors.New("no PEM private key found")}
	}
	c, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// crypto/tls's wording for a key of another pair contains "does
		// not match"; everything else is a malformed file.
		msg := strings.TrimPrefix(err.Error(), "tls: ")
		switch {
		case strings.Contains(msg, "does not match"):
			return nil, &KeyPairError{Path: keyPath, Key: true, Err: fmt.Errorf("private key does not match certificate %s", certPath)}
		case strings.Contains(msg, "private key"):
			return nil, &KeyPairError{Path: keyPath, Key: true, Err: errors.New(msg)}
		}
		return nil, &KeyPairError{Path: certPath, Err: errors.New(msg)}
	}
	return &c, nil
}

// readPEMFile reads a PEM file; its errors are the system's ("no such file
// or directory", "permission denied") after the path.
func readPEMFile(path string, key bool) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is said once, by KeyPairError
		}
		return nil, &KeyPairError{Path: path, Key: key, Err: err}
	}
	return b, nil
}

func hasPEMBlock(b []byte, want func(string) bool) bool {
	for i := 0; i < 1000; i++ { // bounded: a file holds a handful of blocks
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return false
		}
		if want(blk.Type) {
			return true
		}
		if len(bytes.TrimSpace(b)) == 0 {
			return false
		}
	}
	return false
}

// tls12Suites are the only TLS 1.2 cipher suites offered: ECDHE key
// exchange (forward secrecy) with an AEAD cipher (AES-GCM or
// ChaCha20-Poly1305), the set of Mozilla's "intermediate" profile. CBC
// suites (LUCKY13-style padding oracles), static-RSA key exchange (no
// forward secrecy) and 3DES/RC4 are left out. RFC 9325 §4.2 recommends
// exactly these for TLS 1.2. TLS 1.3 suites are not configurable in Go
// and are all AEAD already.
var tls12Suites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// NewTLSConfig returns the HTTPS listener's TLS settings: TLS 1.2 or
// later; for TLS 1.2 only the AEAD suites with forward secrecy of
// tls12Suites (TLS 1.3 as Go sets it); Go's default key exchanges
// (including the post-quantum hybrid); ALPN offering only http/1.1
// (Ferrox speaks no HTTP/2, so a client must not pick h2); and the
// certificate read from cs on every handshake. Certificates stays empty
// so GetCertificate is always consulted.
func NewTLSConfig(cs *CertStore) *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		CipherSuites:   slices.Clone(tls12Suites),
		NextProtos:     []string{"http/1.1"},
		GetCertificate: cs.GetCertificate,
	}
}

// TLSHandshake returns an Options.Handshake hook that wraps each accepted
// connection in a TLS server conn and completes the handshake before the
// connection loop reads a request. The engine calls it under the header
// timeout, so a client that never finishes its handshake is closed when
// that deadline passes.
func TLSHandshake(cfg *tls.Config) func(net.Conn) (net.Conn, error) {
	return func(nc net.Conn) (net.Conn, error) {
		tc := tls.Server(nc, cfg)
		if err := tc.HandshakeContext(context.Background()); err != nil {
			// A plain HTTP request on the HTTPS port: its first bytes are
			// no TLS record. The engine says so in plain text rather than
			// just closing (see errPlainHTTP).
			var rhe tls.RecordHeaderError
			if errors.As(err, &rhe) && rhe.Conn != nil && looksLikeHTTP(rhe.RecordHeader[:]) {
				return nil, &plainHTTPError{err}
			}
			return nil, fmt.Errorf("tls handshake: %w", err)
		}
		// RFC 7301 §3.2: with ALPN the server picks from the client's list;
		// Go already rejects a client that offers only protocols we lack.
		return tc, nil
	}
}

// plainHTTPError is a handshake that failed because the client spoke
// plain HTTP on the HTTPS port. The engine answers it with a 400 in plain
// text (plainOnTLSBody), built like every other response (Date, the
// configured fields), then closes with a lingering close so unread request
// bytes do not turn the close into a reset that destroys the answer (RFC
// 9112 §9.6).
type plainHTTPError struct{ err error }

func (e *plainHTTPError) Error() string {
	return "tls handshake: plain HTTP on the HTTPS port: " + e.err.Error()
}

func (e *plainHTTPError) Unwrap() error { return e.err }

// answerPlainHTTP writes the 400 for plain HTTP on the HTTPS port, in
// clear text (clearHead).
func (s *Server) answerPlainHTTP(nc net.Conn) error {
	return s.writeCanned(nc, &s.clearHead, s.writeTimeout, 400, "text/plain; charset=utf-8", plainOnTLSBody, wire.Meta{})
}

// withoutHSTS returns headers without Strict-Transport-Security (the same
// slice when it has none).
func withoutHSTS(headers [][2]string) [][2]string {
	i := slices.IndexFunc(headers, func(h [2]string) bool { return parser.EqualFold(h[0], "Strict-Transport-Security") })
	if i < 0 {
		return headers
	}
	return slices.Delete(slices.Clone(headers), i, i+1)
}

const plainOnTLSBody = "This port speaks HTTPS; use an https:// URL.\n"

// looksLikeHTTP reports whether the 5 bytes read as a TLS record header
// can start a request line: upper-case letters, possibly ending in the
// space after the method.
func looksLikeHTTP(b []byte) bool {
	for i, c := range b {
		if c == ' ' && i > 0 {
			return true
		}
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return len(b) > 0
}
