package main

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/ferrox/ferrox/corpus"
)

// selection is which cases a conform run keeps: every filter that is set
// must hold (ids, sections, groups, level), and no --skip glob may match.
type selection struct {
	level    string   // must, should, all
	ids      []string // --cases: id globs
	sections []string // --section: section globs; "RFC9112 6.*" also matches "RFC9112 6"
	groups   []string // --group: group globs (the case file's directory)
	skip     []string // --skip: id globs to leave out

	fixtureFree bool // --no-fixture: only the cases that need no fixture
}

// lists pairs each glob list with its flag, for error messages.
func (s *selection) lists() []struct {
	flag  string
	globs []string
} {
	return []struct {
		flag  string
		globs []string
	}{{"--cases", s.ids}, {"--section", s.sections}, {"--group", s.groups}, {"--skip", s.skip}}
}

// validate checks every glob's syntax.
func (s *selection) validate() error {
	for _, l := range s.lists() {
		for _, g := range l.globs {
			if _, err := path.Match(g, ""); err != nil {
				return fmt.Errorf("%s %q: %v", l.flag, g, err)
			}
		}
	}
	return nil
}

// levelKeeps reports whether a case of level l runs at --level level.
func levelKeeps(level string, l corpus.Level) bool {
	switch l {
	case corpus.SHOULD:
		return level != "must"
	case corpus.MAY, corpus.Policy:
		return level == "all"
	}
	return true
}

// matchSection matches a section glob; a glob ending in ".*" also matches
// the section it subdivides ("RFC9112 6.*" matches "RFC9112 6").
func matchSection(g, section string) bool {
	if ok, _ := path.Match(g, section); ok {
		return true
	}
	if parent, ok := strings.CutSuffix(g, ".*"); ok {
		m, _ := path.Match(parent, section)
		return m
	}
	return false
}

func (s *selection) keeps(c *corpus.Case) bool {
	if !levelKeeps(s.level, c.Level) {
		return false
	}
	if s.fixtureFree && !c.FixtureFree {
		return false
	}
	if len(s.ids) > 0 && !matchAny(s.ids, c.ID) {
		return false
	}
	if len(s.sections) > 0 && !slices.ContainsFunc(s.sections, func(g string) bool { return matchSection(g, c.Section) }) {
		return false
	}
	if len(s.groups) > 0 && !matchAny(s.groups, c.Group) {
		return false
	}
	return !matchAny(s.skip, c.ID)
}

// apply returns the selected cases in corpus order, or an error saying
// which filter left nothing: a glob that matches nothing in the corpus is
// named with examples of what it could match.
func (s *selection) apply(all []corpus.Case) ([]corpus.Case, error) {
	var out []corpus.Case
	for i := range all {
		if s.keeps(&all[i]) {
			out = append(out, all[i])
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	field := map[string]func(*corpus.Case) string{
		"--cases":   func(c *corpus.Case) string { return c.ID },
		"--section": func(c *corpus.Case) string { return c.Section },
		"--group":   func(c *corpus.Case) string { return c.Group },
	}
	for _, l := range s.lists() {
		get, ok := field[l.flag]
		if !ok {
			continue
		}
		for _, g := range l.globs {
			hit := slices.ContainsFunc(all, func(c corpus.Case) bool {
				if l.flag == "--section" {
					return matchSection(g, get(&c))
				}
				m, _ := path.Match(g, get(&c))
				return m
			})
			if !hit {
				return nil, fmt.Errorf("no case matches %s %q (%s)", l.flag, g, examples(l.flag, all, get))
			}
		}
	}
	var used []string
	for _, l := range s.lists() {
		if len(l.globs) > 0 {
			used = append(used, fmt.Sprintf("%s %q", l.flag, strings.Join(l.globs, ",")))
		}
	}
	used = append(used, "--level "+s.level)
	if s.fixtureFree {
		used = append(used, "--no-fixture")
	}
	return nil, fmt.Errorf("no case is selected by %s together (%d cases in the corpus; --list shows them)", strings.Join(used, " "), len(all))
}

// examples lists the distinct values a flag can match (ids: a count).
func examples(flag string, all []corpus.Case, get func(*corpus.Case) string) string {
	if flag == "--cases" {
		return fmt.Sprintf("%d case ids in the corpus; --list shows them", len(all))
	}
	var vals []string
	for i := range all {
		if v := get(&all[i]); v != "" && !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	slices.Sort(vals)
	const most = 16
	more := ""
	if len(vals) > most {
		more = fmt.Sprintf(", ... %d more", len(vals)-most)
		vals = vals[:most]
	}
	return "values: " + strings.Join(vals, ", ") + more
}
