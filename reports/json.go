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

// Schema names the JSON report schema documented in SCHEMA.md: v2 is v1
// plus the chain run's fields (run "origin", result "chain").
const Schema = "ferrox.conformance/v2"

// SchemaV1 is the schema before chain runs; ReadConformJSON still reads it.
const SchemaV1 = "ferrox.conformance/v1"

type jsonRun struct {
	Schema     string       `json:"schema"`
	Target     string       `json:"target"`
	TLS        bool         `json:"tls"`
	Origin     string       `json:"origin,omitempty"`
	Started    string       `json:"started"`
	DurationMS float64      `json:"duration_ms"`
	Summary    jsonSummary  `json:"summary"`
	Results    []jsonResult `json:"results"`
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

// ConformJSON renders a run as the ferrox.conformance/v1 JSON document
// described in SCHEMA.md: the full bytes both ways in base64 and, for
// reading, escaped text (each cut to 64 KiB of text).
func ConformJSON(run *conformance.Run) Reporter {
	return func(w0 io.Writer) error {
		t := countRun(run)
		doc := jsonRun{
			Schema:     Schema,
			Target:     run.Target,
			TLS:        run.TLS,
			Origin:     run.Origin,
			Started:    run.Started.UTC().Format(time.RFC3339Nano),
			DurationMS: ms(run.Duration),
			Summary:    jsonSummary(t),
			Results:    make([]jsonResult, 0, len(run.Results)),
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

// ReadConformJSON decodes a ferrox.conformance/v2 (or v1) document back into a
// Run. Fields the schema does not carry (raw case bytes, pacing) stay zero;
// when a result has statuses but no responses array, one response per
// status is made up.
func ReadConformJSON(r io.Reader) (*conformance.Run, error) {
	var doc jsonRun
	dec := json.NewDecoder(r)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("reports: decode json: %w", err)
	}
	if doc.Schema != Schema && doc.Schema != SchemaV1 {
		return nil, fmt.Errorf("reports: schema %q; want %q or %q", doc.Schema, Schema, SchemaV1)
	}
	run := &conformance.Run{
		Target:   doc.Target,
		TLS:      doc.TLS,
		Origin:   doc.Origin,
		Duration: fromMS(doc.DurationMS),
		Results:  make([]conformance.Result, 0, len(doc.Results)),
	}
	if doc.Started != "" {
		t, err := time.Parse(time.RFC3339Nano, doc.Started)
		if err != nil {
			return nil, fmt.Errorf("reports: started: %w", err)
		}
		run.Started = t
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
