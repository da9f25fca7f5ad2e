package conformance

import (
	"strings"
	"testing"

	"github.com/ferrox/ferrox/corpus"
)

func TestJudgeOutcome(t *testing.T) {
	get := "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	rs := func(codes ...int) []Response {
		var out []Response
		for _, c := range codes {
			out = append(out, Response{Status: c, Framing: "content-length", BodyLen: 7, BodyStart: []byte("canary\n")})
		}
		return out
	}
	tests := []struct {
		name    string
		expect  string
		level   corpus.Level
		canary  bool
		raw     string
		obs     Observed
		want    Verdict
		wantWhy string
	}{
		{"ok-canary", "200", corpus.MUST, true, get, Observed{Responses: rs(200, 200), End: EndOpen}, Pass, ""},
		{"canary-missing", "200", corpus.MUST, true, get, Observed{Responses: rs(200), End: EndFIN}, Fail, "canary not answered"},
		{"canary-404", "200", corpus.MUST, true, get, Observed{Responses: rs(200, 404), End: EndOpen}, Fail, "canary got 404"},
		{"canary-swallowed", "200", corpus.Safety, true, get, Observed{Responses: []Response{{Status: 200}, {Status: 200, Framing: "content-length", BodyStart: []byte("ok\n")}}, End: EndOpen}, Fail, "not the canary's"},
		{"desync", "200", corpus.Safety, true, get, Observed{Responses: rs(200, 200, 200), End: EndOpen}, Fail, "desync"},
		{"reject-close", "400+close", corpus.MUST, true, get, Observed{Responses: rs(400), End: EndFIN}, Pass, ""},
		{"reject-rst", "400+close", corpus.MUST, true, get, Observed{Responses: rs(400), End: EndRST}, Pass, ""},
		{"reject-open", "400+close", corpus.MUST, true, get, Observed{Responses: rs(400), End: EndOpen}, Fail, "got 400, want 400+close; connection stayed open"},
		{"reject-kept-reading", "400+close", corpus.MUST, true, get, Observed{Responses: rs(400, 200), End: EndFIN}, Fail, "canary answered"},
		{"wrong-status", "4xx+close", corpus.MUST, false, get, Observed{Responses: rs(200), End: EndOpen}, Fail, "got 200, want 4xx+close"},
		{"should-warns", "400+close", corpus.SHOULD, false, get, Observed{Responses: rs(200), End: EndOpen}, Warn, ""},
		{"none-fin", "none", corpus.MUST, false, get, Observed{End: EndFIN}, Pass, ""},
		{"none-open", "none", corpus.MUST, false, get, Observed{End: EndOpen}, Fail, "stayed open"},
		{"none-or-400", "none | 400+close", corpus.MUST, false, get, Observed{Responses: rs(400), End: EndFIN}, Pass, ""},
		{"interim-100", "100 | 4xx+close", corpus.MUST, false, get, Observed{Interim: rs(100), End: EndOpen}, Pass, ""},
		{"unframed-after", "200", corpus.MUST, false, get, Observed{Responses: rs(200), Unframed: 5, End: EndOpen}, Fail, "frame as no response"},
		{"runner-error", "200", corpus.MUST, false, get, Observed{Err: "dial: refused"}, Error, "dial"},
		{"pipelined", "200", corpus.MUST, true, get + get, Observed{Responses: rs(200, 200, 200), End: EndOpen}, Pass, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			exp := parseOutcomes(t, tc.expect)
			c := corpus.Case{ID: tc.name, Level: tc.level, Expect: exp, Canary: tc.canary, Raw: []byte(tc.raw)}
			v, why := judgeOutcome(&c, &tc.obs, splitRequests(c.Raw))
			if v != tc.want || !strings.Contains(why, tc.wantWhy) {
				t.Errorf("judgeOutcome(%s, %+v) = %s (%s); want %s containing %q", tc.expect, tc.obs, v, why, tc.want, tc.wantWhy)
			}
		})
	}
}

// parseOutcomes reads an expect value with the corpus grammar.
func parseOutcomes(t *testing.T, s string) []corpus.Outcome {
	t.Helper()
	out, err := corpus.ParseExpect(s)
	if err != nil {
		t.Fatalf("ParseExpect(%q) = %v", s, err)
	}
	return out
}
