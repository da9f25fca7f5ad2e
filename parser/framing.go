package parser

import (
	"bytes"
	"encoding/binary"
	"math"
)

// headState collects what the framing-relevant fields say while the field
// lines are parsed; finish turns it into the Request's decisions.
type headState struct {
	hosts   int
	host    []byte
	hostOff int

	clSeen bool
	cl     int64
	clOff  int
	clText []byte // the first value's digits, as sent

	teSeen    bool
	teChunked int  // how many times chunked appears
	teLast    bool // the last coding seen so far is chunked
	teOther   bool // some coding other than chunked appears
	teOff     int

	connClose, connKeepAlive bool
	expect100, expectOther   bool
}

// Field names and option values are compared a word at a time, with bit
// 5 of every byte set on both sides (fold). For a tchar byte b, and for
// any byte of a validated field value (no CTL), b|0x20 equals a lowercase
// letter only for that letter and its uppercase, and equals '-' only for
// '-' itself (its other preimage is CR), so the compares are exact
// case-insensitive matches (RFC 9110 §5.1, §7.6.1).
const fold4, fold8 = 0x20202020, 0x2020202020202020

func word4(s string) uint32 { return binary.LittleEndian.Uint32([]byte(s)) }
func word8(s string) uint64 { return binary.LittleEndian.Uint64([]byte(s)) }

var (
	wHost                = word4("host")
	wExpe, wPect         = word4("expe"), word4("pect")
	wConnecti, wTion     = word8("connecti"), word4("tion")
	wContent_, wT_length = word8("content-"), word8("t-length")
	wTransfer, w_encodin = word8("transfer"), word8("-encodin")
	wKeep_ali, wLive     = word8("keep-ali"), word4("live")
	wClos                = word4("clos")
)

func load4(b []byte, k int) uint32 { return binary.LittleEndian.Uint32(b[k:]) | fold4 }
func load8(b []byte, k int) uint64 { return binary.LittleEndian.Uint64(b[k:]) | fold8 }

// look passes f to field when its name has one of the lengths field
// knows; it is small enough to inline, so the other lines cost no call.
func (st *headState) look(f *Field, off int) *Error {
	switch len(f.Name) {
	case 4, 6, 10, 14, 17:
		return st.field(f, off)
	}
	return nil
}

// field looks at one field line; only the few names that decide framing,
// routing and persistence are recognised (by length first).
func (st *headState) field(f *Field, off int) *Error {
	n := f.Name
	switch len(n) {
	case 4:
		if load4(n, 0) == wHost {
			return st.hostField(f.Value, off)
		}
	case 6:
		if load4(n, 0) == wExpe && load4(n, 2) == wPect {
			st.expect(f.Value)
		}
	case 10:
		if load8(n, 0) == wConnecti && load4(n, 6) == wTion {
			st.connection(f.Value)
		}
	case 14:
		if load8(n, 0) == wContent_ && load8(n, 6) == wT_length {
			return st.contentLength(f.Value, off)
		}
	case 17:
		if load8(n, 0) == wTransfer && load8(n, 8) == w_encodin && n[16]|0x20 == 'g' {
			return st.transferEncoding(f.Value, off)
		}
	}
	return nil
}

// hostField checks one Host line. RFC 9112 §3.2: a server must answer 400
// to a request with more than one Host line or an invalid Host value.
func (st *headState) hostField(v []byte, off int) *Error {
	st.hosts++
	if st.hosts > 1 {
		return errBad("duplicate_host", off)
	}
	if !validHost(v) {
		return errBad("invalid_host", off)
	}
	st.host, st.hostOff = v, off
	return nil
}

func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// contentLength parses Content-Length = 1*DIGIT (RFC 9110 §8.6). A comma
// list of identical values, or identical repeated lines, collapse to one
// value; differing values are an unrecoverable framing error (RFC 9112
// §6.3 item 5), and so is anything that is not a plain decimal number
// (sign, hex, inner spaces, empty) or one that overflows int64. Repeated
// values must repeat the same digits: "43" beside "043" is refused, since
// a recipient that reads a leading zero as octal would frame the body
// differently (§8.6 lets a recipient reject such a list).
func (st *headState) contentLength(v []byte, off int) *Error {
	i := 0
	for {
		start := i
		var n int64
		for i < len(v) && v[i]-'0' < 10 {
			d := int64(v[i] - '0')
			if n > (math.MaxInt64-d)/10 {
				return errBad("invalid_content_length", off)
			}
			n = n*10 + d
			i++
		}
		if i == start {
			return errBad("invalid_content_length", off)
		}
		if st.clSeen && (n != st.cl || !bytes.Equal(v[start:i], st.clText)) {
			return errBad("conflicting_content_length", off)
		}
		st.clSeen, st.cl, st.clOff, st.clText = true, n, off, v[start:i]
		for i < len(v) && isOWS(v[i]) {
			i++
		}
		if i == len(v) {
			return nil
		}
		if v[i] != ',' {
			return errBad("invalid_content_length", off)
		}
		i++
		for i < len(v) && isOWS(v[i]) {
			i++
		}
	}
}

