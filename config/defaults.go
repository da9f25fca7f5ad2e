package config

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/server"
	"github.com/ferrox/ferrox/server/static"
)

// defaults is the one table of default values: every "0 or absent means
// the default" in Config resolves here, and nowhere else. MaxConnections
// has no entry: its default is computed (server.AutoMaxConns).
var defaults = struct {
	Addr             string
	Port             int
	HTTPSPort        int
	ServeDir         string
	MaxConnsPerIP    int
	MaxHeaderBytes   int
	MaxHeaderFields  int
	MaxTargetLength  int
	MaxMethodLength  int // not a key: the parser's bound on a method (→ 501)
	MaxBodyBytes     int64
	HeaderTimeout    time.Duration
	IdleTimeout      time.Duration
	WriteTimeout     time.Duration
	BodyMinRateBytes int64
	BodyRateWindow   time.Duration
	ShutdownGrace    time.Duration
	Index            []string
	OpenFileCache    time.Duration
	AccessFormat     string
	Level            string
	FlushInterval    time.Duration
	// Headers are the security headers sent unless configured away.
	Headers map[string]string
}{
	Addr:             "127.0.0.1",
	Port:             8080,
	HTTPSPort:        8443,
	ServeDir:         "www",
	MaxConnsPerIP:    256,
	MaxHeaderBytes:   16384,
	MaxHeaderFields:  parser.MaxFields, // the parser's fixed capacity, 128
	MaxTargetLength:  8192,
	MaxMethodLength:  32,
	MaxBodyBytes:     1 << 20,
	HeaderTimeout:    10 * time.Second,
	IdleTimeout:      60 * time.Second,
	WriteTimeout:     30 * time.Second,
	BodyMinRateBytes: 1024,
	BodyRateWindow:   10 * time.Second,
	ShutdownGrace:    10 * time.Second,
	Index:            []string{"index.html"},
	OpenFileCache:    static.DefaultOpenFileCache, // 1s
	AccessFormat:     "combined",
	Level:            "info",
	FlushInterval:    100 * time.Millisecond,
	Headers: map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "strict-origin-when-cross-origin",
		"X-Frame-Options":        "SAMEORIGIN",
	},
}

// minHeaderBytes is the least limits.max_header_bytes accepted.
const minHeaderBytes = 256

func or[T comparable](v, d T) T {
	var zero T
	if v == zero {
		return d
	}
	return v
}

// on reads a *bool whose default is true.
func on(b *bool) bool { return b == nil || *b }

// Addr returns the HTTP listen address host:port with defaults applied.
func (c *Config) Addr() string {
	return net.JoinHostPort(or(c.Server.Addr, defaults.Addr), strconv.Itoa(or(c.Server.Port, defaults.Port)))
}

// HTTPSAddr returns the HTTPS listen address: --https-listen as given, else
// server.addr with server.https_port, defaults applied.
func (c *Config) HTTPSAddr() string {
	if c.httpsListen != "" {
		return c.httpsListen
	}
	return net.JoinHostPort(or(c.Server.Addr, defaults.Addr), strconv.Itoa(or(c.Server.HTTPSPort, defaults.HTTPSPort)))
}

// ServeDir returns paths.serve_dir with its default.
func (c *Config) ServeDir() string { return or(c.Paths.ServeDir, defaults.ServeDir) }

// ServerHeaderOn reports whether "Server: ferrox" is sent.
func (c *Config) ServerHeaderOn() bool { return on(c.Server.ServerHeader) }

// ParkWaitingOn reports whether waiting connections are parked.
func (c *Config) ParkWaitingOn() bool { return on(c.Server.ParkWaiting) }

// ListingOn reports whether directory listings are enabled; default
// false, as in nginx and Caddy (the README's "Directory listings" says why).
func (c *Config) ListingOn() bool { return c.Listing.Enabled != nil && *c.Listing.Enabled }

// PrecompressedOn reports whether precompressed siblings are served.
func (c *Config) PrecompressedOn() bool { return on(c.Files.Precompressed) }

// IndexFiles returns files.index with its default.
func (c *Config) IndexFiles() []string {
	if len(c.Files.Index) == 0 {
		return slices.Clone(defaults.Index)
	}
	return c.Files.Index
}

