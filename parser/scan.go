package parser

// fieldLineGeneric is the portable fieldLine and the reference the
// assembly version is tested against.
func fieldLineGeneric(b []byte) (nameEnd, valueStart, valueEnd, next int) {
	n := 0
	for n < len(b) && isNameFast(b[n]) {
		n++
	}
	if n == 0 || n == len(b) || b[n] != ':' {
		return 0, 0, 0, 0
	}
	e := n + 1
	for e < len(b) && b[e] >= 0x20 && b[e] != 0x7f {
		e++
	}
	if e+1 >= len(b) || b[e] != '\r' || b[e+1] != '\n' {
		return 0, 0, 0, 0
	}
	vs, ve := n+1, e
	for vs < ve && b[vs] == ' ' {
		vs++
	}
	for ve > vs && b[ve-1] == ' ' {
		ve--
	}
	return n, vs, ve, e + 2
}

// isNameFast reports the field-name bytes the fast path takes: ALPHA,
// DIGIT and "-" (RFC 9110 §5.6.2 tchar has more; those go the table way).
func isNameFast(c byte) bool {
	return c|0x20-'a' < 26 || c-'0' < 10 || c == '-'
}

// targetScanGeneric is the portable targetScan: the exact length of the
// run of cTarget bytes at the start of b (scanTarget, eight bytes a step).
func targetScanGeneric(b []byte) int {
	if k := scanTarget(b); k >= 0 {
		return k
	}
	return len(b)
}
