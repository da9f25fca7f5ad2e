package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"time"
)

// DefaultLogBuffer bounds the bytes of lines a log keeps in memory while
// writing to its file fails (LogOptions.MaxBuffered 0).
const DefaultLogBuffer = 1 << 20

// writeOutAt is the buffered size at which a healthy log writes at once
// instead of waiting for its flush timer.
const writeOutAt = 32 << 10

// failRetry is how often a log whose writes fail retries when it has no
// flush interval of its own (the error log writes each line at once).
const failRetry = 100 * time.Millisecond

// LogOptions configures how a log file buffers lines and reports write
// failures. The zero value writes each line at once, keeps up to
// DefaultLogBuffer bytes while writes fail, and reports nothing.
type LogOptions struct {
	// FlushInterval bounds how long a logged line waits in memory before
	// it is written: the first unwritten line arms a timer of this length.
	// Lines are also written once 32 KiB are pending, on Flush, Reopen and
	// Close. 0 writes every line at once.
	FlushInterval time.Duration
	// MaxBuffered bounds the bytes of lines kept while writes fail; lines
	// beyond it are counted as lost. 0 means DefaultLogBuffer.
	MaxBuffered int
	// Report is told when writes start failing, when they resume (with the
	// number of lines lost meanwhile) and when the log is closed while
	// they still fail. It is called without any lock of the log held, so
	// it may write to another log or to this one. nil drops the reports.
	Report func(LogFault)
}

// LogFaultKind says which change of a log's health a LogFault reports.
type LogFaultKind uint8

const (
	LogWriteFailed   LogFaultKind = iota // the first failed write after a good one
	LogResumed                           // a write succeeded again after failures
	LogClosedFailing                     // closed while writes still failed
)

// A LogFault reports a change in a log file's health. Writes are retried
// (each FlushInterval, or every 100 ms without one) until one succeeds;
// one LogWriteFailed and one LogResumed (or LogClosedFailing) are
// reported per failure, however many writes fail in between.
type LogFault struct {
	Kind LogFaultKind
	Log  string // "access log" or "error log"
	Path string // the file; "" for a stream (stdout, stderr)
	Err  error  // the first error of this failure
	// Lost is the number of lines that could not be written and were
	// dropped (LogResumed, LogClosedFailing); 0 for LogWriteFailed.
	Lost int64
	// Kept is how many bytes are kept for retrying (LogWriteFailed).
	Kept int
}

// Errno is the system error number under Err, or 0.
func (f LogFault) Errno() int {
	var en syscall.Errno
	if errors.As(f.Err, &en) {
		return int(en)
	}
	return 0
}

// cause strips the "write /path:" wrapper the path already says.
func (f LogFault) cause() string {
	err := f.Err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if err == nil {
		return "unknown error"
	}
	if n := f.Errno(); n != 0 {
		return fmt.Sprintf("%v (errno %d)", err, n)
	}
	return err.Error()
}

func (f LogFault) String() string {
	name := f.Log
	if f.Path != "" {
		name += " " + f.Path
	}
	switch f.Kind {
	case LogWriteFailed:
		return fmt.Sprintf("%s: write failed: %s; retrying, keeping up to %d bytes of lines, then counting lost lines", name, f.cause(), f.Kept)
	case LogResumed:
		return fmt.Sprintf("%s: resumed; %d lines lost while writing failed: %s", name, f.Lost, f.cause())
	default:
		return fmt.Sprintf("%s: closed while writing failed; %d lines lost: %s", name, f.Lost, f.cause())
	}
}

// reopenFile is an append-mode file (or a fixed stream) that can be
// reopened after rotation.
type reopenFile struct {
	path string // "" for a fixed stream
	f    *os.File
	w    io.Writer
}

