package wire

// status is one row of the status table: the registered reason phrase
// and, for the statuses Ferrox renders a page for, one line saying what
// went wrong.
type status struct {
	text    string
	explain string
}

// statuses is the one status table. The reason phrases are those of the
// RFC 9110 §15 registry (§15.2-§15.6), plus 429 and 431 from RFC 6585
// §4, §5; the codes RFC 9110 marks unused (306, 418) have none. The
// phrase is informational only: a client must not act on it (RFC 9112
// §4).
var statuses = [...]status{
	100: {"Continue", ""},
	101: {"Switching Protocols", ""},
	200: {"OK", ""},
	201: {"Created", ""},
	202: {"Accepted", ""},
	203: {"Non-Authoritative Information", ""},
	204: {"No Content", ""},
	205: {"Reset Content", ""},
	206: {"Partial Content", ""},
	300: {"Multiple Choices", ""},
	301: {"Moved Permanently", "The resource has moved to the address in the Location field."},
	302: {"Found", ""},
	303: {"See Other", ""},
	304: {"Not Modified", ""},
	305: {"Use Proxy", ""},
	307: {"Temporary Redirect", ""},
	308: {"Permanent Redirect", "The resource has moved to the address in the Location field."},
	400: {"Bad Request", "The server could not understand the request."},
	401: {"Unauthorized", ""},
	402: {"Payment Required", ""},
	403: {"Forbidden", "You do not have permission to access this resource."},
	404: {"Not Found", "The requested resource was not found on this server."},
	405: {"Method Not Allowed", "The method is not allowed for this resource."},
	406: {"Not Acceptable", ""},
	407: {"Proxy Authentication Required", ""},
	408: {"Request Timeout", "The server timed out waiting for the request."},
	409: {"Conflict", ""},
	410: {"Gone", ""},
	411: {"Length Required", ""},
	412: {"Precondition Failed", "A precondition in the request was not met."},
	413: {"Content Too Large", "The request content is larger than the server accepts."},
	414: {"URI Too Long", "The request target is longer than the server accepts."},
	415: {"Unsupported Media Type", ""},
	416: {"Range Not Satisfiable", "None of the requested ranges overlap the resource."},
	417: {"Expectation Failed", ""},
	421: {"Misdirected Request", ""},
	422: {"Unprocessable Content", ""},
	426: {"Upgrade Required", ""},
	429: {"Too Many Requests", ""},
	431: {"Request Header Fields Too Large", "The request header section is too large."},
	500: {"Internal Server Error", "The server encountered an internal error."},
	501: {"Not Implemented", "The server does not support the request method."},
	502: {"Bad Gateway", ""},
	503: {"Service Unavailable", "The server is temporarily unable to handle the request."},
	504: {"Gateway Timeout", ""},
	505: {"HTTP Version Not Supported", "The server does not support the HTTP version of the request."},
}

// StatusText returns the registered reason phrase for code, or "" when
// the table has none.
func StatusText(code int) string {
	if code < 0 || code >= len(statuses) {
		return ""
	}
	return statuses[code].text
}

// genericExplain is the error page line for a status with no line of its
// own.
const genericExplain = "The request could not be completed."

// explain returns the one-line explanation of an error page for code.
func explain(code int) string {
	if code >= 0 && code < len(statuses) && statuses[code].explain != "" {
		return statuses[code].explain
	}
	return genericExplain
}
