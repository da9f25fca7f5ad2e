package static

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ferrox/ferrox/wire"
)

// clockHandler is newHandler with a clock the test moves.
func clockHandler(t *testing.T, cfg Config) (*Handler, string, *atomic.Int64) {
	t.Helper()
	root, _ := newTree(t)
	cfg.Root = root
	h := newHandler(t, cfg)
	var now atomic.Int64
	now.Store(fixedNow.UnixNano())
	h.now = func() time.Time { return time.Unix(0, now.Load()) }
	return h, root, &now
}

func isClosed(f *os.File) bool {
	_, err := f.Stat()
	return errors.Is(err, os.ErrClosed)
}

// TestOpenFileCacheDeleted: a small file deleted after it was served is
// still served from the open descriptor until its entry expires, then 404;
// with the cache off, 404 at once.
func TestOpenFileCacheDeleted(t *testing.T) {
	h, root, now := clockHandler(t, Config{})
	if resp, body := do(t, h, mkreq("GET", "/hello.txt")); resp.Status != 200 || body != "hello, world\n" {
		t.Fatalf("GET = %d %q", resp.Status, body)
	}
	if err := os.Remove(filepath.Join(root, "hello.txt")); err != nil {
		t.Fatal(err)
	}
	now.Add(int64(DefaultOpenFileCache) - 1)
	if resp, body := do(t, h, mkreq("GET", "/hello.txt")); resp.Status != 200 || body != "hello, world\n" {
		t.Fatalf("GET within the validity = %d %q; want the cached file", resp.Status, body)
	}
	now.Add(1)
	if resp, _ := do(t, h, mkreq("GET", "/hello.txt")); resp.Status != 404 {
		t.Fatalf("GET after the validity = %d; want 404", resp.Status)
	}

	off, root2, _ := clockHandler(t, Config{OpenFileCache: -1})
	do(t, off, mkreq("GET", "/hello.txt"))
	os.Remove(filepath.Join(root2, "hello.txt"))
	if resp, _ := do(t, off, mkreq("GET", "/hello.txt")); resp.Status != 404 {
		t.Fatalf("cache off: GET after delete = %d; want 404", resp.Status)
	}
}

// TestOpenFileCacheChangedInPlace: a rewrite of the same inode is seen at
// once (size, body and validators), because every use runs fstat.
func TestOpenFileCacheChangedInPlace(t *testing.T) {
	h, root, _ := clockHandler(t, Config{})
	resp1, body1 := do(t, h, mkreq("GET", "/digits.txt"))
	etag1 := resp1.Get("ETag")
	p := filepath.Join(root, "digits.txt")
	if err := os.WriteFile(p, []byte("short"), 0o644); err != nil { // O_TRUNC: same inode
		t.Fatal(err)
	}
	resp2, body2 := do(t, h, mkreq("GET", "/digits.txt"))
	if resp2.Status != 200 || body2 != "short" || resp2.ContentLength != 5 {
		t.Fatalf("after rewrite: %d %q (Content-Length %d); first was %q", resp2.Status, body2, resp2.ContentLength, body1)
	}
	if resp2.Get("ETag") == etag1 {
		t.Errorf("ETag %s unchanged after the file changed", etag1)
	}
}

