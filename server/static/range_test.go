package static

import (
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const digits = "0123456789abcdefghijklmnopqrstuvwxyz" // content of digits.txt (36 bytes)

func TestParseRange(t *testing.T) {
	const size = 100
	cases := []struct {
		in   string
		want []byteRange
		res  rangeResult
	}{
		{"bytes=0-0", []byteRange{{0, 1}}, rangeOK},
		{"bytes=0-99", []byteRange{{0, 100}}, rangeOK},
		{"bytes=0-1000", []byteRange{{0, 100}}, rangeOK},
		{"bytes=10-", []byteRange{{10, 90}}, rangeOK},
		{"bytes=-10", []byteRange{{90, 10}}, rangeOK},
		{"bytes=-1000", []byteRange{{0, 100}}, rangeOK},
		{"BYTES=1-2", []byteRange{{1, 2}}, rangeOK},
		{"bytes= 1-2 , 5-6", []byteRange{{1, 2}, {5, 2}}, rangeOK},
		{"bytes=5-6,1-2", []byteRange{{1, 2}, {5, 2}}, rangeOK},
		{"bytes=0-10,5-20", []byteRange{{0, 21}}, rangeOK},
		{"bytes=0-9,10-19", []byteRange{{0, 20}}, rangeOK},
		{"bytes=,1-2,", []byteRange{{1, 2}}, rangeOK},
		{"bytes=100-", nil, rangeUnsatisfiable},
		{"bytes=200-300", nil, rangeUnsatisfiable},
		{"bytes=-0", nil, rangeUnsatisfiable},
		{"bytes=100-,1-2", []byteRange{{1, 2}}, rangeOK},
		{"bytes=99999999999999999999999-", nil, rangeUnsatisfiable},
		{"bytes=0-99999999999999999999999", []byteRange{{0, 100}}, rangeOK},
		{"bytes=-99999999999999999999999", []byteRange{{0, 100}}, rangeOK},
		{"bytes=5-1", nil, rangeIgnore},
		{"bytes=99999999999999999999999-1", nil, rangeIgnore},
		{"bytes=", nil, rangeIgnore},
		{"bytes=,", nil, rangeIgnore},
		{"bytes=1", nil, rangeIgnore},
		{"bytes=a-b", nil, rangeIgnore},
		{"bytes=+1-2", nil, rangeIgnore},
		{"bytes=1--2", nil, rangeIgnore},
		{"bytes=0x1-2", nil, rangeIgnore},
		{"items=0-1", nil, rangeIgnore},
		{"bytes 0-1", nil, rangeIgnore},
		{"bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8,9-9,10-10,11-11,12-12,13-13,14-14,15-15,16-16", nil, rangeIgnore},
	}
	for _, c := range cases {
		var buf [maxRanges]byteRange
		got, res := parseRange(buf[:0], []byte(c.in), size)
		if res != c.res {
			t.Errorf("parseRange(%q) result = %d; want %d", c.in, res, c.res)
			continue
		}
		if res == rangeOK {
			if diff := cmp.Diff(c.want, got, cmp.AllowUnexported(byteRange{})); diff != "" {
				t.Errorf("parseRange(%q) ranges (-want +got):\n%s", c.in, diff)
			}
		}
	}
}

func TestRangeResponses(t *testing.T) {
	h := newHandler(t, Config{})
	lastMod := fileTimeHTTP
	cases := []struct {
		name   string
		kv     []string
		status int
		cr     string // Content-Range
		body   string // for non-multipart
	}{
		{"first-byte", []string{"Range", "bytes=0-0"}, 206, "bytes 0-0/36", "0"},
		{"middle", []string{"Range", "bytes=10-15"}, 206, "bytes 10-15/36", "abcdef"},
		{"open", []string{"Range", "bytes=30-"}, 206, "bytes 30-35/36", "uvwxyz"},
		{"suffix", []string{"Range", "bytes=-3"}, 206, "bytes 33-35/36", "xyz"},
		{"clamped", []string{"Range", "bytes=34-1000"}, 206, "bytes 34-35/36", "yz"},
		{"coalesced", []string{"Range", "bytes=0-3,2-5"}, 206, "bytes 0-5/36", "012345"},
		{"unsatisfiable", []string{"Range", "bytes=36-"}, 416, "bytes */36", ""},
		{"invalid-ignored", []string{"Range", "bytes=5-1"}, 200, "", digits},
		{"unit-ignored", []string{"Range", "lines=1-2"}, 200, "", digits},
		{"huge", []string{"Range", "bytes=0-18446744073709551616"}, 206, "bytes 0-35/36", digits},
		{"if-range-date-ok", []string{"Range", "bytes=0-0", "If-Range", lastMod}, 206, "bytes 0-0/36", "0"},
		{"if-range-date-stale", []string{"Range", "bytes=0-0", "If-Range", "Mon, 01 Jan 2024 00:00:00 GMT"}, 200, "", digits},
		{"if-range-etag-stale", []string{"Range", "bytes=0-0", "If-Range", `"old"`}, 200, "", digits},
		{"if-range-weak", []string{"Range", "bytes=0-0", "If-Range", `W/"old"`}, 200, "", digits},
		{"if-range-garbage", []string{"Range", "bytes=0-0", "If-Range", "garbage"}, 200, "", digits},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := do(t, h, mkreq("GET", "/digits.txt", c.kv...))
			if resp.Status != c.status {
				t.Fatalf("GET /digits.txt %q: status %d; want %d", c.kv, resp.Status, c.status)
			}
			if got := resp.Get("Content-Range"); got != c.cr {
				t.Errorf("Content-Range = %q; want %q", got, c.cr)
			}
			if c.status != 416 && body != c.body {
				t.Errorf("body = %q; want %q", body, c.body)
			}
			if got := resp.Get("Accept-Ranges"); got != "bytes" {
				t.Errorf("Accept-Ranges = %q; want bytes", got)
			}
		})
	}

	// If-Range with the current strong ETag.
	resp, _ := do(t, h, mkreq("GET", "/digits.txt"))
	etag := resp.Get("ETag")
	resp, body := do(t, h, mkreq("GET", "/digits.txt", "Range", "bytes=1-2", "If-Range", etag))
	if resp.Status != 206 || body != "12" {
		t.Errorf("If-Range current ETag: %d %q; want 206 \"12\"", resp.Status, body)
	}
}

