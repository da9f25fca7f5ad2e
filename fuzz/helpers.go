package fuzz

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"pgregory.net/rapid"

	"github.com/ferrox/ferrox/corpus"
	"github.com/ferrox/ferrox/server/static"
	"github.com/ferrox/ferrox/wire"
)

// corpusCases returns every corpus case; it fails tb when the embedded
// corpus does not load. Under libFuzzer it returns none: the targets call
// it for seeds, which there come from the seed corpus instead, and the
// shim runs a target's seeding again for every input.
func corpusCases(tb TB) []corpus.Case {
	tb.Helper()
	if libFuzzer {
		return nil
	}
	cs, err := corpus.All()
	if err != nil {
		tb.Fatalf("corpus.All() = %v", err)
	}
	return cs
}

// seedCorpus adds the raw bytes of every corpus case and then extra as
// seeds of f.
func seedCorpus(f seeder, extra ...string) {
	f.Helper()
	for _, c := range corpusCases(f) {
		f.Add(c.Raw)
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

// secretMarker is the content of the file outside the served root; no
// response may ever carry it.
const secretMarker = "SECRET-OUTSIDE-THE-ROOT-7f3a"

// siteFiles is the tree under the root ("dir/" entries are directories).
var siteFiles = map[string]string{
	"index.html":                      "<!doctype html><title>home</title>\n",
	"a.txt":                           "alpha alpha alpha\n",
	"big.txt":                         strings.Repeat("0123456789abcdef", 512),
	"empty.txt":                       "",
	"dir/":                            "",
	"dir/b.txt":                       "bravo\n",
	"dir/sub/c.txt":                   "charlie\n",
	"noindex/":                        "",
	"noindex/d.txt":                   "delta\n",
	".hidden":                         "hidden dotfile\n",
	".git/config":                     "[core]\n",
	"sp ace.txt":                      "space in name\n",
	"ünï.txt":                         "unicode name\n",
	"pct%41.txt":                      "literal percent name\n",
	"style.css":                       "body{color:#333}\n",
	"style.css.gz":                    "not really gzip\n",
	strings.Repeat("l", 200) + ".txt": "long name\n",
}

// fileTimeLater is a modification time after the files' (precompressed
// siblings must not be older than their originals).
var fileTimeLater = time.Now().Add(time.Hour)

// site is a served tree: Root holds siteFiles plus symlinks inside and
// escaping it; Outside holds the secret.
type site struct {
	Root, Outside string
}

// newSite builds the tree in a temp dir of tb.
func newSite(tb TB) site {
	tb.Helper()
	base := tb.TempDir()
	s := site{Root: filepath.Join(base, "root"), Outside: filepath.Join(base, "outside")}
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(os.MkdirAll(s.Root, 0o755))
	must(os.MkdirAll(s.Outside, 0o755))
	must(os.WriteFile(filepath.Join(s.Outside, "secret"), []byte(secretMarker), 0o644))
	for p, content := range siteFiles {
		full := filepath.Join(s.Root, filepath.FromSlash(strings.TrimSuffix(p, "/")))
		if strings.HasSuffix(p, "/") {
			must(os.MkdirAll(full, 0o755))
			continue
		}
		must(os.MkdirAll(filepath.Dir(full), 0o755))
		must(os.WriteFile(full, []byte(content), 0o644))
	}
	links := [][2]string{
		{"a.txt", "link-in"},
		{"../a.txt", "dir/link-up-in"},
		{"dir", "linkdir-in"},
		{filepath.Join(s.Outside, "secret"), "link-out-abs"},
		{"../outside/secret", "link-out-rel"},
		{"../outside", "linkdir-out"},
		{"../../outside/secret", "dir/link-out-deep"},
		{"loop", "loop"},
	}
	for _, l := range links {
		must(os.Symlink(l[0], filepath.Join(s.Root, filepath.FromSlash(l[1]))))
	}
	return s
}

// newStatic builds a static handler over s.
func newStatic(tb TB, s site, cfg static.Config) *static.Handler {
	tb.Helper()
	cfg.Root = s.Root
	h, err := static.New(cfg)
	if err != nil {
		tb.Fatalf("static.New: %v", err)
	}
	tb.Cleanup(func() { h.Close() })
	return h
}

// responseBody returns the bytes resp's segments describe (reading file
// segments with ReadAt) and checks that their total equals
// ContentLength.
func responseBody(tb rapid.TB, resp *wire.Response) []byte {
	tb.Helper()
	var b bytes.Buffer
	for i, seg := range resp.Body {
		if seg.File == nil {
			b.Write(seg.Data)
			continue
		}
		if seg.Off < 0 || seg.N < 0 {
			tb.Fatalf("segment %d: Off=%d N=%d; want non-negative", i, seg.Off, seg.N)
		}
		fi, err := seg.File.Stat()
		if err != nil {
			tb.Fatalf("segment %d: stat: %v", i, err)
		}
		if seg.Off+seg.N > fi.Size() {
			tb.Fatalf("segment %d: range [%d,+%d) lies outside the %d-byte file", i, seg.Off, seg.N, fi.Size())
		}
		buf := make([]byte, seg.N)
		if _, err := seg.File.ReadAt(buf, seg.Off); err != nil && !(errors.Is(err, io.EOF) && seg.N == 0) {
			tb.Fatalf("segment %d: ReadAt: %v", i, err)
		}
		b.Write(buf)
	}
	if !resp.NoBody && int64(b.Len()) != resp.ContentLength {
		tb.Fatalf("body segments hold %d bytes; ContentLength = %d", b.Len(), resp.ContentLength)
	}
	return b.Bytes()
}

// memConn is a net.Conn over fixed client bytes: Read returns in (then
// io.EOF, as after the client shut its write side), Write collects the
// server's output. It never blocks, so a connection over it cannot wait
// on the network; deadlines are accepted and ignored. It implements
// CloseWrite, so the server's lingering close runs.
type memConn struct {
	mu     sync.Mutex
	in     []byte
	chunk  int // bytes returned per Read (0: all)
	out    bytes.Buffer
	closed bool
}

func (c *memConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	if len(c.in) == 0 {
		return 0, io.EOF
	}
	n := len(c.in)
	if c.chunk > 0 && n > c.chunk {
		n = c.chunk
	}
	n = copy(p, c.in[:n])
	c.in = c.in[n:]
	return n, nil
}

func (c *memConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	return c.out.Write(p)
}

func (c *memConn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	return nil
}

func (c *memConn) CloseWrite() error                { return nil }
func (c *memConn) LocalAddr() net.Addr              { return memAddr{} }
func (c *memConn) RemoteAddr() net.Addr             { return memAddr{} }
func (c *memConn) SetDeadline(time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(time.Time) error { return nil }

type memAddr struct{}

func (memAddr) Network() string { return "mem" }
func (memAddr) String() string  { return "mem" }
