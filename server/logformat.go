package server

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// LogFormat is a compiled access log line layout: a built-in format or a
// template of named variables (nginx log_format style). A template is
// parsed once, by CompileLogFormat, into a list of ops; rendering a line
// walks the ops and appends to a reused buffer, allocating nothing.
type LogFormat struct {
	kind AccessFormat
	ops  []logOp // formatCustom only
}

// BuiltinLogFormat returns the built-in format named s (see
// ParseAccessFormat).
func BuiltinLogFormat(s string) (*LogFormat, bool) {
	k, ok := ParseAccessFormat(s)
	if !ok {
		return nil, false
	}
	return &LogFormat{kind: k}, true
}

// logVar names what one op appends.
type logVar uint8

const (
	varLiteral logVar = iota
	varRemoteAddr
	varRemoteUser
	varTimeLocal
	varTimeISO8601
	varMsec
	varRequest
	varRequestMethod
	varRequestURI
	varServerProtocol
	varScheme
	varStatus
	varBodyBytesSent
	varRequestTime
	varHTTPReferer
	varHTTPUserAgent
)

// logVars maps the template variable names (nginx's, for the values
// Ferrox has) to what they log. Read-only.
var logVars = map[string]logVar{
	"remote_addr":     varRemoteAddr,     // client IP
	"remote_user":     varRemoteUser,     // always "-" (no authentication)
	"time_local":      varTimeLocal,      // 23/Nov/2026:21:00:05 +0000
	"time_iso8601":    varTimeISO8601,    // 2026-11-23T21:00:05+00:00
	"msec":            varMsec,           // Unix time in seconds, millisecond resolution
	"request":         varRequest,        // the request line: method, target, protocol
	"request_method":  varRequestMethod,  // GET
	"request_uri":     varRequestURI,     // the target as sent, with the query
	"server_protocol": varServerProtocol, // HTTP/1.1
	"scheme":          varScheme,         // http or https
	"status":          varStatus,         // 200
	"body_bytes_sent": varBodyBytesSent,  // body bytes sent
	"request_time":    varRequestTime,    // seconds, millisecond resolution (0.004)
	"http_referer":    varHTTPReferer,    // the Referer field
	"http_user_agent": varHTTPUserAgent,  // the User-Agent field
}

// LogVariables lists the template variable names, sorted.
func LogVariables() []string {
	return slices.Sorted(maps.Keys(logVars))
}

type logOp struct {
	v   logVar
	lit string // varLiteral
}

// LogFormatError is a template problem at byte Offset of the template.
type LogFormatError struct {
	Offset int
	Msg    string
}

func (e *LogFormatError) Error() string {
	return fmt.Sprintf("at byte %d: %s", e.Offset+1, e.Msg)
}

// isVarByte is the class of bytes in a variable name, as nginx reads
// them: letters, digits and '_'.
func isVarByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// CompileLogFormat parses a template such as
//
//	$remote_addr - [$time_local] "$request" $status $request_time
//
// into a LogFormat. A variable is $name or ${name} (the braces let text
// follow a name directly); $$ is a literal $. Every other byte is copied
// as is, except control bytes, which a template may not hold (each line
// ends with the one newline the log adds). Values are escaped as in the
// built-in formats: request bytes are bounded, and quotes, backslashes,
// control and non-ASCII bytes become \xHH, so a value can neither end a
// quoted field nor a line. An empty value logs as "-" (as in nginx),
// except $request, which logs as nothing.
func CompileLogFormat(tmpl string) (*LogFormat, error) {
	if strings.TrimSpace(tmpl) == "" {
		return nil, &LogFormatError{Msg: "the template is empty"}
	}
	f := &LogFormat{kind: formatCustom}
	lit := []byte{}
	flush := func() {
		if len(lit) > 0 {
			f.ops = append(f.ops, logOp{v: varLiteral, lit: string(lit)})
			lit = lit[:0]
		}
	}
	for i := 0; i < len(tmpl); {
		c := tmpl[i]
		if c != '$' {
			if c < 0x20 || c == 0x7f {
				return nil, &LogFormatError{Offset: i, Msg: fmt.Sprintf("control character %q in the template (a line ends with the newline the log adds)", c)}
			}
			lit = append(lit, c)
			i++
			continue
		}
		start := i
		i++
		if i < len(tmpl) && tmpl[i] == '$' {
			lit = append(lit, '$')
			i++
			continue
		}
		braced := i < len(tmpl) && tmpl[i] == '{'
		if braced {
			i++
		}
		j := i
		for j < len(tmpl) && isVarByte(tmpl[j]) {
			j++
		}
		name := tmpl[i:j]
		if name == "" {
			return nil, &LogFormatError{Offset: start, Msg: "$ is not followed by a variable name (write $$ for a literal $)"}
		}
		if braced {
			if j >= len(tmpl) || tmpl[j] != '}' {
				return nil, &LogFormatError{Offset: start, Msg: fmt.Sprintf("${%s is missing its closing }", name)}
			}
			j++
		}
		v, ok := logVars[name]
		if !ok {
			return nil, &LogFormatError{Offset: start, Msg: unknownVarMsg(name)}
		}
		flush()
		f.ops = append(f.ops, logOp{v: v})
		i = j
	}
	flush()
	return f, nil
}

