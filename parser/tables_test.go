package parser

import (
	"strings"
	"testing"
)

// Oracles written straight from the ABNF, deliberately naive and separate
// from the table literal.
var classOracles = []struct {
	name string
	bit  uint8
	want func(c byte) bool
}{
	{"tchar (RFC 9110 §5.6.2)", cTchar, func(c byte) bool {
		return strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) || isDIGIT(c) || isALPHA(c)
	}},
	{"field value byte (RFC 9110 §5.5)", cValue, func(c byte) bool {
		return isVCHAR(c) || c >= 0x80 || c == ' ' || c == '\t'
	}},
	{"request-target byte (VCHAR minus \" # < >)", cTarget, isTargetByte},
	{"HEXDIG (RFC 5234)", cHex, func(c byte) bool {
		return isDIGIT(c) || strings.ContainsRune("ABCDEFabcdef", rune(c))
	}},
	{"reg-name byte (RFC 3986 §3.2.2)", cRegName, func(c byte) bool {
		unreserved := isALPHA(c) || isDIGIT(c) || strings.ContainsRune("-._~", rune(c))
		subDelims := strings.ContainsRune("!$&'()*+,;=", rune(c))
		return unreserved || subDelims || c == '%'
	}},
	{"qdtext (RFC 9110 §5.6.4)", cQdtext, func(c byte) bool {
		return c == '\t' || c == ' ' || c == 0x21 || (c >= 0x23 && c <= 0x5B) || (c >= 0x5D && c <= 0x7E) || c >= 0x80
	}},
	{"unreserved (RFC 3986 §2.3)", cUnreserved, func(c byte) bool {
		return isALPHA(c) || isDIGIT(c) || strings.ContainsRune("-._~", rune(c))
	}},
}

func isALPHA(c byte) bool { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') }
func isDIGIT(c byte) bool { return c >= '0' && c <= '9' }
func isVCHAR(c byte) bool { return c >= 0x21 && c <= 0x7E }

// isTargetByte is the strict-profile request-target byte: visible ASCII
// except the four bytes no URI may carry raw in a request-target.
func isTargetByte(c byte) bool { return isVCHAR(c) && !strings.ContainsRune("\"#<>", rune(c)) }

func TestCharClassTables(t *testing.T) {
	for _, o := range classOracles {
		for i := 0; i < 256; i++ {
			c := byte(i)
			if got, want := charClass[c]&o.bit != 0, o.want(c); got != want {
				t.Errorf("%s: charClass[%#02x] = %v; want %v", o.name, c, got, want)
			}
		}
	}
}

// TestSWARScreens checks the eight-byte screens against the tables for
// every byte value in every position.
func TestSWARScreens(t *testing.T) {
	base := []byte("abcdefgh")
	for pos := 0; pos < 8; pos++ {
		for i := 0; i < 256; i++ {
			w := append([]byte(nil), base...)
			w[pos] = byte(i)
			if got, want := target8(w), isTargetByte(byte(i)); got != want {
				t.Errorf("target8(%q) = %v; want %v", w, got, want)
			}
			// valueMask8 must flag every CTL (HTAB too) and DEL, never SP
			// or VCHAR, and may flag obs-text (the caller accepts it byte
			// by byte); the lowest flag must be exact.
			c := byte(i)
			m := valueMask8(w)
			mustFlag := c < 0x20 || c == 0x7f
			mayFlag := c >= 0x80
			switch {
			case mustFlag && m == 0:
				t.Errorf("valueMask8(%q) = 0; want byte %d flagged", w, pos)
			case !mustFlag && !mayFlag && m != 0:
				t.Errorf("valueMask8(%q) = %#x; want 0", w, m)
			case m != 0 && trailingByte(m) != pos:
				t.Errorf("valueMask8(%q) lowest flag at byte %d; want %d", w, trailingByte(m), pos)
			}
		}
	}
}

func trailingByte(m uint64) int {
	n := 0
	for m&0xff == 0 {
		m >>= 8
		n++
	}
	return n
}

func TestLowerAndEqualFold(t *testing.T) {
	for i := 0; i < 256; i++ {
		c := byte(i)
		want := c
		if c >= 'A' && c <= 'Z' {
			want = c + 32
		}
		if got := lower(c); got != want {
			t.Errorf("lower(%#02x) = %#02x; want %#02x", c, got, want)
		}
	}
	for _, c := range []struct {
		b, s string
		want bool
	}{{"Chunked", "chunked", true}, {"CHUNKED", "chunked", true}, {"chunke", "chunked", false}, {"chunkeD ", "chunked", false}} {
		if got := equalFold([]byte(c.b), c.s); got != c.want {
			t.Errorf("equalFold(%q, %q) = %v; want %v", c.b, c.s, got, c.want)
		}
	}
}