// OpenFileCache returns files.open_file_cache with its default (0: off).
func (c *Config) OpenFileCache() time.Duration {
	if c.Files.OpenFileCache == nil {
		return defaults.OpenFileCache
	}
	return *c.Files.OpenFileCache
}

// ShutdownGrace returns timeouts.shutdown_grace with its default.
func (c *Config) ShutdownGrace() time.Duration {
	return or(c.Timeouts.ShutdownGrace, defaults.ShutdownGrace)
}

// Settings resolves c into the engine's settings. c should be valid
// (Validate); values it would reject are passed on as they are.
func (c *Config) Settings() server.Settings {
	l, t := c.Limits, c.Timeouts
	maxConns := l.MaxConnections
	if maxConns == 0 {
		maxConns = server.AutoMaxConns()
	}
	return server.Settings{
		Limits: parser.Limits{
			MaxHeadBytes: or(l.MaxHeaderBytes, defaults.MaxHeaderBytes),
			MaxFields:    or(l.MaxHeaderFields, defaults.MaxHeaderFields),
			MaxTargetLen: or(l.MaxTargetLength, defaults.MaxTargetLength),
			MaxMethodLen: defaults.MaxMethodLength,
		},
		HeaderTimeout:  or(t.Header, defaults.HeaderTimeout),
		IdleTimeout:    or(t.Idle, defaults.IdleTimeout),
		WriteTimeout:   or(t.Write, defaults.WriteTimeout),
		BodyRateWindow: or(t.BodyRateWindow, defaults.BodyRateWindow),
		BodyMinRate:    or(t.BodyMinRateBytes, defaults.BodyMinRateBytes),
		MaxBody:        or(l.MaxBodyBytes, defaults.MaxBodyBytes),
		MaxConns:       maxConns,
		MaxConnsPerIP:  or(l.MaxConnsPerIP, defaults.MaxConnsPerIP),
		Headers:        c.ResponseHeaders(),
		ServerHeader:   c.ServerHeaderOn(),
		Park:           c.ParkWaitingOn(),
	}
}

// redirectSettings are the plain listener's settings while TLS is on: the
// same limits, timeouts and headers, but no Strict-Transport-Security,
// which is never sent over plain HTTP (RFC 6797 §7.2).
func (c *Config) redirectSettings() server.Settings {
	plain := *c
	plain.TLS.HSTS = ""
	return plain.Settings()
}

// StaticConfig is the file handler's configuration, every default
// resolved.
func (c *Config) StaticConfig() static.Config {
	return static.Config{
		Root:            c.ServeDir(),
		Index:           c.IndexFiles(),
		ListingOff:      !c.ListingOn(),
		Dotfiles:        c.Files.Dotfiles,
		NoPrecompressed: !c.PrecompressedOn(),
		Routes:          c.Files.Routes,
		SPAFallback:     c.Files.SPAFallback,
		ErrorPages:      c.Files.ErrorPages,
		CacheControl:    c.Files.CacheControl,
		OpenFileCache:   c.OpenFileCache(),
		Compress:        c.CompressConfig(),
	}
}

// ResponseHeaders returns the configured default headers (defaults merged
// with overrides, empty values removed, Strict-Transport-Security added
// with TLS) sorted by name so every response has the same field order.
func (c *Config) ResponseHeaders() [][2]string {
	m := make(map[string]string, len(defaults.Headers)+len(c.Headers))
	for k, v := range defaults.Headers {
		m[k] = v
	}
	for k, v := range c.Headers {
		// Names match case-insensitively (RFC 9110 §5.1); an override
		// replaces a default spelled differently.
		for dk := range m {
			if parser.EqualFold(dk, k) {
				delete(m, dk)
			}
		}
		m[k] = v
	}
	out := make([][2]string, 0, len(m)+1)
	for k, v := range m {
		if v != "" {
			out = append(out, [2]string{k, v})
		}
	}
	if c.TLS.Enabled && c.TLS.HSTS != "" {
		out = append(out, [2]string{"Strict-Transport-Security", c.TLS.HSTS})
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}
