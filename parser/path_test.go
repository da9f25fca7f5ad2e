package parser

import (
	"errors"
	"testing"
)

func TestDecodePath(t *testing.T) {
	cases := []struct {
		id, in, want string
		reason       string // DecodePath
		strictReason string // DecodePathStrict; "" = same result as DecodePath
	}{
		{"plain", "/a/b.txt", "/a/b.txt", "", ""},
		{"space", "/a%20b", "/a b", "", ""},
		{"utf8", "/caf%C3%A9", "/caf\xc3\xa9", "", ""},
		{"lower-hex", "/%7e%7E", "/~~", "", ""},
		{"encoded-slash", "/a%2Fb", "/a/b", "", "encoded_slash"},
		{"encoded-slash-lower", "/a%2fb", "/a/b", "", "encoded_slash"},
		{"encoded-nul", "/a%00", "/a\x00", "", "nul_in_path"},
		{"encoded-backslash", "/a%5c", "/a\\", "", "backslash_in_path"},
		{"raw-backslash", "/a\\b", "/a\\b", "", "backslash_in_path"},
		{"bad-hex", "/%zz", "", "bad_percent_encoding", "bad_percent_encoding"},
		{"short", "/%4", "", "bad_percent_encoding", "bad_percent_encoding"},
		{"lone", "/a%", "", "bad_percent_encoding", "bad_percent_encoding"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			for _, strict := range []bool{false, true} {
				reason := c.reason
				fn := DecodePath
				if strict {
					fn = DecodePathStrict
					if c.strictReason != "" {
						reason = c.strictReason
					}
				}
				got, err := fn(nil, []byte(c.in))
				if reason == "" {
					if err != nil || string(got) != c.want {
						t.Errorf("decode(strict=%v, %q) = %q, %v; want %q, nil", strict, c.in, got, err, c.want)
					}
					continue
				}
				var pe *Error
				if !errors.As(err, &pe) || pe.Reason != reason || pe.Status != 400 {
					t.Errorf("decode(strict=%v, %q) = %q, %v; want 400 %s", strict, c.in, got, err, reason)
				}
			}
		})
	}
}

func TestDecodePathNoEscapeReturnsInput(t *testing.T) {
	p := []byte("/static/app.js")
	got, err := DecodePath(nil, p)
	if err != nil || &got[0] != &p[0] || len(got) != len(p) {
		t.Fatalf("DecodePath(%q) = %q, %v; want the input itself", p, got, err)
	}
	dst := make([]byte, 0, 64)
	if a := testing.AllocsPerRun(100, func() {
		_, _ = DecodePath(dst, p)
		_, _ = DecodePathStrict(dst, []byte("/a%20b"))
	}); a != 0 {
		t.Errorf("DecodePath allocates %v times; want 0", a)
	}
}
