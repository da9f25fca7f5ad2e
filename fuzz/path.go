package fuzz

import (
	"bytes"
	"errors"
	"io"
	"net/url"
	"os"
	"path"
	"strings"

	"pgregory.net/rapid"

	"github.com/ferrox/ferrox/config"
	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/server/static"
	"github.com/ferrox/ferrox/wire"
)

// pathEnv is a site, a handler over it and an os.Root oracle over the
// same directory.
type pathEnv struct {
	site site
	h    *static.Handler
	root *os.Root
}

func newPathEnv(tb TB) *pathEnv {
	tb.Helper()
	s := newSite(tb)
	root, err := os.OpenRoot(s.Root)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { root.Close() })
	// The oracle expects a directory without an index to be listed (200),
	// so listings are on here (their default is off).
	on := true
	cfg := config.Config{Listing: config.ListingConfig{Enabled: &on}}
	return &pathEnv{site: s, h: newStatic(tb, s, cfg.StaticConfig()), root: root}
}

// serve parses raw as a request and serves it; ok is false when the
// parser rejects raw (then there is nothing to serve). The caller must
// Release the response.
func (e *pathEnv) serve(tb rapid.TB, raw []byte) (*parser.Request, *wire.Response, bool) {
	tb.Helper()
	var p parser.Parser
	req := new(parser.Request)
	if _, err := p.Parse(raw, req); err != nil {
		return nil, nil, false
	}
	resp := new(wire.Response)
	resp.Reset()
	e.h.Serve(req, resp)
	return req, resp, true
}

// checkNoEscape is the invariant every response obeys: no content from
// outside the root, and every file the response sends is inside it.
func (e *pathEnv) checkNoEscape(tb rapid.TB, raw []byte, resp *wire.Response, body []byte) {
	tb.Helper()
	if bytes.Contains(body, []byte(secretMarker)) {
		tb.Fatalf("Serve(%q) = %d with the content of a file outside the root", raw, resp.Status)
	}
	for _, seg := range resp.Body {
		if seg.File == nil {
			continue
		}
		if strings.HasPrefix(seg.File.Name(), e.site.Outside) || strings.Contains(seg.File.Name(), "..") {
			tb.Fatalf("Serve(%q) sends file %q outside the root", raw, seg.File.Name())
		}
	}
}

// forbiddenDecoded reports whether a decoded path holds a byte the
// handler refuses (DESIGN: NUL, '\', control bytes).
func forbiddenDecoded(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return true
		}
	}
	return false
}

// oracle predicts the status the handler gives a GET of the raw
// origin-form path, and the file it must send for a 200 on a regular
// file (nil otherwise), using url.PathUnescape, path.Clean and os.Root.
// statuses lists the acceptable answers.
func (e *pathEnv) oracle(rawPath string) (statuses []int, file *os.File) {
	lower := strings.ToLower(rawPath)
	dec, err := url.PathUnescape(rawPath)
	if err != nil || strings.Contains(lower, "%2f") || strings.Contains(lower, "%5c") || forbiddenDecoded(dec) {
		return []int{400}, nil
	}
	clean := path.Clean("/" + dec)
	for _, seg := range strings.Split(clean[1:], "/") {
		if strings.HasPrefix(seg, ".") {
			return []int{404}, nil // dotfiles are refused by default
		}
	}
	name := "."
	if clean != "/" {
		name = clean[1:]
	}
	f, err := e.root.Open(name)
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return []int{403}, nil
		}
		return []int{404}, nil
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return []int{500}, nil
	}
	switch {
	case fi.Mode().IsRegular():
		if strings.HasSuffix(dec, "/") && dec != "/" {
			f.Close()
			return []int{404}, nil
		}
		return []int{200}, f
	case fi.IsDir():
		f.Close()
		return []int{200, 301}, nil
	}
	f.Close()
	return []int{404}, nil
}

