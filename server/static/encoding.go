package static

import "strings"

// compressible reports whether a media type is worth a precompressed
// sibling; only then are .br/.gz siblings looked for (images, video and
// archives are compressed already, and skipping them saves two lookups).
func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") ||
		strings.Contains(ctype, "json") ||
		strings.Contains(ctype, "xml") ||
		strings.Contains(ctype, "javascript") ||
		strings.HasPrefix(ctype, "application/wasm") ||
		strings.HasPrefix(ctype, "font/ttf") ||
		strings.HasPrefix(ctype, "font/otf") ||
		strings.HasPrefix(ctype, "image/vnd.microsoft.icon") ||
		strings.HasPrefix(ctype, "image/bmp")
}

// equalFold compares ASCII case-insensitively; want is lowercase.
func equalFold(b []byte, want string) bool {
	return len(b) == len(want) && hasPrefixFold(b, want)
}

// parseQ parses a qvalue (RFC 9110 §12.4.2: "0" ["." 0*3DIGIT] or "1"
// ["." 0*3("0")]) into thousandths. ok is false when it is malformed.
func parseQ(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 5 || (b[0] != '0' && b[0] != '1') {
		return 0, false
	}
	q := int(b[0]-'0') * 1000
	if len(b) == 1 {
		return q, true
	}
	if b[1] != '.' {
		return 0, false
	}
	mul := 100
	for _, c := range b[2:] {
		if c < '0' || c > '9' {
			return 0, false
		}
		q += int(c-'0') * mul
		mul /= 10
	}
	if q > 1000 {
		return 0, false
	}
	return q, true
}

// acceptedCodings reads Accept-Encoding (RFC 9110 §12.5.3) and returns
// the weight (0..1000) of br and gzip: an explicit entry wins, then "*",
// else 0 (a coding not listed is not acceptable when the field is
// present). "x-gzip" counts as gzip (RFC 9110 §8.4.1.3). A malformed
// element is skipped.
func acceptedCodings(v []byte) (br, gzip int) {
	br, gzip = -1, -1
	star := 0
	for len(v) > 0 {
		var elem []byte
		if i := indexByte(v, ','); i >= 0 {
			elem, v = v[:i], v[i+1:]
		} else {
			elem, v = v, nil
		}
		q := 1000
		coding := elem
		if i := indexByte(elem, ';'); i >= 0 {
			coding = elem[:i]
			param := trimOWS(elem[i+1:])
			if len(param) < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=' {
				continue
			}
			var ok bool
			if q, ok = parseQ(param[2:]); !ok {
				continue
			}
		}
		coding = trimOWS(coding)
		switch {
		case equalFold(coding, "br"):
			br = q
		case equalFold(coding, "gzip"), equalFold(coding, "x-gzip"):
			gzip = q
		case len(coding) == 1 && coding[0] == '*':
			star = q
		}
	}
	if br < 0 {
		br = star
	}
	if gzip < 0 {
		gzip = star
	}
	return br, gzip
}

// coding is a precompressed sibling kind.
type coding struct {
	suffix string // file name suffix
	name   string // Content-Encoding value
	tag    string // ETag suffix
}

var codings = [...]coding{
	{".br", "br", "br"},
	{".gz", "gzip", "gz"},
}
