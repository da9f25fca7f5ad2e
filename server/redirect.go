package server

import (
	"bytes"
	"strconv"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/wire"
)

// RedirectHandler answers every request on the plain listener with a
// permanent redirect to the same resource over HTTPS.
//
// The target is https://<host>[:<HTTPSPort>]<path>[?<query>]: the host is
// the authority the parser validated (the absolute-form authority, else
// the Host field; RFC 9112 §3.2, §3.2.2) without its port, the port is
// the HTTPS listener's (omitted when 443, the https default, RFC 9110
// §4.2.2), and the path and query are the request's own bytes. The parser
// has already answered 400 to a missing, repeated or malformed Host, so
// nothing unchecked is ever reflected.
type RedirectHandler struct {
	// HTTPSPort is the port of the HTTPS listener; 0 or 443 omits it.
	HTTPSPort int
}

// Serve implements Handler.
func (h RedirectHandler) Serve(req *parser.Request, resp *wire.Response) {
	loc, ok := h.location(req)
	if !ok {
		wire.Error(resp, 400, nil)
		resp.Close = true
		return
	}
	// RFC 9110 §15.4.2 and §15.4.9: 301 lets a client turn a POST into a
	// GET on the new URI; 308 forbids changing the method, so everything
	// but GET and HEAD gets 308 and keeps its method and body.
	resp.Status = 308
	if m := string(req.Method); m == "GET" || m == "HEAD" {
		resp.Status = 301
	}
	resp.Add("Location", loc)
}

// location builds the redirect target, or reports false when the request
// gives no host usable in a URI.
func (h RedirectHandler) location(req *parser.Request) (string, bool) {
	host := redirectHost(req.Host)
	if host == nil {
		return "", false
	}
	path := req.Path
	if len(path) == 0 {
		path = []byte{'/'} // absolute-form without a path, or "*"
	}
	if !visibleASCII(path) || !visibleASCII(req.Query) {
		return "", false
	}
	b := make([]byte, 0, 8+len(host)+6+len(path)+1+len(req.Query))
	b = append(b, "https://"...)
	b = append(b, host...)
	if h.HTTPSPort != 0 && h.HTTPSPort != 443 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(h.HTTPSPort), 10)
	}
	b = append(b, path...)
	if req.Query != nil {
		b = append(b, '?')
		b = append(b, req.Query...)
	}
	return string(b), true
}

// redirectHost returns the host part of a validated authority, without
// its port, or nil when it is empty or holds bytes beyond letters,
// digits, "-", ".", "_", "~" (RFC 3986 §2.3 unreserved,
// parser.IsUnreserved: the bytes of DNS names and IP addresses) or, inside
// an IP literal, ':'. The parser accepts any RFC 3986 reg-name
// (sub-delims, percent-encoding); a redirect only names hosts a client
// can resolve, and never echoes anything else.
func redirectHost(a []byte) []byte {
	if len(a) > 0 && a[0] == '[' {
		end := bytes.IndexByte(a, ']')
		if end < 0 {
			return nil
		}
		for _, c := range a[1:end] {
			if !parser.IsUnreserved(c) && c != ':' {
				return nil
			}
		}
		return a[:end+1]
	}
	if c := bytes.IndexByte(a, ':'); c >= 0 {
		a = a[:c]
	}
	if len(a) == 0 {
		return nil
	}
	for _, c := range a {
		if !parser.IsUnreserved(c) {
			return nil
		}
	}
	return a
}

// visibleASCII reports whether b holds only VCHAR (0x21-0x7E): no space,
// CR, LF or other control can reach the Location field (RFC 9112 §11.1).
func visibleASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}
