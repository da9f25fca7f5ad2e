package static

import (
	"path"
	"strings"
	"testing"
)

// TestCleanPathExhaustive compares cleanPath with path.Clean over every
// string of up to 7 bytes from {'/', '.', 'a'}, so the fast path that skips
// path.Clean can never disagree with it.
func TestCleanPathExhaustive(t *testing.T) {
	alphabet := []byte{'/', '.', 'a'}
	var gen func(prefix []byte, n int)
	checked := 0
	gen = func(prefix []byte, n int) {
		p := append([]byte{'/'}, prefix...)
		got, slash := cleanPath(p)
		want := path.Clean(string(p))
		if got != want {
			t.Errorf("cleanPath(%q) = %q; want %q", p, got, want)
		}
		if wantSlash := len(p) > 1 && strings.HasSuffix(string(p), "/"); slash != wantSlash {
			t.Errorf("cleanPath(%q) slash = %v; want %v", p, slash, wantSlash)
		}
		checked++
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			gen(append(prefix[:len(prefix):len(prefix)], c), n-1)
		}
	}
	gen(nil, 7)
	if checked < 3000 {
		t.Fatalf("checked only %d paths", checked)
	}
}

func TestHasDotSegment(t *testing.T) {
	cases := []struct {
		in   string
		want bool
	}{
		{"/", false},
		{"/a.b", false},
		{"/a/b.", false},
		{"/.a", true},
		{"/a/.b/c", true},
		{"/a/b/.c", true},
		{"/a..b", false},
	}
	for _, c := range cases {
		if got := hasDotSegment(c.in); got != c.want {
			t.Errorf("hasDotSegment(%q) = %v; want %v", c.in, got, c.want)
		}
	}
}

func TestAppendLocation(t *testing.T) {
	cases := []struct {
		path, query string
		hasQuery    bool
		want        string
	}{
		{"/dir", "", false, "/dir/"},
		{"/a b", "", false, "/a%20b/"},
		{"/ü", "", false, "/%C3%BC/"},
		{"/x\r\ny", "", false, "/x%0D%0Ay/"},
		{"/d", "q=1 2", true, "/d/?q=1%202"},
		{"/d", "a=%41#frag", true, "/d/?a=%41%23frag"},
	}
	for _, c := range cases {
		if got := string(appendLocation(nil, c.path, []byte(c.query), c.hasQuery)); got != c.want {
			t.Errorf("appendLocation(%q, %q) = %q; want %q", c.path, c.query, got, c.want)
		}
	}
}
