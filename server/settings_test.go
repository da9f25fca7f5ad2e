package server

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeConfig writes a config file next to a site with the files the
// config may name, and returns its path.
func writeConfig(t *testing.T, site, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ferrox.yml")
	text = strings.ReplaceAll(text, "SITE", site)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNewRejectsUnresolved: a zero, negative or out-of-range setting is
// a programming error that New names, never a silent default.
func TestNewRejectsUnresolved(t *testing.T) {
	if _, err := New(testSettings(), Options{}); err != nil {
		t.Fatalf("New(testSettings()) = %v; want nil", err)
	}
	for _, tc := range []struct {
		id   string
		mod  func(*Settings)
		want string
	}{
		{"zero", func(s *Settings) { *s = Settings{} }, "Limits.MaxHeadBytes is 0"},
		{"head-bytes", func(s *Settings) { s.Limits.MaxHeadBytes = -1 }, "Limits.MaxHeadBytes is -1"},
		{"method-len", func(s *Settings) { s.Limits.MaxMethodLen = 0 }, "Limits.MaxMethodLen is 0"},
		{"fields-over-capacity", func(s *Settings) { s.Limits.MaxFields = 129 }, "Limits.MaxFields is 129; want at most 128"},
		{"header-timeout", func(s *Settings) { s.HeaderTimeout = 0 }, "HeaderTimeout is 0"},
		{"idle-timeout", func(s *Settings) { s.IdleTimeout = -1 }, "IdleTimeout is -1"},
		{"write-timeout", func(s *Settings) { s.WriteTimeout = 0 }, "WriteTimeout is 0"},
		{"body-window", func(s *Settings) { s.BodyRateWindow = 0 }, "BodyRateWindow is 0"},
		{"body-rate", func(s *Settings) { s.BodyMinRate = 0 }, "BodyMinRate is 0"},
		{"max-body", func(s *Settings) { s.MaxBody = 0 }, "MaxBody is 0"},
		{"max-conns", func(s *Settings) { s.MaxConns = 0 }, "MaxConns is 0"},
		{"per-ip", func(s *Settings) { s.MaxConnsPerIP = 0 }, "MaxConnsPerIP is 0"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			set := testSettings()
			tc.mod(&set)
			s, err := New(set, Options{})
			if s != nil || !errors.Is(err, ErrUnresolved) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New(%s) = %v, %v; want nil and ErrUnresolved naming %q", tc.id, s, err, tc.want)
			}
		})
	}
}

func TestAutoMaxConns(t *testing.T) {
	for _, tc := range []struct {
		nofile uint64
		want   int
	}{
		{1, 1}, {256, 128}, {1024, 896}, {20000, 19872}, {65536 + 128, 65536}, {1 << 20, 65536},
	} {
		if got := autoMaxConns(tc.nofile); got != tc.want {
			t.Errorf("autoMaxConns(%d) = %d; want %d", tc.nofile, got, tc.want)
		}
	}
}
