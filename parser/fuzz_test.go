package parser

import (
	"testing"

	"pgregory.net/rapid"
)

// FuzzParse: no panic, views inside the input, accepted requests
// re-serialise and re-parse equal, whole and byte-at-a-time feeding agree
// (checkParseInvariants).
func FuzzParse(f *testing.F) {
	for _, rf := range loadRequests(f) {
		f.Add(rf.data)
	}
	for _, c := range parseErrorCases {
		if len(c.in) < 4096 {
			f.Add([]byte(c.in))
		}
	}
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"\r\n\r\nOPTIONS * HTTP/1.1\r\nHost:\r\n\r\n",
		"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
		"GET http://[v1.x]:80/p?q HTTP/1.1\r\nHost: [::ffff:1.2.3.4]\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\nX:\t\xff\xfe \t\r\n\r\nGET / HTTP/1.1\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkParseInvariants(t, in) })
}

// FuzzChunked: decoding whole and in small pieces agree.
func FuzzChunked(f *testing.F) {
	for _, s := range []string{
		"5\r\nhello\r\n0\r\n\r\n",
		"3;a=b\r\nabc\r\nA\r\n0123456789\r\n0\r\nX: y\r\n\r\nleft",
		"0000\r\n\r\n",
		"5 ;a\r\nhello\r\n0\r\n\r\n",
		"5\nhello\r\n0\r\n\r\n",
		"5\r\nhelloX\r\n",
		"ffffffffffffffffff\r\n",
		"0x5\r\nhello\r\n",
		"5;a=\"b\\\"c\"\r\nhello\r\n0\r\n\r\n",
		"0\r\nX : y\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkChunkedInvariants(t, in) })
}

// FuzzRoundTrip drives the generated-request property from fuzz input.
func FuzzRoundTrip(f *testing.F) { f.Fuzz(rapid.MakeFuzz(propSplit)) }
