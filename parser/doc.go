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
// The Parser remembers the offset it has examined and the start of the
// current incomplete line; a call that brings no new line end only looks at
// the new bytes (bare CR, limits), so a head trickled one byte at a time
// costs O(bytes × lines), not O(bytes²). Whatever the split, an accepted head
// yields the same Request as parsing the whole buffer, and a head rejected
// whole is rejected split.
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
//   - Request-target: visible ASCII only (no obs-text, no CTL).
//   - obs-fold (§5.2): rejected (400 obs_fold); a whitespace-led line right
//     after the request-line is 400 leading_whitespace (§2.2).
//   - Whitespace before a field colon: 400 space_before_colon (§5.1 MUST).
//   - Versions: HTTP/1.0 and 1.1; 1.2–1.9 are treated as 1.1 (Version keeps
//     what was sent); major 0 and 2–9 → 505; anything else → 400.
//   - Host (§3.2): required once for 1.1 (also with absolute-form, whose
//     authority then wins); an empty Host value is valid (RFC 3986 allows an
//     empty reg-name); userinfo is rejected; IPv6 literals are checked for
//     their character set only.
//   - Content-Length (§6.3): 1*DIGIT, an identical comma list or identical
//     repeated lines collapse; anything else is 400.
//   - Transfer-Encoding (§6.1, §6.3): chunked must be the final coding and
//     appear once (else 400); any other coding is 501 since Ferrox decodes
//     none; parameters on chunked are 400; CL with TE is 400 (the server
//     closes); TE in an HTTP/1.0 request is 400.
//   - Expect: 100-continue sets Expect100 for 1.1 only; other values set
//     ExpectOther so the server can answer 417.
//   - Chunked (§7.1): chunk-size is 1*HEXDIG without prefix, sign or
//     spaces; BWS is accepted only around chunk-extension ";" and "=", as the
//     grammar allows; extensions are validated and capped; trailers are
//     validated like fields, capped and dropped, never merged.
package parser
