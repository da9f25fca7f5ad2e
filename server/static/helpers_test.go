package static

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/wire"
)

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
func newTree(t testing.TB) (root, outside string) {
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
	must(mkfifo(filepath.Join(root, "fifo")))
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
func newHandler(t testing.TB, cfg Config) *Handler {
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
func do(t testing.TB, h *Handler, r *request) (*wire.Response, string) {
	t.Helper()
	resp := &wire.Response{}
	resp.Reset()
	h.serve(r, resp)
	t.Cleanup(resp.Release)
	return resp, bodyOf(t, resp)
}

// bodyOf concatenates the segments, checking ContentLength against them.
func bodyOf(t testing.TB, resp *wire.Response) string {
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
