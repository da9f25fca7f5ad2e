package config

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"github.com/ferrox/ferrox/server"
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

// OpenLogs opens the logs c names (c should be valid). stdout and stderr
// are the fallbacks for "-" and for an empty log_dir.
func OpenLogs(c *Config, stdout, stderr io.Writer) (*Logs, error) {
	accessPath, errorPath := c.logPaths()
	format, ok := server.ParseAccessFormat(c.Logs.AccessFormat)
	if !ok {
		return nil, &FieldError{Path: "logs.access_format", Msg: fmt.Sprintf("unknown format %q", c.Logs.AccessFormat)}
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(or(c.Logs.Level, defaults.Level))); err != nil {
		return nil, &FieldError{Path: "logs.level", Msg: err.Error()}
	}
	l := &Logs{}
	// "off" turns the access log off, as in nginx (a file of that name
	// is "./off").
	if accessPath != AccessLogOff {
		a, err := server.OpenAccessLog(accessPath, stdout, format)
		if err != nil {
			return nil, fmt.Errorf("logs.access_log: %w", err)
		}
		l.Access = a
	}
	eo, err := server.OpenLogFile(errorPath, stderr)
	if err != nil {
		l.Access.Close()
		return nil, fmt.Errorf("logs.error_log: %w", err)
	}
	l.errOut = eo
	l.Error = slog.New(slog.NewTextHandler(eo, &slog.HandlerOptions{Level: level}))
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
