package static

import (
	"bytes"
	"html/template"
	"strconv"
)

// pageTemplate is the embedded error page. html/template escapes every
// value, though none comes from the request.
var pageTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{.Code}} {{.Reason}}</title></head>
<body>
<h1>{{.Code}} {{.Reason}}</h1>
<p>{{.Text}}</p>
<hr><p>ferrox</p>
</body>
</html>
`))

type pageData struct {
	Code         int
	Reason, Text string
}

// statusTexts are the reason phrases (RFC 9110 §15) and one line of
// explanation for the pages Ferrox embeds.
var statusTexts = map[int][2]string{
	400: {"Bad Request", "The server could not understand the request."},
	403: {"Forbidden", "You do not have permission to access this resource."},
	404: {"Not Found", "The requested resource was not found on this server."},
	405: {"Method Not Allowed", "The method is not allowed for this resource."},
	408: {"Request Timeout", "The server timed out waiting for the request."},
	412: {"Precondition Failed", "A precondition in the request was not met."},
	413: {"Content Too Large", "The request content is larger than the server accepts."},
	414: {"URI Too Long", "The request target is longer than the server accepts."},
	416: {"Range Not Satisfiable", "None of the requested ranges overlap the resource."},
	431: {"Request Header Fields Too Large", "The request header section is too large."},
	500: {"Internal Server Error", "The server encountered an internal error."},
	501: {"Not Implemented", "The server does not support the request method."},
	503: {"Service Unavailable", "The server is temporarily unable to handle the request."},
	505: {"HTTP Version Not Supported", "The server does not support the HTTP version of the request."},
}

// renderPage executes the template for status.
func renderPage(status int) []byte {
	t, ok := statusTexts[status]
	if !ok {
		t = [2]string{"Error", "The request could not be completed."}
		if status < 500 {
			t[0] = "Client Error"
		} else {
			t[0] = "Server Error"
		}
	}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, pageData{status, t[0], t[1]}); err != nil {
		// The template and data are fixed; fall back to a bare line.
		return []byte(strconv.Itoa(status) + " " + t[0] + "\n")
	}
	return b.Bytes()
}

// pages holds the rendered embedded pages; read-only after package
// initialisation.
var pages = func() map[int][]byte {
	m := make(map[int][]byte, len(statusTexts))
	for status := range statusTexts {
		m[status] = renderPage(status)
	}
	return m
}()

// ErrorPage returns the embedded HTML page (text/html; charset=utf-8) for
// status, for use when no Handler exists. The returned slice is shared:
// callers must not modify it.
func ErrorPage(status int) []byte {
	if p, ok := pages[status]; ok {
		return p
	}
	return renderPage(status)
}

// ReasonPhrase returns the reason phrase Ferrox uses for status, or "".
func ReasonPhrase(status int) string { return statusTexts[status][0] }

// ErrorResponse fills resp with the error page for status: the configured
// override file if any, else the embedded page. It replaces the header
// fields and body resp held; for 405 it adds Allow.
func (h *Handler) ErrorResponse(status int, resp *Response) {
	resp.Header = resp.Header[:0]
	clear(resp.Body)
	resp.Body = resp.Body[:0]
	resp.NoBody = false
	if status == 405 {
		resp.add("Allow", allowed)
	}
	h.errorPage(status, resp)
}

// errorPage sets status and the error body, keeping the header fields
// already added (Allow, Content-Range).
func (h *Handler) errorPage(status int, resp *Response) {
	resp.Status = status
	if o, ok := h.errPages[status]; ok {
		resp.add("Content-Type", o.contentType)
		resp.setData(o.body)
		return
	}
	resp.add("Content-Type", htmlType)
	resp.setData(ErrorPage(status))
}
