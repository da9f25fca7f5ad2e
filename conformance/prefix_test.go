package conformance

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/corpus"
	"github.com/google/go-cmp/cmp"
)

func TestCleanPrefix(t *testing.T) {
	tests := []struct {
		in, want string
		bad      bool
	}{
		{"", "/", false}, {"/", "/", false}, {"ferrox", "/ferrox/", false}, {"/ferrox", "/ferrox/", false},
		{"/a/b/", "/a/b/", false}, {"/a//b/", "", true}, {"/a/../b/", "", true}, {"/a?x/", "", true},
		{"/a b/", "", true}, {"/a\\b/", "", true}, {"/./", "", true},
	}
	for _, tc := range tests {
		got, err := CleanPrefix(tc.in)
		if (err != nil) != tc.bad || got != tc.want {
			t.Errorf("CleanPrefix(%q) = %q, %v; want %q (error %t)", tc.in, got, err, tc.want, tc.bad)
		}
	}
}

// Each kind of target: what --prefix /sub/ makes of it, and why.
func TestPrefixRewrite(t *testing.T) {
	tests := []struct {
		name, line, want string
		kind             PrefixDecision
	}{
		{"origin-form", "GET /a.txt HTTP/1.1", "GET /sub/a.txt HTTP/1.1", PrefixMoved},
		{"root", "GET / HTTP/1.1", "GET /sub/ HTTP/1.1", PrefixMoved},
		{"query", "GET /dir?x=1 HTTP/1.1", "GET /sub/dir?x=1 HTTP/1.1", PrefixMoved},
		{"absolute-form", "GET http://localhost/a.txt HTTP/1.1", "GET http://localhost/sub/a.txt HTTP/1.1", PrefixMoved},
		{"absolute-form-upper-scheme", "GET HTTP://localhost/a.txt HTTP/1.1", "GET HTTP://localhost/sub/a.txt HTTP/1.1", PrefixMoved},
		{"absolute-form-no-path", "GET http://localhost HTTP/1.1", "GET http://localhost/sub/ HTTP/1.1", PrefixMoved},
		{"absolute-form-query-only", "GET http://localhost?q HTTP/1.1", "GET http://localhost/sub/?q HTTP/1.1", PrefixMoved},
		{"double-space", "GET  /a.txt HTTP/1.1", "GET  /sub/a.txt HTTP/1.1", PrefixMoved},
		{"tab-separator", "GET\t/a.txt HTTP/1.1", "GET\t/sub/a.txt HTTP/1.1", PrefixMoved},
		{"leading-space", " GET /a.txt HTTP/1.1", " GET /sub/a.txt HTTP/1.1", PrefixMoved},
		{"inside-dot-segments", "GET /dir/../a.txt HTTP/1.1", "GET /sub/dir/../a.txt HTTP/1.1", PrefixMoved},
		{"encoded-slash-inside", "GET /list%2fb.txt HTTP/1.1", "GET /sub/list%2fb.txt HTTP/1.1", PrefixMoved},
		{"crlf-injection", "GET /%0d%0aX-Injected:%20yes/../dir HTTP/1.1", "GET /sub/%0d%0aX-Injected:%20yes/../dir HTTP/1.1", PrefixMoved},
		{"three-dots", "GET /.../x HTTP/1.1", "GET /sub/.../x HTTP/1.1", PrefixMoved},
		{"asterisk", "OPTIONS * HTTP/1.1", "OPTIONS * HTTP/1.1", PrefixNotPath},
		{"authority", "CONNECT localhost:443 HTTP/1.1", "CONNECT localhost:443 HTTP/1.1", PrefixNotPath},
		{"relative", "GET a.txt HTTP/1.1", "GET a.txt HTTP/1.1", PrefixNotPath},
		{"traversal", "GET /../../etc/passwd HTTP/1.1", "GET /../../etc/passwd HTTP/1.1", PrefixClimbs},
		{"traversal-pct", "GET /%2e%2e/%2E%2E/etc/passwd HTTP/1.1", "GET /%2e%2e/%2E%2E/etc/passwd HTTP/1.1", PrefixClimbs},
		{"traversal-double-encoded", "GET /%252e%252e/etc/passwd HTTP/1.1", "GET /%252e%252e/etc/passwd HTTP/1.1", PrefixClimbs},
		{"traversal-overlong", "GET /%c0%ae%c0%ae/etc/passwd HTTP/1.1", "GET /%c0%ae%c0%ae/etc/passwd HTTP/1.1", PrefixClimbs},
		{"traversal-backslash", `GET /..\..\etc\passwd HTTP/1.1`, `GET /..\..\etc\passwd HTTP/1.1`, PrefixClimbs},
		{"traversal-semicolon", "GET /..;/etc/passwd HTTP/1.1", "GET /..;/etc/passwd HTTP/1.1", PrefixClimbs},
		{"traversal-absolute-form", "GET http://localhost/../../etc/passwd HTTP/1.1", "GET http://localhost/../../etc/passwd HTTP/1.1", PrefixClimbs},
		{"traversal-via-dir", "GET /dir/../../etc/passwd HTTP/1.1", "GET /dir/../../etc/passwd HTTP/1.1", PrefixClimbs},
		{"double-slash-dotfile", "GET //.hidden HTTP/1.1", "GET /sub//.hidden HTTP/1.1", PrefixMoved},
		{"double-slash-absolute-path", "GET //etc/passwd HTTP/1.1", "GET //etc/passwd HTTP/1.1", PrefixLeading},
		{"double-slash", "GET //evil.example/%2e%2e HTTP/1.1", "GET //evil.example/%2e%2e HTTP/1.1", PrefixLeading},
		{"backslash-start", `GET /\evil.example/ HTTP/1.1`, `GET /\evil.example/ HTTP/1.1`, PrefixLeading},
		{"pct-slash-start", "GET /%2fevil.example/ HTTP/1.1", "GET /%2fevil.example/ HTTP/1.1", PrefixLeading},
		{"tab-start", "GET /%09/evil.example/ HTTP/1.1", "GET /%09/evil.example/ HTTP/1.1", PrefixLeading},
		{"drive-letter", "GET /C:/Windows/win.ini HTTP/1.1", "GET /C:/Windows/win.ini HTTP/1.1", PrefixLeading},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := []byte(tc.line + "\r\nHost: localhost\r\n\r\n")
			got := prefixRaw(raw, "/sub/")
			if want := tc.want + "\r\nHost: localhost\r\n\r\n"; string(got) != want {
				t.Errorf("prefixRaw(%q) = %q; want %q", tc.line, got, want)
			}
			f := strings.Fields(tc.line)
			if _, k := PrefixKind(f[1]); k != tc.kind {
				t.Errorf("PrefixKind(%q) = %s; want %s", f[1], k, tc.kind)
			}
		})
	}
}

