package fuzz

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"pgregory.net/rapid"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/wire"
)

var contentRange = regexp.MustCompile(`^bytes ([0-9]+)-([0-9]+)/([0-9]+)$`)

// checkStaticResponse serves the raw request with the handler of e and
// checks the Range and conditional invariants: segments lie inside their
// files and add up to Content-Length; a 206 body is exactly the file
// bytes its Content-Range(s) name, inside the file (multipart parts
// parsed with mime/multipart); 206/416 only answer a Range, 304 only an
// If-None-Match or If-Modified-Since, 412 only an If-Match or
// If-Unmodified-Since.
func (e *pathEnv) checkStaticResponse(tb rapid.TB, raw []byte) {
	tb.Helper()
	req, resp, ok := e.serve(tb, raw)
	if !ok {
		return
	}
	defer resp.Release()
	body := responseBody(tb, resp)
	e.checkNoEscape(tb, raw, resp, body)
	has := func(name string) bool { _, ok := req.Header(name); return ok }
	switch resp.Status {
	case 304:
		if !has("If-None-Match") && !has("If-Modified-Since") {
			tb.Fatalf("Serve(%q) = 304 without If-None-Match or If-Modified-Since", raw)
		}
		if !resp.NoBody {
			tb.Fatalf("Serve(%q) = 304 with a body", raw)
		}
	case 412:
		if !has("If-Match") && !has("If-Unmodified-Since") {
			tb.Fatalf("Serve(%q) = 412 without If-Match or If-Unmodified-Since", raw)
		}
	case 416:
		if !has("Range") {
			tb.Fatalf("Serve(%q) = 416 without Range", raw)
		}
		if !regexp.MustCompile(`^bytes \*/[0-9]+$`).MatchString(resp.Get("Content-Range")) {
			tb.Fatalf("Serve(%q) = 416 with Content-Range %q; want bytes */SIZE", raw, resp.Get("Content-Range"))
		}
	case 206:
		if !has("Range") || string(req.Method) != "GET" {
			tb.Fatalf("Serve(%q) = 206 for %s without Range", raw, req.Method)
		}
		e.check206(tb, raw, req, resp, body)
	}
}

// fileOf returns the content of the file a 206 response sends.
func fileOf(tb rapid.TB, resp *wire.Response) []byte {
	tb.Helper()
	for _, seg := range resp.Body {
		if seg.File != nil {
			b, err := os.ReadFile(seg.File.Name())
			if err != nil {
				tb.Fatalf("read %s: %v", seg.File.Name(), err)
			}
			return b
		}
	}
	return nil
}

func checkPart(tb rapid.TB, raw []byte, cr string, part, file []byte) {
	tb.Helper()
	m := contentRange.FindStringSubmatch(cr)
	if m == nil {
		tb.Fatalf("Serve(%q): Content-Range %q; want bytes FIRST-LAST/SIZE", raw, cr)
	}
	first, _ := strconv.ParseInt(m[1], 10, 64)
	last, _ := strconv.ParseInt(m[2], 10, 64)
	size, _ := strconv.ParseInt(m[3], 10, 64)
	if size != int64(len(file)) || first > last || last >= size {
		tb.Fatalf("Serve(%q): Content-Range %q outside the %d-byte file", raw, cr, len(file))
	}
	if !bytes.Equal(part, file[first:last+1]) {
		tb.Fatalf("Serve(%q): part for %q = %q; want %q", raw, cr, part, file[first:last+1])
	}
}

func (e *pathEnv) check206(tb rapid.TB, raw []byte, req *parser.Request, resp *wire.Response, body []byte) {
	tb.Helper()
	file := fileOf(tb, resp)
	if file == nil && resp.Get("Content-Encoding") != "" {
		// Encoded on the fly (in memory): the ranges are over the encoded
		// bytes, which the same request without Range gets whole.
		file = e.wholeEncoding(tb, raw, req, resp.Get("ETag"))
	}
	ct := resp.Get("Content-Type")
	mt, params, _ := mime.ParseMediaType(ct)
	if mt != "multipart/byteranges" {
		checkPart(tb, raw, resp.Get("Content-Range"), body, file)
		return
	}
	if resp.Get("Content-Range") != "" {
		tb.Fatalf("Serve(%q): multipart 206 with a top-level Content-Range", raw)
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	n := 0
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatalf("Serve(%q): multipart body: %v", raw, err)
		}
		part, err := io.ReadAll(p)
		if err != nil {
			tb.Fatalf("Serve(%q): multipart part: %v", raw, err)
		}
		checkPart(tb, raw, textproto.MIMEHeader(p.Header).Get("Content-Range"), part, file)
		n++
	}
	if n < 2 {
		tb.Fatalf("Serve(%q): multipart/byteranges with %d parts; want >= 2", raw, n)
	}
}

// wholeEncoding returns the whole encoded representation req's Range
// applied to: the body of a GET of the same target with the same
// Accept-Encoding and no Range, which must carry the same ETag.
func (e *pathEnv) wholeEncoding(tb rapid.TB, raw []byte, req *parser.Request, etag string) []byte {
	tb.Helper()
	ae, _ := req.Header("Accept-Encoding")
	_, full, ok := e.serve(tb, []byte("GET "+string(req.Target)+" HTTP/1.1\r\nHost: a\r\nAccept-Encoding: "+string(ae)+"\r\n\r\n"))
	if !ok || full.Status != 200 || full.Get("ETag") != etag {
		tb.Fatalf("Serve(%q): the whole encoding could not be fetched", raw)
	}
	defer full.Release()
	return responseBody(tb, full)
}

