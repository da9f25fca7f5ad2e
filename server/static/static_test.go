package static

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/wire"
	"github.com/google/go-cmp/cmp"
)

// TestTraversal follows Caddy's SanitizedPathJoin table: no request may
// read outside the root, dotfiles stay hidden, bad encodings are 400.
func TestTraversal(t *testing.T) {
	h := newHandler(t, Config{})
	cases := []struct {
		name, target string
		status       int
		body         string // checked when not empty
	}{
		{"plain", "/hello.txt", 200, "hello, world\n"},
		{"dotdot-root", "/../hello.txt", 200, "hello, world\n"},
		{"dotdot-etc-passwd", "/../etc/passwd", 404, ""},
		{"deep-dotdot", "/../../../../../../etc/passwd", 404, ""},
		{"encoded-dotdot-dir", "/%2e%2e/", 200, ""}, // cleans to the root listing
		{"encoded-dotdot-file", "/%2e%2e/hello.txt", 200, "hello, world\n"},
		{"encoded-dotdot-slash", "/%2e%2e%2f", 400, ""},
		{"dotdot-encoded-slash", "/..%2f", 400, ""},
		{"dotdot-encoded-slash-upper", "/..%2Fetc%2Fpasswd", 400, ""},
		{"a-dotdot-dotdot", "/a/../../", 200, ""},
		{"a-dotdot-file", "/a/../../hello.txt", 200, "hello, world\n"},
		{"nul", "/%00", 400, ""},
		{"nul-after-name", "/hello.txt%00.png", 400, ""},
		{"encoded-backslash", "/a%5c..%5c", 400, ""},
		{"encoded-backslash-upper", "/a%5C..%5Chello.txt", 400, ""},
		{"raw-backslash", "/a\\..\\hello.txt", 400, ""},
		{"git-config", "/.git/config", 404, ""},
		{"git-encoded", "/%2e%67it/config", 404, ""},
		{"git-dir", "/.git/", 404, ""},
		{"dotenv", "/.env", 404, ""},
		{"hidden-in-dir", "/dir/.hidden", 404, ""},
		{"dotdot-into-dotdir", "/dir/../.git/config", 404, ""},
		{"double-slash", "//hello.txt", 200, "hello, world\n"},
		{"many-slashes", "///a//b.txt", 200, "ab\n"},
		{"dot-segment", "/./hello.txt", 200, "hello, world\n"},
		{"unicode-encoded", "/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9.txt", 200, "unicode\n"},
		{"unicode-raw", "/ünï cödé.txt", 200, "unicode\n"},
		{"overlong-utf8-dot", "/%c0%ae%c0%ae/hello.txt", 404, ""},
		{"bad-escape", "/%zz", 400, ""},
		{"truncated-escape", "/abc%4", 400, ""},
		{"lone-percent", "/%", 400, ""},
		{"crlf", "/%0d%0aSet-Cookie:x", 400, ""},
		{"tab", "/a%09b", 400, ""},
		{"symlink-inside", "/link-in", 200, "hello, world\n"},
		{"symlink-dir-inside", "/a/linkdir-in/a.txt", 200, "a\n"},
		{"symlink-out-abs", "/link-out-abs", 404, ""},
		{"symlink-out-rel", "/link-out-rel", 404, ""},
		{"symlink-dir-out", "/linkdir-out/secret", 404, ""},
		{"symlink-dir-out-listing", "/linkdir-out/", 404, ""},
		{"fifo", "/fifo", 404, ""},
		{"file-as-dir", "/hello.txt/x", 404, ""},
		{"file-trailing-slash", "/hello.txt/", 404, ""},
		{"missing", "/nope.txt", 404, ""},
		{"not-absolute", "hello.txt", 400, ""},
		{"query-ignored", "/hello.txt?../../etc/passwd", 200, "hello, world\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := do(t, h, mkreq("GET", c.target))
			if resp.Status != c.status {
				t.Errorf("GET %q: status %d; want %d", c.target, resp.Status, c.status)
			}
			if strings.Contains(body, secret) {
				t.Errorf("GET %q: body holds the outside secret", c.target)
			}
			if c.body != "" && body != c.body {
				t.Errorf("GET %q: body %q; want %q", c.target, body, c.body)
			}
		})
	}
}

