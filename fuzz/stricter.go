package fuzz

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"

	"github.com/ferrox/ferrox/parser"
)

// stricterByDesign lists the parser's rejection reasons for input that
// net/http accepts: the intended differences where Ferrox is stricter.
// The fuzz target never fails on a Ferrox rejection; this table gives the
// list teeth over the corpus (TestCorpusStricterReasons): a rejection of
// something net/http accepts for a reason not listed here is either a new
// intended difference (add it, with its why) or a false rejection.
var stricterByDesign = map[string]string{
	"obs_fold":                    "RFC 9112 §5.2: a server rejects obs-fold in a request (400); net/http unfolds it",
	"cl_and_te":                   "RFC 9112 §6.1: Content-Length with Transfer-Encoding is a smuggling vector; rejected and closed",
	"bare_lf":                     "RFC 9112 §2.2: a bare LF line terminator is refused (net/http accepts it)",
	"bare_cr":                     "RFC 9112 §2.2: a bare CR is invalid outside a CRLF",
	"space_before_colon":          "RFC 9112 §5.1: whitespace between field name and colon must be rejected (400)",
	"invalid_host":                "RFC 9112 §3.2 / RFC 3986 §3.2.2: Host must be a valid uri-host[:port]; net/http's check is looser",
	"missing_host":                "RFC 9112 §3.2: an HTTP/1.1 request without Host is 400",
	"duplicate_host":              "RFC 9112 §3.2: more than one Host line is 400",
	"version_not_supported":       "RFC 9110 §15.6.6: major versions other than 1 get 505; net/http parses any HTTP/x.y",
	"invalid_version":             "RFC 9112 §2.3: HTTP-version is exactly HTTP/DIGIT.DIGIT, case-sensitive",
	"invalid_content_length":      "RFC 9110 §8.6: Content-Length is 1*DIGIT: no sign, no empty value",
	"conflicting_content_length":  "RFC 9112 §6.3: differing Content-Length values are unrecoverable",
	"unsupported_transfer_coding": "RFC 9112 §6.1 / RFC 9110 §15.6.2: codings other than chunked are not implemented (501)",
	"chunked_not_final":           "RFC 9112 §6.1: chunked must be the final coding of a request (400)",
	"chunked_with_params":         "RFC 9112 §7: chunked takes no parameters",
	"invalid_transfer_encoding":   "RFC 9110 §10.1.4: Transfer-Encoding is a list of tokens",
	"te_in_http10":                "RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 request means faulty framing; net/http ignores it",
	"leading_whitespace":          "RFC 9112 §2.2: whitespace before the first field line is rejected",
	"asterisk_form_not_options":   "RFC 9112 §3.2.4: asterisk-form is only for OPTIONS",
	"authority_form_not_connect":  "RFC 9112 §3.2.3: authority-form is only for CONNECT",
	"invalid_target":              "RFC 9112 §3.2: the target must match one of the four forms, no fragment, no raw CTL/space/non-ASCII",
	"invalid_request_line":        "RFC 9112 §3: exactly one SP between the three parts of the request-line",
	"invalid_method":              "RFC 9110 §9.1: the method is a token",
	"bad_field_value":             "RFC 9110 §5.5: field values hold no CTL other than HTAB",
	"invalid_field_name":          "RFC 9110 §5.1: field names are tokens",
	"missing_colon":               "RFC 9112 §5: a field line needs a colon",
	"method_too_long":             "limit: methods longer than MaxMethodLen get 501",
	"target_too_long":             "limit: targets longer than MaxTargetLen get 414",
	"head_too_large":              "limit: heads longer than MaxHeadBytes get 431",
	"too_many_fields":             "limit: more than MaxFields field lines get 431",
}

// stricterReason returns the parser's reason when Ferrox rejects raw and
// net/http accepts it, else "".
func stricterReason(raw []byte) string {
	var p parser.Parser
	var req parser.Request
	_, err := p.Parse(raw, &req)
	var pe *parser.Error
	if !errors.As(err, &pe) {
		return ""
	}
	if _, nerr := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw))); nerr != nil {
		return ""
	}
	return pe.Reason
}
