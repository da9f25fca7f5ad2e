package server

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// readRaw reads one response framed by Content-Length without net/http,
// so the benchmark measures the server rather than the client.
func readRaw(br *bufio.Reader) (status int, body int, err error) {
	cl := -1
	for i := 0; ; i++ {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return 0, 0, err
		}
		if i == 0 {
			if len(line) < 12 {
				return 0, 0, fmt.Errorf("short status line %q", line)
			}
			status, _ = strconv.Atoi(string(line[9:12]))
			continue
		}
		if len(line) <= 2 {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
			cl, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if cl < 0 {
		return status, 0, fmt.Errorf("no Content-Length")
	}
	n, err := br.Discard(cl)
	return status, n, err
}

// BenchmarkKeepAlive1KiB: one keep-alive connection over loopback, GET of
// a 1 KiB file per op. allocs/op counts server and client together (the
// client side allocates nothing per op).
func BenchmarkKeepAlive1KiB(b *testing.B) {
	dir := testSite(b)
	s, h, err := NewStatic(Config{Paths: PathsConfig{ServeDir: dir}}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Shutdown(ctx)
		<-done
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	benchGet1KiB(b, nc)
}

// benchGet1KiB sends keep-alive GETs of /1k.txt on nc in a loop (plain and
// TLS benchmarks share it) and closes nc when done.
func benchGet1KiB(b *testing.B, nc net.Conn) {
	defer nc.Close()
	br := bufio.NewReaderSize(nc, 8192)
	req := []byte(get("/1k.txt", "User-Agent: bench"))
	b.ReportAllocs()
	b.SetBytes(1024)
	for b.Loop() {
		if _, err := nc.Write(req); err != nil {
			b.Fatal(err)
		}
		st, n, err := readRaw(br)
		if err != nil || st != 200 || n != 1024 {
			b.Fatalf("response %d, %d bytes, %v; want 200, 1024", st, n, err)
		}
	}
}

// TestIdleConnRSS measures resident memory per idle keep-alive connection
// of a running `ferrox serve`. It is skipped unless FERROX_RSS_BIN names
// the ferrox binary:
//
//	go build -o /tmp/ferrox ./cmd/ferrox
//	FERROX_RSS_BIN=/tmp/ferrox FERROX_RSS_CONNS=2000 go test ./server -run TestIdleConnRSS -v
func TestIdleConnRSS(t *testing.T) {
	bin := os.Getenv("FERROX_RSS_BIN")
	if bin == "" {
		t.Skip("set FERROX_RSS_BIN to the ferrox binary to measure idle connection memory")
	}
	n := 2000
	if v := os.Getenv("FERROX_RSS_CONNS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := testSite(t)
	cfgFile := writeConfig(t, dir, "paths:\n  serve_dir: SITE\nlimits:\n  max_conns_per_ip: 100000\nlogs:\n  access_log: /dev/null\n")
	cmd := exec.Command(bin, "serve", "--config", cfgFile, "--listen", addr)
	stderr := &bytes.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	var first net.Conn
	for i := 0; i < 100; i++ {
		if first, err = net.Dial("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if first == nil {
		t.Fatalf("server did not come up: %v\n%s", err, stderr)
	}
	first.Close()
	rss := func() int {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
				kb, _ := strconv.Atoi(strings.Fields(v)[0])
				return kb
			}
		}
		t.Fatal("no VmRSS")
		return 0
	}
	// Warm up: one request so code pages and pools are touched.
	warm := func() net.Conn {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(nc, get("/a.txt"))
		if st, _, err := readRaw(bufio.NewReader(nc)); err != nil || st != 200 {
			t.Fatalf("warm-up: %d %v", st, err)
		}
		return nc
	}
	warm().Close()
	runtime.GC()
	before := rss()
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		conns = append(conns, warm())
	}
	time.Sleep(3 * time.Second) // let the server's GC run and stacks shrink
	after := rss()
	t.Logf("VmRSS before %d KiB, after %d idle keep-alive conns %d KiB: %.2f KiB/conn",
		before, n, after, float64(after-before)/float64(n))
}
