package server

import (
	"bytes"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// flakyWriter fails its next fail writes with err, writing half of each
// first when short is set (a short write, as write(2) makes on a disk
// that fills up mid-buffer).
type flakyWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	fail   int
	short  bool
	err    error
	writes int
}

func (w *flakyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writes++
	if w.fail > 0 {
		w.fail--
		n := 0
		if w.short {
			n = len(p) / 2
		}
		w.buf.Write(p[:n])
		return n, w.err
	}
	return w.buf.Write(p)
}

func (w *flakyWriter) set(fail int) {
	w.mu.Lock()
	w.fail = fail
	w.mu.Unlock()
}

func (w *flakyWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// faults collects reports.
type faults struct {
	mu  sync.Mutex
	got []LogFault
}

func (f *faults) report(x LogFault) {
	f.mu.Lock()
	f.got = append(f.got, x)
	f.mu.Unlock()
}

func (f *faults) strings() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var s []string
	for _, x := range f.got {
		s = append(s, x.String())
	}
	return s
}

const fakePath = "/fake/access.log"

var errNoSpace = &fs.PathError{Op: "write", Path: fakePath, Err: syscall.ENOSPC}

// seqEntry is an entry whose target carries n, so lines can be told apart.
func seqEntry(n int) *AccessEntry {
	e := testEntry()
	e.Target = fmt.Appendf(nil, "/%04d", n)
	e.Referer, e.UserAgent = nil, nil
	return e
}

// seqs lists the sequence numbers of the lines in s, in order.
func seqs(t *testing.T, s string) []int {
	t.Helper()
	var got []int
	for _, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if line == "" {
			continue
		}
		var n int
		i := strings.Index(line, `"GET /`)
		if i < 0 {
			t.Fatalf("line %q has no request", line)
		}
		if _, err := fmt.Sscanf(line[i+len(`"GET /`):], "%d", &n); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		got = append(got, n)
	}
	return got
}

