package server

import (
	"time"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/wire"
)

// continueResponse sends the interim answer to "Expect: 100-continue"
// (RFC 9110 §10.1.1, §15.2.1), built at send time like every head
// (wire.AppendCanned): it carries Date and the configured fields, and no
// Content-Length or Connection (a 1xx has no content, and the final
// response still follows on this connection).
func (c *conn) continueResponse() error {
	return c.srv.writeCanned(c.nc, &c.srv.head, c.srv.writeTimeout, 100, "", "", wire.Meta{KeepAlive: true})
}

// minBodyRoom is the least free space kept after the head for body reads.
const minBodyRoom = 1024

// maxChunkSlack bounds the buffer growth a single chunk-size line or
// trailer may force (the decoder caps extensions and trailers itself).
const maxChunkSlack = 64 << 10

// rateGuard enforces the body minimum data rate: every window must bring
// at least minRate bytes, else the read deadline fires (slow-body attack).
type rateGuard struct {
	start   time.Time
	got     int64
	window  time.Duration
	minRate int64
}

func (g *rateGuard) deadline() time.Time { return g.start.Add(g.window) }

func (g *rateGuard) add(n int) {
	g.got += int64(n)
	if g.got >= g.minRate {
		g.start, g.got = time.Now(), 0
	}
}

// discardBody reads and drops the request body as the parser framed it
// (RFC 9112 §6.3), so the connection can carry the next request (RFC 9112
// §9.3). The head occupies buf[0:headLen] and stays intact (the handler
// still reads its views); body bytes are read into the space after it. It
// returns the offset of the first byte after the body.
func (c *conn) discardBody(req *parser.Request, headLen int, expect100 bool) (int, error) {
	s := c.srv
	st := c.st
	switch req.Framing {
	case parser.FramingLength:
		n := req.ContentLength
		if n > s.maxBody {
			// Refuse before reading a byte (and before any 100).
			return 0, errBodyTooLarge
		}
		if n == 0 {
			return headLen, nil
		}
		if expect100 && int64(st.w-headLen) < n {
			if err := c.continueResponse(); err != nil {
				return 0, err
			}
		}
		return c.discardLength(headLen, n)
	case parser.FramingChunked:
		if expect100 && st.w == headLen {
			if err := c.continueResponse(); err != nil {
				return 0, err
			}
		}
		return c.discardChunked(headLen)
	}
	return headLen, nil
}

func (c *conn) newRateGuard() rateGuard {
	s := c.srv
	return rateGuard{start: time.Now(), window: s.bodyWindow, minRate: s.bodyMinRate}
}

// readBody reads into buf[from:], growing the buffer to keep room after
// the head, under the rate guard.
func (c *conn) readBody(g *rateGuard, from int) (int, error) {
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
func (c *conn) discardLength(pos int, n int64) (int, error) {
	st := c.st
	headEnd := pos
	take := min(int64(st.w-pos), n)
	pos += int(take)
	n -= take
	if n == 0 {
		return pos, nil
	}
	g := c.newRateGuard()
	for n > 0 {
		// Everything buffered was body: reuse the room after the head.
		st.w = headEnd
		m, err := c.readBody(&g, headEnd)
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
// (RFC 9112 §7.1), counting its data against the body limit.
func (c *conn) discardChunked(pos int) (int, error) {
	s := c.srv
	st := c.st
	headEnd := pos
	st.dec = parser.ChunkedDecoder{}
	var total int64
	g := c.newRateGuard()
	for {
		if pos < st.w {
			consumed, data, done, err := st.dec.Decode(st.buf[pos:st.w])
			if err != nil && err != parser.ErrNeedMore {
				return 0, err
			}
			pos += consumed
			total += int64(len(data))
			if total > s.maxBody {
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
		m, err := c.readBody(&g, st.w)
		if err != nil {
			return 0, err
		}
		st.w += m
	}
}
