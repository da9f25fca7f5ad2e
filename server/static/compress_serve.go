package static

import (
	"os"
	"time"

	"github.com/ferrox/ferrox/wire"
)

// choice is the representation negotiate selected.
type choice struct {
	file     *os.File // an opened precompressed sibling (kept by resp), or nil
	fi       fileStat // the sibling's metadata when file is set
	encoding string   // Content-Encoding; "" for identity
	tag      string   // ETag suffix
	otf      bool     // encode the original on the fly with coding
	coding   otfCoding
	// vary: the resource has more than one representation, so every
	// response for it (identity ones and 304s too) carries Vary:
	// Accept-Encoding (RFC 9110 §12.5.5).
	vary bool
}

// negotiate selects the representation of the file name (RFC 9110
// §12.5.3): the acceptable coding with the highest weight among the
// precompressed siblings that exist and the codings made on the fly; on
// equal weights the order of codeBr..codeIdentity with siblings before
// on-the-fly codings. Without Accept-Encoding, or when nothing else is
// acceptable, the identity is sent; when even identity is refused
// ("identity;q=0") the identity is sent anyway rather than 406, which
// §12.5.3 allows and every common server does.
func (h *Handler) negotiate(r *request, resp *wire.Response, f *os.File, fi fileStat, name, ctype string, now time.Time) choice {
	var mask uint8
	if h.precompressed && compressible(ctype) {
		mask = h.siblings(name, fi.mtime.UnixNano(), now)
	}
	otf := h.comp.applies(ctype, fi.size)
	ch := choice{vary: mask != 0 || otf}
	if !ch.vary || r.identityOnly {
		return ch
	}
	ae, ok := r.header("Accept-Encoding")
	if !ok {
		return ch
	}
	w := acceptEncoding(ae)

	// Candidates in preference order: siblings (index into codings),
	// then on the fly, then identity.
	type cand struct {
		q      int
		sib    int // index into codings, or -1
		otf    bool
		coding otfCoding
	}
	var cands [len(codings) + 3]cand
	n := 0
	add := func(c cand) {
		if c.q <= 0 {
			return
		}
		// Insertion keeping the order stable: a later candidate passes
		// an earlier one only with a strictly higher weight.
		i := n
		for i > 0 && cands[i-1].q < c.q {
			cands[i] = cands[i-1]
			i--
		}
		cands[i] = c
		n++
	}
	for i := range codings {
		if mask&(1<<i) != 0 {
			add(cand{q: w[codings[i].code], sib: i})
		}
	}
	if otf {
		add(cand{q: w[codeZstd], sib: -1, otf: true, coding: otfZstd})
		add(cand{q: w[codeGzip], sib: -1, otf: true, coding: otfGzip})
	}
	add(cand{q: w[codeIdentity], sib: -1})

	for _, c := range cands[:n] {
		switch {
		case c.sib >= 0:
			cd := &codings[c.sib]
			sf, sfi, err := h.open(name + cd.suffix)
			if err != nil {
				continue
			}
			if sfi.kind != kindRegular {
				sf.Close()
				continue
			}
			resp.Keep(sf)
			ch.file, ch.fi, ch.encoding, ch.tag = sf, sfi, cd.name, cd.tag
			return ch
		case c.otf:
			ch.otf, ch.coding = true, c.coding
			ch.encoding, ch.tag = c.coding.name(), h.comp.tags[c.coding]
			return ch
		default:
			return ch // identity
		}
	}
	return ch
}

// bodySource is where the body bytes of a 200 or 206 come from: a file
// (read with sendfile, or positionally when shared) or bytes in memory
// (an encoding made on the fly).
type bodySource struct {
	f      *os.File
	shared bool
	data   []byte
}

func fileBody(resp *wire.Response, f *os.File) bodySource {
	return bodySource{f: f, shared: isShared(resp, f)}
}

// segment is n bytes from off.
func (b bodySource) segment(off, n int64) wire.Segment {
	if b.f == nil {
		return wire.Segment{Data: b.data[off : off+n : off+n]}
	}
	return wire.Segment{File: b.f, Off: off, N: n, Shared: b.shared}
}

// encodeBody makes (or finds in the cache) the on-the-fly encoding ch
// selected and points body at it. When the file cannot be encoded (it
// changed or failed while read), or its encoding is not smaller than it,
// the request is answered again with the identity and encodeBody returns
// false: the head chosen so far named the encoded representation. (The
// identity still carries Vary: Accept-Encoding, as negotiate decided; a
// cache that keys on it only stores one more copy.)
func (h *Handler) encodeBody(r *request, resp *wire.Response, f *os.File, fi fileStat, name string, head bool, ch choice, body *bodySource) bool {
	data, release, err := h.comp.encoded(f, fi, name, ch.coding)
	if err != nil || len(data) == 0 {
		r.identityOnly = true // no header has been added yet
		h.serveFile(r, resp, f, fi, name, head)
		return false
	}
	if release != nil {
		resp.Keep(release)
	}
	*body = bodySource{data: data}
	return true
}

// ifRangeDate reports whether If-Range holds a date. An encoding made on
// the fly has the original's Last-Modified, which therefore does not tell
// its bytes from the identity's; only its own entity-tag can validate a
// range of it, and with a date the whole encoding is sent (a server may
// always ignore Range, RFC 9110 §14.2).
func ifRangeDate(r *request) bool {
	ir, ok := r.header("If-Range")
	ir = trimOWS(ir)
	return ok && len(ir) > 0 && ir[0] != '"' && ir[0] != 'W'
}
