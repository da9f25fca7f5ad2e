package main

import (
	"fmt"
	"io"

	"github.com/ferrox/ferrox/config"
)

// cmdCheckConfig runs `ferrox check-config FILE`: it loads and validates
// the file exactly as `ferrox serve --config FILE` would and prints
// "FILE: ok" (exit 0) or every problem, one "file:line:col: message" line
// each (exit 2).
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
	if _, err := config.Load(file); err != nil {
		printConfigErrors(stderr, err)
		return 2
	}
	fmt.Fprintf(stdout, "%s: ok\n", file)
	return 0
}
