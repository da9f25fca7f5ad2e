// Command goproxy is Go's httputil.ReverseProxy in its stock configuration,
// the Go column of `make chains`: every request that reaches -listen is
// forwarded to -upstream.
//
//	go run ./scripts/goproxy -listen 127.0.0.1:18210 -upstream 127.0.0.1:18310
//
// Both addresses must be loopback: the chain tests send deliberately
// malformed traffic and must never reach another host.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"

	"github.com/ferrox/ferrox/scripts/internal/stdserve"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:18210", "address to listen on (loopback)")
	upstream := flag.String("upstream", "127.0.0.1:18310", "origin HOST:PORT to forward to (loopback)")
	flag.Parse()

	for _, a := range []string{*listen, *upstream} {
		if err := checkLoopback(a); err != nil {
			fmt.Fprintln(os.Stderr, "goproxy:", err)
			os.Exit(2)
		}
	}

	// Stock ReverseProxy and http.Server: no timeouts, limits or header
	// rewrites beyond the defaults, because the chain matrix grades what
	// net/http/httputil does out of the box. Its Transport keeps upstream
	// connections alive (http.DefaultTransport).
	target := &url.URL{Scheme: "http", Host: *upstream}
	srv := &http.Server{Addr: *listen, Handler: httputil.NewSingleHostReverseProxy(target)}

	stdserve.Run("goproxy", srv)
}

// checkLoopback reports an error unless addr is HOST:PORT with HOST a
// loopback IP literal or "localhost".
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("address %q is not loopback (127.0.0.0/8, ::1, localhost)", addr)
}
