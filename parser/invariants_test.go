package parser

import (
	"bytes"
	"errors"
	"strconv"

	"github.com/google/go-cmp/cmp"
)

// Property bodies shared by the rapid checks, the native fuzz targets and
// the corpus ("one property, many runners").

// failer is what the properties need from a test: testing.TB and
// *rapid.T both have it.
type failer interface {
	Fatalf(format string, args ...any)
}

func helper(tb failer) {
	if h, ok := tb.(interface{ Helper() }); ok {
		h.Helper()
	}
}

// inside reports whether v is nil or a view into in, where cap(in) ==
// len(in): then v = in[a:b] means cap(v) = len(in)-a, and the address of
// in[a] must be v's.
func inside(in, v []byte) bool {
	if v == nil {
		return true
	}
	a := len(in) - cap(v)
	if a < 0 || a+len(v) > len(in) {
		return false
	}
	if cap(v) == 0 {
		return true
	}
	return &v[:1][0] == &in[a]
}

// checkRequestViews fails tb unless every view of req lies inside in.
func checkRequestViews(tb failer, in []byte, req *Request) {
	helper(tb)
	for _, v := range [][]byte{req.Method, req.Target, req.Path, req.Query, req.Host} {
		if !inside(in, v) {
			tb.Fatalf("Parse(%q): view %q is not inside the input", in, v)
		}
	}
	for _, f := range req.Fields() {
		if !inside(in, f.Name) || !inside(in, f.Value) {
			tb.Fatalf("Parse(%q): field %q: %q is not inside the input", in, f.Name, f.Value)
		}
	}
}

// serialize writes req back in the plain form: method SP target SP version
// CRLF, "name: value" CRLF per field, CRLF.
func serialize(req *Request) []byte {
	var b bytes.Buffer
	b.Write(req.Method)
	b.WriteByte(' ')
	b.Write(req.Target)
	b.WriteString(" HTTP/" + strconv.Itoa(int(req.Version.Major)) + "." + strconv.Itoa(int(req.Version.Minor)) + "\r\n")
	for _, f := range req.Fields() {
		b.Write(f.Name)
		b.WriteString(": ")
		b.Write(f.Value)
		b.WriteString("\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// outcome is what a parse of some input amounted to.
type outcome struct {
	N      int
	Err    string // "" accepted, "need_more", or "status reason"
	Status int
	View   reqView
}

func outcomeOf(n int, req *Request, err error) outcome {
	var pe *Error
	switch {
	case err == nil:
		return outcome{N: n, View: viewOf(req)}
	case err == ErrNeedMore:
		return outcome{Err: "need_more"}
	case errors.As(err, &pe):
		return outcome{Err: strconv.Itoa(pe.Status) + " " + pe.Reason, Status: pe.Status}
	}
	return outcome{Err: "untyped: " + err.Error()}
}

// checkParseInvariants is the parser's main property over arbitrary bytes:
//   - Parse never panics and answers need-more, a request, or *Error;
//   - an accepted request's views lie inside the input;
//   - an accepted request re-serialises to bytes that parse to the same
//     request;
//   - feeding the input one byte more per call gives the same outcome
//     (accepted identically, or rejected with the same status and reason).
func checkParseInvariants(tb failer, in []byte) {
	helper(tb)
	in = in[:len(in):len(in)]
	var p Parser
	req := new(Request)
	n, err := p.Parse(in, req)
	whole := outcomeOf(n, req, err)
	if whole.Err != "" && whole.Err != "need_more" && whole.Status == 0 {
		tb.Fatalf("Parse(%q) = %v; want ErrNeedMore or *Error", in, err)
	}
	if err == nil {
		if n <= 0 || n > len(in) || req.HeadLen != n {
			tb.Fatalf("Parse(%q) = %d (HeadLen %d); out of range", in, n, req.HeadLen)
		}
		checkRequestViews(tb, in, req)
		re := serialize(req)
		n2, req2, err2 := parseAll(re)
		if err2 != nil || n2 != len(re) {
			tb.Fatalf("re-serialised %q from %q: Parse = %d, %v", re, in, n2, err2)
		}
		want := viewOf(req)
		want.HeadLen = len(re)
		if d := cmp.Diff(want, viewOf(req2)); d != "" {
			tb.Fatalf("re-serialised %q from %q parses differently (-first +second):\n%s", re, in, d)
		}
	}
	if len(in) <= 4096 {
		n3, req3, err3 := parseTrickle(in)
		if d := cmp.Diff(whole, outcomeOf(n3, req3, err3)); d != "" {
			tb.Fatalf("Parse(%q) whole vs one byte at a time (-whole +trickle):\n%s", in, d)
		}
	}
}

// decodeChunked feeds in to a fresh decoder in pieces of at most step
// bytes (0: all at once) and returns the data, done and the error.
func decodeChunked(in []byte, step int) (data []byte, done bool, rest int, err error) {
	in = in[:len(in):len(in)]
	var d ChunkedDecoder
	pos := 0
	end := 0
	for pos < len(in) {
		if step == 0 {
			end = len(in)
		} else {
			end = min(len(in), max(end, pos)+step)
		}
		for pos < end {
			n, b, dn, e := d.Decode(in[pos:end])
			if e != nil {
				return data, false, 0, e
			}
			if !inside(in, b) {
				return data, false, 0, errors.New("data view outside the input")
			}
			data = append(data, b...)
			pos += n
			if dn {
				return data, true, len(in) - pos, nil
			}
			if n == 0 {
				break // wants more than in[pos:end]
			}
		}
	}
	return data, false, 0, nil
}

// checkChunkedInvariants: decoding in whole and one byte at a time agree
// (data, done, bytes left after the body, error status and reason).
func checkChunkedInvariants(tb failer, in []byte) {
	helper(tb)
	type res struct {
		Data string
		Done bool
		Rest int
		Err  string
	}
	run := func(step int) res {
		data, done, rest, err := decodeChunked(in, step)
		r := res{Data: string(data), Done: done, Rest: rest}
		var ce *Error
		if err != nil {
			if !errors.As(err, &ce) {
				tb.Fatalf("Decode(%q): untyped error %v", in, err)
			}
			r = res{Err: strconv.Itoa(ce.Status) + " " + ce.Reason}
		}
		return r
	}
	whole := run(0)
	for _, step := range []int{1, 2, 7} {
		if d := cmp.Diff(whole, run(step)); d != "" {
			tb.Fatalf("Decode(%q) whole vs steps of %d (-whole +split):\n%s", in, step, d)
		}
	}
}
