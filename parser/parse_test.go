package parser

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseValid(t *testing.T) {
	const h = "Host: example.com\r\n"
	cases := []struct {
		id   string
		in   string
		want reqView
	}{
		{"9112-3.2.1/origin-form", "GET /a/b?x=1&y HTTP/1.1\r\n" + h + "\r\n", reqView{
			Method: "GET", Target: "/a/b?x=1&y", Path: "/a/b", Query: "x=1&y", Host: "example.com",
			Form: FormOrigin, Version: Version{1, 1}, KeepAlive: true, Fields: []string{"Host: example.com"}}},
		{"9112-3.2.1/empty-query", "GET /a? HTTP/1.1\r\n" + h + "\r\n", reqView{
			Method: "GET", Target: "/a?", Path: "/a", Query: "", Host: "example.com",
			Version: Version{1, 1}, KeepAlive: true, Fields: []string{"Host: example.com"}}},
		{"9112-3.2.2/absolute-form-authority-wins", "GET HTTP://Other.example:8080/p?q HTTP/1.1\r\n" + h + "\r\n", reqView{
			Method: "GET", Target: "HTTP://Other.example:8080/p?q", Path: "/p", Query: "q", Host: "Other.example:8080",
			Form: FormAbsolute, Version: Version{1, 1}, KeepAlive: true, Fields: []string{"Host: example.com"}}},
		{"9112-3.2.2/absolute-form-https-no-path", "GET https://[::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n", reqView{
			Method: "GET", Target: "https://[::1]:8443", Path: "", Query: "<nil>", Host: "[::1]:8443",
			Form: FormAbsolute, Version: Version{1, 1}, KeepAlive: true, Fields: []string{"Host: [::1]:8443"}}},
		{"9112-3.2.3/authority-form-connect", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", reqView{
			Method: "CONNECT", Target: "example.com:443", Path: "<nil>", Query: "<nil>", Host: "example.com:443",
			Form: FormAuthority, Version: Version{1, 1}, KeepAlive: true, Fields: []string{"Host: example.com:443"}}},
		{"9112-3.2.4/asterisk-form-options", "OPTIONS * HTTP/1.1\r\n" + h + "\r\n", reqView{
			Method: "OPTIONS", Target: "*", Path: "<nil>", Query: "<nil>", Host: "example.com",
			Form: FormAsterisk, Version: Version{1, 1}, KeepAlive: true, Fields: []string{"Host: example.com"}}},
		{"9112-2.2/leading-empty-lines", "\r\n\r\nGET / HTTP/1.1\r\n" + h + "\r\n", reqView{
			Method: "GET", Target: "/", Path: "/", Query: "<nil>", Host: "example.com",
			Version: Version{1, 1}, KeepAlive: true, Fields: []string{"Host: example.com"}}},
		{"9112-2.3/http10-no-host-close", "GET / HTTP/1.0\r\n\r\n", reqView{
			Method: "GET", Target: "/", Path: "/", Query: "<nil>", Host: "<nil>", Version: Version{1, 0}}},
		{"9112-9.3/http10-keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", reqView{
			Method: "GET", Target: "/", Path: "/", Query: "<nil>", Host: "<nil>", Version: Version{1, 0}, KeepAlive: true,
			Fields: []string{"Connection: Keep-Alive"}}},
		{"9112-9.6/http11-close", "GET / HTTP/1.1\r\n" + h + "Connection: foo, CLOSE\r\n\r\n", reqView{
			Method: "GET", Target: "/", Path: "/", Query: "<nil>", Host: "example.com", Version: Version{1, 1},
			Fields: []string{"Host: example.com", "Connection: foo, CLOSE"}}},
		{"9110-2.5/http12-as-11", "GET / HTTP/1.2\r\n" + h + "\r\n", reqView{
			Method: "GET", Target: "/", Path: "/", Query: "<nil>", Host: "example.com", Version: Version{1, 2}, KeepAlive: true,
			Fields: []string{"Host: example.com"}}},
		{"9110-7.2/empty-host-valid", "GET / HTTP/1.1\r\nHost:\r\n\r\n", reqView{
			Method: "GET", Target: "/", Path: "/", Query: "<nil>", Host: "", Version: Version{1, 1}, KeepAlive: true,
			Fields: []string{"Host: "}}},
		{"9112-5.1/ows-trimmed", "GET / HTTP/1.1\r\nHost: \t example.com \t\r\nX-A:\tv a l\t \r\n\r\n", reqView{
			Method: "GET", Target: "/", Path: "/", Query: "<nil>", Host: "example.com", Version: Version{1, 1}, KeepAlive: true,
			Fields: []string{"Host: example.com", "X-A: v a l"}}},
		{"9110-5.5/obs-text-value", "GET / HTTP/1.1\r\n" + h + "X: caf\xc3\xa9\r\n\r\n", reqView{
			Method: "GET", Target: "/", Path: "/", Query: "<nil>", Host: "example.com", Version: Version{1, 1}, KeepAlive: true,
			Fields: []string{"Host: example.com", "X: caf\xc3\xa9"}}},
		{"9112-6.3/content-length", "POST /u HTTP/1.1\r\n" + h + "Content-Length: 0005\r\n\r\n", reqView{
			Method: "POST", Target: "/u", Path: "/u", Query: "<nil>", Host: "example.com", Version: Version{1, 1}, KeepAlive: true,
			Framing: FramingLength, ContentLength: 5, Fields: []string{"Host: example.com", "Content-Length: 0005"}}},
		{"9112-6.3/content-length-identical-list", "POST / HTTP/1.1\r\n" + h + "Content-Length: 7, 7\r\ncontent-length: 7\r\n\r\n", reqView{
			Method: "POST", Target: "/", Path: "/", Query: "<nil>", Host: "example.com", Version: Version{1, 1}, KeepAlive: true,
			Framing: FramingLength, ContentLength: 7, Fields: []string{"Host: example.com", "Content-Length: 7, 7", "content-length: 7"}}},
		{"9112-6.1/chunked", "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: , Chunked\r\n\r\n", reqView{
			Method: "POST", Target: "/", Path: "/", Query: "<nil>", Host: "example.com", Version: Version{1, 1}, KeepAlive: true,
			Framing: FramingChunked, Fields: []string{"Host: example.com", "Transfer-Encoding: , Chunked"}}},
		{"9110-10.1.1/expect-100", "PUT / HTTP/1.1\r\n" + h + "Expect: 100-Continue\r\n\r\n", reqView{
			Method: "PUT", Target: "/", Path: "/", Query: "<nil>", Host: "example.com", Version: Version{1, 1}, KeepAlive: true,
			Expect100: true, Fields: []string{"Host: example.com", "Expect: 100-Continue"}}},
		{"9110-10.1.1/expect-other", "PUT / HTTP/1.1\r\n" + h + "Expect: foo\r\n\r\n", reqView{
			Method: "PUT", Target: "/", Path: "/", Query: "<nil>", Host: "example.com", Version: Version{1, 1}, KeepAlive: true,
			ExpectOther: true, Fields: []string{"Host: example.com", "Expect: foo"}}},
		{"9110-10.1.1/expect-ignored-in-10", "PUT / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", reqView{
			Method: "PUT", Target: "/", Path: "/", Query: "<nil>", Host: "<nil>", Version: Version{1, 0},
			Fields: []string{"Expect: 100-continue"}}},
		{"9110-9.1/extension-method", "PURGE /x HTTP/1.1\r\n" + h + "\r\n", reqView{
			Method: "PURGE", Target: "/x", Path: "/x", Query: "<nil>", Host: "example.com", Version: Version{1, 1}, KeepAlive: true,
			Fields: []string{"Host: example.com"}}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			c.want.HeadLen = len(c.in) // every case is exactly one head
			for _, run := range []struct {
				name string
				fn   func([]byte) (int, *Request, error)
			}{{"whole", parseAll}, {"trickle", parseTrickle}} {
				n, req, err := run.fn([]byte(c.in))
				if err != nil || n != len(c.in) {
					t.Fatalf("%s: Parse(%q) = %d, %v; want %d, nil", run.name, c.in, n, err, len(c.in))
				}
				if d := cmp.Diff(c.want, viewOf(req)); d != "" {
					t.Errorf("%s: Parse(%q) mismatch (-want +got):\n%s", run.name, c.in, d)
				}
			}
		})
	}
}

