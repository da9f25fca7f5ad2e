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
		err error
	)
	if p.scanned > 0 && bytes.IndexByte(buf[p.scanned:], '\n') < 0 {
		// No line completed since the last call: only the incomplete last
		// line grew, look at the new bytes alone.
		err = p.partial(buf, lim)
	} else {
		n, err = p.parse(buf, req, lim)
	}
	if err != nil {
		if err != ErrNeedMore {
			p.Reset()
		}
		req.reset()
		return 0, err
	}
	p.Reset()
	return n, nil
}

// reset clears what a caller can see, so no partial state leaks.
func (r *Request) reset() {
	*r = Request{fields: r.fields} // keeps the array; nfields = 0 hides it
}

// parse runs the full head grammar from the start of buf (after the
// leading empty lines already skipped).
func (p *Parser) parse(buf []byte, req *Request, lim limits) (int, error) {
	i := p.lead
	// RFC 9112 §2.2: a server ought to ignore at least one empty line
	// received before the request-line. We skip any number, bounded by the
	// head limit, and still require each to be CRLF.
	for i < len(buf) && (buf[i] == '\r' || buf[i] == '\n') {
		if buf[i] == '\n' {
			return 0, errBad("bare_lf", i)
		}
		if i+1 == len(buf) {
			break // a CR at the end: wait for its LF
		}
		if buf[i+1] != '\n' {
			return 0, errBad("bare_cr", i)
		}
		i += 2
		if i > lim.head {
			return 0, errStatus(431, "head_too_large", lim.head)
		}
	}
	p.lead = i

	// RFC 9112 §3: request-line = method SP request-target SP HTTP-version,
	// ended by CRLF.
	lf := bytes.IndexByte(buf[i:], '\n')
	if lf < 0 {
		return 0, p.needMore(buf, i, 0, lim)
	}
	e := i + lf
	ce := e
	if e > i && buf[e-1] == '\r' {
		ce = e - 1
	}
	if err := lim.requestLine(buf[i:ce], i); err != nil {
		return 0, err
	}
	if e+1 > lim.head {
		return 0, errStatus(431, "head_too_large", lim.head)
	}
	rl, err := parseRequestLine(buf[i:ce], i)
	if err != nil {
		return 0, err
	}
	if ce == e {
		// §2.2: strict profile, a bare LF does not end a line.
		return 0, errBad("bare_lf", e)
	}
	req.Method, req.Target, req.Form, req.Version = rl.method, rl.target, rl.form, rl.version
	req.Path, req.Query = rl.path, rl.query

	var st headState
	nf := 0
	j := e + 1
	for {
		if j >= len(buf) {
			return 0, p.needMore(buf, j, nf+1, lim)
		}
		switch buf[j] {
		case '\r':
			if j+1 >= len(buf) {
				return 0, p.needMore(buf, j, nf+1, lim)
			}
			if buf[j+1] == '\n' {
				end := j + 2
				if end > lim.head {
					return 0, errStatus(431, "head_too_large", lim.head)
				}
				req.nfields = nf
				if err := st.finish(req, &rl, j); err != nil {
					return 0, err
				}
				req.HeadLen = end
				return end, nil
			}
			// A bare CR: the field-line check below reports it.
		case '\n':
			return 0, errBad("bare_lf", j)
		case ' ', '\t':
			return 0, wsLineError(nf, j)
		}
		lf := bytes.IndexByte(buf[j:], '\n')
		if lf < 0 {
			return 0, p.needMore(buf, j, nf+1, lim)
		}
		e := j + lf
		if e+1 > lim.head {
			return 0, errStatus(431, "head_too_large", lim.head)
		}
		ce := e
		if buf[e-1] == '\r' { // e > j: buf[j] is not LF
			ce = e - 1
		}
		f, err := parseField(buf[j:ce], j)
		if err != nil {
			return 0, err
		}
		if ce == e {
			return 0, errBad("bare_lf", e)
		}
		if nf == lim.fields {
			return 0, errStatus(431, "too_many_fields", j)
		}
		req.fields[nf] = f
		nf++
		if err := st.field(f, j); err != nil {
			return 0, err
		}
		j = e + 1
	}
}

// wsLineError is the error for a line that starts with SP or HTAB
// (RFC 9112 §2.2 right after the request-line, §5.2 obs-fold later).
func wsLineError(nf, off int) *Error {
	if nf == 0 {
		return errBad("leading_whitespace", off)
	}
	return errBad("obs_fold", off)
}

// needMore records where the incomplete last line starts and checks what
// can already be checked on it. line is 0 for the request-line, else the
// 1-based index of the field line.
func (p *Parser) needMore(buf []byte, start, line int, lim limits) error {
	p.lineStart, p.scanned, p.line = start, start, line
	return p.partial(buf, lim)
}

// partial checks the incomplete last line buf[p.lineStart:] (it holds no
// LF) looking only at bytes not examined before, and returns ErrNeedMore
// or the rejection. The checks and their order follow parse, so a split
// never accepts what the whole buffer rejects.
func (p *Parser) partial(buf []byte, lim limits) error {
	s := p.lineStart
	from := p.scanned
	if p.line > 0 && from == s && s < len(buf) {
		if c := buf[s]; c == ' ' || c == '\t' {
			return wsLineError(p.line-1, s)
		}
	}
	if p.line == 0 {
		line := buf[s:]
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		if err := lim.requestLine(line, s); err != nil {
			return err
		}
	}
	// §2.2: with no LF in the line, any CR that is not the last byte is a
	// bare CR; report the first error of the line up to it.
	if c := bytes.IndexByte(buf[from:], '\r'); c >= 0 && from+c+1 < len(buf) {
		c += from
		var err *Error
		if p.line == 0 {
			_, err = parseRequestLine(buf[s:c+1], s)
		} else {
			_, err = parseField(buf[s:c+1], s)
		}
		if err == nil {
			err = errBad("bare_cr", c)
		}
		return err
	}
	if len(buf) > lim.head {
		return errStatus(431, "head_too_large", lim.head)
	}
	p.scanned = len(buf)
	if p.scanned > 0 && buf[p.scanned-1] == '\r' {
		p.scanned-- // look at that CR again once its successor arrives
	}
	return ErrNeedMore
}
