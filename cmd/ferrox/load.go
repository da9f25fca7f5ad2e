package main

import (
	"fmt"
	"io"
)

// cmdLoad is a placeholder until its issue lands.
func cmdLoad(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ferrox: not implemented yet")
	return 2
}
