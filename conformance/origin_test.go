package conformance

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// originClient is a raw connection to a recording origin.
type originClient struct {
	t  *testing.T
	nc net.Conn
	br *bufio.Reader
}

func dialOrigin(t *testing.T, o *Origin) *originClient {
	t.Helper()
	nc, err := net.DialTimeout("tcp", o.Addr(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	_ = nc.SetDeadline(time.Now().Add(5 * time.Second))
	return &originClient{t: t, nc: nc, br: bufio.NewReader(nc)}
}

func (c *originClient) send(s string) {
	c.t.Helper()
	if _, err := io.WriteString(c.nc, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read reads one response (a 1xx included) answering method.
func (c *originClient) read(method string) (*http.Response, string) {
	c.t.Helper()
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		c.t.Fatalf("reading the origin's response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("reading the origin's response body: %v", err)
	}
	return resp, string(body)
}

// atEOF reports whether the origin closed the connection (after all the
// bytes already read).
func (c *originClient) atEOF() bool {
	_, err := c.br.ReadByte()
	return errors.Is(err, io.EOF)
}

func TestOriginPipelinedInOrder(t *testing.T) {
	o := startOrigin(t)
	c := dialOrigin(t, o)
	c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nHEAD /b HTTP/1.1\r\nHost: x\r\n\r\nPOST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi")
	for i, want := range []struct{ method, tag, body string }{
		{"GET", "c1 r1", "origin c1 r1 GET\n"},
		{"HEAD", "c1 r2", ""},
		{"POST", "c1 r3", "origin c1 r3 POST\n"},
	} {
		resp, body := c.read(want.method)
		if got := resp.Header.Get(OriginHeader); resp.StatusCode != 200 || got != want.tag || body != want.body {
			t.Errorf("response %d = %d, %s %q, body %q; want 200, %q, body %q", i+1, resp.StatusCode, OriginHeader, got, body, want.tag, want.body)
		}
	}
	ups := o.Collect(0, 0)
	if len(ups) != 1 {
		t.Fatalf("Collect = %d upstreams; want 1", len(ups))
	}
	u := ups[0]
	var got []string
	for _, m := range u.Requests {
		got = append(got, m.Tag+" "+m.Method+" "+m.Path+" "+string(m.Body))
	}
	want := []string{"c1 r1 GET /a ", "c1 r2 HEAD /b ", "c1 r3 POST /c hi"}
	if strings.Join(got, "|") != strings.Join(want, "|") || u.Reject != "" || u.Pending != 0 {
		t.Errorf("Collect: requests %q, reject %q, pending %d; want %q, none, 0", got, u.Reject, u.Pending, want)
	}
	if last := u.Requests[len(u.Requests)-1]; last.End != len(u.Raw) {
		t.Errorf("the last request ends at %d; want %d (the whole raw stream)", last.End, len(u.Raw))
	}
}

// RFC 9110 §10.1.1: a request that expects 100-continue gets the interim
// response when its head is complete, before the body is sent.
func TestOriginExpectContinue(t *testing.T) {
	o := startOrigin(t)
	c := dialOrigin(t, o)
	c.send("PUT /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
	if resp, _ := c.read("PUT"); resp.StatusCode != 100 {
		t.Fatalf("first response to a head with Expect: 100-continue = %d; want 100", resp.StatusCode)
	}
	c.send("hello")
	resp, _ := c.read("PUT")
	if resp.StatusCode != 200 || resp.Header.Get(OriginHeader) != "c1 r1" {
		t.Errorf("response after the body = %d %q; want 200 \"c1 r1\"", resp.StatusCode, resp.Header.Get(OriginHeader))
	}
	ups := o.Collect(0, 0)
	if len(ups) != 1 || len(ups[0].Requests) != 1 || string(ups[0].Requests[0].Body) != "hello" {
		t.Errorf("Collect = %+v; want one PUT with body \"hello\"", ups)
	}
}

func TestOriginRejectsAndCloses(t *testing.T) {
	o := startOrigin(t)
	c := dialOrigin(t, o)
	const bad = "GET /b HTTP/1.1\r\nHost : x\r\n\r\n"
	c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n" + bad + "GET /never HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, _ := c.read("GET"); resp.StatusCode != 200 {
		t.Fatalf("response 1 = %d; want 200", resp.StatusCode)
	}
	resp, _ := c.read("GET")
	if resp.StatusCode != 400 || !resp.Close || resp.Header.Get(OriginHeader) != "c1 r2 rejected" {
		t.Errorf("response 2 = %d, close %v, %s %q; want 400, close, \"c1 r2 rejected\"", resp.StatusCode, resp.Close, OriginHeader, resp.Header.Get(OriginHeader))
	}
	if !c.atEOF() {
		t.Errorf("the origin did not close after rejecting")
	}
	ups := o.Collect(0, 0)
	if len(ups) != 1 {
		t.Fatalf("Collect = %d upstreams; want 1", len(ups))
	}
	u := ups[0]
	first := len("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
	if u.Reject != "space_before_colon" || u.RejectStatus != 400 || u.RejectAt != first+strings.Index(bad, " :") || u.Closed != "origin" || len(u.Requests) != 1 {
		t.Errorf("Collect: reject %q %d at %d, closed %q, %d requests; want space_before_colon 400 at %d, origin, 1",
			u.Reject, u.RejectStatus, u.RejectAt, u.Closed, len(u.Requests), first+strings.Index(bad, " :"))
	}
}

// Collect keeps a connection that ended cleanly between two requests open
// for the front end to reuse, and closes one holding a partial message so
// its leftovers cannot reach the next case.
func TestOriginCollectReuseAndDrop(t *testing.T) {
	o := startOrigin(t)
	clean := dialOrigin(t, o)
	clean.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
	clean.read("GET")
	partial := dialOrigin(t, o)
	// A complete request first: once it is answered the origin has read
	// this connection, and the partial head after it is all that remains.
	const head = "GET /p HTTP/1.1\r\nHo"
	partial.send("GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
	partial.read("GET")
	partial.send(head)

	// The partial head reaches the origin's reader asynchronously: the
	// quiet period (not a sleep: Collect returns as soon as the origin has
	// been quiet that long after the last byte) lets it arrive.
	ups := o.Collect(200*time.Millisecond, 5*time.Second)
	if len(ups) != 2 {
		t.Fatalf("Collect = %d upstreams; want 2", len(ups))
	}
	if u := ups[0]; u.Conn != 1 || u.Closed != "" || u.Pending != 0 || len(u.Requests) != 1 {
		t.Errorf("clean connection: conn %d, closed %q, pending %d, %d requests; want 1, open, 0, 1", u.Conn, u.Closed, u.Pending, len(u.Requests))
	}
	if u := ups[1]; u.Conn != 2 || u.Closed != "runner" || u.Pending != len(head) || len(u.Requests) != 1 {
		t.Errorf("partial connection: conn %d, closed %q, pending %d, %d requests; want 2, runner, %d, 1", u.Conn, u.Closed, u.Pending, len(u.Requests), len(head))
	}
	if !partial.atEOF() {
		t.Errorf("Collect left the connection with a partial message open")
	}

	// The clean connection is reused: its numbering goes on, its record
	// starts afresh.
	clean.send("GET /again HTTP/1.1\r\nHost: x\r\n\r\n")
	if resp, _ := clean.read("GET"); resp.Header.Get(OriginHeader) != "c1 r2" {
		t.Errorf("reused connection answered %q; want \"c1 r2\"", resp.Header.Get(OriginHeader))
	}
	ups = o.Collect(0, 0)
	if len(ups) != 1 || len(ups[0].Requests) != 1 || ups[0].Requests[0].Path != "/again" || ups[0].Requests[0].Start != 0 {
		t.Errorf("second Collect = %+v; want connection 1 with GET /again at offset 0", ups)
	}
}