func TestDotfilesAllowed(t *testing.T) {
	h := newHandler(t, Config{Dotfiles: true})
	resp, body := do(t, h, mkreq("GET", "/.git/config"))
	if resp.Status != 200 || body != "[core]\n" {
		t.Errorf("GET /.git/config with Dotfiles = %d %q; want 200 %q", resp.Status, body, "[core]\n")
	}
	// Still no escape.
	resp, _ = do(t, h, mkreq("GET", "/link-out-rel"))
	if resp.Status != 404 {
		t.Errorf("GET /link-out-rel with Dotfiles = %d; want 404", resp.Status)
	}
}

func TestMethods(t *testing.T) {
	h := newHandler(t, Config{})
	cases := []struct {
		name, method, target string
		status               int
		allow                string
	}{
		{"get", "GET", "/hello.txt", 200, ""},
		{"head", "HEAD", "/hello.txt", 200, ""},
		{"options", "OPTIONS", "/hello.txt", 204, allowed},
		{"options-asterisk", "OPTIONS", "*", 204, allowed},
		{"options-missing", "OPTIONS", "/nope", 204, allowed},
		{"post", "POST", "/hello.txt", 405, allowed},
		{"put", "PUT", "/hello.txt", 405, allowed},
		{"delete", "DELETE", "/hello.txt", 405, allowed},
		{"patch", "PATCH", "/hello.txt", 405, allowed},
		{"trace", "TRACE", "/hello.txt", 405, allowed},
		{"connect", "CONNECT", "/hello.txt", 405, allowed},
		{"lowercase-get", "get", "/hello.txt", 501, ""},
		{"unknown", "BREW", "/hello.txt", 501, ""},
		{"propfind", "PROPFIND", "/", 501, ""},
		{"get-asterisk", "GET", "*", 400, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := do(t, h, mkreq(c.method, c.target, "X-Probe", "<script>"))
			if resp.Status != c.status {
				t.Errorf("%s %s: status %d; want %d", c.method, c.target, resp.Status, c.status)
			}
			if got := resp.Get("Allow"); got != c.allow {
				t.Errorf("%s %s: Allow %q; want %q", c.method, c.target, got, c.allow)
			}
			if strings.Contains(body, "X-Probe") || strings.Contains(body, "<script>") {
				t.Errorf("%s %s: body echoes the request: %q", c.method, c.target, body)
			}
			if c.status == 204 && (resp.ContentLength != 0 || len(resp.Body) != 0) {
				t.Errorf("%s %s: 204 with a body", c.method, c.target)
			}
		})
	}
}

func TestRedirectLocation(t *testing.T) {
	h := newHandler(t, Config{})
	cases := []struct {
		name, target string
		status       int
		location     string
	}{
		{"dir", "/dir", 301, "/dir/"},
		{"dir-query", "/dir?a=1&b=2", 301, "/dir/?a=1&b=2"},
		{"dir-empty-query", "/dir?", 301, "/dir/?"},
		{"subdir", "/dir/sub", 301, "/dir/sub/"},
		{"double-slash-lead", "//dir", 301, "/dir/"},
		{"evil-protocol-relative", "//evil.com/..//dir", 301, "/dir/"},
		{"dotdot-lead", "/..//dir", 301, "/dir/"},
		{"encoded-space", "/with%20space", 301, "/with%20space/"},
		{"raw-space-name", "/with space", 301, "/with%20space/"},
		{"odd-chars", "/odd%22name'%3C%3E&", 301, "/odd%22name%27%3C%3E&/"},
		{"query-ctl", "/dir?x=%0d%0aSet-Cookie:a", 301, "/dir/?x=%0d%0aSet-Cookie:a"},
		{"query-raw-ctl", "/dir?x=\r\nSet-Cookie:a", 301, "/dir/?x=%0D%0ASet-Cookie:a"},
		{"query-quote", "/dir?\"<x>", 301, "/dir/?%22%3Cx%3E"},
		{"crlf-path", "/dir%0d%0a", 400, ""},
		{"root", "/", 200, ""},
		{"dir-slash", "/dir/", 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, _ := do(t, h, mkreq("GET", c.target))
			if resp.Status != c.status {
				t.Fatalf("GET %q: status %d; want %d", c.target, resp.Status, c.status)
			}
			loc := resp.Get("Location")
			if loc != c.location {
				t.Errorf("GET %q: Location %q; want %q", c.target, loc, c.location)
			}
			if strings.HasPrefix(loc, "//") || strings.ContainsAny(loc, "\r\n\x00 \\") {
				t.Errorf("GET %q: unsafe Location %q", c.target, loc)
			}
		})
	}
}

