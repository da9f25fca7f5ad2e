package reports

import (
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The gate against known failures shows in JSON ("gate"), JUnit (a known
// failure is skipped, a new one says "regression:", the properties carry
// the lists) and HTML, as it already did in Markdown.
func TestGateInEveryFormat(t *testing.T) {
	tests := []struct {
		name      string
		known     map[string]bool
		want      jsonGate
		skipped   int
		failMsg   string
		htmlTitle string
	}{
		{"still-failing-and-fixed", map[string]bool{"cl-plus-sign": true, "cl-te-both": true},
			jsonGate{Against: "expected failures x.txt", Known: 2, NewlyFailing: []string{}, Fixed: []string{"cl-te-both"}, StillFailing: []string{"cl-plus-sign"}},
			1, "", "no regression"},
		{"regressed", map[string]bool{},
			jsonGate{Against: "expected failures x.txt", Regressed: true, NewlyFailing: []string{"cl-plus-sign"}, Fixed: []string{}, StillFailing: []string{}},
			0, "regression: got 200; want 400+close", "regressed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := fixtureRun("127.0.0.1:18085")
			g := CompareGate(run, tc.known, "expected failures x.txt")

			var doc struct {
				Schema string    `json:"schema"`
				Gate   *jsonGate `json:"gate"`
			}
			if err := json.Unmarshal(render(t, ConformJSONGate(run, g)), &doc); err != nil {
				t.Fatal(err)
			}
			if doc.Schema != "ferrox.conformance/v3" || doc.Gate == nil {
				t.Fatalf("json: schema %q gate %v; want v3 with a gate", doc.Schema, doc.Gate)
			}
			if diff := cmp.Diff(tc.want, *doc.Gate); diff != "" {
				t.Errorf("json gate (-want +got):\n%s", diff)
			}

			var suites junitSuites
			if err := xml.Unmarshal(render(t, ConformJUnitGate(run, g)), &suites); err != nil {
				t.Fatal(err)
			}
			if suites.Skipped != tc.skipped {
				t.Errorf("junit: %d skipped; want %d (known failures)", suites.Skipped, tc.skipped)
			}
			props := map[string]string{}
			var failMsg string
			for _, s := range suites.Suites {
				for _, p := range s.Properties {
					props[p.Name] = p.Value
				}
				for _, c := range s.Cases {
					if c.Failure != nil {
						failMsg = c.Failure.Message
					}
				}
			}
			if props["gate.regressed"] != map[bool]string{true: "true", false: "false"}[tc.want.Regressed] ||
				props["gate.newly_failing"] != strings.Join(tc.want.NewlyFailing, ",") || props["gate.fixed"] != strings.Join(tc.want.Fixed, ",") {
				t.Errorf("junit gate properties %v; want %+v", props, tc.want)
			}
			if failMsg != tc.failMsg {
				t.Errorf("junit failure message %q; want %q", failMsg, tc.failMsg)
			}

			page := string(render(t, ConformHTMLGate(run, g)))
			if !strings.Contains(page, "Against known failures: "+tc.htmlTitle) {
				t.Errorf("html: no gate heading %q", tc.htmlTitle)
			}
		})
	}
}

func TestHumanDuration(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{{"850us", "850 µs"}, {"4.21ms", "4.2 ms"}, {"340ms", "340 ms"}, {"1.234s", "1.2 s"}, {"125s", "2 min 05 s"}}
	for _, tc := range tests {
		d, _ := timeParse(tc.in)
		if got := humanDuration(d); got != tc.want {
			t.Errorf("humanDuration(%s) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestRFCLinks(t *testing.T) {
	tests := []struct{ in, want string }{
		{"RFC9112 6.1", "https://www.rfc-editor.org/rfc/rfc9112#section-6.1"},
		{"RFC9110 13.1.2", "https://www.rfc-editor.org/rfc/rfc9110#section-13.1.2"},
		{"RFC9112 3", "https://www.rfc-editor.org/rfc/rfc9112#section-3"},
		{"RFC9112 test", ""}, {"RFC 9112", ""}, {"x", ""}, {"RFC9112 6.", ""},
	}
	for _, tc := range tests {
		if got := rfcURL(tc.in); got != tc.want {
			t.Errorf("rfcURL(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
	if got, want := requirementURL("safety-traversal"), "https://www.rfc-editor.org/rfc/rfc9110#section-7.1"; got != want {
		t.Errorf("requirementURL(safety-traversal) = %q; want %q (from requirements.txt)", got, want)
	}
	if got, want := requirementURL("9112-7.1-x"), "https://www.rfc-editor.org/rfc/rfc9112#section-7.1"; got != want {
		t.Errorf("requirementURL(9112-7.1-x) = %q; want %q", got, want)
	}
}

var timeParse = time.ParseDuration

// Reports of every schema version are read: v1 and v2 lack the provenance
// fields (they stay empty), v3 carries them; the committed baseline is v3.
func TestReadEverySchema(t *testing.T) {
	for _, schema := range []string{SchemaV1, SchemaV2, Schema} {
		in := `{"schema":"` + schema + `","target":"t","server":"nginx/1","grader":"ferrox x","corpus_revision":"abc","prefix":"/p/","results":[{"id":"a","verdict":"fail","level":"MUST","expected":["accept+close"],"fixture_free":true,"observed":{"statuses":[200],"end":"fin"}}]}`
		run, err := ReadConformJSON(strings.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", schema, err)
		}
		if run.Server != "nginx/1" || run.Grader != "ferrox x" || run.CorpusRev != "abc" || run.Prefix != "/p/" || !run.Results[0].Case.FixtureFree {
			t.Errorf("%s: read %+v; want the provenance and fixture_free back", schema, run)
		}
	}
	if _, err := ReadConformJSON(strings.NewReader(`{"schema":"ferrox.conformance/v4"}`)); err == nil {
		t.Errorf("schema v4 read without error; want a refusal naming the known ones")
	}
}
