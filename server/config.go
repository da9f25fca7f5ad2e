package server

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/ferrox/ferrox/server/static"
)

// Config is the whole server configuration. Its zero value means "all
// defaults"; every field's comment states its default. The YAML layout
// mirrors the struct (see ferrox.yml at the repository root). Call
// Validate once before use; New does.
type Config struct {
	Server   ServerConfig   `yaml:"server"`
	Paths    PathsConfig    `yaml:"paths"`
	TLS      TLSConfig      `yaml:"tls"`
	Limits   LimitsConfig   `yaml:"limits"`
	Timeouts TimeoutsConfig `yaml:"timeouts"`
	Listing  ListingConfig  `yaml:"listing"`
	Files    FilesConfig    `yaml:"files"`
	Logs     LogsConfig     `yaml:"logs"`

	// Headers are added to every response unless the handler set a field
	// of the same name. They are merged over the defaults
	// (X-Content-Type-Options: nosniff, Referrer-Policy:
	// strict-origin-when-cross-origin, X-Frame-Options: SAMEORIGIN); an
	// empty value removes a default.
	Headers map[string]string `yaml:"headers"`
}

// ServerConfig is the listener and identity section.
type ServerConfig struct {
	Addr      string `yaml:"addr"`       // host to listen on; default "127.0.0.1"
	Port      int    `yaml:"port"`       // HTTP port; default 8080
	HTTPSPort int    `yaml:"https_port"` // HTTPS port when tls.enabled; default 8443
	// ServerHeader sends "Server: ferrox" when true; default true.
	ServerHeader *bool `yaml:"server_header"`
	// ParkWaiting lets idle connections, and plain ones whose head is
	// slow to come, wait without a goroutine (Linux); default true.
	ParkWaiting *bool `yaml:"park_waiting"`
}

// PathsConfig says where files live.
type PathsConfig struct {
	ServeDir string `yaml:"serve_dir"` // directory served; default "www"
	// LogDir holds access.log and error.log; default "" (access log to
	// stdout, error log to stderr).
	LogDir string `yaml:"log_dir"`
}

// TLSConfig configures HTTPS. While enabled, the site is served over TLS
// (1.2 or later) on server.https_port and the plain port redirects every
// request there; SIGHUP re-reads the certificate and key.
type TLSConfig struct {
	Enabled  bool   `yaml:"enabled"`   // default false
	CertPath string `yaml:"cert_path"` // PEM certificate chain; required when enabled
	KeyPath  string `yaml:"key_path"`  // PEM private key; required when enabled
	HSTS     string `yaml:"hsts"`      // Strict-Transport-Security value on HTTPS responses; default "" (none)
}

// LimitsConfig bounds resources per server, per client and per request.
type LimitsConfig struct {
	MaxConnections  int   `yaml:"max_connections"`   // open connections; default 0 = the open-file limit less 128, at most 65536 (10000 if the limit is unreadable)
	MaxConnsPerIP   int   `yaml:"max_conns_per_ip"`  // open connections per client IP; default 256
	MaxHeaderBytes  int   `yaml:"max_header_bytes"`  // request head bytes; default 16384 (→ 431)
	MaxHeaderFields int   `yaml:"max_header_fields"` // field lines; default 128, at most 128 (→ 431)
	MaxTargetLength int   `yaml:"max_target_length"` // request-target bytes; default 8192 (→ 414)
	MaxBodyBytes    int64 `yaml:"max_body_bytes"`    // request body read and discarded; default 1048576 (→ 413)
}

// TimeoutsConfig holds the slow-client defences. Durations are YAML
// strings such as "10s".
type TimeoutsConfig struct {
	// Header bounds the whole request head from its first byte; default 10s (→ 408).
	Header time.Duration `yaml:"header"`
	// Idle bounds the wait for the next request on a kept-alive connection; default 60s (quiet close).
	Idle time.Duration `yaml:"idle"`
	// Write bounds the progress of each write to the client; default 30s.
	Write time.Duration `yaml:"write"`
	// BodyMinRateBytes is the least number of body bytes a client must send
	// per BodyRateWindow; default 1024.
	BodyMinRateBytes int64 `yaml:"body_min_rate_bytes"`
	// BodyRateWindow is the window of the body rate check; default 10s.
	BodyRateWindow time.Duration `yaml:"body_rate_window"`
	// ShutdownGrace is how long a graceful shutdown waits for in-flight
	// requests; default 10s.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
}

