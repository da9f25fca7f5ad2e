package static

import (
	"bytes"
	"slices"

	"github.com/ferrox/ferrox/parser"
)

// maxRanges bounds the ranges we serve as multipart/byteranges; a request
// with more is answered with the whole representation (RFC 9110 §14.2
// lets a server ignore a Range it considers abusive).
const maxRanges = 16

// byteRange is a satisfiable range: start and length within the file.
type byteRange struct{ start, length int64 }

// rangeResult says what to do with a Range header field.
type rangeResult int

const (
	rangeIgnore        rangeResult = iota // absent, invalid, or too many: send 200
	rangeOK                               // send 206 with the ranges
	rangeUnsatisfiable                    // send 416
)

// parseRange interprets a Range value against a representation of size
// bytes (RFC 9110 §14.1.1 grammar, §14.1.2 byte ranges) and appends the
// satisfiable ranges to dst, sorted and with overlapping or adjacent
// ranges coalesced. A syntax error, a unit other than bytes, or more than
// maxRanges specs mean rangeIgnore; when no spec is satisfiable the answer
// is rangeUnsatisfiable (§15.5.17).
func parseRange(dst []byteRange, v []byte, size int64) ([]byteRange, rangeResult) {
	v = trimOWS(v)
	// Range units are case-insensitive (§14.1).
	const unit = "bytes="
	if len(v) < len(unit) || !parser.EqualFold(v[:len(unit)], unit) {
		return dst, rangeIgnore
	}
	v = v[len(unit):]
	n0 := len(dst)
	specs := 0
	for len(v) > 0 {
		var spec []byte
		spec, v = nextElem(v)
		spec = trimOWS(spec)
		if len(spec) == 0 {
			continue // empty list elements are allowed (§5.6.1)
		}
		specs++
		if specs > maxRanges {
			return dst[:n0], rangeIgnore
		}
		dash := bytes.IndexByte(spec, '-')
		if dash < 0 {
			return dst[:n0], rangeIgnore
		}
		first, last := spec[:dash], spec[dash+1:]
		if len(first) == 0 {
			// suffix-range: the last n bytes.
			n, big, ok := parseUint(last)
			if !ok {
				return dst[:n0], rangeIgnore
			}
			if n == 0 && !big {
				continue // unsatisfiable
			}
			if big || n > size {
				n = size
			}
			if n == 0 {
				continue
			}
			dst = append(dst, byteRange{size - n, n})
			continue
		}
		start, bigStart, ok := parseUint(first)
		if !ok {
			return dst[:n0], rangeIgnore
		}
		end := int64(-1)
		if len(last) > 0 {
			e, bigEnd, ok := parseUint(last)
			if !ok || (!bigStart && !bigEnd && e < start) || (bigStart && !bigEnd) {
				return dst[:n0], rangeIgnore // last-pos < first-pos is invalid
			}
			if bigEnd {
				e = 1<<63 - 1
			}
			end = e
		}
		if bigStart || start >= size {
			continue // unsatisfiable
		}
		if end < 0 || end >= size {
			end = size - 1
		}
		dst = append(dst, byteRange{start, end - start + 1})
	}
	if specs == 0 {
		return dst[:n0], rangeIgnore
	}
	if len(dst) == n0 {
		return dst, rangeUnsatisfiable
	}
	out := coalesce(dst[n0:])
	dst = dst[:n0+len(out)]
	return dst, rangeOK
}

// coalesce sorts ranges and merges those that overlap or touch, in place.
func coalesce(rs []byteRange) []byteRange {
	if len(rs) < 2 {
		return rs
	}
	slices.SortFunc(rs, func(a, b byteRange) int {
		switch {
		case a.start < b.start:
			return -1
		case a.start > b.start:
			return 1
		}
		return 0
	})
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.start <= last.start+last.length {
			if end := r.start + r.length; end > last.start+last.length {
				last.length = end - last.start
			}
			continue
		}
		out = append(out, r)
	}
	return out
}
