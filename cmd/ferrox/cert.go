package main

import (
	"fmt"
	"io"
)

// cmdCert is a placeholder until its issue lands.
func cmdCert(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ferrox: not implemented yet")
	return 2
}
