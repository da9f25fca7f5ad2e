// Command chains reads the JSON reports of chain runs (`ferrox conform
// --via`), one per front end, and writes the proxy × case matrix of chain
// verdicts (matrix.md, matrix.html): findings per proxy and kind, what each
// did with invalid client messages, and per finding the client's bytes and
// the forwarded bytes.
//
//	go run ./reports/cmd/chains -out reports/chains reports/chains/nginx reports/chains/haproxy ...
//
// Each argument is a directory holding exactly one JSON report, plain or
// gzipped (named by the directory), a report file (named by the file without
// .json or .json.gz), or NAME=PATH with either. `make chains` (scripts/chains.sh) runs it. Exit
// status: 0 ok, 1 on any error (a report that is not a chain run is one),
// 2 on bad usage.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/reports"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("chains", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", ".", "directory for matrix.md and matrix.html")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: chains [-out DIR] [NAME=]DIR|REPORT.json ...")
		return 2
	}
	var runs []*conformance.Run
	seen := map[string]bool{}
	for _, arg := range fs.Args() {
		name, path, ok := strings.Cut(arg, "=")
		if !ok {
			path = arg
			name = strings.TrimSuffix(strings.TrimSuffix(filepath.Base(filepath.Clean(arg)), ".gz"), ".json")
		}
		if name == "" || path == "" {
			fmt.Fprintf(stderr, "chains: argument %q: want [NAME=]PATH\n", arg)
			return 2
		}
		if seen[name] {
			fmt.Fprintf(stderr, "chains: two reports named %q\n", name)
			return 2
		}
		seen[name] = true
		file, err := reports.FindConformJSON(path)
		if err != nil {
			fmt.Fprintln(stderr, "chains:", err)
			return 1
		}
		r, err := reports.ReadConformJSONFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "chains: %s: %v\n", file, err)
			return 1
		}
		if r.Origin == "" {
			fmt.Fprintf(stderr, "chains: %s: not a chain run (no recording origin; run ferrox conform --via)\n", file)
			return 1
		}
		r.Target = name
		runs = append(runs, r)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(stderr, "chains:", err)
		return 1
	}
	for _, o := range []struct {
		name string
		r    reports.Reporter
	}{{"matrix.md", reports.ChainMatrix(runs)}, {"matrix.html", reports.ChainMatrixHTML(runs)}} {
		if err := reports.WriteFile(filepath.Join(*out, o.name), o.r); err != nil {
			fmt.Fprintln(stderr, "chains:", err)
			return 1
		}
	}
	return 0
}
