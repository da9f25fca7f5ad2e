package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/server/static"
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
	h, err := static.New(testStatic(dir))
	if err != nil {
		b.Fatal(err)
	}
	s := mustNew(b, testSettings(), Options{Handler: h})
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
// of a running `ferrox serve`: n connections each send one request and
// then stay open. With FERROX_RSS_HEAD=1 they instead send part of a head
// and stop (a slowloris), measured before the header timeout. With
// FERROX_RSS_TLS=1 the connections are HTTPS (TLS 1.3, X25519, the same
// ECDSA P-256 certificate for both servers, made by `ferrox cert --dev`),
// each kept after one request. It is
// skipped unless FERROX_RSS_BIN names the ferrox binary. With
// FERROX_RSS_NGINX naming an nginx binary, nginx (one worker, defaults
// otherwise) is measured the same way in the same run, master and worker
// together:
//
//	go build -o /tmp/ferrox ./cmd/ferrox
//	FERROX_RSS_BIN=/tmp/ferrox FERROX_RSS_NGINX=$(command -v nginx) FERROX_RSS_CONNS=10000 go test ./server -run TestIdleConnRSS -v
func TestIdleConnRSS(t *testing.T) {
	bin := os.Getenv("FERROX_RSS_BIN")
	if bin == "" {
		t.Skip("set FERROX_RSS_BIN to the ferrox binary to measure idle connection memory")
	}
	n := 2000
	if v := os.Getenv("FERROX_RSS_CONNS"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	head := os.Getenv("FERROX_RSS_HEAD") == "1"
	useTLS := os.Getenv("FERROX_RSS_TLS") == "1"
	if head && useTLS {
		t.Fatal("FERROX_RSS_HEAD and FERROX_RSS_TLS measure different things; set one")
	}
	// A site both servers can read: nginx's worker runs as nobody.
	dir, err := os.MkdirTemp("", "ferrox-rss-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	site := filepath.Join(dir, "www")
	os.Mkdir(site, 0o755)
	os.WriteFile(filepath.Join(site, "a.txt"), []byte("alpha\n"), 0o644)
	os.Chmod(dir, 0o755)

	addr := freeAddr(t)
	cfgFile := writeConfig(t, site, "paths:\n  serve_dir: SITE\nlimits:\n  max_conns_per_ip: 100000\nlogs:\n  access_log: /dev/null\n")
	args := []string{"serve", "--config", cfgFile, "--listen", addr}
	dial := func(addr string) (net.Conn, error) { return net.Dial("tcp", addr) }
	nginxListen := ""
	if useTLS {
		certDir := filepath.Join(dir, "tls")
		if out, err := exec.Command(bin, "cert", "--dev", certDir).CombinedOutput(); err != nil {
			t.Fatalf("ferrox cert --dev: %v\n%s", err, out)
		}
		os.Chmod(certDir, 0o755)
		filepath.Walk(certDir, func(p string, _ os.FileInfo, _ error) error { return os.Chmod(p, 0o755) })
		cert, key := filepath.Join(certDir, "cert.pem"), filepath.Join(certDir, "key.pem")
		// The plain port only redirects: the connections go to the HTTPS one.
		plain := addr
		addr = freeAddr(t)
		args = []string{"serve", "--config", cfgFile, "--listen", plain, "--https-listen", addr, "--tls-cert", cert, "--tls-key", key}
		cfg := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS13, CurvePreferences: []tls.CurveID{tls.X25519}}
		dial = func(addr string) (net.Conn, error) { return tls.Dial("tcp", addr, cfg) }
		nginxListen = fmt.Sprintf(" ssl; ssl_protocols TLSv1.2 TLSv1.3; ssl_certificate %s; ssl_certificate_key %s", cert, key)
	}
	perConn := idleRSS(t, "ferrox", exec.Command(bin, args...), addr, dial, n, head)

	if nginx := os.Getenv("FERROX_RSS_NGINX"); nginx != "" {
		addr := freeAddr(t)
		conf := filepath.Join(dir, "nginx.conf")
		os.WriteFile(conf, []byte(fmt.Sprintf(`worker_processes 1;
worker_rlimit_nofile 65536;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 60000; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    server { listen %[2]s%[4]s; root %[3]s; }
}
`, dir, addr, site, nginxListen)), 0o644)
		ng := idleRSS(t, "nginx", exec.Command(nginx, "-c", conf, "-g", "daemon off;"), addr, dial, n, head)
		t.Logf("ferrox/nginx per connection: %.1f×", perConn/ng)
	}
}

// idleRSS starts cmd (a server listening on addr), opens n keep-alive
// connections that each get one response (or, with head, that each send
// part of a head), and returns the growth of the VmRSS of cmd's process
// and its children, in KiB per connection.
func idleRSS(t *testing.T, name string, cmd *exec.Cmd, addr string, dial func(string) (net.Conn, error), n int, head bool) float64 {
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
	var err error
	for i := 0; i < 100; i++ {
		if first, err = net.Dial("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if first == nil {
		t.Fatalf("%s did not come up: %v\n%s", name, err, stderr)
	}
	first.Close()
	rss := func() int {
		pids := []int{cmd.Process.Pid}
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", cmd.Process.Pid, cmd.Process.Pid)); err == nil {
			for _, f := range strings.Fields(string(b)) {
				p, _ := strconv.Atoi(f)
				pids = append(pids, p)
			}
		}
		total := 0
		for _, pid := range pids {
			b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
					kb, _ := strconv.Atoi(strings.Fields(v)[0])
					total += kb
				}
			}
		}
		return total
	}
	// Warm up: one request so code pages and pools are touched.
	warm := func() net.Conn {
		nc, err := dial(addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(nc, get("/a.txt"))
		if st, _, err := readRaw(bufio.NewReader(nc)); err != nil || st != 200 {
			t.Fatalf("%s warm-up: %d %v", name, st, err)
		}
		return nc
	}
	w := warm()
	_, isTLS := w.(*tls.Conn)
	w.Close()
	before := rss()
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	what := "idle keep-alive"
	if isTLS {
		what = "idle HTTPS keep-alive"
	}
	for range n {
		if !head {
			conns = append(conns, warm())
			continue
		}
		what = "slow-head"
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, nc)
		io.WriteString(nc, "GET /a.txt HTTP/1.1\r\nHost: t\r\nX-Slow: 1\r\n")
	}
	time.Sleep(3 * time.Second) // let the server's GC run and stacks shrink
	after := rss()
	per := float64(after-before) / float64(n)
	t.Logf("%s: VmRSS before %d KiB, after %d %s conns %d KiB: %.2f KiB/conn",
		name, before, n, what, after, per)
	return per
}
