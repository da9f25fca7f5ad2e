package fuzzfix

import (
	"os"
	"strings"
	"testing"
)

// TestOnce: a key's fixture is built once and shared; another key gets
// its own.
func TestOnce(t *testing.T) {
	n := 0
	build := func(Process) int { n++; return n }
	if a, b := Once("test-once-a", build), Once("test-once-a", build); a != 1 || b != 1 {
		t.Fatalf("Once twice for one key = %d, %d; want 1, 1 (built once)", a, b)
	}
	if c := Once("test-once-b", build); c != 2 {
		t.Fatalf("Once for another key = %d; want 2 (built anew)", c)
	}
}

// TestProcessFails: a fixture's failure panics with its message, so the
// input that triggered the build crashes with it; TempDir makes a
// directory that stays.
func TestProcessFails(t *testing.T) {
	defer func() {
		r := recover()
		if s, _ := r.(string); !strings.Contains(s, "no site: 42") {
			t.Fatalf("Fatalf panicked with %v; want the message", r)
		}
	}()
	dir := Process{}.TempDir()
	defer os.RemoveAll(dir)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("TempDir %s: %v", dir, err)
	}
	Process{}.Fatalf("no site: %d", 42)
}
