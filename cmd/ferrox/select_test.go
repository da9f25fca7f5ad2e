package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/corpus"
)

func selectionCases() []corpus.Case {
	c := func(id, section, group string, l corpus.Level) corpus.Case {
		return corpus.Case{ID: id, Section: section, Group: group, Level: l}
	}
	return []corpus.Case{
		c("chunk-ext", "RFC9112 7.1.1", "chunked", corpus.MUST),
		c("chunk-size", "RFC9112 7.1", "chunked", corpus.MUST),
		c("cl-te", "RFC9112 6.1", "smuggling", corpus.Safety),
		c("cl-dup", "RFC9112 6.3", "framing-cl", corpus.MUST),
		c("msg-body", "RFC9112 6", "framing-cl", corpus.SHOULD),
		c("host-missing", "RFC9112 3.2", "host", corpus.MUST),
		c("head-date", "RFC9110 6.6.1", "semantics-static", corpus.MAY),
		c("dotfile", "RFC9110 7.1", "paths", corpus.Policy),
	}
}

func TestSelection(t *testing.T) {
	all := selectionCases()
	tests := []struct {
		name    string
		sel     selection
		want    string
		wantErr string
	}{
		{"all", selection{level: "all"}, "chunk-ext chunk-size cl-te cl-dup msg-body host-missing head-date dotfile", ""},
		{"must-no-policy", selection{level: "must"}, "chunk-ext chunk-size cl-te cl-dup host-missing", ""},
		{"should-no-policy", selection{level: "should"}, "chunk-ext chunk-size cl-te cl-dup msg-body host-missing", ""},
		{"section-subtree", selection{level: "all", sections: []string{"RFC9112 6.*"}}, "cl-te cl-dup msg-body", ""},
		{"section-exact", selection{level: "all", sections: []string{"RFC9112 7.1"}}, "chunk-size", ""},
		{"section-two", selection{level: "all", sections: []string{"RFC9112 7.1*", "RFC9110 *"}}, "chunk-ext chunk-size head-date dotfile", ""},
		{"group", selection{level: "all", groups: []string{"chunked", "smuggling"}}, "chunk-ext chunk-size cl-te", ""},
		{"group-glob", selection{level: "all", groups: []string{"framing-*"}}, "cl-dup msg-body", ""},
		{"skip", selection{level: "all", groups: []string{"chunked", "smuggling"}, skip: []string{"cl-*"}}, "chunk-ext chunk-size", ""},
		{"section-and-level", selection{level: "must", sections: []string{"RFC9112 6.*"}}, "cl-te cl-dup", ""},
		{"ids-and-group", selection{level: "all", ids: []string{"c*"}, groups: []string{"framing-cl"}}, "cl-dup", ""},
		{"unknown-section", selection{level: "all", sections: []string{"RFC9112 99.*"}}, "", `no case matches --section "RFC9112 99.*" (values: RFC9110 6.6.1, RFC9110 7.1, RFC9112 3.2,`},
		{"unknown-group", selection{level: "all", groups: []string{"chunky"}}, "", `no case matches --group "chunky" (values: chunked, framing-cl, host, paths, semantics-static, smuggling)`},
		{"empty-together", selection{level: "must", groups: []string{"semantics-static"}}, "", `no case is selected by --group "semantics-static" --level must together (8 cases in the corpus`},
		{"all-skipped", selection{level: "all", groups: []string{"host"}, skip: []string{"host-*"}}, "", `--group "host" --skip "host-*" --level all together`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.sel.apply(all)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("apply(%+v) = %d cases, %v; want error containing %q", tc.sel, len(got), err, tc.wantErr)
				}
				return
			}
			var ids []string
			for _, c := range got {
				ids = append(ids, c.ID)
			}
			if err != nil || strings.Join(ids, " ") != tc.want {
				t.Errorf("apply(%+v) = %q, %v; want %q", tc.sel, ids, err, tc.want)
			}
		})
	}
}

// The selection flags reach the real corpus: --section 'RFC9112 6.*' is
// every case of RFC 9112 section 6, and a bad glob is a usage error.
func TestConformSelectionFlags(t *testing.T) {
	all, err := corpus.All()
	if err != nil {
		t.Fatal(err)
	}
	count := func(keep func(c corpus.Case) bool) int {
		n := 0
		for _, c := range all {
			if keep(c) {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantN    int
		wantErr  string
	}{
		{"section", []string{"--section", "RFC9112 6.*"}, 0, count(func(c corpus.Case) bool {
			return c.Section == "RFC9112 6" || strings.HasPrefix(c.Section, "RFC9112 6.")
		}), ""},
		{"group-skip", []string{"--group", "chunked,smuggling", "--skip", "smuggle-*"}, 0, count(func(c corpus.Case) bool {
			return (c.Group == "chunked" || c.Group == "smuggling") && !strings.HasPrefix(c.ID, "smuggle-")
		}), ""},
		{"bad-section-glob", []string{"--section", "RFC9112 [6"}, 2, 0, "--section \"RFC9112 [6\": syntax error in pattern"},
		{"bad-skip-glob", []string{"--skip", "a["}, 2, 0, "--skip"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append([]string{"conform", "--list"}, tc.args...)
			code := run(args, &out, &errb)
			if code != tc.wantCode || !strings.Contains(errb.String(), tc.wantErr) {
				t.Fatalf("run(%q) = %d, stderr %q; want %d and %q", args, code, errb.String(), tc.wantCode, tc.wantErr)
			}
			if got := strings.Count(out.String(), "\n"); code == 0 && (got != tc.wantN || got == 0) {
				t.Errorf("run(%q) listed %d cases; want %d (> 0)", args, got, tc.wantN)
			}
		})
	}
}
