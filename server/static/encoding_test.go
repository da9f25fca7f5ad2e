package static

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrox/ferrox/wire"
)

func TestAcceptEncoding(t *testing.T) {
	// Weights in thousandths: br, zstd, gzip, identity.
	cases := []struct {
		id, in string
		want   [nCodes]int
	}{
		{"browser", "gzip, deflate, br", [nCodes]int{1000, 0, 1000, 1}},
		{"browser-zstd", "gzip, deflate, br, zstd", [nCodes]int{1000, 1000, 1000, 1}},
		{"gzip-only", "gzip", [nCodes]int{0, 0, 1000, 1}},
		{"weights", "br;q=0.5, gzip;q=0.8, zstd;q=0.7", [nCodes]int{500, 700, 800, 1}},
		{"br-refused", "br;q=0, gzip", [nCodes]int{0, 0, 1000, 1}},
		{"star", "*", [nCodes]int{1000, 1000, 1000, 1000}},
		{"star-low-br-listed", "*;q=0.3, br", [nCodes]int{1000, 300, 300, 300}},
		{"star-gzip-refused", "*, gzip;q=0", [nCodes]int{1000, 1000, 0, 1000}},
		{"star-refused", "*;q=0", [nCodes]int{0, 0, 0, 0}},
		{"star-refused-identity-listed", "*;q=0, identity", [nCodes]int{0, 0, 0, 1000}},
		{"identity-only", "identity", [nCodes]int{0, 0, 0, 1000}},
		{"identity-refused", "gzip, identity;q=0", [nCodes]int{0, 0, 1000, 0}},
		{"empty", "", [nCodes]int{0, 0, 0, 1}},
		{"upper-case", "GZIP, BR, ZSTD", [nCodes]int{1000, 1000, 1000, 1}},
		{"x-gzip", "x-gzip", [nCodes]int{0, 0, 1000, 1}},
		{"q-above-one", "br;q=2", [nCodes]int{0, 0, 0, 1}},
		{"q-four-digits", "br;q=0.1234", [nCodes]int{0, 0, 0, 1}},
		{"not-q-param", "br;level=1", [nCodes]int{0, 0, 0, 1}},
		{"ows-around-semicolon", "br ; q=0.25", [nCodes]int{250, 0, 0, 1}},
		{"q-one-zeros", "br;q=1.000", [nCodes]int{1000, 0, 0, 1}},
		{"q-one-point-001", "br;q=1.001", [nCodes]int{0, 0, 0, 1}},
		{"commas-only", ",,,, ,", [nCodes]int{0, 0, 0, 1}},
		{"bad-q-letters", "gzip;q=abc, zstd;q=", [nCodes]int{0, 0, 0, 1}},
		{"last-wins", "gzip;q=0.1, gzip", [nCodes]int{0, 0, 1000, 1}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			if got := acceptEncoding([]byte(c.in)); got != c.want {
				t.Errorf("acceptEncoding(%q) = %v; want %v", c.in, got, c.want)
			}
		})
	}
}

