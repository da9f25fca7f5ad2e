package reports

import (
	"bytes"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
)

// The printf format of the one-liner reproduces every byte value exactly
// when bash runs it.
func TestPrintfQuoteBash(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash on this system")
	}
	var all []byte
	for i := 0; i < 256; i++ {
		all = append(all, byte(i), 'a', 'F', '%', '\\', '\'')
	}
	out, err := exec.Command(bash, "-c", "printf '"+printfQuote(all)+"'").Output()
	if err != nil {
		t.Fatalf("bash printf: %v", err)
	}
	if !bytes.Equal(out, all) {
		t.Errorf("bash printf gave %d bytes, first difference at %d; want the %d bytes back", len(out), firstDiff(out, all), len(all))
	}
}

func firstDiff(a, b []byte) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// The one-liner sends the replay's bytes to the target over bash's
// /dev/tcp and prints the answer.
func TestRawOneLinerRuns(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash on this system")
	}
	if _, err := exec.LookPath("timeout"); err != nil {
		t.Skip("no timeout(1) on this system")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	sent := []byte("GET /a%20b HTTP/1.1\r\nHost: 'x'\\\r\nX: \x00\xff\r\n\r\n")
	got := make(chan []byte, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- nil
			return
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(5 * time.Second))
		b := make([]byte, len(sent))
		_, _ = io.ReadFull(c, b)
		got <- b
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	}()
	run := &conformance.Run{Target: ln.Addr().String()}
	r := &conformance.Result{Case: corpus.Case{ID: "x"}, Observed: conformance.Observed{Sent: sent}}
	line := rawOneLiner(run, r)
	out, err := exec.Command(bash, "-c", line).Output()
	if err != nil && !strings.Contains(string(out), "200 OK") {
		t.Fatalf("%s: %v (output %q)", line, err, out)
	}
	if b := <-got; !bytes.Equal(b, sent) {
		t.Errorf("the server received %q; want %q", b, sent)
	}
	if !strings.Contains(string(out), "HTTP/1.1 200 OK") {
		t.Errorf("output %q; want the answer", out)
	}
	if cmd := reproCommand(run, r); cmd != "ferrox conform --target "+run.Target+" --cases x -v" {
		t.Errorf("reproCommand = %q", cmd)
	}
}
