package parser

import "bytes"

// Default limits (see Limits).
const (
	defaultMaxHeadBytes = 16384
	defaultMaxTargetLen = 8192
	defaultMaxMethodLen = 32
)

// limits are the effective Limits with defaults filled in.
type limits struct{ head, fields, target, method int }

func (p *Parser) limits() limits {
	l := limits{defaultMaxHeadBytes, MaxFields, defaultMaxTargetLen, defaultMaxMethodLen}
	if v := p.Limits.MaxHeadBytes; v > 0 {
		l.head = v
	}
	if v := p.Limits.MaxFields; v > 0 && v < MaxFields {
		l.fields = v
	}
	if v := p.Limits.MaxTargetLen; v > 0 {
		l.target = v
	}
	if v := p.Limits.MaxMethodLen; v > 0 {
		l.method = v
	}
	return l
}

// errNeedMore is ErrNeedMore as an *Error-typed sentinel for the line
// scanners; Parse turns it back into ErrNeedMore.
var errNeedMore = &Error{Reason: "need_more"}

// Parse parses one request head at the start of buf into req.
//
// It returns (n, nil) with n = req.HeadLen when the head is complete; bytes
// after n (body or pipelined requests) are untouched. It returns
// (0, ErrNeedMore) when buf holds only a valid prefix of a head, and
// (0, *Error) for a rejection; in both cases req holds no request (its
// exported fields are zero). After ErrNeedMore the next call must pass the
// same bytes extended with the newly read ones (the slice may have moved).
// Parse resets the Parser after a complete head or a rejection.
func (p *Parser) Parse(buf []byte, req *Request) (int, error) {
	if p.scanned > len(buf) || p.lineStart > len(buf) {
		p.Reset() // not an extension of the last buffer: start over
	}
	lim := p.limits()
	var (
		n   int
		err *Error
	)
	if p.scanned > 0 && bytes.IndexByte(buf[p.scanned:], '\n') < 0 {
		// No line completed since the last call: only the incomplete last
		// line grew, look at the new bytes alone.
		err = p.partial(buf, lim)
	} else {
		n, err = p.parse(buf, req, lim)
	}
	if err != nil {
		req.reset()
		if err == errNeedMore {
			return 0, ErrNeedMore
		}
		p.Reset()
		return 0, err
	}
	p.Reset()
	return n, nil
}

// reset clears what a caller can see, so no partial state leaks. It
// zeroes field by field: copying a whole Request would move the 4.8 KB
// field array.
func (r *Request) reset() {
	r.Method, r.Target, r.Path, r.Query, r.Host = nil, nil, nil, nil, nil
	r.Form, r.Version = 0, Version{}
	r.Framing, r.ContentLength = 0, 0
	r.KeepAlive, r.Expect100, r.ExpectOther = false, false, false
	r.HeadLen, r.nfields = 0, 0
}

// parse runs the full head grammar from the start of buf (after the
// leading empty lines already skipped). Every check reports the first
// problem in byte order, and the incomplete last line is examined by the
// same functions as a complete one, so the outcome for a prefix never
// contradicts the outcome for the whole head.
func (p *Parser) parse(buf []byte, req *Request, lim limits) (int, *Error) {
	req.reset()
	i := p.lead
	// RFC 9112 §2.2: a server ought to ignore at least one empty line
	// received before the request-line. We skip any number, bounded by the
	// head limit, and still require each to be CRLF.
	for i+1 < len(buf) && buf[i] == '\r' && buf[i+1] == '\n' {
		i += 2
		if i > lim.head {
			return 0, errStatus(431, "head_too_large", lim.head)
		}
	}
	p.lead = i

	var rl requestLine
	next := fastRequestLine(buf, i, lim, &rl)
	if next == 0 {
		var err *Error
		rl, next, err = scanRequestLine(buf, i, lim)
		if err != nil {
			if err == errNeedMore {
				p.wait(buf, i, 0)
			}
			return 0, err
		}
	}
	req.Method, req.Target, req.Form, req.Version = rl.method, rl.target, rl.form, rl.version
	req.Path, req.Query = rl.path, rl.query

	var st headState
	nf := 0
	j := next
	w := buf[:min(len(buf), lim.head)]
	for {
		// The usual line, screened a block at a time (fieldLine); the
		// byte loops below take everything else, and accept these lines
		// with the same result.
		if nf < lim.fields && j < len(w) {
			if ne, vs, ve, nx := fieldLine(w[j:]); nx > 0 {
				f := &req.fields[nf]
				f.Name, f.Value = buf[j:j+ne], buf[j+vs:j+ve]
				nf++
				if err := st.look(f, j); err != nil {
					return 0, err
				}
				j += nx
				continue
			}
		}
		// The usual line starts with a name byte: skip lineStart's checks.
		var (
			end bool
			err *Error
		)
		if j >= len(buf) || charClass[buf[j]]&cTchar == 0 || nf == lim.fields {
			end, err = lineStart(buf, j, nf, lim)
		}
		if err != nil {
			if err == errNeedMore {
				p.wait(buf, j, nf+1)
			}
			return 0, err
		}
		if end {
			// RFC 9112 §2.1: the head ends with an empty line (CRLF).
			req.nfields = nf
			if err := st.finish(req, &rl, j); err != nil {
				return 0, err
			}
			req.HeadLen = j + 2
			return j + 2, nil
		}
		f := &req.fields[nf]
		next, err := scanField(buf, j, lim.head, f)
		if err != nil {
			if err == errNeedMore {
				p.wait(buf, j, nf+1)
			}
			return 0, err
		}
		nf++
		if err := st.look(f, j); err != nil {
			return 0, err
		}
		j = next
	}
}

