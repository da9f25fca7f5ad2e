package config

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/ferrox/ferrox/server"
	"go.yaml.in/yaml/v4"
)

// Logs is the pair of logs a server writes, built from LogsConfig.
type Logs struct {
	Access *server.AccessLog // nil with logs.access_log: off
	Error  *slog.Logger
	errOut *server.LogFile
}

// logPaths resolves logs.access_log and logs.error_log against log_dir.
func (c *Config) logPaths() (access, errorLog string) {
	access, errorLog = c.Logs.AccessLog, c.Logs.ErrorLog
	if c.Paths.LogDir != "" {
		if access == "" {
			access = filepath.Join(c.Paths.LogDir, "access.log")
		}
		if errorLog == "" {
			errorLog = filepath.Join(c.Paths.LogDir, "error.log")
		}
	}
	return access, errorLog
}

// AccessFormat compiles the access line layout c names: the template
// logs.access_log_format, else the built-in logs.access_format.
func (c *Config) AccessFormat() (*server.LogFormat, error) {
	if t := c.Logs.AccessLogFormat; t != "" {
		f, err := server.CompileLogFormat(t)
		if err != nil {
			return nil, &FieldError{Path: "logs.access_log_format", Msg: err.Error()}
		}
		return f, nil
	}
	f, ok := server.BuiltinLogFormat(c.Logs.AccessFormat)
	if !ok {
		return nil, &FieldError{Path: "logs.access_format", Msg: fmt.Sprintf("unknown format %q", c.Logs.AccessFormat)}
	}
	return f, nil
}

// faultLevel is the level a log fault is reported at: a failure and lost
// lines are errors, a recovery that lost nothing is a warning.
func faultLevel(f server.LogFault) slog.Level {
	if f.Kind == server.LogResumed && f.Lost == 0 {
		return slog.LevelWarn
	}
	return slog.LevelError
}

// reportFault writes a log fault on the error log: the message, the
// errno and, once known, the number of lines lost.
func reportFault(errLog *slog.Logger, f server.LogFault) {
	if f.Kind == server.LogWriteFailed {
		errLog.Log(context.Background(), faultLevel(f), f.String(), "errno", f.Errno())
		return
	}
	errLog.Log(context.Background(), faultLevel(f), f.String(), "errno", f.Errno(), "lost_lines", f.Lost)
}

// OpenLogs opens the logs c names (c should be valid). stdout and stderr
// are the fallbacks for "-" and for an empty log_dir.
//
// A write failure of the access log, its recovery and the count of lines
// lost are reported on the error log (with the path and the errno); those
// of the error log itself go to stderr, and its recovery is also written
// into the error log, so the gap is marked in the file.
func OpenLogs(c *Config, stdout, stderr io.Writer) (*Logs, error) {
	accessPath, errorPath := c.logPaths()
	format, err := c.AccessFormat()
	if err != nil {
		return nil, err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(or(c.Logs.Level, defaults.Level))); err != nil {
		return nil, &FieldError{Path: "logs.level", Msg: err.Error()}
	}
	flush := defaults.FlushInterval
	if v := c.Logs.FlushInterval; v != nil {
		flush = *v
	}
	l := &Logs{}
	var errLog *slog.Logger
	eo, err := server.OpenLogFile(errorPath, stderr, server.LogOptions{
		Report: func(f server.LogFault) {
			fmt.Fprintf(stderr, "ferrox: %s\n", f)
			if f.Kind == server.LogResumed {
				reportFault(errLog, f)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("logs.error_log: %w", err)
	}
	l.errOut = eo
	errLog = slog.New(slog.NewTextHandler(eo, &slog.HandlerOptions{Level: level}))
	l.Error = errLog
	// "off" turns the access log off, as in nginx (a file of that name
	// is "./off").
	if accessPath != AccessLogOff {
		a, err := server.OpenAccessLog(accessPath, stdout, format, server.LogOptions{
			FlushInterval: flush,
			Report:        func(f server.LogFault) { reportFault(errLog, f) },
		})
		if err != nil {
			eo.Close()
			return nil, fmt.Errorf("logs.access_log: %w", err)
		}
		l.Access = a
	}
	return l, nil
}

// Reopen reopens both log files (SIGUSR1 after rotation).
func (l *Logs) Reopen() error {
	return errors.Join(l.Access.Reopen(), l.errOut.Reopen())
}

// Close flushes and closes both logs.
func (l *Logs) Close() error {
	return errors.Join(l.Access.Close(), l.errOut.Close())
}

// valueOffsetPos places byte off of the text value at path (a key path
// of plain names, as logs.access_log_format) at its line and column in
// the file, when the value is written on one line: plain, in single
// quotes (” is one ') or in double quotes (\" and \\ are one byte;
// other escapes are counted as if they were one byte too). Otherwise it
// returns line, col (the key's position) unchanged.
func valueOffsetPos(root *yaml.Node, path string, off, line, col int) (int, int) {
	n := root
	if n == nil {
		return line, col
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for _, part := range strings.Split(path, ".") {
		if n.Kind != yaml.MappingNode {
			return line, col
		}
		var next *yaml.Node
		for k := 0; k+1 < len(n.Content); k += 2 {
			if n.Content[k].Value == part {
				next = n.Content[k+1]
			}
		}
		if next == nil {
			return line, col
		}
		n = next
	}
	if n.Kind != yaml.ScalarNode || off < 0 || off > len(n.Value) || strings.ContainsAny(n.Value, "\n") {
		return line, col
	}
	c := n.Column + off
	switch n.Style {
	case 0:
	case yaml.SingleQuotedStyle:
		c += 1 + strings.Count(n.Value[:off], "'")
	case yaml.DoubleQuotedStyle:
		c += 1 + strings.Count(n.Value[:off], `"`) + strings.Count(n.Value[:off], `\`)
	default:
		return line, col // block scalars: the key's position
	}
	return n.Line, c
}