func unknownVarMsg(name string) string {
	msg := fmt.Sprintf("unknown variable $%s", name)
	if strings.HasPrefix(name, "http_") {
		return msg + " (of the request's fields only $http_referer and $http_user_agent can be logged)"
	}
	return msg + " (known: $" + strings.Join(LogVariables(), ", $") + ")"
}

// append renders e in format f, ending in '\n'.
func (f *LogFormat) append(b []byte, e *AccessEntry) []byte {
	switch f.kind {
	case FormatJSON:
		return appendJSONEntry(b, e)
	case FormatCommon:
		return appendNCSA(b, e, false)
	case FormatCombinedTime:
		b = appendNCSA(b, e, true)
		b = append(b[:len(b)-1], ' ')
		b = appendSeconds(b, e.Duration)
		return append(b, '\n')
	case formatCustom:
		return f.appendOps(b, e)
	}
	return appendNCSA(b, e, true)
}

func (f *LogFormat) appendOps(b []byte, e *AccessEntry) []byte {
	for i := range f.ops {
		op := &f.ops[i]
		switch op.v {
		case varLiteral:
			b = append(b, op.lit...)
		case varRemoteAddr:
			b = appendEscapedOrDash(b, e.Remote)
		case varRemoteUser:
			b = append(b, '-')
		case varTimeLocal:
			b = e.Time.AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
		case varTimeISO8601:
			b = e.Time.AppendFormat(b, "2006-01-02T15:04:05-07:00")
		case varMsec:
			ms := e.Time.UnixMilli()
			b = strconv.AppendInt(b, ms/1000, 10)
			b = append(b, '.')
			b = appendMillis(b, ms%1000)
		case varRequest:
			if e.Method != nil {
				b = appendEscaped(b, e.Method)
				b = append(b, ' ')
				b = appendEscaped(b, e.Target)
				if e.Proto != nil {
					b = append(b, ' ')
					b = appendEscaped(b, e.Proto)
				}
			}
		case varRequestMethod:
			b = appendEscapedOrDash(b, e.Method)
		case varRequestURI:
			b = appendEscapedOrDash(b, e.Target)
		case varServerProtocol:
			b = appendEscapedOrDash(b, e.Proto)
		case varScheme:
			b = appendEscapedOrDash(b, e.Scheme)
		case varStatus:
			b = strconv.AppendInt(b, int64(e.Status), 10)
		case varBodyBytesSent:
			b = strconv.AppendInt(b, e.Bytes, 10)
		case varRequestTime:
			b = appendSeconds(b, e.Duration)
		case varHTTPReferer:
			b = appendEscapedOrDash(b, e.Referer)
		case varHTTPUserAgent:
			b = appendEscapedOrDash(b, e.UserAgent)
		}
	}
	return append(b, '\n')
}

// appendEscapedOrDash is appendEscaped, or "-" for an empty value.
func appendEscapedOrDash[S string | []byte](b []byte, s S) []byte {
	if len(s) == 0 {
		return append(b, '-')
	}
	return appendEscaped(b, s)
}

// appendSeconds writes d as nginx writes $request_time: seconds with
// millisecond resolution ("0.004"), truncated, never negative.
func appendSeconds(b []byte, d time.Duration) []byte {
	ms := max(d.Milliseconds(), 0)
	b = strconv.AppendInt(b, ms/1000, 10)
	b = append(b, '.')
	return appendMillis(b, ms%1000)
}

// appendMillis writes 0-999 as three digits.
func appendMillis(b []byte, ms int64) []byte {
	return append(b, byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
}
