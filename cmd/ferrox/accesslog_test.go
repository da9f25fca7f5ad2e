//go:build unix

package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildFerrox builds this command into a temporary directory and returns
// the binary's path: signal tests need a process of their own.
func buildFerrox(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "ferrox")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestServeSIGTERMKeepsAccessLines: `ferrox serve` (the real binary) with
// an access log file and a flush interval far longer than the test
// answers N requests, gets SIGTERM and exits 0; the file then holds
// exactly N lines, so the lines still in memory were written at
// shutdown.
func TestServeSIGTERMKeepsAccessLines(t *testing.T) {
	bin := buildFerrox(t)
	root, logDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("alpha\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(t.TempDir(), "ferrox.yml")
	body := fmt.Sprintf("paths:\n  serve_dir: %s\n  log_dir: %s\nlogs:\n  flush_interval: 1m\n  access_format: combined_time\n", root, logDir)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// A free port (--listen needs a real one).
	listen := freeAddr(t)
	cmd := exec.CommandContext(ctx, bin, "serve", "--config", conf, "--listen", listen)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill() // no-op once it has exited
	var rest bytes.Buffer
	drained := make(chan struct{})
	sc := bufio.NewScanner(stderr)
	addr := ""
	for sc.Scan() {
		if _, a, ok := strings.Cut(sc.Text(), " on http://"); ok {
			addr = a
			break
		}
		rest.WriteString(sc.Text() + "\n")
	}
	go func() {
		io.Copy(&rest, stderr)
		close(drained)
	}()
	if addr == "" {
		<-drained
		cmd.Wait()
		t.Fatalf("no banner on stderr: %q", rest.String())
	}

	const n = 300
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	defer client.CloseIdleConnections()
	for i := range n {
		resp, err := client.Get(fmt.Sprintf("http://%s/a.txt?i=%d", addr, i))
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-drained
	err = cmd.Wait()
	if err != nil {
		t.Fatalf("serve after SIGTERM: %v; stderr:\n%s", err, rest.String())
	}
	b, err := os.ReadFile(filepath.Join(logDir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(got) != n {
		t.Fatalf("access.log has %d lines; want %d (one per request before SIGTERM)", len(got), n)
	}
	for i, line := range got {
		if want := fmt.Sprintf("/a.txt?i=%d ", i); !strings.Contains(line, want) {
			t.Fatalf("line %d = %q; want the request %q", i, line, want)
		}
	}
}

// TestAccessLogFormatConfigErrors: an unknown variable in
// logs.access_log_format is a config error at its column, exit 2, from
// check-config and from serve alike.
func TestAccessLogFormatConfigErrors(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.yml")
	body := "paths:\n  serve_dir: " + t.TempDir() + "\nlogs:\n  access_log_format: '$remote_addr \"$request\" $upstream_time'\n"
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	want := p + ":4:47: logs.access_log_format: unknown variable $upstream_time (known: "
	for _, args := range [][]string{{"check-config", p}, {"serve", "--config", p}} {
		var stdout, stderr bytes.Buffer
		code := run(args, &stdout, &stderr)
		if code != 2 || !strings.HasPrefix(stderr.String(), want) {
			t.Errorf("%v = %d, stderr %q; want 2 and %q...", args, code, stderr.String(), want)
		}
	}
}