// ListingConfig controls directory listings.
type ListingConfig struct {
	Enabled      *bool `yaml:"enabled"`       // list directories without an index file; default true
	ShowDotfiles bool  `yaml:"show_dotfiles"` // show dot entries in listings; default false
}

// FilesConfig controls how files are picked and described.
type FilesConfig struct {
	Index    []string `yaml:"index"`    // index file names tried in order; default [index.html]
	Dotfiles bool     `yaml:"dotfiles"` // serve dotfiles; default false (→ 404)
	// Precompressed serves X.br / X.gz siblings to clients that accept
	// them; default true.
	Precompressed *bool  `yaml:"precompressed"`
	CacheControl  string `yaml:"cache_control"` // Cache-Control for files; default "" (none)
	SPAFallback   string `yaml:"spa_fallback"`  // file served for unknown paths; default "" (404)
	// Routes maps an exact URL path ("/about") to a file under serve_dir
	// ("pages/about.html"); default none.
	Routes map[string]string `yaml:"routes"`
	// ErrorPages maps a status code to a file under serve_dir; default none
	// (built-in pages).
	ErrorPages map[int]string `yaml:"error_pages"`
	// OpenFileCache is how long a small file (≤ 32 KiB) stays open for
	// reuse; a deleted or replaced file is noticed within it, a change in
	// place at once. Default 1s; 0 turns the cache off.
	OpenFileCache *time.Duration `yaml:"open_file_cache"`
}

// LogsConfig controls the access and error logs.
type LogsConfig struct {
	AccessFormat string `yaml:"access_format"` // combined | common | json; default combined
	// AccessLog is a file path, "-" for stdout, or "off" for none; default: log_dir/access.log, or stdout without log_dir.
	AccessLog string `yaml:"access_log"`
	// ErrorLog is a file path, or "-" for stderr; default: log_dir/error.log, or stderr without log_dir.
	ErrorLog string `yaml:"error_log"`
	Level    string `yaml:"level"` // debug | info | warn | error; default info
}

// Defaults applied by the accessors below.
const (
	DefaultAddr             = "127.0.0.1"
	DefaultPort             = 8080
	DefaultHTTPSPort        = 8443
	DefaultServeDir         = "www"
	DefaultMaxConnections   = fallbackMaxConns // fallback of the automatic limit (fdlimit.go)
	DefaultMaxConnsPerIP    = 256
	DefaultMaxHeaderBytes   = 16384
	DefaultMaxHeaderFields  = 128 // parser.MaxFields, the fixed capacity
	DefaultMaxTargetLength  = 8192
	DefaultMaxBodyBytes     = 1 << 20
	DefaultHeaderTimeout    = 10 * time.Second
	DefaultIdleTimeout      = 60 * time.Second
	DefaultWriteTimeout     = 30 * time.Second
	DefaultBodyMinRateBytes = 1024
	DefaultBodyRateWindow   = 10 * time.Second
	DefaultShutdownGrace    = 10 * time.Second
)

// DefaultHeaders are the security headers sent unless configured away.
var DefaultHeaders = map[string]string{
	"X-Content-Type-Options": "nosniff",
	"Referrer-Policy":        "strict-origin-when-cross-origin",
	"X-Frame-Options":        "SAMEORIGIN",
}

func orInt(v, d int) int {
	if v == 0 {
		return d
	}
	return v
}

func orDur(v, d time.Duration) time.Duration {
	if v == 0 {
		return d
	}
	return v
}

