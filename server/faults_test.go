package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// Fault tests (issue 18): the server under the faults an operator meets.
// `make faults` runs them all (go test -run '^TestFault' ./...). Those
// that need Linux skip elsewhere with a message.

// logBuffer is a goroutine-safe log sink for the server's error log.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// lines returns the log lines that contain every one of parts.
func (l *logBuffer) lines(parts ...string) []string {
	var out []string
	for line := range strings.SplitSeq(l.String(), "\n") {
		ok := line != ""
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			out = append(out, line)
		}
	}
	return out
}

func needLinux(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skipf("fault test needs Linux (loopback TCP half-close, sendfile, RLIMIT_NOFILE); GOOS=%s", runtime.GOOS)
	}
}

// TestFaultSlowBody: a body sent at 110 B/s, just above the rate floor
// (1 KiB per 10 s), can no longer hold a connection for hours: a body the
// answer needs in full (a GET) is cut with 408 at bodyTime; a body the
// server refuses (a POST) gets its 405 at once, and the connection ends
// at bodyTime when the rest is small enough to drain (kept alive), or
// right after the answer when it is not (Connection: close). Fake time
// (synctest): the bounds are the real defaults.
func TestFaultSlowBody(t *testing.T) {
	dir := testSite(t)
	for _, tc := range []struct {
		id, head   string
		status     int
		close      bool          // the answer says Connection: close
		answeredBy time.Duration // the answer arrives by then
		endedBy    time.Duration // the connection is closed by then
	}{
		{"get-needs-body-408", "GET /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n", 408, true, bodyTime, bodyTime + lingerTimeout},
		{"post-small-rest-drained", "POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 60000\r\n\r\n", 405, false, 0, bodyTime},
		{"post-large-rest-closed", "POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n", 405, true, 0, lingerTimeout},
		{"expect-post-closed", "POST /a.txt HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 60000\r\n\r\n", 405, true, 0, lingerTimeout},
	} {
		t.Run(tc.id, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				_, open := pipeServer(t, dir, nil)
				cli, done := open()
				start := time.Now()
				stop, wrote := make(chan struct{}), make(chan struct{})
				go func() {
					defer close(wrote)
					if _, err := io.WriteString(cli, tc.head); err != nil {
						return
					}
					for {
						// 110 bytes a second: 1100 per 10 s window, just
						// above the 1024-byte floor.
						if _, err := cli.Write(bytes.Repeat([]byte{'x'}, 110)); err != nil {
							return
						}
						select {
						case <-stop:
							return
						case <-time.After(time.Second):
						}
					}
				}()
				resp, err := http.ReadResponse(bufio.NewReader(cli), nil)
				if err != nil {
					t.Fatalf("ReadResponse: %v", err)
				}
				answered := time.Since(start)
				if resp.StatusCode != tc.status || resp.Close != tc.close {
					t.Errorf("answer %d close %v; want %d close %v", resp.StatusCode, resp.Close, tc.status, tc.close)
				}
				if answered > tc.answeredBy {
					t.Errorf("answer after %v; want by %v", answered, tc.answeredBy)
				}
				<-done
				if ended := time.Since(start); ended > tc.endedBy {
					t.Errorf("connection held %v by a slow body; want at most %v", ended, tc.endedBy)
				}
				close(stop)
				cli.Close()
				<-wrote
			})
		})
	}
}