func TestIndexAndListingOff(t *testing.T) {
	h := newHandler(t, Config{ListingOff: true})
	cases := []struct {
		name, target string
		status       int
		body, ctype  string
	}{
		{"index", "/site/", 200, "<p>site index</p>\n", "text/html; charset=utf-8"},
		{"no-index-listing-off", "/dir/", 403, "", ""},
		{"index-direct", "/site/index.html", 200, "<p>site index</p>\n", "text/html; charset=utf-8"},
		{"odd-dir-custom-index", "/odd%22name'%3C%3E&/", 403, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := do(t, h, mkreq("GET", c.target))
			if resp.Status != c.status {
				t.Fatalf("GET %q: status %d; want %d", c.target, resp.Status, c.status)
			}
			if c.body != "" && body != c.body {
				t.Errorf("GET %q: body %q; want %q", c.target, body, c.body)
			}
			if c.ctype != "" && resp.Get("Content-Type") != c.ctype {
				t.Errorf("GET %q: Content-Type %q; want %q", c.target, resp.Get("Content-Type"), c.ctype)
			}
		})
	}
	h2 := newHandler(t, Config{Index: []string{"index.txt", "index.html"}})
	resp, body := do(t, h2, mkreq("GET", "/odd%22name'%3C%3E&/"))
	if resp.Status != 200 || body != "odd\n" {
		t.Errorf("GET odd dir with Index [index.txt] = %d %q; want 200 %q", resp.Status, body, "odd\n")
	}
}

func TestRoutesAndSPA(t *testing.T) {
	h := newHandler(t, Config{
		Routes:      map[string]string{"/about": "pages/about.html", "/secret-env": ".env", "/docs": "dir"},
		SPAFallback: "spa/index.html",
	})
	cases := []struct {
		name, method, target string
		status               int
		body                 string
	}{
		{"route", "GET", "/about", 200, "<p>about</p>\n"},
		{"route-head", "HEAD", "/about", 200, ""},
		{"route-dotfile-explicit", "GET", "/secret-env", 200, "SECRET=1\n"},
		{"spa-no-ext", "GET", "/app/users/42", 200, "<p>spa shell</p>\n"},
		{"spa-head", "HEAD", "/app/users/42", 200, ""},
		{"spa-ext-missing", "GET", "/app/missing.js", 404, ""},
		{"spa-dotfile-stays-404", "GET", "/.git/x", 404, ""},
		{"existing-file", "GET", "/hello.txt", 200, "hello, world\n"},
		{"route-dir-redirects", "GET", "/docs", 301, ""},
		{"route-dir-slash", "GET", "/docs/", 200, ""},
		{"route-file-slash", "GET", "/about/", 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := do(t, h, mkreq(c.method, c.target))
			if resp.Status != c.status {
				t.Fatalf("%s %q: status %d; want %d", c.method, c.target, resp.Status, c.status)
			}
			if c.body != "" && body != c.body {
				t.Errorf("%s %q: body %q; want %q", c.method, c.target, body, c.body)
			}
		})
	}
}

func TestCacheControl(t *testing.T) {
	h := newHandler(t, Config{CacheControl: "public, max-age=60"})
	resp, _ := do(t, h, mkreq("GET", "/hello.txt"))
	if got := resp.Get("Cache-Control"); got != "public, max-age=60" {
		t.Errorf("Cache-Control = %q; want %q", got, "public, max-age=60")
	}
	h2 := newHandler(t, Config{})
	resp, _ = do(t, h2, mkreq("GET", "/hello.txt"))
	if got := resp.Get("Cache-Control"); got != "" {
		t.Errorf("Cache-Control without config = %q; want none", got)
	}
}

