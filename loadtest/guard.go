package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// ErrNotLoopback reports a target that is not on the loopback interface.
var ErrNotLoopback = errors.New("loadtest: target is not loopback")

// Resolver looks host names up; *net.Resolver satisfies it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckLoopback returns nil when host (a name or an IP literal, without
// port) resolves only to loopback addresses (127.0.0.0/8, ::1). A name that
// does not resolve is refused too. No packet is sent to the host itself.
func CheckLoopback(ctx context.Context, r Resolver, host string) error {
	if a, err := netip.ParseAddr(host); err == nil {
		return loopbackAddr(host, a)
	}
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("%w: %q does not resolve: %v", ErrNotLoopback, host, err)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("%w: %q resolves to nothing", ErrNotLoopback, host)
	}
	for _, a := range addrs {
		if err := loopbackAddr(host, a); err != nil {
			return err
		}
	}
	return nil
}

func loopbackAddr(host string, a netip.Addr) error {
	a = a.Unmap()
	if a.Is4() && a.As4()[0] == 127 || a == netip.IPv6Loopback() {
		return nil
	}
	return fmt.Errorf("%w: %q is %v", ErrNotLoopback, host, a)
}

var _ Resolver = (*net.Resolver)(nil)
