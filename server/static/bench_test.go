package static

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/wire"
)

// benchRoot is a root holding one 1 KiB file, file.html, and one with
// no compressible type, file.bin.
func benchRoot(b testing.TB) string {
	root := b.TempDir()
	for _, n := range []string{"file.html", "file.bin"} {
		if err := os.WriteFile(filepath.Join(root, n), []byte(strings.Repeat("x", 1024)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return root
}

func benchServe(b *testing.B, target string, kv ...string) {
	h, err := New(Config{Root: benchRoot(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	r := mkreq("GET", target, kv...)
	resp := &wire.Response{}
	b.ReportAllocs()
	for b.Loop() {
		resp.Reset()
		h.serve(r, resp)
		if resp.Status != 200 || resp.ContentLength != 1024 {
			b.Fatalf("status %d, length %d", resp.Status, resp.ContentLength)
		}
		resp.Release()
	}
}

// BenchmarkServeFile: a plain GET of an existing 1 KiB file.
func BenchmarkServeFile(b *testing.B) { benchServe(b, "/file.html") }

// BenchmarkServeFileBin: the same for a type without sibling lookups.
func BenchmarkServeFileBin(b *testing.B) { benchServe(b, "/file.bin") }

// BenchmarkServeFileAcceptEncoding: a browser-like GET that looks for
// .br/.gz siblings which do not exist.
func BenchmarkServeFileAcceptEncoding(b *testing.B) {
	benchServe(b, "/file.html", "Accept-Encoding", "gzip, deflate, br")
}

// TestServeFileAllocs pins the hot path's allocations: a memory profile
// shows five, all os.Root.OpenFile's own (the *os.File, its name, the
// path split); testing.AllocsPerRun (MemStats) reports one more.
// The handler itself adds none.
func TestServeFileAllocs(t *testing.T) {
	h, err := New(Config{Root: benchRoot(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	for _, c := range []struct {
		name string
		r    *request
	}{
		{"plain", mkreq("GET", "/file.html")},
		{"head", mkreq("HEAD", "/file.bin")},
	} {
		resp := &wire.Response{}
		allocs := testing.AllocsPerRun(200, func() {
			resp.Reset()
			h.serve(c.r, resp)
			resp.Release()
		})
		if resp.Status != 200 {
			t.Fatalf("%s: status %d", c.name, resp.Status)
		}
		if allocs > 6 {
			t.Errorf("%s: %v allocs per request; want <= 6 (os.Root.OpenFile's own)", c.name, allocs)
		}
	}
}

// BenchmarkServeParsed: Serve with a request from the real parser (a
// browser-like head), as the engine calls it.
func BenchmarkServeParsed(b *testing.B) {
	h, err := New(Config{Root: benchRoot(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	raw := []byte("GET /file.html HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate, br\r\nAccept-Language: en\r\n\r\n")
	var p parser.Parser
	var req parser.Request
	if _, err := p.Parse(raw, &req); err != nil {
		b.Skipf("parser: %v", err)
	}
	resp := &wire.Response{}
	b.ReportAllocs()
	for b.Loop() {
		resp.Reset()
		h.Serve(&req, resp)
		if resp.Status != 200 {
			b.Fatalf("status %d", resp.Status)
		}
		resp.Release()
	}
}
