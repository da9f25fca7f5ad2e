package static

import (
	"path"
	"path/filepath"
	"unsafe"
)

// hasControl reports whether the decoded path holds a control byte (NUL
// is already refused by parser.DecodePathStrict): such bytes have no
// business in a file name served over HTTP and would otherwise reach
// headers such as Location.
func hasControl(p []byte) bool {
	for _, c := range p {
		if c < 0x20 || c == 0x7f {
			return true
		}
	}
	return false
}

// isClean reports whether p (starting with '/') is already what
// path.Clean would return, ignoring one trailing slash: no empty, "." or
// ".." segments. Most requests are clean, and then no string is built.
func isClean(p []byte) bool {
	if len(p) == 0 || p[0] != '/' {
		return false
	}
	end := len(p)
	if end > 1 && p[end-1] == '/' {
		end--
	}
	start := 1
	for i := 1; i <= end; i++ {
		if i == end || p[i] == '/' {
			seg := p[start:i]
			if len(seg) == 0 && end > 1 {
				return false
			}
			if len(seg) == 1 && seg[0] == '.' || len(seg) == 2 && seg[0] == '.' && seg[1] == '.' {
				return false
			}
			start = i + 1
		}
	}
	return true
}

// cleanPath returns path.Clean("/"+p) for the decoded path p ("/a/b",
// never with a trailing slash unless it is "/") and whether p ended in a
// slash.
//
// When p is clean already (the common case) the string aliases p without
// a copy: it is valid only while the request's buffers are, i.e. during
// Serve. The handler never keeps it beyond that: it is used for lookups,
// copied into new strings (sibling names, joined paths, the sibling cache
// key) or appended into Response buffers.
func cleanPath(p []byte) (clean string, slash bool) {
	slash = len(p) > 1 && p[len(p)-1] == '/'
	if isClean(p) {
		if slash {
			p = p[:len(p)-1]
		}
		return unsafe.String(unsafe.SliceData(p), len(p)), slash
	}
	return path.Clean("/" + string(p)), slash
}

// hasDotSegment reports whether any segment of the clean path p starts
// with '.' (dotfiles and dot-directories such as .git, .env).
func hasDotSegment(p string) bool {
	for i := 0; i < len(p); i++ {
		if p[i] == '.' && (i == 0 || p[i-1] == '/') {
			return true
		}
	}
	return false
}

// rootName turns a clean absolute path into a name for os.Root: "." for
// the root itself, else the path without its leading slash. ok is false
// when filepath.IsLocal refuses it (defence in depth: Clean already
// removed every "..").
func rootName(clean string) (string, bool) {
	if clean == "/" {
		return ".", true
	}
	name := clean[1:]
	return name, filepath.IsLocal(name)
}

// pathSafe marks the bytes a Location path may carry unescaped:
// unreserved, sub-delims except those with meaning in HTML or URLs we
// want to avoid, ':' and '@' (RFC 3986 §3.3 pchar) and '/'.
var pathSafe = alnumPlus("-._~!$&()*+,;=:@/")

// alnumPlus is a byte table of ASCII letters, digits and the bytes of
// extra.
func alnumPlus(extra string) (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	for i := 0; i < len(extra); i++ {
		t[extra[i]] = true
	}
	return t
}

// querySafe marks the bytes a query may carry unescaped when copied into
// a Location: pchar plus '/' and '?' (RFC 3986 §3.4), and '%' because the
// query is copied still encoded.
var querySafe = func() (t [256]bool) {
	t = pathSafe
	t['?'] = true
	t['%'] = true
	t['\''] = true
	return t
}()

const hexDigits = "0123456789ABCDEF"

// appendEscaped percent-encodes every byte of s not marked in safe.
func appendEscaped(dst []byte, s string, safe *[256]bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if safe[c] {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return dst
}

// appendLocation appends the redirect target for the directory at the
// clean path p: p + "/" and the query, percent-encoded. The result is a
// path-absolute reference (RFC 9110 §10.2.2 allows a relative reference):
// it starts with exactly one '/' because p is clean (no "//evil.com"
// protocol-relative reference can come out), and it holds no CTL, space or
// non-ASCII byte because those are escaped.
func appendLocation(dst []byte, p string, query []byte, hasQuery bool) []byte {
	dst = appendEscaped(dst, p, &pathSafe)
	if len(dst) == 0 || dst[len(dst)-1] != '/' {
		dst = append(dst, '/')
	}
	if hasQuery {
		dst = append(dst, '?')
		for _, c := range query {
			if querySafe[c] {
				dst = append(dst, c)
			} else {
				dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
			}
		}
	}
	return dst
}
