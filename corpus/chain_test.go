package corpus

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseChain(t *testing.T) {
	tests := []struct {
		in   string
		want []ChainOutcome
		err  string // substring of the error; "" for none
	}{
		{"reject", []ChainOutcome{ChainReject}, ""},
		{"forward", []ChainOutcome{ChainForward}, ""},
		{"any", []ChainOutcome{ChainAny}, ""},
		{"reject | forward", []ChainOutcome{ChainReject, ChainForward}, ""},
		{"forward | reject", []ChainOutcome{ChainReject, ChainForward}, ""}, // canonical order
		{" forward|reject ", []ChainOutcome{ChainReject, ChainForward}, ""},
		{"", nil, "empty chain alternative"},
		{"reject |", nil, "empty chain alternative"},
		{"| forward", nil, "empty chain alternative"},
		{"Reject", nil, `unknown chain outcome "Reject"`},
		{"drop", nil, `unknown chain outcome "drop"`},
		{"reject+close", nil, `unknown chain outcome "reject+close"`},
		{"400", nil, `unknown chain outcome "400"`},
		{"none", nil, `unknown chain outcome "none"`},
		{"reject, forward", nil, `unknown chain outcome "reject, forward"`},
		{"reject | reject", nil, `chain outcome "reject" listed twice`},
		{"forward | reject | forward", nil, `chain outcome "forward" listed twice`},
		{"any | any", nil, `chain outcome "any" listed twice`},
		{"any | reject", nil, `"any" stands alone`},
		{"forward | any", nil, `"any" stands alone`},
		{"reject | forward | any", nil, `"any" stands alone`},
	}
	for _, tc := range tests {
		got, err := ParseChain(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseChain(%q) = %v, %v; want an error containing %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseChain(%q) error = %v; want %v", tc.in, err, tc.want)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ParseChain(%q) mismatch (-want +got):\n%s", tc.in, diff)
		}
		text := FormatChain(got)
		if back, err := ParseChain(text); err != nil || !slices.Equal(back, got) {
			t.Errorf("ParseChain(FormatChain(%v)) = %v, %v; want the same list", got, back, err)
		}
		if again := FormatChain(mustChain(t, text)); again != text {
			t.Errorf("FormatChain not canonical: %q then %q", text, again)
		}
	}
}

func mustChain(t *testing.T, s string) []ChainOutcome {
	t.Helper()
	cs, err := ParseChain(s)
	if err != nil {
		t.Fatalf("ParseChain(%q): %v", s, err)
	}
	return cs
}

// TestDefaultChain is the derivation table of FORMAT.md: 4xx, 5xx and none
// allow reject; 1xx, 2xx and 3xx allow forward; a status "any" allows both.
func TestDefaultChain(t *testing.T) {
	tests := []struct {
		expect string
		want   string
	}{
		{"400+close", "reject"},
		{"400+close | 400", "reject"},
		{"4xx", "reject"},
		{"501+close | 400+close", "reject"},
		{"5xx+close", "reject"},
		{"none", "reject"},
		{"none | 408+close", "reject"},
		{"200", "forward"},
		{"2xx", "forward"},
		{"2xx+close", "forward"},
		{"101", "forward"},
		{"1xx", "forward"},
		{"304", "forward"},
		{"3xx+close", "forward"},
		{"301 | 308 | 302 | 307", "forward"},
		{"2xx | 400+close", "reject | forward"},
		{"400+close | 2xx+close", "reject | forward"}, // order of expect does not matter
		{"404 | 2xx", "reject | forward"},
		{"none | 2xx", "reject | forward"},
		{"599 | 100", "reject | forward"},
		{"any", "reject | forward"},
		{"any+close", "reject | forward"},
		{"any | 400", "reject | forward"},
	}
	for _, tc := range tests {
		out, err := ParseExpect(tc.expect)
		if err != nil {
			t.Fatalf("ParseExpect(%q): %v", tc.expect, err)
		}
		got := DefaultChain(out)
		if FormatChain(got) != tc.want {
			t.Errorf("DefaultChain(%q) = %q; want %q", tc.expect, FormatChain(got), tc.want)
		}
		if want := mustChain(t, tc.want); !slices.Equal(got, want) {
			t.Errorf("DefaultChain(%q) = %v; not in canonical order %v", tc.expect, got, want)
		}
	}
	if got := DefaultChain(nil); len(got) != 0 {
		t.Errorf("DefaultChain(nil) = %v; want empty", got)
	}
}

