// Package loopback holds the one safety rule of the commands that send
// traffic (ferrox conform sends malformed and smuggling requests, ferrox
// load sends floods): the target must be on the loopback interface unless
// the user explicitly names a remote server. It uses only the standard
// library, so any package may import it.
package loopback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// ErrNotLoopback is wrapped by every refusal of Check.
var ErrNotLoopback = errors.New("not a loopback address")

// Resolver looks host names up; *net.Resolver satisfies it, and tests pass
// a fake so no DNS query leaves the machine.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

var _ Resolver = (*net.Resolver)(nil)

// Check returns nil when target names only loopback addresses: 127.0.0.0/8
// or ::1 (an IPv4-mapped ::ffff:127.x.y.z counts as IPv4). target is a host
// name or an IP literal, optionally bracketed ("[::1]") or with a port
// ("[::1]:80", "localhost:8080"). A name is resolved with r and every
// address it resolves to must be loopback; a name that does not resolve is
// refused. 0.0.0.0 and :: are refused: they are not loopback, and a
// connection to them reaches whatever listens on any interface. No packet
// is sent to the target itself.
func Check(ctx context.Context, r Resolver, target string) error {
	host := Host(target)
	if host == "" {
		return fmt.Errorf("%w: no host in %q", ErrNotLoopback, target)
	}
	if a, err := netip.ParseAddr(host); err == nil {
		if !isLoopback(a) {
			return fmt.Errorf("%w: %s (want 127.0.0.0/8 or ::1)", ErrNotLoopback, host)
		}
		return nil
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("%w: %s does not resolve: %w", ErrNotLoopback, host, err)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("%w: %s resolves to no address", ErrNotLoopback, host)
	}
	for _, a := range addrs {
		if !isLoopback(a) {
			return fmt.Errorf("%w: %s resolves to %s (want 127.0.0.0/8 or ::1)", ErrNotLoopback, host, a)
		}
	}
	return nil
}

// Host is the host part of target: the port, if any, and IPv6 brackets
// are removed.
func Host(target string) string {
	if h, _, err := net.SplitHostPort(target); err == nil {
		return h
	}
	if strings.HasPrefix(target, "[") && strings.HasSuffix(target, "]") {
		return target[1 : len(target)-1]
	}
	return target
}

// isLoopback: 127.0.0.0/8 (RFC 1122 3.2.1.3 reserves it for the host
// itself) or ::1 (RFC 4291 2.5.3), IPv4-mapped addresses unmapped first.
func isLoopback(a netip.Addr) bool {
	return a.Unmap().IsLoopback()
}
