package parser

// Temporary stubs so dependent packages compile while the parser is being
// written. The parser issue replaces this file.

// Parse: see api.go.
func (p *Parser) Parse(buf []byte, req *Request) (int, error) {
	return 0, &Error{Status: 501, Reason: "not_implemented"}
}

// Header: see api.go.
func (r *Request) Header(name string) ([]byte, bool) { return nil, false }

// ChunkedDecoder: see api.go.
type ChunkedDecoder struct {
	MaxExtensionBytes int // total chunk-extension bytes per body; default 4096
	MaxTrailerBytes   int // trailer section bytes; default 8192
}

// Decode: see api.go.
func (d *ChunkedDecoder) Decode(in []byte) (consumed int, data []byte, done bool, err error) {
	return 0, nil, false, &Error{Status: 501, Reason: "not_implemented"}
}

// DecodePath: see api.go.
func DecodePath(dst, p []byte) ([]byte, error) { return p, nil }
