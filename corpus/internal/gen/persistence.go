package main

import (
	"strings"

	"github.com/ferrox/ferrox/corpus"
)

// persistence and pipelining: RFC 9112 9.3, 9.3.2, 9.6; RFC 9110 7.8, 10.1.1.
func persistence(g *gen) {
	const grp = "persistence"
	p := func(id, section string, level corpus.Level, reqID, checks, expect, raw string, opts ...opt) {
		g.add(grp, id, section, level, reqID, checks, expect, raw, opts...)
	}
	per, cls := "9112-9.3-persistence", "9112-9.6-close"
	p("keep-alive-default", "RFC9112 9.3", SHOULD, per, "an HTTP/1.1 connection stays open after a response by default", ok, get("/a.txt"))
	p("get-body-then-get", "RFC9112 9.3", MUST, per, "a GET with a Content-Length body, then a pipelined GET: the body is read, not parsed as a request", ok,
		req("GET /a.txt HTTP/1.1", []string{"Host: localhost", "Content-Length: 5"}, "hello")+get("/canary.txt"), split, orReject)
	p("get-chunked-body-then-get", "RFC9112 9.3", MUST, per, "a GET with a chunked body, then a pipelined GET", ok,
		req("GET /a.txt HTTP/1.1", []string{"Host: localhost", "Transfer-Encoding: chunked"}, "5\r\nhello\r\n0\r\n\r\n")+get("/canary.txt"), orReject)
	p("head-body-ignored", "RFC9112 9.3", MUST, per, "a HEAD carrying a Content-Length body: the body is read, then the next request", ok,
		req("HEAD /a.txt HTTP/1.1", []string{"Host: localhost", "Content-Length: 5"}, "hello")+get("/canary.txt"), check("head-no-body"), orReject)
	p("http10-default-close", "RFC9112 9.3", MUST, per, "an HTTP/1.0 request without keep-alive: respond, then close", "2xx+close", "GET /a.txt HTTP/1.0\r\n"+host+"\r\n")
	p("http10-keep-alive", "RFC9112 9.3", MAY, per, "HTTP/1.0 with Connection: keep-alive may persist or close", "2xx | 2xx+close",
		"GET /a.txt HTTP/1.0\r\n"+host+"Connection: keep-alive\r\n\r\n")
	p("paced-get", "RFC9112 9.3", SHOULD, per, "a request sent one byte at a time is served", ok, get("/a.txt"), paced(20))
	p("connection-close", "RFC9112 9.6", MUST, cls, "after Connection: close the server responds once and closes: the canary is never answered", "2xx+close",
		getH("/a.txt", "Connection: close"), split)
	p("connection-close-then-request", "RFC9112 9.6", MUST, cls, "a request pipelined after Connection: close is not processed", "2xx+close",
		getH("/a.txt", "Connection: close")+get("/canary.txt"))
	p("connection-close-uppercase", "RFC9112 9.6", MUST, cls, "connection options are case-insensitive: CLOSE", "2xx+close", getH("/a.txt", "Connection: CLOSE"))
	p("connection-close-in-list", "RFC9112 9.6", MUST, cls, "close inside a list of connection options", "2xx+close", getH("/a.txt", "Connection: keep-alive, close"))
	p("connection-close-second-line", "RFC9112 9.6", MUST, cls, "close on a second Connection line", "2xx+close", getH("/a.txt", "Connection: keep-alive", "Connection: close"))
	p("connection-close-with-body", "RFC9112 9.6", MUST, cls, "Connection: close on a request with a body: respond once, then close", "2xx+close",
		req("GET /a.txt HTTP/1.1", []string{"Host: localhost", "Connection: close", "Content-Length: 5"}, "hello")+get("/canary.txt"), orReject)
	p("connection-close-404", "RFC9112 9.6", MUST, cls, "Connection: close on a request for a missing file: 404, then close", "404+close", getH("/missing.txt", "Connection: close"), fwd)
	p("request-then-junk", "RFC9112 9.6", MUST, cls, "a valid request followed by junk: the first response arrives intact before any close", ok,
		get("/a.txt")+"\x00\x01\x02junk\r\n\r\n", noCanary)
	pl := "9112-9.3.2-pipelining"
	p("pipelined-three", "RFC9112 9.3.2", MUST, pl, "three pipelined GETs in one write are answered in order", ok, get("/a.txt")+get("/canary.txt")+get("/a.txt"), check("content-length"))
	p("pipelined-ten", "RFC9112 9.3.2", MUST, pl, "ten pipelined GETs in one write are answered in order", ok, strings.Repeat(get("/a.txt"), 10))
	p("pipelined-head-get", "RFC9112 9.3.2", MUST, pl, "HEAD then GET pipelined: the HEAD response has no body, so the GET response is framed right", ok,
		"HEAD /a.txt HTTP/1.1\r\n"+host+"\r\n"+get("/a.txt"), check("head-no-body"))
	p("pipelined-404-then-200", "RFC9112 9.3.2", MUST, pl, "a 404 in a pipeline does not disturb the next response", "404", get("/missing.txt")+get("/a.txt"), fwd)
	p("pipelined-big", "RFC9112 9.3.2", MUST, pl, "two pipelined GETs of a 64 KiB file are answered in order", ok, get("/big.bin")+get("/big.bin"), check("content-length"))
	p("pipelined-split", "RFC9112 9.3.2", MUST, pl, "two pipelined GETs give the same answers however the bytes are split", ok, get("/a.txt")+get("/canary.txt"), split)
	ex := "9110-10.1.1-expect"
	p("expect-100-with-body", "RFC9110 10.1.1", MUST, ex, "Expect: 100-continue with the body already sent: a final response; the server may close instead of reading the body", "2xx | 2xx+close",
		req("GET /a.txt HTTP/1.1", []string{"Host: localhost", "Expect: 100-continue", "Content-Length: 5"}, "hello"), orReject)
	p("expect-100-no-body", "RFC9110 10.1.1", MUST, ex, "Expect: 100-continue on a request without content is simply served", ok, getH("/a.txt", "Expect: 100-continue"))
	p("expect-100-http10", "RFC9110 10.1.1", MUST, ex, "Expect: 100-continue in HTTP/1.0 is ignored", "2xx+close",
		"GET /a.txt HTTP/1.0\r\n"+host+"Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello", orReject)
	p("expect-unknown", "RFC9110 10.1.1", MAY, ex, "an unknown expectation may get 417 or be ignored", "417 | 417+close | 2xx", getH("/a.txt", "Expect: teapot"))
	// A body the server will not use: the refusal is known from the head
	// alone. Answering before the body is a site's choice (policy), or,
	// with Expect, one of two conforming answers (MAY); none of them
	// waits for a body that never comes, so none has a canary. (issue 18)
	refused := "405 | 405+close | 501 | 501+close"
	p("post-unsent-body-early-405", "RFC9112 9.3", policy, per, "a POST to a static file with Content-Length 100000 and only the head sent: the 405 comes from the head alone, without waiting for a body the server will drop", refused,
		req("POST /a.txt HTTP/1.1", []string{"Host: localhost", "Content-Length: 100000"}, ""), noCanary, chain("any"))
	p("post-partial-body-early-405", "RFC9112 9.3", policy, per, "a POST to a static file with 10 of its 100 body bytes sent: the 405 comes from the head alone, before the rest of the body", refused,
		req("POST /a.txt HTTP/1.1", []string{"Host: localhost", "Content-Length: 100"}, "0123456789"), noCanary, chain("any"))
	p("put-chunked-unsent-early-405", "RFC9112 9.3", policy, per, "a chunked PUT to a static file with only the head and a first chunk sent: the 405 comes from the head alone, before the last chunk", refused,
		req("PUT /a.txt HTTP/1.1", []string{"Host: localhost", "Transfer-Encoding: chunked"}, "5\r\nhello\r\n"), noCanary, chain("any"))
	p("post-body-split-then-canary", "RFC9112 9.3", MUST, "9112-6-framing-any-method", "a POST refused with 405, its body and the canary split at every byte: whether the refusal comes before or after the body, the body is never read as a request and the next request is framed right after it", refused,
		req("POST /a.txt HTTP/1.1", []string{"Host: localhost", "Content-Length: 35"}, get("/smuggled")[:24]+"Host: x\r\n\r\n"), split, fwd)
	p("expect-100-post-unsent-body", "RFC9110 10.1.1", MAY, ex, "Expect: 100-continue on a POST to a static file, body withheld: the final 405 comes at once (a 100 then waiting for the body conforms too, hence MAY)", refused+" | 417 | 417+close",
		req("POST /a.txt HTTP/1.1", []string{"Host: localhost", "Expect: 100-continue", "Content-Length: 100000"}, ""), noCanary, chain("any"))
	p("expect-100-missing-unsent-body", "RFC9110 10.1.1", MAY, ex, "Expect: 100-continue on a PUT to a missing file, body withheld: the final status comes at once (a 100 then waiting for the body conforms too, hence MAY)", "4xx | 4xx+close | 5xx | 5xx+close",
		req("PUT /missing.txt HTTP/1.1", []string{"Host: localhost", "Expect: 100-continue", "Content-Length: 5000"}, ""), noCanary, chain("any"))
	up := "9110-7.8-upgrade"
	p("upgrade-websocket", "RFC9110 7.8", MUST, up, "a static file server does not switch to websocket: 200, not 101", ok,
		getH("/a.txt", "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version: 13"))
	p("upgrade-without-connection", "RFC9110 7.8", MUST, up, "Upgrade not named in Connection is ignored", ok, getH("/a.txt", "Upgrade: websocket"))
	p("upgrade-http10", "RFC9110 7.8", MUST, up, "Upgrade in an HTTP/1.0 request is ignored", "2xx+close",
		"GET /a.txt HTTP/1.0\r\n"+host+"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n")
	p("upgrade-unknown", "RFC9110 7.8", MUST, up, "an upgrade to an unknown protocol is ignored", ok, getH("/a.txt", "Connection: Upgrade", "Upgrade: foo/1"))
}

