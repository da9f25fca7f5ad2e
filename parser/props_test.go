package parser

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// propRoundTrip: a generated request parses to exactly what was generated
// and the bytes after the head are left alone.
func propRoundTrip(t *rapid.T) {
	g := drawRequest(t)
	orig := slices.Clone(g.raw)
	n, req, err := parseAll(g.raw)
	if err != nil || n != g.headLen {
		t.Fatalf("Parse(%q) = %d, %v; want %d, nil", g.raw, n, err, g.headLen)
	}
	if d := cmp.Diff(g.want, viewOf(req)); d != "" {
		t.Fatalf("Parse(%q) mismatch (-want +got):\n%s", g.raw, d)
	}
	if !bytes.Equal(orig, g.raw) {
		t.Fatalf("Parse(%q) modified its input", orig)
	}
	checkRequestViews(t, g.raw[:len(g.raw):len(g.raw)], req)
}

// genGarbage mixes pieces of requests with hostile bytes.
var genGarbage = rapid.Custom(func(t *rapid.T) []byte {
	frags := rapid.SliceOfN(rapid.OneOf(
		rapid.SampledFrom([]string{"GET ", "CONNECT ", "OPTIONS ", "/", "*", "http://h", "[::1]", " HTTP/1.1", " HTTP/1.0", "HTTP/2.0",
			"\r\n", "\r", "\n", " ", "\t", ":", "Host: h", "Host:", "Content-Length: 5", "Content-Length: 1, 2",
			"Transfer-Encoding: chunked", "Transfer-Encoding: gzip", "Connection: close", "Expect: 100-continue", "\x00", "\x7f", "\xff", "%"}),
		rapid.Map(rapid.SliceOfN(rapid.Byte(), 1, 4), func(b []byte) string { return string(b) }),
	), 0, 40).Draw(t, "frags")
	return []byte(strings.Join(frags, ""))
})

func TestPropRoundTrip(t *testing.T) { rapid.Check(t, propRoundTrip) }
func TestPropSplit(t *testing.T)     { rapid.Check(t, propSplit) }
func TestPropGarbage(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) { checkParseInvariants(t, genGarbage.Draw(t, "in")) })
}

// genChunked is a valid chunked body followed by leftovers, with the data
// it carries.
func drawChunked(t *rapid.T) (in, data []byte, rest int) {
	var b bytes.Buffer
	ext := rapid.SampledFrom([]string{"", "", ";a", ";a=b", " ; n = v", `;q="x\"y"`, ";a;b=c"})
	for i, n := 0, rapid.IntRange(0, 5).Draw(t, "chunks"); i < n; i++ {
		chunk := rapid.SliceOfN(rapid.Byte(), 1, 40).Draw(t, "chunk")
		size := strconv.FormatInt(int64(len(chunk)), 16)
		if rapid.Bool().Draw(t, "upper") {
			size = strings.ToUpper(size)
		}
		b.WriteString(strings.Repeat("0", rapid.IntRange(0, 2).Draw(t, "zeros")) + size + ext.Draw(t, "ext") + "\r\n")
		b.Write(chunk)
		b.WriteString("\r\n")
		data = append(data, chunk...)
	}
	b.WriteString(strings.Repeat("0", rapid.IntRange(1, 3).Draw(t, "last")) + ext.Draw(t, "lastExt") + "\r\n")
	for i, n := 0, rapid.IntRange(0, 2).Draw(t, "trailers"); i < n; i++ {
		b.WriteString(genToken.Draw(t, "tname") + ":" + genOWS.Draw(t, "tows") + genValue.Draw(t, "tvalue") + "\r\n")
	}
	b.WriteString("\r\n")
	left := genLeftover.Draw(t, "leftover")
	b.Write(left)
	return b.Bytes(), data, len(left)
}

func propChunkedSplit(t *rapid.T) {
	in, want, rest := drawChunked(t)
	for _, step := range []int{0, rapid.IntRange(1, 9).Draw(t, "step")} {
		data, done, r, err := decodeChunked(in, step)
		if err != nil || !done || r != rest || !bytes.Equal(data, want) {
			t.Fatalf("Decode(%q) steps of %d = %q, done %v, rest %d, %v; want %q, true, %d, nil", in, step, data, done, r, err, want, rest)
		}
	}
}

func TestPropChunkedSplit(t *testing.T) { rapid.Check(t, propChunkedSplit) }

// genChunkedGarbage mixes pieces of chunked framing with hostile bytes.
var genChunkedGarbage = rapid.Custom(func(t *rapid.T) []byte {
	frags := rapid.SliceOfN(rapid.OneOf(
		rapid.SampledFrom([]string{"0", "5", "a", "F", "ffffffffffffffffff", "\r\n", "\r", "\n", ";", "=", "\"", "\\", " ", "\t",
			"x", "hello", "X: y", ":", "\x00", "\xff"}),
		rapid.Map(rapid.SliceOfN(rapid.Byte(), 1, 3), func(b []byte) string { return string(b) }),
	), 0, 30).Draw(t, "frags")
	return []byte(strings.Join(frags, ""))
})

func TestPropChunkedGarbage(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) { checkChunkedInvariants(t, genChunkedGarbage.Draw(t, "in")) })
}