// lineStart checks the first byte of the line at j that follows the
// request-line (nf field lines before it). end reports the empty line that
// ends the head.
func lineStart(buf []byte, j, nf int, lim limits) (end bool, err *Error) {
	if j >= len(buf) {
		return false, needOrLimit(buf, lim.head)
	}
	switch buf[j] {
	case '\r':
		if j+1 >= len(buf) {
			return false, needOrLimit(buf, lim.head)
		}
		if buf[j+1] != '\n' {
			return false, errBad("bare_cr", j)
		}
		if j+2 > lim.head {
			return false, errStatus(431, "head_too_large", lim.head)
		}
		return true, nil
	case '\n':
		// §2.2: strict profile, a bare LF does not end a line.
		return false, errBad("bare_lf", j)
	case ' ', '\t':
		// §2.2: a whitespace-led line right after the request-line must
		// be rejected or ignored; §5.2: obs-fold is rejected (400).
		if nf == 0 {
			return false, errBad("leading_whitespace", j)
		}
		return false, errBad("obs_fold", j)
	}
	if nf == lim.fields {
		return false, errStatus(431, "too_many_fields", j)
	}
	return false, nil
}

// needOrLimit is the answer when a scan runs out of bytes: wait for more,
// unless the head already exceeds its limit.
func needOrLimit(buf []byte, head int) *Error {
	if len(buf) > head {
		return errStatus(431, "head_too_large", head)
	}
	return errNeedMore
}

// wait records the incomplete line at start (line 0 is the request-line,
// n the n-th field line) after a scan examined all of buf.
func (p *Parser) wait(buf []byte, start, line int) {
	p.lineStart, p.line = start, line
	p.scanned = len(buf)
	if p.scanned > start && buf[p.scanned-1] == '\r' {
		p.scanned-- // look at that CR again once its successor arrives
	}
	// The line was scanned without error, so its first ':' (if any) ends
	// the name.
	seg := buf[start:p.scanned]
	p.inValue = line > 0 && bytes.IndexByte(seg, ':') >= 0
	if line == 0 {
		// Likewise its single-SP separators say which part we are in.
		p.rlPhase, p.rlMark = 0, start
		if a := bytes.IndexByte(seg, ' '); a >= 0 {
			p.rlPhase, p.rlMark = 1, start+a+1
			if b := bytes.IndexByte(seg[a+1:], ' '); b >= 0 {
				p.rlPhase, p.rlMark = 2, start+a+1+b+1
			}
		}
	}
}

// partial handles a call that brings no new LF: the incomplete last line
// buf[p.lineStart:] grew. The line is scanned on from where the last call
// stopped, and at the first unexpected byte the line's own scanner runs
// over the whole line to report the first problem in byte order, exactly
// as a whole-buffer parse would.
func (p *Parser) partial(buf []byte, lim limits) *Error {
	s := p.lineStart
	if p.line == 0 {
		return p.requestLinePartial(buf, lim)
	}
	k := p.scanned
	ok := len(buf) <= lim.head
	if ok && k == s && k < len(buf) {
		switch c := buf[k]; {
		case c == '\r' && k+1 == len(buf):
			return errNeedMore // maybe the CRLF that ends the head
		case c == ' ' || c == '\t' || c == '\r' || p.line > lim.fields:
			ok = false
		}
	}
	if ok && !p.inValue {
		for k < len(buf) && isTchar(buf[k]) {
			k++
		}
		if k < len(buf) {
			if buf[k] == ':' && k > s {
				p.inValue = true
				k++
			} else {
				ok = false
			}
		}
	}
	if ok && p.inValue {
		for k < len(buf) && charClass[buf[k]]&cValue != 0 {
			k++
		}
		if k < len(buf) && (buf[k] != '\r' || k+1 < len(buf)) {
			ok = false
		}
	}
	if !ok {
		end, err := lineStart(buf, s, p.line-1, lim)
		if err == nil && !end {
			var f Field
			_, err = scanField(buf, s, lim.head, &f)
		}
		if err != errNeedMore {
			return err
		}
		p.wait(buf, s, p.line)
		return errNeedMore
	}
	p.scanned = k // len(buf), or a final CR to look at again
	return errNeedMore
}

// requestLinePartial is partial for the request-line: method and target
// bytes are checked as they arrive; anything else (a separator in the
// wrong place, a limit reached, the few version bytes) makes the full
// request-line scanner run again.
func (p *Parser) requestLinePartial(buf []byte, lim limits) *Error {
	s := p.lineStart
	k := p.scanned
	ok := len(buf) <= lim.head
	for ok && k < len(buf) {
		c := buf[k]
		switch {
		case c == '\r' && k+1 == len(buf) && p.rlPhase < 2:
			p.scanned = k // look at it again with its successor
			return errNeedMore
		case p.rlPhase == 0 && isTchar(c) && k+1-p.rlMark <= lim.method:
		case p.rlPhase == 1 && charClass[c]&cTarget != 0 && k+1-p.rlMark <= lim.target:
		case p.rlPhase < 2 && c == ' ' && k > p.rlMark:
			p.rlPhase, p.rlMark = p.rlPhase+1, k+1
		default:
			ok = false
			continue
		}
		k++
	}
	if !ok {
		_, _, err := scanRequestLine(buf, s, lim)
		if err == errNeedMore {
			p.wait(buf, s, 0)
		}
		return err
	}
	p.scanned = k
	return errNeedMore
}
