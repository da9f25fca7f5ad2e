//go:build unix

package main

// Fault tests of the server's lifecycle with the real binary, built once
// per test run: double signals, SIGQUIT, and reloads (SIGHUP) that keep
// or change listeners and settings. Unix only (signals).

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

func TestMain(m *testing.M) {
	// A load run in these tests starts its slow-connection worker from
	// this binary (os.Executable): serve it as ferrox would.
	if len(os.Args) > 1 && os.Args[1] == slowWorkerCommand {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// ferroxBinary builds cmd/ferrox once per test run.
func ferroxBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "ferrox-fault-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "ferrox")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// proc is a running `ferrox serve`.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan struct{}
	code   int
}

var bannerRe = regexp.MustCompile(`serving \S+ on (https?)://(\S+)`)

// startServe runs the binary with args and waits for its banner.
func startServe(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(ferroxBinary(t), append([]string{"serve"}, args...)...)
	p.cmd.Stdout = io.Discard
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("ferrox stderr:\n%s", p.stderr.String())
		}
	})
	p.waitLog(bannerRe.String())
	return p
}

// waitLog waits (at most 20 s) until stderr matches re and returns the
// first match's submatches.
func (p *proc) waitLog(re string) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := rx.FindStringSubmatch(p.stderr.String()); m != nil {
			return m
		}
		select {
		case <-p.exited:
			if m := rx.FindStringSubmatch(p.stderr.String()); m != nil {
				return m
			}
			p.t.Fatalf("ferrox exited (%d) before logging %q", p.code, re)
		case <-time.After(10 * time.Millisecond): // polling a log, not settling
		}
	}
	p.t.Fatalf("ferrox did not log %q within 20s", re)
	return nil
}

func (p *proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("signal %v: %v", sig, err)
	}
}

// wait waits (at most 20 s) for the exit and returns the exit code.
func (p *proc) wait() int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.code
	case <-time.After(20 * time.Second):
		p.t.Fatalf("ferrox still running 20s after the signal")
		return -1
	}
}

// faultSite makes a served directory with a small file and a big sparse
// one (big enough that a client that stops reading keeps its response in
// flight).
// faultServer is a `ferrox serve` of faultSite on port, configured by
// the file cfg (writeConfig, generation "a").
type faultServer struct {
	*proc
	root, cfg, addr string
	port            int
}

// serveFault starts a faultServer.
func serveFault(t *testing.T) *faultServer {
	t.Helper()
	f := &faultServer{root: faultSite(t), cfg: filepath.Join(t.TempDir(), "ferrox.yml"), port: freePort(t)}
	f.addr = fmt.Sprintf("127.0.0.1:%d", f.port)
	writeConfig(t, f.cfg, f.root, f.port, "a", "")
	f.proc = startServe(t, "--config", f.cfg)
	return f
}

func faultSite(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.txt"), []byte("alpha\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(root, "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(bigSize); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return root
}

const bigSize = 64 << 20

// writeConfig writes a config file serving root on 127.0.0.1:port with
// the header X-Gen: gen and any extra YAML.
func writeConfig(t *testing.T, file, root string, port int, gen, extra string) {
	t.Helper()
	body := fmt.Sprintf("paths:\n  serve_dir: %s\nserver:\n  addr: 127.0.0.1\n  port: %d\ntimeouts:\n  shutdown_grace: 60s\nheaders:\n  X-Gen: %s\n%s", root, port, gen, extra)
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// inflight starts a GET of big.bin on addr, reads its head, and leaves
// the body unread: the response stays in flight.
func inflight(t *testing.T, addr string) (net.Conn, *bufio.Reader, *http.Response) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(60 * time.Second))
	if _, err := io.WriteString(c, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReaderSize(c, 4096)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("in-flight GET: %v", err)
	}
	return c, br, resp
}

// TestFaultServeDoubleSignal: a second SIGTERM/SIGINT during the grace
// stops the server at once, cutting the in-flight response, and says how
// many connections it cut; SIGQUIT first, then SIGTERM, too.
func TestFaultServeDoubleSignal(t *testing.T) {
	cases := []struct {
		name          string
		first, second syscall.Signal
	}{
		{"term-term", syscall.SIGTERM, syscall.SIGTERM},
		{"int-int", syscall.SIGINT, syscall.SIGINT},
		{"term-int", syscall.SIGTERM, syscall.SIGINT},
		{"quit-term", syscall.SIGQUIT, syscall.SIGTERM},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := serveFault(t)
			conn, br, _ := inflight(t, p.addr)
			p.signal(c.first)
			p.waitLog(`msg="shutting down"`)
			p.signal(c.second)
			if code := p.wait(); code != 0 {
				t.Errorf("exit code %d; want 0", code)
			}
			p.waitLog(`shutdown forced by second signal: 1 connections cut`)
			// The response was cut: the body ends short.
			n, _ := io.Copy(io.Discard, br)
			conn.Close()
			if n >= bigSize {
				t.Errorf("in-flight body: %d bytes; want it cut short of %d", n, bigSize)
			}
		})
	}
}

