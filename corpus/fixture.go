package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// FixtureFile is one entry of the document tree the cases expect the
// server under test to serve. Path is absolute in URL form ("/a.txt");
// directories end in "/" and have Dir set.
type FixtureFile struct {
	Path string
	Data []byte
	Dir  bool
}

// FixtureModTime is the modification time WriteFixture gives every file,
// so conditional-request cases (If-Modified-Since) are deterministic. It
// is Mon, 01 Jan 2024 00:00:00 GMT.
var FixtureModTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Fixture returns the document tree the corpus is written against, in a
// fixed order (each directory before its entries). The content is
// deterministic; FORMAT.md documents the contract.
func Fixture() []FixtureFile {
	a := make([]byte, 1000)
	const alnum = "0123456789abcdefghijklmnopqrstuvwxyz"
	for i := range a {
		a[i] = alnum[i%len(alnum)]
	}
	big := make([]byte, 64<<10)
	for i := range big {
		big[i] = byte(i*31 + 7)
	}
	page := func(title string) []byte {
		return []byte("<!doctype html>\n<html><head><title>" + title +
			"</title></head><body><p>" + title + "</p></body></html>\n")
	}
	return []FixtureFile{
		{Path: "/", Dir: true},
		{Path: "/index.html", Data: page("Ferrox fixture")},
		{Path: "/canary.txt", Data: []byte("canary\n")},
		{Path: "/a.txt", Data: a},
		{Path: "/big.bin", Data: big},
		{Path: "/.hidden", Data: []byte("hidden file: must not be served\n")},
		{Path: "/dir/", Dir: true},
		{Path: "/dir/index.html", Data: page("dir index")},
		{Path: "/list/", Dir: true},
		{Path: "/list/b.txt", Data: []byte("b\n")},
		{Path: "/list/<script>x.txt", Data: []byte("x\n")},
	}
}

// WriteFixture creates the fixture tree under dir (which may exist) and
// sets every file's modification time to FixtureModTime. Errors name the
// path that failed.
func WriteFixture(dir string) error {
	for _, f := range Fixture() {
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(f.Path, "/")))
		if f.Dir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return fmt.Errorf("fixture %s: %w", p, err)
			}
			continue
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return fmt.Errorf("fixture %s: %w", p, err)
		}
		if err := os.Chtimes(p, FixtureModTime, FixtureModTime); err != nil {
			return fmt.Errorf("fixture %s: %w", p, err)
		}
	}
	return nil
}
