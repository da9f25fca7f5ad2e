package static

import (
	"strings"
	"testing"

	"github.com/ferrox/ferrox/wire"
)

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
	h := newHandler(f, Config{Dotfiles: true})
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
