package conformance

import (
	"bytes"
	"fmt"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/ferrox/ferrox/corpus"
)

// Kinds of chain findings. The first four are what request smuggling looks
// like from the origin's side; the rest are the RFC's rules for
// intermediaries.
const (
	FindSmuggled         = "smuggled"            // a request the client never sent as one reached the origin (safety)
	FindAfterClose       = "after-close"         // a request sent after one that ends the connection was forwarded (RFC 9112 §9.6)
	FindMalformed        = "forwarded-malformed" // the origin's strict parser rejects what the front end forwarded
	FindReframed         = "reframed"            // a request reached the origin with a body other than the one the client framed
	FindResponseDesync   = "response-desync"     // the client got the response of another request than the one it is answering
	FindForwardedInvalid = "forwarded-invalid"   // a message the case says to refuse was forwarded
	FindNotForwarded     = "not-forwarded"       // a message the case says to forward was refused
	FindConnectionField  = "connection-field"    // a field named in Connection was forwarded (RFC 9110 §7.6.1)
	FindMaxForwards      = "max-forwards"        // Max-Forwards not honoured (RFC 9110 §7.6.2)
	FindNoVia            = "no-via"              // no Via added (RFC 9110 §7.6.3)
	FindUnaccounted      = "unaccounted"         // a forwarded request the judge cannot tie to the client's bytes
)

// Finding is one thing the chain judge found about a case.
type Finding struct {
	Kind     string  `json:"kind"`
	Severity Verdict `json:"severity"` // Fail or Warn
	Detail   string  `json:"detail"`
	Conn     int     `json:"conn,omitempty"` // the upstream connection concerned (0: none)
	Seq      int     `json:"seq,omitempty"`  // the request on it (0: none)
}

// Chain is what a chain run saw for one case: what the client meant, what
// reached the origin, and the findings.
type Chain struct {
	Intent    Intent     `json:"intent"`
	Upstreams []Upstream `json:"upstreams"`
	Findings  []Finding  `json:"findings,omitempty"`
	// Matched maps "c<conn> r<seq>" of each forwarded request the judge
	// tied to a client message to that message's index in Intent.Messages.
	Matched map[string]int `json:"matched,omitempty"`
}

