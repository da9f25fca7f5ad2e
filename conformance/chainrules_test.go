package conformance

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/parser"
)

// This file holds the hand-written message reader of the fake front ends
// (chainfakes_test.go): a careful reader by default, with one knob per
// published leniency, and an optional normaliser that re-serialises what
// it forwards.

// frontRules describe a hand-written front end's reading of a message.
// The zero value is a careful reader: CRLF lines only, no obs-fold, token
// field names with no whitespace before the colon, one Host, Content-Length all
// digits and agreeing, Transfer-Encoding exactly "chunked" and never with
// Content-Length or in HTTP/1.0, strict chunk lines. Each lenient front
// end turns on one knob. With rewrite the front end normalises what it
// forwards instead of passing the bytes through.
type frontRules struct {
	bareLF      bool                       // a bare LF ends a head line
	bareLFChunk bool                       // a bare LF ends a chunk-size, chunk-data or trailer line
	rewrite     bool                       // forward a re-serialised message: fields unfolded, hop-by-hop fields dropped, the body by Content-Length, Via added
	rlWords     bool                       // the request-line splits on any run of whitespace (RFC 9112 §3 allows it)
	fold        bool                       // obs-fold continues the previous field (forwarded raw)
	clPick      int                        // with several Content-Length lines: 0 all must agree, 1 the first wins, -1 the last wins
	clNumber    func(string) (int64, bool) // reads a Content-Length value; nil: 1*DIGIT
	sizeNumber  func(string) (int64, bool) // reads a chunk-size; nil: 1*HEXDIG
	clOverTE    bool                       // Transfer-Encoding is ignored altogether (CL.TE)
	teOverCL    bool                       // with both, chunked wins and Content-Length is forwarded too (TE.CL)
	teLoose     bool                       // Transfer-Encoding names match with whitespace before the colon, any case; "chunked" anywhere in the value; TE wins over CL
	getNoBody   bool                       // GET and HEAD carry no body whatever their framing fields say (CL.0)
	expectPfx   bool                       // an Expect value starting with "100" is answered with 100 and the body taken as absent
	http10CL    bool                       // an HTTP/1.0 request with Transfer-Encoding is framed by its Content-Length
	chunkExtLF  bool                       // a bare LF ends a chunk-size line once its extension began
	// teClose takes RFC 9112 §6.1's other way with a message whose framing
	// is faulty: with both Content-Length and Transfer-Encoding, or
	// Transfer-Encoding in HTTP/1.0, chunked wins and the connection
	// closes after the response (with rewrite, Content-Length is dropped,
	// as a proxy must).
	teClose bool
}

// hopByHop are the fields a normalising front end does not forward (RFC
// 9110 §7.6.1, RFC 9112 §6.1: it frames the body itself).
var hopByHop = []string{"connection", "keep-alive", "proxy-connection", "te", "transfer-encoding", "trailer", "upgrade", "content-length"}

