package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/internal/testnet"
)

// writePair writes a fresh self-signed certificate and its key as PEM
// files and returns their paths.
func writePair(t *testing.T) (cert, key string) {
	t.Helper()
	certPEM, keyPEM := testnet.SelfSigned(t)
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// TestOpenLogs: log_dir gives access.log and error.log, which Reopen
// follows after rotation; "off" writes no access log at all.
func TestOpenLogs(t *testing.T) {
	dir := t.TempDir()
	c := Config{Paths: PathsConfig{LogDir: dir}}
	logs, err := OpenLogs(&c, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	logs.Error.Info("first")
	if err := os.Rename(filepath.Join(dir, "error.log"), filepath.Join(dir, "error.log.1")); err != nil {
		t.Fatal(err)
	}
	if err := logs.Reopen(); err != nil {
		t.Fatalf("Reopen = %v", err)
	}
	logs.Error.Info("second")
	if err := logs.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	for _, tc := range []struct{ file, want string }{{"error.log.1", "msg=first"}, {"error.log", "msg=second"}} {
		b, err := os.ReadFile(filepath.Join(dir, tc.file))
		if err != nil || strings.Count(string(b), tc.want) != 1 {
			t.Errorf("%s = %q, %v; want one line with %q", tc.file, b, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "access.log")); err != nil {
		t.Errorf("access.log: %v; want it created in log_dir", err)
	}

	off := t.TempDir()
	c = Config{Paths: PathsConfig{LogDir: off}, Logs: LogsConfig{AccessLog: AccessLogOff}}
	logs, err = OpenLogs(&c, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if logs.Access != nil {
		t.Errorf("Access = %v with access_log off; want nil", logs.Access)
	}
	if err := errorsOf(logs.Reopen(), logs.Close()); err != nil {
		t.Fatalf("Reopen/Close with access log off = %v", err)
	}
	if _, err := os.Stat(filepath.Join(off, "access.log")); !os.IsNotExist(err) {
		t.Errorf("access.log exists with access_log off (stat: %v)", err)
	}
	c.Logs.ErrorLog = filepath.Join(off, "missing", "error.log")
	if _, err := OpenLogs(&c, nil, nil); err == nil {
		t.Error("OpenLogs with an error log in a missing directory succeeded")
	}
}

func errorsOf(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
