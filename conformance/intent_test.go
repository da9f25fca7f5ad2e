package conformance

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// intentSummary is what TestReadIntent compares of an Intent: per message
// "class reason METHOD path body", and where the stream stops carrying
// requests.
type intentSummary struct {
	Messages  []string
	Hidden    int
	HiddenWhy string
}

func summarise(in Intent) intentSummary {
	s := intentSummary{Hidden: in.Hidden, HiddenWhy: in.HiddenWhy}
	for _, m := range in.Messages {
		s.Messages = append(s.Messages, strings.Join([]string{m.Class, m.Reason, m.Method, m.Path, string(m.Body)}, " "))
	}
	return s
}

func TestReadIntent(t *testing.T) {
	const canary = "GET /canary.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	canaryOK := "ok  GET /canary.txt "
	tests := []struct {
		name string
		raw  string
		want intentSummary
		// hiddenAt, when set, is the text Hidden must point at the start
		// of (an offset is easier to get wrong by hand than a substring).
		hiddenAt string
	}{
		{
			name: "valid-pipelined",
			raw:  "GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" + canary,
			want: intentSummary{Messages: []string{"ok  GET /a ", "ok  POST /b abc", canaryOK}},
		},
		{
			// RFC 9112 §6.1: CL with TE is a framing the strict reading
			// refuses; everything after the head may be body.
			// RFC 9112 §6.1: Transfer-Encoding frames it, then the
			// connection closes: the canary is no request.
			name:     "cl-and-te",
			raw:      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + canary,
			want:     intentSummary{Messages: []string{"tolerated cl_and_te POST /a "}, HiddenWhy: "close"},
			hiddenAt: "GET /canary.txt",
		},
		{
			// A TE line in doubt beside the length: nothing frames it.
			name:     "cl-and-te-obfuscated",
			raw:      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + canary,
			want:     intentSummary{Messages: []string{"rejected cl_and_te POST /a "}, HiddenWhy: "framing"},
			hiddenAt: "0\r\n\r\nGET /canary.txt",
		},
		{
			name:     "duplicate-cl-differing",
			raw:      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!" + canary,
			want:     intentSummary{Messages: []string{"rejected conflicting_content_length POST /a "}, HiddenWhy: "framing"},
			hiddenAt: "hello!",
		},
		{
			// §5.2: a recipient may replace obs-fold by SP; the framing is
			// clean, so the canary after it is still a request.
			name: "obs-fold-tolerated",
			raw:  "GET /a HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n" + canary,
			want: intentSummary{Messages: []string{"tolerated obs_fold GET /a ", canaryOK}},
		},
		{
			// An extension's syntax does not move the body's end.
			name: "bad-chunk-ext-tolerated",
			raw:  "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;a b\r\nabc\r\n0\r\n\r\n" + canary,
			want: intentSummary{Messages: []string{"tolerated invalid_chunk_ext POST /a abc", canaryOK}},
		},
		{
			// A bare LF in a chunk line: readers disagree on where the
			// line ends, so nothing after the head is a request.
			name:     "bare-lf-in-chunk-size",
			raw:      "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n" + canary,
			want:     intentSummary{Messages: []string{"rejected bare_lf POST /a "}, HiddenWhy: "framing"},
			hiddenAt: "3\nabc",
		},
		{
			// §9.6: nothing after a request that closes the connection is
			// read as one.
			name:     "connection-close",
			raw:      "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" + canary,
			want:     intentSummary{Messages: []string{"ok  GET /a "}, HiddenWhy: "close"},
			hiddenAt: canary,
		},
		{
			name:     "http10-default-close",
			raw:      "GET /a HTTP/1.0\r\n\r\n" + canary,
			want:     intentSummary{Messages: []string{"ok  GET /a "}, HiddenWhy: "close"},
			hiddenAt: canary,
		},
		{
			name: "partial-head",
			raw:  "GET /a HTTP/1.1\r\nHost: x\r\n",
			want: intentSummary{Messages: []string{"partial  GET /a "}},
		},
		{
			name: "partial-body",
			raw:  "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel",
			want: intentSummary{Messages: []string{"partial  POST /a "}},
		},
		{
			name: "empty",
			raw:  "",
			want: intentSummary{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			want.Hidden = len(tc.raw)
			if tc.hiddenAt != "" {
				want.Hidden = strings.Index(tc.raw, tc.hiddenAt)
			}
			got := summarise(ReadIntent([]byte(tc.raw)))
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("ReadIntent(%q) (-want +got):\n%s", tc.raw, d)
			}
		})
	}
}

// Offsets of the messages read from a stream cover it without gaps or
// overlaps up to Hidden.
func TestReadIntentOffsets(t *testing.T) {
	raw := "\r\nGET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET /c HTTP/1.1\r\nHost: x\r\n\r\n"
	in := ReadIntent([]byte(raw))
	if len(in.Messages) != 3 {
		t.Fatalf("ReadIntent(%q) = %d messages; want 3", raw, len(in.Messages))
	}
	prev := 0
	for j, m := range in.Messages {
		if m.Start < prev || m.HeadEnd < m.Start || m.End < m.HeadEnd {
			t.Errorf("message %d: Start %d HeadEnd %d End %d after %d; want ordered", j+1, m.Start, m.HeadEnd, m.End, prev)
		}
		if !strings.HasPrefix(raw[m.Start:], m.Method+" "+m.Target) {
			t.Errorf("message %d starts at %q; want its request-line %q", j+1, raw[m.Start:m.HeadEnd], m.Method+" "+m.Target)
		}
		prev = m.End
	}
	if in.Messages[0].Start != 2 {
		t.Errorf("message 1 Start = %d; want 2 (after the leading empty line)", in.Messages[0].Start)
	}
	if prev != len(raw) || in.Hidden != len(raw) {
		t.Errorf("messages end at %d, Hidden = %d; want both %d", prev, in.Hidden, len(raw))
	}
}
