package conformance

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/internal/testnet"
)

// serve starts a loopback fake server (see testnet.Listen).
func serve(t *testing.T, h func(net.Conn)) string { return testnet.Listen(t, h) }

const imf = "Mon, 02 Jan 2006 15:04:05 GMT"

func writeResp(w io.Writer, status int, body string, extra ...string) {
	date := time.Now().UTC().Format(imf)
	h := fmt.Sprintf("HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Length: %d\r\n", status, statusText(status), date, len(body))
	for _, e := range extra {
		h += e + "\r\n"
	}
	io.WriteString(w, h+"\r\n"+body)
}

func statusText(code int) string {
	switch code {
	case 200:
		return "OK"
	case 400:
		return "Bad Request"
	case 501:
		return "Not Implemented"
	}
	return "Status"
}

func bodyFor(target string) string {
	if target == "/canary.txt" {
		return "canary\n"
	}
	return "ok\n"
}

// lenientServer is the kind of server the suite exists to catch: it reads
// lines naively (bare LF, whitespace before the colon, obs-fold), prefers
// Content-Length over Transfer-Encoding, parses numbers with the language's
// integer parser (prefix, sign) and never closes the connection.
func lenientServer(c net.Conn) {
	br := bufio.NewReader(c)
	for n := 0; n < 100; n++ {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			continue
		}
		method, target := "GET", "/"
		if f := strings.Fields(line); len(f) >= 2 {
			method, target = f[0], f[1]
		}
		var hdr [][2]string
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			l = strings.TrimRight(l, "\r\n")
			if l == "" {
				break
			}
			if (l[0] == ' ' || l[0] == '\t') && len(hdr) > 0 {
				hdr[len(hdr)-1][1] += " " + strings.TrimSpace(l)
				continue
			}
			name, value, _ := strings.Cut(l, ":")
			hdr = append(hdr, [2]string{strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)})
		}
		get := func(n string) (string, bool) {
			for _, h := range hdr {
				if h[0] == n {
					return h[1], true
				}
			}
			return "", false
		}
		if cl, ok := get("content-length"); ok {
			n, _ := strconv.Atoi(looseDigits(cl))
			if _, err := io.CopyN(io.Discard, br, int64(n)); err != nil {
				return
			}
		} else if te, ok := get("transfer-encoding"); ok && strings.Contains(te, "chunked") {
			for i := 0; i < 1000; i++ {
				sl, err := br.ReadString('\n')
				if err != nil {
					return
				}
				s, _, _ := strings.Cut(strings.TrimSpace(sl), ";")
				size, err := strconv.ParseInt(s, 16, 64)
				if err != nil {
					size, _ = strconv.ParseInt(longestHex(s), 16, 64)
				}
				if size <= 0 {
					br.ReadString('\n')
					break
				}
				io.CopyN(io.Discard, br, size)
				br.ReadString('\n')
			}
		}
		// HEAD gets the GET response, body and all.
		_ = method
		writeResp(c, 200, bodyFor(target))
	}
}

// looseDigits keeps a leading sign and the digits after it, like a careless
// number parser would.
func looseDigits(s string) string {
	s = strings.TrimSpace(s)
	end := 0
	for end < len(s) && (s[end] >= '0' && s[end] <= '9' || end == 0 && (s[0] == '+' || s[0] == '-')) {
		end++
	}
	return s[:end]
}

func longestHex(s string) string {
	end := 0
	for end < len(s) && allHex(s[end:end+1]) {
		end++
	}
	return s[:end]
}

// strictServer follows RFC 9112 closely enough for the self-test cases:
// CRLF only, token field names with no whitespace before the colon, one
// Host, Content-Length all digits and agreeing, Transfer-Encoding exactly
// chunked and never with Content-Length, strict chunk sizes. Any error
// gets 400 + Connection: close and a graceful close. It answers GET with
// the fixture's canary or "ok".
func strictServer(c net.Conn) {
	strictServerWith(func(_, target string) (int, string) { return 200, bodyFor(target) })(c)
}

// strictServerWith is strictServer answering each request with answer's
// status and body: an application server (the same answer for every path,
// or 404 except for /), or a site serving the fixture below a prefix. It
// also takes HTTP/1.0 (Host optional, close after the answer), skips empty
// lines before a request, reads trailer fields and closes after
// Connection: close.
func strictServerWith(answer func(method, target string) (int, string)) func(net.Conn) {
	return func(c net.Conn) { strictServe(c, answer) }
}

