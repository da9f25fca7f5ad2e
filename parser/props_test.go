package parser

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"pgregory.net/rapid"
)

// genRequest is a generated valid request: its bytes (head, body,
// pipelined leftovers) and what Parse must return for it.
type genRequest struct {
	raw     []byte
	headLen int
	want    reqView
}

var (
	genToken    = rapid.StringMatching(`[A-Za-z0-9!#$%&'*+.^_|~-]{1,12}`)
	genRegName  = rapid.StringMatching(`[a-z0-9-]{1,10}(\.[a-z0-9-]{1,10}){0,2}`)
	genPort     = rapid.StringMatching(`(:[0-9]{1,5})?`)
	genPath     = rapid.StringMatching(`/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,30}`)
	genQuery    = rapid.StringMatching(`[A-Za-z0-9=&%/?:@.-]{0,20}`)
	genValue    = rapid.StringMatching(`([!-~\x{80}-\x{ff}]([ \t!-~\x{80}-\x{ff}]{0,30}[!-~\x{80}-\x{ff}])?)?`)
	genOWS      = rapid.SampledFrom([]string{"", "", " ", "\t", " \t "})
	genLeftover = rapid.SliceOfN(rapid.Byte(), 0, 20)
)

// special names are the ones Parse interprets; free fields avoid them.
var special = []string{"host", "content-length", "transfer-encoding", "connection", "expect"}

