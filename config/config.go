// Package config owns Ferrox's configuration: the YAML file layout (see
// ferrox.yml at the repository root), the one table of defaults, loading
// with file:line:col positions, validation that reports every problem at
// once, the command-line overrides, and the wiring from a Config to the
// engine's resolved server.Settings, the static file handler, the logs
// and TLS.
//
// To add a key: a field in the structs below (with its yaml tag and its
// default in the comment), its default in defaults.go, its check in
// validate.go, and its consumer (Settings, StaticConfig or Open).
package config

import "time"

// Config is the whole server configuration. Its zero value means "all
// defaults"; every field's comment states its default, and defaults.go
// holds the values. The YAML layout mirrors the struct.
type Config struct {
	Server   ServerConfig   `yaml:"server"`
	Paths    PathsConfig    `yaml:"paths"`
	TLS      TLSConfig      `yaml:"tls"`
	Limits   LimitsConfig   `yaml:"limits"`
	Timeouts TimeoutsConfig `yaml:"timeouts"`
	Listing  ListingConfig  `yaml:"listing"`
	Files    FilesConfig    `yaml:"files"`
	Logs     LogsConfig     `yaml:"logs"`
	// Compression: gzip and zstd on the fly (compression.go).
	Compression CompressionConfig `yaml:"compression"`
	// Metrics: the opt-in Prometheus endpoint (metrics.go).
	Metrics MetricsConfig `yaml:"metrics"`

	// Headers are added to every response unless the handler set a field
	// of the same name. They are merged over the defaults
	// (X-Content-Type-Options: nosniff, Referrer-Policy:
	// strict-origin-when-cross-origin, X-Frame-Options: SAMEORIGIN); an
	// empty value removes a default.
	Headers map[string]string `yaml:"headers"`

	// httpsListen is --https-listen's HOST:PORT; "" means server.addr
	// with server.https_port.
	httpsListen string
	// version is the running binary's version (Overrides.Version), for
	// the metrics' ferrox_build_info series.
	version string
}

// Booleans whose default is true are *bool: nil means the default. Read
// them through the accessors (ServerHeaderOn, ParkWaitingOn, ListingOn,
// PrecompressedOn); booleans whose default is false are plain bool.

// ServerConfig is the listener and identity section.
type ServerConfig struct {
	Addr      string `yaml:"addr"`       // host to listen on; default "127.0.0.1"
	Port      int    `yaml:"port"`       // HTTP port 1-65535; default (0) 8080
	HTTPSPort int    `yaml:"https_port"` // HTTPS port 1-65535 when tls.enabled; default (0) 8443
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
// For every field, 0 (or absent) means the default.
type LimitsConfig struct {
	MaxConnections  int   `yaml:"max_connections" want:"a whole number of connections"`  // open connections; default 0 = the open-file limit less 128, at most 65536 (10000 if the limit is unreadable)
	MaxConnsPerIP   int   `yaml:"max_conns_per_ip" want:"a whole number of connections"` // open connections per client IP; default 256
	MaxHeaderBytes  int   `yaml:"max_header_bytes" want:"a whole number of bytes"`       // request head bytes, at least 256; default 16384 (→ 431)
	MaxHeaderFields int   `yaml:"max_header_fields" want:"a whole number of fields"`     // field lines; default 128, at most 128 (→ 431)
	MaxTargetLength int   `yaml:"max_target_length" want:"a whole number of bytes"`      // request-target bytes; default 8192 (→ 414)
	MaxBodyBytes    int64 `yaml:"max_body_bytes" want:"a whole number of bytes"`         // request body read and discarded; default 1048576 (→ 413)
}

// TimeoutsConfig holds the slow-client defences. Durations are YAML
// strings such as "10s"; 0 (or absent) means the default.
type TimeoutsConfig struct {
	// Header bounds the whole request head from its first byte; default 10s (→ 408).
	Header time.Duration `yaml:"header"`
	// Idle bounds the wait for the next request on a kept-alive connection; default 60s (quiet close).
	Idle time.Duration `yaml:"idle"`
	// Write bounds the progress of each write to the client; default 30s.
	Write time.Duration `yaml:"write"`
	// BodyMinRateBytes is the least number of body bytes a client must send
	// per BodyRateWindow; default 1024.
	BodyMinRateBytes int64 `yaml:"body_min_rate_bytes" want:"a whole number of bytes"`
	// BodyRateWindow is the window of the body rate check; default 10s.
	BodyRateWindow time.Duration `yaml:"body_rate_window"`
	// ShutdownGrace is how long a graceful shutdown waits for in-flight
	// requests; default 10s.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
}

// ListingConfig controls directory listings. Dot entries are listed
// exactly when files.dotfiles is true (they could not be fetched
// otherwise).
type ListingConfig struct {
	Enabled *bool `yaml:"enabled"` // list directories without an index file; default false
}

// FilesConfig controls how files are picked and described.
type FilesConfig struct {
	Index    []string `yaml:"index"`    // index file names tried in order; default [index.html]
	Dotfiles bool     `yaml:"dotfiles"` // serve (and list) dotfiles; default false (→ 404)
	// Precompressed serves X.br / X.zst / X.gz siblings to clients that accept
	// them; default true.
	Precompressed *bool  `yaml:"precompressed"`
	CacheControl  string `yaml:"cache_control"` // Cache-Control for files; default "" (none)
	SPAFallback   string `yaml:"spa_fallback"`  // file under serve_dir served for unknown paths; default "" (404)
	// Routes maps an exact URL path ("/about") to a file under serve_dir
	// ("pages/about.html"); default none.
	Routes map[string]string `yaml:"routes"`
	// ErrorPages maps a status code to a file under serve_dir (relative;
	// absolute paths are refused); default none (built-in pages).
	ErrorPages map[int]string `yaml:"error_pages"`
	// OpenFileCache is how long a small file (≤ 32 KiB) stays open for
	// reuse; a deleted or replaced file is noticed within it, a change in
	// place at once. Default (absent) 1s; 0 turns the cache off.
	OpenFileCache *time.Duration `yaml:"open_file_cache"`
}

// LogsConfig controls the access and error logs.
type LogsConfig struct {
	AccessFormat string `yaml:"access_format"` // combined | combined_time | common | json; default combined
	// AccessLogFormat is a template with named variables, nginx
	// log_format style ('$remote_addr [$time_local] "$request" $status
	// $request_time'); it replaces access_format (give one of them).
	// Default "" (use access_format).
	AccessLogFormat string `yaml:"access_log_format"`
	// FlushInterval bounds how long an access line waits in memory before
	// it is written; lines are also written on SIGUSR1/SIGHUP and at
	// shutdown. Default (absent) 100ms; 0 writes every line at once.
	FlushInterval *time.Duration `yaml:"flush_interval"`
	// AccessLog is a file path, "-" for stdout, or "off" for none; default: log_dir/access.log, or stdout without log_dir.
	AccessLog string `yaml:"access_log"`
	// ErrorLog is a file path, or "-" for stderr; default: log_dir/error.log, or stderr without log_dir.
	ErrorLog string `yaml:"error_log"`
	Level    string `yaml:"level"` // debug | info | warn | error; default info
}

// AccessLogOff as logs.access_log disables the access log.
const AccessLogOff = "off"
