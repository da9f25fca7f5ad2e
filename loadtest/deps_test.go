package loadtest

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports pins the dependency rule of DESIGN.md: loadtest imports the
// standard library and vegeta's lib, never server (or parser), so it can
// load any target.
func TestImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
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
			first, _, _ := strings.Cut(p, "/")
			stdlib := !strings.Contains(first, ".")
			if !stdlib && p != "github.com/tsenart/vegeta/v12/lib" {
				t.Errorf("%s imports %q; want only the standard library and vegeta/lib", f, p)
			}
		}
	}
}
