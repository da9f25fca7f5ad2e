package main

import (
	"strings"

	"github.com/ferrox/ferrox/corpus"
)

const (
	MUST   = corpus.MUST
	SHOULD = corpus.SHOULD
	MAY    = corpus.MAY
	safety = corpus.Safety
	policy = corpus.Policy
)

// requestLine: RFC 9112 2.2, 2.3, 3, 3.2.
func requestLine(g *gen) {
	const grp = "request-line"
	rl := func(id string, level corpus.Level, reqID, checks, expect, line string, opts ...opt) {
		g.add(grp, id, "RFC9112 3", level, reqID, checks, expect, line+"\r\n"+host+"\r\n", opts...)
	}
	rl("get-simple", MUST, "static-serve", "a plain GET of an existing file is served and the connection stays open", ok, "GET /a.txt HTTP/1.1", split, check("date", "content-length"))
	rl("double-sp-after-method", MAY, "9112-3-request-line", "two spaces between method and target are rejected by a strict server", rej, "GET  / HTTP/1.1", split)
	rl("double-sp-before-version", MAY, "9112-3-request-line", "two spaces between target and version are rejected by a strict server", rej, "GET /  HTTP/1.1", split)
	rl("htab-separator", MAY, "9112-3-request-line", "HTAB as the request-line separator is rejected by a strict server", rej, "GET\t/\tHTTP/1.1", split)
	rl("vt-separator", MAY, "9112-3-request-line", "VT as the request-line separator is rejected by a strict server", rej, "GET\x0b/\x0bHTTP/1.1", split)
	rl("ff-separator", MAY, "9112-3-request-line", "FF as the request-line separator is rejected by a strict server", rej, "GET\x0c/\x0cHTTP/1.1", split)
	rl("leading-sp", MAY, "9112-3-request-line", "a space before the method is rejected by a strict server", rej, " GET / HTTP/1.1")
	rl("trailing-sp", MAY, "9112-3-request-line", "a space after the version is rejected by a strict server", rej, "GET / HTTP/1.1 ")
	rl("bare-cr-separator", MUST, "9112-2.2-bare-cr", "a bare CR between method and target is rejected or read as SP, never as a line end", okOrRej, "GET\r/ HTTP/1.1", split)
	rl("bare-cr-line-end", MUST, "9112-2.2-bare-cr", "a bare CR ending the request-line is not a line terminator: the line becomes invalid", rej, "GET / HTTP/1.1\rX: y", split)
	rl("version-lowercase", SHOULD, "9112-2.3-version", "the protocol name is case-sensitive: http/1.1 is rejected", rej, "GET / http/1.1", split)
	rl("version-mixedcase", SHOULD, "9112-2.3-version", "the protocol name is case-sensitive: Http/1.1 is rejected", rej, "GET / Http/1.1")
	rl("version-two-digit-minor", SHOULD, "9112-2.3-version", "a two-digit minor version HTTP/1.10 is rejected", rej, "GET / HTTP/1.10", split)
	rl("version-leading-zero-major", SHOULD, "9112-2.3-version", "a two-digit major version HTTP/01.1 is rejected", rej, "GET / HTTP/01.1")
	rl("version-no-minor", SHOULD, "9112-2.3-version", "HTTP/1 without a minor version is rejected", rej, "GET / HTTP/1")
	rl("version-no-dot", SHOULD, "9112-2.3-version", "HTTP/11 without a dot is rejected (400, or 505 as an unsupported version)", rej+" | 505 | 505+close", "GET / HTTP/11")
	rl("version-suffix", SHOULD, "9112-2.3-version", "trailing bytes after the version are rejected", rej, "GET / HTTP/1.1x")
	rl("version-space-slash", SHOULD, "9112-2.3-version", "a space inside the version is rejected", rej, "GET / HTTP /1.1")
	rl("version-huge-major", SHOULD, "9112-2.3-version", "a many-digit version that overflows a naive integer parser is rejected (400, or 505 for an unsupported major)", rej+" | 505 | 505+close", "GET / HTTP/4294967297.1")
	rl("version-letters", SHOULD, "9112-2.3-version", "non-digit version numbers are rejected", rej, "GET / HTTP/a.b")
	rl("version-missing", SHOULD, "9112-2.3-version", "a request-line without a version is rejected (HTTP/0.9 is not served)", "400+close | 400 | none", "GET /")
	rl("target-missing", SHOULD, "9112-3-request-line", "a request-line without a target is rejected", rej, "GET HTTP/1.1", split)
	rl("target-space-inside", SHOULD, "9112-3.2-no-fix", "a space inside the target is rejected, never repaired", rej, "GET /a b HTTP/1.1", split)
	rl("target-relative", SHOULD, "9112-3.2-no-fix", "an origin-form target must start with a slash", rej, "GET a.txt HTTP/1.1")
	rl("target-fragment", SHOULD, "9112-3.2-no-fix", "a fragment is not part of a request-target", rej, "GET /a.txt#frag HTTP/1.1")
	rl("target-nonascii", SHOULD, "9112-3.2-no-fix", "a raw non-ASCII byte in the target is rejected", rej, "GET /\xc3\xa9 HTTP/1.1")
	rl("target-ctl", SHOULD, "9112-3.2-no-fix", "a control byte in the target is rejected", rej, "GET /a\x01b HTTP/1.1")
	rl("target-nul", SHOULD, "9112-3.2-no-fix", "a NUL byte in the target is rejected", rej, "GET /a.txt\x00 HTTP/1.1", split)
	rl("target-del", SHOULD, "9112-3.2-no-fix", "a DEL byte in the target is rejected", rej, "GET /a\x7fb HTTP/1.1")
	rl("target-raw-quote", SHOULD, "9112-3.2-no-fix", "a raw double quote is not a URI character", rej, "GET /a\"b HTTP/1.1")
	rl("target-raw-angle", SHOULD, "9112-3.2-no-fix", "raw angle brackets are not URI characters and never come back unescaped", rej, "GET /<script>x HTTP/1.1", check("no-raw-markup"))
	rl("method-lowercase", SHOULD, "9110-9.1-methods", "methods are case-sensitive: get is an unknown method", both("501", "405", "400"), "get / HTTP/1.1", either)
	rl("method-bad-char", SHOULD, "9112-3-request-line", "a method that is not a token is rejected", rej, "G(T / HTTP/1.1")
	rl("method-nonascii", SHOULD, "9112-3-request-line", "a method with a non-ASCII byte is rejected", rej, "G\xc9T / HTTP/1.1")
	rl("method-empty", SHOULD, "9112-3-request-line", "a request-line starting with SP has an empty method", rej, " / HTTP/1.1")
	rl("asterisk-get", SHOULD, "9112-3.2.4-asterisk-form", "the asterisk-form is only for OPTIONS: GET * is rejected", rej, "GET * HTTP/1.1", split)
	rl("asterisk-head", SHOULD, "9112-3.2.4-asterisk-form", "the asterisk-form is only for OPTIONS: HEAD * is rejected", rej, "HEAD * HTTP/1.1")
	rl("asterisk-options", MAY, "9112-3.2.4-asterisk-form", "OPTIONS * asks about the server as a whole and is answered with 2xx", ok, "OPTIONS * HTTP/1.1", either)
	rl("authority-form-get", SHOULD, "9112-3.2.3-authority-form", "the authority-form is only for CONNECT: GET host:port is rejected", rej, "GET localhost:80 HTTP/1.1")
	rl("connect-authority", safety, "9112-3.2.3-authority-form", "an origin server does not open tunnels: CONNECT gets an error", both("405", "501", "400"), "CONNECT localhost:443 HTTP/1.1", noCanary)
	rl("connect-origin-form", safety, "9112-3.2.3-authority-form", "CONNECT with an origin-form target is rejected", both("400", "405", "501"), "CONNECT / HTTP/1.1", noCanary)
	rl("absolute-form", MUST, "9112-3.2.2-absolute-form", "an absolute-form target is accepted", ok, "GET http://localhost/a.txt HTTP/1.1", split)
	rl("absolute-form-upper-scheme", MUST, "9112-3.2.2-absolute-form", "scheme and host in an absolute-form target are case-insensitive", ok, "GET HTTP://LOCALHOST/a.txt HTTP/1.1")
	rl("long-request-line-7990", SHOULD, "9112-3-min-length", "a request-line of about 8000 octets is read (404 or 2xx, not 414)", "404 | 2xx", "GET /"+strings.Repeat("a", 7989)+" HTTP/1.1")

	lead := func(id string, level corpus.Level, reqID, checks, expect, raw string, opts ...opt) {
		g.add(grp, id, "RFC9112 2.2", level, reqID, checks, expect, raw, opts...)
	}
	lead("leading-crlf", SHOULD, "9112-2.2-leading-crlf", "an empty line before the request-line is skipped", ok, "\r\n"+get("/a.txt"), split)
	lead("leading-crlf-twice", SHOULD, "9112-2.2-leading-crlf", "two empty lines before the request-line are skipped", ok, "\r\n\r\n"+get("/a.txt"))
	lead("leading-lf", MAY, "9112-2.2-bare-lf", "a bare LF before the request-line is skipped or rejected", "400+close | 2xx", "\n"+get("/a.txt"))
	lead("bare-lf-lines", MAY, "9112-2.2-bare-lf", "a request whose lines end in bare LF is rejected by a strict server or read consistently", "400+close | 2xx", "GET /a.txt HTTP/1.1\nHost: localhost\n\n", split)
	lead("bare-lf-request-line", MAY, "9112-2.2-bare-lf", "a bare LF ending only the request-line is rejected or accepted consistently", "400+close | 2xx", "GET /a.txt HTTP/1.1\nHost: localhost\r\n\r\n", split)
	lead("bare-lf-final", MAY, "9112-2.2-bare-lf", "a bare LF ending the header section is rejected or accepted consistently", "400+close | 2xx", "GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\n", split)
	lead("ws-line-after-start", MUST, "9112-2.2-ws-first-line", "a whitespace-led line right after the request-line is rejected or ignored", okOrRej, "GET /a.txt HTTP/1.1\r\n X: y\r\n"+host+"\r\n", split)
	lead("ws-line-hides-host", MUST, "9112-2.2-ws-first-line", "a whitespace-led Host line is rejected or ignored; either way the request lacks Host", rej, "GET /a.txt HTTP/1.1\r\n Host: localhost\r\n\r\n")
	lead("garbage-binary", SHOULD, "9112-2.2-invalid-400", "binary garbage (a TLS ClientHello) gets 400 or a close", "400+close | none", "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"+strings.Repeat("\x00", 32)+"\r\n\r\n", noCanary)
	lead("garbage-text", SHOULD, "9112-2.2-invalid-400", "a line that is no request-line at all gets 400 and a close", "400+close | none", "hello world\r\n\r\n")
	lead("empty-request-line-only-crlf", SHOULD, "9112-2.2-invalid-400", "a stream of only empty lines then EOF is never answered with 2xx", "none | 400+close", "\r\n\r\n\r\n", noCanary, half)
}

