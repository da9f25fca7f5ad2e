package parser

import "bytes"

// validHost reports whether h is Host = uri-host [ ":" port ] (RFC 9110
// §7.2, RFC 3986 §3.2.2-3.2.3): a reg-name (unreserved, sub-delims and
// pct-encoded bytes; possibly empty) or an IP-literal in brackets, then an
// optional all-digit port. userinfo ("@"), "/", spaces and CTLs fail.
func validHost(h []byte) bool {
	if len(h) > 0 && h[0] == '[' {
		end := bytes.IndexByte(h, ']')
		if end < 0 || !validIPLiteral(h[1:end]) {
			return false
		}
		rest := h[end+1:]
		if len(rest) == 0 {
			return true
		}
		return rest[0] == ':' && allDigits(rest[1:])
	}
	host := h
	if c := bytes.IndexByte(h, ':'); c >= 0 {
		host = h[:c]
		if !allDigits(h[c+1:]) {
			return false
		}
	}
	return validRegName(host)
}

// validAuthorityForm reports whether t is authority-form = uri-host ":"
// port (RFC 9112 §3.2.3) with a non-empty host and port.
func validAuthorityForm(t []byte) bool {
	c := bytes.LastIndexByte(t, ':')
	if c <= 0 || c == len(t)-1 || (t[0] == '[' && t[c-1] != ']') {
		return false
	}
	return validHost(t)
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c-'0' > 9 {
			return false
		}
	}
	return true
}

// validRegName: reg-name = *( unreserved / pct-encoded / sub-delims ),
// pct-encoded = "%" HEXDIG HEXDIG (RFC 3986 §3.2.2, §2.1).
func validRegName(r []byte) bool {
	for i := 0; i < len(r); i++ {
		c := r[i]
		if regNameByte[c] {
			continue
		}
		if c != '%' || i+2 >= len(r) || !isHex(r[i+1]) || !isHex(r[i+2]) {
			return false
		}
		i += 2
	}
	return true
}

// regNameByte is cRegName without '%': the bytes that stand for
// themselves in a reg-name.
var regNameByte = func() (t [256]bool) {
	for c := range t {
		t[c] = charClass[c]&cRegName != 0 && c != '%'
	}
	return t
}()

// validIPLiteral checks the inside of "[...]": IPv6address or IPvFuture
// (RFC 3986 §3.2.2). An IPv6 zone is not allowed (RFC 6874 is not part of
// HTTP's grammar).
func validIPLiteral(b []byte) bool {
	if len(b) > 0 && (b[0] == 'v' || b[0] == 'V') {
		// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
		i := 1
		for i < len(b) && isHex(b[i]) {
			i++
		}
		if i == 1 || i >= len(b)-1 || b[i] != '.' {
			return false
		}
		for _, c := range b[i+1:] {
			if c != ':' && (charClass[c]&cRegName == 0 || c == '%') {
				return false
			}
		}
		return true
	}
	return validIPv6(b)
}

// validIPv6 checks RFC 3986's IPv6address: eight 16-bit hex groups, one
// "::" may stand for one or more zero groups, and the last two groups may
// be written as a dotted IPv4 address.
func validIPv6(b []byte) bool {
	groups := 0
	ellipsis := false
	i := 0
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis = true
		i = 2
		if i == len(b) {
			return true
		}
	}
	for i < len(b) {
		// one group: 1-4 hex digits, or a trailing IPv4 address
		start := i
		for i < len(b) && i-start < 5 && isHex(b[i]) {
			i++
		}
		if i < len(b) && b[i] == '.' {
			if !validIPv4(b[start:]) {
				return false
			}
			groups += 2
			i = len(b)
			break
		}
		if i == start || i-start > 4 {
			return false
		}
		groups++
		if i == len(b) {
			break
		}
		if b[i] != ':' {
			return false
		}
		i++
		if i < len(b) && b[i] == ':' {
			if ellipsis {
				return false
			}
			ellipsis = true
			i++
			if i == len(b) {
				break
			}
		} else if i == len(b) {
			return false // trailing single ':'
		}
	}
	if ellipsis {
		return groups <= 7
	}
	return groups == 8
}

// validIPv4 checks dec-octet "." dec-octet "." dec-octet "." dec-octet
// (RFC 3986 §3.2.2: no leading zeros, each at most 255).
func validIPv4(b []byte) bool {
	parts := 0
	i := 0
	for parts < 4 {
		start := i
		n := 0
		for i < len(b) && b[i]-'0' < 10 && i-start < 3 {
			n = n*10 + int(b[i]-'0')
			i++
		}
		if i == start || n > 255 || (i-start > 1 && b[start] == '0') {
			return false
		}
		parts++
		if parts < 4 {
			if i >= len(b) || b[i] != '.' {
				return false
			}
			i++
		}
	}
	return i == len(b)
}
