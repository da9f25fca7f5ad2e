package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/server/static"
)

// TestHandoff: a listener passes from one server to another (as a reload
// does) while a client connects continuously: no connection is refused or
// lost, the requests before the hand-over get the first server's
// settings, those after it the second's.
func TestHandoff(t *testing.T) {
	before := runtime.NumGoroutine()
	dir := testSite(t)
	h, err := static.New(testStatic(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	newSrv := func(gen string) *Server {
		set := testSettings()
		set.Headers = append(set.Headers, [2]string{"X-Gen", gen})
		return mustNew(t, set, Options{Handler: h})
	}
	a, b := newSrv("a"), newSrv("b")
	ln, err := listenNow("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hl := NewHandoff(ln)
	doneA, doneB := make(chan error, 1), make(chan error, 1)
	go func() { doneA <- a.Serve(hl) }()
	e := &testEnv{addr: ln.Addr().String()}

	var gens []string
	for i := range 200 {
		if i == 50 {
			if err := hl.Release(); err != nil {
				t.Fatalf("Release: %v", err)
			}
			if err := <-doneA; !errors.Is(err, ErrReleased) {
				t.Fatalf("Serve after Release = %v; want ErrReleased", err)
			}
			if err := hl.Resume(); err != nil {
				t.Fatalf("Resume: %v", err)
			}
			go func() { doneB <- b.Serve(hl) }()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := a.Shutdown(ctx); err != nil {
				t.Fatalf("first server's Shutdown = %v", err)
			}
			cancel()
		}
		c := e.dial(t)
		c.send(get("/a.txt", "Connection: close"))
		resp, _ := c.read("GET")
		c.nc.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: status %d; want 200", i, resp.StatusCode)
		}
		if g := resp.Header.Get("X-Gen"); len(gens) == 0 || gens[len(gens)-1] != g {
			gens = append(gens, g)
		}
	}
	if got := strings.Join(gens, ","); got != "a,b" {
		t.Errorf("X-Gen sequence %s; want a,b", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	if err := <-doneB; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve = %v; want ErrServerClosed", err)
	}
	waitGoroutines(t, before)
}

// TestShutdownServesFirstRequest: a connection accepted before Shutdown
// whose request comes after it is answered (with Connection: close), not
// closed unread; a kept-alive connection waiting for its second request
// is closed at once.
func TestShutdownServesFirstRequest(t *testing.T) {
	e := startServer(t, nil)
	fresh := e.dial(t)
	idle := e.dial(t)
	idle.send(get("/a.txt"))
	if resp, _ := idle.read("GET"); resp.StatusCode != 200 {
		t.Fatalf("keep-alive GET: %d", resp.StatusCode)
	}
	// Bounded wait until the server holds both connections.
	for i := 0; e.s.NumConns() < 2; i++ {
		if i == 500 {
			t.Fatalf("server holds %d connections; want 2", e.s.NumConns())
		}
		time.Sleep(2 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.s.Shutdown(ctx) }()
	idle.expectEOF()
	fresh.send(get("/a.txt"))
	resp, body := fresh.read("GET")
	if resp.StatusCode != 200 || !resp.Close {
		t.Errorf("first request after Shutdown began: %d close=%v %q; want 200 with Connection: close", resp.StatusCode, resp.Close, body)
	}
	fresh.expectEOF()
	if err := <-done; err != nil {
		t.Errorf("Shutdown = %v; want nil", fmt.Sprint(err))
	}
}

// TestShutdownSilentNewConn: a new connection that never sends a request
// does not hold Shutdown beyond shutdownFirstWait: Shutdown returns nil
// (well before its 10 s context ends, and before the header timeout),
// and the connection is closed with no response.
func TestShutdownSilentNewConn(t *testing.T) {
	e := startServer(t, func(s *Settings) { s.HeaderTimeout = time.Minute })
	silent := e.dial(t)
	for i := 0; e.s.NumConns() < 1; i++ {
		if i == 500 {
			t.Fatalf("server holds %d connections; want 1", e.s.NumConns())
		}
		time.Sleep(2 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.s.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown = %v; want nil (a silent new connection waits at most %v)", err, shutdownFirstWait)
	}
	silent.expectEOF()
}
