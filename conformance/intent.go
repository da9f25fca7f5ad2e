package conformance

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"github.com/ferrox/ferrox/parser"
)

// How the strict reference reading classes one client message.
const (
	IntentOK        = "ok"        // the strict parser accepts it
	IntentTolerated = "tolerated" // rejected by the strict parser for its syntax, but its framing is clean: a front end may repair and forward it
	IntentRejected  = "rejected"  // rejected with its framing in doubt (CL/TE games, a bad chunked body): no byte after its head is a request
	IntentPartial   = "partial"   // the bytes end inside it
)

// IntentMessage is one message of what the client meant.
type IntentMessage struct {
	Message
	Class  string `json:"class"`            // IntentOK, IntentTolerated, IntentRejected, IntentPartial
	Reason string `json:"reason,omitempty"` // the strict parser's reason token when not ok
}

// Intent is the strict reading of everything the client sent on one
// connection: the messages in order, and where the stream stops carrying
// requests.
type Intent struct {
	Messages []IntentMessage `json:"messages"`
	// Hidden is the offset from which no byte begins a request the client
	// sent as one: past a message whose framing is in doubt (everything after
	// its head may be body), or past a message that closes the connection
	// (Connection: close, HTTP/1.0 without keep-alive). len(stream) when
	// the stream was read to its end.
	Hidden int `json:"hidden"`
	// HiddenWhy says why the stream stops there: "framing" or "close"
	// ("" when it was read to its end).
	HiddenWhy string `json:"hidden_why,omitempty"`
}

// maxIntentMessages bounds the messages read from one stream.
const maxIntentMessages = 64

// ReadIntent reads raw the way a strict RFC 9112 server does, with package
// parser as the reference, and says what the client meant: which requests
// it sent, where each begins and ends, and which bytes are no request at
// all. A message the strict parser rejects only for its syntax while its
// Content-Length or absence of framing is unambiguous is kept as
// "tolerated" and reading goes on after it, so a front end that repairs it
// (obs-fold to SP, say) is not blamed for what follows.
func ReadIntent(raw []byte) Intent {
	in := Intent{Hidden: len(raw)}
	i := 0
	for i < len(raw) && len(in.Messages) < maxIntentMessages {
		m, n, err := frameOne(raw[i:])
		if err == nil {
			shift(&m, i)
			in.Messages = append(in.Messages, IntentMessage{Message: m, Class: IntentOK})
			i += n
			if !m.KeepAlive {
				in.stop(i, "close")
				return in
			}
			continue
		}
		if errors.Is(err, parser.ErrNeedMore) || errors.Is(err, errHeadOnly) {
			if errors.Is(err, parser.ErrNeedMore) {
				m = lenientHead(raw[i:], len(raw)-i)
			}
			shift(&m, i)
			m.End = len(raw)
			in.Messages = append(in.Messages, IntentMessage{Message: m, Class: IntentPartial})
			return in
		}
		reason := err.Error()
		var pe *parser.Error
		if errors.As(err, &pe) {
			reason = pe.Reason
		}
		if m.HeadEnd > 0 {
			// The head parsed; the chunked body did not. When the fault is
			// one a lenient reader skips without moving the body's end (an
			// extension's or a trailer field's syntax), the message is
			// tolerated; otherwise where the body ends is in doubt.
			if tolerableChunkFault[reason] {
				if end, body, blen, ok := tolerantChunked(raw[i+m.HeadEnd:]); ok {
					m.Body, m.BodyLen, m.End = body, blen, m.HeadEnd+end
					if i = in.tolerate(m, i, reason); i < 0 {
						return in
					}
					continue
				}
			}
			shift(&m, i)
			m.End, m.Body, m.BodyLen = m.HeadEnd, nil, 0
			in.Messages = append(in.Messages, IntentMessage{Message: m, Class: IntentRejected, Reason: reason})
			in.stop(m.HeadEnd, "framing")
			return in
		}
		end := headEnd(raw[i:])
		if end < 0 {
			m = lenientHead(raw[i:], len(raw)-i)
			shift(&m, i)
			m.End = len(raw)
			in.Messages = append(in.Messages, IntentMessage{Message: m, Class: IntentRejected, Reason: reason})
			in.stop(i, "framing")
			return in
		}
		m = lenientHead(raw[i:], end)
		wire, content, clen, ok := cleanBodyLen(raw[i:i+end], raw[i+end:])
		if !ok && reason == "cl_and_te" && m.Proto == "HTTP/1.1" {
			// RFC 9112 §6.1: with both fields, Transfer-Encoding frames the
			// message (an intermediary forwarding it removes Content-Length)
			// and the connection closes after it. With one clean chunked
			// coding that reading is the message; nothing after it is a
			// request. (In HTTP/1.0 the framing is faulty either way.)
			wire, content, clen, ok = cleanBodyLen(withoutCL(raw[i:i+end]), raw[i+end:])
			m.KeepAlive = false
		}
		if !ok {
			shift(&m, i)
			in.Messages = append(in.Messages, IntentMessage{Message: m, Class: IntentRejected, Reason: reason})
			in.stop(i+end, "framing")
			return in
		}
		m.BodyLen, m.Body, m.End = clen, content, end+wire
		if i = in.tolerate(m, i, reason); i < 0 {
			return in
		}
	}
	if i < len(raw) {
		in.stop(i, "framing")
	}
	return in
}

