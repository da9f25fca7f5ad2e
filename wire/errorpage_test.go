package wire

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestErrorPage: every built-in page names its code and phrase, is valid
// enough to declare its charset, and is the same bytes the template
// renders; a code outside the table gets a generic page.
func TestErrorPage(t *testing.T) {
	for code := 300; code < len(statuses); code++ {
		text := StatusText(code)
		if text == "" {
			continue
		}
		p := ErrorPage(code)
		if !bytes.Contains(p, []byte(strconv.Itoa(code)+" "+text)) || !bytes.Contains(p, []byte(`<meta charset="utf-8">`)) {
			t.Errorf("ErrorPage(%d) = %q; want a page naming %d %s", code, p, code, text)
		}
		if !bytes.Contains(p, []byte(explain(code))) {
			t.Errorf("ErrorPage(%d) lacks its line %q", code, explain(code))
		}
		if !bytes.Equal(p, renderPage(code)) {
			t.Errorf("ErrorPage(%d) differs from the rendered template", code)
		}
	}
	for _, c := range []struct {
		code int
		want string
	}{
		{418, "418 Client Error"},
		{599, "599 Server Error"},
		{299, "299 Error"},
	} {
		if p := string(ErrorPage(c.code)); !strings.Contains(p, c.want) || !strings.Contains(p, genericExplain) {
			t.Errorf("ErrorPage(%d) = %q; want a generic page naming %q", c.code, p, c.want)
		}
	}
}

// pageMap is a PageSource for tests.
type pageMap map[int]string

func (m pageMap) Page(status int) ([]byte, string, bool) {
	b, ok := m[status]
	return []byte(b), "text/plain", ok
}

func TestError(t *testing.T) {
	custom := pageMap{404: "custom 404"}
	for _, c := range []struct {
		id     string
		status int
		pages  PageSource
		before []Field // fields the handler added before the error
		want   []Field
		body   string
	}{
		{"built-in", 500, nil, nil,
			[]Field{{"Content-Type", HTMLType}}, string(ErrorPage(500))},
		{"custom", 404, custom, nil,
			[]Field{{"Content-Type", "text/plain"}}, "custom 404"},
		{"custom source without this status", 403, custom, nil,
			[]Field{{"Content-Type", HTMLType}}, string(ErrorPage(403))},
		{"allow kept", 405, nil, []Field{{"Allow", "GET, HEAD"}},
			[]Field{{"Allow", "GET, HEAD"}, {"Content-Type", HTMLType}}, string(ErrorPage(405))},
		{"content-range kept", 416, custom, []Field{{"Content-Range", "bytes */10"}},
			[]Field{{"Content-Range", "bytes */10"}, {"Content-Type", HTMLType}}, string(ErrorPage(416))},
		{"content-type replaced", 412, nil, []Field{{"content-type", "image/png"}, {"ETag", `"x"`}},
			[]Field{{"content-type", HTMLType}, {"ETag", `"x"`}}, string(ErrorPage(412))},
	} {
		t.Run(c.id, func(t *testing.T) {
			var r Response
			r.Header = append(r.Header, c.before...)
			r.Body = []Segment{{Data: []byte("stale")}, {Data: []byte("body")}}
			Error(&r, c.status, c.pages)
			if r.Status != c.status {
				t.Errorf("Error(%d): Status %d", c.status, r.Status)
			}
			if !slices.Equal(r.Header, c.want) {
				t.Errorf("Error(%d): Header %q; want %q", c.status, r.Header, c.want)
			}
			if len(r.Body) != 1 || string(r.Body[0].Data) != c.body || r.ContentLength != int64(len(c.body)) {
				t.Errorf("Error(%d): body %d segments, CL %d; want the page alone (%d bytes)", c.status, len(r.Body), r.ContentLength, len(c.body))
			}
		})
	}
}

// TestErrorAllocs: an error response with a built-in page or a custom one
// allocates nothing once the Response has its buffers.
func TestErrorAllocs(t *testing.T) {
	var r Response
	var pages PageSource = pageMapBytes{404: []byte("x")}
	if a := testing.AllocsPerRun(100, func() {
		r.Reset()
		Error(&r, 404, pages)
		r.Reset()
		Error(&r, 500, pages)
	}); a != 0 {
		t.Errorf("Error: %v allocs; want 0", a)
	}
}

type pageMapBytes map[int][]byte

func (m pageMapBytes) Page(status int) ([]byte, string, bool) {
	b, ok := m[status]
	return b, "text/plain", ok
}

// TestErrorPageStyle: every built-in page carries the shared style (the
// system font stack, light and dark colours), stays small and
// self-contained (nothing to fetch: no URL, import or external
// resource), and its text is escaped.
func TestErrorPageStyle(t *testing.T) {
	for code := 300; code < len(statuses); code++ {
		if StatusText(code) == "" {
			continue
		}
		p := string(ErrorPage(code))
		if !strings.Contains(p, "<style>"+PageCSS+"</style>") || !strings.Contains(PageCSS, "font:15px/1.5 system-ui,") || !strings.Contains(PageCSS, "prefers-color-scheme:dark") {
			t.Errorf("ErrorPage(%d) lacks the shared style", code)
		}
		for _, bad := range []string{"http:", "https:", "//", "@import", "url(", " src=", "<link", "<script"} {
			if strings.Contains(strings.ReplaceAll(p, "<!doctype", ""), bad) {
				t.Errorf("ErrorPage(%d) holds %q: it must load nothing", code, bad)
			}
		}
		if len(p) > 2048 {
			t.Errorf("ErrorPage(%d) is %d bytes; want at most 2048", code, len(p))
		}
		if strings.Count(p, "<") != strings.Count(pageTemplate.Tree.Root.String(), "<") {
			t.Errorf("ErrorPage(%d) has markup the template lacks: %q", code, p)
		}
	}
}