// Bodies are never touched: a request hidden in a chunked body keeps its
// bytes, so chunk sizes and Content-Length stay right; pipelined requests
// are each moved.
func TestPrefixLeavesBodies(t *testing.T) {
	hidden := "GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n"
	body := "2b\r\n" + hidden + "\r\n0\r\n\r\n"
	raw := "POST /a.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n" + body + "GET /canary.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
	got := string(prefixRaw([]byte(raw), "/sub/"))
	want := "POST /sub/a.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n" + body + "GET /sub/canary.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("prefixRaw (-want +got):\n%s", diff)
	}
	orig := []byte(raw)
	cs := WithPrefix([]corpus.Case{{ID: "x", Raw: orig}}, "/sub/")
	if !bytes.Equal(orig, []byte(raw)) || string(cs[0].Raw) != want {
		t.Errorf("WithPrefix modified its input or did not rewrite the copy")
	}
}

// subServer serves the fixture's canary below /sub/ only (404 elsewhere),
// strictly: a site where the fixture lives under a path.
func subServer() func(method, target string) (int, string) {
	return func(_, target string) (int, string) {
		if a, ok := strings.CutPrefix(target, "http://"); ok {
			target = a[strings.IndexByte(a+"/", '/'):]
		}
		rest, ok := strings.CutPrefix(target, "/sub/")
		if !ok {
			return 404, "not found\n"
		}
		return 200, bodyFor("/" + rest)
	}
}

// Against a fake serving the fixture under /sub/, corpus cases that read
// fixture files pass with --prefix /sub/ and fail without it.
func TestPrefixRunUnderSub(t *testing.T) {
	ids := []string{"conn-keep-alive-default", "conn-pipelined-three", "conn-pipelined-split", "rl-absolute-form",
		"smuggle-clte-xchunked", "smuggle-cl-plus", "chunk-size-0x", "cl-plus", "conn-connection-close-then-request"}
	cases := corpusByID(t, ids)
	addr := serve(t, strictServerWith(subServer()))
	for _, tc := range []struct {
		prefix string
		want   Verdict
	}{{"/sub/", Pass}, {"/", Fail}} {
		t.Run(strings.Trim(tc.prefix, "/")+"prefix", func(t *testing.T) {
			cfg := testConfig(addr)
			cfg.Prefix, cfg.NoSplits, cfg.Timeout = tc.prefix, true, 300*time.Millisecond
			run, err := RunCases(context.Background(), cfg, cases)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range run.Results {
				if tc.want == Pass && r.Verdict != Pass {
					t.Errorf("prefix %s: %s = %s (%s); want pass", tc.prefix, r.Case.ID, r.Verdict, r.Reason)
				}
			}
			if tc.want == Fail && idsWith(run, Pass) != nil && len(idsWith(run, Fail)) == 0 {
				t.Errorf("without the prefix nothing failed: the prefix made no difference")
			}
			if tc.prefix == "/sub/" && !bytes.Contains(run.Results[0].Observed.Sent, []byte("GET /sub/canary.txt ")) {
				t.Errorf("sent %q; want the canary below /sub/", run.Results[0].Observed.Sent)
			}
			if run.Server != "" {
				t.Errorf("Server = %q; the fake sends none", run.Server)
			}
		})
	}
}
