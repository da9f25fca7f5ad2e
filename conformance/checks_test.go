package conformance

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/corpus"
)

func TestChecks(t *testing.T) {
	const date = "Mon, 23 Nov 2026 21:00:00 GMT"
	resp := func(status int, h ...string) Response {
		r := Response{Status: status}
		for i := 0; i+1 < len(h); i += 2 {
			r.Headers = append(r.Headers, [2]string{h[i], h[i+1]})
		}
		return r
	}
	tests := []struct {
		name     string
		check    string
		raw      string
		resp     []Response
		received string
		unframed int
		wantFail string // "" = passes
	}{
		{"date-ok", "date", "GET / HTTP/1.1\r\n\r\n", []Response{resp(200, "Date", date)}, "", 0, ""},
		{"date-missing", "date", "GET / HTTP/1.1\r\n\r\n", []Response{resp(404)}, "", 0, "no Date on 404"},
		{"date-500-exempt", "date", "GET / HTTP/1.1\r\n\r\n", []Response{resp(500)}, "", 0, ""},
		{"date-rfc850", "date", "GET / HTTP/1.1\r\n\r\n", []Response{resp(200, "Date", "Monday, 23-Nov-26 21:00:00 GMT")}, "", 0, "not an IMF-fixdate"},
		{"head-ok", "head-no-body", "HEAD / HTTP/1.1\r\n\r\n", []Response{resp(200)}, "", 0, ""},
		{"head-body", "head-no-body", "HEAD / HTTP/1.1\r\n\r\n", []Response{resp(200)}, "", 3, "bytes after"},
		{"chunked-to-10", "no-chunked-to-10", "GET / HTTP/1.0\r\n\r\n", []Response{resp(200, "Transfer-Encoding", "chunked")}, "", 0, "HTTP/1.0"},
		{"chunked-to-11", "no-chunked-to-10", "GET / HTTP/1.1\r\n\r\n", []Response{resp(200, "Transfer-Encoding", "chunked")}, "", 0, ""},
		{"cl-present", "content-length", "GET / HTTP/1.1\r\n\r\n", []Response{resp(200, "Content-Length", "3")}, "", 0, ""},
		{"cl-missing", "content-length", "GET / HTTP/1.1\r\n\r\n", []Response{resp(200)}, "", 0, "neither"},
		{"cl-304-exempt", "content-length", "GET / HTTP/1.1\r\n\r\n", []Response{resp(304)}, "", 0, ""},
		{"location-relative", "location-not-external", "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", []Response{resp(301, "Location", "/a/")}, "", 0, ""},
		{"location-same-host", "location-not-external", "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", []Response{resp(301, "Location", "http://h/a/")}, "", 0, ""},
		{"location-same-host-port", "location-not-external", "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", []Response{resp(301, "Location", "http://h:8080/a/")}, "", 0, ""},
		{"location-other-host-port", "location-not-external", "GET /a HTTP/1.1\r\nHost: h:8080\r\n\r\n", []Response{resp(301, "Location", "http://evil:8080/a/")}, "", 0, "another host"},
		{"location-other-host", "location-not-external", "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", []Response{resp(301, "Location", "http://evil/a/")}, "", 0, "another host"},
		{"location-scheme-relative", "location-not-external", "GET //evil HTTP/1.1\r\nHost: h\r\n\r\n", []Response{resp(301, "Location", "//evil/")}, "", 0, "scheme-relative"},
		{"crlf-injected", "no-crlf-injection", "GET / HTTP/1.1\r\n\r\n", []Response{resp(301, "Set-Cookie", "a=b")}, "", 0, "injected"},
		{"crlf-clean", "no-crlf-injection", "GET / HTTP/1.1\r\n\r\n", []Response{resp(301, "Location", "/a%0d%0a")}, "", 0, ""},
		// no-raw-markup judges only what the case supplied: the page's own
		// <script> (Caddy's listing has one) is not an echo.
		{"markup-own-script-name-escaped", "no-raw-markup", "GET /list/ HTTP/1.1\r\n\r\n", []Response{resp(200)}, "HTTP/1.1 200 OK\r\n\r\n<html><script>\nsort()</script><a href=\"./%3Cscript%3Ex.txt\">&lt;script&gt;x.txt</a>", 0, ""},
		{"markup-listing-name-raw", "no-raw-markup", "GET /list/ HTTP/1.1\r\n\r\n", []Response{resp(200)}, "HTTP/1.1 200 OK\r\n\r\n<html><a href=\"x\"><SCRIPT>x.txt</a>", 0, "echoed unescaped"},
		{"markup-target-escaped", "no-raw-markup", "GET /%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1\r\n\r\n", []Response{resp(404)}, "HTTP/1.1 404 Not Found\r\n\r\n<script>track()</script>/&lt;script&gt;alert(1)&lt;/script&gt; not found", 0, ""},
		{"markup-target-raw", "no-raw-markup", "GET /%3Cscript%3Ealert(1)%3C/script%3E HTTP/1.1\r\n\r\n", []Response{resp(404)}, "HTTP/1.1 404 Not Found\r\n\r\n/<script>alert(1)</script> not found", 0, "<script>alert(1)<"},
		{"markup-query-raw", "no-raw-markup", "GET /missing?%3Cscript%3Eq=1 HTTP/1.1\r\n\r\n", []Response{resp(404)}, "HTTP/1.1 404 Not Found\r\n\r\nno <script>q here", 0, "echoed unescaped"},
		{"markup-raw-target-raw", "no-raw-markup", "GET /<script>x HTTP/1.1\r\n\r\n", []Response{resp(400)}, "HTTP/1.1 400 Bad Request\r\n\r\nbad /<script>x", 0, "echoed unescaped"},
		{"allow-missing", "allow-header", "PUT / HTTP/1.1\r\n\r\n", []Response{resp(405)}, "", 0, "without Allow"},
		{"allow-ok", "allow-header", "PUT / HTTP/1.1\r\n\r\n", []Response{resp(405, "Allow", "GET, HEAD")}, "", 0, ""},
		{"trace-echo", "no-trace-echo", "TRACE /x HTTP/1.1\r\n\r\n", []Response{resp(200)}, "HTTP/1.1 200 OK\r\n\r\nTRACE /x HTTP/1.1", 0, "echoed"},
		{"trace-405", "no-trace-echo", "TRACE /x HTTP/1.1\r\n\r\n", []Response{resp(405)}, "HTTP/1.1 405 X\r\n\r\nTRACE /x HTTP/1.1", 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := corpus.Case{ID: tc.name, Level: corpus.MUST, Check: []string{tc.check}, Raw: []byte(tc.raw)}
			obs := Observed{Responses: tc.resp, Received: []byte(tc.received), Unframed: tc.unframed}
			v, why := judgeChecks(&c, &obs, splitRequests(c.Raw))
			switch {
			case tc.wantFail == "" && v != Pass:
				t.Errorf("check %s on %+v = %s (%s); want pass", tc.check, tc.resp, v, why)
			case tc.wantFail != "" && (v != Fail || !strings.Contains(why, tc.wantFail)):
				t.Errorf("check %s on %+v = %s (%s); want fail containing %q", tc.check, tc.resp, v, why, tc.wantFail)
			}
		})
	}
}

