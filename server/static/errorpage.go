package static

import "github.com/ferrox/ferrox/wire"

// errorPages are the configured error pages (Config.ErrorPages), read
// once by New; they are the wire.PageSource consulted by wire.Error.
type errorPages map[int]errorOverride

// Page implements wire.PageSource.
func (p errorPages) Page(status int) ([]byte, string, bool) {
	o, ok := p[status]
	return o.body, o.contentType, ok
}

// ErrorResponse fills resp with the error response for status (the
// engine calls it when the parser rejected a request): the configured
// page if any, else the built-in one. It replaces the header fields and
// body resp held; for 405 it adds Allow.
func (h *Handler) ErrorResponse(status int, resp *wire.Response) {
	resp.Header = resp.Header[:0]
	clear(resp.Body)
	resp.Body = resp.Body[:0]
	resp.NoBody = false
	if status == 405 {
		resp.Add("Allow", allowed)
	}
	h.errorPage(status, resp)
}

// errorPage is wire.Error with this handler's configured pages; the
// header fields already added (Allow, Content-Range) stay.
func (h *Handler) errorPage(status int, resp *wire.Response) {
	wire.Error(resp, status, errorPages(h.errPages))
}
