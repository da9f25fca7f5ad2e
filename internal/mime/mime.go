// Package mime maps file extensions to media types from a table generated
// into the repository (see gen.go), so answers never depend on the files of
// the machine Ferrox runs on (unlike the standard library's
// mime.TypeByExtension).
package mime

//go:generate go run gen.go

// Default is the type of content whose extension is unknown (RFC 9110
// §8.3: a sender lacking a better type may use application/octet-stream).
const Default = "application/octet-stream"

// maxExt bounds the extensions we look up; longer ones are unknown.
const maxExt = 32

// TypeByExtension returns the media type for ext, with or without its
// leading dot, matched ASCII case-insensitively, or "" when it is unknown.
// Text types carry "; charset=utf-8". It does not allocate.
func TypeByExtension(ext string) string {
	if len(ext) > 0 && ext[0] == '.' {
		ext = ext[1:]
	}
	if ext == "" || len(ext) > maxExt {
		return ""
	}
	var buf [maxExt]byte
	for i := 0; i < len(ext); i++ {
		c := ext[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return types[string(buf[:len(ext)])]
}

// ForName returns the media type for a file name by its last extension,
// or Default.
func ForName(name string) string {
	for i := len(name) - 1; i >= 0 && name[i] != '/'; i-- {
		if name[i] == '.' {
			if t := TypeByExtension(name[i+1:]); t != "" {
				return t
			}
			break
		}
	}
	return Default
}
