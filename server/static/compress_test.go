package static

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/ferrox/ferrox/wire"
)

// decode undoes a Content-Encoding.
func decode(t testing.TB, encoding string, body []byte) []byte {
	t.Helper()
	switch encoding {
	case "":
		return body
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("gzip.NewReader: %v", err)
		}
		out, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("gunzip: %v", err)
		}
		return out
	case "zstd":
		zr, err := zstd.NewReader(nil)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		out, err := zr.DecodeAll(body, nil)
		if err != nil {
			t.Fatalf("zstd decode: %v", err)
		}
		return out
	}
	t.Fatalf("unexpected Content-Encoding %q", encoding)
	return nil
}

// TestCompressNegotiation: which representation each Accept-Encoding
// gets, for the cached and the uncached encoder.
func TestCompressNegotiation(t *testing.T) {
	root, files := compTree(t)
	cases := []struct {
		id, target, ae string
		encoding       string // "" identity
		vary           bool
		body           string // exact body when not encoded on the fly ("" to skip)
	}{
		{"browser-gzip-br", "/big.js", "gzip, deflate, br", "gzip", true, ""},
		{"browser-zstd", "/big.js", "gzip, deflate, br, zstd", "zstd", true, ""},
		{"zstd-only", "/big.js", "zstd", "zstd", true, ""},
		{"gzip-higher-q", "/big.js", "zstd;q=0.5, gzip", "gzip", true, ""},
		{"zstd-refused", "/big.js", "zstd;q=0, gzip", "gzip", true, ""},
		{"gzip-refused-by-q0", "/big.js", "gzip;q=0", "", true, files["big.js"]},
		{"star", "/big.js", "*", "zstd", true, ""},
		{"star-minus-zstd", "/big.js", "*, zstd;q=0", "gzip", true, ""},
		{"identity-preferred", "/big.js", "gzip;q=0.5, identity", "", true, files["big.js"]},
		{"identity-refused", "/big.js", "gzip, identity;q=0", "gzip", true, ""},
		{"all-refused", "/big.js", "*;q=0", "", true, files["big.js"]},
		{"no-header", "/big.js", "", "", true, files["big.js"]},
		{"unknown-codings", "/big.js", "compress, deflate", "", true, files["big.js"]},
		{"sibling-preferred-on-tie", "/sib.css", "gzip, zstd", "gzip", true, "PRECOMPRESSED-GZ"},
		{"sibling-gzip-only", "/sib.css", "gzip", "gzip", true, "PRECOMPRESSED-GZ"},
		{"otf-zstd-higher-q-than-sibling", "/sib.css", "gzip;q=0.5, zstd", "zstd", true, ""},
		{"br-sibling-first", "/all.txt", "gzip, br, zstd", "br", true, "BR-SIBLING"},
		{"zstd-sibling-beats-otf-zstd", "/all.txt", "zstd, gzip", "zstd", true, "ZSTD-SIBLING"},
		{"zstd-sibling-higher-q", "/all.txt", "br;q=0.5, zstd", "zstd", true, "ZSTD-SIBLING"},
		{"otf-gzip-beside-siblings", "/all.txt", "gzip", "gzip", true, ""},
		{"below-min", "/small.txt", "gzip, zstd", "", false, "tiny\n"},
		{"above-max", "/huge.txt", "gzip, zstd", "", false, files["huge.txt"]},
		{"not-compressible", "/photo.png", "gzip, zstd", "", false, files["photo.png"]},
	}
	for _, cache := range []int64{1 << 20, 0} {
		h := newHandler(t, compConfig(root, cache))
		for _, c := range cases {
			t.Run(fmt.Sprintf("cache=%d/%s", cache, c.id), func(t *testing.T) {
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
				if got := resp.Get("Vary") == "Accept-Encoding"; got != c.vary {
					t.Errorf("Vary: Accept-Encoding present = %v; want %v", got, c.vary)
				}
				if c.body != "" && body != c.body {
					t.Errorf("body = %.40q…; want %.40q…", body, c.body)
				}
				// Round trip: what was sent decodes to the file.
				if c.body == "" {
					want := files[strings.TrimPrefix(c.target, "/")]
					if got := decode(t, c.encoding, []byte(body)); string(got) != want {
						t.Errorf("decoded body (%d bytes) differs from the file (%d bytes)", len(got), len(want))
					}
					if len(body) >= len(want) {
						t.Errorf("encoded %d bytes from %d; want smaller", len(body), len(want))
					}
				}
				if ct := resp.Get("Content-Type"); ct != contentType(c.target) {
					t.Errorf("Content-Type = %q; want the file's %q", ct, contentType(c.target))
				}
			})
		}
	}
}

