package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/server"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func ptr[T any](v T) *T { return &v }

// testSite writes a small site and returns its directory.
func testSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"index.html": "<p>hi</p>\n", "a.txt": "alpha\n", "sub/c.txt": "charlie\n"} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// writeConfig writes text (with SITE replaced by site) to a file and
// returns its path.
func writeConfig(t *testing.T, site, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ferrox.yml")
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(text, "SITE", site)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// lines renders a Load error as its lines, the file path replaced by F.
func lines(err error, file string) []string {
	var out []string
	for _, e := range joined(err) {
		s := e.Error()
		if file != "" {
			s = strings.ReplaceAll(s, file, "F")
		}
		out = append(out, s)
	}
	return out
}

func TestLoadEveryKey(t *testing.T) {
	site := testSite(t)
	logs := t.TempDir()
	cert, key := writePair(t)
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
  cert_path: CERT
  key_path: KEY
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
	text = strings.NewReplacer("LOGS", logs, "CERT", cert, "KEY", key).Replace(text)
	got, err := Load(writeConfig(t, site, text))
	if err != nil {
		t.Fatalf("Load = %v; want nil", err)
	}
	want := Config{
		Server:  ServerConfig{Addr: "0.0.0.0", Port: 8081, HTTPSPort: 8444, ServerHeader: ptr(false), ParkWaiting: ptr(false)},
		Paths:   PathsConfig{ServeDir: site, LogDir: logs},
		Headers: map[string]string{"X-Extra": "1", "X-Frame-Options": ""},
		TLS:     TLSConfig{Enabled: true, CertPath: cert, KeyPath: key, HSTS: "max-age=60"},
		Limits: LimitsConfig{MaxConnections: 5, MaxConnsPerIP: 2, MaxHeaderBytes: 4096, MaxHeaderFields: 50,
			MaxTargetLength: 1000, MaxBodyBytes: 2048},
		Timeouts: TimeoutsConfig{Header: 5 * time.Second, Idle: time.Minute, Write: 2 * time.Second,
			BodyMinRateBytes: 10, BodyRateWindow: 3 * time.Second, ShutdownGrace: 4 * time.Second},
		Listing: ListingConfig{Enabled: ptr(false)},
		Files: FilesConfig{Index: []string{"index.html", "a.txt"}, Dotfiles: true, Precompressed: ptr(false),
			CacheControl: "public, max-age=60", SPAFallback: "index.html",
			Routes: map[string]string{"/alpha": "a.txt"}, ErrorPages: map[int]string{404: "sub/c.txt"},
			OpenFileCache: ptr(time.Duration(0))},
		Logs: LogsConfig{AccessFormat: "json", AccessLog: "-", ErrorLog: "-", Level: "debug"},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Config{})); diff != "" {
		t.Errorf("Load mismatch (-want +got):\n%s", diff)
	}
	set := got.Settings()
	wantSet := server.Settings{
		Limits:        parser.Limits{MaxHeadBytes: 4096, MaxFields: 50, MaxTargetLen: 1000, MaxMethodLen: 32},
		HeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute, WriteTimeout: 2 * time.Second, BodyRateWindow: 3 * time.Second,
		BodyMinRate: 10, MaxBody: 2048, MaxConns: 5, MaxConnsPerIP: 2,
		Headers: [][2]string{
			{"Referrer-Policy", "strict-origin-when-cross-origin"},
			{"Strict-Transport-Security", "max-age=60"},
			{"X-Content-Type-Options", "nosniff"},
			{"X-Extra", "1"},
		},
	}
	if diff := cmp.Diff(wantSet, set); diff != "" {
		t.Errorf("Settings (-want +got):\n%s", diff)
	}
	if h := got.redirectSettings().Headers; len(h) != 3 || h[1][0] == "Strict-Transport-Security" {
		t.Errorf("redirect headers %v; want no Strict-Transport-Security on plain HTTP", h)
	}
	sc := got.StaticConfig()
	if sc.OpenFileCache != 0 || !sc.ListingOff || !sc.NoPrecompressed || !sc.Dotfiles || sc.Root != site {
		t.Errorf("StaticConfig = %+v; want open_file_cache 0 (off), listing off, no precompressed, dotfiles, root %s", sc, site)
	}
	if got.Addr() != "0.0.0.0:8081" || got.HTTPSAddr() != "0.0.0.0:8444" || got.ShutdownGrace() != 4*time.Second {
		t.Errorf("Addr %q HTTPSAddr %q ShutdownGrace %v", got.Addr(), got.HTTPSAddr(), got.ShutdownGrace())
	}
}

