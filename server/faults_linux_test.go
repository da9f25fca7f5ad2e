//go:build linux

package server

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// TestFaultDescriptorExhaustion: with every descriptor in use (a child
// process lowers RLIMIT_NOFILE to 64 and fills the table), a request for a
// file gets a 500, and the error log says why: "too many open files".
// The test binary re-executes itself as the child.
func TestFaultDescriptorExhaustion(t *testing.T) {
	needLinux(t)
	if os.Getenv("FERROX_FAULT_CHILD") == "emfile" {
		emfileChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFaultDescriptorExhaustion$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), "FERROX_FAULT_CHILD=emfile")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("--- PASS: TestFaultDescriptorExhaustion")) {
		t.Fatalf("child did not pass:\n%s", out)
	}
}

func emfileChild(t *testing.T) {
	lim := syscall.Rlimit{Cur: 64, Max: 64}
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatalf("setrlimit: %v", err)
	}
	var log logBuffer
	e := serveEnv(t, testSettings(), testSite(t), Options{ErrorLog: log.logger()})
	c := e.dial(t)
	c.send(get("/a.txt"))
	if resp, _ := c.read("GET"); resp.StatusCode != 200 {
		t.Fatalf("before exhaustion: status %d; want 200", resp.StatusCode)
	}
	// Fill the descriptor table.
	var held []*os.File
	for {
		f, err := os.Open(os.DevNull)
		if err != nil {
			if !errors.Is(err, syscall.EMFILE) {
				t.Fatalf("open: %v; want EMFILE at the limit", err)
			}
			break
		}
		held = append(held, f)
	}
	c.send(get("/b.txt")) // not in the open-file cache: needs a descriptor
	resp, _ := c.read("GET")
	for _, f := range held {
		f.Close()
	}
	if resp.StatusCode != 500 {
		t.Fatalf("with no descriptor left: status %d; want 500", resp.StatusCode)
	}
	if l := log.lines("level=ERROR", "status=500", "too many open files", "b.txt"); len(l) != 1 {
		t.Fatalf("error lines with status=500, the path and \"too many open files\" = %d; want 1\nlog:\n%s", len(l), log.String())
	}
	if n := e.s.Stats().ServerErrors; n != 1 {
		t.Errorf("Stats().ServerErrors = %d; want 1", n)
	}
}
