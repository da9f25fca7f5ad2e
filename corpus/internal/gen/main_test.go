package main

import (
	"bytes"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// committed is the case tree the corpus package embeds.
const committed = "../../cases"

// regen is the command that rewrites the committed tree.
const regen = "go run ./corpus/internal/gen"

// readTree returns every file under dir by its slash path relative to dir.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// treeDiff lists how the committed tree differs from the generated one,
// one message per file, each saying what to do about it.
func treeDiff(generated, committed map[string][]byte) []string {
	var msgs []string
	for _, name := range slices.Sorted(maps.Keys(generated)) {
		want := generated[name]
		got, ok := committed[name]
		switch {
		case !ok:
			msgs = append(msgs, "missing: corpus/cases/"+name+" is produced by the tables but not committed; run "+regen)
		case !bytes.Equal(got, want):
			msgs = append(msgs, "differs: corpus/cases/"+name+" is not what the tables produce; edit the table row, not the file, then run "+regen+
				" (-tables +file):\n"+cmp.Diff(string(want), string(got)))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(committed)) {
		if _, ok := generated[name]; !ok {
			group, _, _ := strings.Cut(name, "/")
			msgs = append(msgs, "extra: corpus/cases/"+name+" is not produced by the tables; add it as a row in the "+group+
				" table in corpus/internal/gen (README: \"Add a case\") and run "+regen+", or delete the file")
		}
	}
	return msgs
}

// TestCasesInSync is the single-source-of-truth check: the generator's
// output, written afresh, equals the committed corpus/cases byte for byte.
func TestCasesInSync(t *testing.T) {
	cs, err := build()
	if err != nil {
		t.Fatalf("build() = %v", err)
	}
	dir := filepath.Join(t.TempDir(), "cases")
	if err := write(dir, cs, false); err != nil {
		t.Fatalf("write(%s) = %v", dir, err)
	}
	gen, com := readTree(t, dir), readTree(t, committed)
	if len(gen) != len(cs) {
		t.Errorf("wrote %d files for %d cases", len(gen), len(cs))
	}
	msgs := treeDiff(gen, com)
	for _, m := range msgs {
		t.Error(m)
	}
	if len(msgs) > 0 {
		t.Logf("%d of %d committed case files out of sync with the generator", len(msgs), len(com))
	}
}

// TestTreeDiff shows the check can fail: each kind of drift is reported
// with the fix.
func TestTreeDiff(t *testing.T) {
	gen := map[string][]byte{"fields/a.case": []byte("x\n"), "fields/b.case": []byte("y\n")}
	tests := []struct {
		name      string
		committed map[string][]byte
		want      []string // substrings, one per message
	}{
		{"same", map[string][]byte{"fields/a.case": []byte("x\n"), "fields/b.case": []byte("y\n")}, nil},
		{"edited", map[string][]byte{"fields/a.case": []byte("x2\n"), "fields/b.case": []byte("y\n")}, []string{"differs: corpus/cases/fields/a.case"}},
		{"missing", map[string][]byte{"fields/a.case": []byte("x\n")}, []string{"missing: corpus/cases/fields/b.case"}},
		{"hand-added", map[string][]byte{"fields/a.case": []byte("x\n"), "fields/b.case": []byte("y\n"), "host/c.case": []byte("z\n")},
			[]string{"extra: corpus/cases/host/c.case is not produced by the tables; add it as a row in the host table"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := treeDiff(gen, tc.committed)
			if len(got) != len(tc.want) {
				t.Fatalf("treeDiff = %q; want %d messages", got, len(tc.want))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("treeDiff message %d = %q; want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

// TestWriteKeepsHandWrittenFiles: the generator never silently deletes a
// file it did not produce; -prune deletes it on purpose.
func TestWriteKeepsHandWrittenFiles(t *testing.T) {
	cs, err := build()
	if err != nil {
		t.Fatalf("build() = %v", err)
	}
	dir := filepath.Join(t.TempDir(), "cases")
	if err := write(dir, cs[:3], false); err != nil {
		t.Fatalf("write into a fresh dir = %v", err)
	}
	stray := filepath.Join(dir, cs[0].Group, "by-hand.case")
	if err := os.WriteFile(stray, []byte("hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = write(dir, cs, false)
	if err == nil || !strings.Contains(err.Error(), "by-hand.case") || !strings.Contains(err.Error(), "-prune") {
		t.Fatalf("write over a hand-written file = %v; want an error naming it and -prune", err)
	}
	if _, err := os.Stat(stray); err != nil {
		t.Errorf("hand-written file after a refused write: %v; want it kept", err)
	}
	if n := len(readTree(t, dir)); n != 4 {
		t.Errorf("refused write left %d files; want the 4 from before", n)
	}
	if err := write(dir, cs, true); err != nil {
		t.Fatalf("write -prune = %v", err)
	}
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Errorf("hand-written file after write -prune: %v; want it deleted", err)
	}
	if n := len(readTree(t, dir)); n != len(cs) {
		t.Errorf("write -prune left %d files; want %d", n, len(cs))
	}
}
