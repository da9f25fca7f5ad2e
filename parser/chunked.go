package parser

import "math"

// Defaults for ChunkedDecoder's limits.
const (
	defaultMaxExtensionBytes = 4096
	defaultMaxTrailerBytes   = 8192
)

// chunkState is where the decoder is in the chunked grammar (RFC 9112 §7.1):
//
//	chunked-body = *chunk last-chunk trailer-section CRLF
//	chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//	chunk-size   = 1*HEXDIG
//	last-chunk   = 1*("0") [ chunk-ext ] CRLF
//	chunk-ext    = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
//	chunk-ext-val = token / quoted-string
type chunkState uint8

const (
	csSize         chunkState = iota // chunk-size digits
	csBWS                            // BWS after size/name/value: only ";" (or "=" after a name) may follow
	csExtPreName                     // after ";": BWS, then the name
	csExtName                        // in chunk-ext-name
	csExtNameBWS                     // BWS after a name: "=" or ";" must follow
	csExtPreVal                      // after "=": BWS, then the value
	csExtToken                       // in a token value
	csExtQuoted                      // in a quoted-string value
	csExtQuotedEsc                   // after "\" in a quoted-string
	csExtQuotedEnd                   // after the closing quote
	csSizeLF                         // CR seen after the size line, LF must follow
	csData                           // chunk-data
	csDataCR                         // CRLF after chunk-data: the CR
	csDataLF                         // CRLF after chunk-data: the LF
	csTrailerStart                   // at the start of a trailer line or the final CRLF
	csTrailerName                    // in a trailer field name
	csTrailerValue                   // in a trailer field value
	csTrailerLF                      // CR seen at the end of a trailer line
	csEndLF                          // CR of the final CRLF seen
	csDone
)

// ChunkedDecoder decodes a chunked body incrementally (RFC 9112 §7.1). The
// zero value is ready with default limits; Reset it before the next body.
type ChunkedDecoder struct {
	MaxExtensionBytes int // total chunk-extension bytes per body; default 4096 → 400 chunk_ext_too_large
	MaxTrailerBytes   int // trailer section bytes; default 8192 → 431 trailer_too_large

	state   chunkState
	digits  int   // hex digits read in the current chunk-size
	size    int64 // current chunk-size, then bytes of chunk-data left
	ext     int   // extension bytes so far
	trailer int   // trailer bytes so far
	pos     int   // input bytes consumed by earlier calls (error offsets)
	err     *Error
}

// Reset readies the decoder for a new body, keeping the limits.
func (d *ChunkedDecoder) Reset() {
	*d = ChunkedDecoder{MaxExtensionBytes: d.MaxExtensionBytes, MaxTrailerBytes: d.MaxTrailerBytes}
}

func (d *ChunkedDecoder) fail(status int, reason string, off int) (int, []byte, bool, error) {
	d.err = errStatus(status, reason, d.pos+off)
	return 0, nil, false, d.err
}

