package conformance

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/ferrox/ferrox/corpus"
)

// Grading a fixture served under a path of a real site (--prefix): every
// request-line the reference reading of a case finds has its target moved
// below the prefix, so /a.txt asks for /ferrox/a.txt. Only request-lines
// are touched, never body bytes (a hidden request inside a body keeps its
// bytes, so lengths and chunk sizes stay right), and only targets whose
// meaning survives the move:
//
//   - origin-form "/x" becomes prefix+"x"; absolute-form "http://h/x"
//     becomes "http://h"+prefix+"x" (RFC 9112 3.2.1, 3.2.2);
//   - asterisk-form "*", authority-form "host:port" and anything that is
//     not a path (a relative or garbled target: the case is about the
//     request-line's syntax) stay as they are (RFC 9112 3.2.3, 3.2.4);
//   - a path that climbs above the root once decoded (dot-segments, also
//     percent-encoded, double-encoded, overlong UTF-8, with backslashes or
//     ";" parameters) stays as it is: its point is to leave the document
//     root, and below the prefix it would only reach the site's own pages;
//   - a path whose start is the point (a leading empty segment "//x", a
//     backslash or an encoded separator or TAB that a browser turns into
//     "//", a drive letter "C:") stays as it is: below the prefix the
//     open-redirect or absolute-path probe would become harmless. A
//     dotfile behind the empty segment ("//.hidden") is about the
//     dotfile, and moves.
//
// Encoded separators elsewhere ("/list%2fb.txt") keep their meaning below
// the prefix and are moved.