func span(from, to int) []int {
	var s []int
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func testAccessLog(w *flakyWriter, f *faults, o LogOptions) *AccessLog {
	o.Report = f.report
	return &AccessLog{format: &LogFormat{kind: FormatCommon}, s: newSink("access log", &reopenFile{path: fakePath, w: w}, o)}
}

// TestAccessLogWriteErrors: a writer that fails for a while. The failure
// is reported once (path and errno), lines are kept up to the bound and
// counted beyond it, the count is reported when writes succeed again, and
// logging goes on (no sticky error); the kept lines arrive whole and in
// order.
func TestAccessLogWriteErrors(t *testing.T) {
	lineLen := len(seqEntry(0).appendCommon())
	for _, tc := range []struct {
		id    string
		short bool
	}{
		{"failed-writes", false},
		{"short-writes", true},
	} {
		t.Run(tc.id, func(t *testing.T) {
			w := &flakyWriter{err: errNoSpace, short: tc.short}
			var f faults
			l := testAccessLog(w, &f, LogOptions{FlushInterval: time.Hour, MaxBuffered: 3 * lineLen})
			l.Log(seqEntry(1))
			if err := l.Flush(); err != nil {
				t.Fatalf("Flush = %v", err)
			}
			w.set(1 << 30)
			for i := 2; i <= 10; i++ {
				l.Log(seqEntry(i))
				if err := l.Flush(); err == nil {
					t.Fatalf("Flush after line %d = nil; want the write error", i)
				}
			}
			w.set(0)
			if err := l.Flush(); err != nil {
				t.Fatalf("Flush after recovery = %v", err)
			}
			l.Log(seqEntry(11))
			if err := l.Close(); err != nil {
				t.Fatalf("Close = %v", err)
			}
			// Lines 2-4 fill the bound (in short mode the buffer
			// shrinks by the halves written, so it takes more).
			kept := seqs(t, w.String())
			lost := 11 - len(kept)
			want := []string{
				"access log /fake/access.log: write failed: no space left on device (errno 28); retrying, keeping up to " + fmt.Sprint(3*lineLen) + " bytes of lines, then counting lost lines",
				fmt.Sprintf("access log /fake/access.log: resumed; %d lines lost while writing failed: no space left on device (errno 28)", lost),
			}
			if diff := cmp.Diff(want, f.strings()); diff != "" {
				t.Errorf("reports (-want +got):\n%s", diff)
			}
			// Failed writes: lines 2-4 fill the bound, 5-10 are
			// lost. Short writes: every retry drains half the
			// buffer, so there is always room and nothing is lost;
			// each line still arrives whole and in order.
			wantKept := append(span(1, 4), 11)
			if tc.short {
				wantKept = span(1, 11)
			}
			if diff := cmp.Diff(wantKept, kept); diff != "" {
				t.Errorf("lines written (-want +got):\n%s", diff)
			}
			if got := f.got[1].Errno(); got != int(syscall.ENOSPC) {
				t.Errorf("Errno() = %d; want %d", got, syscall.ENOSPC)
			}
		})
	}
}

// TestAccessLogCloseWhileFailing: lines still unwritten at Close are
// counted and reported, and Close returns the error.
func TestAccessLogCloseWhileFailing(t *testing.T) {
	w := &flakyWriter{err: errNoSpace, fail: 1 << 30}
	var f faults
	bound := 2 * len(seqEntry(0).appendCommon())
	l := testAccessLog(w, &f, LogOptions{FlushInterval: time.Hour, MaxBuffered: bound})
	for i := 1; i <= 5; i++ {
		l.Log(seqEntry(i))
	}
	if err := l.Close(); err == nil {
		t.Error("Close = nil; want the write error")
	}
	want := []string{
		fmt.Sprintf("access log /fake/access.log: write failed: no space left on device (errno 28); retrying, keeping up to %d bytes of lines, then counting lost lines", bound),
		"access log /fake/access.log: closed while writing failed; 5 lines lost: no space left on device (errno 28)",
	}
	if diff := cmp.Diff(want, f.strings()); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
	l.Log(seqEntry(6)) // after Close: dropped, no panic
}

// TestLogFileWriteErrors: the error log writes each line at once; a
// failed line is kept and goes out with the next write that succeeds.
func TestLogFileWriteErrors(t *testing.T) {
	w := &flakyWriter{err: errNoSpace}
	var f faults
	l := &LogFile{s: newSink("error log", &reopenFile{path: "/fake/error.log", w: w}, LogOptions{Report: f.report})}
	synctest.Test(t, func(t *testing.T) {
		fmt.Fprintf(l, "msg=one\n")
		w.set(2)
		fmt.Fprintf(l, "msg=two\n")   // fails: kept, retry timer armed
		fmt.Fprintf(l, "msg=three\n") // kept (no write while failing)
		time.Sleep(failRetry)         // the retry fails (second failure)
		synctest.Wait()
		time.Sleep(failRetry) // this one succeeds
		synctest.Wait()
		if got, want := w.String(), "msg=one\nmsg=two\nmsg=three\n"; got != want {
			t.Errorf("file = %q; want %q", got, want)
		}
		if err := l.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	})
	want := []string{
		"error log /fake/error.log: write failed: no space left on device (errno 28); retrying, keeping up to 1048576 bytes of lines, then counting lost lines",
		"error log /fake/error.log: resumed; 0 lines lost while writing failed: no space left on device (errno 28)",
	}
	if diff := cmp.Diff(want, f.strings()); diff != "" {
		t.Errorf("reports (-want +got):\n%s", diff)
	}
}

// TestAccessLogFlushBound: with a flush interval, a line reaches the
// writer once the interval has passed (not before), and a failing log
// retries each interval and resumes by itself. synctest's clock makes
// this exact.
func TestAccessLogFlushBound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const every = 100 * time.Millisecond
		w := &flakyWriter{err: errNoSpace}
		var f faults
		l := testAccessLog(w, &f, LogOptions{FlushInterval: every})
		l.Log(seqEntry(1))
		time.Sleep(every - time.Millisecond)
		synctest.Wait()
		if got := w.String(); got != "" {
			t.Errorf("before the interval the file holds %q; want nothing yet", got)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if diff := cmp.Diff([]int{1}, seqs(t, w.String())); diff != "" {
			t.Errorf("after the interval (-want +got):\n%s", diff)
		}
		w.set(3)
		l.Log(seqEntry(2))
		for range 4 { // three failed retries, then success
			time.Sleep(every)
			synctest.Wait()
		}
		if diff := cmp.Diff([]int{1, 2}, seqs(t, w.String())); diff != "" {
			t.Errorf("after recovery (-want +got):\n%s", diff)
		}
		if got := len(f.strings()); got != 2 {
			t.Errorf("%d reports %q; want 2 (failed, resumed)", got, f.strings())
		}
		if err := l.Close(); err != nil {
			t.Errorf("Close = %v", err)
		}
	})
}

// appendCommon renders e in common format (for sizing buffers).
func (e *AccessEntry) appendCommon() []byte { return appendNCSA(nil, e, false) }
