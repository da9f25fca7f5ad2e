package main

import (
	"fmt"
	"io"
)

// cmdCheckConfig is a placeholder until its issue lands.
func cmdCheckConfig(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "ferrox: not implemented yet")
	return 2
}