// TestCompressOff: without CompressConfig.On nothing is encoded and a
// file with no sibling does not vary.
func TestCompressOff(t *testing.T) {
	root, files := compTree(t)
	h := newHandler(t, Config{Root: root})
	resp, body := do(t, h, mkreq("GET", "/big.js", "Accept-Encoding", "gzip, zstd"))
	if resp.Get("Content-Encoding") != "" || resp.Get("Vary") != "" || body != files["big.js"] {
		t.Errorf("compression off: Content-Encoding %q Vary %q", resp.Get("Content-Encoding"), resp.Get("Vary"))
	}
}

// fieldsOf returns the header without Date-like volatile fields (there
// are none in the handler's own fields) as "Name: value" lines.
func fieldsOf(resp *wire.Response) string {
	var b strings.Builder
	for _, f := range resp.Header {
		fmt.Fprintf(&b, "%s: %s\n", f.Name, f.Value)
	}
	return b.String()
}

// TestCompressHeadETag304: HEAD has GET's head and length; each coding
// has its own strong ETag; If-None-Match matches only the coding's tag,
// and the 304 carries Vary and that tag.
func TestCompressHeadETag304(t *testing.T) {
	root, _ := compTree(t)
	for _, cache := range []int64{1 << 20, 0} {
		h := newHandler(t, compConfig(root, cache))
		tags := map[string]string{}
		for _, ae := range []string{"gzip", "zstd", "identity"} {
			t.Run(fmt.Sprintf("cache=%d/%s", cache, ae), func(t *testing.T) {
				get, _ := do(t, h, mkreq("GET", "/big.js", "Accept-Encoding", ae))
				head, hb := do(t, h, mkreq("HEAD", "/big.js", "Accept-Encoding", ae))
				if fieldsOf(get) != fieldsOf(head) || get.ContentLength != head.ContentLength || hb != "" || !head.NoBody {
					t.Errorf("HEAD differs from GET:\nGET  %d\n%s\nHEAD %d\n%s", get.ContentLength, fieldsOf(get), head.ContentLength, fieldsOf(head))
				}
				etag := get.Get("ETag")
				if strings.HasPrefix(etag, "W/") || !strings.HasPrefix(etag, `"`) {
					t.Errorf("ETag %q; want a strong tag", etag)
				}
				if prev, dup := tags[etag]; dup {
					t.Errorf("ETag %q for %s equals the one for %s", etag, ae, prev)
				}
				tags[etag] = ae
				nm, body := do(t, h, mkreq("GET", "/big.js", "Accept-Encoding", ae, "If-None-Match", etag))
				if nm.Status != 304 || nm.Get("Vary") != "Accept-Encoding" || nm.Get("ETag") != etag || body != "" {
					t.Errorf("If-None-Match %s = %d Vary %q ETag %q; want 304, Vary, the same tag", etag, nm.Status, nm.Get("Vary"), nm.Get("ETag"))
				}
			})
		}
		// A tag of one coding does not validate another.
		for etag, ae := range tags {
			other := map[string]string{"gzip": "zstd", "zstd": "identity", "identity": "gzip"}[ae]
			resp, _ := do(t, h, mkreq("GET", "/big.js", "Accept-Encoding", other, "If-None-Match", etag))
			if resp.Status != 200 {
				t.Errorf("%s request with the %s tag = %d; want 200", other, ae, resp.Status)
			}
		}
	}
}

// TestCompressETagCarriesLevel: the same file at another level has
// another tag (the bytes differ, so a strong tag must too).
func TestCompressETagCarriesLevel(t *testing.T) {
	root, _ := compTree(t)
	cfg := compConfig(root, 1<<20)
	a := newHandler(t, cfg)
	cfg.Compress.GzipLevel = 9
	b := newHandler(t, cfg)
	ra, _ := do(t, a, mkreq("GET", "/big.js", "Accept-Encoding", "gzip"))
	rb, _ := do(t, b, mkreq("GET", "/big.js", "Accept-Encoding", "gzip"))
	if ra.Get("ETag") == rb.Get("ETag") {
		t.Errorf("gzip level 6 and 9 share the ETag %q", ra.Get("ETag"))
	}
}

