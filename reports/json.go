package reports

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
)

// Schema names the JSON report schema documented in SCHEMA.md: v3 is v2
// plus the run's provenance (grader, corpus revision, options, the
// target's Server header, the fixture prefix), the gate against known
// failures and a result's fixture_free; v2 is v1 plus the chain run's
// fields (run "origin", result "chain").
const Schema = "ferrox.conformance/v3"

// SchemaV2 and SchemaV1 are the earlier schemas; ReadConformJSON still
// reads them.
const (
	SchemaV2 = "ferrox.conformance/v2"
	SchemaV1 = "ferrox.conformance/v1"
)

type jsonRun struct {
	Schema         string       `json:"schema"`
	Grader         string       `json:"grader"`
	CorpusRevision string       `json:"corpus_revision"`
	Options        string       `json:"options"`
	Target         string       `json:"target"`
	Server         string       `json:"server"`
	Prefix         string       `json:"prefix"`
	TLS            bool         `json:"tls"`
	Origin         string       `json:"origin,omitempty"`
	Started        string       `json:"started"`
	DurationMS     float64      `json:"duration_ms"`
	Summary        jsonSummary  `json:"summary"`
	Gate           *jsonGate    `json:"gate,omitempty"`
	Results        []jsonResult `json:"results"`
}

// jsonGate is the comparison with known failures (Gate).
type jsonGate struct {
	Against      string   `json:"against"`
	Known        int      `json:"known"`
	Regressed    bool     `json:"regressed"`
	NewlyFailing []string `json:"newly_failing"`
	Fixed        []string `json:"fixed"`
	StillFailing []string `json:"still_failing"`
}

func toJSONGate(g *Gate) *jsonGate {
	if g == nil {
		return nil
	}
	ids := func(rs []*conformance.Result) []string {
		out := make([]string, 0, len(rs))
		for _, r := range rs {
			out = append(out, r.Case.ID)
		}
		return out
	}
	return &jsonGate{Against: g.Against, Known: g.Known, Regressed: g.Regressed(),
		NewlyFailing: ids(g.NewlyFailing), Fixed: ids(g.Fixed), StillFailing: ids(g.StillFailing)}
}

type jsonSummary struct {
	Pass  int `json:"pass"`
	Fail  int `json:"fail"`
	Warn  int `json:"warn"`
	Error int `json:"error"`
}

type jsonResult struct {
	ID           string       `json:"id"`
	Section      string       `json:"section"`
	Level        string       `json:"level"`
	Requirement  string       `json:"requirement"`
	Checks       string       `json:"checks"`
	Verdict      string       `json:"verdict"`
	Reason       string       `json:"reason"`
	Expected     []string     `json:"expected"`
	Observed     jsonObserved `json:"observed"`
	Sent         string       `json:"sent"`
	Received     string       `json:"received"`
	SentText     string       `json:"sent_text"`
	ReceivedText string       `json:"received_text"`
	Mode         string       `json:"mode,omitempty"`
	Canary       bool         `json:"canary,omitempty"`
	Check        []string     `json:"check,omitempty"`
	File         string       `json:"file,omitempty"`
	Group        string       `json:"group,omitempty"`
	FixtureFree  bool         `json:"fixture_free,omitempty"`
	Replays      int          `json:"replays,omitempty"`

	ChainExpect []string           `json:"chain_expect,omitempty"`
	Chain       *conformance.Chain `json:"chain,omitempty"`
}

type jsonObserved struct {
	Statuses  []int          `json:"statuses"`
	End       string         `json:"end"`
	ElapsedMS float64        `json:"elapsed_ms"`
	Note      string         `json:"note"`
	Responses []jsonResponse `json:"responses"`
	Interim   []jsonResponse `json:"interim,omitempty"`
	Unframed  int            `json:"unframed,omitempty"`
	Split     int            `json:"split,omitempty"`
	Err       string         `json:"err,omitempty"`
}

type jsonResponse struct {
	Status  int         `json:"status"`
	Proto   string      `json:"proto"`
	Framing string      `json:"framing"`
	BodyLen int64       `json:"body_len"`
	Headers [][2]string `json:"headers"`
	AtMS    float64     `json:"at_ms"`
}

// ms converts a duration to milliseconds rounded to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// fromMS is the inverse of ms (exact for whole microseconds).
func fromMS(v float64) time.Duration { return time.Duration(math.Round(v*1000)) * time.Microsecond }