// rewritten is the message a normalising front end forwards: the
// request-line as read, the fields unfolded in order without the hop-by-hop
// ones, Via, and the body framed by Content-Length.
func rewritten(rl []string, fields [][2]string, body []byte, framed bool) []byte {
	drop := slices.Clone(hopByHop)
	for _, fv := range fields {
		if strings.EqualFold(fv[0], "connection") {
			for _, tok := range strings.Split(fv[1], ",") {
				drop = append(drop, strings.ToLower(strings.TrimSpace(tok)))
			}
		}
	}
	// An absolute-form target goes upstream in origin-form, its
	// authority as Host (RFC 9112 §3.2.2: the target's authority wins).
	target, host := rl[1], ""
	if scheme, rest, ok := strings.Cut(target, "://"); ok && parser.ValidToken(scheme) {
		k := strings.IndexAny(rest, "/?")
		if k < 0 {
			k = len(rest)
		}
		host, target = rest[:k], rest[k:]
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
	}
	var b bytes.Buffer
	b.WriteString(rl[0] + " " + target + " " + rl[2] + "\r\n")
	for _, fv := range fields {
		switch {
		case slices.Contains(drop, strings.ToLower(fv[0])):
		case host != "" && strings.EqualFold(fv[0], "host"):
			b.WriteString("Host: " + host + "\r\n")
		default:
			b.WriteString(fv[0] + ": " + fv[1] + "\r\n")
		}
	}
	b.WriteString("Via: 1.1 fake\r\n")
	if framed {
		b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(body)
	return b.Bytes()
}

// frame reads one message under the rules.
func (r *frontRules) frame(buf []byte) (frontFrame, bool) {
	bad := func(status int) (frontFrame, bool) { return frontFrame{reject: true, status: status}, true }
	// Leading empty lines are skipped (RFC 9112 §2.2).
	start := 0
	for start < len(buf) && (buf[start] == '\r' || buf[start] == '\n') {
		switch {
		case buf[start] == '\n' && r.bareLF:
			start++
		case buf[start] == '\n':
			return bad(400)
		case start+1 == len(buf):
			return frontFrame{}, false
		case buf[start+1] != '\n':
			return bad(400)
		default:
			start += 2
		}
	}
	lines, end, status := r.headLines(buf[start:])
	if status != 0 {
		return bad(status)
	}
	if end < 0 {
		if len(buf) > 64<<10 {
			return bad(431)
		}
		return frontFrame{}, false
	}
	end += start
	rl := strings.Split(lines[0], " ")
	if r.rlWords {
		rl = strings.FieldsFunc(lines[0], func(c rune) bool { return c == ' ' || c == '\t' || c == '\v' || c == '\f' })
	}
	if len(rl) != 3 || !parser.ValidToken(rl[0]) || rl[1] == "" || (rl[2] != "HTTP/1.1" && rl[2] != "HTTP/1.0") {
		return bad(400)
	}
	f := frontFrame{method: rl[0]}
	http10 := rl[2] == "HTTP/1.0"
	var fields [][2]string
	for _, l := range lines[1:] {
		if l[0] == ' ' || l[0] == '\t' {
			if !r.fold || len(fields) == 0 {
				return bad(400)
			}
			fields[len(fields)-1][1] += " " + strings.Trim(l, " \t")
			continue
		}
		name, value, ok := strings.Cut(l, ":")
		if r.teLoose {
			name = strings.TrimRight(name, " \t")
		}
		value = strings.Trim(value, " \t")
		if !ok || !parser.ValidToken(name) || !parser.ValidFieldValue(value) {
			return bad(400)
		}
		fields = append(fields, [2]string{name, value})
	}
	var cls, tes []string
	keepAlive := !http10
	hosts := 0
	for _, fv := range fields {
		switch strings.ToLower(fv[0]) {
		case "host":
			hosts++
		case "content-length":
			cls = append(cls, fv[1])
		case "transfer-encoding":
			tes = append(tes, fv[1])
		case "connection":
			for _, tok := range strings.Split(fv[1], ",") {
				switch strings.ToLower(strings.TrimSpace(tok)) {
				case "close":
					keepAlive = false
				case "keep-alive":
					keepAlive = keepAlive || http10
				}
			}
		case "expect":
			if r.expectPfx && strings.HasPrefix(fv[1], "100") {
				f.send100 = true
			}
		}
	}
	f.close = !keepAlive
	// RFC 9112 §3.2: exactly one Host in HTTP/1.1, at most one in 1.0.
	if hosts > 1 || hosts == 0 && !http10 {
		return bad(400)
	}
	// body completes the frame with n bytes after the head, content being
	// the decoded body (nil: those n bytes).
	body := func(n int, content []byte) (frontFrame, bool) {
		if len(buf)-end < n {
			return frontFrame{}, false
		}
		f.n = end + n
		if r.rewrite {
			if content == nil {
				content = buf[end : end+n]
			}
			f.forward = rewritten(rl, fields, content, len(cls)+len(tes) > 0)
			// What it would forward must be a valid request: the
			// normaliser refuses the message otherwise (a bad target or
			// Host, say, which this reader does not check itself).
			if _, _, err := frameOne(f.forward); err != nil {
				return bad(400)
			}
		}
		return f, true
	}
	if f.send100 || r.getNoBody && (f.method == "GET" || f.method == "HEAD") {
		return body(0, nil)
	}
	if r.clOverTE || http10 && r.http10CL {
		tes = nil
	}
	chunked := false
	if len(tes) > 0 {
		if r.teClose && (http10 || len(cls) > 0) {
			f.close = true
			cls = nil
		}
		switch {
		case http10 && !r.teClose:
			return bad(400)
		case r.teLoose:
			chunked = strings.Contains(strings.ToLower(strings.Join(tes, ",")), "chunked")
		default:
			chunked = len(tes) == 1 && strings.EqualFold(tes[0], "chunked")
		}
		if !chunked {
			return bad(501)
		}
		if len(cls) > 0 && !r.teOverCL && !r.teLoose {
			return bad(400)
		}
	}
	if chunked {
		content := []byte{}
		n, ok, status := r.chunkedLen(buf[end:], &content)
		if status != 0 {
			return bad(status)
		}
		if !ok {
			return frontFrame{}, false
		}
		return body(n, content)
	}
	if len(cls) == 0 {
		return body(0, nil)
	}
	num := r.clNumber
	if num == nil {
		num = digitsOnly
	}
	switch r.clPick {
	case 1:
		cls = cls[:1]
	case -1:
		cls = cls[len(cls)-1:]
	}
	n := int64(-1)
	for _, v := range cls {
		x, ok := num(v)
		if !ok || n >= 0 && x != n {
			return bad(400)
		}
		n = x
	}
	if n > maxFrontBuffer {
		return bad(413)
	}
	return body(int(n), nil)
}

// headLines splits the head at the start of b into lines without their
// terminators. end is the offset after the empty line that ends the head,
// -1 while it is incomplete; status is non-zero when the rules refuse a
// line ending.
func (r *frontRules) headLines(b []byte) (lines []string, end, status int) {
	i := 0
	for len(lines) < 1024 {
		l, next, st := r.line(b, i, r.bareLF, false)
		if st != 0 {
			return nil, -1, st
		}
		if next < 0 {
			return nil, -1, 0
		}
		i = next
		if l == "" {
			if len(lines) == 0 {
				return nil, -1, 400
			}
			return lines, i, 0
		}
		lines = append(lines, l)
	}
	return nil, -1, 431
}

// line returns the line at b[i:] without its terminator and the offset
// after it (-1: incomplete). A bare CR is always refused; a bare LF ends
// the line when lf is set, or in a chunk-size line (sizeLine) whose
// extension began when chunkExtLF is on.
func (r *frontRules) line(b []byte, i int, lf, sizeLine bool) (string, int, int) {
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '\r':
			if j+1 == len(b) {
				return "", -1, 0
			}
			if b[j+1] != '\n' {
				return "", -1, 400
			}
			return string(b[i:j]), j + 2, 0
		case '\n':
			ext := sizeLine && bytes.IndexByte(b[i:j], ';') >= 0
			if lf || ext && r.chunkExtLF {
				return string(b[i:j]), j + 1, 0
			}
			return "", -1, 400
		}
	}
	return "", -1, 0
}

