package main

import (
	"fmt"

	"github.com/ferrox/ferrox/corpus"
)

// chainCases: the desync classes that live between a front end and an
// origin (0.CL, CL.0, TE.0, Expect, hidden fields) and the stimuli for an
// intermediary's rewrites (RFC 9110 7.6, RFC 9112 5.2, 6.3). Every case is
// also a correct single-server case: each hidden request (GET /smuggled, a
// 404) sits where a strict reading sees body or rejects, and the expect
// line says what one server must do with the bytes.
func chainCases(g *gen) {
	const grp = "chain"
	c := func(id, section string, level corpus.Level, reqID, checks, expect, raw string, opts ...opt) {
		g.add(grp, id, section, level, reqID, checks, expect, raw, opts...)
	}
	const (
		anyMethod = "9112-6-framing-any-method"
		persist   = "9112-9.3-persistence"
		smuggle   = "9112-11.2-smuggling"
		expectRq  = "9110-10.1.1-expect-content"
	)
	// A static server refuses POST and unknown methods; it reads the body
	// first or closes after answering.
	postAns := both("405", "501")
	optAns := "2xx | " + both("405", "501")
	n := itos(len(smuggled))
	withBody := func(line string, fields []string, body string) string {
		return req(line, append([]string{"Host: localhost"}, fields...), body)
	}
	// clBody: a Content-Length body that is a whole request.
	clBody := func(line string, fields ...string) string {
		return withBody(line, append(fields, "Content-Length: "+n), smuggled)
	}
	// chunkS: a chunked body whose one chunk is a whole request.
	chunkS := fmt.Sprintf("%x\r\n", len(smuggled)) + smuggled + "\r\n0\r\n\r\n"
	next := get("/a.txt") // an explicit pipelined request after the stimulus

	// CL.0: a body on a request the origin may answer without reading it
	// (GET, HEAD, OPTIONS, an error or a redirect). An origin that skips
	// the body reads the hidden request as the next one.
	const s6 = "RFC9112 6"
	const s93 = "RFC9112 9.3"
	c("cl0-get-body-hides-request", s6, safety, anyMethod, "a GET whose Content-Length body is a request: the body is read, the request inside never answered",
		ok, clBody("GET /a.txt HTTP/1.1"), either, split)
	c("cl0-head-body-hides-request", s6, safety, anyMethod, "a HEAD whose Content-Length body is a request: the body is read, the request inside never answered",
		ok, clBody("HEAD /a.txt HTTP/1.1"), either, check("head-no-body"))
	c("cl0-options-body-hides-request", s6, safety, anyMethod, "an OPTIONS whose Content-Length body is a request: the body is read or the connection closed",
		optAns, clBody("OPTIONS /a.txt HTTP/1.1"), either)
	c("cl0-redirect-body-hides-request", s93, safety, persist, "a body on a request answered with a redirect is read, or the connection closed after the redirect",
		both("301", "302", "307", "308"), clBody("GET /dir HTTP/1.1"), either, split)
	c("cl0-404-body-hides-request", s93, safety, persist, "a body on a request for a missing file is read, or the connection closed after the 404",
		both("404"), clBody("GET /missing.txt HTTP/1.1"), either, split)
	c("cl0-405-body-hides-request", s93, safety, persist, "a POST body refused with 405 or 501 is read, or the connection closed after the answer",
		postAns, clBody("POST /a.txt HTTP/1.1"), fwd)
	c("cl0-501-body-hides-request", s93, safety, persist, "an unknown method's body is read, or the connection closed after the 501",
		both("501", "405"), clBody("FOO /a.txt HTTP/1.1"), either)
	c("cl0-get-body-pipelined", s6, safety, anyMethod, "a GET body holding a request, then a pipelined GET: two answers, the hidden request never",
		ok, clBody("GET /a.txt HTTP/1.1")+next, either)

	// 0.CL: a valid but unusual Content-Length a front end may not
	// recognise (and forward the body as a request) while the origin
	// honours it, or the reverse.
	const s63 = "RFC9112 6.3"
	const s112 = "RFC9112 11.2"
	cl0 := func(id, what, value string, opts ...opt) {
		c("0cl-"+id, s112, safety, smuggle, what+" frames a POST body holding a request: read as body, never answered",
			postAns, withBody("POST /a.txt HTTP/1.1", []string{value}, smuggled), append([]opt{fwd}, opts...)...)
	}
	cl0("no-space", "Content-Length without a space after the colon", "Content-Length:"+n)
	cl0("tab-before-value", "Content-Length with an HTAB before the value", "Content-Length:\t"+n)
	cl0("lowercase-name", "a lowercase content-length", "content-length: "+n)
	cl0("leading-zeros", "Content-Length with leading zeros", "Content-Length: 00"+n)
	cl0("trailing-ows", "Content-Length with SP and HTAB after the digits", "Content-Length: "+n+" \t")
	dup := func(id, what string, lines ...string) {
		c("0cl-"+id, s112, safety, smuggle, what+" around a POST body holding a request: accepted as one length or rejected, the request never answered",
			postAns+" | 400+close", withBody("POST /a.txt HTTP/1.1", lines, smuggled), either)
	}
	dup("duplicate-identical", "two identical Content-Length lines", "Content-Length: "+n, "Content-Length: "+n)
	dup("duplicate-case-differ", "Content-Length and content-length with one value", "Content-Length: "+n, "content-length: "+n)
	dup("list-identical", "a list of one value twice in Content-Length", "Content-Length: "+n+", "+n)
	dup("duplicate-leading-zero", "Content-Length beside the same length with a leading zero (read as octal by some)", "Content-Length: "+n, "Content-Length: 0"+n)
	c("0cl-no-space-pipelined", s112, safety, smuggle, "Content-Length without a space, a body holding a request, then a pipelined GET: the hidden request is never answered",
		postAns, withBody("POST /a.txt HTTP/1.1", []string{"Content-Length:" + n}, smuggled)+next, fwd)

	// TE.0: a chunked body one side ignores, because of the method or an
	// unusual spelling of Transfer-Encoding.
	const s61 = "RFC9112 6.1"
	c("te0-get-chunked-hides-request", s6, safety, anyMethod, "a chunked GET body whose chunk is a request: decoded as body, the request inside never answered",
		ok, withBody("GET /a.txt HTTP/1.1", []string{"Transfer-Encoding: chunked"}, chunkS), either, split)
	c("te0-head-chunked-hides-request", s6, safety, anyMethod, "a chunked HEAD body whose chunk is a request: decoded as body, never answered",
		ok, withBody("HEAD /a.txt HTTP/1.1", []string{"Transfer-Encoding: chunked"}, chunkS), either, check("head-no-body"))
	c("te0-options-chunked-hides-request", s6, safety, anyMethod, "a chunked OPTIONS body whose chunk is a request: decoded as body or the connection closed",
		optAns, withBody("OPTIONS /a.txt HTTP/1.1", []string{"Transfer-Encoding: chunked"}, chunkS), either)
	c("te0-get-chunked-pipelined", s6, safety, anyMethod, "a chunked GET body holding a request, then a pipelined GET: two answers, the hidden request never",
		ok, withBody("GET /a.txt HTTP/1.1", []string{"Transfer-Encoding: chunked"}, chunkS)+next, either)
	te0 := func(id, what, line string) {
		c("te0-"+id, s112, safety, smuggle, what+" frames a chunked POST body holding a request: decoded, never answered",
			postAns, withBody("POST /a.txt HTTP/1.1", []string{line}, chunkS), fwd)
	}
	te0("uppercase-value", "Transfer-Encoding: CHUNKED", "Transfer-Encoding: CHUNKED")
	te0("lowercase-name", "a lowercase transfer-encoding", "transfer-encoding: chunked")
	te0("no-space", "Transfer-Encoding without a space after the colon", "Transfer-Encoding:chunked")
	c("te0-identity-hides-request", s112, safety, smuggle, "Transfer-Encoding: identity before a chunked body holding a request: refused and closed, never read as no body",
		te501, withBody("GET /a.txt HTTP/1.1", []string{"Transfer-Encoding: identity"}, chunkS))
	c("te0-quoted-hides-request", s112, safety, smuggle, "a quoted \"chunked\" before a chunked body holding a request: refused and closed, never read as no body",
		te501, withBody("GET /a.txt HTTP/1.1", []string{"Transfer-Encoding: \"chunked\""}, chunkS))
	c("te0-uppercase-value-pipelined", s112, safety, smuggle, "CHUNKED on a POST whose chunk is a request, then a pipelined GET: the hidden request is never answered",
		postAns, withBody("POST /a.txt HTTP/1.1", []string{"Transfer-Encoding: CHUNKED"}, chunkS)+next, fwd)

	// Expect: 100-continue in odd spellings, and the body sent at once
	// anyway. A side that answers early and keeps the connection without
	// reading the body reads the hidden request next.
	const s1011 = "RFC9110 10.1.1"
	exGet := func(id, what, expect string, lines ...string) {
		c("expect-get-"+id, s1011, safety, expectRq, what+" on a GET with a body holding a request sent at once: the body is read or the connection closed",
			expect, clBody("GET /a.txt HTTP/1.1", lines...), either)
	}
	served := "2xx | 2xx+close"
	refused := "417 | 417+close | " + served // an unknown expectation: 417 or ignored (RFC 9110 10.1.1)
	exGet("100-continue", "Expect: 100-continue", served, "Expect: 100-continue")
	exGet("mixed-case", "Expect: 100-Continue (the value is case-insensitive)", served, "Expect: 100-Continue")
	exGet("trailing-space", "Expect: 100-continue with trailing whitespace", served, "Expect: 100-continue ")
	exGet("suffix", "Expect: 100-continueX (an unknown expectation)", refused, "Expect: 100-continueX")
	exGet("duplicate-lines", "two Expect: 100-continue lines", served, "Expect: 100-continue", "Expect: 100-continue")
	exGet("duplicate-unknown", "Expect: 100-continue then an unknown expectation on a second line", refused, "Expect: 100-continue", "Expect: x-unknown")
	exGet("obs-fold", "an Expect value on an obs-fold line", "400+close | 400 | "+served, "Expect:", " 100-continue")
	c("expect-get-mixed-case-pipelined", s1011, safety, expectRq, "Expect: 100-Continue on a GET with a body holding a request, then a pipelined GET: the hidden request is never answered",
		served, clBody("GET /a.txt HTTP/1.1", "Expect: 100-Continue")+next, either)
	exPost := func(id, what, expect string, lines []string, opts ...opt) {
		c("expect-post-"+id, s1011, safety, expectRq, what+" on a POST with a body holding a request: refused after reading the body, or closed",
			expect, clBody("POST /a.txt HTTP/1.1", lines...), append([]opt{either}, opts...)...)
	}
	exPost("mixed-case", "Expect: 100-Continue", postAns, []string{"Expect: 100-Continue"})
	exPost("suffix", "Expect: 100-continueX", both("405", "501", "417"), []string{"Expect: 100-continueX"})
	exPost("100-continue-split", "Expect: 100-continue, the bytes split anywhere,", postAns, []string{"Expect: 100-continue"}, split)

	// Hidden fields: a framing or Host field one parser sees and another
	// does not. CL.TE (a Content-Length covering the whole chunked body and
	// the request after it) and TE.CL (a Content-Length covering only the
	// chunk-size line) hide the request from every reading the RFC allows.
	clteRaw := func(gadget string) string {
		body := "0\r\n\r\n" + smuggled
		return "GET /a.txt HTTP/1.1\r\n" + host + "Content-Length: " + itos(len(body)) + "\r\n" + gadget + "\r\n\r\n" + body
	}
	sizeLine := fmt.Sprintf("%x\r\n", len(smuggled))
	const s22 = "RFC9112 2.2"
	ignoredOrRej := "400+close | 400 | 2xx | 2xx+close" // the line is rejected, or ignored (CL frames), or read and TE wins with a close
	c("hidden-ws-first-line-te", s22, safety, "9112-2.2-ws-first-line", "a whitespace-led Transfer-Encoding line right after the request-line, CL.TE: rejected or ignored, the hidden request never answered",
		ignoredOrRej, "GET /a.txt HTTP/1.1\r\n Transfer-Encoding: chunked\r\n"+host+"Content-Length: "+itos(5+len(smuggled))+"\r\n\r\n0\r\n\r\n"+smuggled)
	c("hidden-ws-first-line-cl", s22, safety, "9112-2.2-ws-first-line", "a whitespace-led Content-Length line right after the request-line, TE.CL: rejected or ignored, the hidden request never answered",
		ignoredOrRej, "GET /a.txt HTTP/1.1\r\n Content-Length: "+itos(len(sizeLine))+"\r\n"+host+"Transfer-Encoding: chunked\r\n\r\n"+chunkS)
	c("hidden-cr-in-name-te", s22, safety, "9112-2.2-bare-cr", "a bare CR inside the name Transfer-Encoding, CL.TE: never read as chunked with the connection kept",
		safeClose+" | 2xx", clteRaw("Transfer\r-Encoding: chunked"))
	c("hidden-cr-before-colon-cl", s22, safety, "9112-2.2-bare-cr", "a bare CR between Content-Length and its colon around a body holding a request: rejected and closed",
		rejC, withBody("GET /a.txt HTTP/1.1", []string{"Content-Length\r: " + n}, smuggled))
	const s32 = "RFC9112 3.2"
	c("hidden-host-duplicate-case", s32, MUST, "9112-3.2-host", "Host and host with different values: two Host lines, rejected with 400",
		rej, getH("/a.txt", "host: evil.example"))
	c("hidden-host-duplicate-same-value", s32, MUST, "9112-3.2-host", "Host and HOST with one value are still two Host lines: rejected with 400",
		rej, getH("/a.txt", "HOST: localhost"))
	c("hidden-host-tab-before-colon", "RFC9112 5.1", MUST, "9112-5.1-ws-before-colon", "a second Host with an HTAB before the colon: rejected with 400, never read as Host",
		rej, getH("/a.txt", "Host\t: evil.example"))
	c("hidden-te-duplicate-case-identity", s112, safety, smuggle, "Transfer-Encoding: chunked and transfer-encoding: identity, TE.CL: chunked is not final, refused and closed",
		safeClose, "GET /a.txt HTTP/1.1\r\n"+host+"Transfer-Encoding: chunked\r\ntransfer-encoding: identity\r\nContent-Length: "+itos(len(sizeLine))+"\r\n\r\n"+chunkS)
	c("hidden-te-space-before-colon-pipelined", s112, safety, smuggle, "CL.TE with a space before the colon of Transfer-Encoding, then a pipelined GET: the hidden request is never answered",
		safeClose+" | 2xx", clteRaw("Transfer-Encoding : chunked")+next)

	// Rewrite stimuli: a front end that forwards these must change them
	// (RFC 9110 7.6, RFC 9112 5.2, 6.3); one server just serves them.
	c("rewrite-connection-option", "RFC9110 7.6.1", MUST, "9110-7.6.1-connection", "a field named in Connection is hop-by-hop: the request is served",
		ok, getH("/a.txt", "Connection: x-hop", "X-Hop: 1"))
	c("rewrite-connection-keep-alive-option", "RFC9110 7.6.1", MUST, "9110-7.6.1-connection", "Connection: keep-alive, x-hop with X-Hop: the request is served, the connection kept",
		ok, getH("/a.txt", "Connection: keep-alive, x-hop", "X-Hop: 1"))
	c("rewrite-connection-te", "RFC9110 7.6.1", MUST, "9110-7.6.1-connection", "TE: trailers named in Connection: the request is served",
		ok, getH("/a.txt", "TE: trailers", "Connection: TE"))
	c("rewrite-max-forwards-zero-options", "RFC9110 7.6.2", MUST, "9110-7.6.2-max-forwards", "OPTIONS with Max-Forwards: 0 is answered by the first recipient, never forwarded",
		optAns, req("OPTIONS /a.txt HTTP/1.1", []string{"Host: localhost", "Max-Forwards: 0"}, ""), selfAnswer)
	c("rewrite-max-forwards-zero-trace", "RFC9110 7.6.2", safety, "9110-7.6.2-max-forwards", "TRACE with Max-Forwards: 0 is answered by the first recipient, and a static server does not echo it",
		both("405", "501", "404")+" | 2xx", req("TRACE /a.txt HTTP/1.1", []string{"Host: localhost", "Max-Forwards: 0", "Cookie: secret=1"}, ""), selfAnswer, check("no-trace-echo"))
	c("rewrite-max-forwards-one-options", "RFC9110 7.6.2", MUST, "9110-7.6.2-max-forwards", "OPTIONS with Max-Forwards: 1 is answered; a proxy forwards it with Max-Forwards: 0",
		optAns, req("OPTIONS /a.txt HTTP/1.1", []string{"Host: localhost", "Max-Forwards: 1"}, ""), fwd)
	c("rewrite-via-present", "RFC9110 7.6.3", MUST, "9110-7.6.3-via", "a request that already carries Via is served; a proxy appends its own entry",
		ok, getH("/a.txt", "Via: 1.1 front.example"))
	c("rewrite-upgrade-websocket", "RFC9110 7.8", MUST, "9110-7.8-upgrade", "Upgrade: websocket on a plain GET is not switched: 200, the connection stays HTTP",
		ok, getH("/a.txt", "Connection: upgrade", "Upgrade: websocket"))
	c("rewrite-upgrade-websocket-pipelined", "RFC9110 7.8", MUST, "9110-7.8-upgrade", "Upgrade: websocket without a switch, then a pipelined GET: both answered as HTTP",
		ok, getH("/a.txt", "Connection: upgrade", "Upgrade: websocket")+next)
	c("rewrite-absolute-form", "RFC9112 3.2.2", MUST, "9112-3.2.2-absolute-form", "an absolute-form target is served; a proxy forwards it in origin-form",
		ok, "GET http://localhost/a.txt HTTP/1.1\r\n"+host+"\r\n")
	teBody := "5\r\nhello\r\n0\r\n\r\n"
	c("rewrite-cl-te", s63, MUST, "9112-6.3-proxy-cl-te", "Content-Length and chunked: rejected, or decoded as chunked and closed; a proxy that forwards drops Content-Length",
		clte, withBody("GET /a.txt HTTP/1.1", []string{"Content-Length: " + itos(len(teBody)), "Transfer-Encoding: chunked"}, teBody))
	c("rewrite-cl-te-pipelined", s63, MUST, "9112-6.3-proxy-cl-te", "Content-Length and chunked, then a pipelined GET: the GET is not answered after the close",
		clte, withBody("GET /a.txt HTTP/1.1", []string{"Content-Length: " + itos(len(teBody)), "Transfer-Encoding: chunked"}, teBody)+next)
	c("rewrite-obs-fold", "RFC9112 5.2", MUST, "9112-5.2-obs-fold-proxy", "an obs-fold line is rejected or replaced by SP; a proxy never forwards the fold",
		okOrRej, getH("/a.txt", "X-Foo: a", " b"))
	c("rewrite-chunked-post", s61, MUST, "9112-6.1-chunked", "a chunked POST with an extension is decoded before it is refused; a proxy may forward it re-framed",
		postAns, withBody("POST /a.txt HTTP/1.1", []string{"Transfer-Encoding: chunked"}, "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), fwd)
}
