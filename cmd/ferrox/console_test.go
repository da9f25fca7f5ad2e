package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
	"github.com/ferrox/ferrox/reports"
)

func consoleRun() *conformance.Run {
	r := func(id, section string, l corpus.Level, v conformance.Verdict, reason string) conformance.Result {
		return conformance.Result{Case: corpus.Case{ID: id, Section: section, Level: l}, Verdict: v, Reason: reason}
	}
	return &conformance.Run{Target: "127.0.0.1:8080", Results: []conformance.Result{
		r("get-ok", "RFC9112 3", corpus.MUST, conformance.Pass, "ok"),
		r("te-cl", "RFC9112 6.10", corpus.Safety, conformance.Fail, "got 200, want 400+close"),
		r("cl-dup", "RFC9112 6.3", corpus.MUST, conformance.Pass, "ok"),
		r("date", "RFC9110 6.6.1", corpus.SHOULD, conformance.Warn, "no Date"),
		r("host-two", "RFC9112 3", corpus.MUST, conformance.Error, "dial: refused\nsecond line"),
		r("cl-sign", "RFC9112 6.3", corpus.MUST, conformance.Fail, "got 200"),
	}}
}

func TestConsole(t *testing.T) {
	run := consoleRun()
	tests := []struct {
		name  string
		print func(*bytes.Buffer)
		want  []string
	}{
		{"flat", func(b *bytes.Buffer) { printResults(b, run) }, []string{
			"fail  te-cl                                        RFC9112 6.10     safety got 200, want 400+close",
			"fail  cl-sign                                      RFC9112 6.3      MUST   got 200",
			"error host-two                                     RFC9112 3        MUST   dial: refused second line",
			"warn  date                                         RFC9110 6.6.1    SHOULD no Date",
		}},
		{"tree", func(b *bytes.Buffer) { printTree(b, run) }, []string{
			"! RFC9110 6.6.1: 1 case, 0 pass, 1 warn",
			"    warn  date                                         SHOULD no Date",
			"✘ RFC9112 3: 2 cases, 1 pass, 1 error",
			"    error host-two                                     MUST   dial: refused second line",
			"✘ RFC9112 6.3: 2 cases, 1 pass, 1 fail",
			"    fail  cl-sign                                      MUST   got 200",
			"✘ RFC9112 6.10: 1 case, 0 pass, 1 fail",
			"    fail  te-cl                                        safety got 200, want 400+close",
		}},
		{"summary", func(b *bytes.Buffer) { b.WriteString(summaryLine(run, nil) + "\n") }, []string{
			"conformance of 127.0.0.1:8080: 6 cases: 2 pass, 2 fail, 1 warn, 1 error; 2 MUST/safety failing",
		}},
		{"summary-gate", func(b *bytes.Buffer) {
			b.WriteString(summaryLine(run, reports.CompareGate(run, map[string]bool{"te-cl": true, "cl-dup": true}, "x")) + "\n")
		}, []string{
			"conformance of 127.0.0.1:8080: 6 cases: 2 pass, 2 fail, 1 warn, 1 error; 2 MUST/safety failing; 1 newly failing, 1 fixed",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			tc.print(&b)
			got := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("%s output differs (-want +got):\n%s", tc.name, d)
			}
		})
	}
}

// With -v the run prints the tree; either way the summary is the last line.
func TestConformVerbose(t *testing.T) {
	fakeCorpus(t, testCases())
	addr := okServer(t)
	for _, tc := range []struct {
		flag string
		want string
	}{
		{"-v", "✘ RFC9112 5.1: 1 case, 0 pass, 1 fail\n    fail  reject-space-colon"},
		{"--verbose", "✔ RFC9112 3: 1 case, 1 pass\n"},
		{"--format=json", "fail  reject-space-colon"},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := []string{"conform", "--target", addr, "--timeout", "300ms", "--level", "must", "--out", t.TempDir(), tc.flag}
			run(args, &out, &errb)
			if !strings.Contains(out.String(), tc.want) {
				t.Errorf("run(%q) stdout %q; want it to contain %q", args, out.String(), tc.want)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, "conformance of "+addr+": 2 cases: 1 pass, 1 fail") {
				t.Errorf("run(%q) last line %q; want the summary", args, last)
			}
		})
	}
}
