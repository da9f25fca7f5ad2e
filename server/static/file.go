package static

import (
	"math/rand/v2"
	"os"
	"strconv"

	"github.com/ferrox/ferrox/internal/mime"
	"github.com/ferrox/ferrox/wire"
)

const (
	defaultType = mime.Default
	htmlType    = wire.HTMLType
)

func contentType(name string) string { return mime.ForName(name) }

// serveFile answers GET or HEAD for the regular file f (already kept by
// resp) named name under the root.
func (h *Handler) serveFile(r *request, resp *wire.Response, f *os.File, fi fileStat, name string, head bool) {
	ctype := contentType(name)
	now := h.now()
	ch := h.negotiate(r, resp, f, fi, name, ctype, now)
	if ch.file != nil {
		f, fi = ch.file, ch.fi
	}
	encoding, etagSuffix, vary := ch.encoding, ch.tag, ch.vary

	var v validators
	v.modTime = lastModified(fi.mtime, now)
	v.etag = resp.AppendScratch(func(b []byte) []byte {
		return appendETag(b, fi.size, fi.mtime, etagSuffix)
	})
	v.lastMod = resp.AppendScratch(func(b []byte) []byte {
		return wire.AppendHTTPDate(b, v.modTime)
	})

	// Preconditions (RFC 9110 §13.2.2) apply to an existing
	// representation only; that is the case here.
	if status := precondition(r, &v); status != 0 {
		if status == 304 {
			// RFC 9110 §15.4.5: a 304 carries the fields a 200 would have
			// sent among ETag, Cache-Control, Vary, Content-Location,
			// Expires and Date, and no content.
			resp.Status = 304
			resp.Add("ETag", v.etag)
			resp.Add("Last-Modified", v.lastMod)
			h.addCacheFields(resp, vary)
			resp.NoBody = true
			return
		}
		h.errorPage(status, resp)
		return
	}

	body := fileBody(resp, f)
	size := fi.size
	if ch.otf {
		if !h.encodeBody(r, resp, f, fi, name, head, ch, &body) {
			return
		}
		size = int64(len(body.data))
	}
	resp.Add("Content-Type", ctype)
	if encoding != "" {
		resp.Add("Content-Encoding", encoding)
	}
	resp.Add("Accept-Ranges", "bytes") // RFC 9110 §14.3
	resp.Add("ETag", v.etag)
	resp.Add("Last-Modified", v.lastMod)
	h.addCacheFields(resp, vary)

	// Range applies to GET only (RFC 9110 §14.2), and only while
	// If-Range holds (§13.1.5).
	if !head {
		if rv, ok := r.header("Range"); ok && ifRangeAllows(r, &v) && !(ch.otf && ifRangeDate(r)) {
			var buf [maxRanges]byteRange
			ranges, res := parseRange(buf[:0], rv, size)
			switch res {
			case rangeUnsatisfiable:
				// §15.5.17: 416 with the current length.
				cr := resp.AppendScratch(func(b []byte) []byte {
					return strconv.AppendInt(append(b, "bytes */"...), size, 10)
				})
				resp.Header = resp.Header[:0]
				resp.Add("Content-Range", cr)
				resp.Add("Accept-Ranges", "bytes")
				h.errorPage(416, resp)
				return
			case rangeOK:
				if len(ranges) == 1 {
					h.singleRange(resp, body, ranges[0], size)
				} else {
					h.multiRange(resp, body, ranges, size, ctype)
				}
				return
			}
		}
	}
	resp.Status = 200
	resp.ContentLength = size
	if size > 0 {
		resp.Body = append(resp.Body, body.segment(0, size))
	}
}

func (h *Handler) addCacheFields(resp *wire.Response, vary bool) {
	if vary {
		resp.Add("Vary", "Accept-Encoding") // RFC 9110 §12.5.5
	}
	if h.cacheControl != "" {
		resp.Add("Cache-Control", h.cacheControl)
	}
}

func (h *Handler) singleRange(resp *wire.Response, body bodySource, br byteRange, size int64) {
	cr := resp.AppendScratch(func(b []byte) []byte { return appendContentRange(b, br, size) })
	resp.Add("Content-Range", cr) // RFC 9110 §14.4
	resp.Status = 206
	resp.ContentLength = br.length
	resp.Body = append(resp.Body, body.segment(br.start, br.length))
}

func appendContentRange(dst []byte, br byteRange, size int64) []byte {
	dst = append(dst, "bytes "...)
	dst = strconv.AppendInt(dst, br.start, 10)
	dst = append(dst, '-')
	dst = strconv.AppendInt(dst, br.start+br.length-1, 10)
	dst = append(dst, '/')
	return strconv.AppendInt(dst, size, 10)
}

// multiRange answers with multipart/byteranges (RFC 9110 §14.6): each part
// has its own Content-Type and Content-Range; there is no top-level
// Content-Range (§15.3.7).
func (h *Handler) multiRange(resp *wire.Response, body bodySource, ranges []byteRange, size int64, ctype string) {
	var bnd [32]byte
	b := strconv.AppendUint(bnd[:0], rand.Uint64(), 16)
	b = append(b, '_')
	b = strconv.AppendUint(b, rand.Uint64(), 16)

	mt := resp.AppendScratch(func(dst []byte) []byte {
		return append(append(dst, "multipart/byteranges; boundary="...), b...)
	})
	// Replace the Content-Type already added.
	for i := range resp.Header {
		if resp.Header[i].Name == "Content-Type" {
			resp.Header[i].Value = mt
		}
	}

	// The part heads and the closing delimiter, written into the data
	// arena in one go; offs[i] bounds each piece within data.
	var offs [maxRanges + 1][2]int
	data := resp.AppendData(func(d []byte) []byte {
		base := len(d)
		for i, br := range ranges {
			start := len(d) - base
			if i > 0 {
				d = append(d, "\r\n"...)
			}
			d = append(d, "--"...)
			d = append(d, b...)
			d = append(d, "\r\nContent-Type: "...)
			d = append(d, ctype...)
			d = append(d, "\r\nContent-Range: "...)
			d = appendContentRange(d, br, size)
			d = append(d, "\r\n\r\n"...)
			offs[i] = [2]int{start, len(d) - base}
		}
		start := len(d) - base
		d = append(d, "\r\n--"...)
		d = append(d, b...)
		d = append(d, "--\r\n"...)
		offs[len(ranges)] = [2]int{start, len(d) - base}
		return d
	})

	var total int64
	for i, br := range ranges {
		part := data[offs[i][0]:offs[i][1]:offs[i][1]]
		resp.Body = append(resp.Body, wire.Segment{Data: part}, body.segment(br.start, br.length))
		total += int64(len(part)) + br.length
	}
	tail := data[offs[len(ranges)][0]:offs[len(ranges)][1]]
	resp.Body = append(resp.Body, wire.Segment{Data: tail})
	total += int64(len(tail))
	resp.Status = 206
	resp.ContentLength = total
}
