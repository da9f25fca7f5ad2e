// Package parser is Ferrox's strict, zero-copy HTTP/1.1 request parser
// (RFC 9112). It works on the caller's []byte and returns views into it.
//
// Lifetime rule: every []byte in a Request or Field is a view into the
// buffer passed to Parser.Parse (and every data slice from
// ChunkedDecoder.Decode a view into its input). The views are valid until
// the caller overwrites or reuses that buffer (for a connection: until the
// next read into it). Copy what must outlive that. Tests enforce the rule:
// every view must lie inside the input.
//
// Package parser imports only the standard library and never allocates
// while accepting a request (rejections allocate one *Error).
//
// # Incremental input
//
// Parse returns ErrNeedMore while the buffer holds a valid prefix of a head.
// The Parser remembers the offset it has examined and where the current
// incomplete line starts; a call that brings no new line end checks only
// the new bytes of that line, and a whole-head pass runs only when a line
// is completed, so a head trickled one byte at a time costs
// O(bytes × lines), not O(bytes²) (BenchmarkParseTrickle).
//
// Every check reports the first problem in byte order (a limit counts as a
// problem at the byte where it is exceeded), also in an incomplete line, so
// garbage is refused as soon as it arrives and the outcome never depends on
// how the input was split: an accepted head gives the same Request, a
// rejected one the same status and reason (checkParseInvariants, run by
// FuzzParse and the rapid properties, asserts it).
//
// # Fast paths
//
// The usual field line (a name of letters, digits and '-', a value of
// SP, VCHAR and obs-text, CRLF) and the request-target are screened 16
// bytes at a time by SSE2 assembly on amd64 (scan_amd64.s; GOAMD64=v1 is
// enough). Build tag purego, and every other architecture, use the Go
// versions in scan.go, which are also the oracle the assembly is tested
// against over every byte value at every position (scan_test.go,
// FuzzFieldLine). A fast path only ever takes a line the byte-by-byte
// path would accept with the same result; everything else goes that way.
//
// # Leniency choices (the strict profile)
//
// RFC 9112 leaves several points to the recipient; Ferrox picks the strict
// side, except where the RFC asks for tolerance:
//
//   - Bare LF (§2.2 MAY accept): rejected everywhere, head and chunked
//     framing (400 bare_lf); erratum 7633 also forbids it in chunked.
//   - Bare CR (§2.2): always 400 bare_cr, detected as soon as the byte after
//     it arrives.
//   - Leading empty lines before the request-line (§2.2 SHOULD ignore):
//     skipped, counted in HeadLen and in the head limit.
//   - Whitespace between request-line parts (§3 MAY split on any
//     whitespace): only one SP is accepted; HTAB, VT, FF, double SP → 400.
//   - Request-target: visible ASCII only (no obs-text, no CTL), and none of
//     '"', '<', '>', '#' (not URI characters / a fragment; §3.2). Browsers
//     always percent-encode these four; '|', '^', '{', '}', '`' and '\'
//     are accepted because conforming clients send some of them raw.
//   - obs-fold (§5.2): rejected (400 obs_fold); a whitespace-led line right
//     after the request-line is 400 leading_whitespace (§2.2).
//   - Whitespace before a field colon: 400 space_before_colon (§5.1 MUST).
//   - Versions: HTTP/1.0 and 1.1; 1.2–1.9 are treated as 1.1 (Version keeps
//     what was sent); major 0 and 2–9 → 505; anything else → 400.
//   - Host (§3.2): required once for 1.1 (also with absolute-form, whose
//     authority then wins); an empty Host value is valid (RFC 3986 allows an
//     empty reg-name); userinfo is rejected; IP literals must follow RFC
//     3986's IPv6address/IPvFuture grammar (no zone ids).
//   - Request-target forms (§3.2): absolute-form only with the http and
//     https schemes (case-insensitive) and a non-empty host; authority-form
//     (host ":" port) only with CONNECT, which accepts nothing else;
//     asterisk-form only with OPTIONS. The target is not decoded here (see
//     DecodePath and DecodePathStrict).
//   - Content-Length (§6.3): 1*DIGIT up to the int64 range; an identical
//     comma list or identical repeated lines collapse; anything else
//     (sign, hex, inner space, empty element, differing values) is 400.
//   - Transfer-Encoding (§6.1, §6.3): chunked must be the final coding and
//     appear once (else 400); any other coding is 501 since Ferrox decodes
//     none; parameters on chunked are 400; CL with TE is 400 (the server
//     closes); TE in an HTTP/1.0 request is 400.
//   - Expect: 100-continue sets Expect100 for 1.1 only; other values set
//     ExpectOther so the server can answer 417.
//   - Limits: a head over MaxHeadBytes or with more than MaxFields lines is
//     431, a longer target 414, a longer method 501; leading empty lines
//     count toward the head.
//   - Chunked (§7.1): chunk-size is 1*HEXDIG without prefix, sign or
//     spaces; BWS is accepted only around chunk-extension ";" and "=", as the
//     grammar allows; extensions are validated and capped; trailers are
//     validated like fields, capped and dropped, never merged.
package parser
