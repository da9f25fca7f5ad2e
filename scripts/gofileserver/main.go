// Command gofileserver serves a directory with Go's net/http file server in
// its stock configuration, as the net/http column of `make baseline`.
//
//	go run ./scripts/gofileserver -root DIR -listen 127.0.0.1:18084
package main

import (
	"flag"
	"net/http"

	"github.com/ferrox/ferrox/scripts/internal/stdserve"
)

func main() {
	root := flag.String("root", ".", "directory to serve")
	listen := flag.String("listen", "127.0.0.1:18084", "address to listen on")
	flag.Parse()

	// Stock net/http: no timeouts or limits beyond the defaults, because the
	// baseline grades what net/http does out of the box.
	srv := &http.Server{Addr: *listen, Handler: http.FileServer(http.Dir(*root))}

	stdserve.Run("gofileserver", srv)
}
