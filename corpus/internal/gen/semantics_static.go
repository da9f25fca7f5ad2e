package main

import (
	"strings"

	"github.com/ferrox/ferrox/corpus"
)

// Dates equal to corpus.FixtureModTime in the three HTTP-date formats
// (RFC 9110 5.6.7), and dates before it.
const (
	mtimeIMF     = "Mon, 01 Jan 2024 00:00:00 GMT"
	mtimeRFC850  = "Monday, 01-Jan-24 00:00:00 GMT"
	mtimeAsctime = "Mon Jan  1 00:00:00 2024"
	beforeIMF    = "Sun, 31 Dec 2023 23:59:59 GMT"
	futureIMF    = "Fri, 01 Jan 2100 00:00:00 GMT"
)

// semanticsStatic: static-file semantics of RFC 9110 (methods, HEAD, Date,
// conditional requests, ranges).
func semanticsStatic(g *gen) {
	const grp = "semantics-static"
	s := func(id, section string, level corpus.Level, reqID, checks, expect, raw string, opts ...opt) {
		g.add(grp, id, section, level, reqID, checks, expect, raw, opts...)
	}
	head := func(target string, fields ...string) string {
		return req("HEAD "+target+" HTTP/1.1", append([]string{"Host: localhost"}, fields...), "")
	}
	sv := "static-serve"
	s("get-file", "RFC9110 9.3.1", MUST, sv, "an existing file is served with 200", "200", get("/a.txt"), check("date", "content-length"))
	s("get-root", "RFC9110 9.3.1", MUST, sv, "the root serves its index file", "200", get("/"), check("content-length"))
	s("get-dir-index", "RFC9110 9.3.1", MUST, sv, "a directory with a trailing slash serves its index", "200", get("/dir/"))
	s("get-missing", "RFC9110 9.3.1", MUST, sv, "a missing file gets 404", "404", get("/missing.txt"), check("date"), fwd)
	s("get-query", "RFC9110 9.3.1", MUST, sv, "a query string does not change which file is served", "200", get("/a.txt?x=1&y=2"))
	s("get-pct-unreserved", "RFC9110 9.3.1", MUST, sv, "percent-encoded unreserved characters are decoded: /%61.txt is /a.txt", "200", get("/%61.txt"))
	s("get-canary", "RFC9110 9.3.1", MUST, sv, "the canary file is served (the runner depends on it)", "200", get("/canary.txt"), split)
	hd := "9110-9.3.2-head"
	s("head-file", "RFC9110 9.3.2", MUST, hd, "HEAD of a file: 200 without content", "200", head("/a.txt"), check("head-no-body", "date"))
	s("head-big", "RFC9110 9.3.2", MUST, hd, "HEAD of a 64 KiB file sends no content", "200", head("/big.bin"), check("head-no-body"))
	s("head-missing", "RFC9110 9.3.2", MUST, hd, "HEAD of a missing file: 404 without content", "404", head("/missing.txt"), check("head-no-body"), fwd)
	s("head-dir-listing", "RFC9110 9.3.2", MUST, hd, "HEAD of a listing sends no content", "200 | 403 | 404", head("/list/"), check("head-no-body"))
	s("head-then-head", "RFC9110 9.3.2", MUST, hd, "two pipelined HEADs are each bodiless", "200", head("/a.txt")+head("/canary.txt"), check("head-no-body"))
	dt := "9110-6.6.1-date"
	s("date-on-404", "RFC9110 6.6.1", MUST, dt, "a 404 carries Date", "404", get("/nope"), check("date"), fwd)
	s("date-on-400", "RFC9110 6.6.1", MUST, dt, "a 400 carries Date", rej, "GET /a b HTTP/1.1\r\n"+host+"\r\n", check("date"))
	s("date-on-405", "RFC9110 6.6.1", MUST, dt, "a 405 or 501 carries Date", both("405", "501"), "DELETE /a.txt HTTP/1.1\r\n"+host+"\r\n", check("date"), fwd)
	s("date-on-304", "RFC9110 15.4.5", MUST, "9110-15.4.5-304", "a 304 keeps Date", "304", getH("/a.txt", "If-None-Match: *"), check("date"))
	s("date-on-redirect", "RFC9110 6.6.1", MUST, dt, "a slash redirect carries Date", "301 | 308 | 302 | 307", get("/dir"), check("date", "location-not-external"))
	al := "9110-15.5.6-405"
	s("post-file", "RFC9110 15.5.6", SHOULD, al, "POST to a static file: 405 with Allow (or 501)", both("405", "501"),
		req("POST /a.txt HTTP/1.1", []string{"Host: localhost", "Content-Length: 5"}, "hello"), check("allow-header"), fwd)
	s("put-file", "RFC9110 15.5.6", MUST, al, "PUT to a static file: 405 with Allow (or 501); nothing is written", both("405", "501"),
		req("PUT /a.txt HTTP/1.1", []string{"Host: localhost", "Content-Length: 5"}, "owned"), check("allow-header"), fwd)
	s("put-new-file", "RFC9110 15.5.6", MUST, al, "PUT of a new file: 405 (or 501), never 201", both("405", "501"),
		req("PUT /new.txt HTTP/1.1", []string{"Host: localhost", "Content-Length: 5"}, "owned"), check("allow-header"), fwd)
	s("delete-file", "RFC9110 15.5.6", MUST, al, "DELETE of a static file: 405 with Allow (or 501)", both("405", "501"),
		"DELETE /a.txt HTTP/1.1\r\n"+host+"\r\n", check("allow-header"), fwd)
	s("patch-file", "RFC9110 15.5.6", SHOULD, al, "PATCH of a static file: 405 with Allow (or 501)", both("405", "501"),
		req("PATCH /a.txt HTTP/1.1", []string{"Host: localhost", "Content-Length: 2"}, "{}"), check("allow-header"), fwd)
	s("post-chunked", "RFC9110 15.5.6", SHOULD, al, "a chunked POST is framed correctly even though it is refused", both("405", "501"),
		req("POST /a.txt HTTP/1.1", []string{"Host: localhost", "Transfer-Encoding: chunked"}, "5\r\nhello\r\n0\r\n\r\n"), check("allow-header"), fwd)
	s("unknown-method", "RFC9110 9.1", SHOULD, "9110-9.1-methods", "an unknown method gets 501", both("501"), "FOO /a.txt HTTP/1.1\r\n"+host+"\r\n", split, either)
	s("unknown-method-long", "RFC9110 9.1", SHOULD, "9110-9.1-methods", "a longer unknown method token gets 501", both("501"), "PROPFINDX /a.txt HTTP/1.1\r\n"+host+"\r\n", either)
	s("trace", "RFC9110 9.3.8", policy, "9110-9.3.8-trace", "TRACE is refused or at least never echoes the request", both("405", "501", "404")+" | 2xx",
		"TRACE /a.txt HTTP/1.1\r\n"+host+"Cookie: secret=1\r\n\r\n", check("no-trace-echo"))
	s("trace-asterisk", "RFC9110 9.3.8", policy, "9110-9.3.8-trace", "TRACE * is refused and never echoes", both("405", "501", "400", "404")+" | 2xx",
		"TRACE * HTTP/1.1\r\n"+host+"\r\n", check("no-trace-echo"))
	// Ranges on /a.txt (1000 bytes).
	rg, rgi := "9110-14.2-range", "9110-14.2-range-ignore"
	r := func(id string, level corpus.Level, reqID, checks, expect, rangeValue string, opts ...opt) {
		s(id, "RFC9110 14.2", level, reqID, checks, expect, getH("/a.txt", "Range: "+rangeValue), opts...)
	}
	r("range-single", MAY, rg, "a satisfiable single range gets 206", "206", "bytes=0-9", split)
	r("range-suffix", MAY, rg, "a suffix range gets 206", "206", "bytes=-10")
	r("range-open", MAY, rg, "an open-ended range gets 206", "206", "bytes=990-")
	r("range-whole", MAY, rg, "a range covering the whole file gets 206 or 200", "206 | 200", "bytes=0-")
	r("range-multi", MAY, "9110-15.3.7-multipart", "two ranges get a multipart/byteranges 206 (or a single coalesced 206, or 200)", "206 | 200", "bytes=0-0,-1")
	r("range-multi-far", MAY, "9110-15.3.7-multipart", "two distant ranges get multipart/byteranges (or 200)", "206 | 200", "bytes=0-1,500-501")
	r("range-overlapping", MAY, rg, "overlapping ranges may be served, coalesced or ignored", "206 | 200 | "+both("416"), "bytes=0-5,3-8")
	r("range-past-end", MUST, rg, "a range starting past the end gets 416 (or 200 when ranges are ignored)", both("416")+" | 200", "bytes=1000-")
	r("range-far-past-end", MUST, rg, "a range far past the end gets 416 (or 200)", both("416")+" | 200", "bytes=5000-6000")
	r("range-last-past-end", MUST, rg, "a last-pos past the end is clamped: 206 (or 200)", "206 | 200", "bytes=990-5000")
	r("range-huge-last", MUST, rg, "a 20-digit last-pos is clamped (206, 200) or refused (416), never overflowed", "206 | 200 | "+both("416"), "bytes=0-99999999999999999999")
	r("range-huge-first", MUST, rg, "a 20-digit first-pos is unsatisfiable, not overflowed", both("416")+" | 200", "bytes=99999999999999999999-")
	r("range-huge-suffix", MUST, rg, "a 20-digit suffix length means the whole file (206, 200) or is refused (416), never overflowed", "206 | 200 | "+both("416"), "bytes=-99999999999999999999")
	r("range-reversed", MUST, rg, "bytes=5-1 is invalid: ignored (200) or rejected", "200 | "+both("416", "400"), "bytes=5-1")
	r("range-garbage", MUST, rg, "a malformed range is ignored or rejected, never 206", "200 | "+both("416", "400"), "bytes=a-b")
	r("range-negative-start", MUST, rg, "bytes=-5-10 is invalid: ignored or rejected", "200 | "+both("416", "400"), "bytes=-5-10")
	r("range-unknown-unit", MUST, rgi, "a range unit the server does not know is ignored", "200", "items=0-9")
	r("range-many", MAY, rg, "200 tiny ranges may be served, coalesced, ignored or refused", "206 | 200 | "+both("416"), manyRanges(200))
	s("range-head", "RFC9110 14.2", MUST, rgi, "HEAD ignores Range: 200 without content", "200", head("/a.txt", "Range: bytes=0-9"), check("head-no-body"))
	s("range-post", "RFC9110 14.2", MUST, rgi, "POST ignores Range: never 206", both("405", "501")+" | 200",
		req("POST /a.txt HTTP/1.1", []string{"Host: localhost", "Range: bytes=0-9", "Content-Length: 5"}, "hello"))
	s("range-on-missing", "RFC9110 13.2.1", MUST, "9110-13.2-non-2xx", "a Range on a missing file: 404", "404", getH("/missing.txt", "Range: bytes=0-9"), fwd)
	s("if-range-etag-mismatch", "RFC9110 13.1.5", MUST, "9110-13.1.5-if-range", "If-Range with a non-matching entity tag: the full file (200)", "200",
		getH("/a.txt", "Range: bytes=0-9", "If-Range: \"no-such-etag\""))
	s("if-range-weak-etag", "RFC9110 13.1.5", MUST, "9110-13.1.5-if-range", "If-Range with a weak tag never matches: 200", "200",
		getH("/a.txt", "Range: bytes=0-9", "If-Range: W/\"x\""))
	s("if-range-old-date", "RFC9110 13.1.5", MUST, "9110-13.1.5-if-range", "If-Range with a date before Last-Modified: the full file", "200",
		getH("/a.txt", "Range: bytes=0-9", "If-Range: "+beforeIMF))
	s("range-inm-star", "RFC9110 13.2.2", MUST, "9110-13.1.2-if-none-match", "If-None-Match: * with a Range: 304, the Range is not applied", "304",
		getH("/a.txt", "Range: bytes=0-9", "If-None-Match: *"))
	// Conditional requests on /a.txt (mtime = corpus.FixtureModTime).
	inm, im, ims := "9110-13.1.2-if-none-match", "9110-13.1.1-if-match", "9110-13.1.3-ims"
	// Each row is a well-formed GET of /a.txt: a 412 is the origin's to give (orForward).
	c := func(id, section string, level corpus.Level, reqID, checks, expect string, fields ...string) {
		s(id, section, level, reqID, checks, expect, getH("/a.txt", fields...), orForward)
	}
	c("inm-star", "RFC9110 13.1.2", MUST, inm, "If-None-Match: * on an existing file: 304", "304", "If-None-Match: *")
	c("inm-nomatch", "RFC9110 13.1.2", MUST, inm, "If-None-Match with a foreign tag: 200", "200", "If-None-Match: \"no-such-etag\"")
	c("inm-weak-nomatch", "RFC9110 13.1.2", MUST, inm, "If-None-Match with a foreign weak tag: 200", "200", "If-None-Match: W/\"no-such-etag\"")
	c("inm-list-nomatch", "RFC9110 13.1.2", MUST, inm, "If-None-Match with a list of foreign tags: 200", "200", "If-None-Match: \"a\", \"b\", W/\"c\"")
	s("inm-star-head", "RFC9110 13.1.2", MUST, inm, "HEAD with If-None-Match: *: 304 without content", "304", head("/a.txt", "If-None-Match: *"), check("head-no-body"))
	s("inm-star-missing", "RFC9110 13.2.1", MUST, "9110-13.2-non-2xx", "If-None-Match: * on a missing file: 404", "404", getH("/missing.txt", "If-None-Match: *"), fwd)
	c("im-nomatch", "RFC9110 13.1.1", MUST, im, "If-Match with a foreign tag: 412", both("412"), "If-Match: \"no-such-etag\"")
	c("im-weak", "RFC9110 13.1.1", MUST, im, "If-Match uses strong comparison: a weak tag never matches, 412", both("412"), "If-Match: W/\"no-such-etag\"")
	c("im-star", "RFC9110 13.1.1", MUST, im, "If-Match: * on an existing file: 200", "200", "If-Match: *")
	s("im-missing", "RFC9110 13.2.1", MUST, "9110-13.2-non-2xx", "If-Match on a missing file: 404 (preconditions skipped) or 412", "404 | "+both("412"), getH("/missing.txt", "If-Match: \"x\""), fwd)
	c("ims-imf-fixdate", "RFC9110 13.1.3", MUST, ims, "If-Modified-Since equal to Last-Modified (IMF-fixdate): 304", "304", "If-Modified-Since: "+mtimeIMF)
	c("ims-rfc850", "RFC9110 5.6.7", MUST, "9110-5.6.7-dates", "If-Modified-Since in RFC 850 format: 304", "304", "If-Modified-Since: "+mtimeRFC850)
	c("ims-asctime", "RFC9110 5.6.7", MUST, "9110-5.6.7-dates", "If-Modified-Since in asctime format: 304", "304", "If-Modified-Since: "+mtimeAsctime)
	s("ims-head", "RFC9110 13.1.3", MUST, ims, "HEAD with a matching If-Modified-Since: 304 without content", "304", head("/a.txt", "If-Modified-Since: "+mtimeIMF), check("head-no-body"))
	c("ims-older", "RFC9110 13.1.3", MUST, ims, "If-Modified-Since before Last-Modified: 200", "200", "If-Modified-Since: "+beforeIMF)
	c("ims-garbage", "RFC9110 13.1.3", MUST, ims, "an invalid If-Modified-Since is ignored: 200", "200", "If-Modified-Since: yesterday")
	c("ims-empty", "RFC9110 13.1.3", MUST, ims, "an empty If-Modified-Since is ignored: 200", "200", "If-Modified-Since:")
	c("ims-with-inm", "RFC9110 13.1.3", MUST, ims, "If-Modified-Since is ignored when If-None-Match is present: 200", "200",
		"If-None-Match: \"no-such-etag\"", "If-Modified-Since: "+mtimeIMF)
	s("ims-post", "RFC9110 13.1.3", MUST, ims, "If-Modified-Since on POST is ignored: never 304", both("405", "501")+" | 200",
		req("POST /a.txt HTTP/1.1", []string{"Host: localhost", "If-Modified-Since: " + mtimeIMF, "Content-Length: 5"}, "hello"))
	s("ims-missing", "RFC9110 13.2.1", MUST, "9110-13.2-non-2xx", "If-Modified-Since on a missing file: 404", "404", getH("/missing.txt", "If-Modified-Since: "+mtimeIMF), fwd)
	c("ius-older", "RFC9110 13.1.4", MUST, im, "If-Unmodified-Since before Last-Modified: 412", both("412"), "If-Unmodified-Since: "+beforeIMF)
	c("ius-equal", "RFC9110 13.1.4", MUST, im, "If-Unmodified-Since equal to Last-Modified: 200", "200", "If-Unmodified-Since: "+mtimeIMF)
	c("ius-asctime", "RFC9110 5.6.7", MUST, "9110-5.6.7-dates", "If-Unmodified-Since equal to Last-Modified in asctime format: 200", "200", "If-Unmodified-Since: "+mtimeAsctime)
	c("ius-rfc850", "RFC9110 5.6.7", MUST, "9110-5.6.7-dates", "If-Unmodified-Since equal to Last-Modified in RFC 850 format: 200", "200", "If-Unmodified-Since: "+mtimeRFC850)
	c("ius-garbage", "RFC9110 13.1.4", MUST, im, "an invalid If-Unmodified-Since is ignored: 200", "200", "If-Unmodified-Since: never")
	c("ius-future", "RFC9110 13.1.4", MUST, im, "If-Unmodified-Since in the future: 200", "200", "If-Unmodified-Since: "+futureIMF)
	c("im-overrides-ius", "RFC9110 13.2.2", MUST, im, "If-Match: * is evaluated and If-Unmodified-Since ignored: 200", "200",
		"If-Match: *", "If-Unmodified-Since: "+beforeIMF)
	c("im-before-inm", "RFC9110 13.2.2", MUST, im, "a false If-Match wins over If-None-Match: 412", both("412"),
		"If-Match: \"no-such-etag\"", "If-None-Match: *")
}