// TestDefaults: the zero Config resolves to the documented defaults,
// through the one table.
func TestDefaults(t *testing.T) {
	var c Config
	set := c.Settings()
	want := server.Settings{
		Limits:        parser.Limits{MaxHeadBytes: 16384, MaxFields: 128, MaxTargetLen: 8192, MaxMethodLen: 32},
		HeaderTimeout: 10 * time.Second, IdleTimeout: 60 * time.Second, WriteTimeout: 30 * time.Second,
		BodyRateWindow: 10 * time.Second, BodyMinRate: 1024, MaxBody: 1 << 20,
		MaxConns: server.AutoMaxConns(), MaxConnsPerIP: 256,
		Headers: [][2]string{
			{"Referrer-Policy", "strict-origin-when-cross-origin"},
			{"X-Content-Type-Options", "nosniff"},
			{"X-Frame-Options", "SAMEORIGIN"},
		},
		ServerHeader: true, Park: true,
	}
	if diff := cmp.Diff(want, set); diff != "" {
		t.Errorf("zero Config Settings (-want +got):\n%s", diff)
	}
	if _, err := server.New(set, server.Options{}); err != nil {
		t.Errorf("server.New(defaults) = %v; want the defaults resolved", err)
	}
	sc := c.StaticConfig()
	if sc.Root != "www" || !cmp.Equal(sc.Index, []string{"index.html"}) || sc.OpenFileCache != time.Second || !sc.ListingOff || sc.NoPrecompressed || sc.Dotfiles {
		t.Errorf("zero Config StaticConfig = %+v", sc)
	}
	if c.Addr() != "127.0.0.1:8080" || c.HTTPSAddr() != "127.0.0.1:8443" || c.ShutdownGrace() != 10*time.Second {
		t.Errorf("zero Config: Addr %q HTTPSAddr %q ShutdownGrace %v", c.Addr(), c.HTTPSAddr(), c.ShutdownGrace())
	}
	if defaults.MaxHeaderFields != parser.MaxFields {
		t.Errorf("defaults.MaxHeaderFields = %d; want parser.MaxFields (%d)", defaults.MaxHeaderFields, parser.MaxFields)
	}
}

// TestExampleConfig: ferrox.yml is valid and states exactly the defaults.
func TestExampleConfig(t *testing.T) {
	b, err := os.ReadFile("../ferrox.yml")
	if err != nil {
		t.Fatal(err)
	}
	site := testSite(t)
	// serve_dir www is relative to where ferrox runs; point it at a site.
	text := strings.Replace(string(b), "serve_dir: www ", "serve_dir: "+site+" ", 1)
	c, err := Load(writeConfig(t, site, text))
	if err != nil {
		t.Fatalf("Load(ferrox.yml) = %v", err)
	}
	zero := Config{Paths: PathsConfig{ServeDir: site}}
	if diff := cmp.Diff(zero.Settings(), c.Settings()); diff != "" {
		t.Errorf("ferrox.yml Settings differ from the defaults (-zero +file):\n%s", diff)
	}
	if diff := cmp.Diff(zero.StaticConfig(), c.StaticConfig(), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("ferrox.yml StaticConfig differs from the defaults (-zero +file):\n%s", diff)
	}
	if c.Addr() != zero.Addr() || c.HTTPSAddr() != zero.HTTPSAddr() || c.ShutdownGrace() != zero.ShutdownGrace() {
		t.Errorf("ferrox.yml addresses or grace differ from the defaults")
	}
}

// TestFiveErrors: one file with five problems of five kinds yields five
// lines, in file order, with exact positions and wording.
func TestFiveErrors(t *testing.T) {
	site := testSite(t)
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	text := `server:
  prot: 9000
paths:
  serve_dir: SITE
  log_dir: NOTDIR/logs
limits:
  max_body_bytes: lots
timeouts:
  idle: -1s
tls:
  enabled: true
  cert_path: cert.pem
`
	p := writeConfig(t, site, strings.ReplaceAll(text, "NOTDIR", notDir))
	_, err := Load(p)
	want := []string{
		`F:2:3: unknown key "prot"; did you mean server.port?`,
		`F:5:3: paths.log_dir: ` + notDir + `/logs: not a directory`,
		`F:7:19: limits.max_body_bytes: want a whole number of bytes, got "lots"`,
		`F:9:3: timeouts.idle: must be >= 0 (0 means the default, 1m0s); got -1s`,
		`F:12:3: tls.cert_path: set without tls.key_path; give both or neither`,
	}
	if diff := cmp.Diff(want, lines(err, p)); diff != "" {
		t.Errorf("Load errors (-want +got):\n%s", diff)
	}
}

