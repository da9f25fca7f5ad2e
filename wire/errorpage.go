package wire

import (
	"bytes"
	"html/template"
	"strconv"
)

// HTMLType is the Content-Type of the built-in error pages and of every
// HTML body Ferrox generates.
const HTMLType = "text/html; charset=utf-8"

// PageCSS is the style every HTML page Ferrox generates starts with (the
// error pages here, the directory listing in server/static): the system
// font stack, light and dark colours from prefers-color-scheme, a
// readable measure. Self-contained: no fonts, images or links to load.
const PageCSS = `:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--mute:#59636e;--line:#d1d9e0;--link:#0969da;--hi:#f6f8fa}` +
	`@media(prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--mute:#9198a1;--line:#3d444d;--link:#4493f8;--hi:#151b23}}` +
	`body{margin:0 auto;max-width:80rem;padding:1rem 1.5rem;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}` +
	`a{color:var(--link)}h1{font-size:1.4rem;font-weight:600;margin:.5rem 0;overflow-wrap:anywhere}` +
	`footer{color:var(--mute);font-size:.85rem;border-top:1px solid var(--line);margin-top:1.5rem;padding-top:.5rem}` +
	`@media(max-width:600px){body{padding:.5rem .75rem}}`

// pageTemplate is the built-in error page. html/template escapes every
// value, though none comes from the request.
var pageTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>{{.Code}} {{.Reason}}</title><style>{{.CSS}}</style></head>
<body>
<h1>{{.Code}} {{.Reason}}</h1>
<p>{{.Text}}</p>
<footer>ferrox</footer>
</body>
</html>
`))

type pageData struct {
	Code         int
	Reason, Text string
	CSS          template.CSS // PageCSS, a constant
}

// pageReason is the title of the page for code: its reason phrase, or
// the class of a code the table does not know.
func pageReason(code int) string {
	if t := StatusText(code); t != "" {
		return t
	}
	switch {
	case code >= 500:
		return "Server Error"
	case code >= 400:
		return "Client Error"
	}
	return "Error"
}

// renderPage executes the template for code.
func renderPage(code int) []byte {
	d := pageData{code, pageReason(code), explain(code), PageCSS}
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, d); err != nil {
		// The template and data are fixed; fall back to a bare line.
		return []byte(strconv.Itoa(code) + " " + d.Reason + "\n")
	}
	return b.Bytes()
}

// builtinPages holds the rendered page of every 3xx, 4xx and 5xx code in the
// status table; read-only once built.
var builtinPages = func() map[int][]byte {
	m := make(map[int][]byte)
	for code := 300; code < len(statuses); code++ {
		if statuses[code].text != "" {
			m[code] = renderPage(code)
		}
	}
	return m
}()

// ErrorPage returns the built-in HTML page (HTMLType) for status. The
// returned slice is shared: callers must not modify it. A code outside
// the table gets a generic page, rendered on each call.
func ErrorPage(status int) []byte {
	if p, ok := builtinPages[status]; ok {
		return p
	}
	return renderPage(status)
}

// PageSource supplies custom error pages (the files.error_pages
// setting): Page returns the body and Content-Type that replace the
// built-in page for status, or ok false to keep it. The body is shared
// by every response that sends it and must not change.
type PageSource interface {
	Page(status int) (body []byte, contentType string, ok bool)
}

// Error makes resp the error response for status: it sets Status, sets
// Content-Type and makes the page the whole body (ContentLength
// included). The page is pages' when pages is non-nil and has one for
// status, else the built-in ErrorPage. Every error Ferrox answers, from
// the engine or from a handler, is written here.
//
// Fields already in resp.Header stay (a 405's Allow, a 416's
// Content-Range, a redirect's Location), except a Content-Type, which is
// replaced. NoBody is left as it is: a HEAD still gets the head only.
func Error(resp *Response, status int, pages PageSource) {
	resp.Status = status
	if pages != nil {
		if body, ct, ok := pages.Page(status); ok {
			resp.Set("Content-Type", ct)
			resp.SetData(body)
			return
		}
	}
	resp.Set("Content-Type", HTMLType)
	resp.SetData(ErrorPage(status))
}
