package server

// FuzzRedirectLocation sits alone in this file: go-118-fuzz-build (make
// fuzz-libfuzzer, ClusterFuzzLite) compiles the package's non-test files
// plus only the file holding the target, so the target calls nothing from
// the other test files.

import (
	"strings"
	"testing"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/wire"
)

// FuzzRedirectLocation: whatever the parser accepts, the Location the
// redirect handler builds is https:// followed by visible ASCII only.
func FuzzRedirectLocation(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET http://[::1]:80/a?b HTTP/1.1\r\nHost: x\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: h:1\r\n\r\n",
		"GET /%0d%0a HTTP/1.1\r\nHost: a.b\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var p parser.Parser
		var req parser.Request
		if _, err := p.Parse(b, &req); err != nil {
			return
		}
		var resp wire.Response
		RedirectHandler{HTTPSPort: 8443}.Serve(&req, &resp)
		for _, f := range resp.Header {
			if f.Name != "Location" {
				continue
			}
			if !strings.HasPrefix(f.Value, "https://") || !visibleASCII([]byte(f.Value)) {
				t.Fatalf("Location %q for %q; want https:// and visible ASCII", f.Value, b)
			}
		}
		if resp.Status != 301 && resp.Status != 308 && resp.Status != 400 {
			t.Fatalf("status %d for %q; want 301, 308 or 400", resp.Status, b)
		}
	})
}