// chunkedLen reads a chunked body at the start of b under the rules and
// returns its length on the wire; the chunk data is appended to content.
func (r *frontRules) chunkedLen(b []byte, content *[]byte) (n int, ok bool, status int) {
	num := r.sizeNumber
	if num == nil {
		num = hexOnly
	}
	i := 0
	for chunks := 0; chunks < 4096; chunks++ {
		l, next, st := r.line(b, i, r.bareLFChunk, true)
		if st != 0 || next < 0 {
			return 0, false, st
		}
		i = next
		sizeText, ext, _ := strings.Cut(l, ";")
		if strings.ContainsFunc(ext, func(c rune) bool { return c < 0x20 && c != '\t' || c == 0x7f }) {
			return 0, false, 400
		}
		size, good := num(strings.TrimRight(sizeText, " \t"))
		if !good || size > maxFrontBuffer {
			return 0, false, 400
		}
		if size == 0 {
			for t := 0; t < 64; t++ {
				tl, next, st := r.line(b, i, r.bareLFChunk, false)
				if st != 0 || next < 0 {
					return 0, false, st
				}
				i = next
				if tl == "" {
					return i, true, 0
				}
			}
			return 0, false, 431
		}
		if len(b)-i < int(size) {
			return 0, false, 0
		}
		*content = append(*content, b[i:i+int(size)]...)
		i += int(size)
		tail, next, st := r.line(b, i, r.bareLFChunk, false)
		if st != 0 || next < 0 {
			return 0, false, st
		}
		if tail != "" {
			return 0, false, 400
		}
		i = next
	}
	return 0, false, 400
}