// TestCompressRange: ranges apply to the encoded bytes; If-Range with the
// coded tag keeps the range, with another tag the whole encoding is sent.
func TestCompressRange(t *testing.T) {
	root, files := compTree(t)
	for _, cache := range []int64{1 << 20, 0} {
		h := newHandler(t, compConfig(root, cache))
		full, enc := do(t, h, mkreq("GET", "/big.js", "Accept-Encoding", "gzip"))
		etag := full.Get("ETag")
		idResp, _ := do(t, h, mkreq("GET", "/big.js"))
		n := len(enc)
		cases := []struct {
			id, rng, ifRange string
			status           int
			body             string
			contentRange     string
		}{
			{"first-ten", "bytes=0-9", "", 206, enc[:10], fmt.Sprintf("bytes 0-9/%d", n)},
			{"suffix", "bytes=-5", "", 206, enc[n-5:], fmt.Sprintf("bytes %d-%d/%d", n-5, n-1, n)},
			{"past-encoded-end", fmt.Sprintf("bytes=%d-", n+10), "", 416, "", fmt.Sprintf("bytes */%d", n)},
			{"if-range-coded-tag", "bytes=0-9", etag, 206, enc[:10], fmt.Sprintf("bytes 0-9/%d", n)},
			{"if-range-identity-tag", "bytes=0-9", idResp.Get("ETag"), 200, enc, ""},
			{"if-range-date", "bytes=0-9", fileTimeHTTP, 200, enc, ""},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("cache=%d/%s", cache, c.id), func(t *testing.T) {
				kv := []string{"Accept-Encoding", "gzip", "Range", c.rng}
				if c.ifRange != "" {
					kv = append(kv, "If-Range", c.ifRange)
				}
				resp, body := do(t, h, mkreq("GET", "/big.js", kv...))
				if resp.Status != c.status {
					t.Fatalf("status %d; want %d", resp.Status, c.status)
				}
				if c.status != 416 && body != c.body {
					t.Errorf("body %d bytes; want %d", len(body), len(c.body))
				}
				if got := resp.Get("Content-Range"); got != c.contentRange {
					t.Errorf("Content-Range %q; want %q", got, c.contentRange)
				}
				if c.status != 416 && (resp.Get("Content-Encoding") != "gzip" || resp.Get("ETag") != etag || resp.Get("Vary") != "Accept-Encoding") {
					t.Errorf("Content-Encoding %q ETag %q Vary %q; want gzip, %s, Accept-Encoding", resp.Get("Content-Encoding"), resp.Get("ETag"), resp.Get("Vary"), etag)
				}
			})
		}
		t.Run(fmt.Sprintf("cache=%d/multipart", cache), func(t *testing.T) {
			resp, body := do(t, h, mkreq("GET", "/big.js", "Accept-Encoding", "gzip", "Range", "bytes=0-3,20-29"))
			if resp.Status != 206 || !strings.Contains(body, enc[:4]) || !strings.Contains(body, enc[20:30]) ||
				!strings.Contains(body, fmt.Sprintf("Content-Range: bytes 20-29/%d", n)) {
				t.Errorf("multipart over the encoding: status %d", resp.Status)
			}
		})
		if got := decode(t, "gzip", []byte(enc)); string(got) != files["big.js"] {
			t.Errorf("gzip body does not decode to the file")
		}
	}
}

// writeFile writes content to root/name with modification time mt.
func writeFile(t *testing.T, root, name, content string, mt time.Time) {
	t.Helper()
	p := filepath.Join(root, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, mt, mt); err != nil {
		t.Fatal(err)
	}
}

