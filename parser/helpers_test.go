package parser

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

type requestFile struct {
	name string
	data []byte
}

// loadRequests reads the benchmark requests from the package's testdata
// copy, falling back to the shared directory.
func loadRequests(tb testing.TB) []requestFile {
	tb.Helper()
	var files []string
	for _, dir := range []string{"testdata/requests", "../../shared/bench/requests"} {
		files, _ = filepath.Glob(filepath.Join(dir, "*.txt"))
		if len(files) > 0 {
			break
		}
	}
	if len(files) == 0 {
		tb.Skip("no request files in testdata/requests or ../../shared/bench/requests")
	}
	sort.Strings(files)
	var out []requestFile
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatalf("ReadFile(%s): %v", f, err)
		}
		out = append(out, requestFile{strings.TrimSuffix(filepath.Base(f), ".txt"), b})
	}
	return out
}