// failVerdict: only MUST and safety cases fail; a policy case grades a
// site's choice and warns.
func TestFailVerdict(t *testing.T) {
	for _, tc := range []struct {
		l    corpus.Level
		want Verdict
	}{{corpus.MUST, Fail}, {corpus.Safety, Fail}, {corpus.SHOULD, Warn}, {corpus.MAY, Warn}, {corpus.Policy, Warn}} {
		if got := failVerdict(tc.l); got != tc.want {
			t.Errorf("failVerdict(%s) = %s; want %s", tc.l, got, tc.want)
		}
	}
}

func TestCheckLevelMapsToWarn(t *testing.T) {
	c := corpus.Case{ID: "x", Level: corpus.SHOULD, Check: []string{"date"}, Raw: []byte("GET / HTTP/1.1\r\n\r\n")}
	obs := Observed{Responses: []Response{{Status: 200}}}
	if v, why := judgeChecks(&c, &obs, splitRequests(c.Raw)); v != Warn {
		t.Errorf("SHOULD case failing a check = %s (%s); want warn", v, why)
	}
}

// TestMarkupNeedlesNotBareTags: every no-raw-markup case supplies markup a
// page cannot hold on its own; a bare tag ("<script>") would be matched by
// the page's own scripts, so the check would judge the page, not the echo.
func TestMarkupNeedlesNotBareTags(t *testing.T) {
	cases, err := corpus.All()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cases {
		if !slices.Contains(c.Check, "no-raw-markup") {
			continue
		}
		n++
		for _, nd := range markupNeedles(splitRequests(c.Raw)) {
			if bareTag.MatchString(nd) {
				t.Errorf("%s: markupNeedles gives the bare tag %q; give the markup a tail the page cannot have", c.ID, nd)
			}
		}
	}
	if n == 0 {
		t.Fatal("no case uses no-raw-markup")
	}
}

var bareTag = regexp.MustCompile(`^</?[A-Za-z]+>$`)