func TestPrecompressed(t *testing.T) {
	h := newHandler(t, Config{})
	js := "text/javascript; charset=utf-8"
	cases := []struct {
		name, target, ae string
		encoding, body   string
		vary             bool
		ctype            string
	}{
		{"br-preferred", "/app.js", "gzip, deflate, br", "br", "BROTLI-BYTES", true, js},
		{"gzip-only", "/app.js", "gzip", "gzip", "GZIP-BYTES-LONGER", true, js},
		{"gzip-higher-q", "/app.js", "br;q=0.5, gzip", "gzip", "GZIP-BYTES-LONGER", true, js},
		{"br-refused", "/app.js", "br;q=0, gzip", "gzip", "GZIP-BYTES-LONGER", true, js},
		{"none-accepted", "/app.js", "identity", "", tree["app.js"], true, js},
		{"no-header", "/app.js", "", "", tree["app.js"], true, js},
		{"star", "/app.js", "*", "br", "BROTLI-BYTES", true, js},
		{"only-gz-sibling", "/style.css", "br, gzip", "gzip", "CSS-GZ", true, "text/css; charset=utf-8"},
		{"only-gz-sibling-br-only", "/style.css", "br", "", "body{}\n", true, "text/css; charset=utf-8"},
		{"no-siblings", "/hello.txt", "br, gzip", "", "hello, world\n", false, "text/plain; charset=utf-8"},
		{"incompressible-type", "/image.png", "gzip", "", "\x89PNG fake", false, "image/png"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var kv []string
			if c.ae != "" {
				kv = []string{"Accept-Encoding", c.ae}
			}
			resp, body := do(t, h, mkreq("GET", c.target, kv...))
			if resp.Status != 200 {
				t.Fatalf("status %d; want 200", resp.Status)
			}
			if got := resp.Get("Content-Encoding"); got != c.encoding {
				t.Errorf("Content-Encoding = %q; want %q", got, c.encoding)
			}
			if body != c.body {
				t.Errorf("body = %q; want %q", body, c.body)
			}
			if got := resp.Get("Vary") == "Accept-Encoding"; got != c.vary {
				t.Errorf("Vary: Accept-Encoding present = %v; want %v", got, c.vary)
			}
			if got := resp.Get("Content-Type"); got != c.ctype {
				t.Errorf("Content-Type = %q; want %q", got, c.ctype)
			}
		})
	}
}

func TestPrecompressedETagsDistinct(t *testing.T) {
	h := newHandler(t, Config{})
	seen := map[string]string{}
	for _, ae := range []string{"br", "gzip", "identity"} {
		resp, _ := do(t, h, mkreq("GET", "/app.js", "Accept-Encoding", ae))
		e := resp.Get("ETag")
		if prev, dup := seen[e]; dup {
			t.Errorf("ETag %q for %q equals the one for %q", e, ae, prev)
		}
		seen[e] = ae
	}
	// The br tag validates only the br representation.
	resp, _ := do(t, h, mkreq("GET", "/app.js", "Accept-Encoding", "br"))
	brTag := resp.Get("ETag")
	want := fmt.Sprintf(`"%x-%x-br"`, len("BROTLI-BYTES"), fileTime.UnixNano())
	if brTag != want {
		t.Errorf("br ETag = %q; want %q", brTag, want)
	}
	resp, _ = do(t, h, mkreq("GET", "/app.js", "Accept-Encoding", "br", "If-None-Match", brTag))
	if resp.Status != 304 || resp.Get("Vary") != "Accept-Encoding" {
		t.Errorf("br revalidation = %d Vary %q; want 304 with Vary", resp.Status, resp.Get("Vary"))
	}
	resp, _ = do(t, h, mkreq("GET", "/app.js", "Accept-Encoding", "gzip", "If-None-Match", brTag))
	if resp.Status != 200 {
		t.Errorf("gzip request with the br tag = %d; want 200", resp.Status)
	}
}

func TestPrecompressedRange(t *testing.T) {
	h := newHandler(t, Config{})
	resp, body := do(t, h, mkreq("GET", "/app.js", "Accept-Encoding", "br", "Range", "bytes=0-5"))
	want := "BROTLI"
	if resp.Status != 206 || body != want || resp.Get("Content-Range") != "bytes 0-5/12" {
		t.Errorf("Range on br = %d %q %q; want 206 %q bytes 0-5/12", resp.Status, body, resp.Get("Content-Range"), want)
	}
}

func TestPrecompressedOff(t *testing.T) {
	h := newHandler(t, Config{NoPrecompressed: true})
	resp, body := do(t, h, mkreq("GET", "/app.js", "Accept-Encoding", "br, gzip"))
	if resp.Get("Content-Encoding") != "" || resp.Get("Vary") != "" || body != tree["app.js"] {
		t.Errorf("NoPrecompressed: Content-Encoding %q Vary %q", resp.Get("Content-Encoding"), resp.Get("Vary"))
	}
}

