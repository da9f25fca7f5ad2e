package conformance

import (
	"errors"
	"strconv"
	"strings"

	"github.com/ferrox/ferrox/parser"
)

// Message is one request framed by the strict reference parser (package
// parser, RFC 9112 §2–§7): what a client meant, or what a front end
// forwarded to the recording origin. Offsets are into the byte stream the
// message was framed from.
type Message struct {
	Method  string      `json:"method"`
	Target  string      `json:"target"`
	Path    string      `json:"path"` // the target as origin-form ("/p?q"); "*" or the authority for those forms
	Proto   string      `json:"proto"`
	Fields  [][2]string `json:"fields,omitempty"`
	Framing string      `json:"framing"` // "none", "content-length", "chunked"
	BodyLen int64       `json:"body_len"`
	Body    []byte      `json:"body,omitempty"` // decoded content, the first maxMessageBody bytes
	Start   int         `json:"start"`          // offset of the first byte (after leading empty lines)
	HeadEnd int         `json:"head_end"`       // offset just past the head's final CRLF
	End     int         `json:"end"`            // offset just past the body

	KeepAlive bool `json:"keep_alive"` // the connection may carry another request (RFC 9112 §9.3)
	// Tag is set on a request the recording origin framed: "c<conn> r<seq>",
	// the value of OriginHeader on its response.
	Tag string `json:"tag,omitempty"`
	// Arrival orders the requests the origin framed over all connections
	// (1, 2, …), since a front end may spread one client's requests over
	// several upstream connections.
	Arrival   int  `json:"arrival,omitempty"`
	Expect100 bool `json:"expect_100,omitempty"`
}

// maxMessageBody bounds the decoded body kept per message.
const maxMessageBody = 64 << 10

// Field returns the values of the fields named name, in order.
func (m *Message) Field(name string) []string {
	var out []string
	for _, f := range m.Fields {
		if strings.EqualFold(f[0], name) {
			out = append(out, f[1])
		}
	}
	return out
}

// frameLimits are generous: the reference parse judges syntax and framing,
// not size policy (a front end may forward heads larger than Ferrox's own
// defaults).
var frameLimits = parser.Limits{MaxHeadBytes: 1 << 20, MaxTargetLen: 1 << 20, MaxMethodLen: 1 << 16}

// errHeadOnly reports that the head is complete but the body is not.
var errHeadOnly = errors.New("conformance: body incomplete")

// frameOne frames the message at the start of b strictly. It returns the
// message and its length; or, with an incomplete message, parser.ErrNeedMore
// (no head yet) or errHeadOnly (m holds the head); or a *parser.Error whose
// Offset is relative to b (m holds the head when the body was at fault).
func frameOne(b []byte) (m Message, n int, err error) {
	var p parser.Parser
	p.Limits = frameLimits
	var req parser.Request
	hn, err := p.Parse(b, &req)
	if err != nil {
		return m, 0, err
	}
	m = messageOf(&req, b[:hn])
	m.HeadEnd = hn
	switch req.Framing {
	case parser.FramingNone:
		m.Framing = "none"
		m.End = hn
	case parser.FramingLength:
		m.Framing = "content-length"
		m.BodyLen = req.ContentLength
		if int64(len(b)-hn) < req.ContentLength {
			return m, 0, errHeadOnly
		}
		m.End = hn + int(req.ContentLength)
		m.Body = append([]byte(nil), b[hn:hn+int(min(req.ContentLength, maxMessageBody))]...)
	case parser.FramingChunked:
		m.Framing = "chunked"
		var d parser.ChunkedDecoder
		i := hn
		for {
			c, data, done, derr := d.Decode(b[i:])
			if derr != nil {
				var pe *parser.Error
				if errors.As(derr, &pe) {
					e := *pe
					e.Offset += hn
					return m, 0, &e
				}
				return m, 0, derr
			}
			if room := maxMessageBody - len(m.Body); room > 0 && len(data) > 0 {
				m.Body = append(m.Body, data[:min(len(data), room)]...)
			}
			m.BodyLen += int64(len(data))
			i += c
			if done {
				break
			}
			if c == 0 || i >= len(b) {
				return m, 0, errHeadOnly
			}
		}
		m.End = i
	}
	return m, m.End, nil
}

// messageOf copies what the judge needs out of a parsed head (views into
// the stream) so it outlives the buffer.
func messageOf(req *parser.Request, head []byte) Message {
	m := Message{
		Method:    string(req.Method),
		Target:    string(req.Target),
		Proto:     "HTTP/" + strconv.Itoa(int(req.Version.Major)) + "." + strconv.Itoa(int(req.Version.Minor)),
		KeepAlive: req.KeepAlive,
		Expect100: req.Expect100,
	}
	// Leading empty lines are part of HeadLen; the message starts after them.
	for m.Start+1 < len(head) && head[m.Start] == '\r' && head[m.Start+1] == '\n' {
		m.Start += 2
	}
	switch req.Form {
	case parser.FormOrigin, parser.FormAbsolute:
		m.Path = string(req.Path)
		if m.Path == "" {
			m.Path = "/"
		}
		if req.Query != nil {
			m.Path += "?" + string(req.Query)
		}
	default:
		m.Path = m.Target
	}
	for _, f := range req.Fields() {
		m.Fields = append(m.Fields, [2]string{string(f.Name), string(f.Value)})
	}
	return m
}