// TestFaultServeQuitGracefulOnly: SIGQUIT shuts down gracefully and a
// second SIGQUIT does not force it: the in-flight response completes, and
// the server exits 0 after it.
func TestFaultServeQuitGracefulOnly(t *testing.T) {
	p := serveFault(t)
	_, br, resp := inflight(t, p.addr)
	p.signal(syscall.SIGQUIT)
	p.waitLog(`msg="shutting down" signal=quit`)
	p.signal(syscall.SIGQUIT)
	p.waitLog(`already shutting down gracefully`)
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || n != bigSize {
		t.Fatalf("in-flight body after two SIGQUITs: %d bytes, %v; want all %d", n, err, bigSize)
	}
	_ = br
	if code := p.wait(); code != 0 {
		t.Errorf("exit code %d; want 0", code)
	}
	if strings.Contains(p.stderr.String(), "forced") {
		t.Errorf("SIGQUIT forced the shutdown: %s", p.stderr.String())
	}
}

// TestFaultReloadInvalidKeepsRunning: a SIGHUP with an invalid file logs
// every problem with file:line:col and keeps serving the running
// configuration.
func TestFaultReloadInvalidKeepsRunning(t *testing.T) {
	p := serveFault(t)
	writeConfig(t, p.cfg, p.root, p.port, "b", "limits:\n  max_body_bytes: lots\nfiles:\n  spa_fallback: /etc/hostname\n")
	p.signal(syscall.SIGHUP)
	for _, want := range []string{
		regexp.QuoteMeta(p.cfg) + `:11:19: limits.max_body_bytes: want a whole number of bytes`,
		regexp.QuoteMeta(p.cfg) + `:13:3: files.spa_fallback: \\"/etc/hostname\\" must be a relative path`,
	} {
		p.waitLog(`level=ERROR msg="reload failed; keeping the running configuration" err="` + want)
	}
	resp, body, err := get(p.addr, "/a.txt")
	if err != nil || resp.StatusCode != 200 || body != "alpha\n" || resp.Header.Get("X-Gen") != "a" {
		t.Fatalf("GET after a failed reload: %v %v %q; want 200 alpha with X-Gen a", err, resp, body)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit code %d; want 0", code)
	}
}

// TestFaultReloadKeepsSockets: reloads that change settings but not the
// address keep the listening socket: a client connecting continuously
// (over plain HTTP, or HTTPS, where a handshake may be under way at the
// hand-over) across three reloads is never refused nor reset, and sees
// each new setting in turn.
func TestFaultReloadKeepsSockets(t *testing.T) {
	certPath, keyPath := devPair(t)
	pem, err := os.ReadFile(certPath)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	for _, tlsOn := range []bool{false, true} {
		name := map[bool]string{false: "http", true: "https"}[tlsOn]
		t.Run(name, func(t *testing.T) {
			root := faultSite(t)
			cfg := filepath.Join(t.TempDir(), "ferrox.yml")
			port, plainPort := freePort(t), freePort(t)
			addr := fmt.Sprintf("127.0.0.1:%d", port)
			write := func(gen string) {
				if !tlsOn {
					writeConfig(t, cfg, root, port, gen, "")
					return
				}
				writeConfig(t, cfg, root, plainPort, gen, fmt.Sprintf("tls:\n  enabled: true\n  cert_path: %s\n  key_path: %s\n", certPath, keyPath))
				b, _ := os.ReadFile(cfg)
				os.WriteFile(cfg, []byte(strings.Replace(string(b), "server:\n", fmt.Sprintf("server:\n  https_port: %d\n", port), 1)), 0o644)
			}
			fetch := func() (*http.Response, string, error) {
				if !tlsOn {
					return get(addr, "/a.txt")
				}
				return getTLS(addr, pool)
			}
			write("g0")
			p := startServe(t, "--config", cfg)

			var gens []string
			reloads := 0
			// Bounded: at most 2000 requests or 60 s. A reload every 100
			// requests, each once the previous one is done.
			deadline := time.Now().Add(60 * time.Second)
			for i := 0; i < 2000 && time.Now().Before(deadline); i++ {
				if i%100 == 20 && reloads < 3 && strings.Count(p.stderr.String(), "configuration reloaded") == reloads {
					reloads++
					write(fmt.Sprintf("g%d", reloads))
					p.signal(syscall.SIGHUP)
				}
				resp, body, err := fetch()
				if err != nil {
					t.Fatalf("request %d (%d reloads sent): %v", i, reloads, err)
				}
				if resp.StatusCode != 200 || body != "alpha\n" {
					t.Fatalf("request %d: %d %q; want 200 alpha", i, resp.StatusCode, body)
				}
				g := resp.Header.Get("X-Gen")
				if len(gens) == 0 || gens[len(gens)-1] != g {
					gens = append(gens, g)
				}
				if g == "g3" && i%100 == 99 {
					break // well past the last switch
				}
			}
			if got := strings.Join(gens, ","); got != "g0,g1,g2,g3" {
				t.Errorf("X-Gen sequence %s; want g0,g1,g2,g3", got)
			}
			p.signal(syscall.SIGTERM)
			if code := p.wait(); code != 0 {
				t.Errorf("exit code %d; want 0", code)
			}
		})
	}
}