// ConformJSON renders a run as the ferrox.conformance/v3 JSON document
// described in SCHEMA.md: the full bytes both ways in base64 and, for
// reading, escaped text (each cut to 64 KiB of text).
func ConformJSON(run *conformance.Run) Reporter { return ConformJSONGate(run, nil) }

// ConformJSONGate is ConformJSON with the comparison against known
// failures in "gate" (g nil: none).
func ConformJSONGate(run *conformance.Run, g *Gate) Reporter {
	return func(w0 io.Writer) error {
		t := countRun(run)
		prefix := run.Prefix
		if prefix == "" {
			prefix = "/"
		}
		doc := jsonRun{
			Schema:         Schema,
			Grader:         run.Grader,
			CorpusRevision: run.CorpusRev,
			Options:        run.Options,
			Target:         run.Target,
			Server:         run.Server,
			Prefix:         prefix,
			TLS:            run.TLS,
			Origin:         run.Origin,
			Started:        run.Started.UTC().Format(time.RFC3339Nano),
			DurationMS:     ms(run.Duration),
			Summary:        jsonSummary(t),
			Gate:           toJSONGate(g),
			Results:        make([]jsonResult, 0, len(run.Results)),
		}
		if run.Started.IsZero() {
			doc.Started = ""
		}
		for i := range run.Results {
			doc.Results = append(doc.Results, toJSONResult(&run.Results[i]))
		}
		w := newStickyWriter(w0)
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(true)
		if err := enc.Encode(doc); err != nil {
			if w.err != nil {
				return w.err
			}
			return fmt.Errorf("reports: encode json: %w", err)
		}
		return w.close()
	}
}

func toJSONResult(r *conformance.Result) jsonResult {
	o := &r.Observed
	jr := jsonResult{
		ID:           r.Case.ID,
		Section:      r.Case.Section,
		Level:        string(r.Case.Level),
		Requirement:  r.Case.Requirement,
		Checks:       r.Case.Checks,
		Verdict:      string(r.Verdict),
		Reason:       r.Reason,
		Expected:     jsonOutcomes(r.Case.Expect),
		Sent:         base64.StdEncoding.EncodeToString(o.Sent),
		Received:     base64.StdEncoding.EncodeToString(o.Received),
		SentText:     escapeTextLimit(o.Sent, maxTextLen),
		ReceivedText: escapeTextLimit(o.Received, maxTextLen),
		Mode:         string(r.Case.Mode),
		Canary:       r.Case.Canary,
		Check:        r.Case.Check,
		File:         r.Case.File,
		Group:        r.Case.Group,
		FixtureFree:  r.Case.FixtureFree,
		Observed: jsonObserved{
			Statuses:  []int{},
			End:       endOf(o),
			ElapsedMS: ms(o.Elapsed),
			Note:      o.Note,
			Responses: []jsonResponse{},
		},
	}
	for _, resp := range o.Responses {
		jr.Observed.Statuses = append(jr.Observed.Statuses, resp.Status)
		jr.Observed.Responses = append(jr.Observed.Responses, toJSONResponse(resp))
	}
	for _, resp := range o.Interim {
		jr.Observed.Interim = append(jr.Observed.Interim, toJSONResponse(resp))
	}
	jr.Observed.Unframed = o.Unframed
	jr.Observed.Split = o.Split
	jr.Observed.Err = o.Err
	jr.Replays = r.Replays
	if r.Chain != nil {
		jr.Chain = r.Chain
		jr.ChainExpect = conformance.ChainExpect(&r.Case)
	}
	return jr
}

func toJSONResponse(resp conformance.Response) jsonResponse {
	h := resp.Headers
	if h == nil {
		h = [][2]string{}
	}
	return jsonResponse{
		Status: resp.Status, Proto: resp.Proto, Framing: resp.Framing, BodyLen: resp.BodyLen, Headers: h, AtMS: ms(resp.At),
	}
}

func fromJSONResponse(jp jsonResponse) conformance.Response {
	return conformance.Response{
		Status: jp.Status, Proto: jp.Proto, Framing: jp.Framing, BodyLen: jp.BodyLen, Headers: jp.Headers, At: fromMS(jp.AtMS),
	}
}

