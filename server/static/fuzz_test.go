package static

// The native fuzz targets of the handler (but FuzzAppendRow, in
// listinghtml_fuzz_test.go) and the test helpers they and the other
// tests use. They also build as libFuzzer binaries with go-118-fuzz-build
// (ClusterFuzzLite, OSS-Fuzz; make fuzz-libfuzzer): that tool compiles
// the package's non-test files plus only the file holding the target,
// with this file's unnamed import "testing" replaced by its shim, and
// calls FuzzX(f) again for every input. So this file calls nothing from
// the other test files (mkfifo comes in as a hook), the helpers take tb
// (which testing.TB and the shim's T and F all satisfy), and the targets'
// handlers are built once per process under libFuzzer (fixture).

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	// Package testing itself, under a name go-118-fuzz-build's rewrite
	// leaves alone (it replaces only the unnamed import): fixture tells
	// the engines apart by f's type.
	stdtesting "testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/ferrox/ferrox/internal/fuzzfix"
	"github.com/ferrox/ferrox/wire"
)

// tb is what the helpers use of a test.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
	TempDir() string
	Cleanup(func())
}

// mkfifo makes a named pipe (fifo_unix_test.go, fifo_other_test.go set
// it). go-118-fuzz-build does not compile those files: under libFuzzer it
// is nil and newTree puts an empty directory in the FIFO's place, as
// fifo_other_test.go does where there are no named pipes.
var mkfifo func(path string) error

// fixture returns build's result. Under go test (f is package testing's
// F) it is build(f), once per target as before. Under libFuzzer, where
// FuzzX runs again for every input, it is built once per process
// (fuzzfix.Once): the shim's F drops Cleanup calls and removes its
// TempDirs after every input, so building per input would cost a tree
// and a handler per input and leak both.
func fixture[V any](f *testing.F, key string, build func(tb) V) V {
	if _, ok := any(f).(*stdtesting.F); ok {
		return build(f)
	}
	return fuzzfix.Once("static/"+key, func(p fuzzfix.Process) V { return build(p) })
}

// compFixture is FuzzAcceptEncoding's handler and compTree's files.
type compFixture struct {
	h     *Handler
	files map[string]string
}

// FuzzParseRange: whatever the header, the ranges returned lie inside the
// representation, are sorted, disjoint and non-adjacent, and at most
// maxRanges.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-0", "bytes=-5", "bytes=5-", "bytes=0-1,1-2,5-9", "bytes=99999999999999999999-", "bytes=,,", "BYTES= 1 - 2"} {
		f.Add(s, int64(100))
	}
	f.Fuzz(func(t *testing.T, v string, size int64) {
		if size < 0 {
			size = -size
		}
		if size < 0 { // MinInt64
			size = 0
		}
		var buf [maxRanges]byteRange
		rs, res := parseRange(buf[:0], []byte(v), size)
		if res != rangeOK {
			if len(rs) != 0 {
				t.Fatalf("parseRange(%q, %d) = %v with result %d", v, size, rs, res)
			}
			return
		}
		if len(rs) == 0 || len(rs) > maxRanges {
			t.Fatalf("parseRange(%q, %d): %d ranges", v, size, len(rs))
		}
		var end int64 = -1
		for _, r := range rs {
			if r.start < 0 || r.length <= 0 || r.start+r.length > size || r.start+r.length < r.start {
				t.Fatalf("parseRange(%q, %d): range %+v outside the file", v, size, r)
			}
			if r.start <= end {
				t.Fatalf("parseRange(%q, %d): ranges %v not sorted and disjoint", v, size, rs)
			}
			end = r.start + r.length
		}
	})
}

// FuzzServePath: no request path reads the secret outside the root, and
// every response is one of the statuses a GET may get.
func FuzzServePath(f *testing.F) {
	for _, s := range []string{"/", "/../outside/secret", "/link-out-rel", "/%2e%2e/outside/secret", "/linkdir-out/secret", "/a/../../x", "/dir", "//x//y/", "/.git/config"} {
		f.Add(s)
	}
	h := fixture(f, "servepath", func(t tb) *Handler { return newHandler(t, Config{Dotfiles: true}) })
	f.Fuzz(func(t *testing.T, p string) {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		r := mkreq("GET", "/")
		r.rawPath = []byte(p)
		resp := &wire.Response{}
		resp.Reset()
		h.serve(r, resp)
		defer resp.Release()
		switch resp.Status {
		case 200, 301, 400, 403, 404:
		default:
			t.Fatalf("GET %q: status %d", p, resp.Status)
		}
		if body := bodyOf(t, resp); strings.Contains(body, secret) {
			t.Fatalf("GET %q: read the secret outside the root", p)
		}
		if loc := resp.Get("Location"); strings.HasPrefix(loc, "//") || strings.ContainsAny(loc, "\r\n ") {
			t.Fatalf("GET %q: unsafe Location %q", p, loc)
		}
	})
}