// TestCompressCacheBound: with many files through a small budget, the
// bytes held never exceed it, entries are evicted, and a repeated request
// is a hit.
func TestCompressCacheBound(t *testing.T) {
	root, _ := compTree(t)
	const budget = 6000
	h := newHandler(t, compConfig(root, budget))
	for i := range 30 {
		// Distinct content so encodings differ in size (~1-2 KiB each).
		writeFile(t, root, fmt.Sprintf("f%02d.txt", i), strings.Repeat(fmt.Sprintf("%d line of text %d\n", i, i*i), 80+i*7), fileTime)
	}
	for round := range 2 {
		for i := range 30 {
			name := fmt.Sprintf("/f%02d.txt", i)
			for _, ae := range []string{"gzip", "zstd"} {
				resp, body := do(t, h, mkreq("GET", name, "Accept-Encoding", ae))
				if resp.Get("Content-Encoding") != ae {
					t.Fatalf("round %d GET %s (%s): Content-Encoding %q", round, name, ae, resp.Get("Content-Encoding"))
				}
				want, _ := os.ReadFile(filepath.Join(root, name))
				if got := decode(t, ae, []byte(body)); !bytes.Equal(got, want) {
					t.Fatalf("round %d GET %s (%s): body does not decode to the file", round, name, ae)
				}
				if used, _, _, _, _ := h.comp.cache.stats(); used > budget {
					t.Fatalf("cache holds %d bytes; budget %d", used, budget)
				}
			}
		}
	}
	used, entries, _, _, evictions := h.comp.cache.stats()
	if evictions == 0 || entries == 0 || used == 0 {
		t.Errorf("used %d entries %d evictions %d; want evictions with a full cache", used, entries, evictions)
	}
	_, _, hits0, _, _ := h.comp.cache.stats()
	do(t, h, mkreq("GET", "/f29.txt", "Accept-Encoding", "zstd"))
	if _, _, hits, _, _ := h.comp.cache.stats(); hits != hits0+1 {
		t.Errorf("repeated request of the newest entry: hits %d → %d; want one more", hits0, hits)
	}
}

// TestCompressNoGain: a file of a compressible type whose encoding is
// not smaller than it (random bytes) goes out as it is, whatever coding
// the client prefers, with or without the cache: no Content-Encoding, the
// file's bytes and length, the identity's ETag (so If-None-Match with it
// is a 304), Vary still sent. The cache keeps that answer: a repeated
// request is a hit, and the entry holds no encoded bytes.
func TestCompressNoGain(t *testing.T) {
	root, _ := compTree(t)
	noise := make([]byte, 4096)
	rand.NewChaCha8([32]byte{1}).Read(noise)
	writeFile(t, root, "noise.txt", string(noise), fileTime)
	for _, cache := range []int64{1 << 20, 0} {
		h := newHandler(t, compConfig(root, cache))
		plain, _ := do(t, h, mkreq("GET", "/noise.txt"))
		etag := plain.Get("ETag")
		for _, ae := range []string{"gzip", "zstd", "gzip, zstd", "*"} {
			t.Run(fmt.Sprintf("cache=%d/%s", cache, ae), func(t *testing.T) {
				for round := range 2 {
					resp, body := do(t, h, mkreq("GET", "/noise.txt", "Accept-Encoding", ae))
					if resp.Status != 200 || resp.Get("Content-Encoding") != "" || body != string(noise) || resp.ContentLength != int64(len(noise)) {
						t.Fatalf("round %d: status %d, Content-Encoding %q, %d bytes (length %d); want 200, the identity's %d bytes",
							round, resp.Status, resp.Get("Content-Encoding"), len(body), resp.ContentLength, len(noise))
					}
					if resp.Get("ETag") != etag || resp.Get("Vary") != "Accept-Encoding" {
						t.Errorf("round %d: ETag %q Vary %q; want the identity's %q, Accept-Encoding", round, resp.Get("ETag"), resp.Get("Vary"), etag)
					}
				}
				head, hb := do(t, h, mkreq("HEAD", "/noise.txt", "Accept-Encoding", ae))
				if head.ContentLength != int64(len(noise)) || head.Get("Content-Encoding") != "" || hb != "" {
					t.Errorf("HEAD: length %d, Content-Encoding %q; want %d, none", head.ContentLength, head.Get("Content-Encoding"), len(noise))
				}
				if nm, _ := do(t, h, mkreq("GET", "/noise.txt", "Accept-Encoding", ae, "If-None-Match", etag)); nm.Status != 304 {
					t.Errorf("If-None-Match with the identity's tag = %d; want 304", nm.Status)
				}
			})
		}
		if cache == 0 {
			continue
		}
		used, entries, hits, misses, _ := h.comp.cache.stats()
		if entries != 2 || misses != 2 || hits == 0 || used > 2*(int64(len("/noise.txt"))+entryOverhead) {
			t.Errorf("cache: %d entries, %d misses, %d hits, %d bytes; want the two codings' empty answers kept and hit", entries, misses, hits, used)
		}
	}
}

