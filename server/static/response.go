package static

import (
	"os"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/wire"
)

// The handler fills a *wire.Response (see package wire for the contract
// with the engine). What only this handler needs from it lives here, as
// functions over the wire type.

// keepShared registers what openShared returned: the cache entry e when
// there is one (its Close gives the reference back), else f itself.
func keepShared(resp *wire.Response, f *os.File, e *cachedFile) {
	if e == nil {
		resp.Keep(f)
		return
	}
	resp.Keep(e)
}

// isShared reports whether f came from the open-file cache: then the
// engine must read it positionally (wire.Segment.Shared).
func isShared(resp *wire.Response, f *os.File) bool {
	for _, c := range resp.Kept() {
		if e, ok := c.(*cachedFile); ok && e.f == f {
			return true
		}
	}
	return false
}

// decodePath percent-decodes the raw request path once
// (parser.DecodePathStrict) into resp's data arena, or returns raw itself
// when it holds no escape.
func decodePath(resp *wire.Response, raw []byte) ([]byte, error) {
	var derr error
	plain := false
	dec := resp.AppendData(func(b []byte) []byte {
		d, err := parser.DecodePathStrict(b[len(b):], raw)
		switch {
		case err != nil:
			derr = err
			return b
		case len(d) == 0 || &d[0] == &raw[0]:
			plain = true
			return b
		}
		// d sits in b's spare capacity (then this append copies it onto
		// itself) or, when that was too small, in a new array.
		return append(b, d...)
	})
	if derr != nil {
		return nil, derr
	}
	if plain {
		return raw, nil
	}
	return dec, nil
}
