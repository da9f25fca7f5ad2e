// Package static is Ferrox's static-file handler: it maps a parsed request
// onto a directory tree opened with os.Root and fills a Response that the
// connection engine (package server) writes to the wire.
//
// # Contract with the connection engine
//
// The engine owns one Response per connection. Before each request it
// calls Reset, then Handler.Serve (or Handler.ErrorResponse / ErrorPage when
// the parser rejected the head), writes the response, then calls Release.
//
//   - Status is the status code. Header holds only handler-specific fields
//     (Content-Type, ETag, Last-Modified, Accept-Ranges, Content-Range,
//     Location, Allow, Vary, Content-Encoding, Cache-Control). The engine adds
//     Date, Server, Content-Length and Connection itself.
//   - ContentLength is the exact length of the body the response describes
//     (the sum of the Body segments). For HEAD the handler fills the headers
//     and ContentLength exactly as it would for GET and sets NoBody (RFC 9110
//     §9.3.2, §8.6). For 304 it sets NoBody and the engine sends no
//     Content-Length (RFC 9110 §15.4.5 lets it be omitted; we choose to).
//     For 204 (OPTIONS) ContentLength is 0, Body is empty, and the engine
//     must not send Content-Length (RFC 9110 §8.6).
//   - Body is a list of Segments, each either Data bytes or N bytes of File
//     starting at Off. File segments are meant for sendfile. A File with
//     Shared false was opened for this response alone, so the engine may
//     Seek to Off and copy N bytes; it must not assume the current offset
//     (a multipart body names one file several times). A File with Shared
//     true comes from the open-file cache and may be in use by other
//     connections at the same moment: the engine must read it only
//     positionally (ReadAt), never through its offset. Shared files are at
//     most 32 KiB.
//   - Close asks the engine to close the connection after this response.
//   - Header values and Data slices may alias buffers owned by the Response
//     (so the hot path does not allocate): they are valid until the next
//     Reset. Files referenced by segments stay open until Release.
//
// # Path safety
//
// A request path is percent-decoded once (parser.DecodePathStrict); NUL,
// control bytes, a backslash (raw or %5C) and an encoded slash (%2F) are
// rejected with 400; the result
// is cleaned as path.Clean("/"+p), must pass filepath.IsLocal, and is opened
// only through os.Root, so neither ".." nor a symlink can leave the root.
// Any segment beginning with '.' is answered 404 unless Config.Dotfiles.
//
// # Methods
//
// GET and HEAD are served; OPTIONS gets 204 with Allow (also for
// "OPTIONS *"); POST, PUT, DELETE, PATCH, TRACE and CONNECT get 405 with
// Allow (RFC 9110 §15.5.6); any other method gets 501 (RFC 9110 §9.1).
// Method names are case-sensitive (RFC 9110 §9.1).
//
// # Precompressed siblings
//
// For compressible types (text, JSON, XML, JavaScript, SVG, wasm…) the
// handler serves file.br or file.gz when Accept-Encoding allows it (br
// first on equal weight, q=0 refuses), with Content-Encoding, the
// original's Content-Type, an ETag of its own and Vary: Accept-Encoding
// (also on the identity response whenever a sibling exists). Which
// siblings exist is cached per file for one second (or until the
// original's modification time changes).
//
// # Open-file cache
//
// A regular file of at most 32 KiB stays open for Config.OpenFileCache
// (default 1 s, as a YAML key files.open_file_cache) after it was opened,
// and later requests for the same name reuse the descriptor (filecache.go):
// one fstat per request instead of openat, fstat and close. The fstat on
// every use keeps Content-Length, Last-Modified and the ETag right for a
// file changed in place; a file deleted or replaced by a rename is served
// from its old inode until the entry expires. Entries are reference
// counted, so a descriptor is closed only when no response uses it, and a
// timer closes expired entries once traffic stops. nginx has the same
// trade-off in open_file_cache (off there by default).
//
// # Ranges
//
// Range is honoured for GET only (RFC 9110 §14.2). More than 16 ranges are
// ignored (the whole file is sent with 200); overlapping or adjacent ranges
// are sorted and coalesced, which may yield a single-part 206.
package static
