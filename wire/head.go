package wire

import (
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ferrox/ferrox/parser"
)

// imfFixdate is the layout of the Date field: RFC 9110 §5.6.7 has senders
// use IMF-fixdate, always in GMT.
const imfFixdate = "Mon, 02 Jan 2006 15:04:05 GMT"

// Dates keeps the IMF-fixdate of the current second, so the Date field
// is formatted at most once per second and read with one atomic load. The
// zero value is ready; a Dates must not be copied after first use.
type Dates struct {
	v atomic.Pointer[dateEntry]
}

type dateEntry struct {
	sec int64
	b   []byte
}

// Append appends the IMF-fixdate of now.
func (d *Dates) Append(b []byte, now time.Time) []byte {
	sec := now.Unix()
	e := d.v.Load()
	if e == nil || e.sec != sec {
		e = &dateEntry{sec: sec, b: AppendHTTPDate(make([]byte, 0, len(imfFixdate)), now)}
		d.v.Store(e)
	}
	return append(b, e.b...)
}

// Settings are the engine's choices for every response head.
type Settings struct {
	// ServerHeader sends "Server: ferrox".
	ServerHeader bool
	// Headers are sent on every response whose handler did not set a
	// field of the same name (compared case-insensitively).
	Headers [][2]string
	// Dates caches the Date field; nil formats it on every head.
	Dates *Dates
	// Now is the clock of the Date field; nil means time.Now.
	Now func() time.Time
}

func (s *Settings) appendDate(b []byte) []byte {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	if s.Dates != nil {
		return s.Dates.Append(b, now())
	}
	return AppendHTTPDate(b, now())
}

// Meta is what the engine knows about an exchange that the handler does
// not.
type Meta struct {
	KeepAlive bool // the connection stays open after this response
	HTTP10    bool // the request was HTTP/1.0: keep-alive must be echoed
	Head      bool // the request was HEAD: send the head only
}

// bodyless reports whether a status never carries content and never has
// Content-Length: 1xx and 204 (RFC 9110 §8.6, §15.3.5). 304 has no content
// (RFC 9110 §15.4.5); Ferrox omits its Content-Length too.
func bodyless(code int) bool {
	return code < 200 || code == 204 || code == 304
}

// AppendHead appends the head of r under m and s to b and reports
// whether the body follows it (false for HEAD, NoBody and the statuses
// that have none).
//
// The status line is always "HTTP/1.1" (RFC 9110 §2.5: answer with the
// highest minor version we support, even to 1.0). The body is always
// framed by Content-Length, never chunked, so HTTP/1.0 clients are never
// sent a transfer coding (RFC 9112 §6.1). A status outside 100-999 is
// sent as 500.
func AppendHead(b []byte, r *Response, m Meta, s *Settings) ([]byte, bool) {
	code := r.Status
	if code < 100 || code > 999 {
		code = 500
	}
	b = append(b, "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(code), 10)
	// RFC 9112 §4: the SP after the status code stays even when the
	// reason phrase is empty.
	b = append(b, ' ')
	b = append(b, StatusText(code)...)
	// RFC 9110 §6.6.1: a server with a clock sends Date (it must on 2xx,
	// 3xx and 4xx); Ferrox sends it on every response.
	b = append(b, "\r\nDate: "...)
	b = s.appendDate(b)
	b = append(b, "\r\n"...)
	if s.ServerHeader {
		b = append(b, "Server: ferrox\r\n"...)
	}
	for _, f := range r.Header {
		// RFC 9112 §11.1: never let a CR or LF reach the head (response
		// splitting); a field whose name is no token or whose value is
		// no valid field value is dropped.
		if !parser.ValidToken(f.Name) || !parser.ValidFieldValue(f.Value) {
			continue
		}
		b = appendField(b, f.Name, f.Value)
	}
	for _, h := range s.Headers {
		if !hasField(r.Header, h[0]) {
			b = appendField(b, h[0], h[1])
		}
	}
	noBody := m.Head || r.NoBody || bodyless(code)
	if !bodyless(code) {
		cl := r.ContentLength
		if cl == 0 && !noBody {
			for _, seg := range r.Body {
				cl += seg.Len()
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
	case !m.KeepAlive:
		b = append(b, "Connection: close\r\n"...)
	case m.HTTP10:
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	return append(b, "\r\n"...), !noBody
}

func appendField(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, "\r\n"...)
}

func hasField(h []Field, name string) bool {
	for _, f := range h {
		if parser.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}

// AppendCanned appends a whole response that no handler built: status,
// and when body is not empty a Content-Type of contentType and body
// itself, under the same head rules as AppendHead (Date, the Server field
// and the configured fields included). The engine uses it for the
// interim 100 (Continue), the 503 that refuses a connection over a limit
// and the 400 for plain HTTP on the HTTPS port.
func AppendCanned(b []byte, status int, contentType, body string, m Meta, s *Settings) []byte {
	var r Response
	r.Status = status
	var hdr [1]Field
	if body != "" {
		hdr[0] = Field{"Content-Type", contentType}
		r.Header = hdr[:]
		r.ContentLength = int64(len(body))
	}
	b, withBody := AppendHead(b, &r, m, s)
	if withBody {
		b = append(b, body...)
	}
	return b
}
