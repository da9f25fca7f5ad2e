package parser

// Version is an HTTP version as two single digits (RFC 9112 §2.3).
type Version struct{ Major, Minor uint8 }

// Form is the form of a request-target (RFC 9112 §3.2).
type Form uint8

const (
	FormOrigin    Form = iota // "/path?query"        (§3.2.1)
	FormAbsolute              // "http://host/path"    (§3.2.2)
	FormAuthority             // "host:port", CONNECT  (§3.2.3)
	FormAsterisk              // "*", OPTIONS only     (§3.2.4)
)

// FramingKind says how the request body is delimited (RFC 9112 §6.3).
type FramingKind uint8

const (
	FramingNone    FramingKind = iota // no body
	FramingLength                     // Content-Length bytes
	FramingChunked                    // chunked transfer coding
)

// Field is one field line: name and value are views, the value with
// surrounding OWS trimmed (RFC 9112 §5.1).
type Field struct{ Name, Value []byte }

// MaxFields is the capacity of the fixed header list.
const MaxFields = 128

// Request is a parsed request head. All byte slices are views (see the
// package lifetime rule). Reuse one Request per connection; Parse resets it.
type Request struct {
	Method  []byte
	Target  []byte // the raw request-target as sent
	Form    Form
	Path    []byte // raw (undecoded) path; nil for authority and asterisk forms; empty (meaning "/") for "http://h"
	Query   []byte // after '?', without it; nil when there is no '?'
	Host    []byte // authority in effect: the absolute- or authority-form target's authority if any, else the Host value (nil without Host, empty for "Host:")
	Version Version

	Framing       FramingKind
	ContentLength int64 // valid when Framing == FramingLength

	// KeepAlive is the persistence decision from the version and the
	// Connection tokens (RFC 9112 §9.3): true when the connection may stay
	// open after this request's response.
	KeepAlive bool
	// Expect100 is set for "Expect: 100-continue" in an HTTP/1.1 request
	// (RFC 9110 §10.1.1; a 1.0 request's Expect is ignored).
	Expect100 bool
	// ExpectOther is set when an HTTP/1.1 request's Expect field holds
	// anything other than 100-continue; the server may answer 417.
	ExpectOther bool

	HeadLen int // bytes of the head including the final CRLF CRLF (and any leading empty lines)

	fields  [MaxFields]Field
	nfields int
}

// Fields returns the field lines in order (a view of the fixed array).
func (r *Request) Fields() []Field { return r.fields[:r.nfields] }

// Limits bound a request head. A zero field means the default in its comment.
type Limits struct {
	MaxHeadBytes int // whole head incl. request-line; default 16384 → 431 (or 414 while still in the target)
	MaxFields    int // field lines; default and cap MaxFields (128) → 431
	MaxTargetLen int // request-target bytes; default 8192 → 414
	MaxMethodLen int // method bytes; default 32 → 501
}

// Parser parses request heads incrementally. The zero value is ready, with
// default limits. A Parser remembers how far it has scanned the buffer so a
// head that arrives in pieces is not rescanned from the start. Parse resets
// it after a complete head or a rejection; call Reset to abandon a head
// that is still incomplete.
type Parser struct {
	Limits Limits

	// Scan state kept between calls that return ErrNeedMore (offsets into
	// the buffer, never views, so the caller may grow or move the buffer).
	lead      int   // bytes of leading empty lines already skipped (§2.2)
	lineStart int   // start of the incomplete line at the end of the buffer
	scanned   int   // bytes already examined; 0 means "no state"
	line      int   // the incomplete line: 0 request-line, n the n-th field line
	inValue   bool  // field line: its colon has been seen
	rlPhase   uint8 // request-line: 0 method, 1 target, 2 version
	rlMark    int   // request-line: where the current part starts
}

// Reset forgets any partial scan state.
func (p *Parser) Reset() {
	p.lead, p.lineStart, p.scanned, p.line, p.inValue = 0, 0, 0, 0, false
	p.rlPhase, p.rlMark = 0, 0
}

// Parse, Header: parse.go and fields.go. ChunkedDecoder: chunked.go.
// DecodePath, DecodePathStrict: path.go.
