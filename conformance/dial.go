package conformance

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

// dial opens one connection to the target, over TLS when cfg.TLS is set.
// TCP_NODELAY is on (Go's default, set again explicitly) so every Write of
// a split replay leaves as its own segment instead of being coalesced.
func dial(ctx context.Context, cfg *Config) (net.Conn, error) {
	d := net.Dialer{Timeout: cfg.Timeout}
	c, err := d.DialContext(ctx, "tcp", cfg.Target)
	if err != nil {
		return nil, err
	}
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetNoDelay(true)
	}
	if !cfg.TLS {
		return c, nil
	}
	// An IP literal as ServerName sends no SNI (RFC 6066 §3 allows only
	// host names) but makes crypto/tls verify the certificate's IP SANs.
	name := cfg.ServerName
	if name == "" {
		if h, _, err := net.SplitHostPort(cfg.Target); err == nil {
			name = h
		}
	}
	tc := tls.Client(c, &tls.Config{
		ServerName:         name,
		RootCAs:            cfg.RootCAs,
		InsecureSkipVerify: cfg.InsecureSkipVerify, //nolint:gosec // explicit opt-in for self-signed targets
		NextProtos:         []string{"http/1.1"},
	})
	hctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	if err := tc.HandshakeContext(hctx); err != nil {
		c.Close()
		return nil, &handshakeError{err}
	}
	return tc, nil
}

// handshakeError marks a failed TLS handshake (the TCP connection was
// made); its text is the cause's.
type handshakeError struct{ err error }

func (e *handshakeError) Error() string { return e.err.Error() }
func (e *handshakeError) Unwrap() error { return e.err }

// closeWrite half-closes the connection (TCP FIN, or TLS close_notify then
// FIN), so the server reads end-of-stream.
func closeWrite(c net.Conn) error {
	type cw interface{ CloseWrite() error }
	if x, ok := c.(cw); ok {
		return x.CloseWrite()
	}
	return errors.New("connection cannot half-close")
}

// classifyEnd tells how a read ended: the peer's orderly close (FIN, or TLS
// close_notify), a reset, or a deadline with the connection still open.
func classifyEnd(err error) End {
	switch {
	case err == nil:
		return EndOpen
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return EndFIN
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED):
		return EndRST
	case errors.Is(err, os.ErrDeadlineExceeded):
		return EndOpen
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return EndOpen
	}
	return EndUnknown
}

// isTimeout reports whether err is a read deadline expiring.
func isTimeout(err error) bool {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// deadlineFrom returns the earlier of now+d and limit.
func deadlineFrom(now time.Time, d time.Duration, limit time.Time) time.Time {
	t := now.Add(d)
	if t.After(limit) {
		return limit
	}
	return t
}

// explainDial turns a TLS handshake failure into one line that says what
// went wrong and which flag addresses it; other errors pass unchanged.
func explainDial(err error, cfg *Config) error {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &unknown):
		return fmt.Errorf("TLS: the certificate is signed by an unknown authority: pass --cacert FILE with its CA (PEM), or --insecure to accept any certificate: %w", err)
	case errors.As(err, &hostname):
		name := cfg.ServerName
		if name == "" {
			name, _, _ = net.SplitHostPort(cfg.Target)
		}
		names := hostname.Certificate.DNSNames
		for _, ip := range hostname.Certificate.IPAddresses {
			names = append(names, ip.String())
		}
		return fmt.Errorf("TLS: the certificate is not valid for %q (it names %s): pass --sni NAME with one of its names (and --cacert FILE if its CA is not a system root), or --insecure: %w", name, strings.Join(names, ", "), err)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return fmt.Errorf("TLS: the certificate has expired or is not yet valid: pass --insecure to accept it: %w", err)
	case errors.As(err, &invalid):
		return fmt.Errorf("TLS: the certificate is invalid: pass --insecure to accept it: %w", err)
	case errors.As(err, &record):
		return fmt.Errorf("TLS: the target does not speak TLS (its first bytes are not a TLS record): drop --tls: %w", err)
	}
	var hs *handshakeError
	if errors.As(err, &hs) && (errors.Is(err, context.DeadlineExceeded) || isTimeout(err)) {
		return fmt.Errorf("TLS: no handshake answer within %s: is it a TLS port? (drop --tls for plain HTTP): %w", cfg.Timeout, err)
	}
	return err
}
