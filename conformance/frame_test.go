package conformance

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFramer(t *testing.T) {
	type resp struct {
		Status  int
		BodyLen int64
		Framing string
	}
	tests := []struct {
		name     string
		in       string
		methods  []string
		eof      bool
		want     []resp
		interim  int
		unframed int
		wantErr  string
	}{
		{name: "content-length", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
			want: []resp{{200, 5, "content-length"}}},
		{name: "content-length-incomplete", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel",
			unframed: 41},
		{name: "content-length-identical-list", in: "HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nhi",
			want: []resp{{200, 2, "content-length"}}},
		{name: "content-length-conflict", in: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nhi!",
			unframed: 60, wantErr: "conflicting"},
		{name: "chunked", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nA;x=y\r\n0123456789\r\n0\r\nT: v\r\n\r\n",
			want: []resp{{200, 15, "chunked"}}},
		{name: "chunked-incomplete", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
			unframed: 57},
		{name: "chunked-bad-size", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
			unframed: 51, wantErr: "invalid chunk size"},
		{name: "close-delimited", in: "HTTP/1.0 200 OK\r\n\r\nall of it", eof: true,
			want: []resp{{200, 9, "close"}}},
		{name: "close-delimited-open", in: "HTTP/1.0 200 OK\r\n\r\nall of it", unframed: 28},
		{name: "head", in: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
			methods: []string{"HEAD", "GET"}, want: []resp{{200, 0, "none"}, {200, 1, "content-length"}}},
		{name: "head-with-body", in: "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc",
			methods: []string{"HEAD"}, eof: true, want: []resp{{200, 0, "none"}}, unframed: 3, wantErr: "truncated"},
		{name: "interim-100", in: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
			want: []resp{{204, 0, "none"}}, interim: 1},
		{name: "304-and-204", in: "HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
			want: []resp{{304, 0, "none"}, {204, 0, "none"}}},
		{name: "101-stops", in: "HTTP/1.1 101 Switching Protocols\r\n\r\n\x00\x01binary",
			want: []resp{{101, 0, "none"}}, unframed: 8},
		{name: "bare-lf", in: "HTTP/1.1 200 OK\nContent-Length: 1\n\nx",
			want: []resp{{200, 1, "content-length"}}},
		{name: "obs-fold", in: "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
			want: []resp{{200, 0, "content-length"}}},
		{name: "garbage", in: "NOT HTTP\r\n\r\n", eof: true, unframed: 12, wantErr: "malformed status line"},
		{name: "truncated-head", in: "HTTP/1.1 200 OK\r\nContent-", eof: true, unframed: 25, wantErr: "truncated"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var f framer
			methodOf := func(i int) string {
				if i < len(tc.methods) {
					return tc.methods[i]
				}
				return "GET"
			}
			// Feed one byte at a time: framing must not depend on segmentation.
			for i := 0; i < len(tc.in); i++ {
				f.feed([]byte{tc.in[i]})
				f.advance(methodOf, false)
			}
			if tc.eof {
				f.advance(methodOf, true)
			}
			var got []resp
			for _, r := range f.final {
				got = append(got, resp{r.Status, r.BodyLen, r.Framing})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("frame(%q) responses (-want +got):\n%s", tc.in, diff)
			}
			if len(f.interim) != tc.interim {
				t.Errorf("frame(%q) interim = %d; want %d", tc.in, len(f.interim), tc.interim)
			}
			if f.unframed() != tc.unframed {
				t.Errorf("frame(%q) unframed = %d; want %d", tc.in, f.unframed(), tc.unframed)
			}
			switch {
			case tc.wantErr == "" && f.err != nil:
				t.Errorf("frame(%q) err = %v; want nil", tc.in, f.err)
			case tc.wantErr != "" && (f.err == nil || !strings.Contains(f.err.Error(), tc.wantErr)):
				t.Errorf("frame(%q) err = %v; want %q", tc.in, f.err, tc.wantErr)
			}
		})
	}
}

func TestSplitRequests(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // methods
	}{
		{"one", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", []string{"GET"}},
		{"pipelined", "GET / HTTP/1.1\r\nHost: a\r\n\r\nHEAD / HTTP/1.1\r\nHost: a\r\n\r\n", []string{"GET", "HEAD"}},
		{"cl-body", "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nGET /HEAD / HTTP/1.1\r\n\r\n", []string{"POST", "HEAD"}},
		{"te-wins", "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n\r\n", []string{"POST", "GET"}},
		{"invalid-cl-stops", "POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\nabcGET / HTTP/1.1\r\n\r\n", []string{"POST"}},
		{"partial", "GET / HT", []string{"GET"}},
		{"leading-crlf", "\r\nGET / HTTP/1.1\r\n\r\n", []string{"GET"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, r := range splitRequests([]byte(tc.in)) {
				got = append(got, r.Method)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("splitRequests(%q) methods (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestSplitOffsets(t *testing.T) {
	tests := []struct {
		n, wantLen, wantLast int
	}{
		{1, 0, 0}, {2, 1, 1}, {100, 99, 99}, {257, 256, 256}, {10000, 0, 0},
	}
	for _, tc := range tests {
		offs := splitOffsets(tc.n)
		if len(offs) > MaxSplitReplays {
			t.Errorf("splitOffsets(%d) has %d offsets; want at most %d", tc.n, len(offs), MaxSplitReplays)
		}
		for i := 1; i < len(offs); i++ {
			if offs[i] <= offs[i-1] || offs[i] >= tc.n {
				t.Fatalf("splitOffsets(%d)[%d] = %d; not increasing below n", tc.n, i, offs[i])
			}
		}
		if tc.wantLen > 0 && (len(offs) != tc.wantLen || offs[len(offs)-1] != tc.wantLast) {
			t.Errorf("splitOffsets(%d) = %d offsets ending %d; want %d ending %d", tc.n, len(offs), offs[len(offs)-1], tc.wantLen, tc.wantLast)
		}
	}
}