func TestLoadErrors(t *testing.T) {
	site := testSite(t)
	for _, tc := range []struct {
		id, text string
		want     []string
	}{
		{"unknown-section", "srv:\n  port: 80\n", []string{`F:1:1: unknown key "srv"`, `F: paths.serve_dir: www: no such directory`}},
		{"wrong-level", "paths:\n  serve_dir: SITE\nport: 80\n", []string{`F:3:1: unknown key "port"; did you mean server.port?`}},
		{"removed-key", "paths:\n  serve_dir: SITE\nlisting:\n  show_dotfiles: true\n", []string{
			`F:4:3: listing.show_dotfiles: this key was removed: listings show dot entries exactly when files.dotfiles is true`}},
		{"duplicate-key", "paths:\n  serve_dir: SITE\nserver:\n  port: 80\n  port: 81\n", []string{`F:5:3: server.port: given twice (first at line 4)`}},
		{"bad-duration", "paths:\n  serve_dir: SITE\ntimeouts:\n  header: 10x\n", []string{`F:4:11: timeouts.header: want a duration such as 10s or 500ms, got "10x"`}},
		{"bool", "paths:\n  serve_dir: SITE\nserver:\n  server_header: maybe\n", []string{`F:4:18: server.server_header: want true or false, got "maybe"`}},
		{"float", "paths:\n  serve_dir: SITE\nlimits:\n  max_header_fields: 1.5\n", []string{`F:4:22: limits.max_header_fields: want a whole number of fields, got 1.5`}},
		{"list-for-text", "paths:\n  serve_dir: [a]\n", []string{`F:2:14: paths.serve_dir: want a text value, got a list`}},
		{"negative-open-file-cache", "paths:\n  serve_dir: SITE\nfiles:\n  open_file_cache: -2s\n", []string{`F:4:3: files.open_file_cache: must be >= 0 (0 turns the cache off); got -2s`}},
		{"port-range", "paths:\n  serve_dir: SITE\nserver:\n  port: 70000\n", []string{`F:4:3: server.port: must be a port number 1-65535, or 0 for the default (8080); got 70000`}},
		{"negative-limit", "paths:\n  serve_dir: SITE\nlimits:\n  max_conns_per_ip: -1\n", []string{`F:4:3: limits.max_conns_per_ip: must be >= 0 (0 means the default, 256); got -1`}},
		{"bad-addr", "paths:\n  serve_dir: SITE\nserver:\n  addr: \"1.2.3.4:80\"\n", []string{`F:4:3: server.addr: "1.2.3.4:80" is not an IP address or host name (give the port in server.port)`}},
		{"missing-root", "paths:\n  serve_dir: /nonexistent/dir\n", []string{`F:2:3: paths.serve_dir: /nonexistent/dir: no such directory`}},
		{"default-root-missing", "server:\n  port: 80\n", []string{`F: paths.serve_dir: www: no such directory`}},
		{"bad-header-name", "paths:\n  serve_dir: SITE\nheaders:\n  \"X Y\": a\n", []string{`F:4:3: headers.X Y: "X Y" is not a valid field name (letters, digits and !#$%&'*+-.^_` + "`" + `|~ only)`}},
		{"bad-header-value", "paths:\n  serve_dir: SITE\nheaders:\n  X-Y: \"a\\nb\"\n", []string{`F:4:3: headers.X-Y: not a valid field value (no control characters, no space at either end)`}},
		{"managed-header", "paths:\n  serve_dir: SITE\nheaders:\n  content-length: \"1\"\n", []string{`F:4:3: headers.content-length: content-length is managed by the server and cannot be set`}},
		{"bad-format", "paths:\n  serve_dir: SITE\nlogs:\n  access_format: xml\n  level: loud\n", []string{
			`F:4:3: logs.access_format: unknown format "xml" (want combined, combined_time, common or json)`,
			`F:5:3: logs.level: unknown level "loud" (want debug, info, warn or error)`}},
		{"bad-index", "paths:\n  serve_dir: SITE\nfiles:\n  index: [a, b/c]\n", []string{`F:4:14: files.index.1: "b/c" must be a plain file name (no / or \, not . or ..)`}},
		{"files", "paths:\n  serve_dir: SITE\nfiles:\n  spa_fallback: ../x\n  routes:\n    about: a.txt\n    /b: nope.txt\n  error_pages:\n    200: a.txt\n    404: nope.html\n", []string{
			`F:4:3: files.spa_fallback: "../x" must be a relative path inside paths.serve_dir`,
			`F:6:5: files.routes.about: the URL path must start with /`,
			`F:7:5: files.routes./b: SITE/nope.txt: no such file`,
			`F:9:5: files.error_pages.200: 200 is not an error status (400-599)`,
			`F:10:5: files.error_pages.404: SITE/nope.html: no such file`}},
		{"status-key", "paths:\n  serve_dir: SITE\nfiles:\n  error_pages:\n    notfound: x.html\n", []string{`F:5:5: files.error_pages.notfound: want a status code such as 404 as the key, got "notfound"`}},
		{"tls-without-cert", "paths:\n  serve_dir: SITE\ntls:\n  enabled: true\n", []string{
			`F:3:1: tls.cert_path: required when tls.enabled is true`,
			`F:3:1: tls.key_path: required when tls.enabled is true`}},
		{"https-port-clash", "paths:\n  serve_dir: SITE\nserver:\n  port: 9000\n  https_port: 9000\n", nil},
		{"log-file-dir", "paths:\n  serve_dir: SITE\nlogs:\n  access_log: /nonexistent/a.log\n", []string{
			`F:4:3: logs.access_log: cannot create /nonexistent/a.log: directory /nonexistent: no such directory`}},
		{"syntax", "server: [\n", []string{`F:2:1: while parsing a flow node: did not find expected node content`}},
		{"not-a-mapping", "- a\n", []string{`F:1:1: want a mapping of sections (server:, paths:, ...), got a list`}},
	} {
		t.Run(tc.id, func(t *testing.T) {
			p := writeConfig(t, site, tc.text)
			_, err := Load(p)
			got := lines(err, p)
			for i := range got {
				got[i] = strings.ReplaceAll(got[i], site, "SITE")
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Load(%q) errors (-want +got):\n%s", tc.text, diff)
			}
		})
	}
}