// tolerate records m, framed from offset base, as a tolerated message and
// returns where the next message begins, or -1 when m closes the stream.
func (in *Intent) tolerate(m Message, base int, reason string) int {
	shift(&m, base)
	in.Messages = append(in.Messages, IntentMessage{Message: m, Class: IntentTolerated, Reason: reason})
	if !m.KeepAlive {
		in.stop(m.End, "close")
		return -1
	}
	return m.End
}

func (in *Intent) stop(at int, why string) {
	in.Hidden, in.HiddenWhy = at, why
}

// headEnd returns the length of the head at the start of b up to and
// including the empty line that ends it (CRLF CRLF, or a bare LF pair as a
// lenient reader sees it), or -1.
func headEnd(b []byte) int {
	k := 0
	for k < len(b) && (b[k] == '\r' || b[k] == '\n') {
		k++
	}
	// The empty line ending the head is the first line holding nothing or
	// only a CR, whichever line end closed the line before it.
	end := -1
	if p := bytes.Index(b[k:], []byte("\n\n")); p >= 0 {
		end = k + p + 2
	}
	if p := bytes.Index(b[k:], []byte("\n\r\n")); p >= 0 && (end < 0 || k+p+3 < end) {
		end = k + p + 3
	}
	return end
}

// lenientHead reads the request-line and field lines of a head the strict
// parser refused, so the judge can recognise the message if a front end
// forwards it: split on LF, request-line on spaces, fields at the first
// colon.
func lenientHead(b []byte, end int) Message {
	m := Message{Start: 0, HeadEnd: end, End: end, Framing: "none", KeepAlive: true}
	for m.Start < end && (b[m.Start] == '\r' || b[m.Start] == '\n') {
		m.Start++ // leading empty lines, bare CR or LF ones included
	}
	lines := strings.Split(string(b[m.Start:end]), "\n")
	rl := strings.Fields(strings.TrimSuffix(lines[0], "\r"))
	if len(rl) > 0 {
		m.Method = rl[0]
	}
	if len(rl) > 1 {
		m.Target = rl[1]
		m.Path = originForm(m.Target)
	}
	if len(rl) > 2 {
		m.Proto = rl[2]
	}
	for _, l := range lines[1:] {
		l = strings.TrimSuffix(l, "\r")
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		m.Fields = append(m.Fields, [2]string{name, strings.TrimSpace(value)})
		if strings.EqualFold(strings.TrimSpace(name), "connection") {
			for _, t := range strings.Split(value, ",") {
				if strings.EqualFold(strings.TrimSpace(t), "close") {
					m.KeepAlive = false
				}
			}
		}
	}
	if m.Proto == "HTTP/1.0" {
		m.KeepAlive = false
	}
	return m
}

// originForm reduces an absolute-form target to its path and query.
func originForm(t string) string {
	if !strings.HasPrefix(t, "/") {
		if k := strings.Index(t, "://"); k > 0 {
			rest := t[k+3:]
			if j := strings.IndexAny(rest, "/?"); j >= 0 {
				if rest[j] == '?' {
					return "/" + rest[j:]
				}
				return rest[j:]
			}
			return "/"
		}
	}
	return t
}