// ReadConformJSON decodes a ferrox.conformance/v3 (or v2, v1) document back
// into a Run (the gate is not read back: it belongs to the run that wrote it). Fields the schema does not carry (raw case bytes, pacing) stay zero;
// when a result has statuses but no responses array, one response per
// status is made up.
func ReadConformJSON(r io.Reader) (*conformance.Run, error) {
	var doc jsonRun
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("reports: decode json: %w", err)
	}
	if doc.Schema != Schema && doc.Schema != SchemaV2 && doc.Schema != SchemaV1 {
		return nil, fmt.Errorf("reports: schema %q; want %q, %q or %q", doc.Schema, Schema, SchemaV2, SchemaV1)
	}
	run := &conformance.Run{
		Target:    doc.Target,
		TLS:       doc.TLS,
		Origin:    doc.Origin,
		Server:    doc.Server,
		Grader:    doc.Grader,
		CorpusRev: doc.CorpusRevision,
		Options:   doc.Options,
		Duration:  fromMS(doc.DurationMS),
		Results:   make([]conformance.Result, 0, len(doc.Results)),
	}
	if doc.Started != "" {
		t, err := time.Parse(time.RFC3339Nano, doc.Started)
		if err != nil {
			return nil, fmt.Errorf("reports: started: %w", err)
		}
		run.Started = t
	}
	if doc.Prefix != "/" {
		run.Prefix = doc.Prefix
	}
	for i, jr := range doc.Results {
		res, err := fromJSONResult(jr)
		if err != nil {
			return nil, fmt.Errorf("reports: result %d (%q): %w", i, jr.ID, err)
		}
		res.Target = doc.Target
		run.Results = append(run.Results, res)
	}
	return run, nil
}

func fromJSONResult(jr jsonResult) (conformance.Result, error) {
	sent, err := base64.StdEncoding.DecodeString(jr.Sent)
	if err != nil {
		return conformance.Result{}, fmt.Errorf("sent: %w", err)
	}
	recv, err := base64.StdEncoding.DecodeString(jr.Received)
	if err != nil {
		return conformance.Result{}, fmt.Errorf("received: %w", err)
	}
	c := corpus.Case{
		ID:          jr.ID,
		Section:     jr.Section,
		Level:       corpus.Level(jr.Level),
		Checks:      jr.Checks,
		Requirement: jr.Requirement,
		Mode:        corpus.Mode(jr.Mode),
		Canary:      jr.Canary,
		Check:       jr.Check,
		File:        jr.File,
		Group:       jr.Group,
		FixtureFree: jr.FixtureFree,
	}
	for _, e := range jr.Expected {
		o, err := parseJSONOutcome(e)
		if err != nil {
			return conformance.Result{}, err
		}
		c.Expect = append(c.Expect, o)
	}
	o := conformance.Observed{
		End:     conformance.End(jr.Observed.End),
		Elapsed: fromMS(jr.Observed.ElapsedMS),
		Note:    jr.Observed.Note,
	}
	for _, jp := range jr.Observed.Interim {
		o.Interim = append(o.Interim, fromJSONResponse(jp))
	}
	o.Unframed = jr.Observed.Unframed
	o.Split = jr.Observed.Split
	o.Err = jr.Observed.Err
	if len(sent) > 0 {
		o.Sent = sent
	}
	if len(recv) > 0 {
		o.Received = recv
	}
	if len(jr.Observed.Responses) > 0 {
		for _, jp := range jr.Observed.Responses {
			o.Responses = append(o.Responses, fromJSONResponse(jp))
		}
	} else {
		for _, s := range jr.Observed.Statuses {
			o.Responses = append(o.Responses, conformance.Response{Status: s})
		}
	}
	return conformance.Result{
		Case:     c,
		Verdict:  conformance.Verdict(jr.Verdict),
		Observed: o,
		Reason:   jr.Reason,
		Replays:  jr.Replays,
		Chain:    jr.Chain,
	}, nil
}

// noneJSON is how schema v1 spells the corpus outcome "none" (no response,
// then a close). Every other outcome is written and read in the corpus
// notation (corpus.FormatOutcome, corpus.ParseOutcome), "any" included.
const noneJSON = "none+close"

func jsonOutcomes(os []corpus.Outcome) []string {
	out := make([]string, 0, len(os))
	for _, o := range os {
		if o.Status == "" {
			out = append(out, noneJSON)
			continue
		}
		out = append(out, corpus.FormatOutcome(o))
	}
	return out
}

// parseJSONOutcome reads one "expected" entry: "none+close", or any
// outcome of the corpus grammar (where "none" means the same).
func parseJSONOutcome(s string) (corpus.Outcome, error) {
	if s == noneJSON {
		return corpus.Outcome{Close: true}, nil
	}
	o, err := corpus.ParseOutcome(s)
	if err != nil {
		return o, fmt.Errorf("expected: %w", err)
	}
	return o, nil
}
