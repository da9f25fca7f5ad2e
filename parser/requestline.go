package parser

import "bytes"

// requestLine is the result of parseRequestLine: views into the line.
type requestLine struct {
	method, target, path, query, authority []byte
	form                                   Form
	version                                Version
}

// lineErr builds a 400 for the byte at line[k] (base is the offset of
// line in the input). A CR found where another byte was expected can only
// be a bare CR (lines are split at LF and their final CR removed), so it
// is reported as such; that keeps the reason independent of how the input
// was split.
func lineErr(line []byte, k, base int, reason string) *Error {
	if k < len(line) && line[k] == '\r' {
		reason = "bare_cr"
	}
	return errBad(reason, base+k)
}

// requestLine applies the length limits of the request-line (RFC 9112
// §3: a server ought to answer 501 for a method longer than any it
// implements, 414 for a target longer than it is willing to interpret,
// RFC 9110 §15.5.15). A limit counts as a problem at the byte where it is
// exceeded, and only while the bytes before it are well-formed: a method of
// tchars longer than the limit, a target of allowed bytes longer than the
// limit. So the first problem in byte order wins, and line may be a prefix
// of the line without changing the verdict.
func (l limits) requestLine(line []byte, base int) *Error {
	k := 0
	for k < len(line) && k <= l.method && isTchar(line[k]) {
		k++
	}
	if k > l.method {
		return errStatus(501, "method_too_long", base+l.method)
	}
	if k == len(line) || line[k] != ' ' {
		return nil // the grammar judges it
	}
	ts := k + 1
	t := line[ts:]
	if len(t) > l.target {
		t = t[:l.target+1]
		if scanTarget(t) < 0 {
			return errStatus(414, "target_too_long", base+ts+l.target)
		}
	}
	return nil
}

// scanRequestLine scans the request-line at buf[i:] and returns it with
// the start of the next line, or errNeedMore while it is incomplete. It
// reports the first problem in byte order, looking at the bytes available
// whether or not the LF has arrived (so a slow sender of garbage is
// refused at once, and a prefix is never judged differently from the
// whole): length limits, grammar (a CR inside the line is a bare CR), the
// head limit, a bare LF, then what needs the whole line (missing version,
// target form).
func scanRequestLine(buf []byte, i int, lim limits) (requestLine, int, *Error) {
	var rl requestLine
	lf := bytes.IndexByte(buf[i:], '\n')
	line := buf[i:]
	if lf >= 0 {
		line = line[:lf]
	}
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	w := line
	if i+len(w) > lim.head {
		w = w[:lim.head-i]
	}
	if err := lim.requestLine(w, i); err != nil {
		return rl, 0, err
	}
	if _, err := parseRequestLine(w, i, false); err != nil {
		return rl, 0, err
	}
	if lf < 0 {
		return rl, 0, needOrLimit(buf, lim.head)
	}
	e := i + lf
	if e+1 > lim.head {
		return rl, 0, errStatus(431, "head_too_large", lim.head)
	}
	if i+len(line) == e {
		// §2.2: strict profile, a bare LF does not end a line.
		return rl, 0, errBad("bare_lf", e)
	}
	rl, err := parseRequestLine(line, i, true)
	if err != nil {
		return rl, 0, err
	}
	return rl, e + 1, nil
}

// parseRequestLine parses line (without its CRLF). It reports the first
// error in byte order. When complete is false, line may be a prefix of the
// line: only errors that no continuation can repair are reported, and the
// result has no views.
func parseRequestLine(line []byte, base int, complete bool) (requestLine, *Error) {
	var rl requestLine
	// RFC 9112 §3.1: method = token.
	i := 0
	for i < len(line) && isTchar(line[i]) {
		i++
	}
	switch {
	case i == len(line):
		if !complete {
			return rl, nil
		}
		return rl, errBad("invalid_request_line", base+i)
	case line[i] != ' ':
		if i > 0 && (line[i] == '\t' || line[i] == '\v' || line[i] == '\f') {
			// §3: the parts are separated by exactly one SP (strict
			// profile; splitting on other whitespace is only a MAY).
			return rl, errBad("invalid_request_line", base+i)
		}
		return rl, lineErr(line, i, base, "invalid_method")
	case i == 0:
		return rl, errBad("invalid_request_line", base)
	}

	// §3.2: request-target, visible ASCII only (strict profile), ended by
	// the single SP before the version.
	ts := i + 1
	te := len(line)
	if sp := bytes.IndexByte(line[ts:], ' '); sp >= 0 {
		te = ts + sp
	}
	if te == ts && (complete || ts < len(line)) {
		return rl, errBad("invalid_request_line", base+ts) // double SP or nothing
	}
	if k := scanTarget(line[ts:te]); k >= 0 {
		return rl, lineErr(line, ts+k, base, "invalid_target")
	}
	if te == len(line) {
		if !complete {
			return rl, nil
		}
		return rl, errBad("invalid_request_line", base+te) // no version
	}
	v, err := parseVersion(line[te+1:], base+te+1, complete)
	if err != nil || !complete {
		return requestLine{}, err
	}
	rl.method, rl.target, rl.version = line[:i], line[ts:te], v
	if err := classifyTarget(&rl, base+ts); err != nil {
		return rl, err
	}
	return rl, nil
}