// cleanBodyLen returns the body length of a head the strict parser
// refused, when its framing is beyond doubt: no line mentions
// Content-Length or Transfer-Encoding; or exactly one well-formed
// "Content-Length: digits" line does and the body is all there; or exactly
// one well-formed "Transfer-Encoding: chunked" line does and the chunked
// body parses. Anything else (a second length, both fields, another coding,
// a framing field hidden behind a bare CR or a fold, a name with odd
// bytes) is in doubt.
func cleanBodyLen(head, rest []byte) (wire int, content []byte, clen int64, ok bool) {
	n, chunked := -1, false
	// RFC 9112 §5.2: a continuation line belongs to the value before it, so
	// a framing name inside one is no field (a reader that takes it for one
	// meets the hidden request, which the judge then sees as smuggled).
	var lines [][]byte
	for _, line := range bytes.Split(head, []byte("\n")) {
		if len(lines) > 1 && len(line) > 0 && (line[0] == ' ' || line[0] == '\t') {
			prev := bytes.TrimSuffix(lines[len(lines)-1], []byte("\r"))
			lines[len(lines)-1] = append(append(prev[:len(prev):len(prev)], ' '), line...)
			continue
		}
		lines = append(lines, line)
	}
	for _, line := range lines {
		lower := bytes.ToLower(line)
		// A framing name counts in the field name, or after a bare CR
		// (which some readers take for a line end); not inside a value.
		fname, _, _ := bytes.Cut(lower, []byte(":"))
		_, afterCR, _ := bytes.Cut(bytes.TrimSuffix(lower, []byte("\r")), []byte("\r"))
		isTE := bytes.Contains(fname, []byte("transfer-encoding")) || bytes.Contains(afterCR, []byte("transfer-encoding"))
		isCL := bytes.Contains(fname, []byte("content-length")) || bytes.Contains(afterCR, []byte("content-length"))
		if !isTE && !isCL {
			continue
		}
		if n >= 0 || chunked || (isTE && isCL) {
			return 0, nil, 0, false
		}
		name := "content-length:"
		if isTE {
			name = "transfer-encoding:"
		}
		if !bytes.HasPrefix(lower, []byte(name)) {
			return 0, nil, 0, false
		}
		v := strings.TrimSuffix(string(line[len(name):]), "\r")
		v = strings.Trim(v, " \t")
		if isTE {
			if !strings.EqualFold(v, "chunked") {
				return 0, nil, 0, false
			}
			chunked = true
			continue
		}
		if v == "" || len(v) > 15 || strings.Trim(v, "0123456789") != "" {
			return 0, nil, 0, false
		}
		x, err := strconv.Atoi(v)
		if err != nil {
			return 0, nil, 0, false
		}
		n = x
	}
	switch {
	case chunked:
		return tolerantChunked(rest)
	case n < 0:
		return 0, nil, 0, true
	case n > len(rest):
		return 0, nil, 0, false
	}
	return n, append([]byte(nil), rest[:min(n, maxMessageBody)]...), int64(n), true
}

// withoutCL returns the head without its well-formed Content-Length lines
// (a line that only mentions the name stays, and keeps the framing in
// doubt).
func withoutCL(head []byte) []byte {
	var out [][]byte
	for _, line := range bytes.Split(head, []byte("\n")) {
		if bytes.HasPrefix(bytes.ToLower(line), []byte("content-length:")) {
			continue
		}
		out = append(out, line)
	}
	return bytes.Join(out, []byte("\n"))
}

// tolerableChunkFault lists the chunked-body rejections a lenient reader
// can skip without disagreeing about where the body ends: the syntax of an
// extension, of a chunk-size's trailing whitespace, or of a trailer field.
var tolerableChunkFault = map[string]bool{
	"invalid_chunk_ext": true, "chunk_ext_too_large": true, "invalid_chunk_size": true,
	"bad_field_value": true, "invalid_field_name": true, "missing_colon": true,
	"obs_fold": true, "space_before_colon": true, "trailer_too_large": true,
}

// tolerantChunked reads a chunked body the way a lenient recipient would,
// but only where every such reader agrees on its end: each size line is
// hex digits, optional blanks, and an extension after ";" whatever its
// syntax, ended by CRLF with no bare CR or LF; data is followed by CRLF;
// trailer lines end with CRLF and hold no bare CR or LF. It returns the
// body's length on the wire and its content, or ok=false.
func tolerantChunked(b []byte) (end int, body []byte, blen int64, ok bool) {
	i := 0
	line := func() ([]byte, bool) {
		k := bytes.Index(b[i:], []byte("\r\n"))
		if k < 0 {
			return nil, false
		}
		l := b[i : i+k]
		if bytes.IndexByte(l, '\r') >= 0 || bytes.IndexByte(l, '\n') >= 0 {
			return nil, false
		}
		i += k + 2
		return l, true
	}
	for n := 0; n < 1<<16; n++ {
		l, good := line()
		if !good {
			return 0, nil, 0, false
		}
		d := 0
		var size int64
		for d < len(l) && isHexDigit(l[d]) {
			if d >= 15 {
				return 0, nil, 0, false
			}
			size = size*16 + int64(hexVal(l[d]))
			d++
		}
		if d == 0 {
			return 0, nil, 0, false
		}
		rest := bytes.TrimLeft(l[d:], " \t")
		if len(rest) > 0 && rest[0] != ';' {
			return 0, nil, 0, false
		}
		if size == 0 {
			for t := 0; t < 1<<10; t++ {
				tl, good := line()
				if !good {
					return 0, nil, 0, false
				}
				if len(tl) == 0 {
					return i, body, blen, true
				}
			}
			return 0, nil, 0, false
		}
		if int64(len(b)-i) < size+2 || b[i+int(size)] != '\r' || b[i+int(size)+1] != '\n' {
			return 0, nil, 0, false
		}
		if room := maxMessageBody - len(body); room > 0 {
			body = append(body, b[i:i+min(int(size), room)]...)
		}
		blen += size
		i += int(size) + 2
	}
	return 0, nil, 0, false
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexVal(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
