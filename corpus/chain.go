package corpus

import (
	"errors"
	"fmt"
	"strings"
)

// ChainOutcome is one allowed behaviour of a front end (a proxy or gateway)
// that receives a case's bytes and has a recording origin behind it. The
// chain judge compares the strict parse of the case bytes (what the client
// meant) with what the origin received; a case passes its chain expectation
// when the front end behaves as any one of its chain outcomes.
//
// The universal chain checks apply whatever the outcome: no request the
// client did not send as a request reaches the origin, nothing the strict
// parser rejects is forwarded, and the rewrites a proxy must make are made.
type ChainOutcome string

const (
	// ChainReject: the front end does not forward the offending message
	// (the first message the strict parse rejects, or the message the case
	// is about); it answers the client itself, usually with a 4xx or 5xx,
	// or closes. Complete requests before it may be forwarded.
	ChainReject ChainOutcome = "reject"
	// ChainForward: the front end may forward the message; what reaches the
	// origin frames exactly as the strict parse frames it (same requests,
	// methods, targets and body bytes), up to the rewrites an intermediary
	// is allowed or required to make (FORMAT.md lists them).
	ChainForward ChainOutcome = "forward"
	// ChainAny: no expectation beyond the universal checks. It stands alone.
	ChainAny ChainOutcome = "any"
)

// chainOrder is the canonical order of chain outcomes: FormatChain writes
// them in this order and ParseChain returns them in it.
var chainOrder = []ChainOutcome{ChainReject, ChainForward, ChainAny}

// The chain grammar (FORMAT.md, "Chain outcomes"), defined once here:
//
//	chain       = "any" / alternative *( "|" alternative )  ; spaces around "|" ignored
//	alternative = "reject" / "forward"                       ; each at most once
//
// The order of the alternatives carries no meaning; the canonical order is
// reject, then forward.

// ParseChain reads a chain value: "any" alone, or "reject" and "forward"
// separated by "|". It returns the outcomes in canonical order. An unknown
// value, a value listed twice, or "any" beside another value is an error.
func ParseChain(s string) ([]ChainOutcome, error) {
	seen := map[ChainOutcome]bool{}
	n := 0
	for _, alt := range strings.Split(s, "|") {
		alt = strings.TrimSpace(alt)
		o := ChainOutcome(alt)
		switch o {
		case ChainReject, ChainForward, ChainAny:
		case "":
			return nil, errors.New("empty chain alternative")
		default:
			return nil, fmt.Errorf("unknown chain outcome %q (reject, forward, any)", alt)
		}
		if seen[o] {
			return nil, fmt.Errorf("chain outcome %q listed twice", alt)
		}
		seen[o] = true
		n++
	}
	if seen[ChainAny] && n > 1 {
		return nil, errors.New("chain outcome \"any\" stands alone")
	}
	out := make([]ChainOutcome, 0, n)
	for _, o := range chainOrder {
		if seen[o] {
			out = append(out, o)
		}
	}
	return out, nil
}

// FormatChain writes chain outcomes in canonical form: ParseChain reads it
// back. The outcomes are written in the order given; ParseChain and
// DefaultChain produce the canonical order.
func FormatChain(cs []ChainOutcome) string {
	parts := make([]string, len(cs))
	for i, o := range cs {
		parts[i] = string(o)
	}
	return strings.Join(parts, " | ")
}

// DefaultChain derives the chain expectation of a case without a "chain"
// key from its single-server outcomes:
//
//   - reject is allowed when some outcome is "none" or has a status of
//     class 4xx or 5xx (an exact code or the class);
//   - forward is allowed when some outcome has a status of class 1xx, 2xx
//     or 3xx (an exact code or the class);
//   - a status "any" allows both.
//
// The result is in canonical order (reject, then forward); it is never
// "any", which only a "chain" key can say.
func DefaultChain(expect []Outcome) []ChainOutcome {
	var reject, forward bool
	for _, o := range expect {
		switch {
		case o.Status == "":
			reject = true
		case o.Status == "any":
			reject, forward = true, true
		case o.Status == Accept:
			forward = true
		case o.Status[0] == '4' || o.Status[0] == '5':
			reject = true
		case o.Status[0] >= '1' && o.Status[0] <= '3':
			forward = true
		}
	}
	var out []ChainOutcome
	if reject {
		out = append(out, ChainReject)
	}
	if forward {
		out = append(out, ChainForward)
	}
	return out
}