// judgeChain compares what the client meant with what the origin received
// and what the client got back. No timer decides anything: only bytes.
func judgeChain(c *corpus.Case, obs *Observed, ch *Chain, stream []byte) (Verdict, string) {
	in := &ch.Intent
	ch.Matched = map[string]int{}
	ch.Findings = ch.Findings[:0]
	add := func(kind string, sev Verdict, conn, seq int, format string, args ...any) {
		ch.Findings = append(ch.Findings, Finding{Kind: kind, Severity: sev, Detail: fmt.Sprintf(format, args...), Conn: conn, Seq: seq})
	}
	level := failVerdict(c.Level)

	// 1. Bytes the origin's strict parser refused for their syntax or
	// framing (not for its size limits, which are policy).
	for _, u := range ch.Upstreams {
		if u.Reject != "" && !limitReason[u.Reject] {
			add(FindMalformed, Fail, u.Conn, 0, "the origin's strict parser rejects the forwarded bytes at offset %d: %s (%d)%s", u.RejectAt, u.Reject, u.RejectStatus, proxyRule[u.Reject])
		}
	}

	// 2. Tie every forwarded request to a client message, in order.
	matched := make([]bool, len(in.Messages))
	who := make([]string, len(in.Messages)) // tag of the forwarded request tied to each message
	unmatched := map[string]bool{}
	// The origin's tags the client got back: a front end relays the
	// answer of each request it framed itself.
	relayed := map[string]bool{}
	for _, resp := range obs.Responses {
		if tag := headerValue(resp.Headers, OriginHeader); tag != "" {
			relayed[tag] = true
		}
	}
	for _, r := range byArrival(ch.Upstreams) {
		u := upstreamOf(ch, r)
		tag := r.Tag
		_, seq := splitTag(tag)
		j := matchIntent(in, matched, r)
		if j >= 0 {
			matched[j] = true
			who[j] = tag
			ch.Matched[tag] = j
			checkRewrites(c, &in.Messages[j], r, u.Conn, seq, add)
			continue
		}
		if strings.HasPrefix(r.Path, chainCanaryPath) && !bytes.Contains(stream, []byte(" "+r.Path+" ")) {
			// Another case's canary, forwarded late: not this case's doing.
			continue
		}
		kind, sev, why := locate(in, stream, r, relayed[tag], level)
		if kind == FindSmuggled {
			unmatched[tag] = true
		}
		if kind == FindAfterClose && !closeRequired(c, in) {
			// The case lets a server keep the connection after the
			// message (an outcome without +close): the front end read
			// on, as a server may.
			continue
		}
		add(kind, sev, u.Conn, seq, "%s %s reached the origin: %s", r.Method, quoteTarget(r.Target), why)
	}

	// 3. The case's chain expectation, about its offending message: the
	// first one the strict parse does not accept, else the first. A valid
	// message may always be forwarded (the origin answers for its
	// semantics: a 404 expected of a server is not a front end's job);
	// refusing it is judged like refusing an invalid one.
	if off := offending(in); off >= 0 {
		m := &in.Messages[off]
		allowed := func(o corpus.ChainOutcome) bool {
			if off > 0 && !explicitChain(c) {
				return true // expect describes the first response, not this message
			}
			return chainAllows(c, o)
		}
		switch {
		case matched[off] && m.Class != IntentOK && !allowed(corpus.ChainForward):
			add(FindForwardedInvalid, level, 0, 0, "message %d (%s %s, %s) was forwarded; the case expects the front end to refuse it", off+1, m.Method, quoteTarget(m.Target), describeClass(m))
		case !matched[off] && m.Class != IntentPartial && !allowed(corpus.ChainReject) && !originRefused(ch):
			// Refusing is never unsafe: at safety level it only warns.
			sev := level
			if c.Level == corpus.Safety {
				sev = Warn
			}
			add(FindNotForwarded, sev, 0, 0, "message %d (%s %s) did not reach the origin; the case expects it forwarded", off+1, m.Method, quoteTarget(m.Target))
		}
	}

	// 4. Bodies: a message forwarded with other content was framed
	// differently by the front end than by the strict reading.
	for j, m := range in.Messages {
		if !matched[j] || m.Class == IntentPartial || m.Class == IntentRejected {
			continue // a rejected message has no agreed body to compare
		}
		r := forwardedBy(ch, who[j])
		if r == nil {
			continue
		}
		if r.BodyLen != m.BodyLen || !bytes.Equal(r.Body, m.Body) {
			conn, seq := splitTag(who[j])
			if r.BodyLen == 0 {
				// Read and dropped (Varnish does so for GET): the framing
				// agreed, or the body would have come back as a request.
				add(FindReframed, Warn, conn, seq, "message %d (%s %s): the front end read its %d body bytes and forwarded none", j+1, m.Method, quoteTarget(m.Target), m.BodyLen)
				continue
			}
			sev := Fail
			if m.Class != IntentOK {
				sev = level
			}
			add(FindReframed, sev, conn, seq, "message %d (%s %s) carried %d body bytes from the client and %d to the origin", j+1, m.Method, quoteTarget(m.Target), m.BodyLen, r.BodyLen)
		}
	}

	// 5. Responses: every client response that carries the origin's tag
	// must answer the client's messages in order, never a request the
	// client did not send.
	last := -1
	for i, resp := range obs.Responses {
		tag := headerValue(resp.Headers, OriginHeader)
		if tag == "" || strings.HasSuffix(tag, " rejected") {
			continue
		}
		conn, seq := splitTag(tag)
		j, ok := ch.Matched[tag]
		switch {
		case unmatched[tag]:
			add(FindResponseDesync, Fail, conn, seq, "the client's response %d is the origin's answer to a request the client did not send as one (%s)", i+1, tag)
		case !ok && isForwarded(ch, conn, seq):
			continue // tied to nothing the judge could name (unaccounted above)
		case !ok:
			add(FindResponseDesync, Fail, conn, seq, "the client's response %d carries origin tag %q, which belongs to no request of this case", i+1, tag)
		case j <= last:
			add(FindResponseDesync, Fail, conn, seq, "the client's response %d answers message %d again or out of order", i+1, j+1)
		default:
			last = j
		}
	}

	sort.SliceStable(ch.Findings, func(a, b int) bool { return rank(ch.Findings[a].Severity) < rank(ch.Findings[b].Severity) })
	var fails, warns []string
	for _, f := range ch.Findings {
		switch f.Severity {
		case Fail:
			fails = append(fails, f.Kind+": "+f.Detail)
		case Warn:
			warns = append(warns, f.Kind+": "+f.Detail)
		}
	}
	switch {
	case len(fails) > 0:
		return Fail, strings.Join(fails, "; ")
	case len(warns) > 0:
		return Warn, strings.Join(warns, "; ")
	}
	return Pass, describeChainPass(in, ch)
}

