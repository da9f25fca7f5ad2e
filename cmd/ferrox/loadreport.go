package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ferrox/ferrox/loadtest"
	"github.com/ferrox/ferrox/reports"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// maxResultFile bounds a load.json read by `ferrox load report`.
const maxResultFile = 256 << 20

// cmdLoadReport re-renders one load result file, or merges the files of
// several workers of one distributed run, as text, JSON or an HTML page:
// `ferrox load report [--format text|json|html] [-o OUT] FILE...`. A FILE
// is a load.json (or the directory holding it) or a raw results.gob; the
// HTML page draws time-axis charts from the results.gob beside each
// load.json when there is one. Exit: 0 the (merged) run passed, 1 it did
// not, 2 usage or inputs that do not belong together.
func cmdLoadReport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ferrox load report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text, json or html")
	out := fs.String("o", "", "write the report to `FILE` instead of standard output")
	check := fs.Bool("check", false, "exit 1 when the (merged) run did not pass, like ferrox load")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: ferrox load report [--format text|json|html] [-o OUT] FILE...\n\n"+
			"FILE is a load.json written by `ferrox load`, its directory, a directory of such directories (every\n"+
			"DIR/*/load.json, e.g. the shared volume of a Kubernetes load Job) or a raw results.gob. Several files\n"+
			"of one distributed run (same scenario, same target) merge into one report with a per-worker table:\n"+
			"requests and rates are summed, percentiles come from every sample. Exit: 0 rendered (with --check:\n"+
			"and the run passed), 1 with --check the run did not pass, 2 usage or mismatched inputs.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "ferrox load report: "+format+"\n", a...)
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	switch *format {
	case "text", "json", "html":
	default:
		return fail("unknown --format %q (want text, json or html)", *format)
	}
	tl := reports.NewLoadTimeline()
	args, err := expandLoadArgs(fs.Args())
	if err != nil {
		return fail("%v", err)
	}
	var (
		ins       []loadtest.Input
		firstKind string
		hasTimes  int
		needTimes = *format == "html"
	)
	for _, arg := range args {
		in, gob, err := readLoadInput(arg)
		if err != nil {
			return fail("%v", err)
		}
		kind := "load.json"
		if gob {
			kind = "results.gob"
		}
		if firstKind == "" {
			firstKind = kind
		} else if kind != firstKind {
			return fail("%s is a %s but %s is a %s: give the load.json files of every worker, or every results.gob", arg, kind, args[0], firstKind)
		}
		if gob || needTimes {
			raw := arg
			if !gob {
				raw = filepath.Join(filepath.Dir(in.File), "results.gob")
			}
			worker := rawWorkerName(arg)
			if !gob {
				worker = cmp.Or(in.Result.Worker, in.File)
			}
			r, found, err := readRaw(raw, worker, tl, len(args) > 1)
			if err != nil {
				return fail("%v", err)
			}
			if gob {
				if !found {
					return fail("%s: no such file", arg)
				}
				in = loadtest.Input{File: arg, Result: r}
			}
			if found {
				hasTimes++
			}
		}
		ins = append(ins, in)
	}
	res, err := loadtest.MergeResults(ins)
	if err != nil {
		return fail("%v", err)
	}
	if hasTimes == 0 {
		tl = nil
	} else if hasTimes < len(ins) {
		res.Notes = append(res.Notes, fmt.Sprintf("the time-axis charts show %d of %d workers (the others have no results.gob beside their load.json)", hasTimes, len(ins)))
	}
	var rep reports.Reporter
	switch *format {
	case "text":
		rep = reports.LoadText(res)
	case "json":
		rep = reports.LoadJSON(res)
	case "html":
		rep = reports.LoadHTML(res, tl, "")
	}
	if *out == "" {
		if err := rep(stdout); err != nil {
			return fail("%v", err)
		}
	} else if err := writeFileAtomic(*out, rep); err != nil {
		return fail("%v", err)
	}
	if *check && !res.Passed() {
		return 1
	}
	return 0
}

// expandLoadArgs replaces each directory that holds no load.json by its
// subdirectories that do (sorted), so one argument names every worker of a
// shared results volume.
func expandLoadArgs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			out = append(out, a)
			continue
		}
		if _, err := os.Stat(filepath.Join(a, "load.json")); err == nil {
			out = append(out, a)
			continue
		}
		subs, err := filepath.Glob(filepath.Join(a, "*", "load.json"))
		if err != nil {
			return nil, err
		}
		if len(subs) == 0 {
			return nil, fmt.Errorf("%s: no load.json in it or in its subdirectories", a)
		}
		for _, s := range subs { // Glob sorts
			out = append(out, filepath.Dir(s))
		}
	}
	return out, nil
}

// readLoadInput reads one FILE argument: a load.json, a directory holding
// one, or a results.gob (gob true, Result nil).
func readLoadInput(arg string) (in loadtest.Input, gob bool, err error) {
	name := arg
	if st, err := os.Stat(arg); err != nil {
		return in, false, err
	} else if st.IsDir() {
		name = filepath.Join(arg, "load.json")
	}
	f, err := os.Open(name)
	if err != nil {
		return in, false, err
	}
	defer f.Close()
	head, err := io.ReadAll(io.LimitReader(f, maxResultFile+1))
	if err != nil {
		return in, false, fmt.Errorf("%s: %w", name, err)
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if strings.HasSuffix(name, ".json") {
			return in, false, fmt.Errorf("%s: not a ferrox load result (JSON object expected)", name)
		}
		return loadtest.Input{File: name}, true, nil
	}
	if len(head) > maxResultFile {
		return in, false, fmt.Errorf("%s: larger than %d MiB", name, maxResultFile>>20)
	}
	var r loadtest.Result
	if err := json.Unmarshal(head, &r); err != nil {
		return in, false, fmt.Errorf("%s: not a ferrox load result: %w", name, err)
	}
	if r.Schema < 1 || r.Scenario == "" || r.Phases == nil {
		return in, false, fmt.Errorf("%s: not a ferrox load result (no schema, scenario or phases)", name)
	}
	return loadtest.Input{File: name, Result: &r}, false, nil
}

// rawWorkerName names the worker of a results.gob by its directory, or by
// the file when it is not called results.gob.
func rawWorkerName(p string) string {
	if filepath.Base(p) == "results.gob" {
		return filepath.Base(filepath.Dir(p))
	}
	return filepath.Base(p)
}

// readRaw decodes a results.gob into a Result and feeds the timeline (one
// series per worker when perWorker). A missing file is not an error: found
// is false.
func readRaw(p, worker string, tl *reports.LoadTimeline, perWorker bool) (*loadtest.Result, bool, error) {
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	dec := vegeta.NewDecoder(f)
	add := tl.Add
	if perWorker {
		add = func(r *vegeta.Result) { tl.AddWorker(worker, r) }
	}
	r, err := loadtest.RawResult(worker, dec, add)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", p, err)
	}
	return r, true, nil
}