// version: RFC 9110 2.5 and RFC 9112 2.3.
func version(g *gen) {
	const grp = "version"
	v := func(id, section string, level corpus.Level, reqID, checks, expect, raw string, opts ...opt) {
		g.add(grp, id, section, level, reqID, checks, expect, raw, opts...)
	}
	vr := "9110-2.5-version"
	v("http12", "RFC9110 2.5", SHOULD, vr, "HTTP/1.2 is answered as HTTP/1.1", ok, "GET /a.txt HTTP/1.2\r\n"+host+"\r\n", split)
	v("http19", "RFC9110 2.5", SHOULD, vr, "HTTP/1.9 is answered as HTTP/1.1", ok, "GET /a.txt HTTP/1.9\r\n"+host+"\r\n")
	v("http20-text", "RFC9110 2.5", SHOULD, vr, "an HTTP/2.0 request-line in HTTP/1 syntax gets 505 (or 400)", both("505", "400"), "GET /a.txt HTTP/2.0\r\n"+host+"\r\n")
	v("http30-text", "RFC9110 2.5", SHOULD, vr, "HTTP/3.0 gets 505 (or 400)", both("505", "400"), "GET /a.txt HTTP/3.0\r\n"+host+"\r\n")
	v("http09-version", "RFC9110 2.5", SHOULD, vr, "an explicit HTTP/0.9 version gets 505 (or 400)", both("505", "400"), "GET /a.txt HTTP/0.9\r\n"+host+"\r\n")
	v("http2-preface", "RFC9110 2.5", SHOULD, vr, "the HTTP/2 connection preface is refused by an HTTP/1.1-only server", both("505", "400")+" | none",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", noCanary)
	v("http10-served", "RFC9110 2.5", MUST, vr, "HTTP/1.0 requests are served and the connection closed", "2xx+close", "GET /a.txt HTTP/1.0\r\n\r\n", check("date"))
	nt := "9112-6.1-no-te-to-10"
	v("http10-big-not-chunked", "RFC9112 6.1", MUST, nt, "a large file for HTTP/1.0 is not sent chunked", "2xx+close", "GET /big.bin HTTP/1.0\r\n"+host+"\r\n", check("no-chunked-to-10"))
	v("http10-listing-not-chunked", "RFC9112 6.1", MUST, nt, "a generated listing for HTTP/1.0 is not sent chunked", "2xx+close | 403+close | 404+close",
		"GET /list/ HTTP/1.0\r\n"+host+"\r\n", check("no-chunked-to-10", "no-raw-markup"))
	v("http10-keep-alive-not-chunked", "RFC9112 6.1", MUST, nt, "HTTP/1.0 keep-alive responses are length-delimited, never chunked", "2xx | 2xx+close",
		"GET /big.bin HTTP/1.0\r\n"+host+"Connection: keep-alive\r\n\r\n", check("no-chunked-to-10"))
	v("http10-404-not-chunked", "RFC9112 6.1", MUST, nt, "an error page for HTTP/1.0 is not sent chunked", "404+close", "GET /missing.txt HTTP/1.0\r\n"+host+"\r\n", check("no-chunked-to-10"), fwd)
	ld := "9112-6.3-length-delimited"
	v("length-delimited-big", "RFC9112 6.3", SHOULD, ld, "a 64 KiB file is sent with Content-Length or chunked", ok, get("/big.bin"), check("content-length"))
	v("length-delimited-listing", "RFC9112 6.3", SHOULD, ld, "a listing is length-delimited and its names escaped", "2xx | 403 | 404", get("/list/"), check("content-length", "no-raw-markup"))
	v("length-delimited-404", "RFC9112 6.3", SHOULD, ld, "a 404 page is length-delimited", "404", get("/missing.txt"), check("content-length", "date"), fwd)
	v("length-delimited-400", "RFC9112 6.3", SHOULD, ld, "a 400 page is length-delimited", rej, getH("/a.txt", "X-Foo : bar"), check("content-length", "date"))
}

// limits: RFC 9112 3, RFC 9110 5.4, RFC 9112 7.1.1, 8.
func limits(g *gen) {
	const grp = "limits"
	l := func(id, section string, level corpus.Level, reqID, checks, expect, raw string, opts ...opt) {
		g.add(grp, id, section, level, reqID, checks, expect, raw, opts...)
	}
	l("long-method-10k", "RFC9112 3", SHOULD, "9112-3-long-method", "a 10 KB method is refused (501, 414, 431 or 400)", both("501", "414", "431", "400"),
		strings.Repeat("G", 10240)+" / HTTP/1.1\r\n"+host+"\r\n", noCanary)
	l("long-method-1k", "RFC9112 3", SHOULD, "9112-3-long-method", "a 1 KB unknown method gets 501 (or 405/400)", both("501", "405", "400"),
		strings.Repeat("M", 1024)+" /a.txt HTTP/1.1\r\n"+host+"\r\n")
	l("long-target-1m", "RFC9112 3", MUST, "9112-3-long-target", "a 1 MB target is refused with 414 (or 431/400) and the connection closed", "414+close | 431+close | 400+close",
		"GET /"+strings.Repeat("a", 1<<20)+" HTTP/1.1\r\n"+host+"\r\n", noCanary)
	l("long-target-64k", "RFC9112 3", MUST, "9112-3-long-target", "a 64 KB target is refused with 414 (or 431/400), or looked up (404)", both("414", "431", "400", "404"),
		"GET /"+strings.Repeat("a", 64<<10)+" HTTP/1.1\r\n"+host+"\r\n", noCanary)
	l("long-target-8000", "RFC9112 3", SHOULD, "9112-3-min-length", "a target of 8000 octets is read and looked up", "404 | 2xx",
		"GET /"+strings.Repeat("b", 7999)+" HTTP/1.1\r\n"+host+"\r\n")
	l("long-query-7900", "RFC9112 3", SHOULD, "9112-3-min-length", "a long query on an existing file is served", ok,
		"GET /a.txt?"+strings.Repeat("q", 7900)+" HTTP/1.1\r\n"+host+"\r\n")
	fl := "9110-5.4-field-limits"
	l("field-value-100k", "RFC9110 5.4", MUST, fl, "a 100 KB field value is served or refused with 431/400, never a 5xx or a hang", "2xx | "+both("431", "400"),
		getH("/a.txt", "X-Big: "+strings.Repeat("v", 100<<10)), noCanary)
	l("field-value-1m", "RFC9110 5.4", MUST, fl, "a 1 MB field value is served or refused with 431/400, never a 5xx or a hang", "2xx | "+both("431", "400"),
		getH("/a.txt", "X-Big: "+strings.Repeat("v", 1<<20)), noCanary)
	l("field-name-10k", "RFC9110 5.4", MUST, fl, "a 10 KB field name is served or refused with 431/400", "2xx | "+both("431", "400"),
		getH("/a.txt", "X-"+strings.Repeat("n", 10240)+": v"), noCanary)
	l("fields-10000", "RFC9110 5.4", MUST, fl, "10000 field lines are served or refused with 431/400", "2xx | "+both("431", "400"),
		getH("/a.txt", manyFields(10000)...), noCanary)
	l("field-value-4k", "RFC9110 5.4", MUST, fl, "a 4 KB field value is within any sane limit and served", ok, getH("/a.txt", "X-Mid: "+strings.Repeat("v", 4096)))
	l("cookie-8k", "RFC9110 5.4", SHOULD, fl, "an 8 KB Cookie is served", ok, getH("/a.txt", "Cookie: a="+strings.Repeat("c", 8190)))
	l("body-64k-cl", "RFC9112 6.3", MUST, "9112-6.3-no-length", "a 64 KB body on a GET is read (or refused with 413) and the connection stays in sync", "2xx | 413+close",
		req("GET /a.txt HTTP/1.1", []string{"Host: localhost", "Content-Length: 65536"}, strings.Repeat("x", 65536)))
	l("body-cl-1g-head-only", "RFC9110 15.5.14", policy, "9112-9.3-persistence", "a GET announcing a 1 GB body with only the head sent is refused with 413 at once, not after waiting for the body (issue 18)", "413+close | 413",
		req("GET /a.txt HTTP/1.1", []string{"Host: localhost", "Content-Length: 1000000000"}, ""), noCanary, chain("any"))
	inc := "9112-8-incomplete"
	l("eof-in-request-line", "RFC9112 8", MAY, inc, "EOF inside the request-line is never served", incomplete, "GET /a.t", noCanary, half)
	l("eof-in-head", "RFC9112 8", MAY, inc, "EOF before the end of the header section is never served", incomplete, "GET /a.txt HTTP/1.1\r\n"+host, noCanary, half)
	l("eof-after-cr", "RFC9112 8", MAY, inc, "EOF after a lone CR at the end of the head is never served", incomplete, "GET /a.txt HTTP/1.1\r\n"+host+"\r", noCanary, half)
}
