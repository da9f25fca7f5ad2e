package static

import "bytes"

// Helpers for the comma-separated field values the handler reads (Range,
// Accept-Encoding, If-Match, If-None-Match, If-Range; the list syntax is
// RFC 9110 §5.6.1). ASCII case folding is parser.EqualFold.

// isSpace is OWS (RFC 9110 §5.6.3): SP or HTAB.
func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// trimOWS removes the optional whitespace around a list element or a
// parameter.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// nextElem splits the list v at its first comma: elem is what precedes
// it (not trimmed), rest what follows (nil after the last element).
func nextElem(v []byte) (elem, rest []byte) {
	if i := bytes.IndexByte(v, ','); i >= 0 {
		return v[:i], v[i+1:]
	}
	return v, nil
}

// parseUint parses 1*DIGIT without sign or spaces, refusing overflow: a
// huge number is a syntax the server guards against (RFC 9110 §14.1.1).
// ok is false for an empty or invalid string; big is true when the number
// exceeds int64 (kept as "very large").
func parseUint(b []byte) (n int64, big, ok bool) {
	if len(b) == 0 {
		return 0, false, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false, false
		}
		if n > (1<<63-1-9)/10 {
			big = true
			continue
		}
		n = n*10 + int64(c-'0')
	}
	return n, big, true
}