// CleanPrefix checks a --prefix value and returns it with a leading and a
// trailing "/" ("ferrox" and "/ferrox" give "/ferrox/"). It refuses what
// cannot be a path prefix: a query, a fragment, dot-segments, bytes outside
// printable ASCII, whitespace or an empty segment.
func CleanPrefix(p string) (string, error) {
	if p == "" || p == "/" {
		return "/", nil
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == '?' || c == '#' || c == '\\' {
			return "", fmt.Errorf("prefix %q: byte %q at %d: want a plain path such as /ferrox/", p, c, i)
		}
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	for _, seg := range strings.Split(p[1:len(p)-1], "/") {
		if seg == "" || seg == "." || seg == ".." {
			return "", fmt.Errorf("prefix %q: empty or dot segment: want a plain path such as /ferrox/", p)
		}
	}
	return p, nil
}

// WithPrefix returns copies of cases whose request targets are moved below
// prefix as described above (the cases themselves are not modified). A
// prefix of "/" returns cases unchanged.
func WithPrefix(cases []corpus.Case, prefix string) []corpus.Case {
	out := make([]corpus.Case, len(cases))
	copy(out, cases)
	if prefix == "/" || prefix == "" {
		return out
	}
	for i := range out {
		out[i].Raw = prefixRaw(out[i].Raw, prefix)
	}
	return out
}

// prefixRaw rewrites the target of every request-line of raw that the
// reference reading finds (splitRequests), back to front so earlier offsets
// stay valid.
func prefixRaw(raw []byte, prefix string) []byte {
	refs := splitRequests(raw)
	out := raw
	copied := false
	for i := len(refs) - 1; i >= 0; i-- {
		at, repl, ok := targetRewrite(out, refs[i].Start, prefix)
		if !ok {
			continue
		}
		if !copied {
			out = append([]byte(nil), out...)
			copied = true
		}
		out = append(out[:at], append([]byte(repl), out[at:]...)...)
	}
	return out
}

// lineSpace are the bytes a lenient reader takes for whitespace between
// the parts of a request-line; the rewrite finds the target behind any of
// them, so a case about an odd separator still asks for the prefixed path
// if a server accepts the separator.
func lineSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' }

// targetRewrite finds the request target of the request-line at start and
// says where to insert which bytes (ok false: the target stays).
func targetRewrite(raw []byte, start int, prefix string) (at int, insert string, ok bool) {
	i := start
	for i < len(raw) && lineSpace(raw[i]) {
		i++
	}
	for i < len(raw) && !lineSpace(raw[i]) && raw[i] != '\n' {
		i++ // the method
	}
	for i < len(raw) && lineSpace(raw[i]) {
		i++
	}
	end := i
	for end < len(raw) && !lineSpace(raw[end]) && raw[end] != '\n' {
		end++
	}
	target := string(raw[i:end])
	off, kind := PrefixKind(target)
	if kind != PrefixMoved {
		return 0, "", false
	}
	if off < len(target) && target[off] == '/' {
		return i + off + 1, prefix[1:], true
	}
	return i + off, prefix, true // absolute-form without a path: "/" is meant
}

// PrefixDecision says what --prefix does to a request target.
type PrefixDecision string

const (
	PrefixMoved    PrefixDecision = "moved"      // rewritten below the prefix
	PrefixNotPath  PrefixDecision = "not-a-path" // asterisk-, authority-form, relative or garbled: the syntax is the point
	PrefixClimbs   PrefixDecision = "climbs"     // leaves the root once decoded: traversal is the point
	PrefixLeading  PrefixDecision = "leading"    // its start is the point ("//host", "/\host", "C:")
	PrefixNoTarget PrefixDecision = "no-target"  // the line has no target
)

// PrefixKind classifies a request target for --prefix and returns the
// offset of its path (after the authority of an absolute-form target).
func PrefixKind(target string) (int, PrefixDecision) {
	if target == "" {
		return 0, PrefixNoTarget
	}
	off := 0
	if i := strings.Index(target, "://"); i > 0 && (strings.EqualFold(target[:i], "http") || strings.EqualFold(target[:i], "https")) {
		off = i + 3
		for off < len(target) && target[off] != '/' && target[off] != '?' && target[off] != '#' {
			off++
		}
		if off < len(target) && target[off] != '/' {
			return off, PrefixMoved // "http://h?q": the path is empty, "/" is meant
		}
		if off == len(target) {
			return off, PrefixMoved
		}
	} else if target[0] != '/' {
		return 0, PrefixNotPath
	}
	p := target[off:]
	if q := strings.IndexAny(p, "?#"); q >= 0 {
		p = p[:q]
	}
	d := decodeForPrefix(p)
	if climbs(d) {
		return off, PrefixClimbs
	}
	lead := strings.NewReplacer("\t", "", "\r", "", "\n", "").Replace(d)
	// "//host/..." and "//etc/passwd" are about their start (a scheme-
	// relative redirect, an absolute file path); "//.hidden" is about the
	// dotfile behind an empty segment, which survives the move.
	if (strings.HasPrefix(lead, "//") && !strings.HasPrefix(strings.TrimLeft(lead, "/"), ".")) || driveLetter(lead) {
		return off, PrefixLeading
	}
	return off, PrefixMoved
}

// decodeForPrefix decodes a path the ways a server might: percent-decoding
// up to three times (double encoding), the overlong UTF-8 dot %c0%ae, and
// backslashes as separators.
func decodeForPrefix(p string) string {
	for range 3 {
		p = replaceFold(p, "%c0%ae", ".")
		u, err := url.PathUnescape(p)
		if err != nil || u == p {
			break
		}
		p = u
	}
	return strings.ReplaceAll(p, `\`, "/")
}

// replaceFold replaces every ASCII-case-insensitive match of old.
func replaceFold(s, old, repl string) string {
	lo := strings.ToLower(s)
	if !strings.Contains(lo, old) {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(lo, old)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		b.WriteString(repl)
		s, lo = s[i+len(old):], lo[i+len(old):]
	}
}

// climbs reports whether resolving the dot-segments of a decoded path ever
// goes above the root; a segment "..;x" counts as ".." (servlet containers
// strip path parameters).
func climbs(p string) bool {
	depth := 0
	for _, seg := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		if i := strings.IndexByte(seg, ';'); i >= 0 {
			seg = seg[:i]
		}
		switch seg {
		case "..":
			depth--
			if depth < 0 {
				return true
			}
		case ".", "":
		default:
			depth++
		}
	}
	return false
}

// driveLetter reports a first segment like "C:".
func driveLetter(p string) bool {
	seg, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	return len(seg) == 2 && seg[1] == ':' && (seg[0]|0x20) >= 'a' && (seg[0]|0x20) <= 'z'
}

// requestTargets lists the targets of the request-lines the reference
// reading finds in raw (for reports and tests).
func requestTargets(raw []byte) []string {
	var out []string
	for _, r := range splitRequests(raw) {
		out = append(out, r.Target)
	}
	return out
}