func TestHTTPSPortClash(t *testing.T) {
	site := testSite(t)
	cert, key := writePair(t)
	p := writeConfig(t, site, "paths:\n  serve_dir: SITE\nserver:\n  port: 9000\n  https_port: 9000\ntls:\n  enabled: true\n  cert_path: "+cert+"\n  key_path: "+key+"\n")
	_, err := Load(p)
	want := []string{`F:5:3: server.https_port: 127.0.0.1:9000 is also the HTTP address; HTTPS needs a port of its own`}
	if diff := cmp.Diff(want, lines(err, p)); diff != "" {
		t.Errorf("Load errors (-want +got):\n%s", diff)
	}
}

// TestLogDirNotWritable: a log directory the process cannot create files
// in is reported by the check, which really creates a file.
func TestLogDirNotWritable(t *testing.T) {
	site := testSite(t)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	if f, err := os.CreateTemp(dir, "probe"); err == nil {
		f.Close()
		os.Remove(f.Name())
		t.Skip("this process can write to a read-only directory (running as root?); TestFiveErrors covers ENOTDIR")
	}
	p := writeConfig(t, site, "paths:\n  serve_dir: SITE\n  log_dir: "+dir+"\n")
	_, err := Load(p)
	want := []string{`F:3:3: paths.log_dir: ` + dir + `: cannot create files in it: permission denied`}
	if diff := cmp.Diff(want, lines(err, p)); diff != "" {
		t.Errorf("Load errors (-want +got):\n%s", diff)
	}
}

