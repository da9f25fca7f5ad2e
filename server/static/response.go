package static

import (
	"os"
	"unsafe"
)

// Segment is one piece of a response body: either Data, or N bytes of
// File starting at Off.
type Segment struct {
	Data   []byte
	File   *os.File
	Off, N int64
	// Shared: File is shared with other responses (the open-file cache),
	// so it must be read positionally (ReadAt), never through its offset
	// (Seek, sendfile). Shared files are at most 32 KiB.
	Shared bool
}

// Field is one response header field.
type Field struct{ Name, Value string }

// Response is the handler's answer; the engine writes it. One Response is
// reused per connection: call Reset before each request and Release after
// the response has been written.
type Response struct {
	Status int
	// Header holds handler-specific fields only (see the package doc).
	Header []Field
	// ContentLength is the total body length (sum of segments); for HEAD
	// it is the length a GET would have.
	ContentLength int64
	Body          []Segment
	// NoBody: send headers only (HEAD, 304).
	NoBody bool
	// Close asks the engine to close the connection after this response.
	Close bool

	files   []*os.File    // opened files, closed by Release
	shared  []*cachedFile // open-file cache entries, released by Release
	scratch []byte        // backing store for per-request header values
	pathBuf []byte        // percent-decoding buffer
	data    []byte        // generated body bytes (multipart heads, listings)
}

// Reset prepares r for the next request, keeping its buffers. It also
// closes any file a previous response left open.
func (r *Response) Reset() {
	r.Release()
	r.Status = 0
	r.Header = r.Header[:0]
	r.ContentLength = 0
	clear(r.Body)
	r.Body = r.Body[:0]
	r.NoBody = false
	r.Close = false
	r.scratch = r.scratch[:0]
	r.data = r.data[:0]
}

// Release closes the files the response opened. The engine calls it after
// writing the response; calling it twice is harmless.
func (r *Response) Release() {
	for i, f := range r.files {
		f.Close()
		r.files[i] = nil
	}
	r.files = r.files[:0]
	for i, e := range r.shared {
		e.release()
		r.shared[i] = nil
	}
	r.shared = r.shared[:0]
}

func (r *Response) add(name, value string) {
	r.Header = append(r.Header, Field{name, value})
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

// keep registers f to be closed by Release.
func (r *Response) keep(f *os.File) { r.files = append(r.files, f) }

// keepShared registers what openShared returned: the cache entry e when
// there is one (released by Release), else f itself (closed by Release).
func (r *Response) keepShared(f *os.File, e *cachedFile) {
	if e == nil {
		r.keep(f)
		return
	}
	r.shared = append(r.shared, e)
}

// isShared reports whether f came from the open-file cache.
func (r *Response) isShared(f *os.File) bool {
	for _, e := range r.shared {
		if e.f == f {
			return true
		}
	}
	return false
}

// mark returns the current end of the scratch buffer; str turns the bytes
// appended since mark into a string without copying. The string stays
// valid until Reset: scratch is only appended to during one request, and
// when append moves it the old array stays alive through the string.
func (r *Response) mark() int { return len(r.scratch) }

func (r *Response) str(mark int) string {
	if mark == len(r.scratch) {
		return ""
	}
	return unsafe.String(&r.scratch[mark], len(r.scratch)-mark)
}

// setData makes b (which may alias r.data) the whole body.
func (r *Response) setData(b []byte) {
	r.Body = append(r.Body[:0], Segment{Data: b})
	r.ContentLength = int64(len(b))
}