func drawRequest(t *rapid.T) genRequest {
	version := rapid.SampledFrom([]Version{{1, 0}, {1, 1}, {1, 2}}).Draw(t, "version")
	http11 := version.Minor >= 1
	form := rapid.SampledFrom([]Form{FormOrigin, FormOrigin, FormAbsolute, FormAuthority, FormAsterisk}).Draw(t, "form")
	w := reqView{Version: version, Form: form, Path: "<nil>", Query: "<nil>", Host: "<nil>"}

	switch form {
	case FormAuthority:
		w.Method = "CONNECT"
	case FormAsterisk:
		w.Method = "OPTIONS"
	default:
		w.Method = rapid.OneOf(rapid.SampledFrom([]string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"}), genToken).Draw(t, "method")
		if w.Method == "CONNECT" {
			w.Method = "GET"
		}
	}
	var authority string
	switch form {
	case FormOrigin, FormAbsolute:
		w.Path = genPath.Draw(t, "path")
		w.Target = w.Path
		if rapid.Bool().Draw(t, "hasQuery") {
			w.Query = genQuery.Draw(t, "query")
			w.Target += "?" + w.Query
		}
		if form == FormAbsolute {
			authority = genRegName.Draw(t, "authority") + genPort.Draw(t, "authPort")
			w.Target = rapid.SampledFrom([]string{"http://", "https://", "HTTP://"}).Draw(t, "scheme") + authority + w.Target
		}
	case FormAuthority:
		authority = genRegName.Draw(t, "authority") + ":" + rapid.StringMatching(`[0-9]{1,5}`).Draw(t, "port")
		w.Target = authority
	case FormAsterisk:
		w.Target = "*"
	}

	type line struct{ name, value string }
	var lines []line
	for i, n := 0, rapid.IntRange(0, 8).Draw(t, "nfields"); i < n; i++ {
		name := genToken.Draw(t, "name")
		if slices.Contains(special, strings.ToLower(name)) {
			name = "X-" + name
		}
		lines = append(lines, line{name, genValue.Draw(t, "value")})
	}
	insert := func(name, value string) {
		at := rapid.IntRange(0, len(lines)).Draw(t, "at")
		lines = slices.Insert(lines, at, line{name, value})
	}
	if http11 || rapid.Bool().Draw(t, "host10") {
		host := ""
		if rapid.IntRange(0, 9).Draw(t, "emptyHost") > 0 {
			host = genRegName.Draw(t, "host") + genPort.Draw(t, "hostPort")
		}
		insert(rapid.SampledFrom([]string{"Host", "host", "HOST"}).Draw(t, "hostName"), host)
		w.Host = host
	}
	if authority != "" {
		w.Host = authority
	}
	body := 0
	switch rapid.IntRange(0, 3).Draw(t, "framing") {
	case 1:
		body = rapid.IntRange(0, 20).Draw(t, "cl")
		v := strconv.Itoa(body)
		if rapid.Bool().Draw(t, "clList") {
			v += ", " + v
		}
		insert("Content-Length", v)
		w.Framing, w.ContentLength = FramingLength, int64(body)
	case 2:
		if http11 {
			insert("Transfer-Encoding", rapid.SampledFrom([]string{"chunked", "Chunked", ", chunked"}).Draw(t, "te"))
			w.Framing = FramingChunked
		}
	}
	conn := rapid.SampledFrom([]string{"", "close", "keep-alive", "Keep-Alive, Upgrade", "foo"}).Draw(t, "connection")
	if conn != "" {
		insert("Connection", conn)
	}
	w.KeepAlive = (http11 && !strings.Contains(conn, "close")) || (!http11 && strings.Contains(strings.ToLower(conn), "keep-alive"))
	if http11 && rapid.Bool().Draw(t, "expect") {
		insert("Expect", "100-continue")
		w.Expect100 = true
	}

	var b bytes.Buffer
	b.WriteString(strings.Repeat("\r\n", rapid.IntRange(0, 2).Draw(t, "leading")))
	b.WriteString(w.Method + " " + w.Target + " HTTP/" + strconv.Itoa(int(version.Major)) + "." + strconv.Itoa(int(version.Minor)) + "\r\n")
	for _, l := range lines {
		b.WriteString(l.name + ":" + genOWS.Draw(t, "pre") + l.value + genOWS.Draw(t, "post") + "\r\n")
		w.Fields = append(w.Fields, l.name+": "+l.value)
	}
	b.WriteString("\r\n")
	w.HeadLen = b.Len()
	b.Write(bytes.Repeat([]byte("b"), body))
	b.Write(genLeftover.Draw(t, "leftover"))
	return genRequest{raw: b.Bytes(), headLen: w.HeadLen, want: w}
}

// propRoundTrip: a generated request parses to exactly what was generated
// and the bytes after the head are left alone.
func propRoundTrip(t *rapid.T) {
	g := drawRequest(t)
	orig := slices.Clone(g.raw)
	n, req, err := parseAll(g.raw)
	if err != nil || n != g.headLen {
		t.Fatalf("Parse(%q) = %d, %v; want %d, nil", g.raw, n, err, g.headLen)
	}
	if d := cmp.Diff(g.want, viewOf(req)); d != "" {
		t.Fatalf("Parse(%q) mismatch (-want +got):\n%s", g.raw, d)
	}
	if !bytes.Equal(orig, g.raw) {
		t.Fatalf("Parse(%q) modified its input", orig)
	}
	checkRequestViews(t, g.raw[:len(g.raw):len(g.raw)], req)
}

// propSplit: feeding growing prefixes gives ErrNeedMore until the head is
// complete, then the same result as the whole buffer. The prefixes are
// fresh copies, as after a buffer grows.
func propSplit(t *rapid.T) {
	g := drawRequest(t)
	cuts := rapid.SliceOfN(rapid.IntRange(0, len(g.raw)), 1, 12).Draw(t, "cuts")
	cuts = append(cuts, len(g.raw))
	slices.Sort(cuts)
	var p Parser
	var req Request
	for _, c := range cuts {
		buf := make([]byte, c) // exact cap, so views can be checked
		copy(buf, g.raw)
		n, err := p.Parse(buf, &req)
		if c < g.headLen {
			if err != ErrNeedMore {
				t.Fatalf("Parse(%q) = %d, %v; want ErrNeedMore", buf, n, err)
			}
			continue
		}
		if err != nil || n != g.headLen {
			t.Fatalf("Parse(%q) after splits %v = %d, %v; want %d, nil", buf, cuts, n, err, g.headLen)
		}
		if d := cmp.Diff(g.want, viewOf(&req)); d != "" {
			t.Fatalf("Parse(%q) after splits %v mismatch (-want +got):\n%s", buf, cuts, d)
		}
		checkRequestViews(t, buf, &req)
		return
	}
}

// genGarbage mixes pieces of requests with hostile bytes.
var genGarbage = rapid.Custom(func(t *rapid.T) []byte {
	frags := rapid.SliceOfN(rapid.OneOf(
		rapid.SampledFrom([]string{"GET ", "CONNECT ", "OPTIONS ", "/", "*", "http://h", "[::1]", " HTTP/1.1", " HTTP/1.0", "HTTP/2.0",
			"\r\n", "\r", "\n", " ", "\t", ":", "Host: h", "Host:", "Content-Length: 5", "Content-Length: 1, 2",
			"Transfer-Encoding: chunked", "Transfer-Encoding: gzip", "Connection: close", "Expect: 100-continue", "\x00", "\x7f", "\xff", "%"}),
		rapid.Map(rapid.SliceOfN(rapid.Byte(), 1, 4), func(b []byte) string { return string(b) }),
	), 0, 40).Draw(t, "frags")
	return []byte(strings.Join(frags, ""))
})

func TestPropRoundTrip(t *testing.T) { rapid.Check(t, propRoundTrip) }
func TestPropSplit(t *testing.T)     { rapid.Check(t, propSplit) }
func TestPropGarbage(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) { checkParseInvariants(t, genGarbage.Draw(t, "in")) })
}

