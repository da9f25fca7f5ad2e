package main

import (
	"strings"

	"github.com/ferrox/ferrox/corpus"
)

const incomplete = "none | 400+close | 408+close"

// framingCL: RFC 9112 6.3 rules for Content-Length.
func framingCL(g *gen) {
	const grp = "framing-cl"
	// Each case is a GET with a body: a front end may refuse it (orReject).
	cl := func(id string, level corpus.Level, reqID, checks, expect, value, body string, opts ...opt) {
		g.add(grp, id, "RFC9112 6.3", level, reqID, checks, expect,
			req("GET /a.txt HTTP/1.1", []string{"Host: localhost", "Content-Length:" + value}, body), append(opts, orReject)...)
	}
	inv := "9112-6.3-invalid-cl"
	cl("valid", MUST, "9112-6.3-no-length", "a body framed by Content-Length is read exactly", ok, " 5", "hello", split)
	cl("zero", MUST, "9112-6.3-no-length", "Content-Length: 0 frames an empty body", ok, " 0", "", split)
	cl("leading-zeros", MUST, inv, "leading zeros are valid digits in Content-Length", ok, " 0005", "hello", split)
	cl("no-space", MUST, "9112-5.1-ows-value", "Content-Length without a space after the colon is valid", ok, "5", "hello")
	cl("ows-around", MUST, "9112-5.1-ows-value", "SP and HTAB around the Content-Length value are not part of it", ok, "  5 \t", "hello", split)
	cl("tab-before", MUST, "9112-5.1-ows-value", "HTAB before the Content-Length value is OWS", ok, "\t5", "hello")
	cl("identical-list", MUST, inv, "a list of identical values may be accepted as one, or rejected", "2xx | 400+close", " 5, 5", "hello", split)
	cl("identical-list-no-space", MUST, inv, "5,5 may be accepted as one value, or rejected", "2xx | 400+close", " 5,5", "hello")
	cl("plus", MUST, inv, "a plus sign makes Content-Length invalid", rejC, " +5", "hello", split)
	cl("minus", MUST, inv, "a negative Content-Length is invalid", rejC, " -1", "hello", split)
	cl("minus-zero", MUST, inv, "-0 is not 1*DIGIT", rejC, " -0", "hello")
	cl("hex", MUST, inv, "0x5 is not decimal digits", rejC, " 0x5", "hello", split)
	cl("space-inside", MUST, inv, "5 5 is two numbers, not one", rejC, " 5 5", "hello", split)
	cl("empty", MUST, inv, "an empty Content-Length is invalid, not zero", rejC, "", "hello", split)
	cl("differing-list", MUST, inv, "a list of different values is invalid", rejC, " 5, 6", "hello!", split)
	cl("differing-list-zero-first", MUST, inv, "0, 5 is a list of different values", rejC, " 0, 5", "hello")
	cl("decimal-point", MUST, inv, "5.0 is not an integer", rejC, " 5.0", "hello")
	cl("exponent", MUST, inv, "5e0 is not decimal digits", rejC, " 5e0", "hello")
	cl("underscore", MUST, inv, "digit separators are not allowed", rejC, " 0_5", "hello")
	cl("letters", MUST, inv, "a word is not a length", rejC, " five", "hello")
	cl("trailing-letter", MUST, inv, "a longest-digit-prefix parser would read 5a as 5; it is invalid", rejC, " 5a", "hello")
	cl("semicolon", MUST, inv, "5; is invalid", rejC, " 5;", "hello")
	cl("quoted", MUST, inv, "a quoted number is invalid", rejC, " \"5\"", "hello")
	cl("arabic-digit", MUST, inv, "a non-ASCII digit is not DIGIT", rejC, " \xd9\xa5", "hello")
	cl("fullwidth-digit", MUST, inv, "a full-width digit is not DIGIT", rejC, " \xef\xbc\x95", "hello")
	cl("huge-2-64", MUST, inv, "a length of 2^64 overflows 64 bits and is rejected", "400+close | 413+close", " 18446744073709551616", "hello")
	cl("huge-2-64-plus-5", MUST, inv, "2^64+5 must not wrap around to 5", "400+close | 413+close", " 18446744073709551621", "hello")
	cl("huge-many-digits", MUST, inv, "a 40-digit length is rejected", "400+close | 413+close", " "+strings.Repeat("9", 40), "hello")
	cl("nul-after", MUST, "9110-5.5-value-ctl", "NUL after the digits: reject, or replace by SP which leaves a valid 5", "400+close | 2xx", " 5\x00", "hello")
	cl("short-body-half-close", MUST, "9112-6.3-incomplete", "a body shorter than Content-Length followed by EOF is never served", incomplete, " 10", "hello", noCanary, half)
	cl("no-body-half-close", MUST, "9112-6.3-incomplete", "a missing body followed by EOF is never served", incomplete, " 5", "", noCanary, half)
	g.add(grp, "duplicate-lines-identical", "RFC9112 6.3", MUST, inv, "two identical Content-Length lines may be accepted as one, or rejected", "2xx | 400+close",
		req("GET /a.txt HTTP/1.1", []string{"Host: localhost", "Content-Length: 5", "Content-Length: 5"}, "hello"), split)
	g.add(grp, "duplicate-lines-differing", "RFC9112 6.3", MUST, inv, "two different Content-Length lines are rejected", rejC,
		req("GET /a.txt HTTP/1.1", []string{"Host: localhost", "Content-Length: 5", "Content-Length: 6"}, "hello!"), split)
	g.add(grp, "post-no-length-pipelined", "RFC9112 6.3", MUST, "9112-6.3-no-length", "a POST with neither Content-Length nor Transfer-Encoding has an empty body; the next bytes are a new request",
		"405 | 2xx | 501 | 411 | 411+close", "POST /a.txt HTTP/1.1\r\n"+host+"\r\n"+get("/a.txt"))
	g.add(grp, "get-no-length-pipelined", "RFC9112 6.3", MUST, "9112-6.3-no-length", "a GET without framing fields has no body; a pipelined GET follows",
		ok, get("/a.txt")+get("/canary.txt"), split)
}

