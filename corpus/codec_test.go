package corpus

import (
	"bytes"
	"errors"
	"io/fs"
	"strings"
	"testing"
	// Package testing itself, under a name go-118-fuzz-build's rewrite
	// leaves alone (it replaces only this file's unnamed import "testing"
	// with its shim): FuzzCodec tells the engines apart by f's type.
	stdtesting "testing"

	"pgregory.net/rapid"
)

func TestEncode(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want string
	}{
		{"empty", "", ""},
		{"request", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "GET / HTTP/1.1\\r\\n\nHost: x\\r\\n\n\\r\\n\n"},
		{"escapes", "a\tb\x00c\\d", `a\tb\0c\\d`},
		{"hex lowercase", "\x01\x7f\x80\xff", `\x01\x7f\x80\xff`},
		{"bare lf gets a line break", "a\nb", "a\\n\nb"},
		{"run below threshold", strings.Repeat("a", 63), strings.Repeat("a", 63)},
		{"run at threshold", strings.Repeat("a", 64), `\{64*a}`},
		{"run of escaped byte", strings.Repeat("\x00", 100) + "x", `\{100*\0}x`},
		{"run of lf has no line break", strings.Repeat("\n", 64), `\{64*\n}`},
		{"run of backslash", strings.Repeat(`\`, 70), `\{70*\\}`},
		{"run of brace", strings.Repeat("}", 65), `\{65*}}`},
		{"run of hex byte", strings.Repeat("\xfe", 64), `\{64*\xfe}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Encode([]byte(tt.raw)); got != tt.want {
				t.Errorf("Encode(%q) = %q; want %q", tt.raw, got, tt.want)
			}
			back, err := Decode(tt.want)
			if err != nil || string(back) != tt.raw {
				t.Errorf("Decode(%q) = %q, %v; want %q", tt.want, back, err, tt.raw)
			}
		})
	}
}

func TestDecodeLenient(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"line breaks ignored", "a\n\nb\n", "ab"},
		{"uppercase hex", `\xAB\xcd`, "\xab\xcd"},
		{"macro mid line", `x\{3*y}z`, "xyyyz"},
		{"macro count one", `\{1*\r}`, "\r"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.in)
			if err != nil || string(got) != tt.want {
				t.Errorf("Decode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		offset int
	}{
		{"lone backslash", `ab\`, 2},
		{"unknown escape", `a\q`, 1},
		{"short hex", `\x4`, 0},
		{"bad hex", `\xg0`, 0},
		{"literal cr", "a\rb", 1},
		{"literal tab", "a\tb", 1},
		{"literal nonascii", "a\xc3\xa9", 1},
		{"macro no star", `\{5a}`, 0},
		{"macro zero", `\{0*a}`, 0},
		{"macro leading zero", `\{05*a}`, 0},
		{"macro no count", `\{*a}`, 0},
		{"macro two bytes", `\{5*ab}`, 0},
		{"macro unterminated", `\{5*a`, 0},
		{"macro nested", `\{5*\{2*a}}`, 4},
		{"macro too many", `\{99999999*a}`, 0},
		{"macro bad unit", `\{5*\q}`, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Decode(%q) = %q, %v; want a *SyntaxError", tt.in, got, err)
			}
			if se.Offset != tt.offset {
				t.Errorf("Decode(%q) error at offset %d (%v); want offset %d", tt.in, se.Offset, err, tt.offset)
			}
		})
	}
}

func TestDecodeTooLarge(t *testing.T) {
	in := strings.Repeat(`\{16777216*a}`, 2)
	if _, err := Decode(in); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Decode(two 16 MiB macros) error = %v; want ErrTooLarge", err)
	}
}

// bytesWithRuns draws byte slices that mix arbitrary bytes with long runs,
// so both the escapes and the macro are exercised.
func bytesWithRuns() *rapid.Generator[[]byte] {
	return rapid.Custom(func(t *rapid.T) []byte {
		var out []byte
		n := rapid.IntRange(0, 8).Draw(t, "pieces")
		for range n {
			b := rapid.Byte().Draw(t, "byte")
			if rapid.Bool().Draw(t, "run") {
				out = append(out, bytes.Repeat([]byte{b}, rapid.IntRange(1, 300).Draw(t, "len"))...)
			} else {
				out = append(out, rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "bytes")...)
			}
		}
		return out
	})
}

func checkRoundTrip(t interface{ Fatalf(string, ...any) }, b []byte) {
	enc := Encode(b)
	got, err := Decode(enc)
	if err != nil {
		t.Fatalf("Decode(Encode(%q)) error: %v", b, err)
	}
	if !bytes.Equal(got, b) {
		t.Fatalf("Decode(Encode(%q)) = %q", b, got)
	}
	if again := Encode(got); again != enc {
		t.Fatalf("Encode is not stable: %q then %q", enc, again)
	}
}

func TestCodecRoundTripProperty(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		checkRoundTrip(t, bytesWithRuns().Draw(t, "raw"))
	})
	rapid.Check(t, func(t *rapid.T) {
		checkRoundTrip(t, rapid.SliceOf(rapid.Byte()).Draw(t, "raw"))
	})
}

// FuzzCodec: Decode(Encode(b)) == b for any bytes, and any notation that
// decodes re-encodes to an equivalent notation.
func FuzzCodec(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
	f.Add([]byte(`\{70*\x00}\r\n\\`))
	f.Add(bytes.Repeat([]byte{0xff}, 80))
	// Every case file as a seed, under go test only: go-118-fuzz-build
	// (make fuzz-libfuzzer, ClusterFuzzLite) calls FuzzCodec again for
	// every input, its f.Add is a no-op, and the walk cost a read of every
	// case file per input (22 execs/s); its seed corpus holds the case
	// files already (scripts/fuzzseeds).
	if _, goTest := any(f).(*stdtesting.F); goTest {
		_ = fs.WalkDir(casesFS, "cases", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if text, err := casesFS.ReadFile(p); err == nil && len(text) < 4096 {
				f.Add(text)
			}
			return nil
		})
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkRoundTrip(t, b)
		if len(b) > 1<<12 {
			return
		}
		if got, err := Decode(string(b)); err == nil {
			checkRoundTrip(t, got)
		}
	})
}