// TestFaultConnLimitRefusal: a connection refused by a limit (the total
// or the per-IP one), with its request already sent, reads the whole 503
// and then a FIN (EOF), not a reset; the refusal is counted and logged in
// one summary line. Beyond the bound on lingering refused connections
// (here 0) the connection is closed at once and counted as linger_full.
func TestFaultConnLimitRefusal(t *testing.T) {
	needLinux(t)
	for _, tc := range []struct {
		id       string
		mod      func(*Settings)
		linger   int // maxRefusedLinger
		kind     Refusal
		logged   string
		graceful bool
	}{
		{"per-ip", func(s *Settings) { s.MaxConnsPerIP = 1 }, maxRefusedLinger, RefusedPerIP, "per-IP limit 1", true},
		{"total", func(s *Settings) { s.MaxConns = 1 }, maxRefusedLinger, RefusedConnLimit, "connection limit 1", true},
		{"linger-full", func(s *Settings) { s.MaxConnsPerIP = 1 }, 0, RefusedPerIP, "per-IP limit 1", false},
	} {
		t.Run(tc.id, func(t *testing.T) {
			var log logBuffer
			set := testSettings()
			tc.mod(&set)
			e := serveEnv(t, set, testSite(t), Options{ErrorLog: log.logger()})
			e.s.mu.Lock() // read under mu by refuseConn
			e.s.maxRefusedLinger = tc.linger
			e.s.mu.Unlock()
			holder := e.dial(t)
			holder.send(get("/a.txt"))
			holder.read("GET") // the server holds this connection: the limit is reached

			const refused = 3
			for i := range refused {
				nc, err := net.Dial("tcp", e.addr)
				if err != nil {
					t.Fatal(err)
				}
				nc.SetDeadline(time.Now().Add(10 * time.Second))
				// The request is sent at once, so it is unread when the
				// server closes: without the graceful close that close is
				// a reset.
				if _, err := io.WriteString(nc, get("/a.txt")); err != nil {
					t.Fatal(err)
				}
				all, err := io.ReadAll(nc) // to EOF: a FIN; a reset is an error
				nc.Close()
				if tc.graceful && err != nil {
					t.Fatalf("refused connection %d: read %q, then %v; want the 503 and a FIN (EOF)", i, all, err)
				}
				if !tc.graceful {
					continue // closed at once: a reset may come before the 503 is read
				}
				resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(all)), nil)
				if err != nil || resp.StatusCode != 503 {
					t.Fatalf("refused connection %d: %q (%v); want a 503", i, all, err)
				}
			}
			st := e.s.Stats()
			if got := st.Refused[tc.kind]; got != refused {
				t.Errorf("Stats().Refused[%s] = %d; want %d", tc.kind.Name(), got, refused)
			}
			wantFull := uint64(0)
			if !tc.graceful {
				wantFull = refused
			}
			if got := st.Refused[RefusedLingerFull]; got != wantFull {
				t.Errorf("Stats().Refused[linger_full] = %d; want %d", got, wantFull)
			}
			e.s.refusals.close() // flush the summary now rather than after a second
			want := fmt.Sprintf("refused %d connections from 1 address in the last 1s: %s", refused, tc.logged)
			if got := log.lines("level=ERROR", want); len(got) != 1 {
				t.Errorf("log lines with %q = %d; want 1\nlog:\n%s", want, len(got), log.String())
			}
		})
	}
}

// TestRefusalSummary: a flood of refusals of one kind logs one line per
// second, saying how many, from how many addresses, and which limit; a
// second kind has lines of its own.
func TestRefusalSummary(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var log logBuffer
		s := mustNew(t, testSettings(), Options{Handler: nil, ErrorLog: log.logger()})
		one, two := mustAddr("192.0.2.1"), mustAddr("192.0.2.2")
		for range 744 {
			s.refuse(RefusedPerIP, one)
		}
		s.refuse(RefusedHeadTooLarge, one)
		s.refuse(RefusedHeadTooLarge, two)
		time.Sleep(refusalWindow)
		synctest.Wait()
		for range 2 {
			s.refuse(RefusedPerIP, two)
		}
		time.Sleep(refusalWindow)
		synctest.Wait()
		for _, want := range []string{
			"refused 744 connections from 1 address in the last 1s: per-IP limit 256",
			"refused 2 requests from 2 addresses in the last 1s: head larger than 16384 bytes (431)",
			"refused 2 connections from 1 address in the last 1s: per-IP limit 256",
		} {
			if got := log.lines(want); len(got) != 1 {
				t.Errorf("log lines with %q = %d; want 1\nlog:\n%s", want, len(got), log.String())
			}
		}
		if n := len(log.lines("refused")); n != 3 {
			t.Errorf("%d summary lines; want 3\nlog:\n%s", n, log.String())
		}
		if got := s.Stats().Refused; got[RefusedPerIP] != 746 || got[RefusedHeadTooLarge] != 2 {
			t.Errorf("Stats().Refused = %v; want 746 per-IP, 2 head too large", got)
		}
		s.Close()
	})
}