// fields: RFC 9112 5, 5.1, 5.2; RFC 9110 5.5.
func fields(g *gen) {
	const grp = "fields"
	f := func(id string, level corpus.Level, reqID, checks, expect string, lines []string, opts ...opt) {
		sec := map[string]string{
			"9112-5-field-name": "RFC9112 5", "9112-5.1-ws-before-colon": "RFC9112 5.1", "9112-5.1-ows-value": "RFC9112 5.1",
			"9112-5.2-obs-fold": "RFC9112 5.2", "9110-5.5-value-ctl": "RFC9110 5.5", "9110-5.5-obs-text": "RFC9110 5.5",
			"9112-2.2-bare-cr": "RFC9112 2.2", "9112-2.2-octets": "RFC9112 2.2", "9112-2.2-bare-lf": "RFC9112 2.2", "9110-5.4-field-limits": "RFC9110 5.4",
		}[reqID]
		g.add(grp, id, sec, level, reqID, checks, expect, getH("/a.txt", lines...), opts...)
	}
	name := "9112-5-field-name"
	f("name-space-before-colon", MUST, "9112-5.1-ws-before-colon", "whitespace between a field name and the colon is rejected with 400", rej, []string{"X-Foo : bar"}, split)
	f("name-tab-before-colon", MUST, "9112-5.1-ws-before-colon", "HTAB between a field name and the colon is rejected with 400", rej, []string{"X-Foo\t: bar"}, split)
	f("host-space-before-colon", MUST, "9112-5.1-ws-before-colon", "Host with a space before the colon is rejected, not read as Host", rej, []string{"Host : other"})
	f("name-empty", SHOULD, name, "a field line with an empty name is rejected", rej, []string{": bar"}, split)
	f("name-bracket", SHOULD, name, "'[' is not a token character in a field name", rej, []string{"X[a]: b"})
	f("name-0x80", SHOULD, name, "a byte 0x80 in a field name is rejected", rej, []string{"X\x80Foo: b"})
	f("name-utf8", SHOULD, name, "UTF-8 letters in a field name are rejected", rej, []string{"X-F\xc3\xbco: b"})
	f("name-no-colon", SHOULD, name, "a field line without a colon is rejected", rej, []string{"XFoo bar"}, split)
	f("name-inner-space", SHOULD, name, "a space inside a field name is rejected", rej, []string{"X Foo: bar"})
	f("name-quote", SHOULD, name, "a double quote in a field name is rejected", rej, []string{"X\"Foo: bar"})
	f("name-at", SHOULD, name, "'@' in a field name is rejected", rej, []string{"X@Foo: bar"})
	f("name-paren", SHOULD, name, "'(' in a field name is rejected", rej, []string{"X(Foo: bar"})
	f("name-slash", SHOULD, name, "'/' in a field name is rejected", rej, []string{"X/Foo: bar"})
	f("name-equals", SHOULD, name, "'=' in a field name is rejected", rej, []string{"X=Foo: bar"})
	f("name-brace", SHOULD, name, "'{' in a field name is rejected", rej, []string{"X{Foo: bar"})
	f("name-nul", SHOULD, name, "a NUL byte in a field name is rejected", rej, []string{"X\x00Foo: bar"}, split)
	f("name-del", SHOULD, name, "a DEL byte in a field name is rejected", rej, []string{"X\x7fFoo: bar"})
	f("name-ctl", SHOULD, name, "a control byte in a field name is rejected", rej, []string{"X\x01Foo: bar"})
	f("name-tchar-all", MUST, name, "every tchar is allowed in a field name", ok, []string{"!#$%&'*+-.^_`|~09azAZ: ok"})
	f("name-underscore", MUST, name, "an underscore is a valid tchar in a field name", ok, []string{"X_Foo: bar"})
	f("name-long-valid", MUST, name, "a long but valid field name is accepted", ok, []string{"X-" + strings.Repeat("n", 200) + ": v"})
	f("obs-fold-space", MUST, "9112-5.2-obs-fold", "an obs-fold continuation line (SP) is rejected or replaced by SP", okOrRej, []string{"X-Foo: a", " b"}, split)
	f("obs-fold-tab", MUST, "9112-5.2-obs-fold", "an obs-fold continuation line (HTAB) is rejected or replaced by SP", okOrRej, []string{"X-Foo: a", "\tb"}, split)
	f("obs-fold-empty-first", MUST, "9112-5.2-obs-fold", "a field whose whole value is on a folded line is rejected or unfolded", okOrRej, []string{"X-Foo:", " b"})
	f("obs-fold-multi", MUST, "9112-5.2-obs-fold", "several continuation lines are rejected or each replaced by SP", okOrRej, []string{"X-Foo: a", " b", "  c", "\td"})
	f("obs-fold-host", MUST, "9112-5.2-obs-fold", "a folded Host is rejected, or unfolded to the valid value localhost", "400+close | 400 | 2xx", []string{"X-A: 1", "Host:", " localhost"})
	f("value-nul", MUST, "9110-5.5-value-ctl", "NUL in a field value is rejected or replaced by SP", okOrRej, []string{"X-Foo: a\x00b"}, split)
	f("value-bare-cr", MUST, "9112-2.2-bare-cr", "a bare CR in a field value is rejected or replaced by SP", okOrRej, []string{"X-Foo: a\rb"}, split)
	f("value-bare-cr-end", MUST, "9112-2.2-bare-cr", "a bare CR at the end of a field value is rejected or replaced by SP", okOrRej, []string{"X-Foo: ab\r"})
	f("value-ctl-01", SHOULD, "9110-5.5-value-ctl", "a control byte 0x01 in a field value is rejected by a strict server", rej, []string{"X-Foo: a\x01b"})
	f("value-ctl-1f", SHOULD, "9110-5.5-value-ctl", "a control byte 0x1f in a field value is rejected by a strict server", rej, []string{"X-Foo: a\x1fb"})
	f("value-del", SHOULD, "9110-5.5-value-ctl", "DEL in a field value is rejected by a strict server", rej, []string{"X-Foo: a\x7fb"})
	f("value-vt", SHOULD, "9110-5.5-value-ctl", "VT in a field value is rejected by a strict server", rej, []string{"X-Foo: a\x0bb"})
	f("value-escape", SHOULD, "9110-5.5-value-ctl", "ESC in a field value is rejected by a strict server", rej, []string{"X-Foo: \x1b[31m"})
	f("value-htab-inside", MUST, "9112-5.1-ows-value", "HTAB inside a field value is allowed", ok, []string{"X-Foo: a\tb"}, split)
	f("value-ows-around", MUST, "9112-5.1-ows-value", "SP and HTAB around a value are allowed and not part of it", ok, []string{"X-Foo: \t bar \t "})
	f("value-empty", MUST, "9112-5.1-ows-value", "an empty field value is valid", ok, []string{"X-Foo:"}, split)
	f("value-obs-text", MAY, "9110-5.5-obs-text", "bytes 0x80-0xff in a field value are accepted as opaque octets", ok, []string{"X-Foo: caf\xc3\xa9 \xff\x80"})
	f("value-obs-text-only", MAY, "9110-5.5-obs-text", "a value made only of obs-text bytes is accepted", ok, []string{"X-Foo: \xff\xfe\x80"})
	f("value-overlong-lf", MUST, "9112-2.2-octets", "an overlong UTF-8 LF (C0 8A) in a value is not a line end: no header is injected", "2xx | 400+close | 400", []string{"X-Foo: a\xc0\x8aContent-Length: 40"})
	f("value-utf8-line-sep", MUST, "9112-2.2-octets", "U+2028 in a value is not a line end", "2xx | 400+close | 400", []string{"X-Foo: a\xe2\x80\xa8Content-Length: 40"})
	f("value-bare-lf", MAY, "9112-2.2-bare-lf", "a bare LF inside the fields either ends the line (MAY) or the request is rejected", "2xx | 400+close | 400", []string{"X-Foo: a\nX-Bar: b"})
	f("many-fields-100", SHOULD, "9110-5.4-field-limits", "a request with 100 ordinary fields is served: refusing so few breaks real clients", ok, manyFields(100))
	f("duplicate-ordinary", MUST, "9112-5-field-name", "repeated ordinary fields are allowed", ok, []string{"Accept: text/plain", "Accept: text/html"})
}

