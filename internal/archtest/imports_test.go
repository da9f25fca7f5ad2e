// Package archtest pins the dependency direction of the module (the
// layout table of DESIGN.md): which packages each package may import in
// production code. It reads the import clauses of every non-test file,
// whatever its build constraints, so a file built only on another system
// cannot bend the rule either. It also checks that every make target the
// README and the reports tell a reader to run exists (maketargets_test.go).
package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/ferrox/ferrox/"

// rules: for each package (directory under the module root), the module
// packages and third-party modules its production code may import; the
// standard library is always allowed, except where stdlibDeny says.
var rules = []struct {
	dir   string
	allow []string
	// stdlibDeny lists standard packages the package must not import.
	stdlibDeny []string
}{
	// The parser works on bytes only: no network, files or HTTP stack.
	{dir: "parser", stdlibDeny: []string{"net", "net/http", "os", "io/fs"}},
	// The response vocabulary sits right above the parser.
	{dir: "wire", allow: []string{"parser"}, stdlibDeny: []string{"net/http"}},
	// The engine: the parser and the response package only, never its own
	// file handler, the configuration or YAML.
	{dir: "server", allow: []string{"parser", "wire"}, stdlibDeny: []string{"net/http"}},
	// klauspost/compress: gzip and zstd on the fly (issue 16), faster than
	// compress/gzip and the only maintained pure-Go zstd encoder.
	{dir: "server/static", allow: []string{"parser", "wire", "internal/mime",
		"github.com/klauspost/compress/gzip", "github.com/klauspost/compress/zstd"}, stdlibDeny: []string{"net/http"}},
	// Keys, defaults, YAML, validation and the wiring to engine, handler,
	// logs and TLS: the one place that knows both sides.
	{dir: "config", allow: []string{"server", "server/static", "server/metrics", "wire", "parser", "go.yaml.in/yaml/v4"}},
	// The Prometheus exposition of the engine's counters: served by the
	// engine itself, so no HTTP stack and no client library.
	{dir: "server/metrics", allow: []string{"server", "parser", "wire"}, stdlibDeny: []string{"net/http"}},
	// The black-box runner grades any server: never the engine.
	{dir: "conformance", allow: []string{"corpus", "parser"}}, // parser: the reference reading of client and forwarded bytes only
	{dir: "corpus", allow: nil},
	{dir: "loadtest", allow: []string{"github.com/tsenart/vegeta/v12/lib"}},
	{dir: "internal/loopback", allow: nil},
	// Shared by the fuzz targets of several packages: nothing of the module.
	{dir: "internal/fuzzfix", allow: nil},
}

func root(t *testing.T) string {
	t.Helper()
	d, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(d, "go.mod")); err != nil {
		t.Fatalf("module root not found from %s: %v", d, err)
	}
	return d
}

// imports returns the imports of the non-test Go files in dir (not its
// subdirectories), each with the file that makes it.
func imports(t *testing.T, dir string) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	fset := token.NewFileSet()
	out := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			out[p] = filepath.Base(f)
		}
	}
	return out
}

func stdlib(p string) bool {
	first, _, _ := strings.Cut(p, "/")
	return !strings.Contains(first, ".")
}

func TestImportDirection(t *testing.T) {
	r := root(t)
	for _, rule := range rules {
		t.Run(rule.dir, func(t *testing.T) {
			for p, file := range imports(t, filepath.Join(r, filepath.FromSlash(rule.dir))) {
				if stdlib(p) {
					if slices.Contains(rule.stdlibDeny, p) {
						t.Errorf("%s/%s imports %q; the package must not use it", rule.dir, file, p)
					}
					continue
				}
				rel := strings.TrimPrefix(p, module)
				if !slices.Contains(rule.allow, rel) && !slices.Contains(rule.allow, p) {
					t.Errorf("%s/%s imports %q; %s may import only %v and the standard library", rule.dir, file, p, rule.dir, rule.allow)
				}
			}
		})
	}
}

// The rule table must keep up with the tree: a test that names a
// directory that no longer exists would pass vacuously, so imports fails
// on it (no Go files), and a rule is checked to allow only packages that
// exist.
func TestRulesNameRealPackages(t *testing.T) {
	r := root(t)
	for _, rule := range rules {
		for _, a := range rule.allow {
			if strings.Contains(strings.SplitN(a, "/", 2)[0], ".") {
				continue // a third-party module
			}
			if _, err := os.Stat(filepath.Join(r, filepath.FromSlash(a))); err != nil {
				t.Errorf("rule for %s allows %q, which does not exist", rule.dir, a)
			}
		}
	}
}