func TestMultipartRanges(t *testing.T) {
	h := newHandler(t, Config{})
	resp, body := do(t, h, mkreq("GET", "/digits.txt", "Range", "bytes=30-31, 0-1,-2"))
	if resp.Status != 206 {
		t.Fatalf("status %d; want 206", resp.Status)
	}
	if cr := resp.Get("Content-Range"); cr != "" {
		t.Errorf("top-level Content-Range %q in a multipart response", cr)
	}
	mt, params, err := mime.ParseMediaType(resp.Get("Content-Type"))
	if err != nil || mt != "multipart/byteranges" || params["boundary"] == "" {
		t.Fatalf("Content-Type %q: %v", resp.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(strings.NewReader(body), params["boundary"])
	type part struct{ CT, CR, Body string }
	var got []part
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("NextPart: %v (body %q)", err, body)
		}
		b, _ := io.ReadAll(p)
		got = append(got, part{p.Header.Get("Content-Type"), p.Header.Get("Content-Range"), string(b)})
	}
	want := []part{
		{"text/plain; charset=utf-8", "bytes 0-1/36", "01"},
		{"text/plain; charset=utf-8", "bytes 30-31/36", "uv"},
		{"text/plain; charset=utf-8", "bytes 34-35/36", "yz"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parts (-want +got):\n%s", diff)
	}
}

func TestRangeEmptyFile(t *testing.T) {
	h := newHandler(t, Config{})
	resp, _ := do(t, h, mkreq("GET", "/empty.txt", "Range", "bytes=0-"))
	if resp.Status != 416 || resp.Get("Content-Range") != "bytes */0" {
		t.Errorf("Range on an empty file = %d %q; want 416 bytes */0", resp.Status, resp.Get("Content-Range"))
	}
}
