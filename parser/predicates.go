package parser

// Exported byte predicates: the one home of the HTTP grammar's byte
// classes for every package above the parser (the engine, the file
// handler, configuration), as x/net's httpguts is for net/http. They read
// the same charClass table the parser uses, which tables_test.go checks
// byte by byte against oracles written from the ABNF.

// IsUnreserved reports whether c is an unreserved URI byte (RFC 3986
// §2.3): ALPHA, DIGIT, "-", ".", "_" or "~".
func IsUnreserved(c byte) bool { return charClass[c]&cUnreserved != 0 }

// ValidToken reports whether s is a token (RFC 9110 §5.6.2): one or more
// tchar. Field names and method names are tokens.
func ValidToken[S ~string | ~[]byte](s S) bool {
	if len(s) == 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if charClass[s[i]]&cTchar == 0 {
			return false
		}
	}
	return true
}

// ValidFieldValue reports whether s may be sent as a field value (RFC
// 9110 §5.5): visible ASCII, obs-text, SP and HTAB only (so never CR, LF
// or NUL, which would split a message, RFC 9112 §11.1), and no
// whitespace at either end (OWS around a value is not part of it). The
// empty value is valid.
func ValidFieldValue[S ~string | ~[]byte](s S) bool {
	for i := 0; i < len(s); i++ {
		if charClass[s[i]]&cValue == 0 {
			return false
		}
	}
	if n := len(s); n > 0 && (isOWS(s[0]) || isOWS(s[n-1])) {
		return false
	}
	return true
}

// EqualFold reports whether a and b are equal under ASCII case folding
// (A-Z only, as field names and tokens are compared, RFC 9110 §5.1);
// other bytes must match exactly.
func EqualFold[A ~string | ~[]byte, B ~string | ~[]byte](a A, b B) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}
