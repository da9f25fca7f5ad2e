// Command ferrox is the static-file HTTP/1.1 server and HTTP testbed.
//
//	ferrox serve        serve a directory (see `ferrox serve -h`)
//	ferrox check-config validate a YAML config file
//	ferrox conform      replay the RFC 9112 corpus against a target
//	ferrox load         run a load scenario against a target
//	ferrox cert         write a self-signed development certificate
//	ferrox version      print the version
//
// This is the only package that calls os.Exit, installs signal handlers or
// reads the environment. Exit codes: 0 ok, 1 failure (a failed check), 2
// usage or configuration error.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
)

// version is set with -ldflags "-X main.version=..." (make build); when
// it is not, versionText reads the build info.
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(rest, stdout, stderr)
	case "check-config":
		return cmdCheckConfig(rest, stdout, stderr)
	case "conform":
		return cmdConform(rest, stdout, stderr)
	case "load":
		return cmdLoad(rest, stdout, stderr)
	case "origin":
		return cmdOrigin(rest, stdout, stderr)
	case "cert":
		return cmdCert(rest, stdout, stderr)
	case slowWorkerCommand:
		return cmdSlowWorker(rest, os.Stdin, stdout, stderr)
	case "version", "-version", "--version":
		fmt.Fprintln(stdout, versionText(version, buildInfo(), runtime.GOOS, runtime.GOARCH))
		return 0
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "ferrox: unknown command %q\n", cmd)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: ferrox <command> [flags]

commands:
  serve         serve a directory over HTTP/1.1 (and HTTPS)
  check-config  validate a YAML config file
  conform       replay the RFC 9112 conformance corpus against a target
  load          run a load scenario (keepalive, close, ramp, slowloris, slowbody, idle)
  origin        run the recording origin behind a front end you wire up (--record DIR)
  cert          write a self-signed development certificate (--dev DIR)
  version       print the version

Run 'ferrox <command> -h' for a command's flags.
`)
}
