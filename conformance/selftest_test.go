package conformance

import (
	"context"
	"net"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/corpus"
	"github.com/google/go-cmp/cmp"
)

// selfCases is a small stand-in corpus: valid requests every server must
// pass, and framing / smuggling cases a lenient server must fail.
func selfCases() []corpus.Case {
	reject := []corpus.Outcome{{Status: "400", Close: true}}
	ok := []corpus.Outcome{{Status: "200"}}
	mk := func(id string, level corpus.Level, expect []corpus.Outcome, canary bool, mode corpus.Mode, raw string, check ...string) corpus.Case {
		if mode == "" {
			mode = corpus.SendWhole
		}
		return corpus.Case{ID: id, Section: "RFC9112 test", Level: level, Expect: expect, Canary: canary, Mode: mode, Raw: []byte(raw), Check: check}
	}
	return []corpus.Case{
		mk("get-simple", corpus.MUST, ok, true, corpus.SendSplit, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", "date", "content-length"),
		mk("pipelined-three", corpus.MUST, ok, true, "", strings.Repeat("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", 3)),
		mk("head-no-body", corpus.MUST, ok, true, "", "HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n", "head-no-body"),
		mk("chunked-valid", corpus.MUST, ok, true, corpus.SendSplit, "POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
		mk("paced-get", corpus.SHOULD, ok, false, corpus.SendPaced, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		func() corpus.Case {
			c := mk("half-close-get", corpus.MUST, []corpus.Outcome{{Status: "200"}, {Status: "200", Close: true}}, false, "", "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
			c.HalfClose = true
			return c
		}(),
		func() corpus.Case {
			c := mk("half-close-short-body", corpus.MUST, []corpus.Outcome{{Close: true}, {Status: "4xx", Close: true}}, false, "", "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nhello")
			c.HalfClose = true
			return c
		}(),
		// Smuggling and framing: the lenient server must fail each of these.
		mk("cl-te-both", corpus.Safety, []corpus.Outcome{{Status: "400", Close: true}, {Status: "2xx", Close: true}}, true, "",
			"POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"+
				"24\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n\r\n0\r\n\r\n"),
		mk("space-before-colon", corpus.MUST, reject, true, "", "GET / HTTP/1.1\r\nHost : localhost\r\n\r\n"),
		mk("cl-plus-sign", corpus.MUST, reject, true, "", "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: +5\r\n\r\nhello"),
		mk("cl-conflict", corpus.MUST, reject, true, "", "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
		mk("chunk-size-0x", corpus.MUST, reject, true, "", "POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n"),
		mk("missing-host", corpus.MUST, reject, false, "", "GET / HTTP/1.1\r\n\r\n"),
		mk("bare-lf-line", corpus.SHOULD, []corpus.Outcome{{Status: "400", Close: true}}, true, "", "GET / HTTP/1.1\nHost: localhost\n\n"),
	}
}

func selfCase(t *testing.T, id string) corpus.Case {
	t.Helper()
	for _, c := range selfCases() {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no self case %q", id)
	return corpus.Case{}
}

func testConfig(addr string) Config {
	return Config{Target: addr, Timeout: 500 * time.Millisecond, Idle: 50 * time.Millisecond, Parallel: 4}
}

func verdicts(run *Run) map[string]Verdict {
	m := map[string]Verdict{}
	for _, r := range run.Results {
		m[r.Case.ID] = r.Verdict
	}
	return m
}

func idsWith(run *Run, v Verdict) []string {
	var out []string
	for _, r := range run.Results {
		if r.Verdict == v {
			out = append(out, r.Case.ID)
		}
	}
	sort.Strings(out)
	return out
}

func TestSelfStrictServerPasses(t *testing.T) {
	addr := serve(t, strictServer)
	cases := selfCases()
	run, err := RunCases(context.Background(), testConfig(addr), cases)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range run.Results {
		if r.Verdict != Pass {
			t.Errorf("strict server: case %s = %s (%s) note=%q; want pass", r.Case.ID, r.Verdict, r.Reason, r.Observed.Note)
		}
	}
	if len(run.Results) != len(cases) {
		t.Fatalf("RunCases returned %d results; want %d", len(run.Results), len(cases))
	}
	for i, r := range run.Results {
		if r.Case.ID != cases[i].ID {
			t.Errorf("result %d is %s; want %s (corpus order)", i, r.Case.ID, cases[i].ID)
		}
	}
}

func TestSelfLenientServerFails(t *testing.T) {
	addr := serve(t, lenientServer)
	cfg := testConfig(addr)
	cfg.NoSplits = true
	run, err := RunCases(context.Background(), cfg, selfCases())
	if err != nil {
		t.Fatal(err)
	}
	wantFail := []string{"chunk-size-0x", "cl-conflict", "cl-plus-sign", "cl-te-both", "head-no-body", "missing-host", "space-before-colon"}
	if diff := cmp.Diff(wantFail, idsWith(run, Fail)); diff != "" {
		for _, r := range run.Results {
			t.Logf("%s: %s %s (%s)", r.Case.ID, r.Verdict, r.Reason, r.Observed.Note)
		}
		t.Errorf("lenient server: failing cases (-want +got):\n%s", diff)
	}
	if got := verdicts(run)["bare-lf-line"]; got != Warn {
		t.Errorf("lenient server: bare-lf-line = %s; want warn (SHOULD case)", got)
	}
	if got := verdicts(run)["get-simple"]; got != Pass {
		t.Errorf("lenient server: get-simple = %s; want pass", got)
	}
}

func TestSplitReplaysRun(t *testing.T) {
	addr := serve(t, strictServer)
	c := selfCases()[0] // get-simple, split mode
	run, err := RunCases(context.Background(), testConfig(addr), []corpus.Case{c})
	if err != nil {
		t.Fatal(err)
	}
	r := run.Results[0]
	if r.Verdict != Pass {
		t.Errorf("%s = %s (%s); want pass", c.ID, r.Verdict, r.Reason)
	}
	if want := 1 + len(splitOffsets(len(c.Raw))); r.Replays != want {
		t.Errorf("Replays = %d; want %d", r.Replays, want)
	}
}

// Whether a split actually reaches the server in two reads is up to the
// kernel, so disagreement is tested on constructed observations.
func TestJudgeSplits(t *testing.T) {
	c := selfCases()[0]
	c.Check = nil
	refs := splitRequests(c.Raw)
	good := Observed{Responses: []Response{{Status: 200}, {Status: 200, Framing: "content-length", BodyStart: []byte("canary\n")}}, End: EndOpen}
	bad := Observed{Responses: []Response{{Status: 400}}, End: EndFIN, Split: 7}
	tests := []struct {
		name    string
		splits  []Observed
		want    Verdict
		wantSub string
	}{
		{"agree", []Observed{good, good}, Pass, ""},
		{"disagree", []Observed{good, bad}, Fail, "split at offset 7"},
		{"runner-error", []Observed{good, {Err: "dial: refused", Split: 3}}, Error, "split at offset 3: dial"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			whole := good
			v, why := judge(&c, &whole, refs)
			v, why = judgeSplits(&c, v, why, tc.splits, refs, &whole)
			if v != tc.want || !strings.Contains(why, tc.wantSub) {
				t.Errorf("judgeSplits = %s (%s); want %s containing %q", v, why, tc.want, tc.wantSub)
			}
		})
	}
}

func TestUnknownCheckIsError(t *testing.T) {
	addr := serve(t, strictServer)
	c := selfCases()[0]
	c.Mode, c.Check = corpus.SendWhole, []string{"no-such-check"}
	run, err := RunCases(context.Background(), testConfig(addr), []corpus.Case{c})
	if err != nil {
		t.Fatal(err)
	}
	if r := run.Results[0]; r.Verdict != Error || !strings.Contains(r.Reason, "no-such-check") {
		t.Errorf("unknown check: verdict %s (%s); want error naming the check", r.Verdict, r.Reason)
	}
}

func TestUnreachableTarget(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	if err := Probe(context.Background(), testConfig(addr)); err == nil {
		t.Errorf("Probe(%s) = nil; want an error for a closed port", addr)
	}
	run, err := RunCases(context.Background(), testConfig(addr), selfCases()[:1])
	if err != nil {
		t.Fatal(err)
	}
	if r := run.Results[0]; r.Verdict != Error {
		t.Errorf("closed port: verdict %s (%s); want error", r.Verdict, r.Reason)
	}
}
