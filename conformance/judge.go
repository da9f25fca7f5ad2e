package conformance

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/ferrox/ferrox/corpus"
)

// failVerdict is the verdict for a case outside its outcomes: MUST and
// safety cases fail; SHOULD, MAY and policy cases only warn (a policy case
// grades a site's choice, not RFC text).
func failVerdict(l corpus.Level) Verdict {
	if l == corpus.SHOULD || l == corpus.MAY || l == corpus.Policy {
		return Warn
	}
	return Fail
}

// onlyCloseOutcomes reports whether a first response with this status can
// pass only if the server then closes the connection.
func onlyCloseOutcomes(c *corpus.Case, status int) bool {
	matched := false
	for _, o := range c.Expect {
		if o.Status == "" || !corpus.MatchStatus(o.Status, status) {
			continue
		}
		if !o.Close {
			return false
		}
		matched = true
	}
	return matched
}

// describeWant lists the allowed outcomes in the corpus notation.
func describeWant(c *corpus.Case) string {
	parts := make([]string, len(c.Expect))
	for i, o := range c.Expect {
		parts[i] = corpus.FormatOutcome(o)
	}
	return strings.Join(parts, " or ")
}

func describeGot(obs *Observed) string {
	if len(obs.Responses) == 0 {
		return "no response"
	}
	s := strconv.Itoa(obs.Responses[0].Status)
	if n := len(obs.Responses) - 1; n > 0 {
		s += fmt.Sprintf(" (+%d more)", n)
	}
	return s
}

func describeEnd(e End) string {
	switch e {
	case EndFIN:
		return "server closed (FIN)"
	case EndRST:
		return "server reset the connection"
	case EndOpen:
		return "connection stayed open"
	}
	return "connection state unknown"
}

func closed(e End) bool { return e == EndFIN || e == EndRST }

// judge gives the verdict of the whole replay: its outcome, then the
// named response checks.
func judge(c *corpus.Case, obs *Observed, refs []reqInfo) (Verdict, string) {
	return judgeRoot(c, obs, refs, 0)
}

// judgeRoot is judge with the status GET / answered in the preflight (0:
// unknown), which the canary of a fixture-free case must get again.
func judgeRoot(c *corpus.Case, obs *Observed, refs []reqInfo, root int) (Verdict, string) {
	v, why := judgeOutcomeRoot(c, obs, refs, root)
	if v != Pass {
		return v, why
	}
	return judgeChecks(c, obs, refs)
}

// judgeOutcome matches what happened on the connection against the case's
// allowed outcomes.
func judgeOutcome(c *corpus.Case, obs *Observed, refs []reqInfo) (Verdict, string) {
	return judgeOutcomeRoot(c, obs, refs, 0)
}

func judgeOutcomeRoot(c *corpus.Case, obs *Observed, refs []reqInfo, root int) (Verdict, string) {
	if obs.Err != "" {
		return Error, obs.Err
	}
	if len(c.Expect) == 0 {
		return Error, "case has no expected outcomes"
	}
	expected := len(refs)
	if c.Canary {
		expected++
	}
	fail := failVerdict(c.Level)
	got, want := describeGot(obs), describeWant(c)
	// More responses than requests: the server read requests out of bytes
	// that belong to another message (desync / smuggling).
	if n := len(obs.Responses); n > expected {
		return fail, fmt.Sprintf("got %d responses to %d requests, want %s; desync", n, expected, want)
	}
	var detail string
	for _, o := range c.Expect {
		ok, why := matchOutcome(c, o, obs, len(refs), root)
		if ok {
			if obs.Unframed > 0 {
				return fail, fmt.Sprintf("got %s, but %d received bytes frame as no response (%s)", got, obs.Unframed, clip(obs.Note))
			}
			return Pass, fmt.Sprintf("got %s; %s", got, describeEnd(obs.End))
		}
		if detail == "" {
			detail = why
		}
	}
	if detail == "" {
		detail = describeEnd(obs.End)
	}
	return fail, fmt.Sprintf("got %s, want %s; %s", got, want, detail)
}

