package conformance

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// This file frames responses as a client must (RFC 9112 §6.3): the status
// line, the header section, then a body whose length follows from the
// request method, the status code and the framing headers. It never trusts
// timing: a response is complete only when its framing says so.

// errNeedMore means the bytes so far end inside a response.
var errNeedMore = errors.New("need more bytes")

const (
	maxHead    = 64 << 10 // a response head larger than this is a framing error
	maxWorking = 32 << 20 // bytes kept for framing; beyond this the response is given up
)

// framer turns the received byte stream into responses incrementally.
type framer struct {
	buf      []byte
	pos      int
	final    []Response
	interim  []Response
	err      error // framing failed at pos; nothing after it is framed
	switched bool  // a 101 was seen: the rest of the stream is another protocol
}

// feed appends received bytes.
func (f *framer) feed(p []byte) {
	if len(f.buf) < maxWorking {
		f.buf = append(f.buf, p...)
	}
}

// advance frames as many complete responses as the buffered bytes hold.
// methodOf gives the request method answered by the i-th final response.
// eof says the stream has ended, which completes a close-delimited body.
func (f *framer) advance(methodOf func(int) string, eof bool) {
	for f.err == nil && !f.switched && f.pos < len(f.buf) {
		r, n, err := parseResponse(f.buf[f.pos:], methodOf(len(f.final)), eof)
		if errors.Is(err, errNeedMore) {
			if eof {
				f.err = fmt.Errorf("response truncated at byte %d", f.pos)
			} else if len(f.buf) >= maxWorking {
				f.err = fmt.Errorf("response larger than %d bytes", maxWorking)
			}
			return
		}
		if err != nil {
			f.err = fmt.Errorf("byte %d: %w", f.pos, err)
			return
		}
		f.pos += n
		if r.Status >= 100 && r.Status < 200 && r.Status != 101 {
			f.interim = append(f.interim, r)
			continue
		}
		f.final = append(f.final, r)
		if r.Status == 101 {
			f.switched = true
		}
	}
}

// unframed is the number of received bytes not belonging to any response.
func (f *framer) unframed() int { return len(f.buf) - f.pos }

// nextLine returns the line starting at b[i:] without its terminator (LF or
// CRLF) and the index after the terminator, or errNeedMore.
func nextLine(b []byte, i int) (string, int, error) {
	j := bytes.IndexByte(b[i:], '\n')
	if j < 0 {
		return "", 0, errNeedMore
	}
	line := b[i : i+j]
	line = bytes.TrimSuffix(line, []byte("\r"))
	return string(line), i + j + 1, nil
}

// parseResponse frames one response at the start of b.
func parseResponse(b []byte, method string, eof bool) (Response, int, error) {
	var r Response
	head := len(b)
	if head > maxHead {
		head = maxHead
	}
	// Status line (RFC 9112 §4): HTTP-version SP 3DIGIT SP [reason].
	line, i, err := nextLine(b[:head], 0)
	if err != nil {
		if len(b) > maxHead {
			return r, 0, errors.New("status line too long")
		}
		return r, 0, errNeedMore
	}
	proto, rest, ok := strings.Cut(line, " ")
	if !ok || !strings.HasPrefix(proto, "HTTP/") || len(rest) < 3 {
		return r, 0, fmt.Errorf("malformed status line %q", clip(line))
	}
	code, err := strconv.Atoi(rest[:3])
	if err != nil || code < 100 || code > 999 || (len(rest) > 3 && rest[3] != ' ') {
		return r, 0, fmt.Errorf("malformed status code in %q", clip(line))
	}
	r.Proto, r.Status = proto, code
	// Header section (RFC 9112 §5), ended by an empty line.
	for {
		line, i, err = nextLine(b[:head], i)
		if err != nil {
			if len(b) > maxHead {
				return r, 0, errors.New("response head too large")
			}
			return r, 0, errNeedMore
		}
		if line == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			// obs-fold: a client may replace it by SP (§5.2).
			if len(r.Headers) == 0 {
				return r, 0, errors.New("continuation line before any header")
			}
			r.Headers[len(r.Headers)-1][1] += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" {
			return r, 0, fmt.Errorf("malformed header line %q", clip(line))
		}
		r.Headers = append(r.Headers, [2]string{name, strings.Trim(value, " \t")})
	}
	body, n, framing, err := frameBody(b[i:], method, &r, eof)
	if err != nil {
		return r, 0, err
	}
	r.BodyLen, r.Framing = body, framing
	switch framing {
	case "chunked":
		_, _, _ = decodeChunked(b[i:i+n], &r.BodyStart)
	case "content-length", "close":
		r.BodyStart = append([]byte(nil), b[i:i+min(n, maxBodyStart)]...)
	}
	return r, i + n, nil
}

