package corpus

import (
	"testing"
)

// TestMatchStatus: the matcher accepts exactly the statuses of the grammar,
// and each matches the codes it names.
func TestMatchStatus(t *testing.T) {
	tests := []struct {
		pattern string
		code    int
		want    bool
	}{
		{"400", 400, true},
		{"400", 404, false},
		{"100", 100, true},
		{"599", 599, true},
		{"4xx", 431, true},
		{"4xx", 400, true},
		{"4xx", 499, true},
		{"4xx", 500, false},
		{"1xx", 101, true},
		{"5xx", 599, true},
		{"any", 200, true},
		{"any", 101, true},
		{"any", 599, true},
		// Outside the grammar: nothing matches.
		{"*", 200, false},
		{"6xx", 600, false},
		{"9xx", 900, false},
		{"0xx", 42, false},
		{"600", 600, false},
		{"099", 99, false},
		{"2XX", 204, false},
		{"ANY", 200, false},
		{" 400", 400, false},
		{"400 ", 400, false},
		{"4x0", 400, false},
		{"40", 40, false},
		{"4000", 4000, false},
		{"", 200, false},
		{"none", 200, false},
		{"400+close", 400, false},
	}
	for _, tc := range tests {
		if got := MatchStatus(tc.pattern, tc.code); got != tc.want {
			t.Errorf("MatchStatus(%q, %d) = %v; want %v", tc.pattern, tc.code, got, tc.want)
		}
	}
}

// TestMatchStatusIsTheGrammar checks every pattern of up to three bytes
// drawn from the characters a status pattern could plausibly use: a
// pattern matches some code 0-999 exactly when ParseOutcome reads it as a
// bare status, and a class or code matches exactly the codes it names.
func TestMatchStatusIsTheGrammar(t *testing.T) {
	const alphabet = "0124569xXany*+ "
	var patterns []string
	var grow func(p string)
	grow = func(p string) {
		patterns = append(patterns, p)
		if len(p) == 3 {
			return
		}
		for i := 0; i < len(alphabet); i++ {
			grow(p + alphabet[i:i+1])
		}
	}
	grow("")
	patterns = append(patterns, "ANY", "Any", "any ", " any", "4000", "none", "400+close")
	accepted := 0
	for _, p := range patterns {
		o, err := ParseOutcome(p)
		inGrammar := err == nil && o.Status == p // a status, not "none" or STATUS+close
		var matched []int
		for code := 0; code < 1000; code++ {
			if MatchStatus(p, code) {
				matched = append(matched, code)
			}
		}
		if inGrammar != (len(matched) > 0) {
			t.Errorf("pattern %q: ParseOutcome error %v, but MatchStatus matches %d codes", p, err, len(matched))
			continue
		}
		if !inGrammar {
			continue
		}
		accepted++
		switch {
		case p == "any":
			if len(matched) != 1000 {
				t.Errorf("MatchStatus(%q) matches %d codes; want all", p, len(matched))
			}
		case p[1:] == "xx":
			if len(matched) != 100 || matched[0] != int(p[0]-'0')*100 {
				t.Errorf("MatchStatus(%q) matches %v; want the hundred codes of the class", p, matched)
			}
		default:
			if len(matched) != 1 || FormatOutcome(Outcome{Status: p}) != p || matched[0] < 100 || matched[0] > 599 {
				t.Errorf("MatchStatus(%q) matches %v; want exactly that code", p, matched)
			}
		}
	}
	if accepted == 0 {
		t.Fatal("no pattern of the alphabet is in the grammar")
	}
}

func TestOutcomeRoundTrip(t *testing.T) {
	tests := []struct {
		text string
		o    Outcome
	}{
		{"400+close", Outcome{Status: "400", Close: true}},
		{"2xx", Outcome{Status: "2xx"}},
		{"any", Outcome{Status: "any"}},
		{"any+close", Outcome{Status: "any", Close: true}},
		{"none", Outcome{Close: true}},
	}
	for _, tc := range tests {
		if got := FormatOutcome(tc.o); got != tc.text {
			t.Errorf("FormatOutcome(%+v) = %q; want %q", tc.o, got, tc.text)
		}
		if got, err := ParseOutcome(tc.text); err != nil || got != tc.o {
			t.Errorf("ParseOutcome(%q) = %+v, %v; want %+v", tc.text, got, err, tc.o)
		}
	}
	for _, bad := range []string{"", "close", "none+close", "6xx", "40", "4000", "abc+close", " 400", "*"} {
		if o, err := ParseOutcome(bad); err == nil {
			t.Errorf("ParseOutcome(%q) = %+v, nil; want an error", bad, o)
		}
	}
}

// "accept" is any final answer that does not reject the message.
func TestAccepted(t *testing.T) {
	yes := []int{200, 204, 301, 304, 401, 403, 404, 405, 409, 410, 415, 416, 422, 429}
	no := []int{100, 101, 400, 408, 411, 413, 414, 417, 431, 500, 501, 502, 503, 505}
	for _, c := range yes {
		if !Accepted(c) || !MatchStatus("accept", c) {
			t.Errorf("Accepted(%d) = false; want true", c)
		}
	}
	for _, c := range no {
		if Accepted(c) || MatchStatus("accept", c) {
			t.Errorf("Accepted(%d) = true; want false (a rejection)", c)
		}
	}
	os, err := ParseExpect("400+close | accept+close | accept")
	if err != nil || FormatExpect(os) != "400+close | accept+close | accept" {
		t.Errorf("ParseExpect(accept...) = %v, %v; want a round trip", os, err)
	}
	if got := FormatChain(DefaultChain([]Outcome{{Status: Accept}})); got != "forward" {
		t.Errorf("DefaultChain(accept) = %q; want forward", got)
	}
	if _, err := ParseOutcome("Accept"); err == nil {
		t.Errorf("ParseOutcome(Accept) = nil error; want one (lower case only)")
	}
}