// TestOpenFileCacheLimits: only regular files up to maxCachedSize are
// shared (their segments say so); bigger files are opened per request.
func TestOpenFileCacheLimits(t *testing.T) {
	h, root, _ := clockHandler(t, Config{})
	big := filepath.Join(root, "big.bin")
	if err := os.WriteFile(big, []byte(strings.Repeat("b", maxCachedSize+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	resp, _ := do(t, h, mkreq("GET", "/big.bin"))
	if resp.Status != 200 || len(resp.Body) != 1 || resp.Body[0].Shared {
		t.Fatalf("big file: %d, segments %+v; want one unshared segment", resp.Status, resp.Body)
	}
	os.Remove(big)
	if resp, _ := do(t, h, mkreq("GET", "/big.bin")); resp.Status != 404 {
		t.Fatalf("big file after delete = %d; want 404 (not cached)", resp.Status)
	}
	for _, target := range []string{"/hello.txt", "/site/"} {
		resp, _ := do(t, h, mkreq("GET", target))
		if resp.Status != 200 || len(resp.Body) != 1 || !resp.Body[0].Shared {
			t.Errorf("GET %s: %d, segments %+v; want one shared segment", target, resp.Status, resp.Body)
		}
	}
	resp, _ = do(t, h, mkreq("GET", "/digits.txt", "Range", "bytes=0-1,4-5"))
	for _, s := range resp.Body {
		if s.File != nil && !s.Shared {
			t.Errorf("multipart range: file segment %+v not marked shared", s)
		}
	}
}

// TestFileCacheRefs drives the reference counting directly: a file is
// closed exactly when neither the map nor any response holds it.
func TestFileCacheRefs(t *testing.T) {
	dir := t.TempDir()
	open := func(name string) *os.File {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(name), 0o644)
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	var c fileCache
	c.valid, c.max = 10, 2
	c.clock = func() time.Time { return time.Unix(0, 0) }
	defer c.close()

	a1 := c.put("a", open("a"), 0)
	a1.Close()
	if isClosed(a1.f) {
		t.Fatal("cached file closed while still in the cache")
	}
	if g := c.get("a", 5); g != a1 {
		t.Fatalf("get = %p; want the cached entry %p", g, a1)
	}
	a2 := c.put("a", open("a"), 5) // replaces a1 while a response holds it
	if isClosed(a1.f) {
		t.Fatal("replaced file closed while a response still holds it")
	}
	a1.Close()
	if !isClosed(a1.f) {
		t.Fatal("replaced file still open after its last release")
	}
	a2.Close()
	if c.get("a", 15) != nil {
		t.Fatal("get returned an expired entry")
	}
	// Full of live entries: the next file is served but not cached.
	b := c.put("b", open("b"), 6)
	x := c.put("x", open("x"), 7)
	if c.get("x", 8) != nil || len(c.m) != 2 {
		t.Fatalf("cache holds %d entries and x; want 2 without x", len(c.m))
	}
	x.Close()
	if !isClosed(x.f) {
		t.Fatal("uncached file still open after its release")
	}
	// A put after expiry sweeps the expired entries.
	b.Close()
	y := c.put("y", open("y"), 20)
	if !isClosed(a2.f) || !isClosed(b.f) || len(c.m) != 1 {
		t.Fatalf("after the sweep: a closed %v, b closed %v, %d entries; want both closed, 1 entry", isClosed(a2.f), isClosed(b.f), len(c.m))
	}
	y.Close()
	c.close()
	if !isClosed(y.f) {
		t.Fatal("close left a file open")
	}
}

// TestOpenFileCacheConcurrent serves one small file from many goroutines
// while the clock moves past the validity again and again (run it with
// -race): every response has the right body and no file is used after
// its close.
func TestOpenFileCacheConcurrent(t *testing.T) {
	h, _, now := clockHandler(t, Config{})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if i%50 == 0 {
					now.Add(int64(DefaultOpenFileCache))
				}
				resp := &wire.Response{}
				resp.Reset()
				h.serve(mkreq("GET", "/hello.txt"), resp)
				var got []byte
				for _, s := range resp.Body {
					b := make([]byte, s.N)
					if _, err := s.File.ReadAt(b, s.Off); err != nil {
						t.Errorf("ReadAt: %v", err)
						return
					}
					got = append(got, b...)
				}
				resp.Release()
				if resp.Status != 200 || string(got) != "hello, world\n" {
					t.Errorf("GET = %d %q", resp.Status, got)
					return
				}
			}
		}()
	}
	wg.Wait()
}