// matchOutcome tests one outcome; when the status matches but the rest does
// not, why says what was wrong.
func matchOutcome(c *corpus.Case, o corpus.Outcome, obs *Observed, nreq, root int) (bool, string) {
	rs := obs.Responses
	if o.Status == "" {
		if len(rs) > 0 {
			return false, ""
		}
		if o.Close && !closed(obs.End) {
			return false, "no response but the connection stayed open"
		}
		return true, ""
	}
	if strings.HasPrefix(o.Status, "1") && len(obs.Interim) > 0 && len(rs) == 0 {
		// An interim-only outcome (e.g. "100": the server asked for the
		// withheld body and is waiting for it).
		return corpus.MatchStatus(o.Status, obs.Interim[0].Status) && (!o.Close || closed(obs.End)), ""
	}
	if len(rs) == 0 || !corpus.MatchStatus(o.Status, rs[0].Status) {
		return false, ""
	}
	if o.Close {
		if len(rs) > 1 {
			if c.Canary {
				return false, "canary answered after it: the server kept reading"
			}
			return false, "more responses after it: the server kept reading"
		}
		if !closed(obs.End) {
			return false, "connection stayed open"
		}
		return true, ""
	}
	if c.Canary {
		if len(rs) < nreq+1 {
			if closed(obs.End) {
				return false, "canary not answered; " + describeEnd(obs.End)
			}
			return false, "canary not answered"
		}
		if c.FixtureFree {
			return matchRootCanary(rs[nreq], root)
		}
		if last := rs[nreq]; last.Status/100 != 2 {
			return false, fmt.Sprintf("canary got %d, want 2xx", last.Status)
		} else if !bytes.HasPrefix(last.BodyStart, []byte(CanaryBody)) && last.Framing != "none" {
			// Another 2xx in the canary's place: a request hidden in the
			// case's bytes was answered and the canary swallowed.
			return false, fmt.Sprintf("the response in the canary's place has body %q, not the canary's", clip(string(last.BodyStart)))
		}
	}
	return true, ""
}

// matchRootCanary judges the answer in the canary's place of a
// fixture-free case: the canary is GET / (under the prefix), so it must be
// accepted and, when the preflight saw what / answers, get that same
// status. A hidden request answered in its place (GET /smuggled: 404 on
// most sites) then shows as a different status.
func matchRootCanary(last Response, root int) (bool, string) {
	if !corpus.Accepted(last.Status) {
		return false, fmt.Sprintf("canary GET / got %d, a rejection", last.Status)
	}
	if root != 0 && last.Status != root {
		return false, fmt.Sprintf("canary GET / got %d, but / answered %d in the preflight: another request was answered in its place", last.Status, root)
	}
	return true, ""
}

// judgeSplits compares each split replay's outcome with the whole replay's:
// a server must give the same answer however the bytes are segmented.
func judgeSplits(c *corpus.Case, whole Verdict, reason string, splits []Observed, refs []reqInfo, obs *Observed) (Verdict, string) {
	return judgeSplitsRoot(c, whole, reason, splits, refs, obs, 0)
}

func judgeSplitsRoot(c *corpus.Case, whole Verdict, reason string, splits []Observed, refs []reqInfo, obs *Observed, root int) (Verdict, string) {
	wv, _ := judgeOutcomeRoot(c, obs, refs, root)
	var bad []string
	first, firstErr := "", ""
	for i := range splits {
		s := &splits[i]
		v, why := judgeOutcomeRoot(c, s, refs, root)
		if v == wv {
			continue
		}
		if v == Error {
			// The runner could not replay this split (dial failed, ...):
			// that is no evidence against the server.
			if firstErr == "" {
				firstErr = fmt.Sprintf("split at offset %d: %s", s.Split, why)
			}
			continue
		}
		bad = append(bad, strconv.Itoa(s.Split))
		if first == "" {
			first = fmt.Sprintf("split at offset %d: %s, %s (whole replay: %s)", s.Split, v, why, wv)
		}
	}
	if len(bad) == 0 {
		if firstErr != "" {
			return Error, firstErr
		}
		return whole, reason
	}
	note := "splits disagree at offsets " + strings.Join(bad, ",")
	if obs.Note != "" {
		obs.Note += "; "
	}
	obs.Note += note
	return Fail, first
}
