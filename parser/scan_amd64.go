//go:build amd64 && !purego

package parser

// fieldLine is the block-at-a-time screen for the usual field line at the
// start of b (SSE2, scan_amd64.s): a non-empty name of ALPHA, DIGIT and
// "-" (the tchars real clients use), ':', a value of SP, VCHAR and
// obs-text (no HTAB, no other CTL, no DEL), then CRLF. For such a line it
// returns the name's end, the value's bounds without the SP around it,
// and the offset after the CRLF; for anything else next is 0 and the
// caller takes the byte-by-byte path. On an input of 16 bytes or more the
// result equals fieldLineGeneric's; on a shorter one it may also be the
// all-zero "not taken" (it never reads outside b).
//
//go:noescape
func fieldLine(b []byte) (nameEnd, valueStart, valueEnd, next int)

// targetScan returns the length of the run of request-target bytes
// (cTarget) at the start of b: exact when b has at least 16 bytes, and
// possibly shorter (never longer) otherwise. The reference is
// targetScanGeneric.
//
//go:noescape
func targetScan(b []byte) int