// TestFaultFileChangedDuringDownload: a 24 MiB file is truncated,
// replaced (renamed over) or deleted while a client downloads it slowly.
// Truncated: the client gets exactly the bytes that were still there,
// never padding, then the close; an error line names the path and how
// many bytes were sent of how many. Replaced or deleted: the open file is
// the old one, which is sent whole and consistent.
func TestFaultFileChangedDuringDownload(t *testing.T) {
	needLinux(t)
	const size, cut = 24 << 20, 12 << 20
	content := make([]byte, size)
	for i := range content {
		content[i] = byte(i*31 + 7)
	}
	for _, tc := range []struct {
		id     string
		change func(path string) error
		want   int // bytes the client receives
		logged bool
	}{
		{"truncated", func(p string) error { return os.Truncate(p, cut) }, cut, true},
		{"replaced", func(p string) error {
			tmp := p + ".new"
			if err := os.WriteFile(tmp, []byte("new content\n"), 0o644); err != nil {
				return err
			}
			return os.Rename(tmp, p)
		}, size, false},
		{"deleted", os.Remove, size, false},
	} {
		t.Run(tc.id, func(t *testing.T) {
			var log logBuffer
			dir := testSite(t)
			path := filepath.Join(dir, "huge.bin")
			if err := os.WriteFile(path, content, 0o644); err != nil {
				t.Fatal(err)
			}
			e := serveEnv(t, testSettings(), dir, Options{ErrorLog: log.logger()})
			nc, err := net.Dial("tcp", e.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			// A small receive buffer: the server can be at most a few MiB
			// ahead of the reader when the file changes, far below cut.
			nc.(*net.TCPConn).SetReadBuffer(64 << 10)
			nc.SetDeadline(time.Now().Add(30 * time.Second))
			io.WriteString(nc, get("/huge.bin"))
			br := bufio.NewReader(nc)
			resp, err := http.ReadResponse(br, nil)
			if err != nil || resp.StatusCode != 200 || resp.ContentLength != size {
				t.Fatalf("response %v, %v; want 200 with Content-Length %d", resp, err, size)
			}
			first := make([]byte, 64<<10)
			if _, err := io.ReadFull(br, first); err != nil {
				t.Fatal(err)
			}
			if err := tc.change(path); err != nil {
				t.Fatal(err)
			}
			var rest []byte
			if tc.logged {
				// Short body, then the close: EOF (never padding).
				rest, err = io.ReadAll(br)
			} else {
				rest = make([]byte, size-len(first))
				_, err = io.ReadFull(br, rest)
			}
			if err != nil {
				t.Fatalf("read after the change: %v", err)
			}
			got := append(first, rest...)
			if len(got) != tc.want || !bytes.Equal(got, content[:len(got)]) {
				t.Fatalf("received %d bytes (equal to the file's first bytes: %v); want exactly %d, no padding",
					len(got), bytes.Equal(got, content[:min(len(got), size)]), tc.want)
			}
			if tc.logged {
				want := fmt.Sprintf("sent=%d of=%d", cut, size)
				if l := log.lines("level=ERROR", "huge.bin", want); len(l) != 1 {
					t.Errorf("error lines with huge.bin and %q = %d; want 1\nlog:\n%s", want, len(l), log.String())
				}
				if n := e.s.Stats().FileErrors; n != 1 {
					t.Errorf("Stats().FileErrors = %d; want 1", n)
				}
			} else if l := log.lines("level=ERROR"); len(l) != 0 {
				t.Errorf("error lines %q; want none", l)
			}
		})
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