func openReopen(path string, std io.Writer) (*reopenFile, error) {
	if path == "" || path == "-" {
		return &reopenFile{w: std}, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	return &reopenFile{path: path, f: f, w: f}, nil
}

func (r *reopenFile) reopen() error {
	if r.path == "" {
		return nil
	}
	f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	old := r.f
	r.f, r.w = f, f
	return old.Close()
}

func (r *reopenFile) close() error {
	if r != nil && r.f != nil {
		return r.f.Close()
	}
	return nil
}

// sink is the write side shared by the access and the error log: a
// buffer of whole lines in front of a reopenable file. Unlike a
// bufio.Writer it never keeps an error: a failed write leaves the
// unwritten bytes in the buffer (a short write keeps just the rest of the
// line), and later flushes retry them. While writes fail the buffer is
// bounded by max; a line that does not fit is dropped and counted, and
// the count is reported when a write succeeds again.
//
// Methods whose names start with "locked" need mu held; they return the
// fault to report, which unlock reports after releasing mu.
type sink struct {
	name     string
	interval time.Duration
	max      int
	report   func(LogFault)

	mu      sync.Mutex
	out     *reopenFile
	buf     []byte
	failErr error // the first error of the current failure; nil while writes succeed
	lost    int64 // lines dropped during the current failure
	timer   *time.Timer
	armed   bool
	closed  bool
	// reporting counts reports in flight (made after mu is released).
	reporting sync.WaitGroup
}

func newSink(name string, out *reopenFile, o LogOptions) *sink {
	s := &sink{name: name, out: out, interval: o.FlushInterval, max: o.MaxBuffered, report: o.Report}
	if s.max <= 0 {
		s.max = DefaultLogBuffer
	}
	return s
}

// logNoFault marks the "nothing to report" result of the locked
// methods.
const logNoFault LogFaultKind = 255

func noFault() LogFault { return LogFault{Kind: logNoFault} }

// unlock releases mu and then reports f and g in this order (each
// unless it is noFault).
func (s *sink) unlock(f, g LogFault) {
	if s.report == nil || f.Kind == logNoFault && g.Kind == logNoFault {
		s.mu.Unlock()
		return
	}
	// Counted under mu, so that close, which waits for reports in
	// flight, never returns before a report a timer started.
	s.reporting.Add(1)
	defer s.reporting.Done()
	s.mu.Unlock()
	if f.Kind != logNoFault {
		s.report(f)
	}
	if g.Kind != logNoFault {
		s.report(g)
	}
}

// lockedAdd queues one line (ending in '\n') and writes the buffer out
// when the policy says so.
func (s *sink) lockedAdd(line []byte) LogFault {
	if s.closed {
		return noFault()
	}
	f := noFault()
	if len(s.buf)+len(line) > s.max && s.failErr == nil {
		f = s.lockedFlush() // make room
	}
	if s.failErr != nil && len(s.buf)+len(line) > s.max {
		s.lost++
		return f
	}
	s.buf = append(s.buf, line...)
	switch {
	case s.failErr != nil:
		// Retried by the timer; a write per line would only fail again.
		s.lockedArm()
	case s.interval <= 0 || len(s.buf) >= writeOutAt:
		if g := s.lockedFlush(); g.Kind != logNoFault {
			f = g
		}
	default:
		s.lockedArm()
	}
	return f
}

// lockedArm starts the flush (or retry) timer unless it runs.
func (s *sink) lockedArm() {
	if s.armed || s.closed {
		return
	}
	d := s.interval
	if d <= 0 {
		d = failRetry
	}
	s.armed = true
	if s.timer == nil {
		s.timer = time.AfterFunc(d, s.timed)
	} else {
		s.timer.Reset(d)
	}
}

func (s *sink) timed() {
	s.mu.Lock()
	s.armed = false
	if s.closed {
		s.mu.Unlock()
		return
	}
	f := s.lockedFlush()
	if len(s.buf) > 0 {
		s.lockedArm() // still failing: retry later
	}
	s.unlock(f, noFault())
}

// lockedFlush writes the buffer out. A failure keeps what was not
// written; the first failure after success is returned for reporting, as
// is the first success after failures.
func (s *sink) lockedFlush() LogFault {
	if len(s.buf) == 0 {
		return noFault()
	}
	n, err := s.out.w.Write(s.buf)
	n = min(max(n, 0), len(s.buf))
	s.buf = s.buf[:copy(s.buf, s.buf[n:])]
	if err == nil && len(s.buf) > 0 {
		err = io.ErrShortWrite
	}
	if err != nil {
		if s.failErr != nil {
			return noFault()
		}
		s.failErr = err
		return LogFault{Kind: LogWriteFailed, Log: s.name, Path: s.out.path, Err: err, Kept: s.max}
	}
	if s.failErr == nil {
		return noFault()
	}
	f := LogFault{Kind: LogResumed, Log: s.name, Path: s.out.path, Err: s.failErr, Lost: s.lost}
	s.failErr, s.lost = nil, 0
	if cap(s.buf) > 2*writeOutAt {
		s.buf = nil // give back what the failure grew
	}
	return f
}

func (s *sink) flush() error {
	s.mu.Lock()
	f := s.lockedFlush()
	if len(s.buf) > 0 {
		s.lockedArm()
	}
	err := s.failErr
	s.unlock(f, noFault())
	return err
}

// reopen writes what it can to the old file, then switches to a new one
// at the same path and retries the rest there.
func (s *sink) reopen() error {
	s.mu.Lock()
	f, g := s.lockedFlush(), noFault()
	err := s.out.reopen()
	if err == nil {
		g = s.lockedFlush()
	}
	if len(s.buf) > 0 {
		s.lockedArm()
	}
	s.unlock(f, g)
	return err
}

// close writes out what it can, stops the timer and closes the file.
// Lines still unwritten are counted as lost and reported.
func (s *sink) close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	f, g := s.lockedFlush(), noFault()
	if f.Kind == LogResumed {
		// Report the recovery while the log is still open: a report
		// may write into this log (the error log notes its own gap).
		s.unlock(f, noFault())
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return nil
		}
		f = s.lockedFlush()
	}
	var err error
	if len(s.buf) > 0 || s.failErr != nil {
		err = s.failErr
		// A line partly written is lost too: its rest never arrives.
		lost := s.lost + int64(bytes.Count(s.buf, []byte{'\n'}))
		g = LogFault{Kind: LogClosedFailing, Log: s.name, Path: s.out.path, Err: s.failErr, Lost: lost}
		s.buf, s.lost = nil, 0
	}
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	if cerr := s.out.close(); err == nil {
		err = cerr
	}
	s.unlock(f, g)
	s.reporting.Wait()
	return err
}