// getTLS is get over HTTPS, trusting pool.
func getTLS(addr string, pool *x509.CertPool) (*http.Response, string, error) {
	d := &net.Dialer{Timeout: 5 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		return nil, "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(c, "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"); err != nil {
		return nil, "", err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

// TestFaultReloadListeners: a reload opens added listeners, closes
// removed ones, and keeps unchanged ones: plain on A → HTTPS on C with A
// redirecting → plain on B only.
func TestFaultReloadListeners(t *testing.T) {
	root := faultSite(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "ferrox.yml")
	certPath, keyPath := devPair(t)
	portA, portB, portC := freePort(t), freePort(t), freePort(t)
	addrA, addrB, addrC := fmt.Sprintf("127.0.0.1:%d", portA), fmt.Sprintf("127.0.0.1:%d", portB), fmt.Sprintf("127.0.0.1:%d", portC)
	writeConfig(t, cfg, root, portA, "a", "")
	p := startServe(t, "--config", cfg)
	if resp, _, err := get(addrA, "/a.txt"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET on A: %v %v", resp, err)
	}

	writeConfig(t, cfg, root, portA, "b", fmt.Sprintf("tls:\n  enabled: true\n  cert_path: %s\n  key_path: %s\n", certPath, keyPath)+
		"" /* https_port below */)
	// server.https_port goes in the server section.
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(b), "  port: "+strconv.Itoa(portA)+"\n", fmt.Sprintf("  port: %d\n  https_port: %d\n", portA, portC), 1)), 0o644)
	p.signal(syscall.SIGHUP)
	p.waitLog(`configuration reloaded.*https://` + regexp.QuoteMeta(addrC))
	if resp, _, err := get(addrA, "/a.txt"); err != nil || resp.StatusCode != 301 {
		t.Errorf("GET on A after enabling TLS: %v %v; want a 301 to HTTPS", resp, err)
	}
	if c, err := net.Dial("tcp", addrC); err != nil {
		t.Errorf("HTTPS address C not listening after reload: %v", err)
	} else {
		c.Close()
	}

	writeConfig(t, cfg, root, portB, "c", "")
	p.signal(syscall.SIGHUP)
	p.waitLog(`configuration reloaded.*http://` + regexp.QuoteMeta(addrB))
	if resp, _, err := get(addrB, "/a.txt"); err != nil || resp.StatusCode != 200 || resp.Header.Get("X-Gen") != "c" {
		t.Errorf("GET on B: %v %v; want 200 with X-Gen c", resp, err)
	}
	// The old site closes its listeners when it has drained; it has no
	// connections, so that is prompt. Bounded wait for the refusal.
	for _, a := range []string{addrA, addrC} {
		var err error
		for i := 0; i < 200; i++ {
			var c net.Conn
			if c, err = net.Dial("tcp", a); err != nil {
				break
			}
			c.Close()
			time.Sleep(10 * time.Millisecond) // the old site drains asynchronously
		}
		if err == nil {
			t.Errorf("%s still accepts connections after it was removed", a)
		}
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit code %d; want 0", code)
	}
}

// TestFaultReloadOldConnections: across a reload, an in-flight response
// finishes under the settings it started with, an idle keep-alive
// connection of the old site is closed (never answered with the new
// settings), and new connections get the new settings.
func TestFaultReloadOldConnections(t *testing.T) {
	p := serveFault(t)

	_, _, flying := inflight(t, p.addr)
	idle, err := net.Dial("tcp", p.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	idle.SetDeadline(time.Now().Add(30 * time.Second))
	ibr := bufio.NewReader(idle)
	io.WriteString(idle, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(ibr, nil)
	if err != nil || resp.Header.Get("X-Gen") != "a" {
		t.Fatalf("keep-alive GET before reload: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)

	writeConfig(t, p.cfg, p.root, p.port, "b", "")
	p.signal(syscall.SIGHUP)
	p.waitLog(`configuration reloaded`)

	if resp, _, err := get(p.addr, "/a.txt"); err != nil || resp.Header.Get("X-Gen") != "b" {
		t.Errorf("new connection after reload: %v %v; want X-Gen b", resp, err)
	}
	// The idle connection is closed by the old site.
	if n, err := ibr.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("idle keep-alive connection after reload: read %d, %v; want EOF", n, err)
	}
	// The in-flight response completes, under the old settings.
	if flying.Header.Get("X-Gen") != "a" {
		t.Errorf("in-flight X-Gen %q; want a", flying.Header.Get("X-Gen"))
	}
	if n, err := io.Copy(io.Discard, flying.Body); err != nil || n != bigSize {
		t.Errorf("in-flight body across reload: %d bytes, %v; want all %d", n, err, bigSize)
	}
	p.signal(syscall.SIGTERM)
	if code := p.wait(); code != 0 {
		t.Errorf("exit code %d; want 0", code)
	}
}