// checkPathResolve serves "GET target" and checks it against the
// no-escape invariant and the os.Root oracle.
func (e *pathEnv) checkPathResolve(tb rapid.TB, target []byte) {
	tb.Helper()
	raw := append(append([]byte("GET "), target...), " HTTP/1.1\r\nHost: example\r\n\r\n"...)
	req, resp, ok := e.serve(tb, raw)
	if !ok {
		return
	}
	defer resp.Release()
	body := responseBody(tb, resp)
	e.checkNoEscape(tb, raw, resp, body)
	if req.Form != parser.FormOrigin {
		return
	}
	statuses, f := e.oracle(string(req.Path))
	if f != nil {
		defer f.Close()
	}
	okStatus := false
	for _, s := range statuses {
		okStatus = okStatus || s == resp.Status
	}
	if !okStatus {
		tb.Fatalf("Serve(GET %q) = %d; want one of %v (os.Root oracle)", target, resp.Status, statuses)
	}
	if f != nil {
		want, err := io.ReadAll(f)
		if err != nil {
			tb.Fatal(err)
		}
		if !bytes.Equal(body, want) {
			tb.Fatalf("Serve(GET %q) body = %q; want %q (the file os.Root opens)", target, body, want)
		}
	}
}

// checkRequestNoEscape serves any raw request (a corpus case) and checks
// the no-escape invariant.
func (e *pathEnv) checkRequestNoEscape(tb rapid.TB, raw []byte) {
	tb.Helper()
	_, resp, ok := e.serve(tb, raw)
	if !ok {
		return
	}
	defer resp.Release()
	e.checkNoEscape(tb, raw, resp, responseBody(tb, resp))
}

var pathSeeds = []string{
	"/", "/a.txt", "/dir/", "/dir", "/dir/b.txt", "/../outside/secret", "/%2e%2e/outside/secret",
	"/link-out-rel", "/link-out-abs", "/linkdir-out/secret", "/dir/link-out-deep", "/linkdir-in/b.txt",
	"/link-in", "/dir/link-up-in", "/loop", "/.hidden", "/.git/config", "/%2e%2e%2f", "/a.txt/",
	"/sp%20ace.txt", "/%C3%BC%C3%B1%C3%AF.txt", "/pct%2541.txt", "/dir/..%2f..%2foutside", "/%5c..",
	"/a%00", "/noindex", "/style.css", "//a.txt", "/./a.txt", "/dir/../a.txt", "/%zz",
}

// traversalSegments are the pieces generated paths are made of: dot
// segments plain and encoded, encoded separators, NUL, backslash,
// unicode, long names and the tree's symlinks.
var traversalSegments = []string{
	"..", ".", "%2e", "%2e%2e", ".%2e", "%2E%2E", "%2f", "%2F", "%5c", "\\", "%00", "\x00",
	"ü", "%C3%BC", "%ff", strings.Repeat("n", 300), "a.txt", "dir", "b.txt", "sub", "c.txt",
	"link-in", "link-out-rel", "link-out-abs", "linkdir-out", "linkdir-in", "link-up-in",
	"link-out-deep", "loop", "secret", "outside", "root", ".hidden", "", "%20", "noindex",
}

// propTraversal: a path built from traversal segments never yields
// content from outside the root, and agrees with the os.Root oracle.
func propTraversal(e *pathEnv) func(*rapid.T) {
	return func(t *rapid.T) {
		segs := rapid.SliceOfN(rapid.SampledFrom(traversalSegments), 0, 8).Draw(t, "segments")
		p := "/" + strings.Join(segs, "/")
		if rapid.Bool().Draw(t, "trailingSlash") {
			p += "/"
		}
		e.checkPathResolve(t, []byte(p))
	}
}

// checkDecodePath compares parser.DecodePath and DecodePathStrict with
// url.PathUnescape.
func checkDecodePath(tb TB, p []byte) {
	tb.Helper()
	want, werr := url.PathUnescape(string(p))
	got, gerr := parser.DecodePath(nil, p)
	if (gerr == nil) != (werr == nil) || gerr == nil && string(got) != want {
		tb.Fatalf("DecodePath(%q) = %q, %v; url.PathUnescape = %q, %v", p, got, gerr, want, werr)
	}
	sgot, serr := parser.DecodePathStrict(nil, p)
	lower := bytes.ToLower(p)
	forbidden := bytes.Contains(lower, []byte("%2f")) || bytes.Contains(lower, []byte("%5c")) ||
		strings.ContainsAny(want, "\x00\\")
	switch {
	case werr != nil:
		if serr == nil {
			tb.Fatalf("DecodePathStrict(%q) = %q, nil; url.PathUnescape = %v", p, sgot, werr)
		}
	case forbidden:
		if serr == nil {
			tb.Fatalf("DecodePathStrict(%q) = %q, nil; want an error (NUL, '\\' or encoded separator)", p, sgot)
		}
	default:
		if serr != nil || string(sgot) != want {
			tb.Fatalf("DecodePathStrict(%q) = %q, %v; want %q, nil", p, sgot, serr, want)
		}
	}
}
