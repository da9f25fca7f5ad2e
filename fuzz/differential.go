package fuzz

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"net/textproto"
	"strings"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"pgregory.net/rapid"

	"github.com/ferrox/ferrox/parser"
)

// parsedHead is what both parsers agree on for an accepted head: the
// fields the differential check compares.
type parsedHead struct {
	Method  string
	Target  string
	Major   int
	Minor   int
	Host    string
	Close   bool                // connection closes after the response
	Length  int64               // Content-Length; -1 for chunked
	Chunked bool                // chunked transfer coding
	Header  map[string][]string // canonical name -> values in order (framing and Host fields excluded)
}

// skippedFields are left out of the Header comparison:
//   - net/http moves Host into req.Host, Transfer-Encoding into
//     req.TransferEncoding and Trailer into req.Trailer;
//   - net/http collapses repeated identical Content-Length lines into one
//     value (Ferrox reports the lines as sent).
//
// They are compared through Host, Length and Chunked instead.
var skippedFields = map[string]bool{"Host": true, "Transfer-Encoding": true, "Trailer": true, "Content-Length": true}

func ferroxHead(r *parser.Request) parsedHead {
	h := parsedHead{
		Method: string(r.Method), Target: string(r.Target),
		Major: int(r.Version.Major), Minor: int(r.Version.Minor),
		Host: string(r.Host), Close: !r.KeepAlive,
		Header: map[string][]string{},
	}
	switch r.Framing {
	case parser.FramingLength:
		h.Length = r.ContentLength
	case parser.FramingChunked:
		h.Length, h.Chunked = -1, true
	}
	for _, f := range r.Fields() {
		k := textproto.CanonicalMIMEHeaderKey(string(f.Name))
		if !skippedFields[k] {
			h.Header[k] = append(h.Header[k], string(f.Value))
		}
	}
	return h
}

func netHTTPHead(r *http.Request) parsedHead {
	h := parsedHead{
		Method: r.Method, Target: r.RequestURI,
		Major: r.ProtoMajor, Minor: r.ProtoMinor,
		Host: r.Host, Close: r.Close, Length: r.ContentLength,
		Chunked: len(r.TransferEncoding) > 0 && r.TransferEncoding[0] == "chunked",
		Header:  map[string][]string{},
	}
	for k, v := range r.Header {
		if !skippedFields[k] {
			h.Header[k] = v
		}
	}
	return h
}

// allowedDiff is one intended difference between Ferrox and net/http.
// match reports whether the input shows the difference; a failure is
// excused when any rule matches.
type allowedDiff struct {
	name  string
	match func(in []byte, fx *parser.Request, nerr error) bool
}

// Differences where net/http rejects what Ferrox accepts.
var acceptDiffs = []allowedDiff{
	// Ferrox's parser does not percent-decode the target (the static
	// handler does, once, and answers 400 for a malformed escape); net/http
	// decodes the whole URL while reading the request and rejects it.
	{"percent-decoding-deferred", func(_ []byte, _ *parser.Request, nerr error) bool {
		return nerr != nil && strings.Contains(nerr.Error(), "invalid URL escape")
	}},
	// url.ParseRequestURI refuses some targets RFC 9112 §3.2 allows as
	// origin- or absolute-form ("http://[::1]x", ports that are not
	// numbers after a valid authority, ...); the handler judges paths.
	// RFC 9110 §8.6 lets a recipient accept a Content-Length whose value
	// is a list of identical numbers ("5, 5", or "5" and "5, 5" on two
	// lines) as that number; Ferrox does, net/http refuses any comma.
	{"cl-identical-list", func(in []byte, fx *parser.Request, nerr error) bool {
		return nerr != nil && strings.Contains(nerr.Error(), "Content-Length") &&
			fx.Framing == parser.FramingLength && clIsIdenticalList(fx)
	}},
	// RFC 9110 §5.6.1: a recipient ignores empty list elements, so
	// "Transfer-Encoding: ,chunked" is chunked; net/http refuses any value
	// other than exactly "chunked".
	{"te-empty-list-elements", func(_ []byte, fx *parser.Request, nerr error) bool {
		return nerr != nil && strings.Contains(nerr.Error(), "unsupported transfer encoding") &&
			fx.Framing == parser.FramingChunked && teIsChunkedList(fx)
	}},
	{"url-parse-stricter", func(_ []byte, fx *parser.Request, nerr error) bool {
		return nerr != nil && strings.Contains(nerr.Error(), "malformed HTTP request") ||
			nerr != nil && strings.Contains(nerr.Error(), "invalid port") ||
			nerr != nil && strings.Contains(nerr.Error(), "invalid character") && fx.Form == parser.FormAbsolute
	}},
}

