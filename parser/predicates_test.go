package parser

import (
	"strings"
	"testing"
)

// The exported predicates against oracles written from the ABNF, over
// every byte value (alone, and inside a longer string) and edge cases.

func TestIsUnreserved(t *testing.T) {
	for i := 0; i < 256; i++ {
		c := byte(i)
		unres := isALPHA(c) || isDIGIT(c) || strings.ContainsRune("-._~", rune(c))
		if got := IsUnreserved(c); got != unres {
			t.Errorf("IsUnreserved(%#02x) = %v; want %v", c, got, unres)
		}
	}
}

func TestValidToken(t *testing.T) {
	if ValidToken("") || ValidToken([]byte{}) {
		t.Error("ValidToken(\"\") = true; want false (token = 1*tchar)")
	}
	for i := 0; i < 256; i++ {
		c := byte(i)
		want := strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) || isDIGIT(c) || isALPHA(c)
		s := "X-" + string([]byte{c}) + "-y"
		if got := ValidToken(s); got != want {
			t.Errorf("ValidToken(%q) = %v; want %v", s, got, want)
		}
		if got := ValidToken([]byte(s)); got != want {
			t.Errorf("ValidToken([]byte(%q)) = %v; want %v", s, got, want)
		}
	}
}

func TestValidFieldValue(t *testing.T) {
	for i := 0; i < 256; i++ {
		c := byte(i)
		// field-vchar = VCHAR / obs-text, with SP and HTAB inside.
		want := isVCHAR(c) || c >= 0x80 || c == ' ' || c == '\t'
		s := "a" + string([]byte{c}) + "b"
		if got := ValidFieldValue(s); got != want {
			t.Errorf("ValidFieldValue(%q) = %v; want %v", s, got, want)
		}
	}
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"", true}, {"nosniff", true}, {"max-age=1; includeSubDomains", true},
		{" a", false}, {"a ", false}, {"\ta", false}, {"a\t", false}, {" ", false},
		{"a\r\nX-Evil: 1", false}, {"a\x00", false}, {"a\x7f", false}, {"caf\xc3\xa9", true},
	} {
		if got := ValidFieldValue(c.s); got != c.want {
			t.Errorf("ValidFieldValue(%q) = %v; want %v", c.s, got, c.want)
		}
	}
}

func TestEqualFold(t *testing.T) {
	for i := 0; i < 256; i++ {
		for _, j := range []int{i, i ^ 0x20} {
			a, b := byte(i), byte(j)
			want := a == b || isALPHA(a) && isALPHA(b) && a|0x20 == b|0x20
			if got := EqualFold([]byte{a}, string([]byte{b})); got != want {
				t.Errorf("EqualFold(%q, %q) = %v; want %v", a, b, got, want)
			}
		}
	}
	for _, c := range []struct {
		a, b string
		want bool
	}{{"Content-Length", "content-length", true}, {"GZIP", "gzip", true}, {"gzip", "gzi", false}, {"k\xe9", "K\xc9", false}} {
		if got := EqualFold(c.a, c.b); got != c.want {
			t.Errorf("EqualFold(%q, %q) = %v; want %v", c.a, c.b, got, c.want)
		}
	}
}
