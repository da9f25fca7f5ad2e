package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOriginFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--record DIR is required"},
		{[]string{"--record", t.TempDir(), "--listen", "nohost"}, `--listen "nohost": want HOST:PORT`},
		{[]string{"--record", t.TempDir(), "--listen", "192.0.2.1:80"}, "loopback"},
		{[]string{"--record", t.TempDir(), "--quiet", "0s"}, "--quiet 0s"},
		{[]string{"--record", t.TempDir(), "extra"}, `unexpected argument "extra"`},
	} {
		var out, errb bytes.Buffer
		if code := cmdOrigin(tc.args, &out, &errb); code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("ferrox origin %q = %d, %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

func TestConformViaFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--via", "127.0.0.1:1", "--target", "127.0.0.1:2"}, "--via and --target exclude each other"},
		{[]string{"--via", "nohost"}, `--via "nohost": want HOST:PORT`},
		{[]string{"--via", "127.0.0.1:1", "--origin", "192.0.2.1:80"}, "--origin"},
	} {
		var out, errb bytes.Buffer
		if code := runConform(tc.args, &out, &errb, nil); code != 2 || !strings.Contains(errb.String(), tc.want) {
			t.Errorf("ferrox conform %q = %d, %q; want 2 and %q", tc.args, code, errb.String(), tc.want)
		}
	}
}

// A chain run end to end: conform --via through Go's reverse proxy, the
// recording origin started by the command itself.
func TestConformViaReverseProxy(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	originAddr := ln.Addr().String()
	ln.Close() // the command listens there; the proxy forwards there
	u, _ := url.Parse("http://" + originAddr)
	front := httptest.NewServer(httputil.NewSingleHostReverseProxy(u))
	defer front.Close()
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := runConform([]string{"--via", strings.TrimPrefix(front.URL, "http://"), "--origin", originAddr,
		"--cases", "smuggle-clte-plain,cl-te-*,conn-pipelined-*", "--timeout", "500ms", "--out", out, "--format", "json"}, &stdout, &stderr, nil)
	if code != 0 && code != 1 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "conformance of "+strings.TrimPrefix(front.URL, "http://")) {
		t.Errorf("stdout lacks the summary:\n%s", stdout.String())
	}
	b, err := os.ReadFile(filepath.Join(out, "conformance.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"upstreams"`)) || !bytes.Contains(b, []byte("X-Ferrox-Origin")) {
		t.Errorf("conformance.json holds no chain record:\n%.400s", b)
	}
}

// A front end that forwards somewhere else is a usage error, not 555
// findings.
func TestConformViaMisconfiguredFrontEnd(t *testing.T) {
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer front.Close()
	var stdout, stderr bytes.Buffer
	code := runConform([]string{"--via", strings.TrimPrefix(front.URL, "http://"), "--origin", "127.0.0.1:0", "--cases", "cl-*", "--timeout", "300ms", "--format", ""}, &stdout, &stderr, nil)
	if code != 2 || !strings.Contains(stderr.String(), "never reached the recording origin") {
		t.Errorf("exit %d, stderr %q; want 2 and a pointer to the upstream setting", code, stderr.String())
	}
}