// FuzzAcceptEncoding: any Accept-Encoding value gives weights in 0..1000,
// and the handler answers 200 with a body that decodes to the file.
func FuzzAcceptEncoding(f *testing.F) {
	for _, s := range []string{"gzip, deflate, br, zstd", "*;q=0", "identity;q=0, gzip;q=0.001", "x-gzip;Q=1.000", ",,;q=1", "zstd;q=0.5;q=1"} {
		f.Add(s)
	}
	fx := fixture(f, "acceptencoding", func(t tb) compFixture {
		root, files := compTree(t)
		return compFixture{newHandler(t, compConfig(root, 1<<20)), files}
	})
	h, files := fx.h, fx.files
	f.Fuzz(func(t *testing.T, ae string) {
		for i, w := range acceptEncoding([]byte(ae)) {
			if w < 0 || w > 1000 {
				t.Fatalf("acceptEncoding(%q)[%d] = %d; want 0..1000", ae, i, w)
			}
		}
		// do(t, ...) without its t.Cleanup, which the shim's T runs at
		// once (before the body is read).
		resp := &wire.Response{}
		resp.Reset()
		h.serve(mkreq("GET", "/big.js", "Accept-Encoding", ae), resp)
		defer resp.Release()
		body := bodyOf(t, resp)
		if resp.Status != 200 {
			t.Fatalf("Accept-Encoding %q: status %d", ae, resp.Status)
		}
		if got := decodeQuiet(resp.Get("Content-Encoding"), []byte(body)); resp.Get("Content-Encoding") != "" && got != files["big.js"] {
			t.Fatalf("Accept-Encoding %q: %s body does not decode to the file", ae, resp.Get("Content-Encoding"))
		}
	})
}

// hdrs is a header source for tests; keys are matched case-insensitively.
type hdrs map[string]string

func (h hdrs) Header(name string) ([]byte, bool) {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return []byte(v), true
		}
	}
	return nil, false
}

// mkreq builds a request for method and target ("/path?query"), with
// header fields given as name, value pairs.
func mkreq(method, target string, kv ...string) *request {
	r := &request{method: []byte(method)}
	if target == "*" {
		r.asterisk = true
	} else {
		p, q, hasQ := strings.Cut(target, "?")
		r.rawPath = []byte(p)
		if hasQ {
			r.query, r.hasQuery = []byte(q), true
		}
	}
	h := hdrs{}
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i]] = kv[i+1]
	}
	r.hdr = h
	return r
}

// fixedNow is the handler's clock in tests; fileTime is every file's
// modification time unless a test changes it.
var (
	fixedNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	fileTime = time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)
)

const (
	fileTimeHTTP = "Tue, 02 Jan 2024 03:04:05 GMT"
	secret       = "TOP SECRET OUTSIDE CONTENT"
)

// tree describes the test root: path → content; a trailing '/' makes a
// directory.
var tree = map[string]string{
	"hello.txt":               "hello, world\n",
	"empty.txt":               "",
	"page.html":               "<!doctype html><p>page</p>\n",
	"app.js":                  strings.Repeat("console.log('plain');\n", 10),
	"app.js.br":               "BROTLI-BYTES",
	"app.js.gz":               "GZIP-BYTES-LONGER",
	"style.css":               "body{}\n",
	"style.css.gz":            "CSS-GZ",
	"image.png":               "\x89PNG fake",
	"image.png.gz":            "PNG-GZ-should-not-be-used",
	"digits.txt":              "0123456789abcdefghijklmnopqrstuvwxyz",
	"dir/":                    "",
	"dir/a.txt":               "a\n",
	"dir/sub/":                "",
	"dir/.hidden":             "hidden\n",
	"site/":                   "",
	"site/index.html":         "<p>site index</p>\n",
	".git/":                   "",
	".git/config":             "[core]\n",
	".env":                    "SECRET=1\n",
	"a/":                      "",
	"a/b.txt":                 "ab\n",
	"spa/":                    "",
	"spa/index.html":          "<p>spa shell</p>\n",
	"pages/":                  "",
	"pages/about.html":        "<p>about</p>\n",
	"errors/":                 "",
	"errors/404.html":         "<p>custom not found</p>\n",
	"ünï cödé.txt":            "unicode\n",
	"with space/":             "",
	"with space/x.txt":        "x\n",
	"odd\"name'<>&/":          "",
	"odd\"name'<>&/index.txt": "odd\n",
}