// TestChainKey: without a chain key Parse fills the derived default;
// Format writes the key (after expect) only when it differs from it, in
// canonical order.
func TestChainKey(t *testing.T) {
	withChain := func(expect, chain string) string {
		s := strings.Replace(validCase, "expect: 400+close\n", "expect: "+expect+"\n", 1)
		if chain != "" {
			s = strings.Replace(s, "---\n", "chain: "+chain+"\n---\n", 1)
		}
		return s
	}
	tests := []struct {
		name  string
		in    string
		want  []ChainOutcome
		canon string // Format(Parse(in))
	}{
		{"absent, reject derived", withChain("400+close", ""), []ChainOutcome{ChainReject}, withChain("400+close", "")},
		{"absent, both derived", withChain("2xx | 400+close", ""), []ChainOutcome{ChainReject, ChainForward}, withChain("2xx | 400+close", "")},
		{"equal to default is left out", withChain("400+close", "reject"), []ChainOutcome{ChainReject}, withChain("400+close", "")},
		{"default in another order is left out", withChain("2xx | 400", "forward | reject"), []ChainOutcome{ChainReject, ChainForward}, withChain("2xx | 400", "")},
		{"differs: kept", withChain("404", "forward"), []ChainOutcome{ChainForward}, withChain("404", "forward")},
		{"differs: widened", withChain("2xx", "reject | forward"), []ChainOutcome{ChainReject, ChainForward}, withChain("2xx", "reject | forward")},
		{"differs: canonical order", withChain("2xx", "forward | reject"), []ChainOutcome{ChainReject, ChainForward}, withChain("2xx", "reject | forward")},
		{"any", withChain("400+close", "any"), []ChainOutcome{ChainAny}, withChain("400+close", "any")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse("cases/g/x-y.case", []byte(tc.in))
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.in, err)
			}
			if !slices.Equal(c.Chain, tc.want) {
				t.Errorf("Parse(%q).Chain = %v; want %v", tc.in, c.Chain, tc.want)
			}
			if got := string(Format(c)); got != tc.canon {
				t.Errorf("Format(Parse(%q)) = %q; want %q", tc.in, got, tc.canon)
			}
		})
	}
	// A case built in code without Chain formats without the key.
	c, err := Parse("cases/g/x-y.case", []byte(validCase))
	if err != nil {
		t.Fatal(err)
	}
	c.Chain = nil
	if got := string(Format(c)); got != validCase {
		t.Errorf("Format(case without Chain) = %q; want %q", got, validCase)
	}
}

// TestCorpusChains: every embedded case has a chain expectation, and a
// chain key appears in a file only where it differs from the default.
func TestCorpusChains(t *testing.T) {
	cs, err := All()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if len(c.Chain) == 0 {
			t.Errorf("case %s has no chain outcome", c.ID)
		}
		text, err := casesFS.ReadFile(c.File)
		if err != nil {
			t.Fatal(err)
		}
		head, _, _ := strings.Cut(string(text), "\n"+separator+"\n")
		explicit := strings.Contains(head, "\nchain: ")
		if differs := !slices.Equal(c.Chain, DefaultChain(c.Expect)); explicit != differs {
			t.Errorf("case %s: chain key written = %v, differs from the default = %v", c.ID, explicit, differs)
		}
	}
}
