package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Every `make TARGET` that the README or a report tells a reader to run
// is a target of the Makefile: the side-by-side bench was quoted in both
// from the day it was written with no target behind it ("No rule to make
// target").

var (
	// A rule's head: one or more names, a colon, not an assignment (:=).
	makeRule = regexp.MustCompile(`(?m)^([A-Za-z0-9_.-]+(?:[ \t]+[A-Za-z0-9_.-]+)*)[ \t]*:([^=]|$)`)
	// Code in Markdown: a fenced block or an inline span.
	mdFence = regexp.MustCompile("(?s)```.*?```")
	mdSpan  = regexp.MustCompile("`[^`\n]+`")
	// make and its first argument, where a command can begin.
	makeCall = regexp.MustCompile(`(?:^|[\s;&|(])make[ \t]+([a-z][a-z0-9-]*)`)
)

func makeTargets(t *testing.T, makefile string) []string {
	t.Helper()
	b, err := os.ReadFile(makefile)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range makeRule.FindAllStringSubmatch(string(b), -1) {
		for n := range strings.FieldsSeq(m[1]) {
			if !strings.HasPrefix(n, ".") {
				names = append(names, n)
			}
		}
	}
	return names
}

// madeTargets returns the targets the Markdown text md runs with make, in
// its code only (prose may say "make sure").
func madeTargets(md string) []string {
	var code []string
	code = append(code, mdFence.FindAllString(md, -1)...)
	code = append(code, mdSpan.FindAllString(mdFence.ReplaceAllString(md, ""), -1)...)
	var out []string
	for _, c := range code {
		for _, m := range makeCall.FindAllStringSubmatch(strings.Trim(c, "`"), -1) {
			out = append(out, m[1])
		}
	}
	return out
}

func TestMadeTargets(t *testing.T) {
	md := "To make sure, run `make test` or\n\n```\nRUNS=3 make bench-compare  # the bench\ncd x && make -n\n```\n\nand `CI=true make ci`."
	got := madeTargets(md)
	want := []string{"bench-compare", "test", "ci"}
	if !slices.Equal(got, want) {
		t.Fatalf("madeTargets = %q, want %q", got, want)
	}
}

func TestDocumentedMakeTargetsExist(t *testing.T) {
	root := filepath.Join("..", "..")
	have := makeTargets(t, filepath.Join(root, "Makefile"))
	if !slices.Contains(have, "test") || !slices.Contains(have, "bench-compare") {
		t.Fatalf("Makefile targets %q: the rule pattern no longer matches the Makefile", have)
	}
	docs, err := filepath.Glob(filepath.Join(root, "reports", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	docs = append([]string{filepath.Join(root, "README.md")}, docs...)
	for _, doc := range docs {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, target := range madeTargets(string(b)) {
			if !seen[target] && !slices.Contains(have, target) {
				seen[target] = true
				t.Errorf("%s runs `make %s`, which the Makefile does not define", filepath.Base(doc), target)
			}
		}
	}
}