// frameBody applies the message-length rules of RFC 9112 §6.3 in order.
func frameBody(b []byte, method string, r *Response, eof bool) (int64, int, string, error) {
	// 1. HEAD responses, 1xx, 204 and 304 end at the header section.
	if method == "HEAD" || (r.Status >= 100 && r.Status < 200) || r.Status == 204 || r.Status == 304 {
		return 0, 0, "none", nil
	}
	// 3. Transfer-Encoding: chunked last → chunked; otherwise read until close.
	if te, ok := r.header("Transfer-Encoding"); ok {
		codings := strings.Split(te, ",")
		if strings.EqualFold(strings.TrimSpace(codings[len(codings)-1]), "chunked") {
			n, used, err := decodeChunked(b, nil)
			return n, used, "chunked", err
		}
		return untilClose(b, eof)
	}
	// 5. A valid Content-Length gives the exact length; differing values are
	// an unrecoverable framing error.
	if vals := r.headerValues("Content-Length"); len(vals) > 0 {
		var cl int64 = -1
		for _, v := range vals {
			for _, part := range strings.Split(v, ",") {
				n, err := strconv.ParseInt(strings.TrimSpace(part), 10, 64)
				if err != nil || n < 0 || !allDigits(strings.TrimSpace(part)) {
					return 0, 0, "", fmt.Errorf("invalid Content-Length %q", clip(v))
				}
				if cl >= 0 && n != cl {
					return 0, 0, "", fmt.Errorf("conflicting Content-Length values %q", clip(strings.Join(vals, ", ")))
				}
				cl = n
			}
		}
		if int64(len(b)) < cl {
			return 0, 0, "", errNeedMore
		}
		return cl, int(cl), "content-length", nil
	}
	// 8. Otherwise the body runs until the server closes.
	return untilClose(b, eof)
}

func untilClose(b []byte, eof bool) (int64, int, string, error) {
	if !eof {
		return 0, 0, "", errNeedMore
	}
	return int64(len(b)), len(b), "close", nil
}

// maxBodyStart is how many body bytes a Response keeps (Response.BodyStart).
const maxBodyStart = 64

// decodeChunked walks a chunked body (RFC 9112 §7.1) and returns the data
// length and the bytes used, including the last chunk and trailer section.
// With start non-nil, the first maxBodyStart data bytes are appended to it.
func decodeChunked(b []byte, start *[]byte) (int64, int, error) {
	var total int64
	i := 0
	for {
		line, next, err := nextLine(b, i)
		if err != nil {
			return 0, 0, err
		}
		sizeText, _, _ := strings.Cut(line, ";")
		sizeText = strings.TrimRight(sizeText, " \t")
		if sizeText == "" || len(sizeText) > 15 || !allHex(sizeText) {
			return 0, 0, fmt.Errorf("invalid chunk size line %q", clip(line))
		}
		size, _ := strconv.ParseInt(sizeText, 16, 64)
		i = next
		if size == 0 {
			// Trailer section, then the final empty line.
			for {
				tl, n, err := nextLine(b, i)
				if err != nil {
					return 0, 0, err
				}
				i = n
				if tl == "" {
					return total, i, nil
				}
			}
		}
		if int64(len(b)-i) < size+1 {
			return 0, 0, errNeedMore
		}
		if start != nil && len(*start) < maxBodyStart {
			*start = append(*start, b[i:i+int(min(size, int64(maxBodyStart-len(*start))))]...)
		}
		i += int(size)
		total += size
		switch {
		case b[i] == '\n':
			i++
		case b[i] == '\r':
			if len(b) < i+2 {
				return 0, 0, errNeedMore
			}
			if b[i+1] != '\n' {
				return 0, 0, errors.New("chunk data not followed by CRLF")
			}
			i += 2
		default:
			return 0, 0, errors.New("chunk data not followed by CRLF")
		}
	}
}

// header returns the first value of the named header.
func (r *Response) header(name string) (string, bool) {
	for _, h := range r.Headers {
		if strings.EqualFold(h[0], name) {
			return h[1], true
		}
	}
	return "", false
}

// headerValues returns every value of the named header, in order.
func (r *Response) headerValues(name string) []string {
	var out []string
	for _, h := range r.Headers {
		if strings.EqualFold(h[0], name) {
			out = append(out, h[1])
		}
	}
	return out
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// clip shortens s for messages.
func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
