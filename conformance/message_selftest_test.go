package conformance

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/corpus"
)

// fixtureFreeCases are the corpus's fixture-free cases (the message group).
func fixtureFreeCases(t *testing.T) []corpus.Case {
	t.Helper()
	all, err := corpus.All()
	if err != nil {
		t.Fatal(err)
	}
	var out []corpus.Case
	for _, c := range all {
		if c.FixtureFree {
			if c.Group != "message" {
				t.Errorf("%s: fixture-free outside the message group", c.ID)
			}
			out = append(out, c)
		} else if c.Group == "message" {
			t.Errorf("%s: in the message group but needs the fixture", c.ID)
		}
	}
	if len(out) < 20 {
		t.Fatalf("%d fixture-free cases; want the message group", len(out))
	}
	return out
}

// Application servers that parse strictly get every fixture-free case
// right, whatever / answers; the root status the preflight records is
// what the canary must get again.
func TestFixtureFreeAppServers(t *testing.T) {
	cases := fixtureFreeCases(t)
	for _, tc := range []struct {
		name   string
		answer func(method, target string) (int, string)
		root   int
	}{
		{"hello-everywhere", func(string, string) (int, string) { return 200, "hello" }, 200},
		{"404-except-root", func(_, target string) (int, string) {
			if target == "/" || target == "http://localhost/" {
				return 200, "hello"
			}
			return 404, "not found"
		}, 200},
		{"405-for-post", func(method, _ string) (int, string) {
			if method == "POST" {
				return 405, "method not allowed"
			}
			return 200, "hello"
		}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr := serve(t, strictServerWith(tc.answer))
			cfg := testConfig(addr)
			cfg.Timeout, cfg.Parallel = 300*time.Millisecond, 8
			info, err := PreflightRoot(context.Background(), cfg)
			if err != nil || info.RootStatus != tc.root {
				t.Fatalf("PreflightRoot = %+v, %v; want root status %d", info, err, tc.root)
			}
			cfg.RootStatus = info.RootStatus
			run, err := RunCases(context.Background(), cfg, cases)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range run.Results {
				if r.Verdict != Pass {
					t.Errorf("%s: %s = %s (%s; note %q); want pass", tc.name, r.Case.ID, r.Verdict, r.Reason, r.Observed.Note)
				}
			}
		})
	}
}

// The lenient fake still fails the fixture-free smuggling and framing
// cases: the canary GET / and the response count catch a desync without
// any fixture file.
func TestFixtureFreeLenientFails(t *testing.T) {
	cases := fixtureFreeCases(t)
	addr := serve(t, lenientServer)
	cfg := testConfig(addr)
	cfg.Timeout, cfg.Parallel, cfg.NoSplits, cfg.RootStatus = 300*time.Millisecond, 8, true, 200
	run, err := RunCases(context.Background(), cfg, cases)
	if err != nil {
		t.Fatal(err)
	}
	got := idsWith(run, Fail)
	for _, id := range []string{
		"msg-smuggle-cl-te", "msg-smuggle-te-cl", "msg-smuggle-te-xchunked", "msg-smuggle-te-obs-fold",
		"msg-smuggle-cl-list-zero-first", "msg-smuggle-cl-empty", "msg-smuggle-chunk-ext-lf", "msg-smuggle-http10-te",
		"msg-cl-conflict", "msg-cl-plus", "msg-chunk-size-0x", "msg-missing-host", "msg-space-before-colon",
		"msg-head-root", "msg-connection-close", "msg-http10-close",
	} {
		if !slices.Contains(got, id) {
			v := verdicts(run)[id]
			t.Errorf("lenient server: %s = %s; want fail", id, v)
		}
	}
	for _, id := range []string{"msg-get-root", "msg-post-cl-body", "msg-pipelined-three", "msg-chunk-extension"} {
		if v := verdicts(run)[id]; v != Pass {
			t.Errorf("lenient server: %s = %s; want pass (it frames these right)", id, v)
		}
	}
}

// A desync that swallows the canary and answers the hidden GET /smuggled
// in its place is caught by the root status: 404 is accepted, but / said
// 200 in the preflight.
func TestRootCanarySwallowed(t *testing.T) {
	c := corpus.Case{ID: "x", Level: corpus.Safety, FixtureFree: true, Canary: true,
		Expect: []corpus.Outcome{{Status: corpus.Accept}}, Raw: []byte("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")}
	refs := splitRequests(c.Raw)
	obs := Observed{Responses: []Response{{Status: 200}, {Status: 404}}, End: EndOpen}
	if v, why := judgeRoot(&c, &obs, refs, 200); v != Fail || !strings.Contains(why, "answered 200 in the preflight") {
		t.Errorf("judgeRoot = %s (%s); want fail naming the root status", v, why)
	}
	if v, why := judgeRoot(&c, &obs, refs, 0); v != Pass {
		t.Errorf("judgeRoot without a root status = %s (%s); want pass (404 is accepted)", v, why)
	}
	obs.Responses[1].Status = 400
	if v, _ := judgeRoot(&c, &obs, refs, 0); v != Fail {
		t.Errorf("judgeRoot with a 400 canary = %s; want fail", v)
	}
}
