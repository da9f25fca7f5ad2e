package corpus

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
)

//go:embed cases
var casesFS embed.FS

//go:embed requirements.txt
var requirementsTxt []byte

var loadAll = sync.OnceValues(func() ([]Case, error) {
	var out []Case
	err := fs.WalkDir(casesFS, "cases", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if path.Ext(p) != ".case" {
			return fmt.Errorf("%s: not a .case file", p)
		}
		text, err := casesFS.ReadFile(p)
		if err != nil {
			return err
		}
		c, err := Parse(p, text)
		if err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	reqs, err := Requirements()
	if err != nil {
		return nil, err
	}
	if err := Validate(out, reqs); err != nil {
		return nil, err
	}
	Sort(out)
	return out, nil
})

// All returns the embedded cases, parsed and validated, sorted by group
// then id. The result is computed once; each call returns a fresh slice (the
// cases' Raw and Expect slices are shared: treat them as read-only).
func All() ([]Case, error) {
	cs, err := loadAll()
	if err != nil {
		return nil, err
	}
	return slices.Clone(cs), nil
}

// Sort orders cases by group, then id.
func Sort(cs []Case) {
	slices.SortFunc(cs, func(a, b Case) int {
		if c := strings.Compare(a.Group, b.Group); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// Validate checks a set of parsed cases together: ids are unique, each has
// checks text, an outcome and a chain outcome, and each names a requirement
// in reqs.
func Validate(cs []Case, reqs []Requirement) error {
	known := make(map[string]bool, len(reqs))
	for _, r := range reqs {
		known[r.ID] = true
	}
	ids := make(map[string]string, len(cs))
	for _, c := range cs {
		if prev, dup := ids[c.ID]; dup {
			return fmt.Errorf("%s: id %q already used by %s", c.File, c.ID, prev)
		}
		ids[c.ID] = c.File
		if strings.TrimSpace(c.Checks) == "" {
			return fmt.Errorf("%s: empty checks", c.File)
		}
		if len(c.Expect) == 0 {
			return fmt.Errorf("%s: no outcome", c.File)
		}
		if len(c.Chain) == 0 {
			return fmt.Errorf("%s: no chain outcome", c.File)
		}
		if !known[c.Requirement] {
			return fmt.Errorf("%s: unknown requirement %q", c.File, c.Requirement)
		}
	}
	return nil
}

var loadReqs = sync.OnceValues(func() ([]Requirement, error) {
	return ParseRequirements("requirements.txt", requirementsTxt)
})

// Requirements returns the embedded requirement list (requirements.txt) in
// file order.
func Requirements() ([]Requirement, error) {
	rs, err := loadReqs()
	if err != nil {
		return nil, err
	}
	return slices.Clone(rs), nil
}

// ParseRequirements reads a requirement list: one requirement a line,
// "id | section | level | text"; blank lines and lines starting with '#'
// are skipped. Ids are unique slugs; level is MUST, SHOULD, MAY, safety or policy.
func ParseRequirements(file string, text []byte) ([]Requirement, error) {
	var out []Requirement
	seen := map[string]bool{}
	for i, l := range strings.Split(string(text), "\n") {
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.SplitN(l, "|", 4)
		if len(f) != 4 {
			return nil, posError(file, i+1, 1, "want \"id | section | level | text\"")
		}
		for j := range f {
			f[j] = strings.TrimSpace(f[j])
			if f[j] == "" {
				return nil, posError(file, i+1, 1, "empty field %d", j+1)
			}
		}
		r := Requirement{ID: f[0], Section: f[1], Level: f[2], Text: f[3]}
		if !validID(strings.ReplaceAll(r.ID, ".", "-")) {
			return nil, posError(file, i+1, 1, "bad id %q", r.ID)
		}
		if seen[r.ID] {
			return nil, posError(file, i+1, 1, "duplicate id %q", r.ID)
		}
		seen[r.ID] = true
		switch Level(r.Level) {
		case MUST, SHOULD, MAY, Safety, Policy:
		default:
			return nil, posError(file, i+1, 1, "unknown level %q", r.Level)
		}
		out = append(out, r)
	}
	return out, nil
}

var loadRevision = sync.OnceValues(func() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(casesFS, "cases", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := casesFS.ReadFile(p)
		if err != nil {
			return err
		}
		// Name, length, bytes: no two trees hash the same input stream.
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
		return nil
	})
	if err != nil {
		return "", err
	}
	h.Write(requirementsTxt)
	return hex.EncodeToString(h.Sum(nil))[:12], nil
})

// Revision identifies the embedded corpus: the first 12 hex digits of a
// SHA-256 over every case file (path, length, bytes, in path order) and
// requirements.txt. Two builds grade alike when their revisions match;
// reports carry it beside the grader version.
func Revision() string {
	r, err := loadRevision()
	if err != nil {
		return "unknown"
	}
	return r
}
