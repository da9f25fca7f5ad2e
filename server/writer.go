package server

import (
	"errors"
	"io"
	"io/fs"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/ferrox/ferrox/wire"
)

// headBufPool holds the buffers response heads (and small bodies) are
// formatted into. Only a connection that is writing holds one.
var headBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// smallBody is the largest Data segment copied into the head buffer so
// head and body leave in one write.
const smallBody = 8 << 10

// fileChunk bounds one sendfile step, so the write deadline measures
// progress rather than the whole file.
const fileChunk = 512 << 10

// writeResponse formats the head (wire.AppendHead, under the server's
// settings) and sends it with the body. It returns the number of body
// bytes sent. A failure of the file side (read error, or a file shorter
// than announced: truncated while it was sent) is a *fileError; the bytes
// already in the head buffer are then not sent, and the count says so.
func (c *conn) writeResponse(resp *wire.Response, meta wire.Meta) (int64, error) {
	bp := headBufPool.Get().(*[]byte)
	b := (*bp)[:0]
	defer func() {
		if cap(b) <= 64<<10 {
			*bp = b[:0]
			headBufPool.Put(bp)
		}
	}()
	b, withBody := wire.AppendHead(b, resp, meta, &c.srv.head)
	last := !meta.KeepAlive // the connection ends after this response
	if !withBody {
		return 0, c.write(b, last)
	}
	var sent int64
	var pending int64 // body bytes in b, not yet written
	for _, seg := range resp.Body {
		if seg.File == nil {
			if len(seg.Data) <= smallBody {
				b = append(b, seg.Data...)
				sent += int64(len(seg.Data))
				pending += int64(len(seg.Data))
				continue
			}
			if err := c.writev(b, seg.Data); err != nil {
				return sent, err
			}
			b, pending = b[:0], 0
			sent += int64(len(seg.Data))
			continue
		}
		if seg.N <= smallBody || seg.Shared {
			// A small file range is read into the head buffer (pread) so
			// head and body leave in one write; sendfile pays off only
			// for larger bodies. A shared file (at most 32 KiB) is always
			// read this way: its offset belongs to no one.
			nb, err := appendFileRange(b, seg)
			if err != nil {
				return sent - pending, &fileError{path: seg.File.Name(), err: err}
			}
			b = nb
			sent += seg.N
			pending += seg.N
			continue
		}
		if len(b) > 0 {
			if err := c.write(b, false); err != nil {
				return sent, err
			}
			b, pending = b[:0], 0
		}
		n, err := c.sendFile(seg)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	if len(b) > 0 {
		if err := c.write(b, last); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// writeCanned sends a response no handler built (wire.AppendCanned) to
// nc, under the write deadline d, formatted by set (s.head, or s.clearHead
// in clear text on a TLS server): a body of contentType when body is not
// empty.
func (s *Server) writeCanned(nc net.Conn, set *wire.Settings, d time.Duration, status int, contentType, body string, m wire.Meta) error {
	bp := headBufPool.Get().(*[]byte)
	b := wire.AppendCanned((*bp)[:0], status, contentType, body, m, set)
	err := send(nc, b, d, true) // every caller closes next
	*bp = b[:0]
	headBufPool.Put(bp)
	return err
}

// write sends b with a fresh write deadline (see send).
func (c *conn) write(b []byte, last bool) error { return send(c.nc, b, c.srv.writeTimeout, last) }

// send writes b to nc under a write deadline d from now. last says that b
// ends the connection's output: the FIN then leaves with b's last segment
// where the socket can do that (writeLast, see rawWrite), and the
// connection is half-closed; reads (a lingering close) go on.
func send(nc net.Conn, b []byte, d time.Duration, last bool) error {
	nc.SetWriteDeadline(time.Now().Add(d))
	if last {
		if l, ok := nc.(lastWriter); ok {
			_, err := l.writeLast(b)
			return err
		}
	}
	_, err := nc.Write(b)
	return err
}

// lastWriter is a socket that can send the last bytes of a connection
// with its FIN (rawSock, sockConn on Linux).
type lastWriter interface{ writeLast([]byte) (int, error) }

// writev sends a and b in one gathered write where the conn supports it.
func (c *conn) writev(a, b []byte) error {
	c.nc.SetWriteDeadline(time.Now().Add(c.srv.writeTimeout))
	v := net.Buffers{a, b}
	_, err := v.WriteTo(c.nc)
	return err
}

// appendFileRange appends seg.N bytes of seg.File at seg.Off to b.
func appendFileRange(b []byte, seg wire.Segment) ([]byte, error) {
	n := int(seg.N)
	b = slices.Grow(b, n)
	dst := b[len(b) : len(b)+n]
	var got int
	var err error
	if seg.Shared {
		got, err = preadShared(seg.File, dst, seg.Off)
	} else {
		got, err = seg.File.ReadAt(dst, seg.Off)
	}
	if got < n {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF // the file shrank under us
		}
		return b, err
	}
	return b[:len(b)+n], nil
}

// copyBufPool holds the copy buffers of non-TCP file bodies.
var copyBufPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// sendFile copies a file range to the connection. On a *net.TCPConn,
// io.CopyN's LimitedReader over an *os.File reaches TCPConn.ReadFrom,
// which uses sendfile(2) on Linux; other conns (TLS) copy through a buffer.
// The deadline is renewed for every fileChunk, so it bounds progress.
func (c *conn) sendFile(seg wire.Segment) (int64, error) {
	if _, err := seg.File.Seek(seg.Off, io.SeekStart); err != nil {
		return 0, &fileError{path: seg.File.Name(), err: err}
	}
	// A conn that takes the file itself (ReadFrom: *net.TCPConn, or the
	// sockConn around one) sends it with sendfile; anything else (TLS, an
	// in-memory conn) copies through one pooled buffer instead of the
	// 32 KiB that io.CopyN would allocate per chunk.
	var bufp *[]byte
	if _, rf := c.nc.(io.ReaderFrom); !rf {
		bufp = copyBufPool.Get().(*[]byte)
		defer copyBufPool.Put(bufp)
	}
	var sent int64
	for sent < seg.N {
		n := min(seg.N-sent, fileChunk)
		c.nc.SetWriteDeadline(time.Now().Add(c.srv.writeTimeout))
		var w int64
		var err error
		if bufp == nil {
			w, err = io.CopyN(c.nc, seg.File, n)
		} else {
			w, err = io.CopyBuffer(c.nc, io.LimitReader(seg.File, n), *bufp)
			if err == nil && w < n {
				err = io.ErrUnexpectedEOF // the file shrank under us
			}
		}
		sent += w
		var pe *fs.PathError
		if err == io.EOF || err == io.ErrUnexpectedEOF || errors.As(err, &pe) {
			// The file ended early (CopyN's io.EOF: truncated under us)
			// or failed to read; a write error is a net error instead.
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return sent, &fileError{path: seg.File.Name(), err: err}
		}
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}
