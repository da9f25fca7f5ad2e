package fuzz

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/ferrox/ferrox/config"
)

// configSeeds are small configs, valid and invalid (serve_dir "." exists:
// tests run in the package directory).
var configSeeds = []string{
	"paths:\n  serve_dir: .\n",
	"server:\n  port: 80\n  prot: 1\n",
	"srv:\n  port: 80\n",
	"server:\n  port: 80\n  port: 81\n",
	"timeouts:\n  header: 10x\n",
	"paths:\n  serve_dir: .\ntimeouts:\n  idle: -1s\n",
	"paths:\n  serve_dir: .\nserver:\n  port: 70000\n",
	"paths:\n  serve_dir: /nonexistent/dir\n",
	"paths:\n  serve_dir: .\nheaders:\n  \"X Y\": a\n",
	"paths:\n  serve_dir: .\nheaders:\n  X-Y: \"a\\nb\"\n",
	"paths:\n  serve_dir: .\nfiles:\n  index: [a, b/c]\n  error_pages:\n    404: nope.html\n",
	"paths:\n  serve_dir: .\ntls:\n  enabled: true\n",
	"server: [\n",
	"limits:\n  max_connections: lots\n",
	"- a\n- b\n",
	"a: &x [*x]\n",
	"files:\n  routes:\n    /a: ../etc/passwd\n",
	"paths:\n  serve_dir: .\nlogs:\n  access_format: xml\n  level: loud\n",
	"%YAML 1.3\n---\nserver: {}\n",
}

// topKeys returns the top-level keys of a YAML document (nil when it is
// not a mapping).
func topKeys(b []byte) map[string]bool {
	var root yaml.Node
	if yaml.Load(b, &root) != nil || root.Kind != yaml.DocumentNode || len(root.Content) == 0 || root.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	keys := map[string]bool{}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		keys[m.Content[i].Value] = true
	}
	return keys
}

// checkConfigLoad: config.Load never panics, and every line of an error
// it returns reads "file:line:col: message" — except a validation error
// about a key the file does not mention at all (a default that fails,
// such as the default serve_dir missing), which has no place to point at.
func checkConfigLoad(tb TB, dir string, in []byte) {
	tb.Helper()
	file := filepath.Join(dir, "ferrox.yml")
	if err := os.WriteFile(file, in, 0o644); err != nil {
		tb.Fatal(err)
	}
	_, err := config.Load(file)
	if err == nil {
		return
	}
	keys := topKeys(in)
	for _, leaf := range leafErrors(err) {
		var ce *config.ConfigError
		if !errors.As(leaf, &ce) {
			tb.Fatalf("Load(%q) error %T %q; want *config.ConfigError", in, leaf, leaf)
		}
		if ce.File != file {
			tb.Fatalf("Load(%q) error names file %q; want %q", in, ce.File, file)
		}
		if ce.Line > 0 && ce.Col > 0 && strings.HasPrefix(ce.Error(), fmt.Sprintf("%s:%d:%d: ", file, ce.Line, ce.Col)) {
			continue
		}
		// A validation error ("section.key: msg") about a section the
		// file does not mention has no place to point at.
		section, _, _ := strings.Cut(ce.Msg, ".")
		if ce.Line == 0 && !keys[section] && section != "" && !strings.ContainsAny(section, " :") {
			continue
		}
		tb.Fatalf("Load(%q) error %q (line %d, col %d); want %q", in, ce.Error(), ce.Line, ce.Col, file+":LINE:COL: message")
	}
}

// leafErrors flattens errors.Join trees.
func leafErrors(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, leafErrors(e)...)
		}
		return out
	}
	return []error{err}
}