// TestHeadGetParity: HEAD carries the same fields and ContentLength as
// GET, and no body (RFC 9110 §9.3.2).
func TestHeadGetParity(t *testing.T) {
	h := newHandler(t, Config{CacheControl: "no-cache"})
	targets := []struct {
		target string
		kv     []string
	}{
		{"/hello.txt", nil},
		{"/empty.txt", nil},
		{"/app.js", []string{"Accept-Encoding", "br, gzip"}},
		{"/app.js", []string{"Accept-Encoding", "identity"}},
		{"/site/", nil},
		{"/dir/", nil},
		{"/dir/", []string{"Accept", "application/json"}},
		{"/dir", nil},
		{"/nope", nil},
		{"/.env", nil},
		{"/%00", nil},
		{"/hello.txt", []string{"If-None-Match", `"x", W/"y"`}},
	}
	for _, c := range targets {
		t.Run(c.target, func(t *testing.T) {
			g, gbody := do(t, h, mkreq("GET", c.target, c.kv...))
			hd, hbody := do(t, h, mkreq("HEAD", c.target, c.kv...))
			if g.Status != hd.Status {
				t.Errorf("HEAD %q status %d; GET %d", c.target, hd.Status, g.Status)
			}
			if diff := cmp.Diff(g.Header, hd.Header); diff != "" {
				t.Errorf("HEAD %q header differs from GET (-get +head):\n%s", c.target, diff)
			}
			if g.ContentLength != hd.ContentLength {
				t.Errorf("HEAD %q ContentLength %d; GET %d", c.target, hd.ContentLength, g.ContentLength)
			}
			if !hd.NoBody || hbody != "" {
				t.Errorf("HEAD %q: NoBody=%v body %q; want no body", c.target, hd.NoBody, hbody)
			}
			if int64(len(gbody)) != g.ContentLength {
				t.Errorf("GET %q: body %d bytes, ContentLength %d", c.target, len(gbody), g.ContentLength)
			}
		})
	}
}

func TestHeadIgnoresRange(t *testing.T) {
	h := newHandler(t, Config{})
	resp, _ := do(t, h, mkreq("HEAD", "/digits.txt", "Range", "bytes=0-3"))
	if resp.Status != 200 || resp.ContentLength != 36 || resp.Get("Content-Range") != "" {
		t.Errorf("HEAD with Range = %d CL=%d CR=%q; want 200 CL=36 no Content-Range", resp.Status, resp.ContentLength, resp.Get("Content-Range"))
	}
}

func TestErrorResponse(t *testing.T) {
	h := newHandler(t, Config{})
	for _, status := range []int{400, 403, 404, 405, 408, 413, 414, 416, 431, 500, 501, 505} {
		resp := &wire.Response{}
		resp.Reset()
		resp.Add("X-Stale", "1")
		h.ErrorResponse(status, resp)
		body := bodyOf(t, resp)
		if resp.Status != status {
			t.Errorf("ErrorResponse(%d): status %d", status, resp.Status)
		}
		if resp.Get("X-Stale") != "" {
			t.Errorf("ErrorResponse(%d) kept an old header", status)
		}
		if got := resp.Get("Content-Type"); got != htmlType {
			t.Errorf("ErrorResponse(%d): Content-Type %q; want %q", status, got, htmlType)
		}
		want := wire.StatusText(status)
		if want == "" || !strings.Contains(body, want) || !strings.Contains(body, "<meta charset=\"utf-8\">") {
			t.Errorf("ErrorResponse(%d): body %q lacks %q", status, body, want)
		}
		if string(wire.ErrorPage(status)) != body {
			t.Errorf("wire.ErrorPage(%d) differs from ErrorResponse's body", status)
		}
		if (status == 405) != (resp.Get("Allow") == allowed) {
			t.Errorf("ErrorResponse(%d): Allow %q", status, resp.Get("Allow"))
		}
	}
}

func TestErrorPageOverride(t *testing.T) {
	root, _ := newTree(t)
	h := newHandler(t, Config{Root: root, ErrorPages: map[int]string{404: "errors/404.html"}})
	resp, body := do(t, h, mkreq("GET", "/nope"))
	if resp.Status != 404 || body != "<p>custom not found</p>\n" {
		t.Errorf("GET /nope with override = %d %q", resp.Status, body)
	}
	resp, body = do(t, h, mkreq("GET", "/.env"))
	if resp.Status != 404 || body != "<p>custom not found</p>\n" {
		t.Errorf("GET /.env with override = %d %q", resp.Status, body)
	}
	resp, _ = do(t, h, mkreq("POST", "/"))
	if resp.Status != 405 || !strings.Contains(bodyOf(t, resp), "Method Not Allowed") {
		t.Errorf("POST / = %d; want the embedded 405", resp.Status)
	}
}

