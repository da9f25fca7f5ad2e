// Package testnet holds small network helpers shared by tests of several
// packages (fake servers for the conformance runner and the CLI).
package testnet

import (
	"net"
	"sync"
	"testing"
)

// Serve accepts connections on ln and handles each with h on its own
// goroutine until the test ends; then it closes the listener and every
// connection and waits for the handlers. It returns ln's address.
func Serve(t testing.TB, ln net.Listener, h func(net.Conn)) string {
	t.Helper()
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				h(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// Listen is Serve on a fresh 127.0.0.1 listener.
func Listen(t testing.TB, h func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return Serve(t, ln, h)
}
