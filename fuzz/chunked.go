package fuzz

import (
	"bytes"
	"errors"
	"unsafe"

	"pgregory.net/rapid"

	"github.com/ferrox/ferrox/parser"
)

// chunkedResult is what decoding a whole input yields.
type chunkedResult struct {
	data     []byte
	done     bool
	consumed int    // bytes consumed in total
	reason   string // *parser.Error reason, "" when none
	offset   int    // *parser.Error offset (absolute in the body)
}

// decodeSplits feeds body to a fresh decoder in pieces ending at the
// given cut points (ascending, inside body), calling Decode until each
// piece is used up or the decoder stops. It mirrors the engine: bytes a
// call leaves unconsumed are offered again together with the next piece.
func decodeSplits(tb rapid.TB, body []byte, cuts []int) chunkedResult {
	tb.Helper()
	var d parser.ChunkedDecoder
	var res chunkedResult
	pos := 0 // start of unconsumed bytes
	for i := 0; i <= len(cuts); i++ {
		end := len(body)
		if i < len(cuts) {
			end = cuts[i]
		}
		for pos < end && !res.done {
			in := body[pos:end]
			n, data, done, err := d.Decode(in)
			if n < 0 || n > len(in) {
				tb.Fatalf("Decode(%q) consumed %d of %d bytes", in, n, len(in))
			}
			if len(data) > 0 {
				// data must be a view into what was consumed (the parser package's lifetime rule).
				if !viewInside(data, in[:n]) {
					tb.Fatalf("Decode(%q) data %q is not a view into the consumed input", in, data)
				}
			}
			res.data = append(res.data, data...)
			pos += n
			res.consumed = pos
			if err != nil {
				var pe *parser.Error
				if !errors.As(err, &pe) {
					tb.Fatalf("Decode error %T %v; want *parser.Error", err, err)
				}
				res.reason, res.offset = pe.Reason, pe.Offset
				res.consumed = 0 // how much earlier calls took depends on the splits
				return res
			}
			res.done = done
			if n == 0 && !done {
				tb.Fatalf("Decode(%q) = 0 bytes, no data, not done, no error; want progress", in)
			}
		}
		if res.done {
			break
		}
	}
	return res
}

// viewInside reports whether v lies inside buf's memory.
func viewInside(v, buf []byte) bool {
	if len(v) == 0 {
		return true
	}
	if len(buf) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(buf)))
	p := uintptr(unsafe.Pointer(unsafe.SliceData(v)))
	return p >= start && p+uintptr(len(v)) <= start+uintptr(len(buf))
}

// checkChunkedSplits: the first byte of in chooses how many cut points
// the next bytes define; the rest is a chunked body. Decoding it in
// those pieces, and one byte at a time, gives the same data, done flag,
// consumed count and error as decoding it whole.
func checkChunkedSplits(tb rapid.TB, in []byte) {
	tb.Helper()
	if len(in) < 1 {
		return
	}
	k := int(in[0] % 8)
	in = in[1:]
	if len(in) < k {
		return
	}
	seeds, body := in[:k], in[k:]
	var cuts []int
	last := 0
	for _, s := range seeds {
		if len(body) == 0 {
			break
		}
		c := last + int(s)%(len(body)-last+1)
		if c > last && c < len(body) {
			cuts = append(cuts, c)
			last = c
		}
	}
	whole := decodeSplits(tb, body, nil)
	split := decodeSplits(tb, body, cuts)
	cmpChunked(tb, body, "whole", whole, "split", split, cuts)
	if len(body) <= 4096 {
		bytewise := make([]int, 0, len(body))
		for i := 1; i < len(body); i++ {
			bytewise = append(bytewise, i)
		}
		cmpChunked(tb, body, "whole", whole, "byte-at-a-time", decodeSplits(tb, body, bytewise), nil)
	}
}

func cmpChunked(tb rapid.TB, body []byte, an string, a chunkedResult, bn string, b chunkedResult, cuts []int) {
	tb.Helper()
	if !bytes.Equal(a.data, b.data) || a.done != b.done || a.reason != b.reason || a.offset != b.offset || a.consumed != b.consumed {
		tb.Fatalf("Decode(%q) %s = data %q done %v consumed %d err %q@%d; %s (cuts %v) = data %q done %v consumed %d err %q@%d",
			body, an, a.data, a.done, a.consumed, a.reason, a.offset, bn, cuts, b.data, b.done, b.consumed, b.reason, b.offset)
	}
}

// chunkedSeeds are hand-picked bodies (prefixed by a split selector).
var chunkedSeeds = []string{
	"\x03\x02\x05\x09" + "5\r\nhello\r\n0\r\n\r\n",
	"\x02\x01\x04" + "3;ext=1\r\nabc\r\n2;q=\"a\\\"b\"\r\nde\r\n0\r\nTrailer: x\r\n\r\nGET / HTTP/1.1\r\n",
	"\x01\x07" + "A\r\n0123456789\r\n0\r\n\r\n",
	"\x01\x02" + "5\nhello\r\n0\r\n\r\n",
	"\x01\x03" + "ffffffffffffffffff\r\n",
	"\x01\x03" + "5 \r\nhello\r\n0\r\n\r\n",
	"\x00" + "0\r\n\r\n",
}

// chunkedCorpusInput is the FuzzChunkedSplits seed for a corpus case: a
// chunked request's body, else the raw bytes, after a split selector.
func chunkedCorpusInput(raw []byte) []byte {
	var p parser.Parser
	var req parser.Request
	if n, err := p.Parse(raw, &req); err == nil && req.Framing == parser.FramingChunked {
		return append([]byte{3, 1, 7, 13}, raw[n:]...)
	}
	return append([]byte{2, 5, 9}, raw...)
}
