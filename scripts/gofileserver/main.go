// Command gofileserver serves a directory with Go's net/http file server in
// its stock configuration, as the net/http column of `make baseline`.
//
//	go run ./scripts/gofileserver -root DIR -listen 127.0.0.1:18084
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	root := flag.String("root", ".", "directory to serve")
	listen := flag.String("listen", "127.0.0.1:18084", "address to listen on")
	flag.Parse()

	// Stock net/http: no timeouts or limits beyond the defaults, because the
	// baseline grades what net/http does out of the box.
	srv := &http.Server{Addr: *listen, Handler: http.FileServer(http.Dir(*root))}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		fmt.Fprintln(os.Stderr, "gofileserver:", err)
		os.Exit(1)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		fmt.Fprintln(os.Stderr, "gofileserver:", err)
	}
}
