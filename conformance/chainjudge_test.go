package conformance

import (
	"strings"
	"testing"

	"github.com/ferrox/ferrox/corpus"
)

// A canary of another case that reaches the origin late is not this
// case's finding; this case's own canary past a framing error is.
func TestChainJudgeOtherCasesCanary(t *testing.T) {
	raw := []byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
	c := corpus.Case{ID: "t", Level: corpus.Safety, Expect: []corpus.Outcome{{Status: "400", Close: true}}, Raw: raw, Canary: true}
	for _, tc := range []struct {
		canary string
		want   bool // a finding about it
	}{
		{chainCanary(6), true},  // this case's own canary (case 7)
		{chainCanary(5), false}, // case 6's, late
	} {
		stream := append(append([]byte(nil), raw...), chainCanary(6)...)
		path := tc.canary[len("GET "):strings.Index(tc.canary, " HTTP/")]
		ch := &Chain{Intent: ReadIntent(stream), Upstreams: []Upstream{{Conn: 1, Requests: []Message{{Method: "GET", Target: path, Path: path, Tag: "c1 r1"}}}}}
		judgeChain(&c, &Observed{}, ch, stream)
		if got := len(ch.Findings) > 0; got != tc.want {
			t.Errorf("canary %q: findings %+v; want a finding: %v", path, ch.Findings, tc.want)
		}
	}
}

// A front end may spread pipelined requests with one target over several
// upstream connections, a pooled one listed first: the judge ties them by
// arrival and body, not by connection order.
func TestChainJudgeSpreadOverConnections(t *testing.T) {
	body := "GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n"
	raw := []byte("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 43\r\n\r\n" + body + "GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
	c := corpus.Case{ID: "t", Level: corpus.Safety, Expect: []corpus.Outcome{{Status: "2xx"}}, Raw: raw}
	ch := &Chain{Intent: ReadIntent(raw), Upstreams: []Upstream{
		{Conn: 10, Requests: []Message{{Method: "GET", Target: "/a.txt", Path: "/a.txt", Tag: "c10 r4", Arrival: 2}}},
		{Conn: 16, Requests: []Message{{Method: "GET", Target: "/a.txt", Path: "/a.txt", Tag: "c16 r1", Arrival: 1, BodyLen: 43, Body: []byte(body)}}},
	}}
	obs := &Observed{Responses: []Response{
		{Status: 200, Headers: [][2]string{{OriginHeader, "c16 r1"}}},
		{Status: 200, Headers: [][2]string{{OriginHeader, "c10 r4"}}},
	}}
	if v, why := judgeChain(&c, obs, ch, raw); v != Pass {
		t.Errorf("judgeChain = %s (%s); want pass", v, why)
	}
}

// Varnish reads a GET's body and forwards the GET without it; the next
// pipelined GET of the same target must still be tied to the second
// message, so the answers stay in order.
func TestChainJudgeDroppedBodyKeepsOrder(t *testing.T) {
	body := "GET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n"
	raw := []byte("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 43\r\n\r\n" + body + "GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
	c := corpus.Case{ID: "t", Level: corpus.Safety, Expect: []corpus.Outcome{{Status: "2xx"}}, Raw: raw}
	ch := &Chain{Intent: ReadIntent(raw), Upstreams: []Upstream{{Conn: 1, Requests: []Message{
		{Method: "GET", Target: "/a.txt", Path: "/a.txt", Tag: "c1 r1", Arrival: 1},
		{Method: "GET", Target: "/a.txt", Path: "/a.txt", Tag: "c1 r2", Arrival: 2},
	}}}}
	obs := &Observed{Responses: []Response{
		{Status: 200, Headers: [][2]string{{OriginHeader, "c1 r1"}}},
		{Status: 200, Headers: [][2]string{{OriginHeader, "c1 r2"}}},
	}}
	v, why := judgeChain(&c, obs, ch, raw)
	if v != Warn || len(ch.Findings) != 1 || ch.Findings[0].Kind != FindReframed {
		t.Errorf("judgeChain = %s (%s), findings %+v; want one reframed warning", v, why, ch.Findings)
	}
}

// A front end that frames Content-Length + Transfer-Encoding by the length
// and forwards the chunked bytes as a plain body breaks RFC 9112 §6.1 even
// when nothing else reaches the origin.
func TestChainJudgeCLOverTE(t *testing.T) {
	hidden := "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: localhost\r\n\r\n"
	raw := []byte("POST /a.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 48\r\nTransfer-Encoding: chunked\r\n\r\n" + hidden)
	c := corpus.Case{ID: "t", Level: corpus.Safety, Expect: []corpus.Outcome{{Status: "400", Close: true}, {Status: "2xx", Close: true}}, Raw: raw}
	ch := &Chain{Intent: ReadIntent(raw), Upstreams: []Upstream{{Conn: 1, Requests: []Message{
		{Method: "POST", Target: "/a.txt", Path: "/a.txt", Tag: "c1 r1", Arrival: 1, BodyLen: int64(len(hidden)), Body: []byte(hidden)},
	}}}}
	obs := &Observed{Responses: []Response{{Status: 200, Headers: [][2]string{{OriginHeader, "c1 r1"}}}}}
	v, _ := judgeChain(&c, obs, ch, raw)
	if v != Fail || len(ch.Findings) == 0 || ch.Findings[0].Kind != FindReframed {
		t.Errorf("judgeChain = %s, findings %+v; want a reframed failure", v, ch.Findings)
	}
}
