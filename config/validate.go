package config

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/server"
)

// FieldError is a validation failure of one configuration key. Path is
// the dotted YAML key path ("limits.max_body_bytes"); Load turns it into
// a file:line:col position.
type FieldError struct {
	Path string
	Msg  string
	// Off is 1 + the byte offset in the key's text value the problem is
	// at (placed at that column when the value is on one line); 0 places
	// it at the key.
	Off int
}

func (e *FieldError) Error() string { return e.Path + ": " + e.Msg }

// problems collects FieldErrors.
type problems []error

func (p *problems) add(path, format string, a ...any) {
	*p = append(*p, &FieldError{Path: path, Msg: fmt.Sprintf(format, a...)})
}

// Validate checks every setting: ranges, durations, formats, header names
// and values, and what `serve` would otherwise trip over later: that the
// listen address parses, that the directories and files it names exist
// (and log directories are writable), and that the TLS key pair loads. It
// returns every problem, joined, each a *FieldError. It is the one
// definition of a valid configuration: static.New and server.New trust
// what it passed.
func (c *Config) Validate() error {
	var p problems
	c.validateServer(&p)
	c.validatePaths(&p)
	c.validateHeaders(&p)
	c.validateTLS(&p)
	c.validateLimits(&p)
	c.validateTimeouts(&p)
	c.validateFiles(&p)
	c.validateLogs(&p)
	c.validateCompression(&p)
	c.validateMetrics(&p)
	return errors.Join(p...)
}

func (c *Config) validateServer(p *problems) {
	port := func(path string, v, def int) {
		if v < 0 || v > 65535 {
			p.add(path, "must be a port number 1-65535, or 0 for the default (%d); got %d", def, v)
		}
	}
	port("server.port", c.Server.Port, defaults.Port)
	port("server.https_port", c.Server.HTTPSPort, defaults.HTTPSPort)
	if a := c.Server.Addr; a != "" && !validHost(a) {
		p.add("server.addr", "%q is not an IP address or host name (give the port in server.port)", a)
	}
	if c.TLS.Enabled && c.HTTPSAddr() == c.Addr() {
		p.add("server.https_port", "%s is also the HTTP address; HTTPS needs a port of its own", c.HTTPSAddr())
	}
}

// validHost accepts an IP address (IPv6 without brackets) or a DNS host
// name: dot-separated labels of letters, digits and inner hyphens.
func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !(parser.IsUnreserved(c) && c != '.' && c != '_' && c != '~') {
				return false
			}
		}
	}
	return true
}

func (c *Config) validatePaths(p *problems) {
	if err := dirCheck(c.ServeDir(), false); err != nil {
		p.add("paths.serve_dir", "%v", err)
	}
	if d := c.Paths.LogDir; d != "" {
		if err := dirCheck(d, true); err != nil {
			p.add("paths.log_dir", "%v", err)
		}
	}
}

// managedHeaders are fields the engine writes itself.
var managedHeaders = []string{"Content-Length", "Transfer-Encoding", "Connection", "Date"}

func (c *Config) validateHeaders(p *problems) {
	for _, k := range sortedKeys(c.Headers) {
		path := "headers." + k
		switch {
		case !parser.ValidToken(k):
			p.add(path, "%q is not a valid field name (letters, digits and !#$%%&'*+-.^_`|~ only)", k)
		case !parser.ValidFieldValue(c.Headers[k]):
			p.add(path, "not a valid field value (no control characters, no space at either end)")
		case slices.ContainsFunc(managedHeaders, func(m string) bool { return parser.EqualFold(m, k) }):
			p.add(path, "%s is managed by the server and cannot be set", k)
		}
	}
}

func (c *Config) validateTLS(p *problems) {
	t := c.TLS
	if !parser.ValidFieldValue(t.HSTS) {
		p.add("tls.hsts", "not a valid field value (no control characters, no space at either end)")
	}
	switch {
	case t.CertPath != "" && t.KeyPath == "":
		p.add("tls.cert_path", "set without tls.key_path; give both or neither")
		return
	case t.CertPath == "" && t.KeyPath != "":
		p.add("tls.key_path", "set without tls.cert_path; give both or neither")
		return
	case !t.Enabled:
		return
	case t.CertPath == "":
		p.add("tls.cert_path", "required when tls.enabled is true")
		p.add("tls.key_path", "required when tls.enabled is true")
		return
	}
	// The check `serve` makes at start: both files load and match.
	if _, err := server.LoadKeyPair(t.CertPath, t.KeyPath); err != nil {
		path := "tls.cert_path"
		var ke *server.KeyPairError
		if errors.As(err, &ke) && ke.Key {
			path = "tls.key_path"
		}
		p.add(path, "%v", err)
	}
}