// Differences in the parsed fields of a head both accept (none: the
// known ones are normalised away by skippedFields and netHTTPHead).
var fieldDiffs = []allowedDiff{}

// teIsChunkedList reports whether the Transfer-Encoding lines of r,
// joined, hold "chunked" once and otherwise only empty list elements.
func teIsChunkedList(r *parser.Request) bool {
	n := 0
	for _, f := range r.Fields() {
		if !strings.EqualFold(string(f.Name), "Transfer-Encoding") {
			continue
		}
		for _, e := range strings.Split(string(f.Value), ",") {
			switch strings.ToLower(strings.Trim(e, " \t")) {
			case "":
			case "chunked":
				n++
			default:
				return false
			}
		}
	}
	return n == 1
}

// clIsIdenticalList reports whether the Content-Length lines of r hold,
// across all lines and comma-separated elements, one repeated number,
// with at least one comma list among them.
func clIsIdenticalList(r *parser.Request) bool {
	var first string
	n, comma := 0, false
	for _, f := range r.Fields() {
		if !strings.EqualFold(string(f.Name), "Content-Length") {
			continue
		}
		comma = comma || bytes.Contains(f.Value, []byte(","))
		for _, e := range strings.Split(string(f.Value), ",") {
			e = strings.Trim(e, " \t")
			if n == 0 {
				first = e
			} else if e != first {
				return false
			}
			n++
		}
	}
	return comma && n > 1
}

// diffRuleFor returns the first rule in rules matching the input, or "".
func diffRuleFor(rules []allowedDiff, in []byte, fx *parser.Request, nerr error) string {
	for _, r := range rules {
		if r.match(in, fx, nerr) {
			return r.name
		}
	}
	return ""
}

// checkDifferential is the differential property: parse in with Ferrox
// and net/http. Ferrox may reject what net/http accepts (it is stricter
// on purpose: obs-fold, CL+TE, bare LF, whitespace before a colon, bad
// Host characters, versions other than 1.0/1.1, "+5" or empty
// Content-Length, codings other than chunked (501), request smuggling
// vectors in general). Ferrox accepting what net/http refuses, or the two
// disagreeing on a field of an accepted head, fails unless an
// allowedDiff explains it.
func checkDifferential(tb rapid.TB, in []byte) {
	tb.Helper()
	var p parser.Parser
	var req parser.Request
	n, err := p.Parse(in, &req)
	if errors.Is(err, parser.ErrNeedMore) {
		return // incomplete: net/http would report EOF
	}
	if err != nil {
		var pe *parser.Error
		if !errors.As(err, &pe) {
			tb.Fatalf("Parse(%q) error %T %v; want *parser.Error", in, err, err)
		}
		return // Ferrox stricter, or both reject
	}
	if n != req.HeadLen || n > len(in) {
		tb.Fatalf("Parse(%q) = %d; HeadLen = %d, len(in) = %d", in, n, req.HeadLen, len(in))
	}
	// net/http reads only the head here: give it exactly the head, so a
	// body or pipelined bytes cannot change its answer.
	nr, nerr := http.ReadRequest(bufio.NewReader(bytes.NewReader(in[:n])))
	if nerr != nil {
		if rule := diffRuleFor(acceptDiffs, in, &req, nerr); rule != "" {
			return
		}
		tb.Fatalf("Ferrox accepts %q (head %d bytes); net/http rejects it: %v", in, n, nerr)
	}
	want, got := netHTTPHead(nr), ferroxHead(&req)
	// net/http adds "Cache-Control: no-cache" to a request carrying
	// "Pragma: no-cache" without Cache-Control (HTTP/1.0 compatibility,
	// RFC 7234 §5.4); Ferrox reports the fields as sent.
	if _, sent := got.Header["Cache-Control"]; !sent && got.Header["Pragma"] != nil {
		delete(want.Header, "Cache-Control")
	}
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		if rule := diffRuleFor(fieldDiffs, in, &req, nil); rule != "" {
			return
		}
		tb.Fatalf("Parse(%q): Ferrox and net/http disagree (-net/http +ferrox):\n%s", in, d)
	}
}
