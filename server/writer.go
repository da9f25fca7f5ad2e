package server

import (
	"io"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ferrox/ferrox/server/static"
)

// dateCache keeps the IMF-fixdate of the current second (RFC 9110
// §5.6.7: Date is sent in IMF-fixdate, always GMT). It is formatted at most
// once per second and read with one atomic load.
type dateCache struct {
	v atomic.Pointer[dateEntry]
}

type dateEntry struct {
	sec int64
	b   []byte
}

// appendDate appends the IMF-fixdate of now.
func (d *dateCache) appendDate(b []byte, now time.Time) []byte {
	sec := now.Unix()
	e := d.v.Load()
	if e == nil || e.sec != sec {
		e = &dateEntry{sec: sec, b: now.UTC().AppendFormat(make([]byte, 0, 29), "Mon, 02 Jan 2006 15:04:05 GMT")}
		d.v.Store(e)
	}
	return append(b, e.b...)
}

// reasonPhrase returns the registered reason phrase for a status (RFC
// 9110 §15). The phrase is informational only (RFC 9112 §4); unknown codes
// get an empty one, the SP before it is kept anyway.
func reasonPhrase(code int) string {
	switch code {
	case 100:
		return "Continue"
	case 101:
		return "Switching Protocols"
	case 200:
		return "OK"
	case 201:
		return "Created"
	case 202:
		return "Accepted"
	case 204:
		return "No Content"
	case 206:
		return "Partial Content"
	case 301:
		return "Moved Permanently"
	case 302:
		return "Found"
	case 303:
		return "See Other"
	case 304:
		return "Not Modified"
	case 307:
		return "Temporary Redirect"
	case 308:
		return "Permanent Redirect"
	case 400:
		return "Bad Request"
	case 401:
		return "Unauthorized"
	case 403:
		return "Forbidden"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 406:
		return "Not Acceptable"
	case 408:
		return "Request Timeout"
	case 409:
		return "Conflict"
	case 410:
		return "Gone"
	case 411:
		return "Length Required"
	case 412:
		return "Precondition Failed"
	case 413:
		return "Content Too Large"
	case 414:
		return "URI Too Long"
	case 415:
		return "Unsupported Media Type"
	case 416:
		return "Range Not Satisfiable"
	case 417:
		return "Expectation Failed"
	case 421:
		return "Misdirected Request"
	case 426:
		return "Upgrade Required"
	case 429:
		return "Too Many Requests"
	case 431:
		return "Request Header Fields Too Large"
	case 500:
		return "Internal Server Error"
	case 501:
		return "Not Implemented"
	case 502:
		return "Bad Gateway"
	case 503:
		return "Service Unavailable"
	case 504:
		return "Gateway Timeout"
	case 505:
		return "HTTP Version Not Supported"
	}
	return ""
}

// bodyless reports whether a status never carries content and never has
// Content-Length: 1xx and 204 (RFC 9110 §8.6, §15.3.5). 304 has no content
// (RFC 9110 §15.4.5); Ferrox omits its Content-Length too.
func bodyless(code int) bool {
	return code < 200 || code == 204 || code == 304
}

// headBufPool holds the buffers response heads (and small bodies) are
// formatted into. Only a connection that is writing holds one.
var headBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// smallBody is the largest Data segment copied into the head buffer so
// head and body leave in one write.
const smallBody = 8 << 10

// fileChunk bounds one sendfile step, so the write deadline measures
// progress rather than the whole file.
const fileChunk = 512 << 10

// respMeta is what the engine adds to a handler response.
type respMeta struct {
	keepAlive bool // connection stays open after this response
	http10    bool // request was HTTP/1.0: echo keep-alive explicitly
	noBody    bool // HEAD: head only
}