func rank(v Verdict) int {
	switch v {
	case Fail:
		return 0
	case Warn:
		return 1
	}
	return 2
}

func describeChainPass(in *Intent, ch *Chain) string {
	return fmt.Sprintf("%d of %d client messages reached the origin as sent; nothing else did", len(ch.Matched), len(in.Messages))
}

func describeClass(m *IntentMessage) string {
	switch m.Class {
	case IntentTolerated:
		return "invalid syntax: " + m.Reason
	case IntentRejected:
		return "framing in doubt: " + m.Reason
	case IntentPartial:
		return "incomplete"
	}
	return "valid"
}

// chainOf returns the case's chain expectation (corpus FORMAT.md, key
// "chain"; derived from expect when the case file has none).
func chainOf(c *corpus.Case) []corpus.ChainOutcome {
	if len(c.Chain) > 0 {
		return c.Chain
	}
	return corpus.DefaultChain(c.Expect)
}

// ChainExpect returns what a chain run expects of a front end for the case
// (FORMAT.md, key "chain"): "reject", "forward", both, or "any".
func ChainExpect(c *corpus.Case) []string {
	var out []string
	for _, o := range chainOf(c) {
		out = append(out, string(o))
	}
	return out
}

// explicitChain reports whether the case states its chain expectation
// rather than deriving it from expect (which describes the first response).
func explicitChain(c *corpus.Case) bool {
	return len(c.Chain) > 0 && corpus.FormatChain(c.Chain) != corpus.FormatChain(corpus.DefaultChain(c.Expect))
}

// chainAllows reports whether the case's chain expectation allows o.
func chainAllows(c *corpus.Case, o corpus.ChainOutcome) bool {
	for _, a := range chainOf(c) {
		if a == o || a == corpus.ChainAny {
			return true
		}
	}
	return false
}

// offending returns the index of the message the case's chain expectation
// is about: the first the strict reading does not accept, else the first.
func offending(in *Intent) int {
	for j, m := range in.Messages {
		if m.Class != IntentOK {
			return j
		}
	}
	if len(in.Messages) > 0 {
		return 0
	}
	return -1
}

// originRefused reports whether the origin refused bytes or saw a message
// cut short: then the front end did forward, just not a request the origin
// could frame (reported as forwarded-malformed).
func originRefused(ch *Chain) bool {
	for _, u := range ch.Upstreams {
		if u.Reject != "" || u.Pending > 0 {
			return true
		}
	}
	return false
}

// proxyRule names the intermediary's duty a forwarded refusal breaks,
// where the RFC states one.
var proxyRule = map[string]string{
	"cl_and_te":          "; a proxy that forwards Transfer-Encoding must first remove Content-Length (RFC 9112 §6.1)",
	"obs_fold":           "; a proxy must replace obs-fold with SP or reject the message (RFC 9112 §5.2)",
	"bare_cr":            "; a bare CR must be rejected or replaced with SP before processing or forwarding (RFC 9112 §2.2)",
	"bare_lf":            "; CRLF ends every line on the wire; a proxy forwards what it parsed, not the client's bytes",
	"te_in_http10":       "; an HTTP/1.0 message with Transfer-Encoding has faulty framing (RFC 9112 §6.1)",
	"space_before_colon": "; whitespace between a field name and the colon must be rejected, and a proxy must remove it before forwarding (RFC 9112 §5.1)",
	"bad_field_value":    "; CTL bytes are not field content (RFC 9110 §5.5)",
}

// limitReason lists the strict parser's rejections for size, which a
// front end may legitimately exceed (its limits are not the origin's).
var limitReason = map[string]bool{"head_too_large": true, "too_many_fields": true, "target_too_long": true, "method_too_long": true, "trailer_too_large": true, "chunk_ext_too_large": true}

func isForwarded(ch *Chain, conn, seq int) bool {
	return forwardedBy(ch, originTag(conn, seq)) != nil
}

