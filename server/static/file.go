package static

import (
	"math/rand/v2"
	"os"
	"strconv"
	"time"

	"github.com/ferrox/ferrox/internal/mime"
)

const (
	defaultType = mime.Default
	htmlType    = "text/html; charset=utf-8"
)

func contentType(name string) string { return mime.ForName(name) }

// serveFile answers GET or HEAD for the regular file f (already kept by
// resp) named name under the root.
func (h *Handler) serveFile(r *request, resp *Response, f *os.File, fi fileStat, name string, head bool) {
	ctype := contentType(name)
	encoding := ""
	etagSuffix := ""
	vary := false
	now := h.now()
	if h.precompressed && compressible(ctype) {
		f, fi, encoding, etagSuffix, vary = h.negotiate(r, resp, f, fi, name, now)
	}

	var v validators
	v.modTime = lastModified(fi.mtime, now)
	m := resp.mark()
	resp.scratch = appendETag(resp.scratch, fi.size, fi.mtime, etagSuffix)
	v.etag = resp.str(m)
	m = resp.mark()
	resp.scratch = v.modTime.UTC().AppendFormat(resp.scratch, imfFixdate)
	v.lastMod = resp.str(m)

	// Preconditions (RFC 9110 §13.2.2) apply to an existing
	// representation only; that is the case here.
	if status := precondition(r, &v); status != 0 {
		if status == 304 {
			// RFC 9110 §15.4.5: a 304 carries the fields a 200 would have
			// sent among ETag, Cache-Control, Vary, Content-Location,
			// Expires and Date, and no content.
			resp.Status = 304
			resp.add("ETag", v.etag)
			resp.add("Last-Modified", v.lastMod)
			h.addCacheFields(resp, vary)
			resp.NoBody = true
			return
		}
		h.errorPage(status, resp)
		return
	}

	size := fi.size
	resp.add("Content-Type", ctype)
	if encoding != "" {
		resp.add("Content-Encoding", encoding)
	}
	resp.add("Accept-Ranges", "bytes") // RFC 9110 §14.3
	resp.add("ETag", v.etag)
	resp.add("Last-Modified", v.lastMod)
	h.addCacheFields(resp, vary)

	// Range applies to GET only (RFC 9110 §14.2), and only while
	// If-Range holds (§13.1.5).
	if !head {
		if rv, ok := r.header("Range"); ok && ifRangeAllows(r, &v) {
			var buf [maxRanges]byteRange
			ranges, res := parseRange(buf[:0], rv, size)
			switch res {
			case rangeUnsatisfiable:
				// §15.5.17: 416 with the current length.
				m := resp.mark()
				resp.scratch = append(resp.scratch, "bytes */"...)
				resp.scratch = strconv.AppendInt(resp.scratch, size, 10)
				resp.Header = resp.Header[:0]
				resp.add("Content-Range", resp.str(m))
				resp.add("Accept-Ranges", "bytes")
				h.errorPage(416, resp)
				return
			case rangeOK:
				if len(ranges) == 1 {
					h.singleRange(resp, f, ranges[0], size)
				} else {
					h.multiRange(resp, f, ranges, size, ctype)
				}
				return
			}
		}
	}
	resp.Status = 200
	resp.ContentLength = size
	if size > 0 {
		resp.Body = append(resp.Body, Segment{File: f, Off: 0, N: size, Shared: resp.isShared(f)})
	}
}

func (h *Handler) addCacheFields(resp *Response, vary bool) {
	if vary {
		resp.add("Vary", "Accept-Encoding") // RFC 9110 §12.5.5
	}
	if h.cacheControl != "" {
		resp.add("Cache-Control", h.cacheControl)
	}
}

