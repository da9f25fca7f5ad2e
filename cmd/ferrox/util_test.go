package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/internal/loopback"
)

// remoteTargets are targets both traffic-sending commands must refuse
// without --allow-remote, with the refusal each must print: conform takes
// HOST:PORT, load a URL whose host part is the same.
var remoteTargets = []struct {
	name   string
	target string // HOST:PORT
	detail string // the loopback package's reason
}{
	{"ipv4", "10.1.2.3:80", "10.1.2.3 (want 127.0.0.0/8 or ::1)"},
	{"any-addr", "0.0.0.0:8080", "0.0.0.0 (want 127.0.0.0/8 or ::1)"},
	{"ipv6", "[2001:db8::1]:80", "2001:db8::1 (want 127.0.0.0/8 or ::1)"},
	{"public-name", "example.com:80", "example.com resolves to 93.184.215.14 (want 127.0.0.0/8 or ::1)"},
	{"unresolvable", "nowhere.test:80", "nowhere.test does not resolve: no such host"},
}

// refusal is the one message form of a refused target.
func refusal(cmd, target, detail string) string {
	return "ferrox " + cmd + ": refusing target " + target + ": not a loopback address: " + detail +
		"; pass --allow-remote to send to a server you own\n"
}

func TestRefuseRemote(t *testing.T) {
	tests := []struct {
		target      string
		allowRemote bool
		wantErr     bool
	}{
		{"127.0.0.1:80", false, false},
		{"localhost:80", false, false},
		{"[::1]:80", false, false},
		{"10.1.2.3:80", false, true},
		{"10.1.2.3:80", true, false},
		{"example.com:80", false, true},
		{"example.com:80", true, false},
		{"nowhere.test:80", false, true},
	}
	for _, tc := range tests {
		err := refuseRemote(loadResolver, tc.target, tc.allowRemote)
		if (err != nil) != tc.wantErr || (err != nil && !errors.Is(err, loopback.ErrNotLoopback)) {
			t.Errorf("refuseRemote(%q, allowRemote=%v) = %v; want error %v", tc.target, tc.allowRemote, err, tc.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "--allow-remote") {
			t.Errorf("refuseRemote(%q) = %q; want it to name --allow-remote", tc.target, err)
		}
	}
}

func TestSplitList(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{" a , b ,,c ", []string{"a", "b", "c"}},
		{",", nil},
	}
	for _, tc := range tests {
		got := splitList(tc.in)
		if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
			t.Errorf("splitList(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}