// matchIntent ties a forwarded request to the first client message not yet
// tied with the same method (HEAD may become GET) and the same target in
// origin-form (percent-encoding normalised), or returns -1.
func matchIntent(in *Intent, matched []bool, r *Message) int {
	// Passes, most exact first: same path; same path once unescaped; same
	// path once normalised (a gateway may resolve dot-segments). Requests
	// come in arrival order, so among messages with one target the first
	// unmatched is the one forwarded first (a body is not a tie-breaker: a
	// front end may drop a GET's body).
	for pass := 1; pass < 4; pass++ {
		for j := range in.Messages {
			m := &in.Messages[j]
			if matched[j] || m.Class == IntentPartial || !sameMethod(m.Method, r.Method) {
				continue
			}
			switch {
			case pass == 1 && m.Path == r.Path,
				pass == 2 && samePath(m.Path, r.Path),
				pass == 3 && sameCleanPath(m.Path, r.Path):
				return j
			}
		}
	}
	return -1
}

// byArrival lists the forwarded requests of every upstream connection in
// the order the origin framed them (Message.Arrival); requests without an
// arrival number (older reports) keep their connection order.
func byArrival(ups []Upstream) []*Message {
	var out []*Message
	for i := range ups {
		for k := range ups[i].Requests {
			out = append(out, &ups[i].Requests[k])
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Arrival < out[b].Arrival })
	return out
}

func upstreamOf(ch *Chain, r *Message) *Upstream {
	conn, _ := splitTag(r.Tag)
	for i := range ch.Upstreams {
		if ch.Upstreams[i].Conn == conn {
			return &ch.Upstreams[i]
		}
	}
	return &Upstream{}
}

func sameMethod(client, origin string) bool {
	return client == origin || (client == "HEAD" && origin == "GET")
}

func samePath(a, b string) bool {
	ua, err1 := url.PathUnescape(a)
	ub, err2 := url.PathUnescape(b)
	return err1 == nil && err2 == nil && ua == ub
}

// sameCleanPath compares paths the way a gateway that normalises them
// sees them: unescaped, dot-segments and repeated slashes removed (RFC
// 3986 §5.2.4), the query left as it is.
func sameCleanPath(a, b string) bool {
	clean := func(p string) string {
		p, q, _ := strings.Cut(p, "?")
		if u, err := url.PathUnescape(p); err == nil {
			p = u
		}
		return path.Clean("/"+p) + "?" + q
	}
	return clean(a) == clean(b)
}

// locate explains a forwarded request the judge could not tie to a client
// message by finding its request-line in the client's bytes:
//   - inside the head or body of a message the strict reading framed, it
//     is smuggled: the client never sent it as a request;
//   - past a message whose framing is in doubt, or one that closes the
//     connection, it is smuggled when the front end did not relay its
//     answer (the front end took the bytes for part of another message
//     while the origin framed a request: the two disagree), and
//     after-close when it did (the front end framed the request itself,
//     where it had to refuse or close).
func locate(in *Intent, stream []byte, r *Message, relayed bool, level Verdict) (kind string, sev Verdict, why string) {
	needles := []string{r.Method + " " + r.Target}
	if r.Path != r.Target {
		needles = append(needles, r.Method+" "+r.Path)
	}
	var at []int
	for _, n := range needles {
		for k := 0; k < len(stream); {
			p := bytes.Index(stream[k:], []byte(n))
			if p < 0 {
				break
			}
			at = append(at, k+p)
			k += p + 1
		}
	}
	sort.Ints(at)
	for _, p := range at {
		for j, m := range in.Messages {
			if m.Class == IntentRejected || p <= m.Start || p >= m.End {
				continue
			}
			part := "body"
			if p < m.HeadEnd {
				part = "head"
			}
			return FindSmuggled, Fail, fmt.Sprintf("the client sent those bytes at offset %d inside the %s of message %d, not as a request", p, part, j+1)
		}
	}
	for _, p := range at {
		if p < in.Hidden {
			continue
		}
		where := fmt.Sprintf("offset %d, after a message that closes the connection", p)
		if in.HiddenWhy == "framing" {
			where = fmt.Sprintf("offset %d, after a message whose framing is in doubt", p)
			if j := rejectedAt(in); j >= 0 {
				where = fmt.Sprintf("offset %d, after the head of message %d, whose framing is in doubt (%s)", p, j+1, in.Messages[j].Reason)
			}
		}
		if !relayed {
			return FindSmuggled, Fail, "the client sent those bytes at " + where + ", and the front end did not answer it as a request of its own: it forwarded them inside another message and the origin framed a request"
		}
		return FindAfterClose, level, "the client sent it at " + where + "; the front end framed it as a request and forwarded it instead of closing"
	}
	if len(at) > 0 {
		return FindUnaccounted, Warn, fmt.Sprintf("a second copy of a client request (offset %d)", at[0])
	}
	return FindUnaccounted, Warn, "its request-line is nowhere in the client's bytes (a rewrite the judge does not know)"
}