func (c *Config) validateLimits(p *problems) {
	l := c.Limits
	if l.MaxConnections < 0 {
		p.add("limits.max_connections", "must be >= 0 (0 means automatic: the open-file limit less 128); got %d", l.MaxConnections)
	}
	for _, x := range []struct {
		path   string
		v, def int64
	}{
		{"limits.max_conns_per_ip", int64(l.MaxConnsPerIP), int64(defaults.MaxConnsPerIP)},
		{"limits.max_target_length", int64(l.MaxTargetLength), int64(defaults.MaxTargetLength)},
		{"limits.max_body_bytes", l.MaxBodyBytes, defaults.MaxBodyBytes},
		{"timeouts.body_min_rate_bytes", c.Timeouts.BodyMinRateBytes, defaults.BodyMinRateBytes},
	} {
		if x.v < 0 {
			p.add(x.path, "must be >= 0 (0 means the default, %d); got %d", x.def, x.v)
		}
	}
	if v := l.MaxHeaderFields; v < 0 || v > parser.MaxFields {
		p.add("limits.max_header_fields", "must be 0-%d (0 means the default, %d); got %d", parser.MaxFields, defaults.MaxHeaderFields, v)
	}
	if v := l.MaxHeaderBytes; v < 0 || v > 0 && v < minHeaderBytes {
		p.add("limits.max_header_bytes", "must be at least %d, or 0 for the default (%d); got %d", minHeaderBytes, defaults.MaxHeaderBytes, v)
	}
}

func (c *Config) validateTimeouts(p *problems) {
	t := c.Timeouts
	for _, x := range []struct {
		path   string
		v, def time.Duration
	}{
		{"timeouts.header", t.Header, defaults.HeaderTimeout},
		{"timeouts.idle", t.Idle, defaults.IdleTimeout},
		{"timeouts.write", t.Write, defaults.WriteTimeout},
		{"timeouts.body_rate_window", t.BodyRateWindow, defaults.BodyRateWindow},
		{"timeouts.shutdown_grace", t.ShutdownGrace, defaults.ShutdownGrace},
	} {
		if x.v < 0 {
			p.add(x.path, "must be >= 0 (0 means the default, %v); got %v", x.def, x.v)
		}
	}
}

func (c *Config) validateFiles(p *problems) {
	f := c.Files
	if v := f.OpenFileCache; v != nil && *v < 0 {
		p.add("files.open_file_cache", "must be >= 0 (0 turns the cache off); got %v", *v)
	}
	for i, name := range f.Index {
		if name == "" || strings.ContainsAny(name, "/\\") || name == "." || name == ".." {
			p.add("files.index."+strconv.Itoa(i), "%q must be a plain file name (no / or \\, not . or ..)", name)
		}
	}
	if !parser.ValidFieldValue(f.CacheControl) {
		p.add("files.cache_control", "not a valid field value (no control characters, no space at either end)")
	}
	// Every path naming a served file is checked by servedFile, the way
	// the static handler will open it: through an os.Root of serve_dir.
	// Without a usable serve_dir (reported by validatePaths) there is
	// nothing to check them against.
	root, err := os.OpenRoot(c.ServeDir())
	if err != nil {
		root = nil
	} else {
		defer root.Close()
	}
	check := func(path, file string) {
		if root == nil {
			return
		}
		if err := servedFile(root, c.ServeDir(), file); err != nil {
			p.add(path, "%v", err)
		}
	}
	if f.SPAFallback != "" {
		check("files.spa_fallback", f.SPAFallback)
	}
	for _, k := range sortedKeys(f.Routes) {
		if !strings.HasPrefix(k, "/") {
			p.add("files.routes."+k, "the URL path must start with /")
			continue
		}
		check("files.routes."+k, f.Routes[k])
	}
	for _, st := range sortedKeys(f.ErrorPages) {
		path := "files.error_pages." + strconv.Itoa(st)
		if st < 400 || st > 599 {
			p.add(path, "%d is not an error status (400-599)", st)
			continue
		}
		check(path, f.ErrorPages[st])
	}
}

func (c *Config) validateLogs(p *problems) {
	l := c.Logs
	if _, ok := server.ParseAccessFormat(l.AccessFormat); !ok {
		p.add("logs.access_format", "unknown format %q (want combined, combined_time, common or json)", l.AccessFormat)
	}
	if l.AccessLogFormat != "" {
		var fe *server.LogFormatError
		if _, err := server.CompileLogFormat(l.AccessLogFormat); errors.As(err, &fe) {
			*p = append(*p, &FieldError{Path: "logs.access_log_format", Msg: fe.Msg, Off: fe.Offset + 1})
		}
		if l.AccessFormat != "" {
			p.add("logs.access_log_format", "set together with logs.access_format (%q); give one of them", l.AccessFormat)
		}
	}
	if v := l.FlushInterval; v != nil && (*v < 0 || *v > time.Minute) {
		p.add("logs.flush_interval", "must be 0-1m (0 writes every line at once); got %v", *v)
	}
	switch l.Level {
	case "", "debug", "info", "warn", "error":
	default:
		p.add("logs.level", "unknown level %q (want debug, info, warn or error)", l.Level)
	}
	// A file in log_dir is covered by the check of log_dir.
	for _, x := range []struct{ path, file string }{
		{"logs.access_log", l.AccessLog},
		{"logs.error_log", l.ErrorLog},
	} {
		if x.file == "" || x.file == "-" || x.path == "logs.access_log" && x.file == AccessLogOff {
			continue
		}
		if err := logFileCheck(x.file); err != nil {
			p.add(x.path, "%v", err)
		}
	}
}

func sortedKeys[K int | string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