// rangeFiles are the files range requests go to (precompressed sibling
// included: style.css has style.css.gz).
var rangeFiles = []string{"/big.txt", "/a.txt", "/empty.txt", "/style.css", "/dir/b.txt"}

// validators returns the ETag and Last-Modified the handler gives path.
func (e *pathEnv) validators(tb TB, path string) (etag, lastMod string) {
	tb.Helper()
	_, resp, ok := e.serve(tb, []byte("GET "+path+" HTTP/1.1\r\nHost: a\r\n\r\n"))
	if !ok || resp.Status != 200 {
		tb.Fatalf("GET %s failed", path)
	}
	defer resp.Release()
	return resp.Get("ETag"), resp.Get("Last-Modified")
}

// rangeRequest builds a GET of one of rangeFiles with the Range value v;
// sel picks the file, an If-Range (none, the current ETag, a stale one,
// the Last-Modified date) and Accept-Encoding.
func (e *pathEnv) rangeRequest(v []byte, sel byte, etag, lastMod string) []byte {
	var b bytes.Buffer
	b.WriteString("GET " + rangeFiles[int(sel)%len(rangeFiles)] + " HTTP/1.1\r\nHost: a\r\nRange: ")
	b.Write(v)
	b.WriteString("\r\n")
	switch sel / 8 % 4 {
	case 1:
		b.WriteString("If-Range: " + etag + "\r\n")
	case 2:
		b.WriteString("If-Range: \"stale\"\r\n")
	case 3:
		b.WriteString("If-Range: " + lastMod + "\r\n")
	}
	if sel&0x20 != 0 {
		b.WriteString("Accept-Encoding: gzip\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

var rangeSeeds = []string{
	"bytes=0-0", "bytes=0-3,10-20", "bytes=-5", "bytes=5-", "bytes=0-3,2-9,50-60,-1", "bytes=100000-",
	"bytes=-0", "bytes=1-0", "BYTES=0-1", "bytes=0-1,,2-3", "bytes= 0-1 , 4-5", "items=0-1",
	"bytes=99999999999999999999-", "bytes=0-99999999999999999999", "bytes=-99999999999999999999",
	"bytes=0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1,0-1",
}

func newRangeEnv(tb TB) *pathEnv {
	tb.Helper()
	e := newPathEnv(tb)
	// Make style.css.gz younger than style.css so it is a valid sibling.
	_ = os.Chtimes(filepath.Join(e.site.Root, "style.css.gz"), fileTimeLater, fileTimeLater)
	return e
}

// rangeFixture is what the Range and conditional targets share: the
// site and the validators of /big.txt.
type rangeFixture struct {
	env           *pathEnv
	etag, lastMod string
}

func newRangeFixture(tb TB) rangeFixture {
	e := newRangeEnv(tb)
	etag, lastMod := e.validators(tb, "/big.txt")
	return rangeFixture{e, etag, lastMod}
}

// condHeaders are the conditional fields FuzzConditional seeds combine.
func condSeeds(etag, lastMod string) []string {
	return []string{
		"If-None-Match: " + etag, "If-None-Match: *", "If-None-Match: W/" + etag + ", \"x\"",
		"If-Match: " + etag, "If-Match: \"nope\"", "If-Match: *", "If-Match: W/" + etag,
		"If-Modified-Since: " + lastMod, "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT",
		"If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT", "If-Unmodified-Since: " + lastMod,
		"If-Modified-Since: garbage", "If-Range: " + etag + "\r\nRange: bytes=0-5",
		"If-None-Match: " + etag + "\r\nIf-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT",
	}
}

// propRange: generated Range values (lists of first-last, first- and
// -suffix specs with numbers around the file sizes) keep the 206
// invariants.
func propRange(e *pathEnv, etag, lastMod string) func(*rapid.T) {
	num := rapid.OneOf(rapid.Int64Range(0, 20), rapid.Int64Range(0, 9000), rapid.SampledFrom([]int64{8191, 8192, 8193, 1 << 62}))
	return func(t *rapid.T) {
		n := rapid.IntRange(1, 6).Draw(t, "specs")
		specs := make([]string, n)
		for i := range specs {
			a, b := num.Draw(t, "first"), num.Draw(t, "last")
			switch rapid.IntRange(0, 2).Draw(t, "form") {
			case 0:
				specs[i] = strconv.FormatInt(a, 10) + "-" + strconv.FormatInt(b, 10)
			case 1:
				specs[i] = strconv.FormatInt(a, 10) + "-"
			default:
				specs[i] = "-" + strconv.FormatInt(b, 10)
			}
		}
		v := "bytes=" + strings.Join(specs, rapid.SampledFrom([]string{",", ", ", " ,"}).Draw(t, "sep"))
		e.checkStaticResponse(t, e.rangeRequest([]byte(v), rapid.Byte().Draw(t, "sel"), etag, lastMod))
	}
}
