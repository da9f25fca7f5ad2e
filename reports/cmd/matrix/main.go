// Command matrix reads ferrox.conformance JSON (v1 or v2) reports and writes the
// side-by-side matrix (matrix.md, matrix.html) and, beside each JSON
// report, its Markdown and HTML renderings.
//
//	go run ./reports/cmd/matrix -out reports/baseline nginx=reports/baseline/nginx ferrox=reports/baseline/ferrox/report.json
//
// With -rewrite-json each input report is re-encoded in place (a lossless
// round trip through ReadConformJSON and ConformJSON), so reports written
// by an older build get this build's text cut-offs.
//
// Each argument is NAME=PATH: PATH is a JSON report or a directory holding
// exactly one. NAME labels the target's column. Exit status: 0 ok, 1 on any
// error, 2 on bad usage.
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
	fs := flag.NewFlagSet("matrix", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", ".", "directory for matrix.md and matrix.html")
	perTarget := fs.Bool("per-target", true, "also write report.md and report.html beside each JSON report")
	rewrite := fs.Bool("rewrite-json", false, "rewrite each JSON report with this build's encoder (same schema; normalises text cut-offs)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: matrix [-out DIR] NAME=REPORT.json|DIR ...")
		return 2
	}
	var runs []*conformance.Run
	for _, arg := range fs.Args() {
		name, path, ok := strings.Cut(arg, "=")
		if !ok || name == "" || path == "" {
			fmt.Fprintf(stderr, "matrix: argument %q is not NAME=PATH\n", arg)
			return 2
		}
		file, err := reports.FindConformJSON(path)
		if err != nil {
			fmt.Fprintln(stderr, "matrix:", err)
			return 1
		}
		run, err := reports.ReadConformJSONFile(file)
		if err != nil {
			fmt.Fprintf(stderr, "matrix: %s: %v\n", file, err)
			return 1
		}
		if *rewrite {
			if err := reports.WriteFile(file, reports.ConformJSON(run)); err != nil {
				fmt.Fprintln(stderr, "matrix:", err)
				return 1
			}
		}
		if *perTarget {
			dir := filepath.Dir(file)
			for _, o := range []struct {
				name string
				r    reports.Reporter
			}{{"report.md", reports.ConformMarkdown(run)}, {"report.html", reports.ConformHTML(run)}} {
				if err := reports.WriteFile(filepath.Join(dir, o.name), o.r); err != nil {
					fmt.Fprintln(stderr, "matrix:", err)
					return 1
				}
			}
		}
		run.Target = name
		runs = append(runs, run)
	}
	for _, o := range []struct {
		name string
		r    reports.Reporter
	}{{"matrix.md", reports.Matrix(runs)}, {"matrix.html", reports.MatrixHTML(runs)}} {
		if err := reports.WriteFile(filepath.Join(*out, o.name), o.r); err != nil {
			fmt.Fprintln(stderr, "matrix:", err)
			return 1
		}
	}
	return 0
}