func manyRanges(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = itoa(2*i) + "-" + itoa(2*i)
	}
	return "bytes=" + strings.Join(parts, ",")
}

// paths: traversal, dotfiles, listing escaping, redirects and response
// splitting. All are safety properties of a static server except refusing
// dotfiles, which is policy.
func paths(g *gen) {
	const grp = "paths"
	p := func(id, reqID, checks, expect, target string, opts ...opt) {
		sec := map[string]string{"9112-11.1-splitting": "RFC9112 11.1", "static-dir-redirect": "RFC9110 15.4.2",
			"safety-open-redirect": "RFC9110 10.2.2"}[reqID]
		if sec == "" {
			sec = "RFC9110 7.1"
		}
		level := safety
		switch reqID {
		case "static-dir-redirect":
			level = SHOULD
		case "safety-dotfiles":
			// No RFC forbids serving a dotfile: refusing them is a site's
			// policy (every baseline server serves them by default).
			level = policy
		}
		// A front end may refuse such a target itself or forward it;
		// forwarded, it reaches the origin unchanged (RFC 9110 7.7).
		g.add(grp, id, sec, level, reqID, checks, expect, get(target), append(opts, orForward)...)
	}
	tr := "safety-traversal"
	trav := []struct{ id, target string }{
		{"traversal-plain", "/../../../../../../etc/passwd"},
		{"traversal-dir-prefix", "/dir/../../../../../etc/passwd"},
		{"traversal-dot-slash", "/./../../../../etc/passwd"},
		{"traversal-pct-dots", "/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd"},
		{"traversal-pct-dots-upper", "/%2E%2E/%2E%2E/%2E%2E/%2E%2E/etc/passwd"},
		{"traversal-pct-slash", "/..%2f..%2f..%2f..%2fetc%2fpasswd"},
		{"traversal-pct-all", "/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd"},
		{"traversal-leading-pct-slash", "/%2f..%2f..%2f..%2fetc%2fpasswd"},
		{"traversal-double-encoded", "/%252e%252e/%252e%252e/%252e%252e/etc/passwd"},
		{"traversal-double-encoded-slash", "/..%252f..%252f..%252fetc%252fpasswd"},
		{"traversal-overlong-utf8", "/%c0%ae%c0%ae/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd"},
		{"traversal-backslash-encoded", "/..%5c..%5c..%5c..%5cetc%5cpasswd"},
		{"traversal-absolute-double-slash", "//etc/passwd"},
		{"traversal-pct-nul", "/a.txt%00.html"},
		{"traversal-pct-nul-dir", "/dir%00/../../etc/passwd"},
		{"traversal-semicolon", "/..;/..;/..;/etc/passwd"},
		{"traversal-dots-three", "/.../.../.../etc/passwd"},
		{"traversal-proc", "/../../../../proc/self/environ"},
		{"traversal-tilde", "/~root/.bashrc"},
		{"traversal-windows-drive", "/C:/Windows/win.ini"},
	}
	for _, t := range trav {
		p(t.id, tr, "the target "+t.target+" never reaches a file outside the root", notFnd, t.target)
	}
	g.add(grp, "traversal-backslash-raw", "RFC9110 7.1", safety, tr, "raw backslashes in the target never climb out of the root", notFnd,
		"GET /..\\..\\..\\..\\etc\\passwd HTTP/1.1\r\n"+host+"\r\n", orForward)
	g.add(grp, "traversal-absolute-form", "RFC9110 7.1", safety, tr, "dot-segments in an absolute-form target never climb out of the root", notFnd,
		"GET http://localhost/../../../../etc/passwd HTTP/1.1\r\n"+host+"\r\n", orForward)
	p("inside-dot-segments", "static-serve", "dot-segments that stay inside the root resolve to the file (or are rejected)", "200 | 301 | 308 | 400 | 400+close", "/dir/../a.txt")
	df := "safety-dotfiles"
	p("dotfile", df, "a dotfile is not served", notFnd, "/.hidden")
	p("dotfile-pct", df, "a percent-encoded dotfile is not served", notFnd, "/%2ehidden")
	p("dotfile-via-dir", df, "a dotfile reached through dot-segments is not served", notFnd, "/dir/../.hidden")
	p("dotfile-dot-slash", df, "a dotfile reached through ./ is not served", notFnd, "/./.hidden")
	p("dotfile-double-slash", df, "a dotfile reached through // is not served", notFnd, "//.hidden")
	p("dotfile-git", df, "a .git directory is not served", notFnd, "/.git/config")
	p("dotfile-env", df, "a .env file is not served", notFnd, "/.env")
	le := "safety-listing-escape"
	p("listing-escapes-names", le, "a listing shows the file named <script>x.txt escaped", "200 | 403 | 404", "/list/", check("no-raw-markup"))
	p("listing-no-slash", le, "/list without a slash redirects or lists, escaped", "200 | 301 | 308 | 302 | 307 | 403 | 404", "/list", check("no-raw-markup", "location-not-external"))
	p("error-page-escapes-target", le, "a 404 page never echoes markup from the target", notFnd, "/%3Cscript%3Ealert(1)%3C/script%3E", check("no-raw-markup"))
	p("error-page-escapes-query", le, "an error page never echoes markup from the query", notFnd, "/missing?%3Cscript%3Eq=1", check("no-raw-markup"))
	p("listing-query-escaped", le, "a listing never echoes markup from the query", "200 | 403 | 404", "/list/?%3Cscript%3Eq", check("no-raw-markup"))
	p("file-with-markup-name", le, "the file named <script>x.txt is served by its encoded name", "200 | 403 | 404", "/list/%3Cscript%3Ex.txt", check("no-raw-markup"))
	rd := "static-dir-redirect"
	p("dir-redirect", rd, "a directory without its slash is redirected to the slash form on the same host", "301 | 308 | 302 | 307", "/dir", check("location-not-external"))
	p("dir-redirect-query", rd, "the slash redirect keeps the query on the same host", "301 | 308 | 302 | 307", "/dir?x=1", check("location-not-external"))
	or := "safety-open-redirect"
	anyNon5 := both("2xx", "3xx", "4xx")
	for _, t := range []struct{ id, target string }{
		{"open-redirect-double-slash", "//evil.example/%2e%2e/dir"},
		{"open-redirect-double-slash-root", "//evil.example/%2e%2e"},
		{"open-redirect-triple-slash", "///evil.example/%2e%2e/dir"},
		{"open-redirect-backslash", "/\\evil.example/%2e%2e/dir"},
		{"open-redirect-pct-slash", "/%2fevil.example/%2e%2e/dir"},
		{"open-redirect-pct-backslash", "/%5cevil.example/%2e%2e/dir"},
		{"open-redirect-dir-dotdot", "//evil.example/../dir"},
		{"open-redirect-tab", "/%09/evil.example/%2e%2e/dir"},
	} {
		p(t.id, or, "the target "+t.target+" never yields a Location on another host", anyNon5, t.target, check("location-not-external"))
	}
	sp := "9112-11.1-splitting"
	for _, t := range []struct{ id, target string }{
		{"crlf-in-dir-redirect", "/%0d%0aX-Injected:%20yes/../dir"},
		{"crlf-in-redirect-query", "/dir?%0d%0aX-Injected:%20yes"},
		{"crlf-set-cookie", "/dir?x=%0d%0aSet-Cookie:%20owned=1"},
		{"lf-in-redirect", "/%0aX-Injected:%20yes/../dir"},
		{"cr-in-redirect", "/%0dX-Injected:%20yes/../dir"},
		{"crlf-double-encoded", "/%250d%250aX-Injected:%20yes/../dir"},
		{"crlf-utf8-line-sep", "/%e5%98%8a%e5%98%8dX-Injected:%20yes/../dir"},
		{"crlf-in-missing", "/missing%0d%0aX-Injected:%20yes"},
	} {
		p(t.id, sp, "percent-encoded CR/LF in "+t.target+" never reaches a response field", anyNon5, t.target, check("no-crlf-injection", "location-not-external"))
	}
}
