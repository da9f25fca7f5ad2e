package main

import (
	"fmt"
	"io"
)

// cmdConform is a placeholder until its issue lands.
func cmdConform(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ferrox: not implemented yet")
	return 2
}