// genChunked is a valid chunked body followed by leftovers, with the data
// it carries.
func drawChunked(t *rapid.T) (in, data []byte, rest int) {
	var b bytes.Buffer
	ext := rapid.SampledFrom([]string{"", "", ";a", ";a=b", " ; n = v", `;q="x\"y"`, ";a;b=c"})
	for i, n := 0, rapid.IntRange(0, 5).Draw(t, "chunks"); i < n; i++ {
		chunk := rapid.SliceOfN(rapid.Byte(), 1, 40).Draw(t, "chunk")
		size := strconv.FormatInt(int64(len(chunk)), 16)
		if rapid.Bool().Draw(t, "upper") {
			size = strings.ToUpper(size)
		}
		b.WriteString(strings.Repeat("0", rapid.IntRange(0, 2).Draw(t, "zeros")) + size + ext.Draw(t, "ext") + "\r\n")
		b.Write(chunk)
		b.WriteString("\r\n")
		data = append(data, chunk...)
	}
	b.WriteString(strings.Repeat("0", rapid.IntRange(1, 3).Draw(t, "last")) + ext.Draw(t, "lastExt") + "\r\n")
	for i, n := 0, rapid.IntRange(0, 2).Draw(t, "trailers"); i < n; i++ {
		b.WriteString(genToken.Draw(t, "tname") + ":" + genOWS.Draw(t, "tows") + genValue.Draw(t, "tvalue") + "\r\n")
	}
	b.WriteString("\r\n")
	left := genLeftover.Draw(t, "leftover")
	b.Write(left)
	return b.Bytes(), data, len(left)
}

func propChunkedSplit(t *rapid.T) {
	in, want, rest := drawChunked(t)
	for _, step := range []int{0, rapid.IntRange(1, 9).Draw(t, "step")} {
		data, done, r, err := decodeChunked(in, step)
		if err != nil || !done || r != rest || !bytes.Equal(data, want) {
			t.Fatalf("Decode(%q) steps of %d = %q, done %v, rest %d, %v; want %q, true, %d, nil", in, step, data, done, r, err, want, rest)
		}
	}
}

func TestPropChunkedSplit(t *testing.T) { rapid.Check(t, propChunkedSplit) }

// genChunkedGarbage mixes pieces of chunked framing with hostile bytes.
var genChunkedGarbage = rapid.Custom(func(t *rapid.T) []byte {
	frags := rapid.SliceOfN(rapid.OneOf(
		rapid.SampledFrom([]string{"0", "5", "a", "F", "ffffffffffffffffff", "\r\n", "\r", "\n", ";", "=", "\"", "\\", " ", "\t",
			"x", "hello", "X: y", ":", "\x00", "\xff"}),
		rapid.Map(rapid.SliceOfN(rapid.Byte(), 1, 3), func(b []byte) string { return string(b) }),
	), 0, 30).Draw(t, "frags")
	return []byte(strings.Join(frags, ""))
})

func TestPropChunkedGarbage(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) { checkChunkedInvariants(t, genChunkedGarbage.Draw(t, "in")) })
}
