package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ferrox/ferrox/server"
	"github.com/google/go-cmp/cmp"
)

// mountTmpfs mounts a tmpfs of the given size on a new temporary
// directory and unmounts it when the test ends. It skips the test where
// that cannot be done.
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("fault test: needs Linux (mounts a tmpfs)")
	}
	if os.Geteuid() != 0 {
		t.Skip("fault test: needs root (mounts a tmpfs); run `make faults` as root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("fault test: cannot mount a tmpfs (%v: %s)", err, bytes.TrimSpace(out))
	}
	// Registered after TempDir's removal, so it runs before it.
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a file in dir until the file system is full.
func fill(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for i := 0; ; i++ {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling %s: %v; want ENOSPC", dir, err)
			}
			return p
		}
		if i > 1<<20 {
			t.Fatalf("filling %s: no ENOSPC after 4 GiB", dir)
		}
	}
}

// TestFaultAccessLogDiskFull: the access log on a tmpfs that fills up.
// The failure is reported once on the error log (path and errno), lines
// are kept up to the bound (1 MiB) and counted beyond it, and once space
// is freed logging resumes by itself (a retry, here the Flush a timer
// would make), the count of lost lines is reported, and every line
// logged is either in the file or in that count.
func TestFaultAccessLogDiskFull(t *testing.T) {
	// Larger than the 1 MiB kept in memory, so that the kept lines fit
	// once the filler is gone.
	dir := mountTmpfs(t, "2m")
	errDir := t.TempDir()
	accessPath, errPath := filepath.Join(dir, "access.log"), filepath.Join(errDir, "error.log")
	hour := time.Hour
	c := Config{Logs: LogsConfig{AccessLog: accessPath, ErrorLog: errPath, AccessFormat: "common", FlushInterval: &hour}}
	logs, err := OpenLogs(&c, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	filler := fill(t, dir)

	entry := func(i int) *server.AccessEntry {
		return &server.AccessEntry{Time: time.Unix(0, 0).UTC(), Remote: "127.0.0.1", Method: []byte("GET"),
			Target: fmt.Appendf(nil, "/%06d", i), Proto: []byte("HTTP/1.1"), Status: 200, Bytes: 6}
	}
	// ~60-byte lines: 30000 of them exceed the 1 MiB bound.
	const during, after = 30000, 10
	for i := 1; i <= during; i++ {
		logs.Access.Log(entry(i))
		if i%1000 == 0 {
			if err := logs.Access.Flush(); !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("Flush on a full disk after %d lines = %v; want ENOSPC", i, err)
			}
		}
	}
	errLog := func() string {
		b, err := os.ReadFile(errPath)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	failed := fmt.Sprintf(`level=ERROR msg="access log %s: write failed: no space left on device (errno 28); retrying, keeping up to 1048576 bytes of lines, then counting lost lines" errno=28`, accessPath)
	if got := errLog(); strings.Count(got, "write failed") != 1 || !strings.Contains(got, failed) {
		t.Fatalf("error.log while the disk is full:\n%s\nwant one line with %q", got, failed)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := logs.Access.Flush(); err != nil {
		t.Fatalf("Flush after freeing space = %v", err)
	}
	for i := during + 1; i <= during+after; i++ {
		logs.Access.Log(entry(i))
	}
	if err := logs.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}

	b, err := os.ReadFile(accessPath)
	if err != nil {
		t.Fatal(err)
	}
	var kept []int
	for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		var n int
		if _, err := fmt.Sscanf(line, `127.0.0.1 - - [01/Jan/1970:00:00:00 +0000] "GET /%d HTTP/1.1" 200 6`, &n); err != nil {
			t.Fatalf("access.log line %q: %v", line, err)
		}
		kept = append(kept, n)
	}
	// The lines kept are 1..m (those that fitted the bound while the disk
	// was full) and then every line after recovery; m+1..during are lost.
	m := len(kept) - after
	var want []int
	for i := 1; i <= m; i++ {
		want = append(want, i)
	}
	for i := during + 1; i <= during+after; i++ {
		want = append(want, i)
	}
	if diff := cmp.Diff(want, kept); diff != "" {
		t.Fatalf("access.log lines (-want +got):\n%s", diff)
	}
	lost := during - m
	resumed := fmt.Sprintf(`msg="access log %s: resumed; %d lines lost while writing failed: no space left on device (errno 28)" errno=28 lost_lines=%d`, accessPath, lost, lost)
	if got := errLog(); strings.Count(got, "resumed") != 1 || !strings.Contains(got, resumed) {
		t.Errorf("error.log after recovery:\n%s\nwant one line with %q", got, resumed)
	}
	t.Logf("%d lines logged on a full disk: %d kept in memory and written on recovery, %d counted lost", during, m, lost)
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of reports.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestFaultErrorLogDiskFull: the error log itself on a full tmpfs. Its
// failure goes to stderr, once; its lines are kept and written when
// space is freed, and the recovery is noted on stderr and in the file.
func TestFaultErrorLogDiskFull(t *testing.T) {
	dir := mountTmpfs(t, "64k")
	errPath := filepath.Join(dir, "error.log")
	c := Config{Logs: LogsConfig{AccessLog: AccessLogOff, ErrorLog: errPath}}
	var stderr syncBuffer
	logs, err := OpenLogs(&c, nil, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	filler := fill(t, dir)
	for i := range 5 {
		logs.Error.Info("while full", "i", i)
	}
	failed := fmt.Sprintf("ferrox: error log %s: write failed: no space left on device (errno 28); retrying", errPath)
	if got := stderr.String(); strings.Count(got, "write failed") != 1 || !strings.Contains(got, failed) {
		t.Fatalf("stderr while the disk is full = %q; want one line with %q", got, failed)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if err := logs.Close(); err != nil { // writes what was kept
		t.Fatalf("Close = %v", err)
	}
	b, err := os.ReadFile(errPath)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	if n := strings.Count(got, `msg="while full"`); n != 5 {
		t.Errorf("error.log has %d of the 5 lines logged while full:\n%s", n, got)
	}
	resumed := fmt.Sprintf("error log %s: resumed; 0 lines lost while writing failed: no space left on device (errno 28)", errPath)
	if !strings.Contains(stderr.String(), "ferrox: "+resumed) || !strings.Contains(got, resumed) {
		t.Errorf("stderr %q and error.log %q; want both to note %q", stderr.String(), got, resumed)
	}
}
