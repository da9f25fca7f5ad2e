package conformance

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
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

// PreflightInfo is what a preflight learnt about the target.
type PreflightInfo struct {
	Server     string // the Server field of its first answer ("" if none)
	RootStatus int    // PreflightRoot: the status GET prefix answered
}

// Preflight fetches each of PreflightPaths once, below cfg.Prefix (GET,
// Host: localhost, the Host the cases send) and compares the answer with
// the fixture content, so a target that does not serve the fixture there
// is refused before hundreds of cases fail for that reason alone. It
// returns a *FixtureError for the first file missing or different (with a
// prefix, it also says whether the fixture answers at / instead), or for a
// canary whose Last-Modified is not the fixture's time (checkFixtureTime),
// another error when the target cannot be reached.
func Preflight(ctx context.Context, cfg Config) (PreflightInfo, error) {
	var info PreflightInfo
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return info, err
	}
	want := map[string][]byte{}
	for _, f := range corpus.Fixture() {
		want[f.Path] = f.Data
	}
	for _, fp := range PreflightPaths {
		p := cfg.Prefix + strings.TrimPrefix(fp, "/")
		resp, err := preflightFile(ctx, &cfg, p, want[fp], &info)
		if err == nil && fp == "/canary.txt" {
			err = checkFixtureTime(p, resp)
		}
		var fe *FixtureError
		if errors.As(err, &fe) && cfg.Prefix != "/" {
			if _, err := preflightFile(ctx, &cfg, fp, want[fp], &PreflightInfo{}); err == nil {
				fe.Problem += fmt.Sprintf("; %s is the fixture's, so the fixture is served at /, not below %s (drop --prefix, or serve it there)", fp, cfg.Prefix)
			}
		}
		if err != nil {
			return info, err
		}
	}
	return info, nil
}

// preflightFile fetches p (following one local redirect) and compares
// the content with want; the first Server field seen goes to info. It
// returns the answer that carried the content.
func preflightFile(ctx context.Context, cfg *Config, p string, want []byte, info *PreflightInfo) (Response, error) {
	resp, body, err := preflightGet(ctx, cfg, p)
	if err != nil {
		return resp, err
	}
	if info.Server == "" {
		info.Server, _ = resp.header("Server")
	}
	// A server may redirect a file to its directory (Go's FileServer
	// sends /index.html to /); one redirect to a local path is
	// followed, and the content found there must be the file's.
	if loc, ok := localRedirect(&resp, p, cfg.Target); ok {
		r2, b2, err := preflightGet(ctx, cfg, loc)
		if err != nil {
			return r2, err
		}
		if err := compareFixture(p, want, r2, b2); err != nil {
			var fe *FixtureError
			if errors.As(err, &fe) {
				fe.Problem = fmt.Sprintf("redirected (%d) to %s: %s", resp.Status, loc, fe.Problem)
			}
			return r2, err
		}
		return r2, nil
	}
	return resp, compareFixture(p, want, resp, body)
}

// httpDate is the IMF-fixdate layout of an HTTP date (RFC 9110 5.6.7).
const httpDate = "Mon, 02 Jan 2006 15:04:05 GMT"

// checkFixtureTime compares the canary's Last-Modified with the time every
// fixture file is written with (corpus.FixtureModTime). A fixture copied
// without its file times (cp -r) has the copy's time instead, and every
// If-Modified-Since / If-Unmodified-Since case then fails for that reason
// alone (their validators are the fixture's date, RFC 9110 13.1.3 and
// 13.1.4): a *FixtureError naming the remedy. A server that sends no
// Last-Modified, or one this does not read as an IMF-fixdate, is left to
// the cases that judge it.
func checkFixtureTime(p string, resp Response) error {
	v, ok := resp.header("Last-Modified")
	if !ok {
		return nil
	}
	got, err := time.Parse(httpDate, strings.TrimSpace(v))
	if err != nil || got.Equal(corpus.FixtureModTime) {
		return nil
	}
	return &FixtureError{Path: p, Problem: fmt.Sprintf(
		"Last-Modified: %s, want the fixture's %s: the fixture's file times were not kept (the conditional-request cases compare dates with them): copy it with cp -a / rsync -a, or write it again with `ferrox conform --fixture DIR`",
		strings.TrimSpace(v), corpus.FixtureModTime.Format(httpDate))}
}

// PreflightRoot is the preflight of a fixture-free run: GET cfg.Prefix
// must be answered with an accepting status (corpus.Accepted), which every
// fixture-free case's canary must then get again. A rejection, a 5xx or no
// answer is a *FixtureError saying so.
func PreflightRoot(ctx context.Context, cfg Config) (PreflightInfo, error) {
	var info PreflightInfo
	cfg = cfg.withDefaults()
	if err := cfg.Validate(); err != nil {
		return info, err
	}
	resp, _, err := preflightGet(ctx, &cfg, cfg.Prefix)
	if err != nil {
		return info, err
	}
	info.Server, _ = resp.header("Server")
	if !corpus.Accepted(resp.Status) {
		return info, &FixtureError{Path: cfg.Prefix, Problem: fmt.Sprintf(
			"status %d: a plain GET %s with Host: localhost is refused, and every fixture-free case builds on it (want 2xx, 3xx or a 4xx such as 404 that is about the resource, not the message)",
			resp.Status, cfg.Prefix)}
	}
	info.RootStatus = resp.Status
	return info, nil
}

// localRedirect returns the path a 3xx answer to p points to when it stays
// on the target (a relative Location, or one naming localhost or the
// target's host).
func localRedirect(resp *Response, p, target string) (string, bool) {
	if resp.Status < 300 || resp.Status > 399 {
		return "", false
	}
	loc, ok := resp.header("Location")
	if !ok {
		return "", false
	}
	base := &url.URL{Scheme: "http", Host: "localhost", Path: p}
	u, err := url.Parse(loc)
	if err != nil {
		return "", false
	}
	u = base.ResolveReference(u)
	host, _, _ := net.SplitHostPort(target)
	if h := u.Hostname(); h != "localhost" && h != host {
		return "", false
	}
	if u.RequestURI() == p {
		return "", false
	}
	return u.RequestURI(), true
}

// preflightGet fetches p over a fresh connection: the framed response and,
// for a length- or close-delimited body, its content.
func preflightGet(ctx context.Context, cfg *Config, p string) (Response, []byte, error) {
	conn, err := dial(ctx, cfg)
	if err != nil {
		return Response{}, nil, fmt.Errorf("conformance: cannot reach %s: %w", cfg.Target, explainDial(err, cfg))
	}
	defer conn.Close()
	defer context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })()
	_ = conn.SetDeadline(time.Now().Add(2 * cfg.Timeout))
	req := "GET " + p + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
	if _, err := conn.Write([]byte(req)); err != nil {
		return Response{}, nil, &FixtureError{Path: p, Problem: "sending the request failed: " + err.Error()}
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
			return resp, b[used-int(min(resp.BodyLen, int64(used))) : used], nil
		case !errors.Is(perr, errNeedMore):
			return Response{}, nil, &FixtureError{Path: p, Problem: "the answer is not an HTTP/1.1 response (" + perr.Error() + "); is --tls right?"}
		case eof || len(b) > 1<<20:
			if len(b) == 0 {
				return Response{}, nil, &FixtureError{Path: p, Problem: "no response (" + endWords(rerr) + "); is --tls right?"}
			}
			return Response{}, nil, &FixtureError{Path: p, Problem: fmt.Sprintf("incomplete response after %d bytes (%s); is --tls right?", len(b), endWords(rerr))}
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