func strictServe(c net.Conn, answer func(method, target string) (int, string)) {
	br := bufio.NewReader(c)
	reject := func() {
		writeResp(c, 400, "bad request\n", "Connection: close")
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		c.SetReadDeadline(time.Now().Add(time.Second))
		io.Copy(io.Discard, io.LimitReader(br, 1<<20))
	}
	crlfLine := func() (string, bool) {
		l, err := br.ReadString('\n')
		if err != nil || !strings.HasSuffix(l, "\r\n") {
			return "", false
		}
		l = strings.TrimSuffix(l, "\r\n")
		return l, !strings.ContainsAny(l, "\r\n")
	}
	empty := 0
	for n := 0; n < 100; n++ {
		line, ok := crlfLine()
		if !ok {
			if _, err := br.Peek(1); err == nil {
				reject()
			}
			return
		}
		if line == "" && empty < 2 {
			empty++ // RFC 9112 2.2: an empty line before a request-line is skipped
			continue
		}
		empty = 0
		f := strings.Split(line, " ")
		if len(f) != 3 || (f[2] != "HTTP/1.1" && f[2] != "HTTP/1.0") || f[0] == "" || f[1] == "" {
			reject()
			return
		}
		method, target, http10 := f[0], f[1], f[2] == "HTTP/1.0"
		var hosts, cls, tes []string
		closing := http10
		for {
			l, ok := crlfLine()
			if !ok {
				reject()
				return
			}
			if l == "" {
				break
			}
			name, value, ok := strings.Cut(l, ":")
			if !ok || name == "" || strings.ContainsAny(name, " \t") {
				reject()
				return
			}
			value = strings.Trim(value, " \t")
			switch strings.ToLower(name) {
			case "host":
				hosts = append(hosts, value)
			case "content-length":
				cls = append(cls, value)
			case "transfer-encoding":
				tes = append(tes, value)
			case "connection":
				closing = closing || strings.Contains(strings.ToLower(value), "close")
			}
		}
		if len(hosts) > 1 || (len(hosts) == 0 && !http10) || (len(tes) > 0 && len(cls) > 0) || (len(tes) > 0 && http10) {
			reject()
			return
		}
		switch {
		case len(tes) > 0:
			if len(tes) != 1 || !strings.EqualFold(tes[0], "chunked") {
				reject()
				return
			}
			for i := 0; ; i++ {
				sl, ok := crlfLine()
				s, _, _ := strings.Cut(sl, ";")
				if !ok || s == "" || len(s) > 8 || !allHex(s) || i > 1000 {
					reject()
					return
				}
				size, _ := strconv.ParseInt(s, 16, 64)
				if size == 0 {
					for k := 0; ; k++ { // trailer fields, then the empty line
						l, ok := crlfLine()
						if !ok || k > 32 || (l != "" && !strings.Contains(l, ":")) {
							reject()
							return
						}
						if l == "" {
							break
						}
					}
					break
				}
				if _, err := io.CopyN(io.Discard, br, size); err != nil {
					return
				}
				if l, ok := crlfLine(); !ok || l != "" {
					reject()
					return
				}
			}
		case len(cls) > 0:
			v := -1
			for _, cl := range cls {
				if !allDigits(cl) {
					reject()
					return
				}
				x, _ := strconv.Atoi(cl)
				if v >= 0 && x != v {
					reject()
					return
				}
				v = x
			}
			if _, err := io.CopyN(io.Discard, br, int64(v)); err != nil {
				return
			}
		}
		status, body := answer(method, target)
		var extra []string
		if closing {
			extra = append(extra, "Connection: close")
		}
		if method == "HEAD" {
			h := fmt.Sprintf("HTTP/1.1 %d %s\r\nDate: %s\r\nContent-Length: %d\r\n", status, statusText(status), time.Now().UTC().Format(imf), len(body))
			for _, e := range extra {
				h += e + "\r\n"
			}
			io.WriteString(c, h+"\r\n")
		} else {
			writeResp(c, status, body, extra...)
		}
		if closing {
			if cw, ok := c.(interface{ CloseWrite() error }); ok {
				cw.CloseWrite()
			}
			return
		}
	}
}