// negotiate looks for precompressed siblings of name (RFC 9110 §12.5.3,
// §8.4). It returns the file to send (the sibling, registered in resp, or
// the original), its metadata, the Content-Encoding and ETag suffix, and
// whether any sibling exists (then the response varies on
// Accept-Encoding, also when the original is sent).
func (h *Handler) negotiate(r *request, resp *Response, f *os.File, fi fileStat, name string, now time.Time) (*os.File, fileStat, string, string, bool) {
	mask := h.siblings(name, fi.mtime.UnixNano(), now)
	if mask == 0 {
		return f, fi, "", "", false
	}
	qbr, qgz := 0, 0
	if ae, ok := r.header("Accept-Encoding"); ok {
		qbr, qgz = acceptedCodings(ae)
	}
	// Preference order: the higher weight, br on a tie.
	order := [2]int{0, 1}
	if qgz > qbr {
		order = [2]int{1, 0}
	}
	weights := [2]int{qbr, qgz}
	for _, i := range order {
		if weights[i] <= 0 || mask&(1<<i) == 0 {
			continue
		}
		c := &codings[i]
		sf, sfi, err := h.open(name + c.suffix)
		if err != nil {
			continue
		}
		if sfi.kind != kindRegular {
			sf.Close()
			continue
		}
		resp.keep(sf)
		return sf, sfi, c.name, c.tag, true
	}
	return f, fi, "", "", true
}

func (h *Handler) singleRange(resp *Response, f *os.File, br byteRange, size int64) {
	m := resp.mark()
	resp.scratch = appendContentRange(resp.scratch, br, size)
	resp.add("Content-Range", resp.str(m)) // RFC 9110 §14.4
	resp.Status = 206
	resp.ContentLength = br.length
	resp.Body = append(resp.Body, Segment{File: f, Off: br.start, N: br.length, Shared: resp.isShared(f)})
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
func (h *Handler) multiRange(resp *Response, f *os.File, ranges []byteRange, size int64, ctype string) {
	var bnd [32]byte
	b := strconv.AppendUint(bnd[:0], rand.Uint64(), 16)
	b = append(b, '_')
	b = strconv.AppendUint(b, rand.Uint64(), 16)

	m := resp.mark()
	resp.scratch = append(resp.scratch, "multipart/byteranges; boundary="...)
	resp.scratch = append(resp.scratch, b...)
	// Replace the Content-Type already added.
	for i := range resp.Header {
		if resp.Header[i].Name == "Content-Type" {
			resp.Header[i].Value = resp.str(m)
		}
	}

	var offs [maxRanges + 1][2]int
	resp.data = resp.data[:0]
	for i, br := range ranges {
		start := len(resp.data)
		if i > 0 {
			resp.data = append(resp.data, "\r\n"...)
		}
		resp.data = append(resp.data, "--"...)
		resp.data = append(resp.data, b...)
		resp.data = append(resp.data, "\r\nContent-Type: "...)
		resp.data = append(resp.data, ctype...)
		resp.data = append(resp.data, "\r\nContent-Range: "...)
		resp.data = appendContentRange(resp.data, br, size)
		resp.data = append(resp.data, "\r\n\r\n"...)
		offs[i] = [2]int{start, len(resp.data)}
	}
	start := len(resp.data)
	resp.data = append(resp.data, "\r\n--"...)
	resp.data = append(resp.data, b...)
	resp.data = append(resp.data, "--\r\n"...)
	offs[len(ranges)] = [2]int{start, len(resp.data)}

	var total int64
	for i, br := range ranges {
		part := resp.data[offs[i][0]:offs[i][1]:offs[i][1]]
		resp.Body = append(resp.Body, Segment{Data: part}, Segment{File: f, Off: br.start, N: br.length, Shared: resp.isShared(f)})
		total += int64(len(part)) + br.length
	}
	tail := resp.data[offs[len(ranges)][0]:offs[len(ranges)][1]]
	resp.Body = append(resp.Body, Segment{Data: tail})
	total += int64(len(tail))
	resp.Status = 206
	resp.ContentLength = total
}
