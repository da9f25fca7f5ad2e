package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func testEntry() *AccessEntry {
	return &AccessEntry{
		Time:      time.Date(2026, 11, 23, 21, 0, 5, 0, time.UTC),
		Remote:    "127.0.0.1",
		Method:    []byte("GET"),
		Target:    []byte("/a\"b\\c\x01\xff"),
		Proto:     []byte("HTTP/1.1"),
		Status:    200,
		Bytes:     42,
		Referer:   []byte("http://x/<y>&\u2028"),
		UserAgent: []byte("ua\"1\""),
		Duration:  1500 * time.Microsecond,
	}
}

func TestAccessLogFormats(t *testing.T) {
	for _, tc := range []struct {
		id     string
		format AccessFormat
		want   string
	}{
		{"combined", FormatCombined, `127.0.0.1 - - [23/Nov/2026:21:00:05 +0000] "GET /a\x22b\x5cc\x01\xff HTTP/1.1" 200 42 "http://x/<y>&\xe2\x80\xa8" "ua\x221\x22"` + "\n"},
		{"common", FormatCommon, `127.0.0.1 - - [23/Nov/2026:21:00:05 +0000] "GET /a\x22b\x5cc\x01\xff HTTP/1.1" 200 42` + "\n"},
		{"combined_time", FormatCombinedTime, `127.0.0.1 - - [23/Nov/2026:21:00:05 +0000] "GET /a\x22b\x5cc\x01\xff HTTP/1.1" 200 42 "http://x/<y>&\xe2\x80\xa8" "ua\x221\x22" 0.001` + "\n"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			var buf bytes.Buffer
			l := NewAccessLog(&buf, tc.format)
			l.Log(testEntry())
			l.Close()
			if diff := cmp.Diff(tc.want, buf.String()); diff != "" {
				t.Errorf("line (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAccessLogJSON(t *testing.T) {
	var buf bytes.Buffer
	l := NewAccessLog(&buf, FormatJSON)
	l.Log(testEntry())
	e := testEntry()
	e.Method, e.Target, e.Proto = nil, nil, nil // a request whose head was rejected
	l.Log(e)
	l.Close()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines; want 2: %q", len(lines), buf.String())
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatalf("json.Unmarshal(%q) = %v", lines[0], err)
	}
	want := map[string]any{
		"time": "2026-11-23T21:00:05Z", "remote": "127.0.0.1", "method": "GET",
		// Invalid UTF-8 is escaped as \u00XX of the byte value.
		"target": "/a\"b\\c\x01\u00ff", "proto": "HTTP/1.1", "status": 200.0, "bytes": 42.0,
		"referer": "http://x/<y>&\u2028", "user_agent": "ua\"1\"", "duration_ms": 1.5,
		"request_time": 0.001,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("json line (-want +got):\n%s", diff)
	}
	if strings.ContainsAny(lines[0], "<>&\x01") {
		t.Errorf("json line %q carries unescaped <, >, & or a control byte", lines[0])
	}
	if err := json.Unmarshal([]byte(lines[1]), &got); err != nil {
		t.Errorf("second line %q is not JSON: %v", lines[1], err)
	}
}

func TestAccessLogBoundsRequestBytes(t *testing.T) {
	var buf bytes.Buffer
	l := NewAccessLog(&buf, FormatCombined)
	e := testEntry()
	e.Target = bytes.Repeat([]byte("\x00"), 10000)
	l.Log(e)
	l.Close()
	if n := buf.Len(); n > 4*maxLogField+300 {
		t.Errorf("line length %d for a 10000-byte target; want bounded near %d", n, 4*maxLogField)
	}
}

// TestLogFilesReopen: after the files are moved away (rotation), Reopen
// makes the access log and a LogFile write to new files at the old paths.
func TestLogFilesReopen(t *testing.T) {
	dir := t.TempDir()
	access, err := OpenAccessLog(filepath.Join(dir, "access.log"), nil, &LogFormat{kind: FormatCombined}, LogOptions{FlushInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	errLog, err := OpenLogFile(filepath.Join(dir, "error.log"), nil, LogOptions{})
	if err != nil {
		t.Fatal(err)
	}
	access.Log(testEntry())
	io.WriteString(errLog, "msg=first\n")
	for _, n := range []string{"access.log", "error.log"} {
		if err := os.Rename(filepath.Join(dir, n), filepath.Join(dir, n+".1")); err != nil {
			t.Fatal(err)
		}
	}
	if err := access.Reopen(); err != nil {
		t.Fatalf("AccessLog.Reopen = %v", err)
	}
	if err := errLog.Reopen(); err != nil {
		t.Fatalf("LogFile.Reopen = %v", err)
	}
	access.Log(testEntry())
	io.WriteString(errLog, "msg=second\n")
	if err := errors.Join(access.Close(), errLog.Close()); err != nil {
		t.Fatalf("Close = %v", err)
	}
	for _, tc := range []struct{ file, want string }{
		{"access.log.1", "200 42"}, {"access.log", "200 42"},
		{"error.log.1", "msg=first"}, {"error.log", "msg=second"},
	} {
		b, err := os.ReadFile(filepath.Join(dir, tc.file))
		if err != nil || strings.Count(string(b), tc.want) != 1 {
			t.Errorf("%s = %q, %v; want one line with %q", tc.file, b, err, tc.want)
		}
	}
	if _, err := OpenLogFile(filepath.Join(dir, "missing", "error.log"), nil, LogOptions{}); err == nil {
		t.Error("OpenLogFile in a missing directory succeeded")
	}
}
