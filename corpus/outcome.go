package corpus

import (
	"errors"
	"fmt"
	"strings"
)

// The outcome grammar (FORMAT.md, "Outcomes"). It is the one definition
// of what an expect value means: case files, the conformance runner and the
// reports all parse, print and match outcomes with these functions.
//
//	expect      = alternative *( "|" alternative )   ; spaces around "|" ignored
//	alternative = "none" / status [ "+close" ]
//	status      = code / class / "any" / "accept"
//	code        = "1"-"5" DIGIT DIGIT                 ; 100-599
//	class       = "1"-"5" "xx"                        ; 1xx-5xx
//
// "none" always implies a close: no response, then FIN or RST.

// ParseExpect reads an outcome list: alternatives separated by "|", each
// read by ParseOutcome. An alternative listed twice is an error.
func ParseExpect(s string) ([]Outcome, error) {
	var out []Outcome
	for _, alt := range strings.Split(s, "|") {
		alt = strings.TrimSpace(alt)
		o, err := ParseOutcome(alt)
		if err != nil {
			return nil, err
		}
		for _, p := range out {
			if p == o {
				return nil, fmt.Errorf("outcome %q listed twice", alt)
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// ParseOutcome reads one alternative: "none" (no response; the server
// closes or resets without answering) or STATUS[+close], where STATUS is a
// code 100-599, a class 1xx-5xx, "any" or "accept" (AcceptStatus).
// Nothing around it is trimmed.
func ParseOutcome(alt string) (Outcome, error) {
	switch alt {
	case "none":
		return Outcome{Status: "", Close: true}, nil
	case "":
		return Outcome{}, errors.New("empty alternative")
	}
	st, closeFlag := strings.CutSuffix(alt, "+close")
	if !validStatus(st) {
		return Outcome{}, fmt.Errorf("bad outcome %q: want none or STATUS[+close] with STATUS a code, Nxx, any or accept", alt)
	}
	return Outcome{Status: st, Close: closeFlag}, nil
}

// validStatus reports whether s is a status of the grammar: a code
// 100-599, a class 1xx-5xx, "any" or "accept".
func validStatus(s string) bool {
	if s == "any" || s == Accept {
		return true
	}
	if len(s) != 3 || s[0] < '1' || s[0] > '5' {
		return false
	}
	if s[1:] == "xx" {
		return true
	}
	return s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9'
}

// Accept is the status pattern of a message the server took in: any final
// answer that is not a rejection of the message itself (Accepted). The
// fixture-free cases use it, since an application server at / may answer
// a well-formed request with anything from 200 to 405.
const Accept = "accept"

// rejectionCodes are the 4xx answers that refuse the message rather than
// the resource: 400 (malformed, RFC 9112 and RFC 9110 15.5.1), 408 (the
// message never completed), 411 (a body without a length the server
// takes), 413, 414 and 431 (a limit: the server did not read it all), 417
// (an expectation it refuses). Every 5xx is a rejection too: 501 for an
// unknown transfer coding, 505 for the version, 500 or 502/503 when the
// server broke or gave up.
var rejectionCodes = map[int]bool{400: true, 408: true, 411: true, 413: true, 414: true, 417: true, 431: true}

// Accepted reports whether a final status means the server read the
// message and answered the resource: 2xx, 3xx, or a 4xx other than the
// rejectionCodes (401, 403, 404, 405, 409 ... say something about the
// resource, so the message itself was fine).
func Accepted(code int) bool {
	switch code / 100 {
	case 2, 3:
		return true
	case 4:
		return !rejectionCodes[code]
	}
	return false
}

// MatchStatus reports whether a response status code matches an outcome's
// status pattern: the exact code ("400"), its class ("4xx"), "any", or
// "accept" (Accepted). A pattern outside the grammar (ParseOutcome rejects
// it) matches nothing.
func MatchStatus(pattern string, code int) bool {
	if !validStatus(pattern) {
		return false
	}
	switch {
	case pattern == "any":
		return true
	case pattern == Accept:
		return Accepted(code)
	case pattern[1:] == "xx":
		return code/100 == int(pattern[0]-'0')
	}
	return code == int(pattern[0]-'0')*100+int(pattern[1]-'0')*10+int(pattern[2]-'0')
}

// FormatOutcome writes one alternative in canonical form; ParseOutcome
// reads it back. The zero Outcome and Outcome{Close: true} both print as
// "none".
func FormatOutcome(o Outcome) string {
	switch {
	case o.Status == "":
		return "none"
	case o.Close:
		return o.Status + "+close"
	}
	return o.Status
}

// FormatExpect writes an outcome list in canonical form.
func FormatExpect(os []Outcome) string {
	parts := make([]string, len(os))
	for i, o := range os {
		parts[i] = FormatOutcome(o)
	}
	return strings.Join(parts, " | ")
}
