package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/server"
	"github.com/google/go-cmp/cmp"
)

// TestLoadAccessLogFormat: a template is checked at load; a bad variable
// is placed at its own column for a value on one line, whatever the
// quoting.
func TestLoadAccessLogFormat(t *testing.T) {
	head := "paths:\n  serve_dir: SITE\nlogs:\n"
	for _, tc := range []struct {
		id, text string
		want     []string
	}{
		{"ok", head + `  access_log_format: '$remote_addr [$time_local] "$request" $status $request_time'` + "\n", nil},
		{"plain", head + "  access_log_format: $status $nope\n", []string{
			`F:4:30: logs.access_log_format: unknown variable $nope (known: $body_bytes_sent, $http_referer, $http_user_agent, $msec, $remote_addr, $remote_user, $request, $request_method, $request_time, $request_uri, $scheme, $server_protocol, $status, $time_iso8601, $time_local)`}},
		{"single-quoted", head + `  access_log_format: 'it''s $status $http_x_real_ip'` + "\n", []string{
			`F:4:37: logs.access_log_format: unknown variable $http_x_real_ip (of the request's fields only $http_referer and $http_user_agent can be logged)`}},
		{"double-quoted", head + `  access_log_format: "\"$request\" $ x"` + "\n", []string{
			`F:4:36: logs.access_log_format: $ is not followed by a variable name (write $$ for a literal $)`}},
		{"block", head + "  access_log_format: |-\n    $status $nope\n", []string{
			`F:4:3: logs.access_log_format: unknown variable $nope (known: $body_bytes_sent, $http_referer, $http_user_agent, $msec, $remote_addr, $remote_user, $request, $request_method, $request_time, $request_uri, $scheme, $server_protocol, $status, $time_iso8601, $time_local)`}},
		{"both", head + "  access_format: json\n  access_log_format: $status\n", []string{
			`F:5:3: logs.access_log_format: set together with logs.access_format ("json"); give one of them`}},
		{"flush-interval", head + "  flush_interval: 2m\n", []string{
			`F:4:3: logs.flush_interval: must be 0-1m (0 writes every line at once); got 2m0s`}},
		{"flush-interval-ok", head + "  flush_interval: 0\n  access_format: combined_time\n", nil},
	} {
		t.Run(tc.id, func(t *testing.T) {
			site := testSite(t)
			p := writeConfig(t, site, tc.text)
			_, err := Load(p)
			if diff := cmp.Diff(tc.want, lines(err, p)); diff != "" {
				t.Errorf("Load(%q) errors (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

// TestOpenLogsCustomFormat: the template and the flush interval reach
// the access log; Close writes the line out.
func TestOpenLogsCustomFormat(t *testing.T) {
	dir := t.TempDir()
	hour := time.Hour
	c := Config{Paths: PathsConfig{LogDir: dir}, Logs: LogsConfig{AccessLogFormat: `$status "$request" $request_time`, FlushInterval: &hour}}
	logs, err := OpenLogs(&c, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	logs.Access.Log(&server.AccessEntry{Method: []byte("GET"), Target: []byte("/x"), Proto: []byte("HTTP/1.1"), Status: 404, Duration: 1234 * time.Millisecond})
	if err := logs.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "access.log"))
	if got, want := string(b), "404 \"GET /x HTTP/1.1\" 1.234\n"; err != nil || got != want {
		t.Errorf("access.log = %q, %v; want %q", got, err, want)
	}
}

// TestOpenLogsAccessFaultOnErrorLog: an access log whose writes fail
// (/dev/full answers every write with ENOSPC) is reported on the error
// log, with the path and errno, and so are the lines lost at Close.
func TestOpenLogsAccessFaultOnErrorLog(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /dev/full (Linux)")
	}
	dir := t.TempDir()
	errPath := filepath.Join(dir, "error.log")
	c := Config{Logs: LogsConfig{AccessLog: "/dev/full", ErrorLog: errPath}}
	logs, err := OpenLogs(&c, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		logs.Access.Log(&server.AccessEntry{Status: 200})
	}
	if err := logs.Access.Flush(); err == nil {
		t.Error("Flush to /dev/full = nil; want ENOSPC")
	}
	logs.Close()
	b, err := os.ReadFile(errPath)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	for _, want := range []string{
		`level=ERROR msg="access log /dev/full: write failed: no space left on device (errno 28); retrying`,
		`level=ERROR msg="access log /dev/full: closed while writing failed; 3 lines lost: no space left on device (errno 28)" errno=28 lost_lines=3`,
	} {
		if strings.Count(got, want) != 1 {
			t.Errorf("error.log = %q; want one line with %q", got, want)
		}
	}
}