// TestSiblingNotDirectlyAffected: the sibling files are ordinary files
// when named directly.
func TestSiblingServedDirectly(t *testing.T) {
	h := newHandler(t, Config{})
	resp, body := do(t, h, mkreq("GET", "/app.js.gz"))
	if resp.Status != 200 || body != "GZIP-BYTES-LONGER" || resp.Get("Content-Type") != "application/gzip" || resp.Get("Content-Encoding") != "" {
		t.Errorf("GET /app.js.gz = %d %q CT %q CE %q", resp.Status, body, resp.Get("Content-Type"), resp.Get("Content-Encoding"))
	}
}

// TestConcurrentServe exercises the shared sibling cache from several
// goroutines (meaningful under -race).
func TestConcurrentServe(t *testing.T) {
	h := newHandler(t, Config{})
	targets := []string{"/app.js", "/style.css", "/hello.txt", "/page.html"}
	errs := make(chan string, 4)
	for g := 0; g < 4; g++ {
		go func() {
			resp := &wire.Response{}
			for i := 0; i < 50; i++ {
				resp.Reset()
				target := targets[(g+i)%len(targets)]
				h.serve(mkreq("GET", target, "Accept-Encoding", "br, gzip"), resp)
				if resp.Status != 200 {
					errs <- fmt.Sprintf("GET %s: status %d", target, resp.Status)
					resp.Release()
					return
				}
				resp.Release()
			}
			errs <- ""
		}()
	}
	for g := 0; g < 4; g++ {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}

// TestSiblingCacheExpiry: a sibling created after a request is used once
// the cache entry expires (siblingTTL), or at once when the original
// changes.
func TestSiblingCacheExpiry(t *testing.T) {
	root, _ := newTree(t)
	h := newHandler(t, Config{Root: root})
	now := fixedNow
	h.now = func() time.Time { return now }
	get := func() *wire.Response {
		resp, _ := do(t, h, mkreq("GET", "/hello.txt", "Accept-Encoding", "gzip"))
		return resp
	}
	if resp := get(); resp.Get("Content-Encoding") != "" {
		t.Fatalf("Content-Encoding %q before the sibling exists", resp.Get("Content-Encoding"))
	}
	if err := os.WriteFile(filepath.Join(root, "hello.txt.gz"), []byte("GZ"), 0o644); err != nil {
		t.Fatal(err)
	}
	if resp := get(); resp.Get("Content-Encoding") != "" {
		t.Errorf("sibling used before the cache entry expired (want the cached answer)")
	}
	now = now.Add(siblingTTL + time.Millisecond)
	if resp := get(); resp.Get("Content-Encoding") != "gzip" || resp.Get("Vary") != "Accept-Encoding" {
		t.Errorf("after expiry: Content-Encoding %q Vary %q; want gzip, Accept-Encoding", resp.Get("Content-Encoding"), resp.Get("Vary"))
	}
	if err := os.Remove(filepath.Join(root, "hello.txt.gz")); err != nil {
		t.Fatal(err)
	}
	if resp := get(); resp.Status != 200 || resp.Get("Content-Encoding") != "" {
		t.Errorf("removed sibling: status %d Content-Encoding %q; want 200 identity", resp.Status, resp.Get("Content-Encoding"))
	}
	later := fileTime.Add(time.Second)
	if err := os.WriteFile(filepath.Join(root, "hello.txt.gz"), []byte("GZ"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(root, "hello.txt"), later, later); err != nil {
		t.Fatal(err)
	}
	if resp := get(); resp.Get("Content-Encoding") != "gzip" {
		t.Errorf("original changed: Content-Encoding %q; want gzip at once", resp.Get("Content-Encoding"))
	}
}
