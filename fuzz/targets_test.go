package fuzz

import (
	"bytes"
	"os"
	"testing"

	"pgregory.net/rapid"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
	"github.com/ferrox/ferrox/parser"
)

// The module's fuzz targets that span packages. Each is only a target:
// its seeds and a call of a property, fixture or helper from the
// package's non-test files (engine.go says why).

func FuzzCaseFile(f *testing.F) {
	for _, c := range corpusCases(f) {
		f.Add(corpus.Format(c))
	}
	f.Add([]byte("id: x\n---\nGET / HTTP/1.1\\r\\n\n"))
	f.Add([]byte("id: x\nsection: RFC9112 2.2\nlevel: MUST\nrequirement: r\nchecks: c\nexpect: 400+close | none\nmode: paced\npace-ms: 5\n---\n\\{3*\\x00}\\xff\n"))
	f.Add([]byte("id: x\nsection: RFC9112 2.2\nlevel: MUST\nrequirement: r\nchecks: c\nexpect: 2xx\nchain: forward | reject\n---\nGET / HTTP/1.1\\r\\n\n"))
	f.Fuzz(func(t *testing.T, text []byte) { checkCaseFile(t, text) })
}

func FuzzChainReverseProxy(f *testing.F) {
	for _, c := range corpusCases(f) {
		if c.Group == "smuggling" {
			f.Add(append(append([]byte(nil), c.Raw...), conformance.Canary...))
		}
	}
	for _, s := range []string{
		"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabcGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /a HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabcGET /b HTTP/1.1\r\nHost: x\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkChain(t, in) })
}

func FuzzChunkedSplits(f *testing.F) {
	// Every corpus case: a chunked request seeds with the bytes after its
	// head, any other with its raw bytes (after a split selector).
	for _, c := range corpusCases(f) {
		f.Add(chunkedCorpusInput(c.Raw))
	}
	for _, s := range chunkedSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) { checkChunkedSplits(t, in) })
}

func FuzzConfigLoad(f *testing.F) {
	for _, s := range configSeeds {
		f.Add([]byte(s))
	}
	if b, err := os.ReadFile("../ferrox.yml"); err == nil {
		f.Add(b)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, in []byte) { checkConfigLoad(t, dir, in) })
}

func FuzzConnection(f *testing.F) {
	seedCorpus(f, connSeeds...)
	e := fixture(f, "conn", func(tb TB) *connEnv { return newConnEnv(tb, nil, nil) })
	f.Fuzz(func(t *testing.T, in []byte) { e.checkConnection(t, in) })
}

func FuzzResponseHead(f *testing.F) {
	prop := fixture(f, "responseHead", func(tb TB) func(*rapid.T) {
		h := &fixedHandler{}
		return propResponseHead(h, newConnEnv(tb, h, nil))
	})
	f.Fuzz(func(t *testing.T, in []byte) { fuzzRapid(t, prop, in) })
}

func FuzzDifferentialNetHTTP(f *testing.F) {
	seedCorpus(f,
		"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
		"GET /x?y=1 HTTP/1.0\r\n\r\n",
		"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
		"POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"GET http://h:80/p HTTP/1.1\r\nHost: x\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n",
		"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX: 1\r\nx: 2\r\n\r\n",
		"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		"GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n",
	)
	f.Fuzz(func(t *testing.T, in []byte) { checkDifferential(t, in) })
}

func FuzzPropKeepAlive(f *testing.F) {
	root := fixture(f, "site", func(tb TB) string { return newSite(tb).Root })
	f.Fuzz(func(t *testing.T, in []byte) { fuzzRapid(t, propKeepAlive(root), in) })
}

func FuzzPathResolve(f *testing.F) {
	for _, c := range corpusCases(f) {
		var p parser.Parser
		var req parser.Request
		if _, err := p.Parse(c.Raw, &req); err == nil {
			f.Add(bytes.Clone(req.Target))
		} else {
			f.Add(c.Raw) // still a seed: mutations may turn it into a path
		}
	}
	for _, s := range pathSeeds {
		f.Add([]byte(s))
	}
	e := fixture(f, "path", newPathEnv)
	f.Fuzz(func(t *testing.T, target []byte) { e.checkPathResolve(t, target) })
}

func FuzzPropTraversal(f *testing.F) {
	e := fixture(f, "path", newPathEnv)
	f.Fuzz(func(t *testing.T, in []byte) { fuzzRapid(t, propTraversal(e), in) })
}

func FuzzDecodePath(f *testing.F) {
	for _, s := range pathSeeds {
		f.Add([]byte(s))
	}
	for _, c := range corpusCases(f) {
		f.Add(c.Raw)
	}
	f.Fuzz(func(t *testing.T, p []byte) { checkDecodePath(t, p) })
}

func FuzzRangeHeader(f *testing.F) {
	r := fixture(f, "range", newRangeFixture)
	e, etag, lastMod := r.env, r.etag, r.lastMod
	for _, c := range corpusCases(f) {
		var p parser.Parser
		var req parser.Request
		if _, err := p.Parse(c.Raw, &req); err == nil {
			if v, ok := req.Header("Range"); ok {
				f.Add(bytes.Clone(v), byte(0))
				f.Add(bytes.Clone(v), byte(8))
			}
		}
	}
	for i, s := range rangeSeeds {
		f.Add([]byte(s), byte(i*9))
	}
	f.Fuzz(func(t *testing.T, v []byte, sel byte) {
		e.checkStaticResponse(t, e.rangeRequest(v, sel, etag, lastMod))
	})
}

// FuzzConditional serves whole requests: every corpus case, and GET/HEAD
// requests of real files with conditional fields.
func FuzzConditional(f *testing.F) {
	r := fixture(f, "range", newRangeFixture)
	e, etag, lastMod := r.env, r.etag, r.lastMod
	seedCorpus(f)
	for _, h := range condSeeds(etag, lastMod) {
		f.Add([]byte("GET /big.txt HTTP/1.1\r\nHost: a\r\n" + h + "\r\n\r\n"))
		f.Add([]byte("HEAD /a.txt HTTP/1.1\r\nHost: a\r\n" + h + "\r\n\r\n"))
	}
	f.Fuzz(func(t *testing.T, raw []byte) { e.checkStaticResponse(t, raw) })
}

func FuzzPropRange(f *testing.F) {
	r := fixture(f, "range", newRangeFixture)
	e, etag, lastMod := r.env, r.etag, r.lastMod
	f.Fuzz(func(t *testing.T, in []byte) { fuzzRapid(t, propRange(e, etag, lastMod), in) })
}
