package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/parser"
	"github.com/google/go-cmp/cmp"
)

func ptr[T any](v T) *T { return &v }

// writeConfig writes a config file next to a site with the files the
// config may name, and returns its path.
func writeConfig(t *testing.T, site, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ferrox.yml")
	text = strings.ReplaceAll(text, "SITE", site)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfigEveryKey(t *testing.T) {
	site := testSite(t)
	logs := t.TempDir()
	certDir := t.TempDir()
	os.WriteFile(filepath.Join(certDir, "c.pem"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(certDir, "k.pem"), []byte("x"), 0o644)
	text := `
server:
  addr: 0.0.0.0
  port: 8081
  https_port: 8444
  server_header: false
  park_waiting: false
paths:
  serve_dir: SITE
  log_dir: LOGS
headers:
  X-Extra: "1"
  X-Frame-Options: ""
tls:
  enabled: true
  cert_path: CERT/c.pem
  key_path: CERT/k.pem
  hsts: max-age=60
limits:
  max_connections: 5
  max_conns_per_ip: 2
  max_header_bytes: 4096
  max_header_fields: 50
  max_target_length: 1000
  max_body_bytes: 2048
timeouts:
  header: 5s
  idle: 1m
  write: 2s
  body_min_rate_bytes: 10
  body_rate_window: 3s
  shutdown_grace: 4s
listing:
  enabled: false
  show_dotfiles: true
files:
  index: [index.html, a.txt]
  dotfiles: true
  precompressed: false
  cache_control: public, max-age=60
  spa_fallback: index.html
  routes:
    /alpha: a.txt
  error_pages:
    404: sub/c.txt
  open_file_cache: 0s
logs:
  access_format: json
  access_log: "-"
  error_log: "-"
  level: debug
`
	text = strings.ReplaceAll(text, "LOGS", logs)
	text = strings.ReplaceAll(text, "CERT", certDir)
	got, err := LoadConfig(writeConfig(t, site, text))
	if err != nil {
		t.Fatalf("LoadConfig = %v; want nil", err)
	}
	want := Config{
		Server:  ServerConfig{Addr: "0.0.0.0", Port: 8081, HTTPSPort: 8444, ServerHeader: ptr(false), ParkWaiting: ptr(false)},
		Paths:   PathsConfig{ServeDir: site, LogDir: logs},
		Headers: map[string]string{"X-Extra": "1", "X-Frame-Options": ""},
		TLS:     TLSConfig{Enabled: true, CertPath: certDir + "/c.pem", KeyPath: certDir + "/k.pem", HSTS: "max-age=60"},
		Limits: LimitsConfig{MaxConnections: 5, MaxConnsPerIP: 2, MaxHeaderBytes: 4096, MaxHeaderFields: 50,
			MaxTargetLength: 1000, MaxBodyBytes: 2048},
		Timeouts: TimeoutsConfig{Header: 5 * time.Second, Idle: time.Minute, Write: 2 * time.Second,
			BodyMinRateBytes: 10, BodyRateWindow: 3 * time.Second, ShutdownGrace: 4 * time.Second},
		Listing: ListingConfig{Enabled: ptr(false), ShowDotfiles: true},
		Files: FilesConfig{Index: []string{"index.html", "a.txt"}, Dotfiles: true, Precompressed: ptr(false),
			CacheControl: "public, max-age=60", SPAFallback: "index.html",
			Routes: map[string]string{"/alpha": "a.txt"}, ErrorPages: map[int]string{404: "sub/c.txt"},
			OpenFileCache: ptr(time.Duration(0))},
		Logs: LogsConfig{AccessFormat: "json", AccessLog: "-", ErrorLog: "-", Level: "debug"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LoadConfig mismatch (-want +got):\n%s", diff)
	}
	if v := got.StaticConfig().OpenFileCache; v >= 0 {
		t.Errorf("open_file_cache: 0s gives static OpenFileCache %v; want negative (off)", v)
	}
	if v := (&Config{}).StaticConfig().OpenFileCache; v != 0 {
		t.Errorf("no open_file_cache gives static OpenFileCache %v; want 0 (default)", v)
	}
	if got.Addr() != "0.0.0.0:8081" || got.ServerHeaderOn() || got.ListingOn() || got.ParkWaitingOn() {
		t.Errorf("accessors: Addr %q ServerHeaderOn %v ListingOn %v ParkWaitingOn %v", got.Addr(), got.ServerHeaderOn(), got.ListingOn(), got.ParkWaitingOn())
	}
	wantHeaders := [][2]string{
		{"Referrer-Policy", "strict-origin-when-cross-origin"},
		{"Strict-Transport-Security", "max-age=60"},
		{"X-Content-Type-Options", "nosniff"},
		{"X-Extra", "1"},
	}
	if diff := cmp.Diff(wantHeaders, got.ResponseHeaders()); diff != "" {
		t.Errorf("ResponseHeaders (-want +got):\n%s", diff)
	}
}

func TestZeroConfigDefaults(t *testing.T) {
	var c Config
	s := newServer(&c, Options{})
	if c.Addr() != "127.0.0.1:8080" || c.ServeDir() != "www" || !c.ServerHeaderOn() || !c.ListingOn() || !c.ParkWaitingOn() {
		t.Errorf("zero Config: Addr %q ServeDir %q", c.Addr(), c.ServeDir())
	}
	got := []any{s.headerTimeout, s.idleTimeout, s.writeTimeout, s.bodyWindow, s.bodyMinRate, s.maxBody, s.maxConns, s.maxPerIP, s.limits.MaxHeadBytes}
	want := []any{10 * time.Second, 60 * time.Second, 30 * time.Second, 10 * time.Second, int64(1024), int64(1 << 20), AutoMaxConns(), 256, 16384}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	site := testSite(t)
	for _, tc := range []struct {
		id, text, want string
	}{
		{"unknown-key", "server:\n  port: 80\n  prot: 1\n", ":3:3: unknown key \"prot\""},
		{"unknown-section", "srv:\n  port: 80\n", ":1:1: unknown key \"srv\""},
		{"duplicate-key", "server:\n  port: 80\n  port: 81\n", ":3:3: mapping key \"port\" already defined"},
		{"bad-duration", "timeouts:\n  header: 10x\n", ":2:11: cannot construct"},
		{"negative-duration", "paths:\n  serve_dir: SITE\ntimeouts:\n  idle: -1s\n", ":4:3: timeouts.idle: duration must be > 0"},
		{"negative-open-file-cache", "paths:\n  serve_dir: SITE\nfiles:\n  open_file_cache: -2s\n", ":4:3: files.open_file_cache: duration must be >= 0"},
		{"port-range", "paths:\n  serve_dir: SITE\nserver:\n  port: 70000\n", ":4:3: server.port: port 70000 out of range"},
		{"missing-root", "paths:\n  serve_dir: /nonexistent/dir\n", ":2:3: paths.serve_dir: /nonexistent/dir: no such file"},
		{"bad-header-name", "paths:\n  serve_dir: SITE\nheaders:\n  \"X Y\": a\n", ":4:3: headers.X Y: invalid field name"},
		{"bad-header-value", "paths:\n  serve_dir: SITE\nheaders:\n  X-Y: \"a\\nb\"\n", ":4:3: headers.X-Y: invalid field value"},
		{"managed-header", "paths:\n  serve_dir: SITE\nheaders:\n  Content-Length: \"1\"\n", "field is managed by the server"},
		{"bad-format", "paths:\n  serve_dir: SITE\nlogs:\n  access_format: xml\n", ":4:3: logs.access_format: unknown format"},
		{"bad-index", "paths:\n  serve_dir: SITE\nfiles:\n  index: [a, b/c]\n", ":4:14: files.index.1: invalid index file name"},
		{"missing-error-page", "paths:\n  serve_dir: SITE\nfiles:\n  error_pages:\n    404: nope.html\n", ":5:5: files.error_pages.404:"},
		{"tls-without-cert", "paths:\n  serve_dir: SITE\ntls:\n  enabled: true\n", ":3:1: tls.cert_path: required"},
		{"syntax", "server: [\n", ":2:1:"},
		{"wrong-type", "limits:\n  max_connections: lots\n", ":2:20: cannot construct"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			p := writeConfig(t, site, tc.text)
			_, err := LoadConfig(p)
			if err == nil || !strings.HasPrefix(err.Error(), p+":") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadConfig(%q) = %v; want %s%s...", tc.text, err, p, tc.want)
			}
		})
	}
}

func TestOverridesBeatFile(t *testing.T) {
	site := testSite(t)
	other := t.TempDir()
	c, _, err := ParseConfig("f.yml", []byte("server:\n  addr: 10.0.0.1\n  port: 81\npaths:\n  serve_dir: "+site+"\nlogs:\n  access_format: common\n"))
	if err != nil {
		t.Fatal(err)
	}
	o := Overrides{Root: other, Listen: "127.0.0.1:9090", LogDir: other, AccessFormat: "json", NoListing: true}
	if err := o.Apply(&c); err != nil {
		t.Fatalf("Apply = %v", err)
	}
	got := []any{c.ServeDir(), c.Addr(), c.Paths.LogDir, c.Logs.AccessFormat, c.ListingOn()}
	want := []any{other, "127.0.0.1:9090", other, "json", false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after overrides (-want +got):\n%s", diff)
	}
	for _, bad := range []Overrides{{Listen: "nope"}, {Listen: "h:0"}, {AccessFormat: "xml"}} {
		if err := bad.Apply(&c); err == nil {
			t.Errorf("Apply(%+v) = nil; want error", bad)
		}
	}
}

func TestExampleConfigIsValid(t *testing.T) {
	// ferrox.yml documents every key with its default; serve_dir www is
	// relative to the repository root.
	wd, _ := os.Getwd()
	if err := os.Chdir(".."); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	c, err := LoadConfig("ferrox.yml")
	if err != nil {
		t.Fatalf("LoadConfig(ferrox.yml) = %v", err)
	}
	var zero Config
	zs, cs := newServer(&zero, Options{}), newServer(&c, Options{})
	if diff := cmp.Diff(
		[]any{zs.limits, zs.headerTimeout, zs.idleTimeout, zs.writeTimeout, zs.bodyMinRate, zs.bodyWindow, zs.maxBody, zs.maxConns, zs.maxPerIP, zs.headers, zs.serverHeader, zero.Addr()},
		[]any{cs.limits, cs.headerTimeout, cs.idleTimeout, cs.writeTimeout, cs.bodyMinRate, cs.bodyWindow, cs.maxBody, cs.maxConns, cs.maxPerIP, cs.headers, cs.serverHeader, c.Addr()},
	); diff != "" {
		t.Errorf("ferrox.yml differs from the defaults (-zero +file):\n%s", diff)
	}
}

func TestDefaultMaxHeaderFieldsIsParserCapacity(t *testing.T) {
	if DefaultMaxHeaderFields != parser.MaxFields {
		t.Errorf("DefaultMaxHeaderFields = %d; want parser.MaxFields (%d)", DefaultMaxHeaderFields, parser.MaxFields)
	}
}

// Every YAML-level error carries a position, including the reader's (which
// know only a byte offset) and the document-count ones (which know none);
// an empty or comment-only file means all defaults. FuzzConfigLoad found
// the unpositioned ones.
func TestParseConfigPositions(t *testing.T) {
	for _, tc := range []struct {
		id, in string
		want   string // "" = no error
	}{
		{"empty", "", ""},
		{"comments-only", "# nothing here\n\n# still nothing\n", ""},
		{"control-char", "\x16", "f.yml:1:1: control characters are not allowed"},
		{"control-char-line-2", "server:\n  addr: a\x16\n", "f.yml:2:10: control characters are not allowed"},
		{"bad-utf8", "server:\n  addr: \xeb", "f.yml:2:9: incomplete UTF-8 octet sequence"},
		{"two-documents", "server:\n  port: 1\n---\nserver:\n  port: 2\n", "f.yml:3:1: expected single document, found multiple"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			c, _, err := ParseConfig("f.yml", []byte(tc.in))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("ParseConfig(%q) = %v; want nil", tc.in, err)
			case tc.want == "" && !cmp.Equal(c, Config{}):
				t.Fatalf("ParseConfig(%q) = %+v; want the zero (default) Config", tc.in, c)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("ParseConfig(%q) = %v; want an error starting %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestAutoMaxConns(t *testing.T) {
	for _, tc := range []struct {
		nofile uint64
		want   int
	}{
		{1, 1}, {256, 128}, {1024, 896}, {20000, 19872}, {65536 + 128, 65536}, {1 << 20, 65536},
	} {
		if got := autoMaxConns(tc.nofile); got != tc.want {
			t.Errorf("autoMaxConns(%d) = %d; want %d", tc.nofile, got, tc.want)
		}
	}
}
