package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"golang.org/x/net/http/httpguts"
)

// maxTargets bounds the requests a targets file may hold.
const maxTargets = 100000

// headerFlag is a repeatable --header 'Name: value'.
type headerFlag struct{ h http.Header }

func (f *headerFlag) String() string {
	if f == nil || f.h == nil {
		return ""
	}
	var b strings.Builder
	f.h.Write(&b)
	return strings.TrimSpace(b.String())
}

// Set adds one header line. The name must be a token and the value free
// of control characters (RFC 9110 §5.1, §5.5); the name is kept as given,
// as vegeta does, since some servers under test care about case.
func (f *headerFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || !httpguts.ValidHeaderFieldName(name) || !httpguts.ValidHeaderFieldValue(value) {
		return fmt.Errorf("want 'Name: value', got %q", s)
	}
	if f.h == nil {
		f.h = http.Header{}
	}
	f.h[name] = append(f.h[name], value)
	return nil
}

// lineReader hands its source to a reader one line per Read, so the line
// a vegeta targeter is on when it fails is the count of lines handed out
// (both targeters read through a bufio scanner or reader that asks for
// more only when it has no full line).
type lineReader struct {
	rest  []byte
	lines int
}

func (r *lineReader) Read(p []byte) (int, error) {
	if len(r.rest) == 0 {
		return 0, io.EOF
	}
	n := bytes.IndexByte(r.rest, '\n') + 1
	if n == 0 {
		n = len(r.rest)
	}
	if n > len(p) {
		// A line longer than the caller's buffer: hand out a part; the
		// line is counted when its end is handed out.
		n = len(p)
		copy(p, r.rest[:n])
		r.rest = r.rest[n:]
		return n, nil
	}
	copy(p, r.rest[:n])
	r.rest = r.rest[n:]
	r.lines++
	return n, nil
}

// readTargets reads a vegeta targets file in format "http" or "json",
// with body and header as vegeta's defaults for every target. A malformed
// file is reported as "file:line: what".
func readTargets(name, format string, body []byte, header http.Header) ([]vegeta.Target, error) {
	src, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	lr := &lineReader{rest: src}
	var tr vegeta.Targeter
	switch format {
	case vegeta.HTTPTargetFormat:
		tr = vegeta.NewHTTPTargeter(lr, body, header)
	case vegeta.JSONTargetFormat:
		tr = vegeta.NewJSONTargeter(lr, body, header)
	default:
		return nil, fmt.Errorf("--format %q: want http or json", format)
	}
	lines := strings.Split(string(src), "\n")
	var ts []vegeta.Target
	from := 0 // the line (0-based) after the previous target's URL
	for {
		var t vegeta.Target
		err := tr(&t)
		if errors.Is(err, vegeta.ErrNoTargets) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, max(lr.lines, 1), err)
		}
		// The line naming this target's URL, for the checks below.
		at := from
		for at < len(lines) && !strings.Contains(lines[at], t.URL) {
			at++
		}
		if at == len(lines) {
			at = max(lr.lines-1, 0)
		}
		from = at + 1
		if len(ts) == maxTargets {
			return nil, fmt.Errorf("%s:%d: more than %d targets", name, at+1, maxTargets)
		}
		if u, err := url.Parse(t.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%s:%d: %q is not an http:// or https:// URL", name, at+1, t.URL)
		}
		if _, err := t.Request(); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, at+1, err)
		}
		for k, vs := range t.Header {
			for _, v := range vs {
				if !httpguts.ValidHeaderFieldName(k) || !httpguts.ValidHeaderFieldValue(v) {
					return nil, fmt.Errorf("%s:%d: bad header %q: %q", name, at+1, k, v)
				}
			}
		}
		ts = append(ts, t)
	}
	if len(ts) == 0 {
		return nil, fmt.Errorf("%s: no targets", name)
	}
	return ts, nil
}