// digitsOnly reads 1*DIGIT (RFC 9110 §8.6).
func digitsOnly(s string) (int64, bool) {
	if !allDigits(s) || len(s) > 18 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// hexOnly reads 1*HEXDIG (RFC 9112 §7.1).
func hexOnly(s string) (int64, bool) {
	if !allHex(s) || len(s) > 15 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 16, 64)
	return n, err == nil
}

// strconvNumber reads a number the way a front end built on its
// language's integer parser does: surrounding whitespace trimmed, the
// first element of a list, a sign, a 0x/0o/0b prefix, a leading 0 as
// octal, underscores between digits (strconv.ParseInt with base 0).
func strconvNumber(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if first, _, ok := strings.Cut(s, ","); ok {
		s = strings.TrimSpace(first)
	}
	n, err := strconv.ParseInt(s, 0, 64)
	return n, err == nil && n >= 0
}

// strconvHex reads a chunk size the same way, in base 16: whitespace, a
// sign and a 0x prefix accepted.
func strconvHex(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimLeft(s, "+-")
	if len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s = s[2:]
	}
	n, err := strconv.ParseInt(s, 16, 64)
	return n, err == nil && !neg
}

// atoiNumber reads a number as C's atoi does: leading whitespace, an
// optional sign, the longest run of digits; whatever follows is ignored
// (and no digit at all is zero).
func atoiNumber(s string) (int64, bool) {
	return prefixNumber(s, 10)
}

// atoiHex is strtol(s, NULL, 16): the longest hex prefix, after an
// optional 0x.
func atoiHex(s string) (int64, bool) {
	return prefixNumber(s, 16)
}

func prefixNumber(s string, base int) (int64, bool) {
	s = strings.TrimLeft(s, " \t")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if base == 16 && len(s) > 2 && (s[:2] == "0x" || s[:2] == "0X") {
		s = s[2:]
	}
	var n int64
	for k := 0; k < len(s) && k < 15; k++ {
		c := s[k]
		var d int64
		switch {
		case '0' <= c && c <= '9':
			d = int64(c - '0')
		case base == 16 && 'a' <= c|0x20 && c|0x20 <= 'f':
			d = int64(c|0x20-'a') + 10
		default:
			k = len(s) // the number ends at the first other byte
			continue
		}
		n = n*int64(base) + d
	}
	if neg {
		return 0, false
	}
	return n, true
}