// Decode consumes a prefix of in. data is a view into in of chunk-data
// bytes found in that prefix (possibly empty; Decode stops after one run
// of data, so call it again with in[consumed:]). done is true once the
// last chunk and the trailer section have been consumed; bytes after the
// body are not consumed. When len(in) > 0 and there is no error, Decode
// consumes at least one byte. It works when fed one byte at a time.
// After an error every call returns that error.
func (d *ChunkedDecoder) Decode(in []byte) (consumed int, data []byte, done bool, err error) {
	if d.err != nil {
		return 0, nil, false, d.err
	}
	if d.state == csDone {
		return 0, nil, true, nil
	}
	maxExt, maxTrailer := d.MaxExtensionBytes, d.MaxTrailerBytes
	if maxExt <= 0 {
		maxExt = defaultMaxExtensionBytes
	}
	if maxTrailer <= 0 {
		maxTrailer = defaultMaxTrailerBytes
	}
	i := 0
	for i < len(in) {
		c := in[i]
		if d.state >= csBWS && d.state <= csExtQuotedEnd {
			// §7.1.1: extensions are ignored but their size is capped.
			d.ext++
			if d.ext > maxExt {
				return d.fail(400, "chunk_ext_too_large", i)
			}
		} else if d.state >= csTrailerStart && d.state <= csEndLF {
			// §7.1.2: the trailer section is capped like a head.
			d.trailer++
			if d.trailer > maxTrailer {
				return d.fail(431, "trailer_too_large", i)
			}
		}
		switch d.state {
		case csSize:
			// §7.1: chunk-size = 1*HEXDIG; a recipient must guard against
			// overflow. No sign, prefix or whitespace inside.
			if isHex(c) {
				if d.size > math.MaxInt64>>4 {
					return d.fail(400, "chunk_size_overflow", i)
				}
				d.size = d.size<<4 | int64(unhex(c))
				d.digits++
				break
			}
			if d.digits == 0 {
				return d.fail(400, "invalid_chunk_size", i)
			}
			switch c {
			case ';':
				d.state = csExtPreName
				d.ext++
			case ' ', '\t':
				d.state = csBWS
				d.ext++
			case '\r':
				d.state = csSizeLF
			case '\n':
				return d.fail(400, "bare_lf", i)
			default:
				return d.fail(400, "invalid_chunk_size", i)
			}
		case csBWS:
			switch c {
			case ' ', '\t':
			case ';':
				d.state = csExtPreName
			default:
				return d.fail(400, "invalid_chunk_ext", i)
			}
		case csExtPreName:
			switch {
			case c == ' ' || c == '\t':
			case isTchar(c):
				d.state = csExtName
			default:
				return d.fail(400, "invalid_chunk_ext", i)
			}
		case csExtName:
			switch {
			case isTchar(c):
			case c == '=':
				d.state = csExtPreVal
			case c == ';':
				d.state = csExtPreName
			case c == ' ' || c == '\t':
				d.state = csExtNameBWS
			case c == '\r':
				d.state = csSizeLF
			case c == '\n':
				return d.fail(400, "bare_lf", i)
			default:
				return d.fail(400, "invalid_chunk_ext", i)
			}
		case csExtNameBWS:
			switch c {
			case ' ', '\t':
			case '=':
				d.state = csExtPreVal
			case ';':
				d.state = csExtPreName
			default:
				return d.fail(400, "invalid_chunk_ext", i)
			}
		case csExtPreVal:
			switch {
			case c == ' ' || c == '\t':
			case c == '"':
				d.state = csExtQuoted
			case isTchar(c):
				d.state = csExtToken
			default:
				return d.fail(400, "invalid_chunk_ext", i)
			}
		case csExtToken, csExtQuotedEnd:
			switch {
			case d.state == csExtToken && isTchar(c):
			case c == ';':
				d.state = csExtPreName
			case c == ' ' || c == '\t':
				d.state = csBWS
			case c == '\r':
				d.state = csSizeLF
			case c == '\n':
				return d.fail(400, "bare_lf", i)
			default:
				return d.fail(400, "invalid_chunk_ext", i)
			}
		case csExtQuoted:
			// RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
			switch {
			case c == '"':
				d.state = csExtQuotedEnd
			case c == '\\':
				d.state = csExtQuotedEsc
			case charClass[c]&cQdtext != 0:
			default:
				return d.fail(400, "invalid_chunk_ext", i)
			}
		case csExtQuotedEsc:
			// quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
			if charClass[c]&cValue == 0 {
				return d.fail(400, "invalid_chunk_ext", i)
			}
			d.state = csExtQuoted
		case csSizeLF:
			if c != '\n' {
				return d.fail(400, "bare_cr", i-1)
			}
			if d.size == 0 {
				d.state = csTrailerStart // last-chunk
			} else {
				d.state = csData
			}
		case csData:
			n := len(in) - i
			if int64(n) > d.size {
				n = int(d.size)
			}
			d.size -= int64(n)
			if d.size == 0 {
				d.state = csDataCR
			}
			d.pos += i + n
			return i + n, in[i : i+n], false, nil
		case csDataCR:
			// §7.1: chunk-data is followed by CRLF, nothing else.
			switch c {
			case '\r':
				d.state = csDataLF
			case '\n':
				return d.fail(400, "bare_lf", i)
			default:
				return d.fail(400, "missing_chunk_crlf", i)
			}
		case csDataLF:
			if c != '\n' {
				return d.fail(400, "bare_cr", i-1)
			}
			d.state, d.size, d.digits = csSize, 0, 0
		case csTrailerStart:
			// §7.1.2: trailer-section = *( field-line CRLF ), validated like
			// the head's fields and then dropped.
			switch {
			case c == '\r':
				d.state = csEndLF
			case c == '\n':
				return d.fail(400, "bare_lf", i)
			case c == ' ' || c == '\t':
				return d.fail(400, "obs_fold", i)
			case isTchar(c):
				d.state = csTrailerName
			default:
				return d.fail(400, "invalid_field_name", i)
			}
		case csTrailerName:
			switch {
			case isTchar(c):
			case c == ':':
				d.state = csTrailerValue
			case c == ' ' || c == '\t':
				return d.fail(400, "space_before_colon", i)
			case c == '\r' || c == '\n':
				return d.fail(400, "missing_colon", i)
			default:
				return d.fail(400, "invalid_field_name", i)
			}
		case csTrailerValue:
			switch {
			case c == '\r':
				d.state = csTrailerLF
			case c == '\n':
				return d.fail(400, "bare_lf", i)
			case charClass[c]&cValue == 0:
				return d.fail(400, "bad_field_value", i)
			}
		case csTrailerLF:
			if c != '\n' {
				return d.fail(400, "bare_cr", i-1)
			}
			d.state = csTrailerStart
		case csEndLF:
			if c != '\n' {
				return d.fail(400, "bare_cr", i-1)
			}
			d.state = csDone
			d.pos += i + 1
			return i + 1, nil, true, nil
		}
		i++
	}
	d.pos += i
	return i, nil, false, nil
}
