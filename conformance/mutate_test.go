package conformance

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/corpus"
)

func TestMutate(t *testing.T) {
	all, err := corpus.All()
	if err != nil {
		t.Fatal(err)
	}
	var seeds []corpus.Case
	for _, c := range all {
		if c.Group == "smuggling" {
			seeds = append(seeds, c)
		}
	}
	a := Mutate(seeds, 150, 7)
	b := Mutate(seeds, 150, 7)
	if len(a) != 150 {
		t.Fatalf("Mutate(…, 150, 7) made %d cases; want 150", len(a))
	}
	ids := map[string]bool{}
	for i, m := range a {
		if m.ID != b[i].ID || !bytes.Equal(m.Raw, b[i].Raw) {
			t.Fatalf("case %d differs between two runs with the same seed: %s vs %s", i, m.ID, b[i].ID)
		}
		if ids[m.ID] {
			t.Errorf("duplicate id %s", m.ID)
		}
		ids[m.ID] = true
		k := slices.IndexFunc(seeds, func(c corpus.Case) bool { return strings.HasPrefix(m.ID, c.ID+"-m") })
		if k < 0 {
			t.Fatalf("%s names no seed", m.ID)
		}
		seed := seeds[k]
		if bytes.Equal(m.Raw, seed.Raw) {
			t.Errorf("%s: the bytes are the seed's own", m.ID)
		}
		// Only the first head changes: the hidden request and the canary stay.
		tail := seed.Raw[headEnd(seed.Raw):]
		if !bytes.HasSuffix(m.Raw, tail) {
			t.Errorf("%s: lost the bytes after the first head", m.ID)
		}
		if m.Level != corpus.Safety || len(m.Chain) != 1 || m.Chain[0] != corpus.ChainAny || m.Group != "mutated" {
			t.Errorf("%s: level %s chain %v group %q; want safety, any, mutated", m.ID, m.Level, m.Chain, m.Group)
		}
		// A mutated case must still be a valid case file once written.
		c := m
		c.Group = ""
		if _, err := corpus.Parse(c.ID+".case", corpus.Format(c)); err != nil {
			t.Errorf("%s does not round-trip as a case file: %v", m.ID, err)
		}
	}
	if c := Mutate(seeds, 150, 8); bytes.Equal(c[0].Raw, a[0].Raw) && bytes.Equal(c[1].Raw, a[1].Raw) {
		t.Errorf("another seed gave the same mutations")
	}
	if Mutate(nil, 5, 1) != nil || Mutate(seeds, 0, 1) != nil {
		t.Errorf("Mutate with no seeds or n=0 made cases")
	}
}
