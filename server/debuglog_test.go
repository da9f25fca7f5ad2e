package server

import (
	"log/slog"
	"strings"
	"testing"
)

// TestDebugMessagesFollowTheLevel: the messages whose arguments are built
// only when debug is on (debugOn) are still logged, with those arguments,
// when it is, and not otherwise.
func TestDebugMessagesFollowTheLevel(t *testing.T) {
	for _, tc := range []struct {
		level slog.Level
		want  bool
	}{{slog.LevelDebug, true}, {slog.LevelInfo, false}} {
		t.Run(tc.level.String(), func(t *testing.T) {
			var log logBuffer
			lg := slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: tc.level}))
			e := serveEnv(t, testSettings(), testSite(t), Options{ErrorLog: lg})
			if got := e.s.debugOn(); got != tc.want {
				t.Fatalf("debugOn() = %v at %v", got, tc.level)
			}
			c := e.dial(t)
			c.send("GET /a.txt HTTP/1.1\r\nHost: a\r\nNo colon here\r\n\r\n")
			if resp, _ := c.read("GET"); resp.StatusCode != 400 {
				t.Fatalf("status %d; want 400", resp.StatusCode)
			}
			c.expectEOF()
			lines := log.lines(`msg="request rejected"`, "remote=127.0.0.1", "status=400")
			if got := len(lines) == 1; got != tc.want {
				t.Fatalf("at %v, the rejection logged %d times; want it %v:\n%s", tc.level, len(lines), tc.want, log.String())
			}
			if !tc.want && strings.Contains(log.String(), "level=DEBUG") {
				t.Fatalf("a debug message at %v:\n%s", tc.level, log.String())
			}
			if tc.want && !strings.Contains(lines[0], "err=") {
				t.Fatalf("the rejection's line has no err: %s", lines[0])
			}
		})
	}
}
