package parser

import (
	"strings"
	"testing"
)

// checkFieldLine holds fieldLine to its contract against the reference:
// the same result from 16 bytes on; below that, the same or "not taken".
func checkFieldLine(t *testing.T, b []byte) {
	t.Helper()
	var got, want [4]int
	got[0], got[1], got[2], got[3] = fieldLine(b)
	want[0], want[1], want[2], want[3] = fieldLineGeneric(b)
	if got != want && (len(b) >= 16 || got != [4]int{}) {
		t.Fatalf("fieldLine(%q) = %v; reference %v", b, got, want)
	}
}

// TestFieldLineEveryByte puts each of the 256 byte values at every
// position of names and values of lengths around the 16-byte blocks, with
// and without the colon and the CRLF that make a line.
func TestFieldLineEveryByte(t *testing.T) {
	for total := 0; total <= 50; total++ {
		for p := 0; p < total; p++ {
			for c := 0; c < 256; c++ {
				b := []byte(strings.Repeat("a", total))
				b[p] = byte(c)
				checkFieldLine(t, b)
				if total < 4 {
					continue
				}
				// A colon early on (p falls in the value) and a CRLF at
				// the end, or in the middle.
				b[1], b[total-2], b[total-1] = ':', '\r', '\n'
				b[p] = byte(c)
				checkFieldLine(t, b)
				b[2], b[total-2], b[total-1] = ' ', ' ', 'x'
				b[total/2], b[total/2+1] = '\r', '\n'
				b[p] = byte(c)
				checkFieldLine(t, b)
			}
		}
	}
}

// checkTargetScan holds targetScan to its contract: exact from 16 bytes
// on, never past the reference below that.
func checkTargetScan(t *testing.T, b []byte) {
	t.Helper()
	got, want := targetScan(b), targetScanGeneric(b)
	if got != want && (len(b) >= 16 || got > want) {
		t.Fatalf("targetScan(%q) = %d; reference %d", b, got, want)
	}
}

func TestTargetScanEveryByte(t *testing.T) {
	for total := 0; total <= 50; total++ {
		for p := 0; p < total; p++ {
			for c := 0; c < 256; c++ {
				b := []byte(strings.Repeat("/", total))
				b[p] = byte(c)
				checkTargetScan(t, b)
			}
		}
	}
}

func FuzzFieldLine(f *testing.F) {
	f.Add([]byte("User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nHost: x\r\n\r\n"))
	f.Add([]byte("X:\t\x7f\x80\xff\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := 0; i <= len(b) && i < 40; i++ {
			checkFieldLine(t, b[i:])
			checkTargetScan(t, b[i:])
		}
	})
}
