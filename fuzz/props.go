package fuzz

import (
	"strconv"
	"strings"

	"pgregory.net/rapid"
)

// Rapid runners of the byte-level checks: the same checkX functions the
// fuzz targets and corpus tables run, over generated requests that stay
// close to the grammar (so most reach deep into the parser) with the
// classic irregularities mixed in.

var (
	genMethod = rapid.SampledFrom([]string{"GET", "HEAD", "POST", "PUT", "OPTIONS", "DELETE", "CONNECT", "TRACE", "BREW", "get", "G\x00T"})
	genPath   = rapid.OneOf(
		rapid.SampledFrom([]string{"/", "/a.txt", "/big.txt", "/dir/", "/dir", "/dir/b.txt", "/%2e%2e/a.txt", "/a.txt?x=1", "*", "http://example/a.txt", "example:80", "/sp ace", "/%zz", "//a.txt", "/.hidden"}),
		rapid.StringMatching(`/[a-z0-9%./?=&~-]{0,24}`),
	)
	genVersion = rapid.SampledFrom([]string{"HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "http/1.1", "HTTP/1.10", "HTTP/11"})
	genEOL     = rapid.SampledFrom([]string{"\r\n", "\r\n", "\r\n", "\r\n", "\n", "\r"})
	genField   = rapid.OneOf(
		rapid.SampledFrom([]string{
			"Host: example", "Host: example:8080", "Host: ", "Host: a b", "Host: [::1]", "Host: exa_mple",
			"Content-Length: 0", "Content-Length: 5", "Content-Length: +5", "Content-Length: ", "Content-Length: 5, 5",
			"Content-Length: 99999999999999999999", "Transfer-Encoding: chunked", "Transfer-Encoding: gzip, chunked",
			"Transfer-Encoding: chunked, gzip", "Transfer-Encoding: Chunked", "Connection: close", "Connection: keep-alive",
			"Connection: Upgrade, close", "Expect: 100-continue", "Expect: nope", "Range: bytes=0-3", "Range: bytes=0-1,5-9",
			"If-None-Match: *", "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT", "Pragma: no-cache",
			"X: a\r\n b", "X : y", "X\t: y", ": empty", "X: \x7f", "X: \x80ü", "Accept-Encoding: gzip, br",
		}),
		rapid.Custom(func(t *rapid.T) string {
			return rapid.StringMatching(`[A-Za-z-]{1,12}`).Draw(t, "name") + ":" + rapid.StringMatching(`[ \t]?[ -~]{0,16}`).Draw(t, "value")
		}),
	)
	genBody = rapid.SampledFrom([]string{"", "hello", "5\r\nhello\r\n0\r\n\r\n", "0\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"})
)

// genRequest draws one request (head and maybe a body).
var genRequest = rapid.Custom(func(t *rapid.T) []byte {
	var b strings.Builder
	if rapid.IntRange(0, 9).Draw(t, "leadingCRLF") == 0 {
		b.WriteString("\r\n")
	}
	eol := genEOL.Draw(t, "eol")
	b.WriteString(genMethod.Draw(t, "method") + rapid.SampledFrom([]string{" ", " ", "  ", "\t"}).Draw(t, "sp1"))
	b.WriteString(genPath.Draw(t, "target") + " " + genVersion.Draw(t, "version") + eol)
	for _, f := range rapid.SliceOfN(genField, 0, 6).Draw(t, "fields") {
		b.WriteString(f + eol)
	}
	b.WriteString(eol)
	b.WriteString(genBody.Draw(t, "body"))
	return []byte(b.String())
})

// genStream draws a client stream of several requests.
var genStream = rapid.Custom(func(t *rapid.T) []byte {
	var out []byte
	for _, r := range rapid.SliceOfN(genRequest, 1, 4).Draw(t, "requests") {
		out = append(out, r...)
	}
	return out
})

// genChunked draws a chunked body: chunks with sizes in hex (sometimes
// wrong), extensions, a trailer, and a split selector in front.
var genChunked = rapid.Custom(func(t *rapid.T) []byte {
	var b strings.Builder
	for _, n := range rapid.SliceOfN(rapid.IntRange(0, 40), 0, 4).Draw(t, "sizes") {
		if n == 0 {
			continue
		}
		size := strconv.FormatInt(int64(n), 16)
		if rapid.IntRange(0, 9).Draw(t, "upper") == 0 {
			size = strings.ToUpper(size)
		}
		b.WriteString(size + rapid.SampledFrom([]string{"", "", ";a=b", "; q=\"x\\\"y\"", " ;x", ";"}).Draw(t, "ext") + "\r\n")
		data := strings.Repeat("d", n)
		if rapid.IntRange(0, 9).Draw(t, "short") == 0 {
			data = data[1:]
		}
		b.WriteString(data + rapid.SampledFrom([]string{"\r\n", "\r\n", "\n", ""}).Draw(t, "dataEnd"))
	}
	b.WriteString("0" + rapid.SampledFrom([]string{"\r\n", "\r\nX-T: 1\r\n", "\r\nbad trailer\r\n", "\n"}).Draw(t, "last") + "\r\n")
	b.WriteString(rapid.SampledFrom([]string{"", "GET / HTTP/1.1\r\n"}).Draw(t, "after"))
	sel := rapid.SliceOfN(rapid.Byte(), 1, 8).Draw(t, "splits")
	sel[0] = byte(len(sel) - 1)
	return append(sel, b.String()...)
})
