package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/ferrox/ferrox/internal/loopback"
	"github.com/ferrox/ferrox/reports"
)

// Helpers shared by the subcommands.

// allowRemoteHelp is the --allow-remote flag text of every command that
// sends traffic.
const allowRemoteHelp = "allow a target that is not a loopback address (127.0.0.0/8, ::1): only a server you own or may probe"

// refuseRemote applies the loopback rule of every command that sends
// traffic (conform, load): unless allowRemote, target (host, or host:port)
// must resolve only to loopback addresses. It runs before anything is
// dialled; the error tells the user about --allow-remote.
func refuseRemote(r loopback.Resolver, target string, allowRemote bool) error {
	if allowRemote {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := loopback.Check(ctx, r, target); err != nil {
		return fmt.Errorf("refusing target %s: %w; pass --allow-remote to send to a server you own", target, err)
	}
	return nil
}

// splitList splits a comma-separated flag value, trimming spaces and
// dropping empty items.
func splitList(s string) []string {
	var out []string
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// writeFileAtomic is reports.WriteFile: p is the old file or the
// complete new one.
func writeFileAtomic(p string, rep reports.Reporter) error { return reports.WriteFile(p, rep) }
