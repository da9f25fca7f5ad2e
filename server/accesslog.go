package server

import (
	"io"
	"strconv"
	"time"
	"unicode/utf8"
)

// AccessFormat selects the access log line layout.
type AccessFormat uint8

const (
	FormatCombined AccessFormat = iota // NCSA combined (nginx default)
	FormatCommon                       // NCSA common
	FormatJSON                         // one JSON object per line
	// FormatCombinedTime is combined followed by the request time in
	// seconds with millisecond resolution (nginx's $request_time), the
	// layout most nginx sites log. Combined itself stays byte for byte
	// NCSA so that tools set up for it keep parsing it.
	FormatCombinedTime
	formatCustom // a compiled template (LogFormat.ops)
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
	case "combined_time":
		return FormatCombinedTime, true
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
	Duration  time.Duration // request time: from the request's first byte to the last byte sent
}

// AccessLog writes access lines through a sink (see LogOptions): lines
// reach the file within the flush interval of being logged, on Flush,
// Reopen and Close; a failed write is reported once, retried, and the
// lines lost meanwhile are counted. It is safe for concurrent use.
type AccessLog struct {
	format *LogFormat
	s      *sink
	line   []byte // guarded by s.mu
}

// NewAccessLog logs to w in the given built-in format, writing each line
// at once (no file, no reopen, no fault reports).
func NewAccessLog(w io.Writer, f AccessFormat) *AccessLog {
	return &AccessLog{format: &LogFormat{kind: f}, s: newSink("access log", &reopenFile{w: w}, LogOptions{})}
}

// OpenAccessLog opens an access log appending to the file at path, or
// writing to std when path is "" or "-", with lines laid out by f.
// Reopen reopens the file.
func OpenAccessLog(path string, std io.Writer, f *LogFormat, o LogOptions) (*AccessLog, error) {
	out, err := openReopen(path, std)
	if err != nil {
		return nil, err
	}
	return &AccessLog{format: f, s: newSink("access log", out, o)}, nil
}

// Log appends one line for e.
func (l *AccessLog) Log(e *AccessEntry) {
	if l == nil {
		return
	}
	l.s.mu.Lock()
	l.line = l.format.append(l.line[:0], e)
	l.s.unlock(l.s.lockedAdd(l.line), noFault())
}

// Flush writes buffered lines out; it returns the error of the current
// failure, if writes are failing.
func (l *AccessLog) Flush() error {
	if l == nil {
		return nil
	}
	return l.s.flush()
}

// Reopen flushes, then reopens the log file (after rotation; SIGUSR1)
// and writes what the old file could not take to the new one.
func (l *AccessLog) Reopen() error {
	if l == nil {
		return nil
	}
	return l.s.reopen()
}

// Close flushes and closes the file and stops the flush timer. Lines it
// could not write are reported (LogClosedFailing) and the error returned.
func (l *AccessLog) Close() error {
	if l == nil {
		return nil
	}
	return l.s.close()
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
func appendEscaped[S string | []byte](b []byte, s S) []byte {
	trunc := len(s) > maxLogField
	if trunc {
		s = s[:maxLogField]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
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
	b = append(b, `,"request_time":`...)
	b = appendSeconds(b, e.Duration)
	b = append(b, `,"duration_ms":`...)
	b = strconv.AppendFloat(b, float64(e.Duration.Microseconds())/1000, 'f', 3, 64)
	return append(b, "}\n"...)
}

// LogFile is an append-mode log file (or a fixed stream) whose writes are
// serialised and which can be reopened after rotation; the error log
// writes through one. Each Write is one line (as log/slog writes them),
// written at once with LogOptions.FlushInterval 0. A failed write is
// kept, retried and reported like the access log's. It is safe for
// concurrent use.
type LogFile struct {
	s *sink
}

// OpenLogFile opens the file at path for appending, creating it, or uses
// std when path is "" or "-".
func OpenLogFile(path string, std io.Writer, o LogOptions) (*LogFile, error) {
	f, err := openReopen(path, std)
	if err != nil {
		return nil, err
	}
	return &LogFile{s: newSink("error log", f, o)}, nil
}

// Write queues p (one or more whole lines) and writes it out as the
// options say. It always accepts p: a line that cannot be written is
// kept for a retry or counted as lost, and reported through
// LogOptions.Report, never returned to the caller, who could do nothing
// better with it.
func (l *LogFile) Write(p []byte) (int, error) {
	l.s.mu.Lock()
	l.s.unlock(l.s.lockedAdd(p), noFault())
	return len(p), nil
}

// Flush writes buffered lines out.
func (l *LogFile) Flush() error { return l.s.flush() }

// Reopen reopens the file (a stream is left alone).
func (l *LogFile) Reopen() error { return l.s.reopen() }

// Close writes out what it can and closes the file (a stream is left
// open).
func (l *LogFile) Close() error { return l.s.close() }
