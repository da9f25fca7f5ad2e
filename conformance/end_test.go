package conformance

import (
	"bufio"
	"context"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"

	"github.com/ferrox/ferrox/corpus"
)

// endServer reads one request head, answers 400 and then ends the
// connection the given way.
func endServer(how End) func(net.Conn) {
	return func(c net.Conn) {
		br := bufio.NewReader(c)
		for range 100 {
			l, err := br.ReadString('\n')
			if err != nil || l == "\r\n" {
				break
			}
		}
		io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
		switch how {
		case EndFIN:
			c.Close()
		case EndRST:
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		case EndOpen:
			// Hold the connection until the client gives up.
			io.Copy(io.Discard, br)
		}
	}
}

func TestEndFINvsRSTvsTimeout(t *testing.T) {
	c := corpus.Case{ID: "end", Level: corpus.MUST, Mode: corpus.SendWhole,
		Expect: []corpus.Outcome{{Status: "400", Close: true}},
		Raw:    []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")}
	tests := []struct {
		how     End
		verdict Verdict
	}{
		{EndFIN, Pass},
		{EndRST, Pass},
		{EndOpen, Fail},
	}
	for _, tc := range tests {
		t.Run(string(tc.how), func(t *testing.T) {
			addr := serve(t, endServer(tc.how))
			run, err := RunCases(context.Background(), testConfig(addr), []corpus.Case{c})
			if err != nil {
				t.Fatal(err)
			}
			r := run.Results[0]
			if r.Observed.End != tc.how {
				t.Errorf("End = %s; want %s (note %q)", r.Observed.End, tc.how, r.Observed.Note)
			}
			if r.Verdict != tc.verdict {
				t.Errorf("verdict = %s (%s); want %s", r.Verdict, r.Reason, tc.verdict)
			}
			if tc.how == EndOpen && !strings.Contains(r.Reason, "connection stayed open") {
				t.Errorf("reason = %q; want it to say the connection stayed open", r.Reason)
			}
			if len(r.Observed.Responses) != 1 || r.Observed.Responses[0].Status != 400 {
				t.Errorf("responses = %+v; want one 400", r.Observed.Responses)
			}
			if string(r.Observed.Sent) != string(c.Raw) || !strings.HasPrefix(string(r.Observed.Received), "HTTP/1.1 400") {
				t.Errorf("raw bytes not recorded: sent %q received %q", r.Observed.Sent, r.Observed.Received)
			}
		})
	}
}

// The runner must be able to grade any server, so it never depends on
// Ferrox's server. It may use the parser, but only as the reference reading
// of bytes (what a client meant, what a front end forwarded); responses are
// read by the runner's own framer (frame.go).
func TestNoServerDependency(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	out, err := exec.Command(gobin, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep == "github.com/ferrox/ferrox/server" || strings.HasPrefix(dep, "github.com/ferrox/ferrox/server/") {
			t.Errorf("conformance depends on %s; it must grade servers black-box", dep)
		}
	}
}
