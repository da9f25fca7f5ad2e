package parser

// parseField parses one field line (without its CRLF):
// field-line = field-name ":" OWS field-value OWS (RFC 9112 §5). It
// reports the first error in byte order.
func parseField(line []byte, base int) (Field, *Error) {
	// RFC 9110 §5.1: field-name = token, non-empty.
	i := 0
	for i < len(line) && isTchar(line[i]) {
		i++
	}
	if i == len(line) {
		return Field{}, errBad("missing_colon", base+i)
	}
	if c := line[i]; c != ':' {
		// RFC 9112 §5.1: no whitespace is allowed between the name and the
		// colon; a server must reject such a line with 400 (it is a
		// smuggling gadget).
		if (c == ' ' || c == '\t') && i > 0 {
			return Field{}, errBad("space_before_colon", base+i)
		}
		return Field{}, lineErr(line, i, base, "invalid_field_name")
	}
	if i == 0 {
		return Field{}, errBad("invalid_field_name", base)
	}
	name := line[:i]

	// RFC 9112 §5.1: OWS before and after the value is not part of it.
	j := i + 1
	for j < len(line) && (line[j] == ' ' || line[j] == '\t') {
		j++
	}
	// RFC 9110 §5.5: field-value = *field-content, made of VCHAR,
	// obs-text, SP and HTAB; CR, LF, NUL and other CTLs must be rejected.
	if k := scanValue(line[j:]); k >= 0 {
		return Field{}, lineErr(line, j+k, base, "bad_field_value")
	}
	end := len(line)
	for end > j && (line[end-1] == ' ' || line[end-1] == '\t') {
		end--
	}
	return Field{Name: name, Value: line[j:end]}, nil
}

// scanValue returns the index of the first byte of v not allowed in a
// field value, or -1.
func scanValue(v []byte) int {
	i := 0
	for i < len(v) {
		if i+8 <= len(v) && allValue8(v[i:]) {
			i += 8
			continue
		}
		if charClass[v[i]]&cValue == 0 {
			return i
		}
		i++
	}
	return -1
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