// framingTE: RFC 9112 6.1 and 6.3 rules for Transfer-Encoding.
func framingTE(g *gen) {
	const grp = "framing-te"
	body := "5\r\nhello\r\n0\r\n\r\n"
	// Each case is a GET with a body: a front end may refuse it (orReject).
	te := func(id string, level corpus.Level, reqID, checks, expect string, fields []string, b string, opts ...opt) {
		sec := "RFC9112 6.1"
		if strings.HasPrefix(reqID, "9112-6.3") {
			sec = "RFC9112 6.3"
		}
		g.add(grp, id, sec, level, reqID, checks, expect,
			req("GET /a.txt HTTP/1.1", append([]string{"Host: localhost"}, fields...), b), append(opts, orReject)...)
	}
	te("chunked", MUST, "9112-6.1-chunked", "a chunked body is decoded and the connection stays usable", ok, []string{"Transfer-Encoding: chunked"}, body, split)
	te("chunked-uppercase", MUST, "9112-6.1-chunked", "transfer coding names are case-insensitive: CHUNKED", ok, []string{"Transfer-Encoding: CHUNKED"}, body)
	te("chunked-mixedcase", MUST, "9112-6.1-chunked", "transfer coding names are case-insensitive: Chunked", ok, []string{"Transfer-Encoding: Chunked"}, body)
	te("name-lowercase", MUST, "9112-6.1-chunked", "the field name transfer-encoding is case-insensitive", ok, []string{"transfer-encoding: chunked"}, body)
	te("chunked-ows", MUST, "9112-6.1-chunked", "OWS around chunked is not part of the coding name", ok, []string{"Transfer-Encoding: \tchunked \t"}, body)
	te("empty-body", MUST, "9112-6.1-chunked", "a chunked body of only the last chunk is empty", ok, []string{"Transfer-Encoding: chunked"}, "0\r\n\r\n", split)
	te("chunked-then-gzip", MUST, "9112-6.3-te-not-chunked", "chunked that is not the final coding makes the length unknowable: 400 (or 501 for the unknown coding) and close", te501, []string{"Transfer-Encoding: chunked, gzip"}, body, split)
	te("gzip-then-chunked", SHOULD, "9112-6.1-unknown-coding", "an unsupported coding before chunked is answered with 501 (or rejected) and the connection closed", "501+close | 400+close | 415+close", []string{"Transfer-Encoding: gzip, chunked"}, body)
	te("gzip-chunked-two-lines", SHOULD, "9112-6.1-unknown-coding", "codings on two lines combine to gzip, chunked: an unsupported coding", "501+close | 400+close | 415+close", []string{"Transfer-Encoding: gzip", "Transfer-Encoding: chunked"}, body)
	te("chunked-gzip-two-lines", MUST, "9112-6.3-te-not-chunked", "codings on two lines combine to chunked, gzip: chunked not final, rejected and closed", te501, []string{"Transfer-Encoding: chunked", "Transfer-Encoding: gzip"}, body)
	te("identity", SHOULD, "9112-6.1-unknown-coding", "identity is no longer a transfer coding: 501 or 400, then close", te501, []string{"Transfer-Encoding: identity"}, body)
	te("unknown-coding", MUST, "9112-6.3-te-not-chunked", "an unknown coding (and chunked not final) gets 501 or 400, then close", te501, []string{"Transfer-Encoding: foo"}, body, split)
	te("empty-value", SHOULD, "9112-6.3-te-not-chunked", "an empty Transfer-Encoding leaves chunked absent: rejected and closed", te501, []string{"Transfer-Encoding:"}, body)
	te("gzip-only", SHOULD, "9112-6.3-te-not-chunked", "gzip alone leaves the body length unknowable: 400 or 501, then close", te501, []string{"Transfer-Encoding: gzip"}, body)
	te("deflate-only", SHOULD, "9112-6.3-te-not-chunked", "deflate alone leaves the body length unknowable: 400 or 501, then close", te501, []string{"Transfer-Encoding: deflate"}, body)
	te("compress-only", SHOULD, "9112-6.3-te-not-chunked", "compress alone leaves the body length unknowable: 400 or 501, then close", te501, []string{"Transfer-Encoding: compress"}, body)
	te("chunked-param", SHOULD, "9112-7.1-chunk-size", "chunked has no parameters: chunked;x=1 is an error", te501, []string{"Transfer-Encoding: chunked;x=1"}, body)
	te("chunked-twice", SHOULD, "9112-6.3-te-not-chunked", "chunked applied twice is rejected", te501, []string{"Transfer-Encoding: chunked, chunked"}, body)
	te("cl-and-te", MUST, "9112-6.1-cl-te", "Content-Length with Transfer-Encoding: reject, or decode chunked and close afterwards", clte,
		[]string{"Content-Length: 15", "Transfer-Encoding: chunked"}, body, split)
	te("te-before-cl", MUST, "9112-6.1-cl-te", "Transfer-Encoding before Content-Length: reject, or decode chunked and close", clte,
		[]string{"Transfer-Encoding: chunked", "Content-Length: 15"}, body)
	te("cl-and-te-zero", MUST, "9112-6.1-cl-te", "Content-Length: 0 with a chunked body: reject, or decode chunked and close", clte,
		[]string{"Content-Length: 0", "Transfer-Encoding: chunked"}, body)
	te("cl-invalid-and-te", MUST, "9112-6.1-cl-te", "an invalid Content-Length beside chunked: reject, or decode chunked and close", clte,
		[]string{"Content-Length: abc", "Transfer-Encoding: chunked"}, body)
	te("chunked-pipelined", MUST, "9112-6.1-chunked", "after the last chunk the next bytes are a new request", ok, []string{"Transfer-Encoding: chunked"}, body+get("/canary.txt"))
	te("chunked-paced", MUST, "9112-6.1-chunked", "a chunked request sent one byte at a time is decoded", ok, []string{"Transfer-Encoding: chunked"}, "3\r\nabc\r\n0\r\n\r\n", paced(10))
	g.add(grp, "http10-te", "RFC9112 6.1", MUST, "9112-6.1-te-http10", "Transfer-Encoding in an HTTP/1.0 request is faulty framing: reject, or respond and close", clte,
		"GET /a.txt HTTP/1.0\r\n"+host+"Transfer-Encoding: chunked\r\n\r\n"+body)
	g.add(grp, "http10-te-cl", "RFC9112 6.1", MUST, "9112-6.1-te-http10", "HTTP/1.0 with Transfer-Encoding and Content-Length: reject, or respond and close", clte,
		"GET /a.txt HTTP/1.0\r\n"+host+"Content-Length: 15\r\nTransfer-Encoding: chunked\r\n\r\n"+body)
}