func TestParsePipelinedLeftoversUntouched(t *testing.T) {
	head := "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n"
	in := []byte(head + "abcGET /b HTTP/1.1\r\nHost: h\r\n\r\n")
	orig := string(in)
	n, req, err := parseAll(in)
	if err != nil || n != len(head) || req.HeadLen != n {
		t.Fatalf("Parse(%q) = %d, %v (HeadLen %d); want %d, nil", in, n, err, req.HeadLen, len(head))
	}
	if string(in) != orig {
		t.Errorf("Parse modified its input: %q", in)
	}
	n2, req2, err := parseAll(in[n+3:])
	if err != nil || string(req2.Target) != "/b" || n2 != len(in)-n-3 {
		t.Errorf("second Parse = %d, %v, target %q; want the pipelined GET /b", n2, err, req2.Target)
	}
}

func TestParseHeaderLookup(t *testing.T) {
	in := []byte("GET / HTTP/1.1\r\nHost: h\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\n")
	_, req, err := parseAll(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		want string
		ok   bool
	}{{"host", "h", true}, {"X-DUP", "1", true}, {"x-du", "", false}, {"X-Dupe", "", false}} {
		v, ok := req.Header(c.name)
		if string(v) != c.want || ok != c.ok {
			t.Errorf("Header(%q) = %q, %v; want %q, %v", c.name, v, ok, c.want, c.ok)
		}
	}
	if a := testing.AllocsPerRun(100, func() { req.Header("X-Dup") }); a != 0 {
		t.Errorf("Header allocates %v times; want 0", a)
	}
}

