package reports

import (
	"flag"
	"time"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
)

// The -update flag rewrites the golden files. Other test files of this
// package may define it too, so it is registered only once.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite testdata/*.golden")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

var fixedStart = time.Date(2026, 11, 23, 21, 0, 0, 0, time.UTC)

// fixtureRun is a fixed run with every verdict, several sections and
// levels, and awkward bytes (NUL, CR, non-ASCII, a backslash).
func fixtureRun(target string) *conformance.Run {
	ok200 := conformance.Response{Status: 200, Proto: "HTTP/1.1", Framing: "content-length", BodyLen: 7, At: 1500 * time.Microsecond,
		Headers: [][2]string{{"Content-Length", "7"}, {"Content-Type", "text/plain; charset=utf-8"}}}
	bad400 := conformance.Response{Status: 400, Proto: "HTTP/1.1", Framing: "content-length", BodyLen: 0,
		Headers: [][2]string{{"Content-Length", "0"}, {"Connection", "close"}}}
	return &conformance.Run{
		Target:    target,
		Server:    "TestServer/1.0",
		Grader:    "ferrox v0.0.0-test",
		CorpusRev: "0123456789ab",
		Options:   "--target " + target + " --format md,html,json,junit",
		Started:   fixedStart,
		Duration:  1234567 * time.Microsecond,
		Results: []conformance.Result{
			{
				Case: corpus.Case{ID: "cl-plus-sign", Section: "RFC9112 6.3", Level: corpus.MUST,
					Checks: "a Content-Length with a plus sign is invalid", Expect: []corpus.Outcome{{Status: "400", Close: true}},
					Canary: true, Mode: corpus.SendSplit, Requirement: "9112-6.3-invalid-cl", File: "cases/6.3/cl-plus-sign.case", Group: "content-length"},
				Target:  target,
				Verdict: conformance.Fail,
				Reason:  "got 200; want 400+close",
				Replays: 57,
				Observed: conformance.Observed{
					Responses: []conformance.Response{ok200, ok200},
					End:       conformance.EndOpen,
					Sent:      []byte("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello"),
					Received:  []byte("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\ncanary\n"),
					Elapsed:   2500 * time.Millisecond,
					Split:     17,
					Unframed:  3,
					Interim:   []conformance.Response{{Status: 100, Proto: "HTTP/1.1", Framing: "none", Headers: [][2]string{}}},
				},
			},
			{
				Case: corpus.Case{ID: "cl-te-both", Section: "RFC9112 6.1", Level: corpus.Safety,
					Checks: "CL and TE together: reject or use TE, then close", Expect: []corpus.Outcome{{Status: "400", Close: true}, {Status: "2xx", Close: true}},
					Canary: true, Mode: corpus.SendWhole, Requirement: "9112-6.1-cl-te"},
				Target:  target,
				Verdict: conformance.Pass,
				Reason:  "400+close",
				Observed: conformance.Observed{
					Responses: []conformance.Response{bad400},
					End:       conformance.EndFIN,
					Sent:      []byte("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
					Received:  []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
					Elapsed:   12345 * time.Microsecond,
				},
			},
			{
				Case: corpus.Case{ID: "bare-lf", Section: "RFC9112 2.2", Level: corpus.MAY,
					Checks: "a lone LF may end a line", Expect: []corpus.Outcome{{Status: "400", Close: true}},
					Mode: corpus.SendWhole, Requirement: "9112-2.2-bare-lf"},
				Target:  target,
				Verdict: conformance.Warn,
				Reason:  "got 200; preferred 400+close",
				Observed: conformance.Observed{
					Responses: []conformance.Response{ok200},
					End:       conformance.EndOpen,
					Sent:      []byte("GET / HTTP/1.1\nHost: a\n\n"),
					Received:  []byte("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nhello\\\x00\xff"),
					Elapsed:   301 * time.Millisecond,
					Note:      "body bytes include NUL",
				},
			},
			{
				Case: corpus.Case{ID: "nul-in-value", Section: "RFC9110 5.5", Level: corpus.MUST,
					Checks: "NUL in a field value is rejected", Expect: []corpus.Outcome{{Status: "400", Close: true}, {Close: true}},
					Mode: corpus.SendWhole, Requirement: "9110-5.5-ctl"},
				Target:  target,
				Verdict: conformance.Error,
				Reason:  "dial tcp: connection refused",
				Observed: conformance.Observed{
					End:     conformance.EndUnknown,
					Err:     "dial tcp 127.0.0.1:1: connect: connection refused",
					Sent:    []byte("GET / HTTP/1.1\r\nX: a\x00b\r\nHost: \xc3\xa9\r\n\r\n"),
					Elapsed: 1 * time.Millisecond,
				},
			},
			{
				Case: corpus.Case{ID: "host-missing", Section: "RFC9112 3.2", Level: corpus.MUST,
					Checks: "HTTP/1.1 without Host gets 400", Expect: []corpus.Outcome{{Status: "400"}},
					Mode: corpus.SendWhole, Requirement: "9112-3.2-host"},
				Target:  target,
				Verdict: conformance.Pass,
				Reason:  "400",
				Observed: conformance.Observed{
					Responses: []conformance.Response{bad400},
					End:       conformance.EndFIN,
					Sent:      []byte("GET / HTTP/1.1\r\n\r\n"),
					Received:  []byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
					Elapsed:   800 * time.Microsecond,
				},
			},
			{
				Case: corpus.Case{ID: "head-same-headers", Section: "RFC9110 9.3.2", Level: corpus.SHOULD,
					Checks: "HEAD gets the headers of GET", Expect: []corpus.Outcome{{Status: "200"}},
					Mode: corpus.SendWhole, Requirement: "not-a-listed-requirement"},
				Target:  target,
				Verdict: conformance.Pass,
				Reason:  "200",
				Observed: conformance.Observed{
					Responses: []conformance.Response{ok200},
					End:       conformance.EndOpen,
					Sent:      []byte("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n"),
					Received:  []byte("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n"),
					Elapsed:   301 * time.Millisecond,
				},
			},
			{
				Case: corpus.Case{ID: "dotfile", Section: "RFC9110 7.1", Level: corpus.Policy,
					Checks: "a dotfile is not served", Expect: []corpus.Outcome{{Status: "404"}},
					Mode: corpus.SendWhole, Requirement: "safety-dotfiles"},
				Target:  target,
				Verdict: conformance.Warn,
				Reason:  "got 200, want 404",
				Observed: conformance.Observed{
					Responses: []conformance.Response{ok200},
					End:       conformance.EndOpen,
					Sent:      []byte("GET /.hidden HTTP/1.1\r\nHost: a\r\n\r\n"),
					Received:  []byte("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nhidden\n"),
					Elapsed:   2 * time.Millisecond,
				},
			},
		},
	}
}

// fixtureReqs is the requirement list for the coverage report: two are
// tested by fixtureRun, two are not.
func fixtureReqs() []corpus.Requirement {
	return []corpus.Requirement{
		{ID: "9112-6.3-invalid-cl", Section: "RFC9112 6.3", Level: "MUST", Text: "an invalid Content-Length without TE is a 400 and a close"},
		{ID: "9112-6.1-cl-te", Section: "RFC9112 6.1", Level: "safety", Text: "CL with TE: reject, or use TE and close"},
		{ID: "9112-2.2-bare-lf", Section: "RFC9112 2.2", Level: "MAY", Text: "a lone LF may end a line"},
		{ID: "9110-5.5-ctl", Section: "RFC9110 5.5", Level: "MUST", Text: "CR, LF or NUL in a value: reject or replace with SP"},
		{ID: "9112-3.2-host", Section: "RFC9112 3.2", Level: "MUST", Text: "missing, repeated or invalid Host is a 400"},
		{ID: "9112-9.3.2-pipeline-order", Section: "RFC9112 9.3.2", Level: "MUST", Text: "pipelined responses | in request order"},
		{ID: "9112-2.2-skip-empty", Section: "RFC9112 2.2", Level: "SHOULD", Text: "skip empty lines before the request-line"},
		{ID: "safety-dotfiles", Section: "RFC9110 7.1", Level: "policy", Text: "dotfiles are not served by default"},
	}
}

// fixtureRuns is three targets that disagree: the second passes what the
// first fails, the third answers one case with a different status under
// the same verdict and never ran another.
func fixtureRuns() []*conformance.Run {
	a := fixtureRun("nginx")
	b := fixtureRun("ferrox")
	b.Results[0].Verdict = conformance.Pass
	b.Results[0].Reason = "400+close"
	b.Results[0].Observed.Responses = b.Results[1].Observed.Responses
	b.Results[0].Observed.End = conformance.EndFIN
	c := fixtureRun("caddy")
	c.Results[1].Observed.Responses = []conformance.Response{{Status: 200}}
	c.Results[1].Reason = "2xx+close"
	c.Results = append(c.Results[:5], c.Results[6]) // never ran head-same-headers
	return []*conformance.Run{a, b, c}
}