// Every YAML-level error carries a position, including the reader's (which
// know only a byte offset) and the document-count ones (which know none);
// an empty or comment-only file means all defaults.
func TestParsePositions(t *testing.T) {
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
			c, _, err := Parse("f.yml", []byte(tc.in))
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Parse(%q) = %v; want nil", tc.in, err)
			case tc.want == "" && !cmp.Equal(c, Config{}, cmpopts.IgnoreUnexported(Config{})):
				t.Fatalf("Parse(%q) = %+v; want the zero (default) Config", tc.in, c)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("Parse(%q) = %v; want an error starting %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestOverrides(t *testing.T) {
	site, other := testSite(t), testSite(t)
	o := Overrides{Root: other, Listen: "127.0.0.1:9090", LogDir: other, AccessFormat: "json", NoListing: true}
	c, err := LoadBytes("f.yml", []byte("server:\n  addr: 10.0.0.1\n  port: 81\npaths:\n  serve_dir: "+site+"\nlogs:\n  access_format: common\n"), &o)
	if err != nil {
		t.Fatalf("LoadBytes = %v", err)
	}
	got := []any{c.ServeDir(), c.Addr(), c.Paths.LogDir, c.Logs.AccessFormat, c.ListingOn()}
	want := []any{other, "127.0.0.1:9090", other, "json", false}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("after overrides (-want +got):\n%s", diff)
	}
	// A problem with a value a flag set names the flag, not the file.
	_, err = LoadBytes("", nil, &Overrides{Root: "/nonexistent/root"})
	if diff := cmp.Diff([]string{"--root: /nonexistent/root: no such directory"}, lines(err, "")); diff != "" {
		t.Errorf("--root error (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		o    Overrides
		want string
	}{
		{Overrides{Listen: "nope"}, `--listen "nope": want HOST:PORT`},
		{Overrides{Listen: "h:0"}, `--listen "h:0": the port must be 1-65535`},
		{Overrides{AccessFormat: "xml"}, `--access-format "xml": want combined, combined_time, common or json`},
		{Overrides{TLSCert: "c.pem"}, `--tls-cert and --tls-key go together`},
		{Overrides{HTTPSListen: "127.0.0.1:8443"}, `--https-listen "127.0.0.1:8443": HTTPS needs --tls-cert and --tls-key (or tls.enabled)`},
	} {
		var c Config
		if _, err := tc.o.Apply(&c); err == nil || err.Error() != tc.want {
			t.Errorf("Apply(%+v) = %v; want %q", tc.o, err, tc.want)
		}
	}
}

// TestKeyPairErrorsNameTheKey: LoadKeyPair's plain errors are placed at
// the key of the file at fault.
func TestKeyPairErrorsNameTheKey(t *testing.T) {
	site := testSite(t)
	cert, _ := writePair(t)
	_, otherKey := writePair(t)
	p := writeConfig(t, site, "paths:\n  serve_dir: SITE\ntls:\n  enabled: true\n  cert_path: "+cert+"\n  key_path: "+otherKey+"\n")
	_, err := Load(p)
	want := []string{"F:6:3: tls.key_path: " + otherKey + ": private key does not match certificate " + cert}
	if diff := cmp.Diff(want, lines(err, p)); diff != "" {
		t.Errorf("Load errors (-want +got):\n%s", diff)
	}
	var ke *server.KeyPairError
	_, kerr := server.LoadKeyPair(cert, otherKey)
	if !errors.As(kerr, &ke) || !ke.Key {
		t.Errorf("LoadKeyPair = %v; want a *server.KeyPairError blaming the key", kerr)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"port", "port", 0}, {"prot", "port", 1}, {"por", "port", 1}, {"idel", "idle", 1}, {"srv", "server", 3}, {"", "ab", 2},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.want {
			t.Errorf("editDistance(%q, %q) = %d; want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestListingDefault: listings are off unless the file or --listing turns
// them on; --no-listing wins over the file; both flags are refused.
func TestListingDefault(t *testing.T) {
	site := testSite(t)
	for _, c := range []struct {
		id      string
		file    string
		o       Overrides
		want    bool
		wantErr string
	}{
		{"default-off", "", Overrides{}, false, ""},
		{"file-on", "listing:\n  enabled: true\n", Overrides{}, true, ""},
		{"flag-on", "", Overrides{Listing: true}, true, ""},
		{"flag-off-beats-file", "listing:\n  enabled: true\n", Overrides{NoListing: true}, false, ""},
		{"flag-on-beats-file", "listing:\n  enabled: false\n", Overrides{Listing: true}, true, ""},
		{"both-flags", "", Overrides{Listing: true, NoListing: true}, false, "--listing and --no-listing contradict each other"},
	} {
		t.Run(c.id, func(t *testing.T) {
			o := c.o
			o.Root = site
			cfg, err := LoadBytes("f.yml", []byte(c.file), &o)
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("LoadBytes = %v; want an error containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadBytes = %v", err)
			}
			if got := cfg.ListingOn(); got != c.want {
				t.Errorf("ListingOn() = %v; want %v", got, c.want)
			}
			if got := cfg.StaticConfig().ListingOff; got == c.want {
				t.Errorf("StaticConfig().ListingOff = %v; want %v", got, !c.want)
			}
		})
	}
}