// The fakes' framers do what their class says: the self-test is only as
// good as they are.
func TestFrontFramers(t *testing.T) {
	const head = "POST /a HTTP/1.1\r\nHost: x\r\n"
	const next = "GET /next HTTP/1.1\r\nHost: x\r\n\r\n"
	tests := []struct {
		name  string
		rules frontRules
		raw   string
		want  string // the message framed ("" with reject)
		check func(f frontFrame) bool
	}{
		{"careful-cl", frontRules{}, head + "Content-Length: 3\r\n\r\nabc" + next, head + "Content-Length: 3\r\n\r\nabc", nil},
		{"careful-refuses-differing-cl", frontRules{}, head + "Content-Length: 0\r\nContent-Length: 3\r\n\r\nabc", "", nil},
		{"careful-refuses-cl-te", frontRules{}, head + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "", nil},
		{"careful-refuses-bare-lf", frontRules{}, "GET / HTTP/1.1\nHost: x\n\n", "", nil},
		{"first-cl-wins", frontRules{clPick: 1}, head + "Content-Length: 0\r\nContent-Length: 3\r\n\r\nabc", head + "Content-Length: 0\r\nContent-Length: 3\r\n\r\n", nil},
		{"last-cl-wins", frontRules{clPick: -1}, head + "Content-Length: 3\r\nContent-Length: 0\r\n\r\nabc", head + "Content-Length: 3\r\nContent-Length: 0\r\n\r\n", nil},
		{"cl-over-te", frontRules{clOverTE: true}, head + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", head + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n", nil},
		{"te-over-cl", frontRules{teOverCL: true}, head + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nxyz", head + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", nil},
		{"te-loose-xchunked", frontRules{teLoose: true}, head + "Transfer-Encoding : xchunked\r\nContent-Length: 9\r\n\r\n0\r\n\r\nxyz", head + "Transfer-Encoding : xchunked\r\nContent-Length: 9\r\n\r\n0\r\n\r\n", nil},
		{"strconv-octal", frontRules{clNumber: strconvNumber}, head + "Content-Length: 010\r\n\r\n0123456789", head + "Content-Length: 010\r\n\r\n01234567", nil},
		{"strconv-plus-list", frontRules{clNumber: strconvNumber}, head + "Content-Length: +2, 9\r\n\r\nabc", head + "Content-Length: +2, 9\r\n\r\nab", nil},
		{"strconv-chunk-0x", frontRules{sizeNumber: strconvHex}, head + "Transfer-Encoding: chunked\r\n\r\n0x2\r\nab\r\n0\r\n\r\n", head + "Transfer-Encoding: chunked\r\n\r\n0x2\r\nab\r\n0\r\n\r\n", nil},
		{"atoi-garbage", frontRules{clNumber: atoiNumber}, head + "Content-Length: 2abc\r\n\r\nabc", head + "Content-Length: 2abc\r\n\r\nab", nil},
		{"bare-lf", frontRules{bareLF: true, bareLFChunk: true}, "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n1\na\n0\n\n" + next, "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n1\na\n0\n\n", nil},
		{"obs-fold", frontRules{fold: true}, head + "X: a\r\n b\r\nContent-Length: 1\r\n\r\nz", head + "X: a\r\n b\r\nContent-Length: 1\r\n\r\nz", nil},
		{"get-body-ignored", frontRules{getNoBody: true}, "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n", nil},
		{"chunk-ext-lf", frontRules{chunkExtLF: true}, head + "Transfer-Encoding: chunked\r\n\r\n0;a\n\r\n" + next, head + "Transfer-Encoding: chunked\r\n\r\n0;a\n\r\n", nil},
		{"expect-prefix", frontRules{expectPfx: true}, head + "Expect: 100-continuex\r\nContent-Length: 3\r\n\r\nabc", head + "Expect: 100-continuex\r\nContent-Length: 3\r\n\r\n", func(f frontFrame) bool { return f.send100 }},
		{"http10-cl", frontRules{http10CL: true}, "POST / HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nx", "POST / HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", func(f frontFrame) bool { return f.close }},
		{"te-close", frontRules{teClose: true}, head + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", head + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", func(f frontFrame) bool { return f.close }},
		{"rewrite", frontRules{rewrite: true, fold: true}, "POST http://h/p HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\nConnection: y\r\nY: 1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n", "", func(f frontFrame) bool {
			return string(f.forward) == "POST /p HTTP/1.1\r\nHost: h\r\nX: a b\r\nVia: 1.1 fake\r\nContent-Length: 1\r\n\r\nz"
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := tc.rules.frame([]byte(tc.raw))
			if !ok {
				t.Fatalf("frame(%q): incomplete; want a frame", tc.raw)
			}
			switch {
			case tc.want == "" && tc.check == nil:
				if !f.reject {
					t.Errorf("frame(%q) = %d bytes; want a rejection", tc.raw, f.n)
				}
			case f.reject:
				t.Errorf("frame(%q) rejected (%d); want a message", tc.raw, f.status)
			case tc.want != "" && tc.raw[:f.n] != tc.want:
				t.Errorf("frame(%q) = %q; want %q", tc.raw, tc.raw[:f.n], tc.want)
			}
			if tc.check != nil && !tc.check(f) {
				t.Errorf("frame(%q) = %+v; fails the case's check", tc.raw, f)
			}
		})
	}
}
