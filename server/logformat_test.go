package server

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCompileLogFormat(t *testing.T) {
	e := testEntry()
	e.Scheme = "https"
	for _, tc := range []struct {
		id, tmpl, want string
	}{
		{"nginx-like", `$remote_addr - [$time_local] "$request" $status $body_bytes_sent $request_time "$http_user_agent"`,
			`127.0.0.1 - [23/Nov/2026:21:00:05 +0000] "GET /a\x22b\x5cc\x01\xff HTTP/1.1" 200 42 0.001 "ua\x221\x22"`},
		{"combined-spelled-out", `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`,
			`127.0.0.1 - - [23/Nov/2026:21:00:05 +0000] "GET /a\x22b\x5cc\x01\xff HTTP/1.1" 200 42 "http://x/<y>&\xe2\x80\xa8" "ua\x221\x22"`},
		{"parts", `$scheme $request_method $request_uri $server_protocol`, `https GET /a\x22b\x5cc\x01\xff HTTP/1.1`},
		{"times", `$time_iso8601 $msec`, `2026-11-23T21:00:05+00:00 1795467605.000`},
		{"braces-and-dollar", `${status}ms $$x ${request_time}s`, `200ms $x 0.001s`},
		{"utf8-literal", `→ $status`, `→ 200`},
	} {
		t.Run(tc.id, func(t *testing.T) {
			f, err := CompileLogFormat(tc.tmpl)
			if err != nil {
				t.Fatalf("CompileLogFormat(%q) = %v", tc.tmpl, err)
			}
			if diff := cmp.Diff(tc.want+"\n", string(f.append(nil, e))); diff != "" {
				t.Errorf("line (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCompileLogFormatEmptyValues: an empty value logs as "-" (nginx),
// $request as nothing, for a request whose head was not parsed.
func TestCompileLogFormatEmptyValues(t *testing.T) {
	f, err := CompileLogFormat(`"$request" $request_method $request_uri $server_protocol $http_referer $http_user_agent $scheme`)
	if err != nil {
		t.Fatal(err)
	}
	e := &AccessEntry{Time: time.Unix(0, 0), Status: 400}
	if got, want := string(f.append(nil, e)), `"" - - - - - -`+"\n"; got != want {
		t.Errorf("line = %q; want %q", got, want)
	}
}

func TestCompileLogFormatErrors(t *testing.T) {
	for _, tc := range []struct {
		id, tmpl string
		off      int
		msg      string
	}{
		{"unknown", `$remote_addr $nope`, 13, "unknown variable $nope (known: $body_bytes_sent, "},
		{"unknown-header", `$http_x_forwarded_for`, 0, "unknown variable $http_x_forwarded_for (of the request's fields only $http_referer and $http_user_agent can be logged)"},
		{"lone-dollar", `$status $ x`, 8, "$ is not followed by a variable name (write $$ for a literal $)"},
		{"trailing-dollar", `$status $`, 8, "$ is not followed by a variable name"},
		{"open-brace", `${status x`, 0, "${status is missing its closing }"},
		{"newline", "$status\n$status", 7, `control character '\n' in the template`},
		{"tab", "$status\t", 7, `control character '\t'`},
		{"empty", "  ", 0, "the template is empty"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			_, err := CompileLogFormat(tc.tmpl)
			var fe *LogFormatError
			if !errors.As(err, &fe) {
				t.Fatalf("CompileLogFormat(%q) = %v; want a *LogFormatError", tc.tmpl, err)
			}
			if fe.Offset != tc.off || !strings.HasPrefix(fe.Msg, tc.msg) {
				t.Errorf("CompileLogFormat(%q) = offset %d %q; want offset %d, %q...", tc.tmpl, fe.Offset, fe.Msg, tc.off, tc.msg)
			}
		})
	}
}

// TestLogFormatEscapes: whatever the request bytes, a custom line holds
// no control byte, no raw quote and no newline but the last.
func TestLogFormatEscapes(t *testing.T) {
	f, err := CompileLogFormat(`"$request" "$http_referer" "$http_user_agent" $request_uri`)
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	for c := range 256 {
		all = append(all, byte(c))
	}
	e := &AccessEntry{Method: []byte("GET"), Target: all, Proto: []byte("HTTP/1.1"), Referer: all, UserAgent: all}
	line := f.append(nil, e)
	body := line[:len(line)-1]
	for i, c := range body {
		if c < 0x20 || c >= 0x7f {
			t.Fatalf("byte %d of %q is %#x; want printable ASCII only", i, line, c)
		}
	}
	if n := bytes.Count(body, []byte{'"'}); n != 6 {
		t.Errorf("%d quotes in %q; want the template's 6 only", n, line)
	}
}

// allFormats are the access formats measured for allocations.
func allFormats(t testing.TB) []struct {
	id string
	f  *LogFormat
} {
	custom, err := CompileLogFormat(`$remote_addr - [$time_local] "$request" $status $body_bytes_sent $request_time "$http_referer" "$http_user_agent" $scheme $msec $time_iso8601`)
	if err != nil {
		t.Fatal(err)
	}
	return []struct {
		id string
		f  *LogFormat
	}{
		{"combined", &LogFormat{kind: FormatCombined}},
		{"combined_time", &LogFormat{kind: FormatCombinedTime}},
		{"common", &LogFormat{kind: FormatCommon}},
		{"json", &LogFormat{kind: FormatJSON}},
		{"custom", custom},
	}
}

// TestAccessLogNoAllocs: logging a line, in every format, allocates
// nothing once the buffers have grown.
func TestAccessLogNoAllocs(t *testing.T) {
	e := testEntry()
	e.Scheme = "http"
	for _, tc := range allFormats(t) {
		t.Run(tc.id, func(t *testing.T) {
			l := &AccessLog{format: tc.f, s: newSink("access log", &reopenFile{w: discardWriter{}}, LogOptions{FlushInterval: time.Hour})}
			defer l.Close()
			if n := testing.AllocsPerRun(1000, func() { l.Log(e) }); n != 0 {
				t.Errorf("Log allocates %v times per line; want 0", n)
			}
		})
	}
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkAccessLog measures one line per format through the real
// AccessLog (buffer, lock, write-out at 32 KiB to a discarding writer).
func BenchmarkAccessLog(b *testing.B) {
	e := testEntry()
	e.Scheme = "http"
	for _, tc := range allFormats(b) {
		b.Run(tc.id, func(b *testing.B) {
			l := &AccessLog{format: tc.f, s: newSink("access log", &reopenFile{w: discardWriter{}}, LogOptions{FlushInterval: time.Hour})}
			defer l.Close()
			b.ReportAllocs()
			for b.Loop() {
				l.Log(e)
			}
		})
	}
}