type errCase struct {
	id     string
	in     string
	status int
	reason string
}

func hostReq(extra string) string { return "GET / HTTP/1.1\r\nHost: h\r\n" + extra + "\r\n" }

// FuzzParse's go test seeds beyond its own (fuzz_test.go): the benchmark
// requests and the short error cases. Through a hook, as go-118-fuzz-build
// compiles only fuzz_test.go of the package's test files.
func init() {
	fuzzParseSeeds = func(f *testing.F) {
		for _, rf := range loadRequests(f) {
			f.Add(rf.data)
		}
		for _, c := range parseErrorCases {
			if len(c.in) < 4096 {
				f.Add([]byte(c.in))
			}
		}
	}
}

var parseErrorCases = []errCase{
	// RFC 9112 §2.2: line endings
	{"9112-2.2/bare-lf-request-line", "GET / HTTP/1.1\nHost: h\r\n\r\n", 400, "bare_lf"},
	{"9112-2.2/bare-lf-field", "GET / HTTP/1.1\r\nHost: h\n\r\n", 400, "bare_lf"},
	{"9112-2.2/bare-lf-end", "GET / HTTP/1.1\r\nHost: h\r\n\n", 400, "bare_lf"},
	{"9112-2.2/bare-lf-leading", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bare_lf"},
	{"9112-2.2/bare-cr-request-line", "GET / HTTP/1.1\rHost: h\r\n\r\n", 400, "bare_cr"},
	{"9112-2.2/bare-cr-target", "GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n", 400, "bare_cr"},
	{"9112-2.2/bare-cr-value", hostReq("X: a\rb\r\n"), 400, "bare_cr"},
	{"9112-2.2/bare-cr-name", hostReq("X\rY: a\r\n"), 400, "bare_cr"},
	{"9112-2.2/bare-cr-line-start", hostReq("\rX: a\r\n"), 400, "bare_cr"},
	{"9112-2.2/bare-cr-leading", "\r\rGET / HTTP/1.1\r\n\r\n", 400, "bare_cr"},
	{"9112-2.2/leading-whitespace", "GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400, "leading_whitespace"},
	{"9112-2.2/binary-garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400, "invalid_method"},
	// RFC 9112 §3: request-line
	{"9112-3/double-sp", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_request_line"},
	{"9112-3/double-sp-before-version", "GET /  HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_version"},
	{"9112-3/htab-separator", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_request_line"},
	{"9112-3/vt-separator", "GET /\vHTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_target"},
	{"9112-3/leading-sp", " GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_request_line"},
	{"9112-3/missing-version", "GET /\r\nHost: h\r\n\r\n", 400, "invalid_request_line"},
	{"9112-3/only-method", "GET\r\n\r\n", 400, "invalid_request_line"},
	{"9112-3/trailing-sp", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400, "invalid_version"},
	{"9112-3.1/method-not-token", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_method"},
	{"9112-3/method-too-long", strings.Repeat("A", 33) + " / HTTP/1.1\r\nHost: h\r\n\r\n", 501, "method_too_long"},
	{"9112-3/target-too-long", "GET /" + strings.Repeat("a", 8192) + " HTTP/1.1\r\nHost: h\r\n\r\n", 414, "target_too_long"},
	{"9112-3.2/target-nul", "GET /a\x00 HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_target"},
	{"9112-3.2/target-del", "GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_target"},
	{"9112-3.2/target-obs-text", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_target"},
	{"9112-3.2/relative-target", "GET a/b HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_target"},
	{"9112-3.2.2/ftp-scheme", "GET ftp://h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_target"},
	{"9112-3.2.2/empty-authority", "GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_target"},
	{"9112-3.2.2/userinfo", "GET http://u@h/x HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_target"},
	{"9112-3.2.3/authority-not-connect", "GET h:80 HTTP/1.1\r\nHost: h\r\n\r\n", 400, "authority_form_not_connect"},
	{"9112-3.2.3/connect-origin-form", "CONNECT / HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_target"},
	{"9112-3.2.3/connect-no-port", "CONNECT h HTTP/1.1\r\nHost: h\r\n\r\n", 400, "invalid_target"},
	{"9112-3.2.4/asterisk-not-options", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400, "asterisk_form_not_options"},
	// RFC 9112 §2.3: version
	{"9112-2.3/lowercase", "GET / http/1.1\r\nHost: h\r\n\r\n", 400, "invalid_version"},
	{"9112-2.3/two-digit-minor", "GET / HTTP/1.10\r\nHost: h\r\n\r\n", 400, "invalid_version"},
	{"9112-2.3/two-digit-major", "GET / HTTP/01.1\r\nHost: h\r\n\r\n", 400, "invalid_version"},
	{"9112-2.3/no-minor", "GET / HTTP/1\r\nHost: h\r\n\r\n", 400, "invalid_version"},
	{"9110-2.5/http2", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505, "version_not_supported"},
	{"9110-2.5/http0", "GET / HTTP/0.9\r\n\r\n", 505, "version_not_supported"},
	// RFC 9112 §5 / RFC 9110 §5: field lines
	{"9112-5.1/space-before-colon", hostReq("Transfer-Encoding : chunked\r\n"), 400, "space_before_colon"},
	{"9112-5.1/tab-before-colon", hostReq("X\t: 1\r\n"), 400, "space_before_colon"},
	{"9112-5.2/obs-fold", hostReq("X: a\r\n b\r\n"), 400, "obs_fold"},
	{"9112-5.2/obs-fold-tab", hostReq("X: a\r\n\tb\r\n"), 400, "obs_fold"},
	{"9112-5/missing-colon", hostReq("NoColon\r\n"), 400, "missing_colon"},
	{"9110-5.1/empty-name", hostReq(": v\r\n"), 400, "invalid_field_name"},
	{"9110-5.1/name-not-token", hostReq("X[1]: v\r\n"), 400, "invalid_field_name"},
	{"9110-5.1/name-obs-text", hostReq("X\xe9: v\r\n"), 400, "invalid_field_name"},
	{"9110-5.5/value-nul", hostReq("X: a\x00b\r\n"), 400, "bad_field_value"},
	{"9110-5.5/value-ctl", hostReq("X: a\x01b\r\n"), 400, "bad_field_value"},
	{"9110-5.5/value-del", hostReq("X: a\x7fb\r\n"), 400, "bad_field_value"},
	{"9110-5.5/value-esc-in-long-value", hostReq("X: 0123456789abcdef\x1b0123456789\r\n"), 400, "bad_field_value"},
	{"9110-5.4/too-many-fields", hostReq(strings.Repeat("X: 1\r\n", MaxFields)), 431, "too_many_fields"},
	{"9110-5.4/head-too-large", hostReq("X: " + strings.Repeat("a", 16384) + "\r\n"), 431, "head_too_large"},
	{"9110-5.4/head-too-large-many-empty-lines", strings.Repeat("\r\n", 8193) + "GET / HTTP/1.1\r\n\r\n", 431, "head_too_large"},
	// RFC 9112 §3.2 / RFC 9110 §7.2: Host
	{"9112-3.2/missing-host", "GET / HTTP/1.1\r\nX: 1\r\n\r\n", 400, "missing_host"},
	{"9112-3.2.2/absolute-form-missing-host", "GET http://h/ HTTP/1.1\r\n\r\n", 400, "missing_host"},
	{"9112-3.2/duplicate-host", hostReq("host: h\r\n"), 400, "duplicate_host"},
	{"9112-3.2/host-space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400, "invalid_host"},
	{"9112-3.2/host-userinfo", "GET / HTTP/1.1\r\nHost: a@b\r\n\r\n", 400, "invalid_host"},
	{"9112-3.2/host-slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "invalid_host"},
	{"9112-3.2/host-bad-port", "GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", 400, "invalid_host"},
	{"9112-3.2/host-bad-ipv6", "GET / HTTP/1.1\r\nHost: [1:2:3]\r\n\r\n", 400, "invalid_host"},
	{"9112-3.2/host-bad-pct", "GET / HTTP/1.1\r\nHost: a%2\r\n\r\n", 400, "invalid_host"},
	// RFC 9112 §6: framing
	{"9112-6.3/cl-plus", hostReq("Content-Length: +5\r\n"), 400, "invalid_content_length"},
	{"9112-6.3/cl-minus", hostReq("Content-Length: -1\r\n"), 400, "invalid_content_length"},
	{"9112-6.3/cl-hex", hostReq("Content-Length: 0x5\r\n"), 400, "invalid_content_length"},
	{"9112-6.3/cl-inner-space", hostReq("Content-Length: 5 5\r\n"), 400, "invalid_content_length"},
	{"9112-6.3/cl-empty", hostReq("Content-Length:\r\n"), 400, "invalid_content_length"},
	{"9112-6.3/cl-empty-element", hostReq("Content-Length: 5,\r\n"), 400, "invalid_content_length"},
	{"9112-6.3/cl-overflow", hostReq("Content-Length: 9223372036854775808\r\n"), 400, "invalid_content_length"},
	{"9112-6.3/cl-list-differs", hostReq("Content-Length: 5, 6\r\n"), 400, "conflicting_content_length"},
	{"9112-6.3/cl-lines-differ", hostReq("Content-Length: 5\r\nContent-Length: 6\r\n"), 400, "conflicting_content_length"},
	{"9112-6.3/cl-lines-differ-in-digits", hostReq("Content-Length: 5\r\nContent-Length: 05\r\n"), 400, "conflicting_content_length"},
	{"9112-6.3/cl-list-differs-in-digits", hostReq("Content-Length: 05, 5\r\n"), 400, "conflicting_content_length"},
	{"9112-6.1/te-empty", hostReq("Transfer-Encoding:\r\n"), 400, "invalid_transfer_encoding"},
	{"9112-6.1/te-bad-token", hostReq("Transfer-Encoding: chun\"ked\r\n"), 400, "invalid_transfer_encoding"},
	{"9112-6.1/te-obs-text", hostReq("Transfer-Encoding: chunked\xff\r\n"), 400, "invalid_transfer_encoding"},
	{"9112-7/te-chunked-params", hostReq("Transfer-Encoding: chunked;q=1\r\n"), 400, "chunked_with_params"},
	{"9112-6.3/te-gzip-only", hostReq("Transfer-Encoding: gzip\r\n"), 400, "chunked_not_final"},
	{"9112-6.3/te-chunked-gzip", hostReq("Transfer-Encoding: chunked, gzip\r\n"), 400, "chunked_not_final"},
	{"9112-6.3/te-chunked-twice", hostReq("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"), 400, "chunked_not_final"},
	{"9112-6.3/te-lines-chunked-then-gzip", hostReq("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"), 400, "chunked_not_final"},
	{"9112-6.1/te-gzip-chunked", hostReq("Transfer-Encoding: gzip, chunked\r\n"), 501, "unsupported_transfer_coding"},
	{"9112-6.1/te-identity-chunked", hostReq("Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n"), 501, "unsupported_transfer_coding"},
	{"9112-6.1/cl-and-te", hostReq("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), 400, "cl_and_te"},
	{"9112-6.1/te-and-cl", hostReq("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), 400, "cl_and_te"},
	{"9112-6.1/te-in-http10", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "te_in_http10"},
}

func TestParseErrors(t *testing.T) {
	for _, c := range parseErrorCases {
		t.Run(c.id, func(t *testing.T) {
			for _, run := range []struct {
				name string
				fn   func([]byte) (int, *Request, error)
			}{{"whole", parseAll}, {"trickle", parseTrickle}} {
				n, req, err := run.fn([]byte(c.in))
				var pe *Error
				if !errors.As(err, &pe) || pe.Status != c.status || pe.Reason != c.reason {
					t.Fatalf("%s: Parse(%q) = %d, %v; want %d %s", run.name, c.in, n, err, c.status, c.reason)
				}
				empty := reqView{Method: "<nil>", Target: "<nil>", Path: "<nil>", Query: "<nil>", Host: "<nil>"}
				if d := cmp.Diff(empty, viewOf(req)); n != 0 || d != "" {
					t.Errorf("%s: Parse(%q) left state (n=%d):\n%s", run.name, c.in, n, d)
				}
				if strings.Contains(err.Error(), c.in) {
					t.Errorf("error message %q contains request bytes", err)
				}
			}
		})
	}
}

func TestParseNeedMore(t *testing.T) {
	for _, in := range []string{"", "\r", "\r\n", "G", "GET / HTTP/1.1\r", "GET / HTTP/1.1\r\nHost: h\r\n", "GET / HTTP/1.1\r\nHost: h\r\n\r"} {
		n, _, err := parseAll([]byte(in))
		if err != ErrNeedMore || n != 0 {
			t.Errorf("Parse(%q) = %d, %v; want 0, ErrNeedMore", in, n, err)
		}
	}
}

func TestParseLimits(t *testing.T) {
	p := Parser{Limits: Limits{MaxHeadBytes: 64, MaxFields: 2, MaxTargetLen: 8, MaxMethodLen: 3}}
	cases := []struct {
		id, in string
		status int
		reason string
	}{
		{"ok", "GET /1234567 HTTP/1.1\r\nHost: h\r\nA: b\r\n\r\n", 0, ""},
		{"method", "POST / HTTP/1.1\r\n\r\n", 501, "method_too_long"},
		{"target", "GET /12345678 HTTP/1.1\r\n\r\n", 414, "target_too_long"},
		{"fields", "GET / HTTP/1.1\r\nHost: h\r\nA: b\r\nC: d\r\n\r\n", 431, "too_many_fields"},
		{"head", "GET / HTTP/1.1\r\nHost: h\r\nA: " + strings.Repeat("b", 40) + "\r\n\r\n", 431, "head_too_large"},
		{"head-in-progress", "GET / HTTP/1.1\r\nHost: h\r\nA: " + strings.Repeat("b", 60), 431, "head_too_large"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			var req Request
			p.Reset()
			_, err := p.Parse([]byte(c.in), &req)
			if c.status == 0 {
				if err != nil {
					t.Fatalf("Parse(%q) = %v; want nil", c.in, err)
				}
				return
			}
			var pe *Error
			if !errors.As(err, &pe) || pe.Status != c.status || pe.Reason != c.reason {
				t.Fatalf("Parse(%q) = %v; want %d %s", c.in, err, c.status, c.reason)
			}
		})
	}
}

// TestParseResumeMovedBuffer: after ErrNeedMore the caller may pass a
// grown copy of the buffer; the result must be views into the new one.
func TestParseResumeMovedBuffer(t *testing.T) {
	full := "GET /x HTTP/1.1\r\nHost: h\r\nA: b\r\n\r\n"
	var p Parser
	var req Request
	if _, err := p.Parse([]byte(full[:20]), &req); err != ErrNeedMore {
		t.Fatalf("Parse(prefix) = %v; want ErrNeedMore", err)
	}
	buf := []byte(full)
	buf = buf[:len(buf):len(buf)]
	if n, err := p.Parse(buf, &req); err != nil || n != len(full) {
		t.Fatalf("Parse(full) = %d, %v", n, err)
	}
	checkRequestViews(t, buf, &req)
}

// TestParseShorterBufferStartsOver: a buffer shorter than what was already
// examined cannot be an extension of it, so Parse starts over.
func TestParseShorterBufferStartsOver(t *testing.T) {
	var p Parser
	var req Request
	if _, err := p.Parse([]byte("GET /a-long-target-indeed HTTP/1.1\r\nHos"), &req); err != ErrNeedMore {
		t.Fatalf("Parse(prefix) = %v; want ErrNeedMore", err)
	}
	in := []byte("GET / HTTP/1.0\r\n\r\n")
	if n, err := p.Parse(in, &req); err != nil || n != len(in) || string(req.Target) != "/" {
		t.Fatalf("Parse(%q) = %d, %v, target %q; want a fresh parse", in, n, err, req.Target)
	}
}

// TestParseErrorOffsets: the offset points at the offending byte.
func TestParseErrorOffsets(t *testing.T) {
	cases := []struct {
		id, in string
		off    int
	}{
		{"bare-lf-request-line", "GET / HTTP/1.1\nHost: h\r\n\r\n", 14},
		{"bare-cr-value", "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 29},
		{"space-before-colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 20},
		{"bad-target-byte", "GET /a\x01 HTTP/1.1\r\n\r\n", 6},
		{"bad-version-byte", "GET / HTTP/1.x\r\n\r\n", 13},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: h\r\n x\r\n\r\n", 25},
		{"method-too-long", strings.Repeat("A", 40) + " / HTTP/1.1\r\n\r\n", 32},
		{"duplicate-host-line", "GET / HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n", 25},
	}
	for _, c := range cases {
		for _, run := range []func([]byte) (int, *Request, error){parseAll, parseTrickle} {
			_, _, err := run([]byte(c.in))
			var pe *Error
			if !errors.As(err, &pe) || pe.Offset != c.off {
				t.Errorf("%s: Parse(%q) = %v; want offset %d", c.id, c.in, err, c.off)
			}
		}
	}
}
