package conformance

import (
	"bytes"
	"strconv"
	"strings"
)

// reqInfo is what the runner's reference reading of the sent bytes finds
// about one request: enough to frame its response (HEAD has no body) and
// to run response checks.
type reqInfo struct {
	Method  string
	Target  string
	Proto   string
	Host    string
	Partial bool // the bytes ended inside this request
	Start   int  // offset of its request-line in the case bytes
}

// splitRequests reads raw the way a strict RFC 9112 recipient would
// (Transfer-Encoding chunked wins over Content-Length, §6.3) and returns the
// requests it holds, so the runner knows how many responses a conforming
// server sends at most and which method each answers. Bytes it cannot read
// end the list: a strict server rejects them and closes. It never returns an
// empty list for non-empty input.
func splitRequests(raw []byte) []reqInfo {
	var out []reqInfo
	i := 0
	for len(out) < 64 && i < len(raw) {
		// §2.2: a server should skip empty lines before a request-line.
		for i < len(raw) && (raw[i] == '\r' || raw[i] == '\n') {
			i++
		}
		if i >= len(raw) {
			break
		}
		end := bytes.Index(raw[i:], []byte("\r\n\r\n"))
		sep := 4
		if lf := bytes.Index(raw[i:], []byte("\n\n")); lf >= 0 && (end < 0 || lf < end) {
			end, sep = lf, 2
		}
		if end < 0 {
			r := parseReqHead(raw[i:], true)
			r.Start = i
			out = append(out, r)
			break
		}
		r := parseReqHead(raw[i:i+end], false)
		r.Start = i
		i += end + sep
		out = append(out, r)
		bodyLen, ok := reqBodyLen(raw[i:], raw[i-end-sep:i])
		if !ok {
			out[len(out)-1].Partial = bodyLen < 0
			break
		}
		i += bodyLen
	}
	if len(out) == 0 && len(raw) > 0 {
		out = append(out, reqInfo{Method: "GET", Partial: true})
	}
	return out
}

func parseReqHead(head []byte, partial bool) reqInfo {
	lines := strings.Split(strings.ReplaceAll(string(head), "\r\n", "\n"), "\n")
	r := reqInfo{Partial: partial}
	f := strings.Fields(lines[0])
	if len(f) > 0 {
		r.Method = f[0]
	}
	if len(f) > 1 {
		r.Target = f[1]
	}
	if len(f) > 2 {
		r.Proto = f[2]
	}
	for _, l := range lines[1:] {
		name, value, ok := strings.Cut(l, ":")
		if ok && strings.EqualFold(name, "host") && r.Host == "" {
			r.Host = strings.TrimSpace(value)
		}
	}
	return r
}

// reqBodyLen returns the length of the request body at the start of b
// given the head, or ok=false when the framing is invalid or incomplete
// (length -1 when incomplete).
func reqBodyLen(b, head []byte) (int, bool) {
	var te, cl []string
	for _, l := range strings.Split(strings.ReplaceAll(string(head), "\r\n", "\n"), "\n")[1:] {
		name, value, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		switch {
		case strings.EqualFold(name, "transfer-encoding"):
			te = append(te, strings.TrimSpace(value))
		case strings.EqualFold(name, "content-length"):
			cl = append(cl, strings.TrimSpace(value))
		}
	}
	if len(te) > 0 {
		codings := strings.Split(strings.Join(te, ","), ",")
		if !strings.EqualFold(strings.TrimSpace(codings[len(codings)-1]), "chunked") {
			return 0, false
		}
		_, n, err := decodeChunked(b, nil)
		if err != nil {
			return -1, false
		}
		return n, true
	}
	if len(cl) == 0 {
		return 0, true
	}
	n := -1
	for _, v := range cl {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if !allDigits(p) {
				return 0, false
			}
			x, err := strconv.Atoi(p)
			if err != nil || (n >= 0 && x != n) {
				return 0, false
			}
			n = x
		}
	}
	if n > len(b) {
		return -1, false
	}
	return n, true
}
