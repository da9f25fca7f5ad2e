package wire

import (
	"io"
	"os"
	"unsafe"

	"github.com/ferrox/ferrox/parser"
)

// Segment is one piece of a response body: either Data, or N bytes of
// File starting at Off.
type Segment struct {
	Data   []byte
	File   *os.File
	Off, N int64
	// Shared: File is shared with other responses (an open-file cache),
	// so it must be read positionally (ReadAt), never through its offset
	// (Seek, sendfile). Shared files are at most 32 KiB.
	Shared bool
}

// Len is the number of body bytes the segment stands for.
func (s Segment) Len() int64 {
	if s.File != nil {
		return s.N
	}
	return int64(len(s.Data))
}

// Field is one response header field.
type Field struct{ Name, Value string }

// Response is a handler's answer; the engine writes it (see the package
// doc for who fills what). One Response is reused per connection: call
// Reset before each request and Release after the response has been
// written.
type Response struct {
	Status int
	// Header holds handler-specific fields only; the engine adds Date,
	// Server, Content-Length, Connection and its configured fields.
	Header []Field
	// ContentLength is the total body length (sum of segments); for HEAD
	// it is the length a GET would have.
	ContentLength int64
	Body          []Segment
	// NoBody: send headers only (HEAD, 304).
	NoBody bool
	// Close asks the engine to close the connection after this response.
	Close bool
	// Cause is why the handler answered with a 5xx (the file-system
	// error, with its path); the engine logs it at error level. Nil for
	// every other answer.
	Cause error

	closers []io.Closer // released by Release, in order
	scratch []byte      // arena for per-request header values
	data    []byte      // arena for generated body bytes and decoded paths
}

// Reset prepares r for the next request, keeping its buffers. It also
// releases anything a previous response left registered with Keep.
func (r *Response) Reset() {
	r.Release()
	r.Status = 0
	r.Header = r.Header[:0]
	r.ContentLength = 0
	clear(r.Body)
	r.Body = r.Body[:0]
	r.NoBody = false
	r.Close = false
	r.Cause = nil
	r.scratch = r.scratch[:0]
	r.data = r.data[:0]
}

// Release closes everything registered with Keep, in the order it was
// registered. The engine calls it after writing the response; calling it
// twice is harmless.
func (r *Response) Release() {
	for i, c := range r.closers {
		c.Close()
		r.closers[i] = nil
	}
	r.closers = r.closers[:0]
}

// Keep registers c to be closed by Release: a file opened for this
// response, or a reference to a shared one whose Close gives the
// reference back. The list is reused across requests, so keeping a
// pointer type costs no allocation.
func (r *Response) Keep(c io.Closer) { r.closers = append(r.closers, c) }

// Kept returns what Keep registered since the last Release. The slice
// belongs to r: read it, never keep it.
func (r *Response) Kept() []io.Closer { return r.closers }

// Add appends a header field.
func (r *Response) Add(name, value string) {
	r.Header = append(r.Header, Field{name, value})
}

// Set replaces the value of every field named name (ASCII
// case-insensitively), or adds the field when there is none.
func (r *Response) Set(name, value string) {
	found := false
	for i := range r.Header {
		if parser.EqualFold(r.Header[i].Name, name) {
			r.Header[i].Value = value
			found = true
		}
	}
	if !found {
		r.Add(name, value)
	}
}

// Get returns the value of the first header field named name (exact
// case), or "".
func (r *Response) Get(name string) string {
	for _, f := range r.Header {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// AppendScratch calls fn with the response's scratch arena, which fn
// appends to and returns, and gives back the appended bytes as a string
// without copying them. The string stays valid until Reset: the arena is
// only appended to during one request, and when append moves it the old
// array stays alive through the strings made before. fn must not keep
// the slice it is given.
func (r *Response) AppendScratch(fn func(dst []byte) []byte) string {
	mark := len(r.scratch)
	r.scratch = fn(r.scratch)
	if len(r.scratch) == mark {
		return ""
	}
	return unsafe.String(&r.scratch[mark], len(r.scratch)-mark)
}

// AppendData calls fn with the response's data arena, which fn appends
// to and returns, and gives back the appended bytes. They stay valid and
// unchanged until Reset, so several pieces of a body (multipart heads, a
// listing) and other per-request bytes can live in it at once.
func (r *Response) AppendData(fn func(dst []byte) []byte) []byte {
	mark := len(r.data)
	r.data = fn(r.data)
	return r.data[mark:len(r.data):len(r.data)]
}

// SetData makes b the whole body, with its length as ContentLength.
func (r *Response) SetData(b []byte) {
	clear(r.Body)
	r.Body = append(r.Body[:0], Segment{Data: b})
	r.ContentLength = int64(len(b))
}
