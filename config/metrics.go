package config

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// MetricsConfig is the opt-in Prometheus endpoint: the text exposition
// of the engine's counters (package server/metrics), served by Ferrox's
// own engine on a listener of its own, GET and HEAD only. It is off
// unless listen is set. A reload keeps its socket when listen is
// unchanged, and its counters go on counting.
type MetricsConfig struct {
	// Listen is the endpoint's HOST:PORT (e.g. 127.0.0.1:9090); default
	// "" (off). It must differ from the serving addresses; keep it on
	// loopback or a private network: the counters tell about the load.
	Listen string `yaml:"listen"`
	// Path is where the exposition is served; default "/metrics".
	Path string `yaml:"path"`
}

// MetricsOn reports whether the metrics endpoint is configured.
func (c *Config) MetricsOn() bool { return c.Metrics.Listen != "" }

// MetricsPath is metrics.path with its default.
func (c *Config) MetricsPath() string { return or(c.Metrics.Path, "/metrics") }

func (c *Config) validateMetrics(p *problems) {
	m := c.Metrics
	if path := m.Path; path != "" && !validMetricsPath(path) {
		p.add("metrics.path", "%q is not an absolute path of visible ASCII characters without '?', '#' or '%%' (e.g. /metrics)", path)
	}
	if m.Listen == "" {
		return
	}
	host, port, err := net.SplitHostPort(m.Listen)
	n, perr := strconv.Atoi(port)
	switch {
	case err != nil || perr != nil || n < 0 || n > 65535:
		p.add("metrics.listen", "%q is not HOST:PORT with a port 0-65535 (e.g. 127.0.0.1:9090)", m.Listen)
	case host == "":
		p.add("metrics.listen", "%q names no host; give one (e.g. 127.0.0.1:%s) so the endpoint is not exposed on every interface by accident", m.Listen, port)
	case !validHost(host):
		p.add("metrics.listen", "%q is not an IP address or host name", host)
	case n != 0 && (sameAddr(m.Listen, c.Addr()) || c.TLS.Enabled && sameAddr(m.Listen, c.HTTPSAddr())):
		p.add("metrics.listen", "%s is also a serving address; the metrics endpoint needs a port of its own", m.Listen)
	}
}

// sameAddr reports whether two HOST:PORT listen addresses are the same
// socket address (or one of them listens on every address of the port).
func sameAddr(a, b string) bool {
	ha, pa, err1 := net.SplitHostPort(a)
	hb, pb, err2 := net.SplitHostPort(b)
	if err1 != nil || err2 != nil || pa != pb {
		return false
	}
	norm := func(h string) string {
		if ip, err := netip.ParseAddr(h); err == nil {
			if ip.IsUnspecified() {
				return "*"
			}
			return ip.Unmap().String()
		}
		return strings.ToLower(h)
	}
	na, nb := norm(ha), norm(hb)
	return na == nb || na == "*" || nb == "*"
}

// validMetricsPath accepts "/" followed by visible ASCII without the
// characters that would make the target mean something else.
func validMetricsPath(s string) bool {
	if !strings.HasPrefix(s, "/") {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if b <= ' ' || b >= 0x7f || b == '?' || b == '#' || b == '%' {
			return false
		}
	}
	return true
}
