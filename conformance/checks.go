package conformance

import (
	"bytes"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/ferrox/ferrox/corpus"
)

// A check inspects the responses to a case's own requests (the canary's is
// excluded) and returns "" when satisfied, else why not.
type check func(c *corpus.Case, obs *Observed, own []Response, refs []reqInfo) string

// checks maps the names a case lists in Check to their implementation.
var checks = map[string]check{
	"date":                  checkDate,
	"head-no-body":          checkHeadNoBody,
	"no-chunked-to-10":      checkNoChunkedTo10,
	"content-length":        checkContentLength,
	"location-not-external": checkLocation,
	"no-crlf-injection":     checkNoCRLFInjection,
	"no-raw-markup":         checkNoRawMarkup,
	"allow-header":          checkAllow,
	"no-trace-echo":         checkNoTraceEcho,
}

// CheckNames lists the response checks the runner implements.
func CheckNames() []string {
	out := make([]string, 0, len(checks))
	for k := range checks {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func judgeChecks(c *corpus.Case, obs *Observed, refs []reqInfo) (Verdict, string) {
	own := obs.Responses
	if len(own) > len(refs) {
		own = own[:len(refs)]
	}
	for _, name := range c.Check {
		fn, ok := checks[name]
		if !ok {
			return Error, fmt.Sprintf("unknown check %q", name)
		}
		if why := fn(c, obs, own, refs); why != "" {
			return failVerdict(c.Level), fmt.Sprintf("check %s: %s", name, why)
		}
	}
	return Pass, fmt.Sprintf("got %s; %s", describeGot(obs), describeEnd(obs.End))
}

// imfFixdate is the preferred HTTP date format (RFC 9110 §5.6.7).
const imfFixdate = "Mon, 02 Jan 2006 15:04:05 GMT"

// checkDate: an origin with a clock sends Date in 2xx, 3xx and 4xx
// responses (RFC 9110 §6.6.1), as an IMF-fixdate (§5.6.7).
func checkDate(_ *corpus.Case, _ *Observed, own []Response, _ []reqInfo) string {
	for _, r := range own {
		if r.Status < 200 || r.Status >= 500 {
			continue
		}
		d, ok := r.header("Date")
		if !ok {
			return fmt.Sprintf("no Date on %d", r.Status)
		}
		if _, err := time.Parse(imfFixdate, d); err != nil {
			return fmt.Sprintf("Date %q on %d is not an IMF-fixdate", clip(d), r.Status)
		}
	}
	return ""
}

// checkHeadNoBody: a response to HEAD carries no content (RFC 9110 §9.3.2);
// content bytes after it show up as bytes that frame as no response.
func checkHeadNoBody(_ *corpus.Case, obs *Observed, _ []Response, refs []reqInfo) string {
	for _, r := range refs {
		if r.Method == "HEAD" && obs.Unframed > 0 {
			return fmt.Sprintf("%d bytes after the HEAD response's header section", obs.Unframed)
		}
	}
	return ""
}

// checkNoChunkedTo10: no Transfer-Encoding in a response to an HTTP/1.0
// request (RFC 9112 §6.1).
func checkNoChunkedTo10(_ *corpus.Case, _ *Observed, own []Response, refs []reqInfo) string {
	for i, r := range own {
		if i < len(refs) && refs[i].Proto != "HTTP/1.0" {
			continue
		}
		if te, ok := r.header("Transfer-Encoding"); ok {
			return fmt.Sprintf("Transfer-Encoding %q in a response to HTTP/1.0", clip(te))
		}
	}
	return ""
}

// checkContentLength: responses are length-delimited (RFC 9110 §8.6, RFC
// 9112 §6.3): Content-Length or chunked, except where no body can follow.
func checkContentLength(_ *corpus.Case, _ *Observed, own []Response, _ []reqInfo) string {
	for _, r := range own {
		if r.Status < 200 || r.Status == 204 || r.Status == 304 {
			continue
		}
		_, cl := r.header("Content-Length")
		te, hasTE := r.header("Transfer-Encoding")
		if !cl && !(hasTE && strings.Contains(strings.ToLower(te), "chunked")) {
			return fmt.Sprintf("%d has neither Content-Length nor chunked", r.Status)
		}
	}
	return ""
}

// checkLocation: a redirect built from the request target must not point to
// another host (open redirect): no scheme-relative "//" or "/\" targets and
// no absolute URL naming a host other than the request's.
func checkLocation(_ *corpus.Case, _ *Observed, own []Response, refs []reqInfo) string {
	host := ""
	if len(refs) > 0 {
		host = refs[0].Host
	}
	for _, r := range own {
		loc, ok := r.header("Location")
		if !ok {
			continue
		}
		if strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, `/\`) || strings.HasPrefix(loc, `\`) {
			return fmt.Sprintf("Location %q is scheme-relative", clip(loc))
		}
		u, err := url.Parse(loc)
		if err != nil {
			return fmt.Sprintf("Location %q does not parse", clip(loc))
		}
		// Compare host names, not ports: a server that puts its own port in
		// an absolute Location (nginx: http://localhost:8080/dir/) still
		// redirects to the same host; another host name is the open redirect.
		if u.Host != "" && !strings.EqualFold(u.Hostname(), (&url.URL{Host: host}).Hostname()) {
			return fmt.Sprintf("Location %q points to another host", clip(loc))
		}
	}
	return ""
}

// injectedNames are header names the corpus smuggles into targets and
// values; seeing one as a response header means response splitting.
var injectedNames = []string{"set-cookie", "x-injected", "injected"}

// checkNoCRLFInjection: no CR or LF from the request reaches a response
// header (RFC 9112 §11.1).
func checkNoCRLFInjection(_ *corpus.Case, _ *Observed, own []Response, _ []reqInfo) string {
	for _, r := range own {
		for _, h := range r.Headers {
			for _, n := range injectedNames {
				if strings.EqualFold(h[0], n) {
					return fmt.Sprintf("response header %q injected", h[0])
				}
			}
			if strings.ContainsAny(h[0]+h[1], "\r\n") {
				return fmt.Sprintf("CR or LF inside response header %q", clip(h[0]))
			}
		}
	}
	return ""
}

// checkNoRawMarkup: names taken from the request or the file system are
// escaped in generated HTML (listings, error pages). Only the markup the
// case itself supplied counts, never any tag in the page: a listing or error
// page may carry its own <script> (Caddy's does), and that is no echo. The
// needles are markupNeedles; the page fails when it holds one of them raw.
func checkNoRawMarkup(_ *corpus.Case, obs *Observed, _ []Response, refs []reqInfo) string {
	page := bytes.ToLower(obs.Received)
	for _, n := range markupNeedles(refs) {
		if bytes.Contains(page, []byte(strings.ToLower(n))) {
			return fmt.Sprintf("%q echoed unescaped", clip(n))
		}
	}
	return ""
}

// markupNeedles lists the unescaped bytes a server could echo from a case:
// each piece of a request target (path segment, query name or value; both
// as sent and percent-decoded) that holds a '<', from that '<' on, and the
// fixture's file names that hold one (a listing echoes those). A piece is
// what a server would print whole, so a page that escapes it never
// contains it raw.
func markupNeedles(refs []reqInfo) []string {
	var out []string
	add := func(piece string) {
		i := strings.IndexByte(piece, '<')
		if i < 0 {
			return
		}
		n := piece[i:]
		for _, o := range out {
			if o == n {
				return
			}
		}
		out = append(out, n)
	}
	for _, r := range refs {
		p, q, _ := strings.Cut(r.Target, "?")
		for _, s := range []string{p, unescapeLoose(p)} {
			for _, seg := range strings.Split(s, "/") {
				add(seg)
			}
		}
		for _, s := range []string{q, unescapeLoose(q)} {
			for _, kv := range strings.Split(s, "&") {
				for _, piece := range strings.Split(kv, "=") {
					add(piece)
				}
			}
		}
	}
	for _, f := range corpus.Fixture() {
		add(path.Base(f.Path))
	}
	return out
}

// unescapeLoose percent-decodes s, leaving a malformed escape as it is.
func unescapeLoose(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// checkAllow: a 405 lists the allowed methods in Allow (RFC 9110 §15.5.6).
func checkAllow(_ *corpus.Case, _ *Observed, own []Response, _ []reqInfo) string {
	for _, r := range own {
		if r.Status == 405 {
			if _, ok := r.header("Allow"); !ok {
				return "405 without Allow"
			}
		}
	}
	return ""
}

// checkNoTraceEcho: a static server does not reflect a TRACE request (which
// would expose credentials to scripts: cross-site tracing).
func checkNoTraceEcho(_ *corpus.Case, obs *Observed, own []Response, refs []reqInfo) string {
	if len(own) == 0 || own[0].Status/100 != 2 {
		return ""
	}
	if ct, _ := own[0].header("Content-Type"); strings.HasPrefix(strings.ToLower(ct), "message/http") {
		return "TRACE answered with message/http"
	}
	if len(refs) > 0 && refs[0].Method == "TRACE" {
		line := refs[0].Method + " " + refs[0].Target
		if i := bytes.Index(obs.Received, []byte("\r\n\r\n")); i >= 0 && bytes.Contains(obs.Received[i:], []byte(line)) {
			return "TRACE request echoed in the body"
		}
	}
	return ""
}
