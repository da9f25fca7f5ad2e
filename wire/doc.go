// Package wire is the vocabulary the connection engine (package server)
// and its handlers (such as server/static) share: the Response a handler
// fills and the engine writes, the one status-text table, the error
// pages and the one function that writes an error (Error), and the
// formatting of a response head (AppendHead). It sits below both, and
// imports only the parser and the standard library.
//
// # Contract with the connection engine
//
// The engine owns one Response per connection. Before each request it
// calls Reset, then the handler's Serve (or, when the parser rejected the
// head, the handler's ErrorResponse if it has one, else Error with no
// custom pages), writes the response with AppendHead and the body, then
// calls Release.
//
//   - Status is the status code. Header holds only handler-specific fields
//     (Content-Type, ETag, Last-Modified, Accept-Ranges, Content-Range,
//     Location, Allow, Vary, Content-Encoding, Cache-Control). AppendHead
//     adds Date, Server, the configured fields the handler did not set,
//     Content-Length and Connection itself, and drops a field whose name
//     is no token or whose value could split the message (RFC 9112 §11.1).
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
//     true comes from an open-file cache and may be in use by other
//     connections at the same moment: the engine must read it only
//     positionally (ReadAt), never through its offset. Shared files are at
//     most 32 KiB.
//   - Close asks the engine to close the connection after this response.
//   - Header values and Data slices may alias the Response's arenas
//     (AppendScratch, AppendData), so the hot path does not allocate: they
//     are valid until the next Reset. What the handler registered with
//     Keep (opened files, references to shared ones) stays open until
//     Release.
//
// # Errors
//
// Error is the one place an error response is made, for the engine's
// rejections and the handler's 4xx and 5xx alike: the built-in page of
// the status (ErrorPage), or a custom page from a PageSource, with
// HTMLType or the custom page's type. StatusText is the one table of
// reason phrases.
package wire
