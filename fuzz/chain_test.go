package fuzz

import (
	"strings"
	"testing"
)

// The allowances apply only where net/http really reads that way: each
// is exercised on a stream that reaches past the strict reading's stop.
func TestChainAllowances(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		want      []string // method path of every message of the reading
	}{
		{"strict-only", "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n", []string{"GET /a", "GET /b"}},
		{"cl-te-chunked-keep-alive", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n", []string{"POST /a", "GET /b"}},
		{"cl-te-not-chunked", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunkedx\r\n\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n", []string{"POST /a"}},
		{"cl-te-folded", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n", []string{"POST /a", "GET /b"}},
		{"bare-lf-then-crlf-ends-head", "GET /a HTTP/1.1\r\nHost: x\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n", []string{"GET /a", "GET /b"}},
		{"bare-lf-ends-trailer", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\n\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n", []string{"POST /a", "GET /b"}},
		{"bare-lf-ends-trailer-no-crlfcrlf", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\nGET /b HTTP/1.1\nHost: x\n\n", []string{"POST /a"}},
		{"http10-te-ignored", "POST /a HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabcGET /b HTTP/1.1\r\nHost: x\r\n\r\n", []string{"POST /a", "GET /b"}},
		{"http10-te-ignored-close", "POST /a HTTP/1.0\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabcGET /b HTTP/1.1\r\nHost: x\r\n\r\n", []string{"POST /a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cr := readChain([]byte(tc.raw))
			var got []string
			for _, m := range cr.msgs {
				got = append(got, m.Method+" "+m.Path)
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("readChain(%q) = %q; want %q", tc.raw, got, tc.want)
			}
		})
	}
}

// The chain forwards what net/http reads, tied to the input that sent it:
// two pipelined requests arrive in order; past a message the strict
// reading stops at, net/http forwards the next request, which only the
// named allowance explains (if net/http ever stops there, the allowance
// can go).
func TestChainReverseProxyForwards(t *testing.T) {
	env, err := theChain()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, raw string
		want      []string // method path (allowances) of each forwarded request
		alt       []string // also accepted
	}{
		{"pipelined", "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b?q HTTP/1.1\r\nHost: x\r\n\r\n", []string{"GET /a ()", "GET /b ()"}, nil},
		{"cl-te", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n", []string{"POST /a ()", "GET /b (cl-te-keep-alive)"}, nil},
		{"bare-lf-ends-trailer", "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n", []string{"POST /a ()", "GET /b (bare-lf-ends-trailer)"}, nil},
		// Once ReadIntent ends a head at LF CRLF as it does at LF LF (a
		// proposed fix), the strict reading holds GET /b itself.
		{"bare-lf-then-crlf-ends-head", "GET /a HTTP/1.1\r\nHost: x\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n", []string{"GET /a ()", "GET /b (bare-lf-in-head)"}, []string{"GET /a ()", "GET /b ()"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fwd := sendThroughChain(t, env, []byte(tc.raw))
			cr := readChain([]byte(tc.raw))
			used := make([]bool, len(cr.msgs))
			var got []string
			for _, r := range fwd {
				why := "unmatched"
				if j := cr.match(used, &r); j >= 0 {
					used[j], why = true, cr.why[j]
				}
				got = append(got, r.Method+" "+strings.SplitN(r.Path, "?", 2)[0]+" ("+why+")")
			}
			if g := strings.Join(got, "|"); g != strings.Join(tc.want, "|") && (tc.alt == nil || g != strings.Join(tc.alt, "|")) {
				t.Errorf("through the proxy, %q forwarded %q; want %q", tc.raw, got, tc.want)
			}
		})
	}
}
