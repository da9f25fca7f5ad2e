package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// writeFileAtomic renders rep into a temporary file beside p and renames
// it into place, so p is either the old file or the complete new one.
// Errors name p.
func writeFileAtomic(p string, rep reports.Reporter) error {
	if err := writeTemp(p, rep); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

func writeTemp(p string, rep reports.Reporter) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := rep(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}
