package parser

import "math/bits"

// scanField scans the field line at buf[j:] (its first byte already
// checked by lineStart) into f and returns the start of the next line:
// field-line = field-name ":" OWS field-value OWS, then CRLF (RFC 9112
// §5, §2.1). One forward pass validates the bytes and finds the line end.
// It reports the first problem in byte order; the head limit counts as a
// problem at byte offset head; errNeedMore when buf ends first.
func scanField(buf []byte, j, head int, f *Field) (int, *Error) {
	w := buf
	if len(w) > head {
		w = w[:head]
	}
	if j >= len(w) {
		return 0, needOrLimit(buf, head)
	}
	// RFC 9110 §5.1: field-name = token, non-empty.
	k := j
	for k+4 <= len(w) && isTchar(w[k]) && isTchar(w[k+1]) && isTchar(w[k+2]) && isTchar(w[k+3]) {
		k += 4
	}
	for k < len(w) && isTchar(w[k]) {
		k++
	}
	if k == len(w) {
		return 0, needOrLimit(buf, head)
	}
	if c := w[k]; c != ':' || k == j {
		switch {
		case c == '\r':
			if k+1 >= len(buf) {
				return 0, needOrLimit(buf, head)
			}
			if buf[k+1] == '\n' {
				return 0, errBad("missing_colon", k)
			}
			return 0, errBad("bare_cr", k)
		case c == '\n':
			return 0, errBad("bare_lf", k)
		case (c == ' ' || c == '\t') && k > j:
			// RFC 9112 §5.1: no whitespace is allowed between the name
			// and the colon; a server must reject it with 400 (it is a
			// smuggling gadget).
			return 0, errBad("space_before_colon", k)
		}
		return 0, errBad("invalid_field_name", k)
	}
	f.Name = buf[j:k]

	// RFC 9112 §5.1: OWS before and after the value is not part of it.
	v := k + 1
	for v < len(w) && (w[v] == ' ' || w[v] == '\t') {
		v++
	}
	vs := v
	// RFC 9110 §5.5: field-value = *field-content, made of VCHAR,
	// obs-text, SP and HTAB; CR, LF, NUL and other CTLs must be rejected.
	for {
		// Long values: 32 bytes per step, one bounds check for the four
		// words (a re-slice of constant length lets the compiler drop the
		// per-word checks).
		for v+32 <= len(w) {
			s := w[v : v+32 : v+32]
			if valueMask8(s[0:8])|valueMask8(s[8:16])|valueMask8(s[16:24])|valueMask8(s[24:32]) != 0 {
				break
			}
			v += 32
		}
		if v+8 <= len(w) {
			// Eight bytes at a time; the lowest flagged byte is exactly
			// the first one that is not SP/VCHAR/obs-text.
			if m := valueMask8(w[v:]); m != 0 {
				v += bits.TrailingZeros64(m) >> 3
			} else {
				v += 8
				continue
			}
		} else {
			for v < len(w) && charClass[w[v]]&cValue != 0 && w[v] != '\t' {
				v++
			}
			if v == len(w) {
				return 0, needOrLimit(buf, head)
			}
		}
		switch c := w[v]; c {
		case '\t':
			v++
			continue
		case '\r':
			if v+1 >= len(buf) {
				return 0, needOrLimit(buf, head)
			}
			if buf[v+1] != '\n' {
				return 0, errBad("bare_cr", v)
			}
			end := v
			for end > vs && (buf[end-1] == ' ' || buf[end-1] == '\t') {
				end--
			}
			f.Value = buf[vs:end]
			return v + 2, nil
		case '\n':
			// §2.2: strict profile, a bare LF does not end a line.
			return 0, errBad("bare_lf", v)
		}
		if w[v] >= 0x80 {
			// obs-text the word screen flags for speed (0x80-0x9F, 0xFF):
			// allowed in a value (RFC 9110 §5.5).
			v++
			continue
		}
		return 0, errBad("bad_field_value", v)
	}
}

// Header returns the value of the first field named name (ASCII
// case-insensitive, RFC 9110 §5.1), or nil, false. It does not allocate.
func (r *Request) Header(name string) ([]byte, bool) {
	for i := 0; i < r.nfields; i++ {
		n := r.fields[i].Name
		if len(n) != len(name) {
			continue
		}
		k := 0
		for k < len(n) && lower(n[k]) == lower(name[k]) {
			k++
		}
		if k == len(n) {
			return r.fields[i].Value, true
		}
	}
	return nil, false
}
