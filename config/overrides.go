package config

import (
	"fmt"
	"net"
	"strconv"

	"github.com/ferrox/ferrox/server"
)

// Overrides are command-line settings that take precedence over a config
// file; empty fields leave the file's value.
type Overrides struct {
	Root         string // --root: paths.serve_dir
	Listen       string // --listen HOST:PORT: server.addr and server.port
	LogDir       string // --log-dir: paths.log_dir
	AccessFormat string // --access-format: logs.access_format
	Listing      bool   // --listing: listing.enabled = true
	NoListing    bool   // --no-listing: listing.enabled = false
	TLSCert      string // --tls-cert: tls.cert_path, and tls.enabled (with TLSKey)
	TLSKey       string // --tls-key: tls.key_path
	HTTPSListen  string // --https-listen HOST:PORT: the HTTPS address (needs TLS)
	// Version is the running binary's version (not a flag): the label of
	// the metrics' ferrox_build_info series; "" says "dev".
	Version string
}

// Apply writes the overrides into c and returns which key each flag set
// (key path → flag), so that a problem with such a key names the flag.
// Errors are about the flags' own form and name the flag.
func (o Overrides) Apply(c *Config) (map[string]string, error) {
	set := map[string]string{}
	c.version = o.Version
	if o.Root != "" {
		c.Paths.ServeDir, set["paths.serve_dir"] = o.Root, "--root"
	}
	if o.Listen != "" {
		host, p, err := splitListen("--listen", o.Listen, 1)
		if err != nil {
			return set, err
		}
		if host == "" {
			host = "0.0.0.0" // ":8080" means every IPv4 interface
		}
		c.Server.Addr, c.Server.Port = host, p
		set["server.addr"], set["server.port"] = "--listen", "--listen"
	}
	if o.LogDir != "" {
		c.Paths.LogDir, set["paths.log_dir"] = o.LogDir, "--log-dir"
	}
	if o.AccessFormat != "" {
		if _, ok := server.ParseAccessFormat(o.AccessFormat); !ok {
			return set, fmt.Errorf("--access-format %q: want combined, combined_time, common or json", o.AccessFormat)
		}
		c.Logs.AccessFormat, set["logs.access_format"] = o.AccessFormat, "--access-format"
	}
	if o.Listing && o.NoListing {
		return set, fmt.Errorf("--listing and --no-listing contradict each other")
	}
	if o.Listing || o.NoListing {
		on := o.Listing
		c.Listing.Enabled, set["listing.enabled"] = &on, "--listing"
		if o.NoListing {
			set["listing.enabled"] = "--no-listing"
		}
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return set, fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if o.TLSCert != "" {
		c.TLS.Enabled, c.TLS.CertPath, c.TLS.KeyPath = true, o.TLSCert, o.TLSKey
		set["tls.cert_path"], set["tls.key_path"] = "--tls-cert", "--tls-key"
	}
	if o.HTTPSListen != "" {
		if !c.TLS.Enabled {
			return set, fmt.Errorf("--https-listen %q: HTTPS needs --tls-cert and --tls-key (or tls.enabled)", o.HTTPSListen)
		}
		if _, _, err := splitListen("--https-listen", o.HTTPSListen, 0); err != nil {
			return set, err
		}
		c.httpsListen, set["server.https_port"] = o.HTTPSListen, "--https-listen"
	}
	return set, nil
}

// splitListen parses a flag's HOST:PORT; the port must be minPort-65535
// (0 asks the system for a free port).
func splitListen(flag, v string, minPort int) (string, int, error) {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return "", 0, fmt.Errorf("%s %q: want HOST:PORT", flag, v)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < minPort || p > 65535 {
		return "", 0, fmt.Errorf("%s %q: the port must be %d-65535", flag, v, minPort)
	}
	return host, p, nil
}
