package server

import (
	"time"

	"github.com/ferrox/ferrox/parser"
)

// Bounds on a request body. Ferrox never uses a request body: the static
// handler's answer depends on the head alone. A body is read only to keep
// the connection in sync for the next request (RFC 9112 §9.3), and never
// for longer than these bounds, whatever the client's rate:
//
//   - bodyTime: a body must be complete within 30 s of the end of its
//     head (→ 408 and close when it is read before the answer; a plain
//     close when it is drained after it). The rate floor (BodyMinRate per
//     BodyRateWindow) applies on top.
//   - drainGap: after an early answer, at most 5 s may pass between two
//     reads of the rest of the body (nginx's lingering_timeout).
//   - keepDrainBytes: an early answer keeps the connection only when at
//     most 64 KiB of a Content-Length body are still to come, or for a
//     chunked body, whose data may then be at most 64 KiB (beyond, the
//     connection closes); otherwise it says Connection: close and the
//     connection ends with the bounded lingering close (lingerTimeout,
//     lingerBytes).
//
// So a request body holds a connection at most bodyTime (30 s) plus the
// lingering close (2 s) plus the time to write the answer.
const (
	bodyTime       = 30 * time.Second
	drainGap       = 5 * time.Second
	keepDrainBytes = 64 << 10
)

// minBodyRoom is the least free space kept after the head for body reads.
const minBodyRoom = 1024

// maxChunkSlack bounds the buffer growth a single chunk-size line or
// trailer may force (the decoder caps extensions and trailers itself).
const maxChunkSlack = 64 << 10

// bodyGuard bounds the reads of one body: every window must bring at
// least minRate bytes (slow-body attack), the whole body must be in by
// until (bodyTime), and, when gap is set, no read may wait longer than
// gap. Any of them firing ends the body with errBodyTimeout.
type bodyGuard struct {
	start   time.Time
	got     int64
	window  time.Duration
	minRate int64
	until   time.Time
	gap     time.Duration
}

func (g *bodyGuard) deadline() time.Time {
	d := g.until
	if r := g.start.Add(g.window); r.Before(d) {
		d = r
	}
	if g.gap > 0 {
		if r := time.Now().Add(g.gap); r.Before(d) {
			d = r
		}
	}
	return d
}

func (g *bodyGuard) add(n int) {
	g.got += int64(n)
	if g.got >= g.minRate {
		g.start, g.got = time.Now(), 0
	}
}

// newBodyGuard returns the guard of the current body: until is c.bodyUntil
// (set when the head was complete); gap is 0 for none.
func (c *conn) newBodyGuard(gap time.Duration) bodyGuard {
	s := c.srv
	return bodyGuard{start: time.Now(), window: s.bodyWindow, minRate: s.bodyMinRate, until: monoTime(c.bodyUntil), gap: gap}
}

// bufferedBody looks at the body bytes already in the buffer after the
// head (buf[headLen:w]) without reading: complete says the whole body is
// there, and end is then the offset of the first byte after it. A
// Content-Length above MaxBody, a chunked body whose buffered data
// exceeds it, or bad chunked framing is an error.
func (c *conn) bufferedBody(req *parser.Request, headLen int) (end int, complete bool, err error) {
	s := c.srv
	st := c.st
	switch req.Framing {
	case parser.FramingLength:
		n := req.ContentLength
		if n > s.maxBody {
			// Refuse before reading a byte.
			return 0, false, errBodyTooLarge
		}
		if int64(st.w-headLen) >= n {
			return headLen + int(n), true, nil
		}
		return 0, false, nil
	case parser.FramingChunked:
		var dec parser.ChunkedDecoder
		pos := headLen
		var total int64
		for pos < st.w {
			consumed, data, done, err := dec.Decode(st.buf[pos:st.w])
			if err != nil && err != parser.ErrNeedMore {
				return 0, false, err
			}
			pos += consumed
			total += int64(len(data))
			if total > s.maxBody {
				return 0, false, errBodyTooLarge
			}
			if done {
				return pos, true, nil
			}
			if consumed == 0 || err != nil {
				break
			}
		}
		return 0, false, nil
	}
	return headLen, true, nil
}

// discardBody reads and drops the whole request body as the parser
// framed it (RFC 9112 §6.3), under the body bounds, so the connection can
// carry the next request (RFC 9112 §9.3). The head occupies
// buf[0:headLen] and stays intact (the handler still reads its views);
// body bytes are read into the space after it. It returns the offset of
// the first byte after the body.
func (c *conn) discardBody(req *parser.Request, headLen int) (int, error) {
	g := c.newBodyGuard(0)
	switch req.Framing {
	case parser.FramingLength:
		if req.ContentLength == 0 {
			return headLen, nil
		}
		return c.discardLength(headLen, req.ContentLength, &g)
	case parser.FramingChunked:
		return c.discardChunked(headLen, &g, c.srv.maxBody)
	}
	return headLen, nil
}

// readBody reads into buf[from:], growing the buffer to keep room after
// the head, under the guard.
func (c *conn) readBody(g *bodyGuard, from int) (int, error) {
	st := c.st
	if len(st.buf)-from < minBodyRoom {
		c.grow(from + max(minBodyRoom, reqBufSize))
	}
	c.nc.SetReadDeadline(g.deadline())
	m, err := c.nc.Read(st.buf[from:])
	g.add(m)
	if err != nil && m == 0 {
		if isTimeout(err) {
			return 0, errBodyTimeout
		}
		return 0, err // io.EOF: body shorter than announced → close, no answer
	}
	return m, nil
}

// discardLength drops n Content-Length bytes starting at buf[pos:].
func (c *conn) discardLength(pos int, n int64, g *bodyGuard) (int, error) {
	st := c.st
	headEnd := pos
	take := min(int64(st.w-pos), n)
	pos += int(take)
	n -= take
	if n == 0 {
		return pos, nil
	}
	for n > 0 {
		// Everything buffered was body: reuse the room after the head.
		st.w = headEnd
		m, err := c.readBody(g, headEnd)
		if err != nil {
			return 0, err
		}
		st.w = headEnd + m
		if int64(m) >= n {
			// The rest is the next pipelined request.
			return headEnd + int(n), nil
		}
		n -= int64(m)
	}
	return headEnd, nil
}

// discardChunked decodes and drops a chunked body starting at buf[pos:]
// (RFC 9112 §7.1), counting its data against limit (errBodyTooLarge).
func (c *conn) discardChunked(pos int, g *bodyGuard, limit int64) (int, error) {
	st := c.st
	headEnd := pos
	st.dec = parser.ChunkedDecoder{}
	var total int64
	for {
		if pos < st.w {
			consumed, data, done, err := st.dec.Decode(st.buf[pos:st.w])
			if err != nil && err != parser.ErrNeedMore {
				return 0, err
			}
			pos += consumed
			total += int64(len(data))
			if total > limit {
				return 0, errBodyTooLarge
			}
			if done {
				return pos, nil
			}
			if consumed > 0 && err == nil && pos < st.w {
				continue
			}
		}
		// Keep the undecoded tail (a partial chunk line) right after the
		// head and read more behind it.
		k := copy(st.buf[headEnd:], st.buf[pos:st.w])
		pos, st.w = headEnd, headEnd+k
		if k > maxChunkSlack {
			return 0, errBadChunkSlack
		}
		m, err := c.readBody(g, st.w)
		if err != nil {
			return 0, err
		}
		st.w += m
	}
}