func orStr(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// Addr returns the HTTP listen address host:port with defaults applied.
func (c *Config) Addr() string {
	return net.JoinHostPort(orStr(c.Server.Addr, DefaultAddr), strconv.Itoa(orInt(c.Server.Port, DefaultPort)))
}

// ServeDir returns paths.serve_dir with its default.
func (c *Config) ServeDir() string { return orStr(c.Paths.ServeDir, DefaultServeDir) }

// ServerHeaderOn reports whether "Server: ferrox" is sent.
func (c *Config) ServerHeaderOn() bool { return c.Server.ServerHeader == nil || *c.Server.ServerHeader }

// ParkWaitingOn reports whether waiting connections are parked.
func (c *Config) ParkWaitingOn() bool { return c.Server.ParkWaiting == nil || *c.Server.ParkWaiting }

// ListingOn reports whether directory listings are enabled.
func (c *Config) ListingOn() bool { return c.Listing.Enabled == nil || *c.Listing.Enabled }

// StaticConfig is the file handler's configuration derived from c.
func (c *Config) StaticConfig() static.Config {
	return static.Config{
		Root:            c.ServeDir(),
		Index:           c.IndexFiles(),
		ListingOff:      !c.ListingOn(),
		Dotfiles:        c.Files.Dotfiles,
		NoPrecompressed: c.Files.Precompressed != nil && !*c.Files.Precompressed,
		Routes:          c.Files.Routes,
		SPAFallback:     c.Files.SPAFallback,
		ErrorPages:      c.Files.ErrorPages,
		CacheControl:    c.Files.CacheControl,
		OpenFileCache:   c.openFileCache(),
	}
}

// openFileCache maps files.open_file_cache to static.Config's convention
// (0 default, negative off).
func (c *Config) openFileCache() time.Duration {
	switch v := c.Files.OpenFileCache; {
	case v == nil:
		return 0
	case *v == 0:
		return -1
	default:
		return *v
	}
}

// IndexFiles returns files.index with its default.
func (c *Config) IndexFiles() []string {
	if len(c.Files.Index) == 0 {
		return []string{"index.html"}
	}
	return c.Files.Index
}

// ResponseHeaders returns the configured default headers (defaults merged
// with overrides, empty values removed) sorted by name so every response
// has the same field order.
func (c *Config) ResponseHeaders() [][2]string {
	m := make(map[string]string, len(DefaultHeaders)+len(c.Headers))
	for k, v := range DefaultHeaders {
		m[k] = v
	}
	for k, v := range c.Headers {
		// Names match case-insensitively (RFC 9110 §5.1); an override
		// replaces a default spelled differently.
		for dk := range m {
			if asciiEqualFold(dk, k) {
				delete(m, dk)
			}
		}
		m[k] = v
	}
	out := make([][2]string, 0, len(m))
	for k, v := range m {
		if v != "" {
			out = append(out, [2]string{k, v})
		}
	}
	if c.TLS.Enabled && c.TLS.HSTS != "" {
		out = append(out, [2]string{"Strict-Transport-Security", c.TLS.HSTS})
	}
	slices.SortFunc(out, func(a, b [2]string) int {
		switch {
		case a[0] < b[0]:
			return -1
		case a[0] > b[0]:
			return 1
		}
		return 0
	})
	return out
}

func asciiEqualFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// FieldError is a validation failure of one configuration key. Path is
// the dotted YAML key path ("limits.max_body_bytes"); LoadConfig turns it
// into a file:line:col position.
type FieldError struct {
	Path string
	Msg  string
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

// Validate checks every setting once: ranges, durations, formats, header
// names and values, and that the files and directories it names exist. It
// returns the first problem as a *FieldError.
func (c *Config) Validate() error {
	fe := func(path, format string, a ...any) error {
		return &FieldError{Path: path, Msg: fmt.Sprintf(format, a...)}
	}
	port := func(path string, p int) error {
		if p < 0 || p > 65535 {
			return fe(path, "port %d out of range 1-65535", p)
		}
		return nil
	}
	if err := port("server.port", c.Server.Port); err != nil {
		return err
	}
	if err := port("server.https_port", c.Server.HTTPSPort); err != nil {
		return err
	}
	if a := c.Server.Addr; a != "" {
		if _, _, err := net.SplitHostPort(net.JoinHostPort(a, "1")); err != nil || containsAny(a, " /:[]") && net.ParseIP(a) == nil {
			return fe("server.addr", "invalid host %q", a)
		}
	}
	if err := dirExists(c.ServeDir()); err != nil {
		return fe("paths.serve_dir", "%v", err)
	}
	if c.Paths.LogDir != "" {
		if err := dirExists(c.Paths.LogDir); err != nil {
			return fe("paths.log_dir", "%v", err)
		}
	}
	for _, k := range sortedKeys(c.Headers) {
		if !validToken(k) {
			return fe("headers."+k, "invalid field name")
		}
		if !validFieldValue(c.Headers[k]) {
			return fe("headers."+k, "invalid field value")
		}
		switch {
		case asciiEqualFold(k, "Content-Length"), asciiEqualFold(k, "Transfer-Encoding"),
			asciiEqualFold(k, "Connection"), asciiEqualFold(k, "Date"):
			return fe("headers."+k, "field is managed by the server")
		}
	}
	if c.TLS.Enabled {
		if c.TLS.CertPath == "" {
			return fe("tls.cert_path", "required when tls.enabled is true")
		}
		if c.TLS.KeyPath == "" {
			return fe("tls.key_path", "required when tls.enabled is true")
		}
		if err := fileExists(c.TLS.CertPath); err != nil {
			return fe("tls.cert_path", "%v", err)
		}
		if err := fileExists(c.TLS.KeyPath); err != nil {
			return fe("tls.key_path", "%v", err)
		}
	}
	if !validFieldValue(c.TLS.HSTS) {
		return fe("tls.hsts", "invalid field value")
	}
	l := c.Limits
	for _, x := range []struct {
		path string
		v    int64
	}{
		{"limits.max_connections", int64(l.MaxConnections)},
		{"limits.max_conns_per_ip", int64(l.MaxConnsPerIP)},
		{"limits.max_header_bytes", int64(l.MaxHeaderBytes)},
		{"limits.max_header_fields", int64(l.MaxHeaderFields)},
		{"limits.max_target_length", int64(l.MaxTargetLength)},
		{"limits.max_body_bytes", l.MaxBodyBytes},
		{"timeouts.body_min_rate_bytes", c.Timeouts.BodyMinRateBytes},
	} {
		if x.v < 0 {
			return fe(x.path, "must be > 0, got %d", x.v)
		}
	}
	if l.MaxHeaderFields > DefaultMaxHeaderFields {
		return fe("limits.max_header_fields", "at most %d", DefaultMaxHeaderFields)
	}
	if l.MaxHeaderBytes != 0 && l.MaxHeaderBytes < 256 {
		return fe("limits.max_header_bytes", "at least 256")
	}
	t := c.Timeouts
	for _, x := range []struct {
		path string
		v    time.Duration
	}{
		{"timeouts.header", t.Header},
		{"timeouts.idle", t.Idle},
		{"timeouts.write", t.Write},
		{"timeouts.body_rate_window", t.BodyRateWindow},
		{"timeouts.shutdown_grace", t.ShutdownGrace},
	} {
		if x.v < 0 {
			return fe(x.path, "duration must be > 0, got %v", x.v)
		}
	}
	if v := c.Files.OpenFileCache; v != nil && *v < 0 {
		return fe("files.open_file_cache", "duration must be >= 0, got %v", *v)
	}
	for i, name := range c.Files.Index {
		if name == "" || containsAny(name, "/\\") || name == "." || name == ".." {
			return fe("files.index."+strconv.Itoa(i), "invalid index file name %q", name)
		}
	}
	if !validFieldValue(c.Files.CacheControl) {
		return fe("files.cache_control", "invalid field value")
	}
	if f := c.Files.SPAFallback; f != "" {
		if err := fileExists(filepath.Join(c.ServeDir(), filepath.FromSlash(f))); err != nil {
			return fe("files.spa_fallback", "%v", err)
		}
	}
	for _, k := range sortedKeys(c.Files.Routes) {
		if len(k) == 0 || k[0] != '/' {
			return fe("files.routes."+k, "route must start with /")
		}
		if err := fileExists(filepath.Join(c.ServeDir(), filepath.FromSlash(c.Files.Routes[k]))); err != nil {
			return fe("files.routes."+k, "%v", err)
		}
	}
	for _, st := range sortedKeys(c.Files.ErrorPages) {
		if st < 400 || st > 599 {
			return fe("files.error_pages."+strconv.Itoa(st), "status %d is not an error status (400-599)", st)
		}
		if err := fileExists(filepath.Join(c.ServeDir(), filepath.FromSlash(c.Files.ErrorPages[st]))); err != nil {
			return fe("files.error_pages."+strconv.Itoa(st), "%v", err)
		}
	}
	switch c.Logs.AccessFormat {
	case "", "combined", "common", "json":
	default:
		return fe("logs.access_format", "unknown format %q (want combined, common or json)", c.Logs.AccessFormat)
	}
	switch c.Logs.Level {
	case "", "debug", "info", "warn", "error":
	default:
		return fe("logs.level", "unknown level %q (want debug, info, warn or error)", c.Logs.Level)
	}
	return nil
}

func sortedKeys[K int | string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func containsAny(s, chars string) bool {
	for i := 0; i < len(s); i++ {
		for j := 0; j < len(chars); j++ {
			if s[i] == chars[j] {
				return true
			}
		}
	}
	return false
}

func dirExists(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("%s: %w", p, errors.Unwrap(err))
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory", p)
	}
	return nil
}

func fileExists(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("%s: %w", p, errors.Unwrap(err))
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory", p)
	}
	return nil
}

// tchar per RFC 9110 §5.6.2: token = 1*tchar, tchar = "!" / "#" / "$" /
// "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" /
// DIGIT / ALPHA.
var tcharTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !tcharTable[s[i]] {
			return false
		}
	}
	return true
}

