package static

import (
	"fmt"
	"testing"
)

func TestAcceptedCodings(t *testing.T) {
	cases := []struct {
		in     string
		br, gz int
	}{
		{"gzip, deflate, br", 1000, 1000},
		{"gzip", 0, 1000},
		{"br;q=0.5, gzip;q=0.8", 500, 800},
		{"br;q=0, gzip", 0, 1000},
		{"*", 1000, 1000},
		{"*;q=0.3, br", 1000, 300},
		{"*, gzip;q=0", 1000, 0},
		{"identity", 0, 0},
		{"", 0, 0},
		{"GZIP, BR", 1000, 1000},
		{"x-gzip", 0, 1000},
		{"br;q=2", 0, 0},
		{"br;q=0.1234", 0, 0},
		{"br;level=1", 0, 0},
		{"br ; q=0.25", 250, 0},
		{"br;q=1.000", 1000, 0},
		{"br;q=1.001", 0, 0},
	}
	for _, c := range cases {
		br, gz := acceptedCodings([]byte(c.in))
		if br != c.br || gz != c.gz {
			t.Errorf("acceptedCodings(%q) = %d, %d; want %d, %d", c.in, br, gz, c.br, c.gz)
		}
	}
}

func TestPrecompressed(t *testing.T) {
	h := newHandler(t, Config{})
	js := "text/javascript; charset=utf-8"
	cases := []struct {
		name, target, ae string
		encoding, body   string
		vary             bool
		ctype            string
	}{
		{"br-preferred", "/app.js", "gzip, deflate, br", "br", "BROTLI-BYTES", true, js},
		{"gzip-only", "/app.js", "gzip", "gzip", "GZIP-BYTES-LONGER", true, js},
		{"gzip-higher-q", "/app.js", "br;q=0.5, gzip", "gzip", "GZIP-BYTES-LONGER", true, js},
		{"br-refused", "/app.js", "br;q=0, gzip", "gzip", "GZIP-BYTES-LONGER", true, js},
		{"none-accepted", "/app.js", "identity", "", tree["app.js"], true, js},
		{"no-header", "/app.js", "", "", tree["app.js"], true, js},
		{"star", "/app.js", "*", "br", "BROTLI-BYTES", true, js},
		{"only-gz-sibling", "/style.css", "br, gzip", "gzip", "CSS-GZ", true, "text/css; charset=utf-8"},
		{"only-gz-sibling-br-only", "/style.css", "br", "", "body{}\n", true, "text/css; charset=utf-8"},
		{"no-siblings", "/hello.txt", "br, gzip", "", "hello, world\n", false, "text/plain; charset=utf-8"},
		{"incompressible-type", "/image.png", "gzip", "", "\x89PNG fake", false, "image/png"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var kv []string
			if c.ae != "" {
				kv = []string{"Accept-Encoding", c.ae}
			}
			resp, body := do(t, h, mkreq("GET", c.target, kv...))
			if resp.Status != 200 {
				t.Fatalf("status %d; want 200", resp.Status)
			}
			if got := resp.Get("Content-Encoding"); got != c.encoding {
				t.Errorf("Content-Encoding = %q; want %q", got, c.encoding)
			}
			if body != c.body {
				t.Errorf("body = %q; want %q", body, c.body)
			}
			if got := resp.Get("Vary") == "Accept-Encoding"; got != c.vary {
				t.Errorf("Vary: Accept-Encoding present = %v; want %v", got, c.vary)
			}
			if got := resp.Get("Content-Type"); got != c.ctype {
				t.Errorf("Content-Type = %q; want %q", got, c.ctype)
			}
		})
	}
}

func TestPrecompressedETagsDistinct(t *testing.T) {
	h := newHandler(t, Config{})
	seen := map[string]string{}
	for _, ae := range []string{"br", "gzip", "identity"} {
		resp, _ := do(t, h, mkreq("GET", "/app.js", "Accept-Encoding", ae))
		e := resp.Get("ETag")
		if prev, dup := seen[e]; dup {
			t.Errorf("ETag %q for %q equals the one for %q", e, ae, prev)
		}
		seen[e] = ae
	}
	// The br tag validates only the br representation.
	resp, _ := do(t, h, mkreq("GET", "/app.js", "Accept-Encoding", "br"))
	brTag := resp.Get("ETag")
	want := fmt.Sprintf(`"%x-%x-br"`, len("BROTLI-BYTES"), fileTime.UnixNano())
	if brTag != want {
		t.Errorf("br ETag = %q; want %q", brTag, want)
	}
	resp, _ = do(t, h, mkreq("GET", "/app.js", "Accept-Encoding", "br", "If-None-Match", brTag))
	if resp.Status != 304 || resp.Get("Vary") != "Accept-Encoding" {
		t.Errorf("br revalidation = %d Vary %q; want 304 with Vary", resp.Status, resp.Get("Vary"))
	}
	resp, _ = do(t, h, mkreq("GET", "/app.js", "Accept-Encoding", "gzip", "If-None-Match", brTag))
	if resp.Status != 200 {
		t.Errorf("gzip request with the br tag = %d; want 200", resp.Status)
	}
}

func TestPrecompressedRange(t *testing.T) {
	h := newHandler(t, Config{})
	resp, body := do(t, h, mkreq("GET", "/app.js", "Accept-Encoding", "br", "Range", "bytes=0-5"))
	want := "BROTLI"
	if resp.Status != 206 || body != want || resp.Get("Content-Range") != "bytes 0-5/12" {
		t.Errorf("Range on br = %d %q %q; want 206 %q bytes 0-5/12", resp.Status, body, resp.Get("Content-Range"), want)
	}
}

func TestPrecompressedOff(t *testing.T) {
	h := newHandler(t, Config{NoPrecompressed: true})
	resp, body := do(t, h, mkreq("GET", "/app.js", "Accept-Encoding", "br, gzip"))
	if resp.Get("Content-Encoding") != "" || resp.Get("Vary") != "" || body != tree["app.js"] {
		t.Errorf("NoPrecompressed: Content-Encoding %q Vary %q", resp.Get("Content-Encoding"), resp.Get("Vary"))
	}
}

// TestSiblingNotDirectlyAffected: the sibling files are ordinary files
// when named directly.
func TestSiblingServedDirectly(t *testing.T) {
	h := newHandler(t, Config{})
	resp, body := do(t, h, mkreq("GET", "/app.js.gz"))
	if resp.Status != 200 || body != "GZIP-BYTES-LONGER" || resp.Get("Content-Type") != "application/gzip" || resp.Get("Content-Encoding") != "" {
		t.Errorf("GET /app.js.gz = %d %q CT %q CE %q", resp.Status, body, resp.Get("Content-Type"), resp.Get("Content-Encoding"))
	}
}
