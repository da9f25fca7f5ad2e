package wire

import "testing"

// registered is the status code registry as RFC 9110 §15 lists it
// (§15.2 to §15.6), with 429 and 431 from RFC 6585 (§4, §5). 306 and 418
// are reserved as unused and have no phrase. Written out by hand from the
// RFCs, not from the table under test.
var registered = map[int]string{
	100: "Continue",
	101: "Switching Protocols",
	200: "OK",
	201: "Created",
	202: "Accepted",
	203: "Non-Authoritative Information",
	204: "No Content",
	205: "Reset Content",
	206: "Partial Content",
	300: "Multiple Choices",
	301: "Moved Permanently",
	302: "Found",
	303: "See Other",
	304: "Not Modified",
	305: "Use Proxy",
	307: "Temporary Redirect",
	308: "Permanent Redirect",
	400: "Bad Request",
	401: "Unauthorized",
	402: "Payment Required",
	403: "Forbidden",
	404: "Not Found",
	405: "Method Not Allowed",
	406: "Not Acceptable",
	407: "Proxy Authentication Required",
	408: "Request Timeout",
	409: "Conflict",
	410: "Gone",
	411: "Length Required",
	412: "Precondition Failed",
	413: "Content Too Large",
	414: "URI Too Long",
	415: "Unsupported Media Type",
	416: "Range Not Satisfiable",
	417: "Expectation Failed",
	421: "Misdirected Request",
	422: "Unprocessable Content",
	426: "Upgrade Required",
	429: "Too Many Requests",
	431: "Request Header Fields Too Large",
	500: "Internal Server Error",
	501: "Not Implemented",
	502: "Bad Gateway",
	503: "Service Unavailable",
	504: "Gateway Timeout",
	505: "HTTP Version Not Supported",
}

// TestStatusText: every registered code has its registered phrase, and
// every other code (unused, unassigned, out of range) has none.
func TestStatusText(t *testing.T) {
	for code, want := range registered {
		if got := StatusText(code); got != want {
			t.Errorf("StatusText(%d) = %q; want %q", code, got, want)
		}
	}
	for _, code := range []int{-1, 0, 99, 102, 103, 207, 226, 306, 418, 420, 425, 428, 451, 506, 511, 599, 600, 999, 1000, 1 << 20} {
		if got := StatusText(code); got != "" {
			t.Errorf("StatusText(%d) = %q; want \"\"", code, got)
		}
	}
	for code := range statuses {
		if _, ok := registered[code]; !ok && statuses[code] != (status{}) {
			t.Errorf("statuses[%d] = %q; not a registered code", code, statuses[code].text)
		}
	}
}

// TestExplanations: a page line is only given to a code with a phrase,
// and every 4xx and 5xx the engine or the file handler sends has one.
func TestExplanations(t *testing.T) {
	for code, s := range statuses {
		if s.explain != "" && s.text == "" {
			t.Errorf("statuses[%d] explains %q but has no phrase", code, s.explain)
		}
	}
	for _, code := range []int{301, 400, 403, 404, 405, 408, 412, 413, 414, 416, 431, 500, 501, 503, 505} {
		if explain(code) == genericExplain {
			t.Errorf("explain(%d) is the generic line; want one of its own", code)
		}
	}
	if got := explain(409); got != genericExplain {
		t.Errorf("explain(409) = %q; want the generic line", got)
	}
}