// closeRequired reports whether nothing may follow the message that ends
// the client's stream: it asks to close (Connection: close, HTTP/1.0), or
// every outcome the case allows closes the connection.
func closeRequired(c *corpus.Case, in *Intent) bool {
	if in.HiddenWhy == "close" {
		return true
	}
	for _, o := range c.Expect {
		if !o.Close && o.Status != "" {
			return false
		}
	}
	return true
}

// rejectedAt returns the index of the message whose framing is in doubt.
func rejectedAt(in *Intent) int {
	for j, m := range in.Messages {
		if m.Class == IntentRejected {
			return j
		}
	}
	return -1
}

// checkRewrites applies the RFC's rules for intermediaries to one
// forwarded request r and the client message m it carries.
func checkRewrites(c *corpus.Case, m *IntentMessage, r *Message, conn, seq int, add func(string, Verdict, int, int, string, ...any)) {
	// RFC 9110 §7.6.1: the options a Connection field names are for this
	// hop only; a proxy removes the fields they name before forwarding.
	for _, v := range m.Field("Connection") {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			switch strings.ToLower(t) {
			case "", "close", "keep-alive", "upgrade":
				continue
			}
			if len(r.Field(t)) > 0 {
				add(FindConnectionField, Fail, conn, seq, "the field %s, named in the client's Connection field, was forwarded", t)
			}
		}
	}
	// RFC 9110 §7.6.2: for TRACE and OPTIONS a proxy honours Max-Forwards:
	// at zero it answers itself, otherwise it forwards one less.
	if m.Method == "OPTIONS" || m.Method == "TRACE" {
		if v := m.Field("Max-Forwards"); len(v) == 1 {
			if n, err := strconv.ParseUint(strings.TrimSpace(v[0]), 10, 31); err == nil {
				got := r.Field("Max-Forwards")
				switch {
				case n == 0:
					add(FindMaxForwards, Fail, conn, seq, "a %s with Max-Forwards: 0 was forwarded; the front end must answer it", m.Method)
				case len(got) != 1 || strings.TrimSpace(got[0]) != strconv.FormatUint(n-1, 10):
					add(FindMaxForwards, Fail, conn, seq, "Max-Forwards %d arrived as %q; a proxy forwards one less", n, strings.Join(got, ", "))
				}
			}
		}
	}
	// RFC 9110 §7.6.3: an intermediary adds Via to the requests it
	// forwards. Checked only by the cases
	// about it, so a proxy without Via is not warned on every case.
	if strings.HasPrefix(c.Requirement, "9110-7.6.3") && len(r.Field("Via")) == len(m.Field("Via")) {
		add(FindNoVia, failVerdict(c.Level), conn, seq, "no Via field was added")
	}
}

func forwardedBy(ch *Chain, tag string) *Message {
	for k := range ch.Upstreams {
		u := &ch.Upstreams[k]
		for j := range u.Requests {
			if u.Requests[j].Tag == tag {
				return &u.Requests[j]
			}
		}
	}
	return nil
}

// splitTag parses "c<conn> r<seq>[ ...]".
func splitTag(tag string) (conn, seq int) {
	f := strings.Fields(tag)
	if len(f) >= 2 && strings.HasPrefix(f[0], "c") && strings.HasPrefix(f[1], "r") {
		conn, _ = strconv.Atoi(f[0][1:])
		seq, _ = strconv.Atoi(f[1][1:])
	}
	return conn, seq
}

func headerValue(h [][2]string, name string) string {
	for _, f := range h {
		if strings.EqualFold(f[0], name) {
			return strings.TrimSpace(f[1])
		}
	}
	return ""
}

func quoteTarget(t string) string {
	if len(t) > 60 {
		t = t[:60] + "…"
	}
	return strconv.Quote(t)
}
