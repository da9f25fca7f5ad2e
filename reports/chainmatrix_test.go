package reports

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/conformance"
)

// chainRuns is two front ends over the case of chainRun: "leaky" forwarded
// the hidden request (a smuggled finding), "strict" refused the message.
func chainRuns() []*conformance.Run {
	leaky := chainRun()
	leaky.Target = "leaky"
	leaky.Results[0].Case.Group = "smuggling"
	strict := chainRun()
	strict.Target = "strict"
	strict.Results[0].Case.Group = "smuggling"
	r := &strict.Results[0]
	r.Verdict, r.Reason = conformance.Pass, "refused by the front end"
	r.Observed.Received = []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	r.Chain = &conformance.Chain{Intent: r.Chain.Intent}
	return []*conformance.Run{leaky, strict}
}

// renderString is render (reports_test.go) as a string.
func renderString(t *testing.T, rep Reporter) string {
	t.Helper()
	return string(render(t, rep))
}

func TestChainMatrix(t *testing.T) {
	md := renderString(t, ChainMatrix(chainRuns()))
	for _, want := range []string{
		"2 front ends, 1 cases",
		"| leaky | 0 / 1 | 1 | 0 | 0 | 1 | 1 | 1 |",
		"| strict | 1 / 1 | 0 | 0 | 0 | 0 | 0 | 0 |",
		"| smuggled | 1 | 0 |",
		"| `smuggle-demo` | smuggling | safety | ✗ smuggled | ✓ |",
		"<details><summary><code>smuggle-demo</code> ✗ smuggled</summary>",
		"- fail smuggled: GET /smuggled reached the origin [c3 r2]",
		"Forwarded on upstream c3 (",
		"GET /GET /smuggled HTTP/1.1\\r\\n\n",
		"### strict (0 cases)\n\nNone.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("ChainMatrix lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(md, "| other |") {
		t.Errorf("ChainMatrix has an \"other\" row without unknown kinds:\n%s", md)
	}

	h := renderString(t, ChainMatrixHTML(chainRuns()))
	for _, want := range []string{
		`<a href="#f-leaky--smuggle-demo">✗ smuggled</a>`,
		`<details class="case fail" id="f-leaky--smuggle-demo">`,
		"Forwarded on upstream c3",
		"GET /GET /smuggled",
		"c3 r2: GET /smuggled",
		`<section id="p-strict">`,
		"No findings.",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("ChainMatrixHTML lacks %q", want)
		}
	}
	if strings.Contains(h, "<script src") || strings.Contains(h, "<link") {
		t.Errorf("ChainMatrixHTML loads external assets")
	}

	// Deterministic: the same runs give the same bytes.
	if again := renderString(t, ChainMatrix(chainRuns())); again != md {
		t.Errorf("ChainMatrix is not deterministic")
	}
	if again := renderString(t, ChainMatrixHTML(chainRuns())); again != h {
		t.Errorf("ChainMatrixHTML is not deterministic")
	}
}

func TestChainMatrixUnknownKind(t *testing.T) {
	runs := chainRuns()
	runs[1].Results[0].Verdict = conformance.Warn
	runs[1].Results[0].Chain.Findings = []conformance.Finding{{Kind: "brand-new", Severity: conformance.Warn, Detail: "x"}}
	md := renderString(t, ChainMatrix(runs))
	for _, want := range []string{"| other | 0 | 1 |", "! brand-new"} {
		if !strings.Contains(md, want) {
			t.Errorf("ChainMatrix lacks %q:\n%s", want, md)
		}
	}
}

func TestClassifyInvalid(t *testing.T) {
	bad := conformance.IntentMessage{Message: conformance.Message{Method: "GET"}, Class: conformance.IntentRejected}
	ok := conformance.IntentMessage{Message: conformance.Message{Method: "GET"}, Class: conformance.IntentOK}
	fwd := []conformance.Upstream{{Conn: 1, Requests: []conformance.Message{{Tag: "c1 r1"}}}}
	tests := []struct {
		name string
		ch   conformance.Chain
		want chainHead
	}{
		{"valid", conformance.Chain{Intent: conformance.Intent{Messages: []conformance.IntentMessage{ok}}, Upstreams: fwd,
			Matched: map[string]int{"c1 r1": 0}}, chainHead{}},
		{"refused", conformance.Chain{Intent: conformance.Intent{Messages: []conformance.IntentMessage{bad}}},
			chainHead{Invalid: 1, Refused: 1}},
		{"rewritten", conformance.Chain{Intent: conformance.Intent{Messages: []conformance.IntentMessage{ok, bad}}, Upstreams: fwd,
			Matched: map[string]int{"c1 r1": 1}}, chainHead{Invalid: 1, Rewritten: 1}},
		{"passed-on", conformance.Chain{Intent: conformance.Intent{Messages: []conformance.IntentMessage{bad}},
			Upstreams: []conformance.Upstream{{Conn: 1, Reject: "bare_lf"}},
			Findings:  []conformance.Finding{{Kind: conformance.FindMalformed, Severity: conformance.Fail}}}, chainHead{Invalid: 1, PassedOn: 1}},
		{"other", conformance.Chain{Intent: conformance.Intent{Messages: []conformance.IntentMessage{bad}}, Upstreams: fwd},
			chainHead{Invalid: 1, Unresolved: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var h chainHead
			classifyInvalid(&h, &tc.ch)
			if h.Invalid != tc.want.Invalid || h.Refused != tc.want.Refused || h.Rewritten != tc.want.Rewritten ||
				h.PassedOn != tc.want.PassedOn || h.Unresolved != tc.want.Unresolved {
				t.Errorf("classifyInvalid(%s) = %+v; want %+v", tc.name, h, tc.want)
			}
		})
	}
}

func TestFindingKinds(t *testing.T) {
	fs := []conformance.Finding{
		{Kind: conformance.FindResponseDesync}, {Kind: "zzz-new"}, {Kind: conformance.FindSmuggled}, {Kind: conformance.FindSmuggled},
	}
	if got, want := findingKinds(fs), "smuggled ×2, response-desync, zzz-new"; got != want {
		t.Errorf("findingKinds = %q; want %q", got, want)
	}
}

func TestAnchorID(t *testing.T) {
	if got, want := anchorID("my proxy", "a/b\"c"), "f-my-proxy--a-b-c"; got != want {
		t.Errorf("anchorID = %q; want %q", got, want)
	}
}

func TestWriteFenced(t *testing.T) {
	var b bytes.Buffer
	w := newStickyWriter(&b)
	writeFenced(w, "a ``` b\n")
	if err := w.close(); err != nil {
		t.Fatal(err)
	}
	if got, want := b.String(), "````\na ``` b\n````\n"; got != want {
		t.Errorf("writeFenced = %q; want %q", got, want)
	}
}

func TestChainMatrixWriteErrors(t *testing.T) {
	// enough findings that each reporter flushes its buffer many times
	runs := chainRuns()
	for _, run := range runs {
		base := run.Results[0]
		for i := range 300 {
			r := base
			r.Case.ID += "-" + strconv.Itoa(i)
			run.Results = append(run.Results, r)
		}
	}
	for name, rep := range map[string]Reporter{"md": ChainMatrix(runs), "html": ChainMatrixHTML(runs)} {
		for _, n := range []int{0, 1, 5} {
			if err := rep(&failingWriter{n: n}); !errors.Is(err, errBoom) {
				t.Errorf("%s with a writer failing at write %d: err = %v; want %v", name, n, err, errBoom)
			}
		}
	}
}