// TestCompressCacheTooBig: an encoding larger than the whole budget is
// sent but not kept.
func TestCompressCacheTooBig(t *testing.T) {
	root, files := compTree(t)
	h := newHandler(t, compConfig(root, 100))
	for range 2 {
		resp, body := do(t, h, mkreq("GET", "/big.js", "Accept-Encoding", "gzip"))
		if resp.Get("Content-Encoding") != "gzip" || string(decode(t, "gzip", []byte(body))) != files["big.js"] {
			t.Fatalf("Content-Encoding %q; want a correct gzip body", resp.Get("Content-Encoding"))
		}
	}
	if used, entries, hits, misses, _ := h.comp.cache.stats(); used != 0 || entries != 0 || hits != 0 || misses != 2 {
		t.Errorf("used %d entries %d hits %d misses %d; want nothing kept, two misses", used, entries, hits, misses)
	}
}

// TestCompressFileChanged: a file rewritten on disk (new size, or same
// size and a new modification time) is encoded afresh, never served from
// the old entry.
func TestCompressFileChanged(t *testing.T) {
	root, files := compTree(t)
	h := newHandler(t, compConfig(root, 1<<20))
	get := func() (string, string) {
		resp, body := do(t, h, mkreq("GET", "/big.js", "Accept-Encoding", "zstd"))
		return resp.Get("ETag"), string(decode(t, resp.Get("Content-Encoding"), []byte(body)))
	}
	tag0, got := get()
	if got != files["big.js"] {
		t.Fatal("first body differs from the file")
	}
	steps := []struct {
		id, content string
		mt          time.Time
	}{
		{"new-size", files["big.js"] + "// appended\n", fileTime},
		{"same-size-new-mtime", strings.ToUpper(files["big.js"] + "// appended\n"), fileTime.Add(time.Second)},
	}
	prev := tag0
	for _, s := range steps {
		t.Run(s.id, func(t *testing.T) {
			writeFile(t, root, "big.js", s.content, s.mt)
			tag, got := get()
			if got != s.content {
				t.Errorf("served a stale encoding after the file changed")
			}
			if tag == prev {
				t.Errorf("ETag %q unchanged after the file changed", tag)
			}
			prev = tag
		})
	}
}

