package server

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// AccessFormat selects the access log line layout.
type AccessFormat uint8

const (
	FormatCombined AccessFormat = iota // NCSA combined (nginx default)
	FormatCommon                       // NCSA common
	FormatJSON                         // one JSON object per line
)

// ParseAccessFormat maps a config name to a format ("" = combined).
func ParseAccessFormat(s string) (AccessFormat, bool) {
	switch s {
	case "", "combined":
		return FormatCombined, true
	case "common":
		return FormatCommon, true
	case "json":
		return FormatJSON, true
	}
	return 0, false
}

// maxLogField bounds every request-derived string in a log line: request
// bytes reach the log only as bounded, escaped excerpts.
const maxLogField = 512

// AccessEntry is what one access log line records. Byte slices are views
// valid only during AccessLog.Log.
type AccessEntry struct {
	Time      time.Time
	Remote    string // client IP
	Scheme    string // "http" or "https"; "" leaves it out of JSON lines
	Method    []byte
	Target    []byte
	Proto     []byte // "HTTP/1.1"; nil when the request line was not parsed
	Status    int
	Bytes     int64 // body bytes sent
	Referer   []byte
	UserAgent []byte
	Duration  time.Duration
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

// AccessLog writes access lines through a buffer flushed within a second
// of the first unflushed line, on Flush, Reopen and Close. It is safe for
// concurrent use.
type AccessLog struct {
	mu      sync.Mutex
	format  AccessFormat
	out     *reopenFile
	bw      *bufio.Writer
	line    []byte
	pending bool // a flush timer is armed
	timer   *time.Timer
}

// NewAccessLog logs to w in the given format (no file, no reopen).
func NewAccessLog(w io.Writer, f AccessFormat) *AccessLog {
	return &AccessLog{format: f, out: &reopenFile{w: w}, bw: bufio.NewWriterSize(w, 32<<10)}
}

// Log appends one line for e.
func (l *AccessLog) Log(e *AccessEntry) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.line[:0]
	switch l.format {
	case FormatJSON:
		b = appendJSONEntry(b, e)
	default:
		b = appendNCSA(b, e, l.format == FormatCombined)
	}
	l.line = b
	l.bw.Write(b)
	if !l.pending {
		l.pending = true
		if l.timer == nil {
			l.timer = time.AfterFunc(time.Second, l.timedFlush)
		} else {
			l.timer.Reset(time.Second)
		}
	}
}

func (l *AccessLog) timedFlush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = false
	l.bw.Flush()
}

// Flush writes buffered lines out.
func (l *AccessLog) Flush() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bw.Flush()
}

// Reopen flushes, then reopens the log file (after rotation; SIGUSR1).
func (l *AccessLog) Reopen() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bw.Flush()
	if err := l.out.reopen(); err != nil {
		return err
	}
	l.bw.Reset(l.out.w)
	return nil
}

// Close flushes and closes the file and stops the flush timer.
func (l *AccessLog) Close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer.Stop()
	}
	l.pending = false
	err := l.bw.Flush()
	if cerr := l.out.close(); err == nil {
		err = cerr
	}
	return err
}

// appendNCSA renders common or combined format:
// host - - [02/Jan/2006:15:04:05 -0700] "request-line" status bytes "referer" "user-agent"
func appendNCSA(b []byte, e *AccessEntry, combined bool) []byte {
	b = append(b, e.Remote...)
	b = append(b, " - - ["...)
	b = e.Time.AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	b = append(b, "] \""...)
	if e.Method != nil {
		b = appendEscaped(b, e.Method)
		b = append(b, ' ')
		b = appendEscaped(b, e.Target)
		if e.Proto != nil {
			b = append(b, ' ')
			b = appendEscaped(b, e.Proto)
		}
	}
	b = append(b, "\" "...)
	b = strconv.AppendInt(b, int64(e.Status), 10)
	b = append(b, ' ')
	if e.Bytes == 0 && !combined {
		b = append(b, '-')
	} else {
		b = strconv.AppendInt(b, e.Bytes, 10)
	}
	if combined {
		b = append(b, " \""...)
		if len(e.Referer) == 0 {
			b = append(b, '-')
		} else {
			b = appendEscaped(b, e.Referer)
		}
		b = append(b, "\" \""...)
		if len(e.UserAgent) == 0 {
			b = append(b, '-')
		} else {
			b = appendEscaped(b, e.UserAgent)
		}
		b = append(b, '"')
	}
	return append(b, '\n')
}

