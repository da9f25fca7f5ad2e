package main

import (
	"fmt"

	"github.com/ferrox/ferrox/corpus"
)

// message: the fixture-free cases (FORMAT.md, "Fixture-free cases"). Each
// asks for / only, on any server: a static site, an application server, a
// proxy. A well-formed message must be accepted ("accept": any answer
// that is not a rejection of the message, 2xx, 3xx or a resource 4xx such
// as 404 or 405) and keep the connection in sync, which the canary GET /
// proves; a malformed or ambiguous one must be rejected as the fixture
// cases demand. The hidden request is GET /smuggled, as elsewhere.
func message(g *gen) {
	const grp = "message"
	m := func(id, section string, level corpus.Level, reqID, checks, expect, raw string, opts ...opt) {
		g.add(grp, id, section, level, reqID, checks, expect, raw, append([]opt{fixtureFree}, opts...)...)
	}
	const (
		acc     = corpus.Accept
		accC    = corpus.Accept + "+close"
		accOrC  = acc + " | " + accC
		safeAcc = "400+close | 501+close | " + accC // a smuggling gadget: reject, or answer once and close
		clteAcc = "400+close | " + accC
	)
	post := func(fields []string, body string) string {
		return req("POST / HTTP/1.1", append([]string{"Host: localhost"}, fields...), body)
	}
	root := get("/")

	// Accepted messages: each must be answered and leave the connection in sync.
	m("get-root", "RFC9112 3", MUST, "9112-3-request-line", "a plain GET / is answered and the connection stays in sync", acc, root, split)
	m("head-root", "RFC9110 9.3.2", MUST, "9110-9.3.2-head", "HEAD / is answered without content, so the next response frames right", acc,
		"HEAD / HTTP/1.1\r\n"+host+"\r\n", check("head-no-body"))
	m("pipelined-three", "RFC9112 9.3.2", MUST, "9112-9.3.2-pipelining", "three pipelined GET / in one write are answered in order", acc, root+root+root)
	m("leading-crlf", "RFC9112 2.2", SHOULD, "9112-2.2-leading-crlf", "an empty line before the request-line is skipped", acc, "\r\n"+root)
	m("absolute-form", "RFC9112 3.2.2", MUST, "9112-3.2.2-absolute-form", "a server accepts the absolute form of the target", acc,
		"GET http://localhost/ HTTP/1.1\r\n"+host+"\r\n")
	m("ows-around-value", "RFC9112 5.1", MUST, "9112-5.1-ows-value", "spaces and tabs around a field value are not part of it", acc,
		"GET / HTTP/1.1\r\nHost: localhost\r\nAccept: \t */* \t\r\nX-Padding:   x  \r\n\r\n")
	m("post-cl-body", "RFC9112 6.3", MUST, "9112-6-framing-any-method", "a POST / with a Content-Length body: the body is read, then the canary", acc,
		post([]string{"Content-Length: 5"}, "hello"), split)
	m("post-cl-zero", "RFC9112 6.3", MUST, "9112-6-framing-any-method", "a POST / with Content-Length: 0 has no body", acc, post([]string{"Content-Length: 0"}, ""))
	m("get-cl-body", "RFC9112 6", MUST, "9112-6-framing-any-method", "a GET / with a Content-Length body: the body is read, not parsed as a request", accOrC+" | 400+close",
		req("GET / HTTP/1.1", []string{"Host: localhost", "Content-Length: 5"}, "hello"), orReject)
	m("post-chunked", "RFC9112 7.1", MUST, "9112-6.1-chunked", "a chunked POST / body is decoded to its end", acc,
		post([]string{"Transfer-Encoding: chunked"}, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"), split)
	m("chunked-mixed-case", "RFC9112 7", MUST, "9112-6.1-chunked", "transfer-coding names are case-insensitive: Chunked", acc,
		post([]string{"Transfer-Encoding: Chunked"}, "5\r\nhello\r\n0\r\n\r\n"))
	m("chunk-extension", "RFC9112 7.1.1", MUST, "9112-7.1.1-extensions", "an unknown chunk extension is ignored", acc,
		post([]string{"Transfer-Encoding: chunked"}, "5;name=value\r\nhello\r\n0;last\r\n\r\n"))
	m("chunk-trailer", "RFC9112 7.1.2", MUST, "9112-7.1.2-trailers", "a trailer section after the last chunk ends the body", acc,
		post([]string{"Transfer-Encoding: chunked"}, "5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n"))
	m("connection-close", "RFC9112 9.6", MUST, "9112-9.6-close", "after Connection: close the server answers once and closes: the canary is never answered", accC,
		getH("/", "Connection: close"))
	m("http10-close", "RFC9112 9.3", MUST, "9112-9.3-persistence", "an HTTP/1.0 request without keep-alive: answer, then close", accC,
		"GET / HTTP/1.0\r\n"+host+"\r\n")
	m("expect-100", "RFC9110 10.1.1", MUST, "9110-10.1.1-expect", "Expect: 100-continue with the body already sent: a final answer (an interim 100 may come first)", accOrC,
		post([]string{"Expect: 100-continue", "Content-Length: 5"}, "hello"), orReject)
	m("paced", "RFC9112 9.3", SHOULD, "9112-9.3-persistence", "a request sent one byte at a time is answered", acc, root, paced(20))

	// Rejected messages: framing in doubt or a broken head.
	m("missing-host", "RFC9112 3.2", MUST, "9112-3.2-host", "an HTTP/1.1 request without Host is rejected with 400", rej, "GET / HTTP/1.1\r\n\r\n", noCanary)
	m("host-duplicate", "RFC9112 3.2", MUST, "9112-3.2-host", "two different Host lines are rejected with 400", rej,
		"GET / HTTP/1.1\r\nHost: localhost\r\nHost: example.com\r\n\r\n")
	m("space-before-colon", "RFC9112 5.1", MUST, "9112-5.1-ws-before-colon", "whitespace between a field name and the colon is rejected with 400", rej,
		"GET / HTTP/1.1\r\nHost : localhost\r\n\r\n")
	m("cl-conflict", "RFC9112 6.3", MUST, "9112-6.3-invalid-cl", "two different Content-Length values: 400 and close", rejC,
		post([]string{"Content-Length: 5", "Content-Length: 6"}, "hello!"))
	m("cl-plus", "RFC9112 6.3", MUST, "9112-6.3-invalid-cl", "a Content-Length with a plus sign: 400 and close", rejC, post([]string{"Content-Length: +5"}, "hello"))
	m("te-unknown", "RFC9112 6.1", MUST, "9112-6.1-unknown-coding", "a transfer coding the server does not know: 501 (or 400) and close", te501,
		post([]string{"Transfer-Encoding: x-unknown"}, "5\r\nhello\r\n0\r\n\r\n"))
	m("te-not-chunked-last", "RFC9112 6.3", MUST, "9112-6.3-te-not-chunked", "a request whose codings do not end in chunked: 400 (or 501) and close", te501,
		post([]string{"Transfer-Encoding: chunked, gzip"}, "5\r\nhello\r\n0\r\n\r\n"))
	// A bad chunk size is only seen when the body is read; a server may
	// answer POST / (405, 404) before reading it, and must then close,
	// so that "accept+close" is as safe as the 400.
	m("chunk-size-0x", "RFC9112 7.1", MUST, "9112-7.1-chunk-size", "a chunk size with a 0x prefix: 400 and close, or an answer before the body is read and a close", rejC+" | "+accC,
		post([]string{"Transfer-Encoding: chunked"}, "0x5\r\nhello\r\n0\r\n\r\n"))
	m("chunk-size-overflow", "RFC9112 7.1", MUST, "9112-7.1-overflow", "a chunk size beyond 64 bits: 400 (or 413) and close, or an answer before the body is read and a close", "400+close | 413+close | "+accC,
		post([]string{"Transfer-Encoding: chunked"}, "1ffffffffffffffff\r\nhello\r\n0\r\n\r\n"))

	// Smuggling: a request hidden where a strict reader sees body bytes.
	sm := "9112-11.2-smuggling"
	clteBody := "0\r\n\r\n" + smuggled
	sizeLine := fmt.Sprintf("%x\r\n", len(smuggled))
	teclBody := sizeLine + smuggled + "\r\n0\r\n\r\n"
	m("smuggle-cl-te", "RFC9112 11.2", safety, sm, "CL.TE: Content-Length and chunked together, a request hidden after the last chunk: rejected, or one answer and close", clteAcc,
		post([]string{"Content-Length: " + itos(len(clteBody)), "Transfer-Encoding: chunked"}, clteBody))
	m("smuggle-te-cl", "RFC9112 11.2", safety, sm, "TE.CL: a short Content-Length with chunked, a request hidden in the chunk data: rejected, or one answer and close", clteAcc,
		post([]string{"Transfer-Encoding: chunked", "Content-Length: " + itos(len(sizeLine))}, teclBody))
	m("smuggle-te-space-before-colon", "RFC9112 11.2", safety, sm, "CL.TE with a space before the colon of Transfer-Encoding: no hidden request is answered", safeAcc+" | "+acc,
		post([]string{"Content-Length: " + itos(len(clteBody)), "Transfer-Encoding : chunked"}, clteBody))
	m("smuggle-te-xchunked", "RFC9112 11.2", safety, sm, "CL.TE with the coding xchunked: no hidden request is answered", safeAcc,
		post([]string{"Content-Length: " + itos(len(clteBody)), "Transfer-Encoding: xchunked"}, clteBody))
	m("smuggle-te-obs-fold", "RFC9112 11.2", safety, sm, "CL.TE with Transfer-Encoding on an obs-fold line: no hidden request is answered", safeAcc,
		post([]string{"Content-Length: " + itos(len(clteBody)), "Transfer-Encoding:", " chunked"}, clteBody))
	m("smuggle-cl-list-zero-first", "RFC9112 11.2", safety, sm, "Content-Length: 0, N around a body holding a request: rejected, never a second answer", rejC,
		post([]string{"Content-Length: 0, " + itos(len(smuggled))}, smuggled))
	m("smuggle-cl-empty", "RFC9112 11.2", safety, sm, "an empty Content-Length, read as 0 by a lax parser, before a body holding a request: rejected", rejC,
		post([]string{"Content-Length:"}, smuggled))
	m("smuggle-chunk-ext-lf", "RFC9112 11.2", safety, sm, "a bare LF in a chunk extension must not end the size line and expose a request", clteAcc,
		post([]string{"Transfer-Encoding: chunked"}, "0;a\n\r\n"+smuggled+"\r\n"))
	m("smuggle-http10-te", "RFC9112 11.2", safety, sm, "HTTP/1.0 with chunked and a hidden request: rejected or closed after one answer", clteAcc,
		"POST / HTTP/1.0\r\n"+host+"Content-Length: "+itos(len(clteBody))+"\r\nTransfer-Encoding: chunked\r\n\r\n"+clteBody)
}

// fixtureFree marks a case of the message group: it needs no fixture.
func fixtureFree(c *corpus.Case) { c.FixtureFree = true }
