package parser

import "encoding/binary"

// Byte classes as one bitmask table (a table, not if-chains, as x/net's
// httpguts keeps its token table).
// Each bit is one class; the ABNF it encodes is above its constant. The
// table literal was generated once from these definitions; tables_test.go
// checks all 256 values against an independent oracle written from the
// RFC ABNF.
const (
	// RFC 9110 §5.6.2:
	//   token = 1*tchar
	//   tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
	//           "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
	cTchar uint8 = 1 << iota

	// RFC 9110 §5.5: bytes allowed inside a field value (and the OWS
	// around it):
	//   field-vchar = VCHAR / obs-text
	//   VCHAR = %x21-7E ; obs-text = %x80-FF ; plus SP and HTAB
	cValue

	// Request-target bytes (RFC 9112 §3.2, strict profile): visible ASCII
	// only, VCHAR = %x21-7E; no CTL, SP, DEL or obs-text. Also refused:
	// '"', '<', '>' (never URI characters, RFC 3986 §2) and '#' (a fragment
	// is not part of a request-target, RFC 9112 §3.2). WHATWG-conforming
	// clients percent-encode these four in both path and query, so refusing
	// them costs no real client; the other non-URI bytes ('|', '^', '`',
	// '{', '}', '\') are still accepted here because browsers send some of
	// them raw in queries (the static handler refuses '\' in paths).
	cTarget

	// RFC 5234 B.1: HEXDIG = DIGIT / "A"-"F" (case-insensitive, RFC 5234 §2.3)
	cHex

	// RFC 3986 §3.2.2: reg-name = *( unreserved / pct-encoded / sub-delims )
	//   unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
	//   sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
	// plus "%" (the escape itself is checked by the caller).
	cRegName

	// RFC 9110 §5.6.4:
	//   qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
	cQdtext

	// RFC 3986 §2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~",
	// the bytes of DNS names and IP addresses (a redirect names only hosts
	// made of these).
	cUnreserved
)

// charClass maps a byte to its class bits (see the constants above).
var charClass = [256]uint8{
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x22, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 0x00-0x0f
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // 0x10-0x1f
	0x22, 0x37, 0x02, 0x23, 0x37, 0x37, 0x37, 0x37, 0x36, 0x36, 0x37, 0x37, 0x36, 0x77, 0x77, 0x26, // 0x20-0x2f
	0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x26, 0x36, 0x22, 0x36, 0x22, 0x26, // 0x30-0x3f
	0x26, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, // 0x40-0x4f
	0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x26, 0x06, 0x26, 0x27, 0x77, // 0x50-0x5f
	0x27, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, // 0x60-0x6f
	0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x77, 0x26, 0x27, 0x26, 0x77, 0x00, // 0x70-0x7f
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, // 0x80-0x8f
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, // 0x90-0x9f
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, // 0xa0-0xaf
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, // 0xb0-0xbf
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, // 0xc0-0xcf
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, // 0xd0-0xdf
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, // 0xe0-0xef
	0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, // 0xf0-0xff
}

func isTchar(c byte) bool { return charClass[c]&cTchar != 0 }
func isHex(c byte) bool   { return charClass[c]&cHex != 0 }

// unhex returns the value of a HEXDIG (only call it for isHex bytes).
func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// lower folds ASCII A-Z only (field names and tokens are ASCII, RFC 9110 §5.1).
func lower(c byte) byte {
	if c-'A' < 26 {
		return c + ('a' - 'A')
	}
	return c
}

// equalFold reports whether b equals the lowercase ASCII string s, folding
// only the bytes of b.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if lower(b[i]) != s[i] {
			return false
		}
	}
	return true
}

// Eight-bytes-at-a-time screens for the long runs (targets, field values).
// They may report a word as bad when a single byte in it is allowed but
// unusual (HTAB); callers then fall back to the table byte by byte, so
// only "no false all-good" matters: a byte below n always sets its word's
// flag (the lowest such byte borrows nothing and keeps its high bit).
const (
	swarLo = 0x0101010101010101
	swarHi = 0x8080808080808080
)

func hasLess(x uint64, n byte) uint64 { return (x - swarLo*uint64(n)) &^ x & swarHi }
func hasZero(x uint64) uint64         { return (x - swarLo) &^ x & swarHi }

// target8 reports whether b[0:8] are all request-target bytes (cTarget):
// VCHAR (%x21-7E) except '"', '#', '<' and '>'.
func target8(b []byte) bool {
	x := binary.LittleEndian.Uint64(b)
	return hasLess(x, 0x21)|x&swarHi|hasZero(x^(swarLo*0x7f))|
		hasZero(x^(swarLo*'"'))|hasZero(x^(swarLo*'#'))|hasZero(x^(swarLo*'<'))|hasZero(x^(swarLo*'>')) == 0
}

// valueMask8 flags the bytes of b[0:8] that are not SP or VCHAR: CTLs
// (HTAB included), DEL, and for speed some obs-text (0x80-0x9F, 0xFF),
// which the caller then accepts byte by byte. The lowest flag is exact;
// flags above it may be spurious.
//
// Each byte b becomes y = (b & 0x7F) + 1, in 1..0x80 with no carry between
// bytes; b is flagged when y <= 0x20 (b & 0x7F is a CTL) or y == 0x80
// (b & 0x7F is DEL). (y - 0x21) sets the high bit exactly for y < 0x21,
// y itself has it exactly for 0x80, so one OR covers both: five operations
// a word instead of eight.
func valueMask8(b []byte) uint64 {
	y := binary.LittleEndian.Uint64(b)&^swarHi + swarLo
	return (y - swarLo*0x21 | y) & swarHi
}
