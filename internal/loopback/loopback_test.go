package loopback

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
)

// errNoHost stands in for the resolver's "no such host".
var errNoHost = errors.New("no such host")

// fakeResolver answers from a table, so the test sends no DNS query.
type fakeResolver map[string][]string

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	as, ok := r[host]
	if !ok {
		return nil, errNoHost
	}
	var out []netip.Addr
	for _, s := range as {
		out = append(out, netip.MustParseAddr(s))
	}
	return out, nil
}

func TestCheck(t *testing.T) {
	r := fakeResolver{
		"localhost":    {"127.0.0.1", "::1"},
		"lo6.test":     {"::1"},
		"example.com":  {"93.184.215.14"},
		"mixed.test":   {"127.0.0.1", "10.0.0.1"},
		"anyaddr.test": {"0.0.0.0"},
		"empty.test":   {},
	}
	tests := []struct {
		target string
		want   string // "" ok; otherwise a substring of the refusal
	}{
		{"127.0.0.1", ""},
		{"127.8.9.10", ""},
		{"127.0.0.1:8080", ""},
		{"::1", ""},
		{"[::1]", ""},
		{"[::1]:80", ""},
		{"::ffff:127.0.0.1", ""},
		{"localhost", ""},
		{"localhost:8080", ""},
		{"lo6.test:443", ""},
		{"10.0.0.1", "10.0.0.1 (want 127.0.0.0/8 or ::1)"},
		{"10.0.0.1:80", "10.0.0.1 (want"},
		{"128.0.0.1", "128.0.0.1 (want"},
		{"0.0.0.0", "0.0.0.0 (want"},
		{"0.0.0.0:8080", "0.0.0.0 (want"},
		{"::", ":: (want"},
		{"::2", "::2 (want"},
		{"[2001:db8::1]:80", "2001:db8::1 (want"},
		{"example.com", "example.com resolves to 93.184.215.14"},
		{"example.com:80", "example.com resolves to 93.184.215.14"},
		{"mixed.test", "mixed.test resolves to 10.0.0.1"},
		{"anyaddr.test", "anyaddr.test resolves to 0.0.0.0"},
		{"empty.test", "resolves to no address"},
		{"nowhere.test", "nowhere.test does not resolve: no such host"},
		{"", "no host"},
		{":80", "no host"},
	}
	for _, tc := range tests {
		t.Run(tc.target, func(t *testing.T) {
			err := Check(context.Background(), r, tc.target)
			if tc.want == "" {
				if err != nil {
					t.Errorf("Check(%q) = %v; want nil", tc.target, err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrNotLoopback) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check(%q) = %v; want an ErrNotLoopback containing %q", tc.target, err, tc.want)
			}
		})
	}
	if err := Check(context.Background(), r, "nowhere.test"); !errors.Is(err, errNoHost) {
		t.Errorf("Check(nowhere.test) = %v; want it to wrap the resolver's error", err)
	}
}

// TestCheckLiteralsSkipResolver: an IP literal is judged as written; the
// resolver is not asked.
func TestCheckLiteralsSkipResolver(t *testing.T) {
	for _, target := range []string{"127.0.0.1", "[::1]:80", "10.0.0.1"} {
		var asked recordingResolver
		_ = Check(context.Background(), &asked, target)
		if asked {
			t.Errorf("Check(%q) asked the resolver; want the literal judged as is", target)
		}
	}
}

// recordingResolver records whether it was asked.
type recordingResolver bool

func (p *recordingResolver) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	*p = true
	return nil, errNoHost
}

func TestHost(t *testing.T) {
	tests := []struct{ in, want string }{
		{"127.0.0.1", "127.0.0.1"},
		{"127.0.0.1:80", "127.0.0.1"},
		{"[::1]:80", "::1"},
		{"[::1]", "::1"},
		{"::1", "::1"},
		{"localhost:8080", "localhost"},
		{"localhost", "localhost"},
		{"", ""},
	}
	for _, tc := range tests {
		if got := Host(tc.in); got != tc.want {
			t.Errorf("Host(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}