// parseVersion checks HTTP-version = "HTTP/" DIGIT "." DIGIT, which is
// case-sensitive (RFC 9112 §2.3), byte by byte so that the first wrong byte
// is the one reported. Major 1 is served (minor 2-9 with 1.1 semantics,
// RFC 9110 §2.5); other majors get 505 (RFC 9110 §15.6.6).
func parseVersion(v []byte, base int, complete bool) (Version, *Error) {
	const pat = "HTTP/0.0"
	for k := 0; k < len(pat); k++ {
		if k >= len(v) {
			if !complete {
				return Version{}, nil
			}
			return Version{}, errBad("invalid_version", base+k)
		}
		c := v[k]
		if k == 5 || k == 7 {
			if c-'0' > 9 {
				return Version{}, lineErr(v, k, base, "invalid_version")
			}
		} else if c != pat[k] {
			return Version{}, lineErr(v, k, base, "invalid_version")
		}
	}
	if len(v) > len(pat) {
		return Version{}, lineErr(v, len(pat), base, "invalid_version")
	}
	if !complete {
		return Version{}, nil // a ninth byte would make it invalid_version
	}
	ver := Version{Major: v[5] - '0', Minor: v[7] - '0'}
	if ver.Major != 1 {
		return Version{}, errStatus(505, "version_not_supported", base+5)
	}
	return ver, nil
}

// classifyTarget finds the form of rl.target (RFC 9112 §3.2) and checks
// that it fits the method. off is the target's offset in the input.
func classifyTarget(rl *requestLine, off int) *Error {
	t := rl.target
	connect := string(rl.method) == "CONNECT"
	switch {
	case connect:
		// §3.2.3: CONNECT takes authority-form, uri-host ":" port, and
		// nothing else.
		if !validAuthorityForm(t) {
			return errBad("invalid_target", off)
		}
		rl.form, rl.authority = FormAuthority, t
	case t[0] == '/':
		// §3.2.1: origin-form = absolute-path [ "?" query ].
		rl.form = FormOrigin
		rl.path, rl.query = splitQuery(t)
	case len(t) == 1 && t[0] == '*':
		// §3.2.4: asterisk-form is only for a server-wide OPTIONS.
		if string(rl.method) != "OPTIONS" {
			return errBad("asterisk_form_not_options", off)
		}
		rl.form = FormAsterisk
	default:
		// §3.2.2: absolute-form = absolute-URI; we serve http and https
		// (scheme is case-insensitive, RFC 3986 §3.1).
		n := schemeLen(t)
		if n == 0 {
			if validAuthorityForm(t) {
				return errBad("authority_form_not_connect", off)
			}
			return errBad("invalid_target", off)
		}
		rest := t[n:]
		a := len(rest)
		for k, c := range rest {
			if c == '/' || c == '?' {
				a = k
				break
			}
		}
		auth := rest[:a]
		// RFC 9110 §4.2.1-4.2.2: an http(s) URI with an empty host is
		// invalid; userinfo is refused by validHost.
		if len(auth) == 0 || !validHost(auth) || auth[0] == ':' {
			return errBad("invalid_target", off+n)
		}
		rl.form, rl.authority = FormAbsolute, auth
		rl.path, rl.query = splitQuery(rest[a:])
	}
	return nil
}

// schemeLen returns the length of a leading "http://" or "https://"
// (case-insensitive), or 0.
func schemeLen(t []byte) int {
	if len(t) >= 7 && equalFold(t[:7], "http://") {
		return 7
	}
	if len(t) >= 8 && equalFold(t[:8], "https://") {
		return 8
	}
	return 0
}

// splitQuery splits at the first '?': the query excludes it and is nil
// when there is no '?'.
func splitQuery(t []byte) (path, query []byte) {
	if q := bytes.IndexByte(t, '?'); q >= 0 {
		return t[:q], t[q+1:]
	}
	return t, nil
}

// scanTarget returns the index of the first byte of t that is not allowed
// in a request-target, or -1.
func scanTarget(t []byte) int {
	i := 0
	for ; i+8 <= len(t); i += 8 {
		if !target8(t[i:]) {
			break
		}
	}
	for ; i < len(t); i++ {
		if charClass[t[i]]&cTarget == 0 {
			return i
		}
	}
	return -1
}

// fastRequestLine is scanRequestLine for the common shape, in one forward
// pass: token SP visible-ASCII SP "HTTP/1." DIGIT CRLF, within the limits.
// It returns the start of the next line, or 0 when the line needs the
// careful path (anything unusual, incomplete or wrong); it accepts nothing
// that scanRequestLine would not accept with the same result.
func fastRequestLine(buf []byte, i int, lim limits, rl *requestLine) int {
	n := len(buf)
	k := i
	for k < n && isTchar(buf[k]) {
		k++
	}
	if k == i || k >= n || buf[k] != ' ' || k-i > lim.method {
		return 0
	}
	ts := k + 1
	t := ts + targetScan(buf[ts:])
	for t < n && charClass[buf[t]]&cTarget != 0 {
		t++
	}
	end := t + 11 // SP "HTTP/1.x" CRLF
	if t == ts || t-ts > lim.target || end > n || end > lim.head || buf[t] != ' ' {
		return 0
	}
	v := buf[t+1 : end]
	if string(v[:7]) != "HTTP/1." || v[7]-'0' > 9 || v[8] != '\r' || v[9] != '\n' {
		return 0
	}
	rl.method, rl.target, rl.version = buf[i:k], buf[ts:t], Version{Major: 1, Minor: v[7] - '0'}
	if classifyTarget(rl, ts) != nil {
		return 0
	}
	return end
}
