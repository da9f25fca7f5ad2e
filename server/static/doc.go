// Package static is Ferrox's static-file handler: it maps a parsed request
// onto a directory tree opened with os.Root and fills a wire.Response that
// the connection engine (package server) writes.
//
// # Responses
//
// Serve fills a *wire.Response under the contract documented in package
// wire. Every error status goes through wire.Error, with the configured
// error pages (Config.ErrorPages) as its page source; ErrorResponse gives
// the engine the same answer for requests the parser rejected. A file the
// response sends stays registered with wire.Response.Keep until Release;
// a file from the open-file cache is kept as its cache entry, whose Close
// gives the reference back, and is marked Shared in its segments.
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
// # Content codings
//
// Accept-Encoding is read with its q-values (RFC 9110 §12.5.3; q=0
// refuses, "*" covers what is not listed, identity stays acceptable unless
// refused). The candidates are the precompressed siblings that exist
// (file.br, file.zst, file.gz; looked for only for compressible types, and
// cached per file for one second or until the original's modification
// time changes) and, when Config.Compress is on, zstd and gzip made on
// the fly for the configured types and sizes (compress.go). The highest
// weight wins; on equal weights a sibling beats an on-the-fly coding
// (br, zstd, gzip), zstd beats gzip, and any coding beats identity. An
// encoded response has Content-Encoding, the original's Content-Type and
// an ETag of its own (the sibling's size and time, or the original's
// with the coding and level), and every response of a resource with more
// than one representation has Vary: Accept-Encoding, the identity ones
// and 304s too. On-the-fly encodings are made whole in memory and kept in
// an LRU cache under a byte budget (compcache.go), so Content-Length,
// HEAD, Range (over the encoded bytes) and 304 are exact; an If-Range
// date does not validate them (only their ETag does).
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
