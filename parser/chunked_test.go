package parser

import (
	"errors"
	"strings"
	"testing"
)

func TestChunkedValid(t *testing.T) {
	cases := []struct {
		id, in, data string
		rest         int
	}{
		{"9112-7.1/one-chunk", "5\r\nhello\r\n0\r\n\r\n", "hello", 0},
		{"9112-7.1/multi-chunk-upper-hex", "3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n", "abc0123456789", 0},
		{"9112-7.1/leading-zeros", "0000a\r\n0123456789\r\n000\r\n\r\n", "0123456789", 0},
		{"9112-7.1/empty-body", "0\r\n\r\n", "", 0},
		{"9112-7.1.1/extensions", "5;a=b;c\r\nhello\r\n0;last=\"x\\\"y\"\r\n\r\n", "hello", 0},
		{"9112-7.1.1/extension-bws", "5 ; a = b\r\nhello\r\n0\r\n\r\n", "hello", 0},
		{"9112-7.1.2/trailers-dropped", "5\r\nhello\r\n0\r\nContent-Length: 99\r\nX: \t y \r\n\r\n", "hello", 0},
		{"9112-7.1/leftover-not-consumed", "1\r\na\r\n0\r\n\r\nGET / HTTP/1.1\r\n", "a", 16},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			for _, step := range []int{0, 1, 2, 3} {
				data, done, rest, err := decodeChunked([]byte(c.in), step)
				if err != nil || !done || string(data) != c.data || rest != c.rest {
					t.Errorf("Decode(%q) steps of %d = %q, done %v, rest %d, %v; want %q, true, %d, nil",
						c.in, step, data, done, rest, err, c.data, c.rest)
				}
			}
		})
	}
}

func TestChunkedErrors(t *testing.T) {
	cases := []struct {
		id, in string
		status int
		reason string
	}{
		{"9112-7.1/empty-size", "\r\nhello\r\n0\r\n\r\n", 400, "invalid_chunk_size"},
		{"9112-7.1/hex-prefix", "0x5\r\nhello\r\n0\r\n\r\n", 400, "invalid_chunk_size"},
		{"9112-7.1/sign", "+5\r\nhello\r\n0\r\n\r\n", 400, "invalid_chunk_size"},
		{"9112-7.1/leading-space", " 5\r\nhello\r\n0\r\n\r\n", 400, "invalid_chunk_size"},
		{"9112-7.1/trailing-space", "5 \r\nhello\r\n0\r\n\r\n", 400, "invalid_chunk_ext"},
		{"9112-7.1/overflow", "ffffffffffffffffff\r\n", 400, "chunk_size_overflow"},
		{"9112-7.1/bare-lf-size", "5\nhello\r\n0\r\n\r\n", 400, "bare_lf"},
		{"9112-7.1/bare-cr-size", "5\rhello\r\n0\r\n\r\n", 400, "bare_cr"},
		{"9112-7.1/data-too-long", "5\r\nhelloX\r\n0\r\n\r\n", 400, "missing_chunk_crlf"},
		{"9112-7.1/bare-lf-after-data", "5\r\nhello\n0\r\n\r\n", 400, "bare_lf"},
		{"9112-7.1/bare-cr-after-data", "5\r\nhello\rX", 400, "bare_cr"},
		{"9112-7.1.1/ext-ctl", "5;a\x01\r\nhello\r\n", 400, "invalid_chunk_ext"},
		{"9112-7.1.1/ext-empty-name", "5;=b\r\nhello\r\n", 400, "invalid_chunk_ext"},
		{"9112-7.1.1/ext-trailing-ws", "5;a=b \r\nhello\r\n", 400, "invalid_chunk_ext"},
		{"9112-7.1.1/ext-unterminated-quote", "5;a=\"b\r\nhello\r\n", 400, "invalid_chunk_ext"},
		{"9112-7.1.1/ext-too-large", "5;" + strings.Repeat("a", 5000) + "\r\nhello\r\n", 400, "chunk_ext_too_large"},
		{"9112-7.1.2/trailer-obs-fold", "0\r\nX: y\r\n z\r\n\r\n", 400, "obs_fold"},
		{"9112-7.1.2/trailer-space-before-colon", "0\r\nX : y\r\n\r\n", 400, "space_before_colon"},
		{"9112-7.1.2/trailer-missing-colon", "0\r\nXY\r\n\r\n", 400, "missing_colon"},
		{"9112-7.1.2/trailer-bad-name", "0\r\n[x]: y\r\n\r\n", 400, "invalid_field_name"},
		{"9112-7.1.2/trailer-nul", "0\r\nX: a\x00\r\n\r\n", 400, "bad_field_value"},
		{"9112-7.1.2/trailer-bare-lf", "0\r\nX: y\n\r\n", 400, "bare_lf"},
		{"9112-7.1.2/trailer-bare-cr-end", "0\r\n\rX", 400, "bare_cr"},
		{"9112-7.1.2/trailer-too-large", "0\r\nX: " + strings.Repeat("a", 9000) + "\r\n\r\n", 431, "trailer_too_large"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			for _, step := range []int{0, 1, 2} {
				_, _, _, err := decodeChunked([]byte(c.in), step)
				var pe *Error
				if !errors.As(err, &pe) || pe.Status != c.status || pe.Reason != c.reason {
					t.Errorf("Decode(%q) steps of %d = %v; want %d %s", c.in, step, err, c.status, c.reason)
				}
			}
		})
	}
}

func TestChunkedLimitsAndReset(t *testing.T) {
	d := ChunkedDecoder{MaxExtensionBytes: 4, MaxTrailerBytes: 6}
	if _, _, _, err := d.Decode([]byte("1;abcd\r\n")); err == nil {
		t.Errorf("Decode with 5 extension bytes over a limit of 4 = nil; want an error")
	}
	if _, _, _, err := d.Decode([]byte("1\r\n")); err == nil {
		t.Errorf("Decode after an error = nil; want the error again")
	}
	d.Reset()
	if d.MaxExtensionBytes != 4 || d.MaxTrailerBytes != 6 {
		t.Fatalf("Reset dropped the limits: %+v", d)
	}
	n, data, done, err := d.Decode([]byte("1;ab\r\nx\r\n"))
	if err != nil || string(data) != "x" || done || n != 7 {
		t.Errorf("Decode after Reset = %d, %q, %v, %v; want 7, \"x\", false, nil", n, data, done, err)
	}
	if _, _, _, err := d.Decode([]byte("\r\n0\r\nAB: cd\r\n")); err == nil {
		t.Errorf("Decode with 8 trailer bytes over a limit of 6 = nil; want an error")
	}
}

func TestChunkedAllocs(t *testing.T) {
	in := []byte("5;a=b\r\nhello\r\n6\r\n world\r\n0\r\nX: y\r\n\r\n")
	var d ChunkedDecoder
	if a := testing.AllocsPerRun(100, func() {
		d.Reset()
		for b := in; len(b) > 0; {
			n, _, done, err := d.Decode(b)
			if err != nil || done {
				break
			}
			b = b[n:]
		}
	}); a != 0 {
		t.Errorf("Decode allocates %v times per body; want 0", a)
	}
}
