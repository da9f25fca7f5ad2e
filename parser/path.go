package parser

import "bytes"

// DecodePath percent-decodes a raw path (RFC 3986 §2.1: "%" HEXDIG
// HEXDIG). When p holds no '%', it returns p itself (no allocation).
// Otherwise it appends the decoded bytes to dst[:0] and returns that.
// Malformed escapes ("%zz", "%4") are an *Error (400 bad_percent_encoding).
func DecodePath(dst, p []byte) ([]byte, error) {
	return decodePath(dst, p, false)
}

// DecodePathStrict is DecodePath for file-system lookups: it also rejects
// a raw '\' and the escapes that would change the meaning of a path once
// decoded: %00 (400 nul_in_path), %2F (400 encoded_slash) and %5C
// (400 backslash_in_path).
func DecodePathStrict(dst, p []byte) ([]byte, error) {
	return decodePath(dst, p, true)
}

func decodePath(dst, p []byte, strict bool) ([]byte, error) {
	if strict {
		if k := bytes.IndexByte(p, '\\'); k >= 0 {
			return nil, errBad("backslash_in_path", k)
		}
		if k := bytes.IndexByte(p, 0); k >= 0 {
			return nil, errBad("nul_in_path", k)
		}
	}
	i := bytes.IndexByte(p, '%')
	if i < 0 {
		return p, nil
	}
	dst = append(dst[:0], p[:i]...)
	for ; i < len(p); i++ {
		c := p[i]
		if c == '%' {
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return nil, errBad("bad_percent_encoding", i)
			}
			c = unhex(p[i+1])<<4 | unhex(p[i+2])
			if strict {
				switch c {
				case 0:
					return nil, errBad("nul_in_path", i)
				case '/':
					return nil, errBad("encoded_slash", i)
				case '\\':
					return nil, errBad("backslash_in_path", i)
				}
			}
			i += 2
		}
		dst = append(dst, c)
	}
	return dst, nil
}