// writeResponse formats the head and sends it with the body. It returns
// the number of body bytes sent.
//
// The status line is always "HTTP/1.1" (RFC 9110 §2.5: answer with the
// highest minor version we support, even to 1.0). The body is always
// framed by Content-Length, never chunked, so HTTP/1.0 clients are never
// sent a transfer coding (RFC 9112 §6.1).
func (c *conn) writeResponse(resp *static.Response, m respMeta) (int64, error) {
	s := c.srv
	bp := headBufPool.Get().(*[]byte)
	b := (*bp)[:0]
	defer func() {
		if cap(b) <= 64<<10 {
			*bp = b[:0]
			headBufPool.Put(bp)
		}
	}()

	code := resp.Status
	if code < 100 || code > 999 {
		code = 500
	}
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	// RFC 9112 §4: the SP after the status code stays even when the
	// reason phrase is empty.
	b = append(b, ' ')
	b = append(b, reasonPhrase(code)...)
	b = append(b, "\r\nDate: "...)
	b = s.dates.appendDate(b, time.Now())
	b = append(b, "\r\n"...)
	if s.serverHeader {
		b = append(b, "Server: ferrox\r\n"...)
	}
	for _, f := range resp.Header {
		// RFC 9112 §11.1: never let a CR or LF reach the head (response
		// splitting); a field that carries one is dropped.
		if !validToken(f.Name) || !validFieldValue(f.Value) {
			continue
		}
		b = appendField(b, f.Name, f.Value)
	}
	for _, h := range s.headers {
		if !hasField(resp.Header, h[0]) {
			b = appendField(b, h[0], h[1])
		}
	}
	noBody := m.noBody || resp.NoBody || bodyless(code)
	if !bodyless(code) {
		cl := resp.ContentLength
		if cl == 0 && !noBody {
			for _, seg := range resp.Body {
				cl += segLen(seg)
			}
		}
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, cl, 10)
		b = append(b, "\r\n"...)
	}
	// RFC 9112 §9.6: announce the close we are about to do; RFC 9112
	// §9.3 / RFC 9110 §7.6.1: an HTTP/1.0 client keeps the connection only
	// when we answer "keep-alive".
	switch {
	case !m.keepAlive:
		b = append(b, "Connection: close\r\n"...)
	case m.http10:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	b = append(b, "\r\n"...)

	if noBody {
		return 0, c.write(b)
	}
	var sent int64
	for _, seg := range resp.Body {
		if seg.File == nil {
			if len(seg.Data) <= smallBody {
				b = append(b, seg.Data...)
				sent += int64(len(seg.Data))
				continue
			}
			if err := c.writev(b, seg.Data); err != nil {
				return sent, err
			}
			b = b[:0]
			sent += int64(len(seg.Data))
			continue
		}
		if seg.N <= smallBody || seg.Shared {
			// A small file range is read into the head buffer (pread) so
			// head and body leave in one write; sendfile pays off only
			// for larger bodies. A shared file (at most 32 KiB) is always
			// read this way: its offset belongs to no one.
			nb, err := appendFileRange(b, seg)
			if err != nil {
				return sent, err
			}
			b = nb
			sent += seg.N
			continue
		}
		if len(b) > 0 {
			if err := c.write(b); err != nil {
				return sent, err
			}
			b = b[:0]
		}
		n, err := c.sendFile(seg)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	if len(b) > 0 {
		if err := c.write(b); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

func segLen(s static.Segment) int64 {
	if s.File != nil {
		return s.N
	}
	return int64(len(s.Data))
}

func appendField(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, "\r\n"...)
}

func hasField(h []static.Field, name string) bool {
	for _, f := range h {
		if asciiEqualFold(f.Name, name) {
			return true
		}
	}
	return false
}

// write sends b with a fresh write deadline.
func (c *conn) write(b []byte) error {
	c.nc.SetWriteDeadline(time.Now().Add(c.srv.writeTimeout))
	_, err := c.nc.Write(b)
	return err
}

// writev sends a and b in one gathered write where the conn supports it.
func (c *conn) writev(a, b []byte) error {
	c.nc.SetWriteDeadline(time.Now().Add(c.srv.writeTimeout))
	v := net.Buffers{a, b}
	_, err := v.WriteTo(c.nc)
	return err
}

// appendFileRange appends seg.N bytes of seg.File at seg.Off to b.
func appendFileRange(b []byte, seg static.Segment) ([]byte, error) {
	n := int(seg.N)
	b = slices.Grow(b, n)
	dst := b[len(b) : len(b)+n]
	var got int
	var err error
	if seg.Shared {
		got, err = preadShared(seg.File, dst, seg.Off)
	} else {
		got, err = seg.File.ReadAt(dst, seg.Off)
	}
	if got < n {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF // the file shrank under us
		}
		return b, err
	}
	return b[:len(b)+n], nil
}

// sendFile copies a file range to the connection. On a *net.TCPConn,
// io.CopyN's LimitedReader over an *os.File reaches TCPConn.ReadFrom,
// which uses sendfile(2) on Linux; other conns (TLS) copy through a buffer.
// The deadline is renewed for every fileChunk, so it bounds progress.
// copyBufPool holds the copy buffers of non-TCP file bodies.
var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

func (c *conn) sendFile(seg static.Segment) (int64, error) {
	if _, err := seg.File.Seek(seg.Off, io.SeekStart); err != nil {
		return 0, err
	}
	// A conn that takes the file itself (ReadFrom: *net.TCPConn, or the
	// sockConn around one) sends it with sendfile; anything else (TLS, an
	// in-memory conn) copies through one pooled buffer instead of the
	// 32 KiB that io.CopyN would allocate per chunk.
	var bufp *[]byte
	if _, rf := c.nc.(io.ReaderFrom); !rf {
		bufp = copyBufPool.Get().(*[]byte)
		defer copyBufPool.Put(bufp)
	}
	var sent int64
	for sent < seg.N {
		n := min(seg.N-sent, fileChunk)
		c.nc.SetWriteDeadline(time.Now().Add(c.srv.writeTimeout))
		var w int64
		var err error
		if bufp == nil {
			w, err = io.CopyN(c.nc, seg.File, n)
		} else {
			w, err = io.CopyBuffer(c.nc, io.LimitReader(seg.File, n), *bufp)
			if err == nil && w < n {
				err = io.ErrUnexpectedEOF // the file shrank under us
			}
		}
		sent += w
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}