// chunked: RFC 9112 7.1 chunk syntax.
func chunked(g *gen) {
	const grp = "chunked"
	// Each case is a chunked GET: a front end may refuse it (orReject).
	cb := func(id string, level corpus.Level, reqID, checks, expect, body string, opts ...opt) {
		sec := map[string]string{"9112-7.1.1-extensions": "RFC9112 7.1.1", "9112-7.1.1-ext-limit": "RFC9112 7.1.1",
			"9112-7.1.1-ext-syntax": "RFC9112 7.1.1", "9112-7.1.2-trailers": "RFC9112 7.1.2", "9112-6.3-incomplete": "RFC9112 6.3",
			"9112-2.2-bare-lf": "RFC9112 2.2"}[reqID]
		if sec == "" {
			sec = "RFC9112 7.1"
		}
		g.add(grp, id, sec, level, reqID, checks, expect,
			req("GET /a.txt HTTP/1.1", []string{"Host: localhost", "Transfer-Encoding: chunked"}, body), append(opts, orReject)...)
	}
	sz, crlf, ovf := "9112-7.1-chunk-size", "9112-7.1-chunk-crlf", "9112-7.1-overflow"
	ext, exts, trl := "9112-7.1.1-extensions", "9112-7.1.1-ext-syntax", "9112-7.1.2-trailers"
	cb("multi-chunk", MUST, "9112-6.1-chunked", "several chunks are concatenated", ok, "5\r\nhello\r\n6\r\n world\r\n1\r\n!\r\n0\r\n\r\n", split)
	cb("hex-uppercase", MUST, sz, "uppercase hex digits in a chunk size", ok, "A\r\n0123456789\r\n0\r\n\r\n", split)
	cb("hex-lowercase", MUST, sz, "lowercase hex digits in a chunk size", ok, "a\r\n0123456789\r\n0\r\n\r\n")
	cb("size-leading-zeros", MUST, ovf, "leading zeros in a chunk size are valid: 0000a is 10", ok, "0000a\r\n0123456789\r\n0\r\n\r\n", split)
	cb("size-many-leading-zeros", SHOULD, ovf, "twenty leading zeros do not count as an overflow", ok, strings.Repeat("0", 20)+"5\r\nhello\r\n0\r\n\r\n")
	cb("last-chunk-zeros", MUST, sz, "a last chunk written 000 is still the last chunk", ok, "5\r\nhello\r\n000\r\n\r\n")
	cb("size-overflow", MUST, ovf, "a chunk size beyond 64 bits is rejected", "400+close | 413+close", "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n", split)
	cb("size-overflow-wrap", MUST, ovf, "2^64+5 as a chunk size must not wrap to 5", "400+close | 413+close", "10000000000000005\r\nhello\r\n0\r\n\r\n")
	cb("size-64-bit-max", SHOULD, ovf, "a chunk size of 2^64-1 is refused (too large) before any read", "400+close | 413+close", "ffffffffffffffff\r\nhello\r\n0\r\n\r\n")
	cb("size-leading-space", MUST, sz, "a space before the chunk size is invalid", rejC, " 5\r\nhello\r\n0\r\n\r\n", split)
	cb("size-trailing-space", SHOULD, sz, "a space after the chunk size without an extension is invalid", rejC, "5 \r\nhello\r\n0\r\n\r\n", split)
	cb("size-plus", MUST, sz, "+5 is not hex digits", rejC, "+5\r\nhello\r\n0\r\n\r\n", split)
	cb("size-0x", MUST, sz, "0x5 is not a chunk size", rejC, "0x5\r\nhello\r\n0\r\n\r\n", split)
	cb("size-minus", MUST, sz, "-5 is not a chunk size", rejC, "-5\r\nhello\r\n0\r\n\r\n")
	cb("size-empty", MUST, sz, "an empty chunk-size line is not zero", rejC, "\r\nhello\r\n0\r\n\r\n", split)
	cb("size-nonhex", MUST, sz, "g is not a hex digit", rejC, "g\r\nhello\r\n0\r\n\r\n")
	cb("size-trailing-garbage", MUST, sz, "5x: a longest-prefix parser would read 5", rejC, "5x\r\nhello\r\n0\r\n\r\n")
	cb("size-underscore", MUST, sz, "digit separators are not hex digits", rejC, "0_5\r\nhello\r\n0\r\n\r\n")
	cb("size-tab", MUST, sz, "HTAB before the chunk size is invalid", rejC, "\t5\r\nhello\r\n0\r\n\r\n")
	cb("size-bare-cr", MUST, "9112-2.2-bare-cr", "a bare CR after the chunk size is not a line end", rejC, "5\rhello\r\n0\r\n\r\n")
	cb("data-missing-crlf", MUST, crlf, "chunk data must be followed by CRLF", rejC, "5\r\nhelloX\r\n0\r\n\r\n", split)
	cb("data-bare-lf", MUST, crlf, "chunk data followed by a bare LF is a framing error", rejC, "5\r\nhello\n0\r\n\r\n", split)
	cb("data-bare-cr", MUST, crlf, "chunk data followed by a bare CR is a framing error", rejC, "5\r\nhello\r0\r\n\r\n")
	cb("data-longer-than-size", MUST, crlf, "more data than the chunk size announces is a framing error", rejC, "3\r\nhello\r\n0\r\n\r\n")
	cb("data-shorter-than-size", MUST, crlf, "less data than the size: the CRLF lands inside the data and the next bytes are not CRLF", rejC, "7\r\nhello\r\n0\r\n\r\n")
	cb("size-line-bare-lf", MAY, "9112-2.2-bare-lf", "a bare LF ending a chunk-size line: rejected by a strict server, or read consistently", "400+close | 2xx", "5\nhello\r\n0\r\n\r\n", split)
	cb("last-chunk-bare-lf", MAY, "9112-2.2-bare-lf", "bare LFs ending the last chunk and trailer section: rejected or read consistently", "400+close | 2xx", "5\r\nhello\r\n0\n\n")
	cb("ext-simple", MUST, ext, "an unknown chunk extension is ignored", ok, "5;a=b\r\nhello\r\n0\r\n\r\n", split)
	cb("ext-name-only", MUST, ext, "an extension without a value is ignored", ok, "5;a\r\nhello\r\n0\r\n\r\n")
	cb("ext-quoted", MUST, ext, "a quoted-string extension value is ignored", ok, "5;a=\"b c;d\"\r\nhello\r\n0\r\n\r\n")
	cb("ext-quoted-escape", MUST, ext, "a quoted-pair inside an extension value is allowed", ok, "5;a=\"b\\\"c\"\r\nhello\r\n0\r\n\r\n")
	cb("ext-several", MUST, ext, "several extensions are ignored", ok, "5;a=b;c=d;e\r\nhello\r\n0\r\n\r\n")
	cb("ext-bws", MUST, ext, "BWS before ';' and around '=' is accepted", ok, "5 ; a = b\r\nhello\r\n0\r\n\r\n")
	cb("ext-on-last-chunk", MUST, ext, "an extension on the last chunk is ignored", ok, "5\r\nhello\r\n0;a=b\r\n\r\n")
	cb("ext-empty-name", SHOULD, exts, "a ';' without an extension name is invalid", rejC, "5;\r\nhello\r\n0\r\n\r\n")
	cb("ext-ctl", MUST, exts, "a control byte in an extension is invalid", rejC, "5;a=\x01\r\nhello\r\n0\r\n\r\n", split)
	cb("ext-nul", MUST, exts, "NUL in an extension is invalid", rejC, "5;a=b\x00\r\nhello\r\n0\r\n\r\n")
	cb("ext-bare-cr", MUST, exts, "a bare CR in an extension is invalid", rejC, "5;a=b\rc\r\nhello\r\n0\r\n\r\n")
	cb("ext-bare-lf", MUST, exts, "a bare LF inside an extension ends nothing: invalid", rejC, "5;a=b\nc\r\nhello\r\n0\r\n\r\n")
	cb("ext-unterminated-quote", SHOULD, exts, "an unterminated quoted extension value is invalid", rejC, "5;a=\"b\r\nhello\r\n0\r\n\r\n")
	cb("ext-bad-name", SHOULD, exts, "an extension name must be a token", rejC, "5;a@b=c\r\nhello\r\n0\r\n\r\n")
	cb("ext-huge", SHOULD, "9112-7.1.1-ext-limit", "1 MB of chunk extensions is refused with a 4xx", "4xx+close", "5;a="+strings.Repeat("b", 1<<20)+"\r\nhello\r\n0\r\n\r\n", noCanary)
	cb("ext-many", SHOULD, "9112-7.1.1-ext-limit", "many small chunks each carrying extensions are bounded in total: served or refused with 4xx",
		"2xx | 4xx+close", strings.Repeat("1;aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\r\nx\r\n", 2000)+"0\r\n\r\n", noCanary)
	cb("trailer-simple", MUST, trl, "a trailer field after the last chunk is accepted", ok, "5\r\nhello\r\n0\r\nX-Trailer: v\r\n\r\n", split)
	cb("trailer-content-length", MUST, trl, "Content-Length in a trailer does not reframe anything", ok, "5\r\nhello\r\n0\r\nContent-Length: 50\r\n\r\n")
	cb("trailer-transfer-encoding", MUST, trl, "Transfer-Encoding in a trailer has no effect", ok, "5\r\nhello\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n")
	cb("trailer-host", MUST, trl, "Host in a trailer has no effect", ok, "5\r\nhello\r\n0\r\nHost: evil.example\r\n\r\n")
	cb("trailer-several", MUST, trl, "several trailer fields are accepted", ok, "5\r\nhello\r\n0\r\nX-A: 1\r\nX-B: 2\r\n\r\n")
	cb("trailer-ws-before-colon", SHOULD, trl, "a malformed trailer field line is rejected", rejC, "5\r\nhello\r\n0\r\nX-A : 1\r\n\r\n")
	cb("trailer-no-colon", SHOULD, trl, "a trailer line without a colon is a framing error (data after the last chunk)", rejC, "5\r\nhello\r\n0\r\nhello\r\n\r\n")
	inc := "9112-6.3-incomplete"
	cb("eof-in-data", MUST, inc, "EOF inside chunk data: never served", incomplete, "a\r\nhello", noCanary, half)
	cb("eof-before-last-chunk", MUST, inc, "EOF before the last chunk: never served", incomplete, "5\r\nhello\r\n", noCanary, half)
	cb("eof-in-trailers", MUST, inc, "EOF inside the trailer section: never served", incomplete, "5\r\nhello\r\n0\r\nX: y\r\n", noCanary, half)
	cb("eof-after-last-chunk-line", MUST, inc, "EOF right after the last-chunk line (no final CRLF): never served", incomplete, "5\r\nhello\r\n0\r\n", noCanary, half)
}
