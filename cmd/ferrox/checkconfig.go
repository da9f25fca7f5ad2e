package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/ferrox/ferrox/server"
)

// cmdCheckConfig runs `ferrox check-config FILE`: it loads and validates
// the file exactly as `ferrox serve --config FILE` would and prints
// "FILE: ok" (exit 0) or one "file:line:col: message" line per problem
// (exit 2).
func cmdCheckConfig(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] == "" || args[0][0] == '-' {
		if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(stdout, "usage: ferrox check-config FILE")
			return 0
		}
		fmt.Fprintln(stderr, "usage: ferrox check-config FILE")
		return 2
	}
	file := args[0]
	cfg, err := server.LoadConfig(file)
	if err == nil && cfg.TLS.Enabled {
		// The same check `serve` makes at start: the pair must load and match.
		_, err = server.LoadKeyPair(cfg.TLS.CertPath, cfg.TLS.KeyPath)
	}
	if err != nil {
		var joined interface{ Unwrap() []error }
		if errors.As(err, &joined) {
			for _, e := range joined.Unwrap() {
				fmt.Fprintln(stderr, e)
			}
		} else {
			fmt.Fprintln(stderr, err)
		}
		return 2
	}
	fmt.Fprintf(stdout, "%s: ok\n", file)
	return 0
}
