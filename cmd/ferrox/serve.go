package main

import (
	"fmt"
	"io"
)

// cmdServe is a placeholder until its issue lands.
func cmdServe(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ferrox: not implemented yet")
	return 2
}
