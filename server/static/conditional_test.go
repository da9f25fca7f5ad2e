package static

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ferrox/ferrox/wire"
)

func TestValidatorsAndConditionals(t *testing.T) {
	h := newHandler(t, Config{CacheControl: "max-age=10"})
	etag := fmt.Sprintf(`"%x-%x"`, 13, fileTime.UnixNano())
	weak := "W/" + etag
	other := `"nope"`
	before := "Mon, 01 Jan 2024 00:00:00 GMT"
	after := "Wed, 03 Jan 2024 00:00:00 GMT"
	cases := []struct {
		name   string
		method string
		kv     []string
		status int
	}{
		{"none", "GET", nil, 200},
		{"inm-match", "GET", []string{"If-None-Match", etag}, 304},
		{"inm-match-head", "HEAD", []string{"If-None-Match", etag}, 304},
		{"inm-weak-match", "GET", []string{"If-None-Match", weak}, 304},
		{"inm-list", "GET", []string{"If-None-Match", `"a", ` + weak + ` ,"b"`}, 304},
		{"inm-list-nomatch", "GET", []string{"If-None-Match", `"a", "b"`}, 200},
		{"inm-star", "GET", []string{"If-None-Match", "*"}, 304},
		{"inm-other", "GET", []string{"If-None-Match", other}, 200},
		{"inm-garbage", "GET", []string{"If-None-Match", "garbage"}, 200},
		{"inm-unterminated", "GET", []string{"If-None-Match", `"abc`}, 200},
		{"im-match", "GET", []string{"If-Match", etag}, 200},
		{"im-star", "GET", []string{"If-Match", "*"}, 200},
		{"im-weak-fails", "GET", []string{"If-Match", weak}, 412},
		{"im-other", "GET", []string{"If-Match", other}, 412},
		{"im-list", "GET", []string{"If-Match", `"x", ` + etag}, 200},
		{"ius-after", "GET", []string{"If-Unmodified-Since", after}, 200},
		{"ius-equal", "GET", []string{"If-Unmodified-Since", fileTimeHTTP}, 200},
		{"ius-before", "GET", []string{"If-Unmodified-Since", before}, 412},
		{"ius-invalid-ignored", "GET", []string{"If-Unmodified-Since", "yesterday"}, 200},
		{"ius-ignored-with-im", "GET", []string{"If-Match", etag, "If-Unmodified-Since", before}, 200},
		{"ims-equal", "GET", []string{"If-Modified-Since", fileTimeHTTP}, 304},
		{"ims-after", "GET", []string{"If-Modified-Since", after}, 304},
		{"ims-before", "GET", []string{"If-Modified-Since", before}, 200},
		{"ims-rfc850", "GET", []string{"If-Modified-Since", "Tuesday, 02-Jan-24 03:04:05 GMT"}, 304},
		{"ims-asctime", "GET", []string{"If-Modified-Since", "Tue Jan  2 03:04:05 2024"}, 304},
		{"ims-invalid", "GET", []string{"If-Modified-Since", "not a date"}, 200},
		{"ims-ignored-with-inm", "GET", []string{"If-None-Match", other, "If-Modified-Since", after}, 200},
		{"im-fail-beats-inm", "GET", []string{"If-Match", other, "If-None-Match", etag}, 412},
		{"ius-fail-beats-ims", "GET", []string{"If-Unmodified-Since", before, "If-Modified-Since", after}, 412},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := do(t, h, mkreq(c.method, "/hello.txt", c.kv...))
			if resp.Status != c.status {
				t.Fatalf("%s /hello.txt %q: status %d; want %d", c.method, c.kv, resp.Status, c.status)
			}
			switch c.status {
			case 200:
				if got := resp.Get("ETag"); got != etag {
					t.Errorf("ETag = %q; want %q", got, etag)
				}
				if got := resp.Get("Last-Modified"); got != fileTimeHTTP {
					t.Errorf("Last-Modified = %q; want %q", got, fileTimeHTTP)
				}
			case 304:
				if !resp.NoBody || body != "" || len(resp.Body) != 0 {
					t.Errorf("304 with a body: NoBody=%v segments=%d", resp.NoBody, len(resp.Body))
				}
				want := []wire.Field{{Name: "ETag", Value: etag}, {Name: "Last-Modified", Value: fileTimeHTTP}, {Name: "Cache-Control", Value: "max-age=10"}}
				if fmt.Sprint(resp.Header) != fmt.Sprint(want) {
					t.Errorf("304 header = %v; want %v", resp.Header, want)
				}
			}
		})
	}
}

// TestConditionalOnMissing: preconditions are not evaluated for a
// resource that does not exist (RFC 9110 §13.2.1).
func TestConditionalOnMissing(t *testing.T) {
	h := newHandler(t, Config{})
	for _, kv := range [][]string{
		{"If-None-Match", "*"},
		{"If-Match", `"x"`},
		{"If-Modified-Since", "Wed, 03 Jan 2024 00:00:00 GMT"},
	} {
		resp, _ := do(t, h, mkreq("GET", "/nope.txt", kv...))
		if resp.Status != 404 {
			t.Errorf("GET /nope.txt %q = %d; want 404", kv, resp.Status)
		}
	}
}

// TestLastModifiedNotInFuture: a file dated in the future is reported
// with Last-Modified = now (RFC 9110 §8.8.2.1).
func TestLastModifiedNotInFuture(t *testing.T) {
	root, _ := newTree(t)
	future := fixedNow.Add(48 * time.Hour)
	if err := os.Chtimes(filepath.Join(root, "hello.txt"), future, future); err != nil {
		t.Fatal(err)
	}
	h := newHandler(t, Config{Root: root})
	resp, _ := do(t, h, mkreq("GET", "/hello.txt"))
	want := fixedNow.Format(imfFixdate)
	if got := resp.Get("Last-Modified"); got != want {
		t.Errorf("Last-Modified = %q; want %q", got, want)
	}
}

func TestETagChangesWithFile(t *testing.T) {
	root, _ := newTree(t)
	h := newHandler(t, Config{Root: root})
	resp, _ := do(t, h, mkreq("GET", "/hello.txt"))
	e1 := resp.Get("ETag")
	later := fileTime.Add(time.Nanosecond)
	if err := os.Chtimes(filepath.Join(root, "hello.txt"), later, later); err != nil {
		t.Fatal(err)
	}
	resp, _ = do(t, h, mkreq("GET", "/hello.txt", "If-None-Match", e1))
	if resp.Status != 200 || resp.Get("ETag") == e1 {
		t.Errorf("after touching the file: status %d ETag %q (old %q); want 200 and a new tag", resp.Status, resp.Get("ETag"), e1)
	}
}

func TestParseHTTPDate(t *testing.T) {
	want := time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC)
	cases := []struct {
		in string
		ok bool
	}{
		{"Sun, 06 Nov 1994 08:49:37 GMT", true},
		{"Sunday, 06-Nov-94 08:49:37 GMT", true},
		{"Sun Nov  6 08:49:37 1994", true},
		{"Sun, 06 Nov 1994 08:49:37 UTC", false},
		{"06 Nov 1994", false},
		{"", false},
	}
	for _, c := range cases {
		got, ok := parseHTTPDate([]byte(c.in))
		if ok != c.ok || (ok && !got.Equal(want)) {
			t.Errorf("parseHTTPDate(%q) = %v, %v; want %v, %v", c.in, got, ok, want, c.ok)
		}
	}
}