// validFieldValue follows RFC 9110 §5.5: field-value = *field-content of
// VCHAR, obs-text, SP and HTAB, with no leading or trailing whitespace.
// CR, LF and NUL are never allowed (RFC 9110 §5.5, RFC 9112 §11.1).
func validFieldValue(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	if s != "" && (s[0] == ' ' || s[0] == '\t' || s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		return false
	}
	return true
}

// Overrides are command-line settings that take precedence over a config
// file; empty fields leave the file's value.
type Overrides struct {
	Root         string // paths.serve_dir
	Listen       string // host:port → server.addr and server.port
	LogDir       string // paths.log_dir
	AccessFormat string // logs.access_format
	NoListing    bool   // listing.enabled = false
}

// Apply writes the overrides into c. Errors name the flag.
func (o Overrides) Apply(c *Config) error {
	if o.Root != "" {
		c.Paths.ServeDir = o.Root
	}
	if o.Listen != "" {
		host, port, err := net.SplitHostPort(o.Listen)
		if err != nil {
			return fmt.Errorf("--listen %q: want HOST:PORT", o.Listen)
		}
		p, err := strconv.Atoi(port)
		if err != nil || p < 1 || p > 65535 {
			return fmt.Errorf("--listen %q: port must be 1-65535", o.Listen)
		}
		if host == "" {
			host = "0.0.0.0" // ":8080" means every IPv4 interface
		}
		c.Server.Addr, c.Server.Port = host, p
	}
	if o.LogDir != "" {
		c.Paths.LogDir = o.LogDir
	}
	if o.AccessFormat != "" {
		if _, ok := ParseAccessFormat(o.AccessFormat); !ok {
			return fmt.Errorf("--access-format %q: want combined, common or json", o.AccessFormat)
		}
		c.Logs.AccessFormat = o.AccessFormat
	}
	if o.NoListing {
		off := false
		c.Listing.Enabled = &off
	}
	return nil
}
