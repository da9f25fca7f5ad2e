package reports

import (
	"strconv"
	"strings"
)

// maxTextLen bounds the escaped text of one byte stream in the JSON report
// (sent_text, received_text); the full bytes are always in base64 beside it.
const maxTextLen = 64 << 10

// maxShownBytes bounds the raw bytes of one stream shown in the HTML report.
const maxShownBytes = 16 << 10

// wireSeg is one run of wire bytes as shown to people: plain printable
// ASCII, or one escape such as `\r`, `\n` or `\xHH`.
type wireSeg struct {
	Text string
	Esc  bool // an escape sequence; rendered highlighted
	NL   bool // a line feed: a line break follows the escape
}

// escapeSegs splits b into printable runs and escapes. Printable ASCII
// (0x20-0x7E) stays as it is except the backslash (`\\`); CR, LF and TAB
// become `\r`, `\n`, `\t`; every other byte (NUL, controls, DEL, non-ASCII)
// becomes `\xHH`. The result is pure ASCII, so the bytes a server sent can
// never be read as markup once the text is HTML-escaped.
func escapeSegs(b []byte) []wireSeg {
	var segs []wireSeg
	start := 0
	flush := func(i int) {
		if i > start {
			segs = append(segs, wireSeg{Text: string(b[start:i])})
		}
	}
	for i, c := range b {
		var e string
		nl := false
		switch {
		case c == '\\':
			e = `\\`
		case c == '\r':
			e = `\r`
		case c == '\n':
			e, nl = `\n`, true
		case c == '\t':
			e = `\t`
		case c >= 0x20 && c <= 0x7e:
			continue
		default:
			e = `\x` + string(hexDigits[c>>4]) + string(hexDigits[c&15])
		}
		flush(i)
		segs = append(segs, wireSeg{Text: e, Esc: true, NL: nl})
		start = i + 1
	}
	flush(len(b))
	return segs
}

const hexDigits = "0123456789ABCDEF"

// escapeText renders b with escapeSegs and a real newline after every `\n`
// escape, so the text prints line by line as it went over the wire.
func escapeText(b []byte) string {
	var sb strings.Builder
	for _, s := range escapeSegs(b) {
		sb.WriteString(s.Text)
		if s.NL {
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

// escapeTextLimit is escapeText cut so the text stays within max bytes
// (plus a marker naming how many input bytes were left off).
func escapeTextLimit(b []byte, max int) string {
	var sb strings.Builder
	used := 0 // input bytes rendered
	for _, s := range escapeSegs(b) {
		t := s.Text
		if s.NL {
			t += "\n"
		}
		if sb.Len()+len(t) > max {
			if !s.Esc {
				// a printable run maps byte for byte: keep what fits
				n := max - sb.Len()
				sb.WriteString(t[:n])
				used += n
			}
			sb.WriteString("\n[truncated: " + strconv.Itoa(len(b)-used) + " more bytes]")
			return sb.String()
		}
		sb.WriteString(t)
		if s.Esc {
			used++
		} else {
			used += len(s.Text)
		}
	}
	return sb.String()
}

// truncated returns at most max bytes of b and how many were left off.
func truncated(b []byte, max int) ([]byte, int) {
	if len(b) <= max {
		return b, 0
	}
	return b[:max], len(b) - max
}
