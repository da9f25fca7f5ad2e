package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ferrox/ferrox/corpus"
)

// PreflightPaths are the fixture files Preflight fetches: the canary every
// desync check relies on, a plain file and the index page.
var PreflightPaths = []string{"/canary.txt", "/a.txt", "/index.html"}

// FixtureError says that the target does not serve the fixture tree the
// corpus is written against: Path is the fixture file that was missing or
// different, Problem what was seen instead (one line).
type FixtureError struct {
	Path    string
	Problem string
}

func (e *FixtureError) Error() string {
	return fmt.Sprintf("fixture file %s is not being served: %s", e.Path, e.Problem)
}

// Preflight fetches each of PreflightPaths once (GET, Host: localhost, the
// Host the cases send) and compares the answer with the fixture content,
// so a target that does not serve the fixture as its document root is
// refused before hundreds of cases fail for that reason alone. It returns
// a *FixtureError for the first file missing or different, another error
// when the target cannot be reached.
func Preflight(ctx context.Context, cfg Config) error {
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	want := map[string][]byte{}
	for _, f := range corpus.Fixture() {
		want[f.Path] = f.Data
	}
	for _, p := range PreflightPaths {
		if err := preflightOne(ctx, &cfg, p, want[p]); err != nil {
			return err
		}
	}
	return nil
}

func preflightOne(ctx context.Context, cfg *Config, p string, want []byte) error {
	conn, err := dial(ctx, cfg)
	if err != nil {
		return fmt.Errorf("conformance: cannot reach %s: %w", cfg.Target, explainDial(err, cfg))
	}
	defer conn.Close()
	defer context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })()
	_ = conn.SetDeadline(time.Now().Add(2 * cfg.Timeout))
	req := "GET " + p + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		return &FixtureError{Path: p, Problem: "sending the request failed: " + err.Error()}
	}
	var b []byte
	buf := make([]byte, 16<<10)
	for {
		n, rerr := conn.Read(buf)
		b = append(b, buf[:n]...)
		eof := rerr != nil
		resp, used, perr := parseResponse(b, "GET", eof)
		switch {
		case perr == nil:
			return compareFixture(p, want, resp, b[used-int(min(resp.BodyLen, int64(used))):used])
		case !errors.Is(perr, errNeedMore):
			return &FixtureError{Path: p, Problem: "the answer is not an HTTP/1.1 response (" + perr.Error() + "); is --tls right?"}
		case eof || len(b) > 1<<20:
			if len(b) == 0 {
				return &FixtureError{Path: p, Problem: "no response (" + endWords(rerr) + "); is --tls right?"}
			}
			return &FixtureError{Path: p, Problem: fmt.Sprintf("incomplete response after %d bytes (%s); is --tls right?", len(b), endWords(rerr))}
		}
	}
}

// endWords says in a few words how a read ended.
func endWords(err error) string {
	switch classifyEnd(err) {
	case EndOpen:
		return "timed out"
	case EndFIN:
		return "connection closed"
	case EndRST:
		return "connection reset"
	}
	return err.Error()
}

// compareFixture checks one answer against the fixture file. body holds the
// received content for a length- or close-delimited body; for a chunked one
// only its first bytes (resp.BodyStart) are compared.
func compareFixture(p string, want []byte, resp Response, body []byte) error {
	if resp.Status != 200 {
		return &FixtureError{Path: p, Problem: "status " + strconv.Itoa(resp.Status) + ", want 200"}
	}
	if resp.BodyLen != int64(len(want)) {
		return &FixtureError{Path: p, Problem: fmt.Sprintf("%d bytes starting %q, want the fixture's %d bytes starting %q",
			resp.BodyLen, clip(string(resp.BodyStart)), len(want), clip(string(want[:min(len(want), maxBodyStart)])))}
	}
	got := body
	if resp.Framing == "chunked" || int64(len(body)) != resp.BodyLen {
		got, want = resp.BodyStart, want[:min(len(want), len(resp.BodyStart))]
	}
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		return &FixtureError{Path: p, Problem: fmt.Sprintf("the content differs from the fixture's at byte %d", i)}
	}
	return nil
}
