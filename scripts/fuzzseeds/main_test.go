package main

import (
	"bytes"
	"os"
	"path/filepath"
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
	src := `package p

import "testing"

func FuzzA(f *testing.F) { f.Fuzz(func(t *testing.T, b []byte, n byte) {}) }
func FuzzB(f *testing.F) { f.Fuzz(func(t *testing.T, s string, size int64) {}) }
func FuzzC(f *testing.F) { f.Fuzz(makeFuzz(nil)) }
`
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