// TestCompressConcurrent: concurrent first requests for the same file are
// all answered correctly (meaningful under -race), and encode it at most
// once per coding.
func TestCompressConcurrent(t *testing.T) {
	root, files := compTree(t)
	h := newHandler(t, compConfig(root, 1<<20))
	const workers = 8
	errs := make(chan string, workers)
	for g := range workers {
		go func() {
			ae := []string{"gzip", "zstd"}[g%2]
			resp := &wire.Response{}
			resp.Reset()
			defer resp.Release()
			h.serve(mkreq("GET", "/big.js", "Accept-Encoding", ae), resp)
			var b bytes.Buffer
			for _, s := range resp.Body {
				b.Write(s.Data)
			}
			zr := decodeQuiet(ae, b.Bytes())
			if resp.Status != 200 || zr != files["big.js"] {
				errs <- fmt.Sprintf("%s: status %d, body does not decode to the file", ae, resp.Status)
				return
			}
			errs <- ""
		}()
	}
	for range workers {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
	if _, _, _, misses, _ := h.comp.cache.stats(); misses != 2 {
		t.Errorf("misses %d; want 2 (one encoding per coding)", misses)
	}
}

// TestTypeMatch: the media type patterns.
func TestTypeMatch(t *testing.T) {
	cases := []struct {
		ctype string
		want  bool
	}{
		{"text/html; charset=utf-8", true},
		{"TEXT/CSS", true},
		{"text/javascript; charset=utf-8", true},
		{"application/json; charset=utf-8", true},
		{"application/manifest+json; charset=utf-8", true},
		{"application/atom+xml", true},
		{"application/x-rss+xml", true},
		{"application/xml", true},
		{"image/svg+xml; charset=utf-8", true},
		{"application/wasm", true},
		{"font/ttf", true},
		{"font/woff2", false},
		{"image/png", false},
		{"application/octet-stream", false},
		{"application/gzip", false},
		{"application/+json", false},
		{"video/mp4", false},
		{"garbage", false},
	}
	for _, c := range cases {
		t.Run(c.ctype, func(t *testing.T) {
			if got := typeMatch(DefaultCompressTypes, c.ctype); got != c.want {
				t.Errorf("typeMatch(defaults, %q) = %v; want %v", c.ctype, got, c.want)
			}
		})
	}
}

func TestValidTypePattern(t *testing.T) {
	cases := []struct {
		p    string
		want bool
	}{
		{"text/*", true},
		{"application/json", true},
		{"application/*+xml", true},
		{"*/*", false},
		{"text", false},
		{"text/", false},
		{"/json", false},
		{"application/*json", false},
		{"application/j*son", false},
		{"text/html; charset=utf-8", false},
		{"application/*+", false},
	}
	for _, c := range cases {
		t.Run(c.p, func(t *testing.T) {
			if got := ValidTypePattern(c.p); got != c.want {
				t.Errorf("ValidTypePattern(%q) = %v; want %v", c.p, got, c.want)
			}
		})
	}
}

// TestCompressHostileAcceptEncoding: long, comma-heavy and malformed
// values never panic and still get a valid answer.
func TestCompressHostileAcceptEncoding(t *testing.T) {
	root, files := compTree(t)
	h := newHandler(t, compConfig(root, 1<<20))
	cases := []struct{ id, ae string }{
		{"many-commas", strings.Repeat(",", 16000)},
		{"many-elements", strings.Repeat("gzip;q=0.5, ", 1300)},
		{"long-token", strings.Repeat("z", 16000)},
		{"bad-q", "gzip;q=, zstd;q=1.5, br;q=-1, *;q=0.x"},
		{"semicolons", strings.Repeat(";", 5000) + "gzip"},
		{"nul-and-controls", "gzip\x00;q=1, \x7fzstd"},
		{"q-without-coding", ";q=1, ;q=0"},
		{"params-galore", "gzip;a=b;c=d;q=1"},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			resp, body := do(t, h, mkreq("GET", "/big.js", "Accept-Encoding", c.ae))
			if resp.Status != 200 {
				t.Fatalf("status %d; want 200", resp.Status)
			}
			if got := decode(t, resp.Get("Content-Encoding"), []byte(body)); string(got) != files["big.js"] {
				t.Errorf("body does not decode to the file")
			}
		})
	}
}

// TestCompressHitAllocs: serving an encoding from the cache allocates
// nothing beyond what the identity response of the same file does.
func TestCompressHitAllocs(t *testing.T) {
	root, _ := compTree(t)
	h := newHandler(t, compConfig(root, 1<<20))
	allocs := func(kv ...string) float64 {
		r := mkreq("GET", "/big.js", kv...)
		resp := &wire.Response{}
		return testing.AllocsPerRun(200, func() {
			resp.Reset()
			h.serve(r, resp)
			if resp.Status != 200 {
				t.Fatalf("status %d", resp.Status)
			}
			resp.Release()
		})
	}
	id := allocs("Accept-Encoding", "identity")
	for _, ae := range []string{"gzip", "zstd", "gzip, deflate, br, zstd"} {
		if got := allocs("Accept-Encoding", ae); got > id {
			t.Errorf("cache hit (%s): %.1f allocations; identity %.1f", ae, got, id)
		}
	}
}

// benchCompress serves big.js with Accept-Encoding ae; with cacheBytes 0
// every iteration encodes.
func benchCompress(b *testing.B, cacheBytes int64, ae string) {
	root, files := compTree(b)
	cfg := compConfig(root, cacheBytes)
	cfg.Compress.GzipLevel = 1
	h := newHandler(b, cfg)
	r := mkreq("GET", "/big.js", "Accept-Encoding", ae)
	resp := &wire.Response{}
	b.SetBytes(int64(len(files["big.js"])))
	b.ReportAllocs()
	for b.Loop() {
		resp.Reset()
		h.serve(r, resp)
		if resp.Status != 200 || resp.Get("Content-Encoding") != ae {
			b.Fatalf("status %d, Content-Encoding %q", resp.Status, resp.Get("Content-Encoding"))
		}
		resp.Release()
	}
}

func BenchmarkCompressGzipHit(b *testing.B)      { benchCompress(b, 1<<20, "gzip") }
func BenchmarkCompressGzip1NoCache(b *testing.B) { benchCompress(b, 0, "gzip") }
func BenchmarkCompressZstdNoCache(b *testing.B)  { benchCompress(b, 0, "zstd") }

