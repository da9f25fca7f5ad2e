package static

import (
	"bytes"
	"strings"
	"sync"
	"time"

	"github.com/ferrox/ferrox/parser"
)

// compressible reports whether a media type is worth a precompressed
// sibling; only then are .br/.gz siblings looked for (images, video and
// archives are compressed already, and skipping them saves two lookups).
func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") ||
		strings.Contains(ctype, "json") ||
		strings.Contains(ctype, "xml") ||
		strings.Contains(ctype, "javascript") ||
		strings.HasPrefix(ctype, "application/wasm") ||
		strings.HasPrefix(ctype, "font/ttf") ||
		strings.HasPrefix(ctype, "font/otf") ||
		strings.HasPrefix(ctype, "image/vnd.microsoft.icon") ||
		strings.HasPrefix(ctype, "image/bmp")
}

// parseQ parses a qvalue (RFC 9110 §12.4.2: "0" ["." 0*3DIGIT] or "1"
// ["." 0*3("0")]) into thousandths. ok is false when it is malformed.
func parseQ(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 5 || (b[0] != '0' && b[0] != '1') {
		return 0, false
	}
	q := int(b[0]-'0') * 1000
	if len(b) == 1 {
		return q, true
	}
	if b[1] != '.' {
		return 0, false
	}
	mul := 100
	for _, c := range b[2:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		q += int(c-'0') * mul
		mul /= 10
	}
	if q > 1000 {
		return 0, false
	}
	return q, true
}

// Content codings the handler can send, in the server's order of
// preference among equal weights: a precompressed sibling costs no CPU
// and was usually made at the highest level, so siblings come first
// (br, the smallest, then zstd, then gzip); then the on-the-fly codings,
// zstd before gzip (smaller and faster to make); identity last.
const (
	codeBr = iota
	codeZstd
	codeGzip
	codeIdentity
	nCodes
)

// acceptEncoding reads Accept-Encoding (RFC 9110 §12.5.3) into a weight
// (0..1000) per coding: an explicit entry wins, then "*", else 0 (a
// coding not listed is not acceptable when the field is present).
// identity is the exception: unless listed, or excluded by "*;q=0", it
// stays acceptable, with the least weight (1). "x-gzip" counts as gzip
// (RFC 9110 §8.4.1.3). A malformed element is skipped. The work is one
// pass over the value, which the head-size limit bounds.
func acceptEncoding(v []byte) [nCodes]int {
	w := [nCodes]int{-1, -1, -1, -1}
	star := -1
	for len(v) > 0 {
		var elem []byte
		elem, v = nextElem(v)
		q := 1000
		coding := elem
		if i := bytes.IndexByte(elem, ';'); i >= 0 {
			coding = elem[:i]
			param := trimOWS(elem[i+1:])
			if len(param) < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=' {
				continue
			}
			var ok bool
			if q, ok = parseQ(param[2:]); !ok {
				continue
			}
		}
		coding = trimOWS(coding)
		switch {
		case len(coding) == 0: // an empty list element (§5.6.1) or ";q=1"
		case parser.EqualFold(coding, "br"):
			w[codeBr] = q
		case parser.EqualFold(coding, "zstd"):
			w[codeZstd] = q
		case parser.EqualFold(coding, "gzip"), parser.EqualFold(coding, "x-gzip"):
			w[codeGzip] = q
		case parser.EqualFold(coding, "identity"):
			w[codeIdentity] = q
		case len(coding) == 1 && coding[0] == '*':
			star = q
		}
	}
	for i := range w {
		switch {
		case w[i] >= 0:
		case star >= 0:
			w[i] = star
		case i == codeIdentity:
			w[i] = 1
		default:
			w[i] = 0
		}
	}
	return w
}

// coding is a precompressed sibling kind.
type coding struct {
	suffix string // file name suffix
	name   string // Content-Encoding value
	tag    string // ETag suffix
	code   int    // codeBr, codeZstd or codeGzip
}

// codings are the sibling kinds in order of preference; bit i of a
// sibling mask stands for codings[i].
var codings = [...]coding{
	{".br", "br", "br", codeBr},
	{".zst", "zstd", "zst", codeZstd},
	{".gz", "gzip", "gz", codeGzip},
}

// siblingTTL is how long the presence of precompressed siblings is
// remembered; a sibling created or removed is noticed within this time (or
// at once when the original's modification time changes).
const siblingTTL = time.Second

// maxSiblingEntries bounds the cache; when full it is emptied.
const maxSiblingEntries = 4096

// siblingCache remembers which precompressed siblings a file has, so a
// plain request for a compressible file does not pay two failed lookups
// just to decide whether to send Vary.
type siblingCache struct {
	mu sync.Mutex
	m  map[string]siblingEntry
}

type siblingEntry struct {
	mask    uint8 // bit i set: a regular file name+codings[i].suffix exists
	mtime   int64 // the original's modification time (ns) when checked
	expires int64 // unix ns
}

// siblings returns the mask of existing siblings of name.
func (h *Handler) siblings(name string, mtime int64, now time.Time) uint8 {
	c := &h.sib
	t := now.UnixNano()
	c.mu.Lock()
	e, ok := c.m[name]
	c.mu.Unlock()
	if ok && e.mtime == mtime && t < e.expires {
		return e.mask
	}
	var mask uint8
	for i := range codings {
		if st, err := h.root.Stat(name + codings[i].suffix); err == nil && st.Mode().IsRegular() {
			mask |= 1 << i
		}
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxSiblingEntries {
		c.m = make(map[string]siblingEntry)
	}
	// name may alias a request buffer: the key must be a copy.
	c.m[strings.Clone(name)] = siblingEntry{mask, mtime, t + int64(siblingTTL)}
	c.mu.Unlock()
	return mask
}
