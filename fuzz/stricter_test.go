package fuzz

import (
	"sort"
	"testing"
)

func TestCorpusStricterReasons(t *testing.T) {
	unknown := map[string][]string{}
	for _, c := range corpusCases(t) {
		if r := stricterReason(c.Raw); r != "" && stricterByDesign[r] == "" {
			unknown[r] = append(unknown[r], c.ID)
		}
	}
	var rs []string
	for r := range unknown {
		rs = append(rs, r)
	}
	sort.Strings(rs)
	for _, r := range rs {
		t.Errorf("Ferrox rejects with %q what net/http accepts (cases %v); add it to stricterByDesign with its reason, or fix the parser", r, unknown[r])
	}
}