// TestNewErrors: New fails only on I/O (the root, an error page); what a
// valid configuration is, config.Validate decides and tests.
func TestNewErrors(t *testing.T) {
	root, _ := newTree(t)
	cases := []struct {
		name string
		cfg  Config
		want error // checked with errors.Is when set
		text string
	}{
		{"empty-root", Config{}, nil, "root is empty"},
		{"missing-root", Config{Root: filepath.Join(root, "nope")}, fs.ErrNotExist, "nope"},
		{"root-is-file", Config{Root: filepath.Join(root, "hello.txt")}, nil, "hello.txt"},
		{"error-page-missing", Config{Root: root, ErrorPages: map[int]string{404: "nope.html"}}, fs.ErrNotExist, "404"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := New(c.cfg)
			if err == nil {
				h.Close()
				t.Fatalf("New(%+v) = nil error; want one", c.cfg)
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("New: %v; want errors.Is %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.text) {
				t.Errorf("New: %q; want it to mention %q", err, c.text)
			}
		})
	}
}

func TestPermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads everything")
	}
	root, _ := newTree(t)
	p := filepath.Join(root, "locked.txt")
	if err := os.WriteFile(p, []byte("x"), 0o000); err != nil {
		t.Fatal(err)
	}
	h := newHandler(t, Config{Root: root})
	resp, _ := do(t, h, mkreq("GET", "/locked.txt"))
	if resp.Status != 403 {
		t.Errorf("GET /locked.txt (mode 000) = %d; want 403", resp.Status)
	}
}

func TestStatusForError(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"not-exist", &fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}, 404},
		{"permission", &fs.PathError{Op: "open", Path: "x", Err: fs.ErrPermission}, 403},
		{"other", errors.New("disk on fire"), 500},
	}
	for _, c := range cases {
		if got := statusForError(c.err); got != c.want {
			t.Errorf("statusForError(%v) = %d; want %d", c.err, got, c.want)
		}
	}
}

// TestThroughParser drives Serve with requests from the real parser; it
// skips while the parser is a stub. A head the parser rejects counts with
// the parser's status.
func TestThroughParser(t *testing.T) {
	h := newHandler(t, Config{})
	cases := []struct {
		name, head string
		status     int
		body       string
	}{
		{"range", "GET /dir/a.txt?x=1 HTTP/1.1\r\nHost: example.com\r\nRange: bytes=0-0\r\n\r\n", 206, "a"},
		{"absolute-form", "GET http://example.com/dir/a.txt HTTP/1.1\r\nHost: example.com\r\n\r\n", 200, "a\n"},
		{"absolute-form-empty-path", "GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n", 200, ""},
		{"options-asterisk", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 204, ""},
		{"conditional", "GET /hello.txt HTTP/1.1\r\nHost: x\r\nif-none-match: *\r\n\r\n", 304, ""},
		{"traversal-encoded", "GET /%2e%2e/%2e%2e/outside/secret HTTP/1.1\r\nHost: x\r\n\r\n", 404, ""},
		{"traversal-slash", "GET /..%2f..%2foutside%2fsecret HTTP/1.1\r\nHost: x\r\n\r\n", 400, ""},
		{"nul", "GET /hello.txt%00 HTTP/1.1\r\nHost: x\r\n\r\n", 400, ""},
		{"backslash", "GET /a\\..\\hello.txt HTTP/1.1\r\nHost: x\r\n\r\n", 400, ""},
		{"redirect-crlf-query", "GET /dir?a=%0d%0aX:y HTTP/1.1\r\nHost: x\r\n\r\n", 301, ""},
		{"post", "POST /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", 405, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p parser.Parser
			var req parser.Request
			status := 0
			resp := &wire.Response{}
			resp.Reset()
			defer resp.Release()
			if _, err := p.Parse([]byte(c.head), &req); err != nil {
				var pe *parser.Error
				if !errors.As(err, &pe) {
					t.Fatalf("Parse: %v", err)
				}
				if pe.Reason == "not_implemented" {
					t.Skip("parser is still a stub")
				}
				status = pe.Status
			} else {
				h.Serve(&req, resp)
				status = resp.Status
			}
			if status != c.status {
				t.Fatalf("%q: status %d; want %d", c.head, status, c.status)
			}
			body := bodyOf(t, resp)
			if c.body != "" && body != c.body {
				t.Errorf("%q: body %q; want %q", c.head, body, c.body)
			}
			if strings.Contains(body, secret) {
				t.Errorf("%q: body holds the outside secret", c.head)
			}
			if loc := resp.Get("Location"); strings.ContainsAny(loc, "\r\n") {
				t.Errorf("%q: Location %q holds CR/LF", c.head, loc)
			}
		})
	}
}