// transferEncoding parses Transfer-Encoding = #transfer-coding (RFC 9112
// §6.1, RFC 9110 §10.1.4): comma-separated tokens with optional
// parameters, case-insensitive; empty list elements are ignored (RFC 9110
// §5.6.1) but a value with no coding at all is an error. Several lines
// form one list. The decision is taken in finish, once all lines are in.
func (st *headState) transferEncoding(v []byte, off int) *Error {
	st.teSeen, st.teOff = true, off
	codings := 0
	i := 0
	for i < len(v) {
		if isOWS(v[i]) || v[i] == ',' {
			i++
			continue
		}
		start := i
		for i < len(v) && isTchar(v[i]) {
			i++
		}
		if i == start {
			return errBad("invalid_transfer_encoding", off)
		}
		chunked := equalFold(v[start:i], "chunked")
		for i < len(v) && isOWS(v[i]) {
			i++
		}
		if i < len(v) && v[i] == ';' {
			// RFC 9112 §7: chunked has no parameters; a recipient should
			// treat them as an error. Other codings' parameters are
			// skipped: those codings are refused anyway.
			if chunked {
				return errBad("chunked_with_params", off)
			}
			for i < len(v) && v[i] != ',' {
				i++
			}
		}
		if i < len(v) && v[i] != ',' {
			return errBad("invalid_transfer_encoding", off)
		}
		codings++
		if chunked {
			st.teChunked++
		} else {
			st.teOther = true
		}
		st.teLast = chunked
	}
	if codings == 0 {
		return errBad("invalid_transfer_encoding", off)
	}
	return nil
}

// connection reads the Connection options (RFC 9110 §7.6.1) that decide
// persistence (RFC 9112 §9.3, §9.6).
func (st *headState) connection(v []byte) {
	// The usual values, whole: "keep-alive", "close".
	switch {
	case len(v) == 10 && load8(v, 0) == wKeep_ali && load4(v, 6) == wLive:
		st.connKeepAlive = true
		return
	case len(v) == 5 && load4(v, 0) == wClos && v[4]|0x20 == 'e':
		st.connClose = true
		return
	}
	for len(v) > 0 {
		var e []byte
		e, v = nextElement(v)
		switch {
		case equalFold(e, "close"):
			st.connClose = true
		case equalFold(e, "keep-alive"):
			st.connKeepAlive = true
		}
	}
}

// nextElement splits the first element off a comma list, OWS trimmed
// (RFC 9110 §5.6.1); e is empty for an empty element.
func nextElement(v []byte) (e, rest []byte) {
	i := 0
	for i < len(v) && v[i] != ',' {
		i++
	}
	e, rest = v[:i], v[i:]
	if len(rest) > 0 {
		rest = rest[1:]
	}
	for len(e) > 0 && isOWS(e[0]) {
		e = e[1:]
	}
	for len(e) > 0 && isOWS(e[len(e)-1]) {
		e = e[:len(e)-1]
	}
	return e, rest
}

// expect reads Expect (RFC 9110 §10.1.1): 100-continue, case-insensitive;
// anything else is remembered so the server may answer 417.
func (st *headState) expect(v []byte) {
	if len(v) == 0 {
		st.expectOther = true
	}
	for len(v) > 0 {
		var e []byte
		e, v = nextElement(v)
		switch {
		case len(e) == 0:
		case equalFold(e, "100-continue"):
			st.expect100 = true
		default:
			st.expectOther = true
		}
	}
}

// finish applies the whole-head rules once the empty line is reached
// (off is its offset) and fills req's decisions.
func (st *headState) finish(req *Request, rl *requestLine, off int) *Error {
	http11 := req.Version.Minor >= 1 // Major is 1 here

	// RFC 9112 §3.2: an HTTP/1.1 request without Host gets 400.
	if http11 && st.hosts == 0 {
		return errBad("missing_host", off)
	}
	// §3.2.2: with absolute-form the target's authority is the one in
	// effect and Host is ignored (but was still validated above).
	// For CONNECT, the authority-form target is the authority.
	if rl.authority != nil {
		req.Host = rl.authority
	} else {
		req.Host = st.host
	}

	switch {
	case st.teSeen:
		// §6.1: a request with both is a smuggling attempt or broken; we
		// reject it (the server then closes, as §6.1 requires).
		if st.clSeen {
			return errBad("cl_and_te", max(st.teOff, st.clOff))
		}
		// §6.1: TE in an HTTP/1.0 request means faulty framing.
		if !http11 {
			return errBad("te_in_http10", st.teOff)
		}
		// §6.3 item 4 and §7: chunked must be the final coding, applied once.
		if st.teChunked != 1 || !st.teLast {
			return errBad("chunked_not_final", st.teOff)
		}
		// §6.1 / RFC 9110 §15.6.2: we decode no other coding → 501.
		if st.teOther {
			return errStatus(501, "unsupported_transfer_coding", st.teOff)
		}
		req.Framing = FramingChunked
	case st.clSeen:
		req.Framing, req.ContentLength = FramingLength, st.cl
	default:
		req.Framing = FramingNone // §6.3 item 7: no body
	}

	// §9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive".
	if http11 {
		req.KeepAlive = !st.connClose
		// RFC 9110 §10.1.1: a 1.0 request's 100-continue is ignored.
		req.Expect100, req.ExpectOther = st.expect100, st.expectOther
	} else {
		req.KeepAlive = st.connKeepAlive && !st.connClose
	}
	return nil
}