const hexDigits = "0123456789abcdef"

// appendEscaped writes request bytes as nginx does: printable ASCII as is,
// '"' and '\' and every other byte as \xHH; at most maxLogField input
// bytes, then "...".
func appendEscaped(b, s []byte) []byte {
	trunc := len(s) > maxLogField
	if trunc {
		s = s[:maxLogField]
	}
	for _, c := range s {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
			continue
		}
		b = append(b, c)
	}
	if trunc {
		b = append(b, "..."...)
	}
	return b
}

// appendJSONString writes s as a JSON string: valid UTF-8 kept, control
// characters, quotes, backslash, '<', '>', '&' and invalid bytes escaped
// (invalid bytes as \u00XX of the byte value), bounded like appendEscaped.
func appendJSONString(b, s []byte) []byte {
	trunc := len(s) > maxLogField
	if trunc {
		s = s[:maxLogField]
	}
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
			i++
			continue
		case r == '\u2028' || r == '\u2029':
			b = append(b, `\u202`...)
			b = append(b, hexDigits[r&15])
			i += size
			continue
		}
		b = append(b, s[i:i+size]...)
		i += size
	}
	if trunc {
		b = append(b, "..."...)
	}
	return append(b, '"')
}

func appendJSONEntry(b []byte, e *AccessEntry) []byte {
	b = append(b, `{"time":"`...)
	b = e.Time.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","remote":`...)
	b = appendJSONString(b, []byte(e.Remote))
	if e.Scheme != "" {
		// A constant set by the server, never request bytes.
		b = append(b, `,"scheme":"`...)
		b = append(b, e.Scheme...)
		b = append(b, '"')
	}
	b = append(b, `,"method":`...)
	b = appendJSONString(b, e.Method)
	b = append(b, `,"target":`...)
	b = appendJSONString(b, e.Target)
	b = append(b, `,"proto":`...)
	b = appendJSONString(b, e.Proto)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(e.Status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, e.Bytes, 10)
	b = append(b, `,"referer":`...)
	b = appendJSONString(b, e.Referer)
	b = append(b, `,"user_agent":`...)
	b = appendJSONString(b, e.UserAgent)
	b = append(b, `,"duration_ms":`...)
	b = strconv.AppendFloat(b, float64(e.Duration.Microseconds())/1000, 'f', 3, 64)
	return append(b, "}\n"...)
}

// OpenAccessLog opens an access log appending to the file at path, or
// writing to std when path is "" or "-". Reopen reopens the file.
func OpenAccessLog(path string, std io.Writer, f AccessFormat) (*AccessLog, error) {
	out, err := openReopen(path, std)
	if err != nil {
		return nil, err
	}
	return &AccessLog{format: f, out: out, bw: bufio.NewWriterSize(out.w, 32<<10)}, nil
}

// LogFile is an append-mode log file (or a fixed stream) whose writes are
// serialised and which can be reopened after rotation; the error log
// writes through one. It is safe for concurrent use.
type LogFile struct {
	mu sync.Mutex
	f  *reopenFile
}

// OpenLogFile opens the file at path for appending, creating it, or uses
// std when path is "" or "-".
func OpenLogFile(path string, std io.Writer) (*LogFile, error) {
	f, err := openReopen(path, std)
	if err != nil {
		return nil, err
	}
	return &LogFile{f: f}, nil
}

// Write writes p to the current file.
func (l *LogFile) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.w.Write(p)
}

// Reopen reopens the file (a stream is left alone).
func (l *LogFile) Reopen() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.reopen()
}

// Close closes the file (a stream is left open).
func (l *LogFile) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.f.close()
}
