package corpus

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The raw-byte notation (see FORMAT.md):
//
//	printable ASCII 0x20-0x7E except '\'   itself
//	\r \n \t \0 \\                         CR, LF, HTAB, NUL, backslash
//	\xHH                                   any byte, two hex digits
//	\{N*X}                                 X (one literal or escaped byte) repeated N times
//
// Line breaks in the notation carry no bytes; Encode writes one after every
// \n so a request reads line by line. Any other byte (a literal CR, TAB,
// control or non-ASCII byte) is an error: the file shows every byte it sends.

const (
	// MaxRepeat bounds N in a \{N*X} macro.
	MaxRepeat = 1 << 24
	// MaxDecoded bounds the decoded size of one notation (16 MiB), so a
	// hostile or mistyped file cannot make Decode allocate without limit.
	// Decode(Encode(b)) == b holds for every b up to this size.
	MaxDecoded = 1 << 24
	// minRun is the shortest run of one byte that Encode writes as a macro.
	minRun = 64
)

// SyntaxError is a Decode error at a byte offset of the notation.
type SyntaxError struct {
	Offset int // byte offset in the notation text
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("offset %d: %s", e.Offset, e.Msg) }

// ErrTooLarge is wrapped by Decode errors when the output would exceed
// MaxDecoded bytes.
var ErrTooLarge = errors.New("decoded bytes exceed the size limit")

const hexdigits = "0123456789abcdef"

// encodeByte appends the canonical notation of one byte (outside a run).
func encodeByte(sb *strings.Builder, c byte) {
	switch {
	case c == '\r':
		sb.WriteString(`\r`)
	case c == '\n':
		sb.WriteString(`\n`)
	case c == '\t':
		sb.WriteString(`\t`)
	case c == 0:
		sb.WriteString(`\0`)
	case c == '\\':
		sb.WriteString(`\\`)
	case c >= 0x20 && c <= 0x7e:
		sb.WriteByte(c)
	default:
		sb.WriteString(`\x`)
		sb.WriteByte(hexdigits[c>>4])
		sb.WriteByte(hexdigits[c&15])
	}
}

// Encode returns the canonical notation of raw: printable ASCII literally,
// the named escapes for CR, LF, HTAB, NUL and backslash, \xHH (lowercase)
// for every other byte, a \{N*X} macro for each run of at least 64
// identical bytes (runs longer than MaxRepeat use several macros), and a line
// break after every \n escape.
func Encode(raw []byte) string {
	var sb strings.Builder
	sb.Grow(len(raw) + len(raw)/8)
	for i := 0; i < len(raw); {
		c := raw[i]
		j := i + 1
		for j < len(raw) && raw[j] == c && j-i < MaxRepeat {
			j++
		}
		if n := j - i; n >= minRun {
			sb.WriteString(`\{`)
			sb.WriteString(strconv.Itoa(n))
			sb.WriteByte('*')
			encodeByte(&sb, c)
			sb.WriteByte('}')
			i = j
			continue
		}
		encodeByte(&sb, c)
		if c == '\n' {
			sb.WriteByte('\n')
		}
		i++
	}
	return sb.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodeUnit decodes one literal or escaped byte at s[i] (not a macro) and
// returns it with the offset after it.
func decodeUnit(s string, i int) (byte, int, error) {
	c := s[i]
	if c != '\\' {
		if c < 0x20 || c > 0x7e {
			return 0, i, &SyntaxError{i, fmt.Sprintf("byte 0x%02x must be written as an escape", c)}
		}
		return c, i + 1, nil
	}
	if i+1 >= len(s) {
		return 0, i, &SyntaxError{i, `lone backslash at end (write \\)`}
	}
	switch s[i+1] {
	case 'r':
		return '\r', i + 2, nil
	case 'n':
		return '\n', i + 2, nil
	case 't':
		return '\t', i + 2, nil
	case '0':
		return 0, i + 2, nil
	case '\\':
		return '\\', i + 2, nil
	case 'x':
		if i+3 >= len(s) {
			return 0, i, &SyntaxError{i, `\x needs two hex digits`}
		}
		hi, ok1 := unhex(s[i+2])
		lo, ok2 := unhex(s[i+3])
		if !ok1 || !ok2 {
			return 0, i, &SyntaxError{i, `\x needs two hex digits`}
		}
		return hi<<4 | lo, i + 4, nil
	}
	return 0, i, &SyntaxError{i, fmt.Sprintf(`unknown escape \%c`, s[i+1])}
}

// Decode turns the notation back into bytes. Line breaks (LF) in s are
// ignored; every other byte must be printable ASCII or part of an escape.
// Hex digits may be upper or lower case (Encode writes lower case).
func Decode(s string) ([]byte, error) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\n' {
			i++
			continue
		}
		if c == '\\' && i+1 < len(s) && s[i+1] == '{' {
			start := i
			i += 2
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' && j-i <= 8 {
				j++
			}
			if j == i || j >= len(s) || s[j] != '*' {
				return nil, &SyntaxError{start, `macro must read \{N*X}`}
			}
			n, err := strconv.Atoi(s[i:j])
			if err != nil || n < 1 || n > MaxRepeat || s[i] == '0' {
				return nil, &SyntaxError{start, fmt.Sprintf("macro count %q must be 1..%d without leading zeros", s[i:j], MaxRepeat)}
			}
			j++ // '*'
			if j >= len(s) {
				return nil, &SyntaxError{start, `macro must read \{N*X}`}
			}
			if s[j] == '\\' && j+1 < len(s) && s[j+1] == '{' {
				return nil, &SyntaxError{j, "macros do not nest"}
			}
			b, next, err := decodeUnit(s, j)
			if err != nil {
				return nil, err
			}
			if next >= len(s) || s[next] != '}' {
				return nil, &SyntaxError{start, `macro must read \{N*X} with one byte X`}
			}
			if len(out)+n > MaxDecoded {
				return nil, fmt.Errorf("offset %d: %w", start, ErrTooLarge)
			}
			for k := 0; k < n; k++ {
				out = append(out, b)
			}
			i = next + 1
			continue
		}
		b, next, err := decodeUnit(s, i)
		if err != nil {
			return nil, err
		}
		if len(out) >= MaxDecoded {
			return nil, fmt.Errorf("offset %d: %w", i, ErrTooLarge)
		}
		out = append(out, b)
		i = next
	}
	return out, nil
}