// TestCompressBusy: when every encoding slot is taken the identity is
// sent at once (with Vary, the identity's ETag), nothing is cached, and
// the next request after a slot frees is encoded.
func TestCompressBusy(t *testing.T) {
	root, files := compTree(t)
	for _, cache := range []int64{1 << 20, 0} {
		t.Run(fmt.Sprintf("cache=%d", cache), func(t *testing.T) {
			h := newHandler(t, compConfig(root, cache))
			idResp, _ := do(t, h, mkreq("GET", "/big.js"))
			for range cap(h.comp.slots) {
				h.comp.slots <- struct{}{}
			}
			for _, method := range []string{"GET", "HEAD"} {
				resp, body := do(t, h, mkreq(method, "/big.js", "Accept-Encoding", "gzip"))
				if resp.Status != 200 || resp.Get("Content-Encoding") != "" || resp.Get("Vary") != "Accept-Encoding" ||
					resp.Get("ETag") != idResp.Get("ETag") || resp.ContentLength != int64(len(files["big.js"])) {
					t.Errorf("%s with every slot busy: %d CE %q Vary %q ETag %q length %d; want 200 identity with Vary", method,
						resp.Status, resp.Get("Content-Encoding"), resp.Get("Vary"), resp.Get("ETag"), resp.ContentLength)
				}
				if method == "GET" && body != files["big.js"] {
					t.Errorf("GET with every slot busy: body is not the file")
				}
			}
			if used, entries, _, _, _ := h.comp.cache.stats(); used != 0 || entries != 0 {
				t.Errorf("cache holds %d entries (%d bytes) after failed encodings; want none", entries, used)
			}
			<-h.comp.slots
			resp, body := do(t, h, mkreq("GET", "/big.js", "Accept-Encoding", "gzip"))
			if resp.Get("Content-Encoding") != "gzip" || string(decode(t, "gzip", []byte(body))) != files["big.js"] {
				t.Errorf("after a slot freed: Content-Encoding %q; want gzip", resp.Get("Content-Encoding"))
			}
			for len(h.comp.slots) > 0 {
				<-h.comp.slots
			}
		})
	}
}

// BenchmarkAcceptEncodingHostile: the parse is one pass; a 16 KiB value
// (the default head limit) of any shape costs microseconds.
func BenchmarkAcceptEncodingHostile(b *testing.B) {
	for _, c := range []struct{ id, v string }{
		{"commas", strings.Repeat(",", 16<<10)},
		{"elements", strings.Repeat("gzip;q=0.5, ", 16<<10/12)},
		{"semicolons", strings.Repeat(";", 16<<10)},
		{"browser", "gzip, deflate, br, zstd"},
	} {
		b.Run(c.id, func(b *testing.B) {
			v := []byte(c.v)
			b.SetBytes(int64(len(v)))
			b.ReportAllocs()
			for b.Loop() {
				acceptEncoding(v)
			}
		})
	}
}

// TestCodingTagCarriesLibVersion: another release of the compression
// library may encode the same file into other bytes, so it gives another
// strong tag; the tag stays within etagc (RFC 9110 §8.8.3) whatever the
// version string holds; and the handler's tags are made with it
// (cmd/ferrox checks the version the real binary finds).
func TestCodingTagCarriesLibVersion(t *testing.T) {
	a := codingTag("gzip", 6, "v1.20.5h1:abc=")
	b := codingTag("gzip", 6, "v1.20.6h1:def=")
	if a == b {
		t.Errorf("codingTag gives %q for two library versions", a)
	}
	for _, tag := range []string{a, b, codingTag("zstd", 3, ""), codingTag("gzip", 9, "\" \x00/")} {
		for i := 0; i < len(tag); i++ {
			if c := tag[i]; c == '"' || c <= ' ' || c == 0x7f {
				t.Errorf("codingTag = %q: byte %q is not etagc", tag, c)
			}
		}
	}
	root, _ := compTree(t)
	h := newHandler(t, compConfig(root, 1<<20))
	resp, _ := do(t, h, mkreq("GET", "/big.js", "Accept-Encoding", "gzip"))
	want := "-" + codingTag("gzip", 6, compressLibVersion()) + `"`
	if got := resp.Get("ETag"); !strings.HasSuffix(got, want) {
		t.Errorf("gzip ETag %q; want it to end in %s", got, want)
	}
}