// newTree builds the test root in a temp dir, with symlinks inside and
// escaping it, a FIFO, and fixed modification times. It returns the root
// and the directory holding the outside secret.
func newTree(t tb) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "root")
	outside = filepath.Join(base, "outside")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(root, 0o755))
	must(os.MkdirAll(outside, 0o755))
	must(os.WriteFile(filepath.Join(outside, "secret"), []byte(secret), 0o644))
	for p, content := range tree {
		full := filepath.Join(root, filepath.FromSlash(strings.TrimSuffix(p, "/")))
		if strings.HasSuffix(p, "/") {
			must(os.MkdirAll(full, 0o755))
			continue
		}
		must(os.MkdirAll(filepath.Dir(full), 0o755))
		must(os.WriteFile(full, []byte(content), 0o644))
	}
	must(os.Symlink("hello.txt", filepath.Join(root, "link-in")))
	must(os.Symlink("../dir", filepath.Join(root, "a", "linkdir-in")))
	must(os.Symlink(filepath.Join(outside, "secret"), filepath.Join(root, "link-out-abs")))
	must(os.Symlink("../outside/secret", filepath.Join(root, "link-out-rel")))
	must(os.Symlink("../outside", filepath.Join(root, "linkdir-out")))
	if mkfifo != nil {
		must(mkfifo(filepath.Join(root, "fifo")))
	} else {
		must(os.Mkdir(filepath.Join(root, "fifo"), 0o755)) // as fifo_other_test.go does
	}
	// Fixed times, deepest first so directory times stick.
	var paths []string
	filepath.Walk(root, func(p string, _ os.FileInfo, _ error) error {
		paths = append(paths, p)
		return nil
	})
	for i := len(paths) - 1; i >= 0; i-- {
		fi, err := os.Lstat(paths[i])
		if err != nil || fi.Mode()&os.ModeSymlink != 0 {
			continue
		}
		must(os.Chtimes(paths[i], fileTime, fileTime))
	}
	return root, outside
}

// newHandler builds a handler over a fresh tree with the fixed clock.
func newHandler(t tb, cfg Config) *Handler {
	t.Helper()
	if cfg.Root == "" {
		cfg.Root, _ = newTree(t)
	}
	// New takes its Config as given; the tests' zero value means what
	// ferrox serves by default.
	if cfg.Index == nil {
		cfg.Index = []string{"index.html"}
	}
	if cfg.OpenFileCache == 0 {
		cfg.OpenFileCache = DefaultOpenFileCache
	}
	h, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.now = func() time.Time { return fixedNow }
	t.Cleanup(func() { h.Close() })
	return h
}

// do serves r and returns the response and its body as the engine would
// send it (empty for NoBody).
func do(t tb, h *Handler, r *request) (*wire.Response, string) {
	t.Helper()
	resp := &wire.Response{}
	resp.Reset()
	h.serve(r, resp)
	t.Cleanup(resp.Release)
	return resp, bodyOf(t, resp)
}

// bodyOf concatenates the segments, checking ContentLength against them.
func bodyOf(t tb, resp *wire.Response) string {
	t.Helper()
	var b bytes.Buffer
	for _, s := range resp.Body {
		if s.File != nil {
			if _, err := io.Copy(&b, io.NewSectionReader(s.File, s.Off, s.N)); err != nil {
				t.Fatalf("reading segment: %v", err)
			}
			continue
		}
		b.Write(s.Data)
	}
	if int64(b.Len()) != resp.ContentLength {
		t.Errorf("ContentLength = %d; segments hold %d bytes", resp.ContentLength, b.Len())
	}
	if resp.NoBody {
		return ""
	}
	return b.String()
}

// compTree adds files for the compression tests to a fresh test tree:
// big.js (compressible, above the threshold), sib.css with a .gz sibling,
// small.txt (below the threshold), huge.txt (above the maximum),
// photo.png (not a compressible type).
func compTree(t tb) (root string, files map[string]string) {
	t.Helper()
	root, _ = newTree(t)
	files = map[string]string{
		"big.js":      strings.Repeat("function f(a, b) { return a + b; } // line\n", 200),
		"sib.css":     strings.Repeat("body { margin: 0; padding: 0; }\n", 100),
		"sib.css.gz":  "PRECOMPRESSED-GZ",
		"all.txt":     strings.Repeat("every sibling and the original\n", 100),
		"all.txt.br":  "BR-SIBLING",
		"all.txt.zst": "ZSTD-SIBLING",
		"small.txt":   "tiny\n",
		"huge.txt":    strings.Repeat("x", 70000),
		"photo.png":   strings.Repeat("\x89PNG", 1000),
	}
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, fileTime, fileTime); err != nil {
			t.Fatal(err)
		}
	}
	return root, files
}

// compConfig is the compression as ferrox serves it by default, with a
// maximum of 64 KiB so huge.txt lies above it.
func compConfig(root string, cacheBytes int64) Config {
	return Config{Root: root, Compress: CompressConfig{
		On: true, GzipLevel: DefaultGzipLevel, ZstdLevel: DefaultZstdLevel,
		Types: DefaultCompressTypes, MinSize: DefaultCompressMin, MaxSize: 64 << 10,
		CacheBytes: cacheBytes,
	}}
}

// decodeQuiet decodes without a testing.T (for goroutines); "" on error.
func decodeQuiet(encoding string, body []byte) string {
	switch encoding {
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return ""
		}
		out, _ := io.ReadAll(zr)
		return string(out)
	case "zstd":
		zr, err := zstd.NewReader(nil)
		if err != nil {
			return ""
		}
		defer zr.Close()
		out, _ := zr.DecodeAll(body, nil)
		return string(out)
	}
	return ""
}
