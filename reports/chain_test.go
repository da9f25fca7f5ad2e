package reports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
)

// chainRun is a chain run with one finding: the front end forwarded the
// hidden request of a CL.TE case inside the first message's body.
func chainRun() *conformance.Run {
	raw := []byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
	c := corpus.Case{ID: "smuggle-demo", Section: "RFC9112 11.2", Level: corpus.Safety, Checks: "demo",
		Expect: []corpus.Outcome{{Status: "400", Close: true}}, Raw: raw, Mode: corpus.SendWhole}
	fwd := []byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nGET /GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n")
	return &conformance.Run{Target: "127.0.0.1:1", Origin: "127.0.0.1:2", Results: []conformance.Result{{
		Case: c, Verdict: conformance.Fail, Reason: "smuggled: GET /smuggled reached the origin",
		Observed: conformance.Observed{Sent: raw, End: conformance.EndFIN},
		Chain: &conformance.Chain{
			Intent: conformance.ReadIntent(raw),
			Upstreams: []conformance.Upstream{{Conn: 3, Raw: fwd, Closed: "front end", Requests: []conformance.Message{
				{Method: "POST", Target: "/", Path: "/", Framing: "content-length", BodyLen: 5, Tag: "c3 r1", End: 53},
				{Method: "GET", Target: "/smuggled", Path: "/smuggled", Framing: "none", Tag: "c3 r2", Start: 53, End: 89},
			}}},
			Findings: []conformance.Finding{{Kind: conformance.FindSmuggled, Severity: conformance.Fail, Detail: "GET /smuggled reached the origin", Conn: 3, Seq: 2}},
			Matched:  map[string]int{"c3 r1": 0},
		},
	}}}
}

func TestChainReports(t *testing.T) {
	run := chainRun()
	render := func(rep Reporter) string {
		var b bytes.Buffer
		if err := rep(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	h := render(ConformHTML(run))
	for _, want := range []string{"recording origin <span class=\"mono\">127.0.0.1:2</span>", "Forwarded on upstream c3", "GET /GET /smuggled", "<b class=\"mono\">smuggled</b>", "c3 r2: GET /smuggled"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	md := render(ConformMarkdown(run))
	for _, want := range []string{"Chain run: client → front end `127.0.0.1:1`", "fail smuggled: GET /smuggled reached the origin [c3 r2]", "forwarded: 2 request(s) on 1 upstream connection(s)"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	if j := render(ConformJUnit(run)); !strings.Contains(j, "finding: fail smuggled") {
		t.Errorf("JUnit lacks the finding:\n%s", j)
	}
	// JSON carries the chain both ways.
	back, err := ReadConformJSON(strings.NewReader(render(ConformJSON(run))))
	if err != nil {
		t.Fatal(err)
	}
	got := back.Results[0].Chain
	if back.Origin != "127.0.0.1:2" || got == nil || len(got.Upstreams) != 1 || !bytes.Equal(got.Upstreams[0].Raw, run.Results[0].Chain.Upstreams[0].Raw) ||
		len(got.Findings) != 1 || got.Findings[0].Kind != conformance.FindSmuggled || got.Matched["c3 r1"] != 0 {
		t.Errorf("JSON round trip lost the chain: origin %q, chain %+v", back.Origin, got)
	}
}