func manyFields(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "X-F" + itoa(i) + ": v" + itoa(i)
	}
	return out
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// hostCases: RFC 9112 3.2, 3.2.2.
func hostCases(g *gen) {
	const grp = "host"
	h := func(id string, level corpus.Level, checks, expect, raw string, opts ...opt) {
		g.add(grp, id, "RFC9112 3.2", level, "9112-3.2-host", checks, expect, raw, opts...)
	}
	line := "GET /a.txt HTTP/1.1\r\n"
	h("missing", MUST, "an HTTP/1.1 request without Host is rejected with 400", rej, line+"\r\n", split)
	h("missing-http10", MUST, "an HTTP/1.0 request without Host is served (Host is only required in 1.1)", "2xx+close", "GET /a.txt HTTP/1.0\r\n\r\n")
	h("duplicate-same", MUST, "two Host lines are rejected even when equal", rej, line+host+host+"\r\n", split)
	h("duplicate-different", MUST, "two different Host lines are rejected", rej, line+host+"Host: other.example\r\n\r\n")
	h("list-value", MUST, "a comma list in Host is two hosts, which is invalid", rej, line+"Host: localhost, other.example\r\n\r\n")
	h("space-inside", MUST, "a space inside the Host value is invalid", rej, line+"Host: a b\r\n\r\n", split)
	h("userinfo", MUST, "userinfo (a@b) is not allowed in Host", rej, line+"Host: user@localhost\r\n\r\n")
	h("slash", MUST, "a slash in Host is invalid", rej, line+"Host: localhost/a\r\n\r\n")
	h("backslash", MUST, "a backslash in Host is invalid", rej, line+"Host: localhost\\a\r\n\r\n")
	h("ctl", MUST, "a control byte in Host is invalid", rej, line+"Host: local\x01host\r\n\r\n")
	h("nul", MUST, "a NUL byte in Host is invalid", rej, line+"Host: localhost\x00.evil\r\n\r\n")
	h("nonascii", MUST, "a raw non-ASCII byte in Host is invalid", rej, line+"Host: l\xc3\xb6calhost\r\n\r\n")
	h("bad-port", MUST, "a non-numeric port in Host is invalid", rej, line+"Host: localhost:abc\r\n\r\n")
	h("two-ports", MUST, "two ports in Host are invalid", rej, line+"Host: localhost:80:80\r\n\r\n")
	h("bad-pct", MUST, "a percent sign not followed by two hex digits is invalid in Host", rej, line+"Host: local%zzhost\r\n\r\n")
	h("ipv6-unclosed", MUST, "an unterminated IP literal in Host is invalid", rej, line+"Host: [::1\r\n\r\n")
	h("empty", SHOULD, "an empty Host is valid syntax and is not rejected as invalid", "2xx | 404", line+"Host:\r\n\r\n", split)
	h("empty-ows", SHOULD, "a Host of only whitespace is an empty value, which is valid", "2xx | 404", line+"Host:  \r\n\r\n")
	h("with-port", MUST, "Host with a port is valid", ok, line+"Host: localhost:8080\r\n\r\n")
	h("empty-port", MUST, "Host with an empty port is valid syntax", "2xx | 404", line+"Host: localhost:\r\n\r\n")
	h("ipv4", MUST, "an IPv4 address in Host is valid", ok, line+"Host: 127.0.0.1\r\n\r\n")
	h("ipv6", MUST, "an IPv6 literal in Host is valid", ok, line+"Host: [::1]:8080\r\n\r\n")
	h("uppercase", MUST, "Host is case-insensitive", ok, line+"Host: LOCALHOST\r\n\r\n")
	h("trailing-dot", MUST, "a fully qualified Host with a trailing dot is valid syntax", "2xx | 404", line+"Host: localhost.\r\n\r\n")
	h("lowercase-name", MUST, "the Host field name is case-insensitive", ok, line+"host: localhost\r\n\r\n")
	h("absolute-form-differs", MUST, "with an absolute-form target the server uses its authority and ignores Host", ok, "GET http://localhost/a.txt HTTP/1.1\r\nHost: other.example\r\n\r\n")
	h("absolute-form-no-host", MUST, "an HTTP/1.1 request is rejected without Host even with an absolute-form target", rej, "GET http://localhost/a.txt HTTP/1.1\r\n\r\n")
	h("absolute-form-userinfo", MUST, "an absolute-form target with userinfo is rejected or served for its host, never confused", "400+close | 400 | 2xx", "GET http://user@localhost/a.txt HTTP/1.1\r\n"+host+"\r\n")
	h("absolute-form-bad-host", MUST, "Host is still checked for validity when the target is in absolute-form", "400+close | 400 | 2xx", "GET http://localhost/a.txt HTTP/1.1\r\nHost: a b\r\n\r\n")
}
