package server

import (
	"bytes"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/wire"
)

// lastRecorder is a socket that records which write each call was: the
// plain one (Write) or the last of the connection (writeLast).
type lastRecorder struct {
	net.Conn // nil: only the methods below are called
	calls    []string
	out      bytes.Buffer
}

func (r *lastRecorder) Write(b []byte) (int, error) {
	r.calls = append(r.calls, "Write")
	return r.out.Write(b)
}

func (r *lastRecorder) writeLast(b []byte) (int, error) {
	r.calls = append(r.calls, "writeLast")
	return r.out.Write(b)
}

func (r *lastRecorder) SetWriteDeadline(time.Time) error { return nil }

// TestWriteLast: a response after which the connection ends leaves in
// the connection's last write (writeLast: on Linux its FIN goes with it),
// and one on a connection that stays does not, or its last segment would
// wait for a FIN that never comes; canned answers (503, plain HTTP on the
// HTTPS port) are always the last.
func TestWriteLast(t *testing.T) {
	s := mustNew(t, testSettings(), Options{})
	cases := []struct {
		id   string
		meta wire.Meta
		body string
		want string
	}{
		{"keep-alive", wire.Meta{KeepAlive: true}, "hello", "Write"},
		{"keep-alive without body", wire.Meta{KeepAlive: true, Head: true}, "hello", "Write"},
		{"close", wire.Meta{}, "hello", "writeLast"},
		{"close without body", wire.Meta{Head: true}, "hello", "writeLast"},
		{"close, empty", wire.Meta{}, "", "writeLast"},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			rec := &lastRecorder{}
			c := &conn{srv: s, nc: rec}
			var resp wire.Response
			resp.Status = 200
			resp.SetData([]byte(tc.body))
			resp.ContentLength = int64(len(tc.body))
			if _, err := c.writeResponse(&resp, tc.meta); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(rec.calls, ","); got != tc.want {
				t.Fatalf("writeResponse(%+v) wrote with %s; want %s", tc.meta, got, tc.want)
			}
			if !strings.HasPrefix(rec.out.String(), "HTTP/1.1 200 OK\r\n") {
				t.Fatalf("wrote %q", rec.out.String())
			}
		})
	}
	rec := &lastRecorder{}
	if err := s.overloadResponse(rec); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rec.calls, ","); got != "writeLast" {
		t.Fatalf("overloadResponse wrote with %s; want writeLast", got)
	}
}
