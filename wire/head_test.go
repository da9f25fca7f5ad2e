package wire

import (
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fixedNow is the clock of the head tests.
var fixedNow = time.Date(2026, 12, 3, 4, 5, 6, 0, time.FixedZone("CET", 3600))

const fixedDate = "Thu, 03 Dec 2026 03:05:06 GMT"

func TestAppendHead(t *testing.T) {
	f, err := os.Open("head_test.go") // any file: only File != nil matters
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	plain := Settings{Now: func() time.Time { return fixedNow }}
	withServer := plain
	withServer.ServerHeader = true
	withServer.Headers = [][2]string{{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "no-store"}}
	for _, c := range []struct {
		id       string
		resp     Response
		meta     Meta
		set      Settings
		want     string // the head after the Date line
		withBody bool
	}{
		{"ok keep-alive", Response{Status: 200, Header: []Field{{"Content-Type", "text/plain"}}, ContentLength: 5},
			Meta{KeepAlive: true}, plain,
			"Content-Type: text/plain\r\nContent-Length: 5\r\n\r\n", true},
		{"close", Response{Status: 404, ContentLength: 3}, Meta{}, plain,
			"Content-Length: 3\r\nConnection: close\r\n\r\n", true},
		{"http/1.0 keep-alive", Response{Status: 200}, Meta{KeepAlive: true, HTTP10: true}, plain,
			"Content-Length: 0\r\nConnection: keep-alive\r\n\r\n", true},
		{"length from segments", Response{Status: 200, Body: []Segment{{Data: []byte("abc")}, {File: f, Off: 10, N: 7}}},
			Meta{KeepAlive: true}, plain, "Content-Length: 10\r\n\r\n", true},
		{"head keeps length", Response{Status: 200, ContentLength: 42}, Meta{KeepAlive: true, Head: true}, plain,
			"Content-Length: 42\r\n\r\n", false},
		{"no body flag", Response{Status: 200, ContentLength: 42, NoBody: true}, Meta{KeepAlive: true}, plain,
			"Content-Length: 42\r\n\r\n", false},
		{"204 no length", Response{Status: 204, Header: []Field{{"Allow", "GET"}}}, Meta{KeepAlive: true}, plain,
			"Allow: GET\r\n\r\n", false},
		{"304 no length", Response{Status: 304, ContentLength: 9, NoBody: true}, Meta{KeepAlive: true}, plain,
			"\r\n", false},
		{"100 interim", Response{Status: 100}, Meta{KeepAlive: true}, plain, "\r\n", false},
		{"server and defaults", Response{Status: 200, Header: []Field{{"cache-control", "max-age=1"}}},
			Meta{KeepAlive: true}, withServer,
			"Server: ferrox\r\ncache-control: max-age=1\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 0\r\n\r\n", true},
		// RFC 9112 §11.1: no field may split the head.
		{"bad fields dropped", Response{Status: 200, Header: []Field{
			{"X-A", "1\r\nSet-Cookie: x=1"}, {"X B", "2"}, {"", "3"}, {"X-C", " padded"}, {"X-D", "nul\x00"}, {"X-E", "ok"},
		}}, Meta{KeepAlive: true}, plain, "X-E: ok\r\nContent-Length: 0\r\n\r\n", true},
	} {
		t.Run(c.id, func(t *testing.T) {
			got, withBody := AppendHead([]byte("prefix|"), &c.resp, c.meta, &c.set)
			code := c.resp.Status
			want := "prefix|HTTP/1.1 " + strconv.Itoa(code) + " " + StatusText(code) + "\r\nDate: " + fixedDate + "\r\n" + c.want
			if d := cmp.Diff(want, string(got)); d != "" {
				t.Errorf("AppendHead(%s) head differs (-want +got):\n%s", c.id, d)
			}
			if withBody != c.withBody {
				t.Errorf("AppendHead(%s) withBody = %v; want %v", c.id, withBody, c.withBody)
			}
		})
	}
}

// TestAppendHeadStatusLine: a code outside 100-999 is sent as 500; a
// code without a phrase keeps the SP after it (RFC 9112 §4).
func TestAppendHeadStatusLine(t *testing.T) {
	set := Settings{Now: func() time.Time { return fixedNow }}
	for _, c := range []struct {
		status int
		want   string
	}{
		{0, "HTTP/1.1 500 Internal Server Error\r\n"},
		{99, "HTTP/1.1 500 Internal Server Error\r\n"},
		{1000, "HTTP/1.1 500 Internal Server Error\r\n"},
		{599, "HTTP/1.1 599 \r\n"},
		{308, "HTTP/1.1 308 Permanent Redirect\r\n"},
	} {
		got, _ := AppendHead(nil, &Response{Status: c.status}, Meta{}, &set)
		if line, _, _ := strings.Cut(string(got), "Date:"); line != c.want {
			t.Errorf("AppendHead(status %d) line = %q; want %q", c.status, line, c.want)
		}
	}
}

// TestDates: the cached Date is an IMF-fixdate in GMT, reused within a
// second and renewed in the next.
func TestDates(t *testing.T) {
	var d Dates
	a := string(d.Append(nil, fixedNow))
	if a != fixedDate {
		t.Errorf("Dates.Append(%v) = %q; want %q", fixedNow, a, fixedDate)
	}
	if p, err := http.ParseTime(a); err != nil || !p.Equal(fixedNow.Truncate(time.Second)) {
		t.Errorf("http.ParseTime(%q) = %v, %v; want %v", a, p, err, fixedNow)
	}
	if b := string(d.Append([]byte("x"), fixedNow.Add(999*time.Millisecond))); b != "x"+fixedDate {
		t.Errorf("Dates.Append in the same second = %q; want %q", b, "x"+fixedDate)
	}
	if c := string(d.Append(nil, fixedNow.Add(time.Second))); c != "Thu, 03 Dec 2026 03:05:07 GMT" {
		t.Errorf("Dates.Append a second later = %q; want 03:05:07", c)
	}
}

// TestAppendHeadAllocs: formatting a head into a buffer with room
// allocates nothing (the engine's keep-alive path).
func TestAppendHeadAllocs(t *testing.T) {
	var d Dates
	set := Settings{ServerHeader: true, Headers: [][2]string{{"X-Content-Type-Options", "nosniff"}}, Dates: &d}
	resp := &Response{Status: 200, Header: []Field{{"Content-Type", "text/html"}, {"ETag", `"1-2"`}}, ContentLength: 1024}
	buf := make([]byte, 0, 1024)
	if a := testing.AllocsPerRun(100, func() {
		AppendHead(buf[:0], resp, Meta{KeepAlive: true}, &set)
	}); a != 0 {
		t.Errorf("AppendHead: %v allocs; want 0", a)
	}
}

// TestAppendCanned: the responses no handler builds carry Date, the
// configured fields and the framing of any other head.
func TestAppendCanned(t *testing.T) {
	set := Settings{ServerHeader: true, Headers: [][2]string{{"X-Test", "1"}}, Now: func() time.Time { return fixedNow }}
	head := "Date: " + fixedDate + "\r\nServer: ferrox\r\n"
	for _, c := range []struct {
		id     string
		status int
		ct     string
		body   string
		meta   Meta
		want   string
	}{
		{"continue", 100, "", "", Meta{KeepAlive: true},
			"HTTP/1.1 100 Continue\r\n" + head + "X-Test: 1\r\n\r\n"},
		{"overload", 503, "", "", Meta{},
			"HTTP/1.1 503 Service Unavailable\r\n" + head + "X-Test: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"},
		{"plain on tls", 400, "text/plain; charset=utf-8", "use https\n", Meta{},
			"HTTP/1.1 400 Bad Request\r\n" + head + "Content-Type: text/plain; charset=utf-8\r\nX-Test: 1\r\nContent-Length: 10\r\nConnection: close\r\n\r\nuse https\n"},
	} {
		got := string(AppendCanned(nil, c.status, c.ct, c.body, c.meta, &set))
		if d := cmp.Diff(c.want, got); d != "" {
			t.Errorf("AppendCanned(%s) differs (-want +got):\n%s", c.id, d)
		}
	}
}
