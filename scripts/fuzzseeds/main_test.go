package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEncode(t *testing.T) {
	cases := []struct {
		name  string
		types []string
		vals  []any
		want  []byte
		ok    bool
	}{
		{"bytes", []string{"[]byte"}, []any{[]byte("GET")}, []byte("\x00\x00\x00\x03GET"), true},
		{"empty last bytes", []string{"[]byte"}, []any{nil}, nil, false},
		{"string then int64", []string{"string", "int64"}, []any{"ab", int64(258)},
			[]byte("\x00\x00\x00\x02ab\x00\x00\x00\x00\x00\x00\x01\x02\x01"), true},
		{"bytes then byte", []string{"[]byte", "byte"}, []any{[]byte("x"), int64(9)}, []byte("\x00\x00\x00\x01x\x09"), true},
		{"zero byte", []string{"[]byte", "byte"}, []any{[]byte("x"), nil}, []byte("\x00\x00\x00\x01x\x00"), true},
		{"unknown type", []string{"float64"}, []any{nil}, nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := encode(c.types, c.vals)
			if ok != c.ok || !bytes.Equal(got, c.want) {
				t.Fatalf("encode(%v, %v) = %q, %v; want %q, %v", c.types, c.vals, got, ok, c.want, c.ok)
			}
		})
	}
}

func TestGoValue(t *testing.T) {
	cases := []struct {
		line string
		want any
	}{
		{`[]byte("a\r\n\x00")`, []byte("a\r\n\x00")},
		{`string("x")`, "x"},
		{`byte('\x07')`, int64(7)},
		{`int64(-3)`, int64(-3)},
		{`uint64(18446744073709551615)`, uint64(18446744073709551615)},
		{`bool(true)`, true},
	}
	for _, c := range cases {
		t.Run(c.line, func(t *testing.T) {
			got, err := goValue(c.line)
			if err != nil {
				t.Fatalf("goValue(%q) = %v", c.line, err)
			}
			if d := cmp.Diff(c.want, got); d != "" {
				t.Fatalf("goValue(%q) (-want +got):\n%s", c.line, d)
			}
		})
	}
	if _, err := goValue(`[]byte(x)`); err == nil {
		t.Fatalf("goValue(%q) = nil error; want one", `[]byte(x)`)
	}
}

// TestArgTypes reads the argument types of targets from their source.
func TestArgTypes(t *testing.T) {
	dir := t.TempDir()
	// Built line by line: a line of this file that starts with "func
	// Fuzz" would be taken for a target by the build scripts' grep.
	src := strings.Join([]string{
		"package p",
		`import "testing"`,
		`func FuzzA(f *testing.F) { f.Fuzz(func(t *testing.T, b []byte, n byte) {}) }`,
		`func FuzzB(f *testing.F) { f.Fuzz(func(t *testing.T, s string, size int64) {}) }`,
		`func FuzzC(f *testing.F) { f.Fuzz(makeFuzz(nil)) }`,
	}, "\n")
	if err := os.WriteFile(filepath.Join(dir, "x_test.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		target string
		want   []string
	}{
		{"FuzzA", []string{"[]byte", "byte"}},
		{"FuzzB", []string{"string", "int64"}},
		{"FuzzC", []string{"[]byte"}},
	}
	for _, c := range cases {
		got, err := argTypes(dir, c.target)
		if err != nil {
			t.Fatalf("argTypes(%s) = %v", c.target, err)
		}
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("argTypes(%s) (-want +got):\n%s", c.target, d)
		}
	}
	if _, err := argTypes(dir, "FuzzMissing"); err == nil {
		t.Errorf("argTypes(FuzzMissing) = nil error; want one")
	}
}

// TestDecodeRoundTrip: decode reads back what encode wrote, as Go's
// corpus-file syntax that goValue parses.
func TestDecodeRoundTrip(t *testing.T) {
	cases := []struct {
		name  string
		types []string
		vals  []any
		want  string
	}{
		{"bytes", []string{"[]byte"}, []any{[]byte("GET /\r\n")}, "go test fuzz v1\n[]byte(\"GET /\\r\\n\")\n"},
		{"string int64", []string{"string", "int64"}, []any{"bytes=0-1", int64(-5)}, "go test fuzz v1\nstring(\"bytes=0-1\")\nint64(-5)\n"},
		{"bytes byte", []string{"[]byte", "byte"}, []any{[]byte("x"), int64(9)}, "go test fuzz v1\n[]byte(\"x\")\nbyte('\\t')\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, ok := encode(c.types, c.vals)
			if !ok {
				t.Fatalf("encode(%v, %v) failed", c.types, c.vals)
			}
			got, err := decode(c.types, b)
			if err != nil || got != c.want {
				t.Fatalf("decode(encode(%v)) = %q, %v; want %q", c.vals, got, err, c.want)
			}
		})
	}
	// A libFuzzer input need not be one encode wrote: the length is taken
	// modulo what is left, as go-fuzz-headers does.
	got, err := decode([]string{"[]byte"}, []byte("\xff\xff\xff\xffFRX!"))
	if want := "go test fuzz v1\n[]byte(\"FRX\")\n"; err != nil || got != want {
		t.Fatalf("decode(0xffffffff FRX!) = %q, %v; want %q", got, err, want)
	}
	if _, err := decode([]string{"[]byte"}, []byte("ab")); err == nil {
		t.Fatalf("decode of 2 bytes = nil error; want one")
	}
}
