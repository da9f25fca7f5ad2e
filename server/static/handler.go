package static

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ferrox/ferrox/parser"
	"github.com/ferrox/ferrox/wire"
)

// Config configures a Handler. Every field is taken as given: there are
// no defaults here and no validation beyond what opening the files
// needs. The config package resolves defaults and validates (config.Validate
// is the one definition of a valid configuration).
type Config struct {
	// Root is the directory served. Required.
	Root string
	// Index lists the file names tried in a directory, in order; each a
	// plain file name (no separator). Empty: none.
	Index []string
	// ListingOff disables directory listings (then a directory without an
	// index file is 403).
	ListingOff bool
	// Dotfiles serves, and lists, paths with a segment starting with '.';
	// otherwise such paths are 404 and left out of listings.
	Dotfiles bool
	// NoPrecompressed disables serving precompressed siblings (file.br,
	// file.zst, file.gz), which are otherwise served when the client accepts them.
	NoPrecompressed bool
	// Routes maps an exact URL path ("/about", starting with '/') to a
	// local file path relative to Root ("pages/about.html"). Files are
	// opened through the root, so none can lie outside it.
	Routes map[string]string
	// SPAFallback is a local file path relative to Root served with 200
	// for a GET or HEAD of a missing path whose last segment has no
	// extension (single-page applications); "" is off.
	SPAFallback string
	// ErrorPages maps an error status (400-599) to a file (relative to
	// Root, or absolute) whose content replaces the embedded error page.
	// The files are read once, by New.
	ErrorPages map[int]string
	// CacheControl is sent as Cache-Control on files (200, 206, 304); it
	// must be a valid field value. "" sends none.
	CacheControl string
	// OpenFileCache is how long a small file stays open for reuse after
	// it was opened (see filecache.go): a file deleted or replaced is
	// noticed within this time, a change in place at once. Zero or
	// negative: off.
	OpenFileCache time.Duration
	// Compress configures gzip and zstd on the fly (compress.go); the
	// zero value is off.
	Compress CompressConfig
}

// Handler serves files from one root. It is safe for concurrent use.
type Handler struct {
	root          *os.Root
	index         []string
	listing       bool
	dotfiles      bool
	precompressed bool
	routes        map[string]string
	spa           string
	errPages      map[int]errorOverride
	cacheControl  string
	now           func() time.Time
	sib           siblingCache
	files         fileCache
	comp          *compressor
}

type errorOverride struct {
	body        []byte
	contentType string
}

// New opens cfg.Root with os.Root and reads the error pages. It trusts
// cfg (see Config); it fails only when a file cannot be opened or read.
func New(cfg Config) (*Handler, error) {
	if cfg.Root == "" {
		return nil, errors.New("static: root is empty")
	}
	root, err := os.OpenRoot(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("static: open root %q: %w", cfg.Root, err)
	}
	h := &Handler{
		root:          root,
		index:         cfg.Index,
		listing:       !cfg.ListingOff,
		dotfiles:      cfg.Dotfiles,
		precompressed: !cfg.NoPrecompressed,
		cacheControl:  cfg.CacheControl,
		now:           time.Now,
	}
	if cfg.SPAFallback != "" {
		h.spa = filepath.ToSlash(filepath.Clean(cfg.SPAFallback))
	}
	h.files.max = maxCachedFiles
	h.files.clock = func() time.Time { return h.now() }
	h.files.valid = max(int64(cfg.OpenFileCache), 0)
	if h.comp, err = newCompressor(cfg.Compress); err != nil {
		root.Close()
		return nil, err
	}
	if len(cfg.Routes) > 0 {
		h.routes = make(map[string]string, len(cfg.Routes))
		for url, file := range cfg.Routes {
			h.routes[path.Clean(url)] = filepath.ToSlash(filepath.Clean(file))
		}
	}
	if len(cfg.ErrorPages) > 0 {
		h.errPages = make(map[int]errorOverride, len(cfg.ErrorPages))
		for status, file := range cfg.ErrorPages {
			var b []byte
			var err error
			if filepath.IsAbs(file) {
				b, err = os.ReadFile(file)
			} else {
				b, err = root.ReadFile(file)
			}
			if err != nil {
				root.Close()
				return nil, fmt.Errorf("static: error page for status %d: %w", status, err)
			}
			ct := contentType(file)
			if ct == defaultType {
				ct = htmlType
			}
			h.errPages[status] = errorOverride{body: b, contentType: ct}
		}
	}
	return h, nil
}

// Close closes the root.
func (h *Handler) Close() error {
	h.files.close()
	return h.root.Close()
}

// headerSource gives header field values; *parser.Request is one.
type headerSource interface {
	Header(name string) ([]byte, bool)
}

// request is the part of a parsed request the handler looks at. Serve
// builds it from a *parser.Request; tests build it directly.
type request struct {
	method   []byte
	rawPath  []byte
	query    []byte
	hasQuery bool
	asterisk bool
	hdr      headerSource
	// identityOnly: answer with the identity (an encoding failed).
	identityOnly bool
}

func (r *request) header(name string) ([]byte, bool) {
	if r.hdr == nil {
		return nil, false
	}
	return r.hdr.Header(name)
}

// Serve answers req into resp (which the caller has Reset).
func (h *Handler) Serve(req *parser.Request, resp *wire.Response) {
	r := request{
		method:   req.Method,
		rawPath:  req.Path,
		query:    req.Query,
		hasQuery: req.Query != nil,
		asterisk: req.Form == parser.FormAsterisk,
		hdr:      req,
	}
	h.serve(&r, resp)
}

// allowed is the Allow value of every resource (RFC 9110 §10.2.1).
const allowed = "GET, HEAD, OPTIONS"

func (h *Handler) serve(r *request, resp *wire.Response) {
	head := false
	switch string(r.method) { // case-sensitive (RFC 9110 §9.1)
	case "GET":
	case "HEAD":
		head = true
	case "OPTIONS":
		// RFC 9110 §9.3.7: describe the communication options; for
		// "OPTIONS *" the server as a whole.
		resp.Status = 204
		resp.Add("Allow", allowed)
		return
	case "POST", "PUT", "DELETE", "PATCH", "TRACE", "CONNECT":
		// Known but not allowed here: 405 with Allow (RFC 9110
		// §15.5.6). TRACE is never echoed.
		resp.Add("Allow", allowed)
		h.errorPage(405, resp)
		return
	default:
		// Unrecognised method (RFC 9110 §9.1, §15.6.2).
		h.errorPage(501, resp)
		return
	}
	h.get(r, resp, head)
	if head {
		resp.NoBody = true
	}
}

// get answers GET and HEAD.
func (h *Handler) get(r *request, resp *wire.Response, head bool) {
	if r.asterisk {
		h.errorPage(400, resp)
		return
	}
	raw := r.rawPath
	if len(raw) == 0 {
		raw = []byte{'/'} // absolute-form with an empty path (RFC 9112 §3.2.2)
	}
	if raw[0] != '/' {
		h.errorPage(400, resp)
		return
	}
	// Decode once; %00, %2F, %5C and a raw '\' are refused (400), as are
	// decoded control bytes.
	dec, err := decodePath(resp, raw)
	if err != nil || hasControl(dec) {
		h.errorPage(400, resp)
		return
	}
	clean, slash := cleanPath(dec)
	if file, ok := h.routes[clean]; ok {
		h.serveName(r, resp, file, clean, slash, head)
		return
	}
	if !h.dotfiles && hasDotSegment(clean) {
		h.errorPage(404, resp)
		return
	}
	name, ok := rootName(clean)
	if !ok {
		h.errorPage(404, resp)
		return
	}
	h.serveName(r, resp, name, clean, slash, head)
}

// openFlags: O_NONBLOCK so that opening a FIFO never blocks the worker;
// it changes nothing for regular files.
const openFlags = os.O_RDONLY | syscall.O_NONBLOCK | syscall.O_NOCTTY

// open opens name under the root and stats it.
func (h *Handler) open(name string) (*os.File, fileStat, error) {
	f, err := h.root.OpenFile(name, openFlags, 0)
	if err != nil {
		return nil, fileStat{}, err
	}
	fi, err := fstat(f)
	if err != nil {
		f.Close()
		return nil, fileStat{}, err
	}
	return f, fi, nil
}

// statusForError maps a file-system error to a status: not found (also a
// path through a non-directory, a symlink loop, a name too long, or a
// symlink leaving the root) is 404, permission is 403, anything else 500.
func statusForError(err error) int {
	switch {
	case errors.Is(err, fs.ErrNotExist),
		errors.Is(err, syscall.ENOTDIR),
		errors.Is(err, syscall.ELOOP),
		errors.Is(err, syscall.ENAMETOOLONG),
		isEscape(err):
		return 404
	case errors.Is(err, fs.ErrPermission):
		return 403
	}
	return 500
}

// isEscape recognises os.Root's "path escapes from parent" error, which
// has no exported sentinel.
func isEscape(err error) bool {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return err != nil && err.Error() == "path escapes from parent"
}

// serveName serves the file or directory name (relative to the root);
// clean is the request's clean URL path, slash whether it ended in '/'.
func (h *Handler) serveName(r *request, resp *wire.Response, name, clean string, slash, head bool) {
	f, fi, shared, err := h.openShared(name)
	if err != nil {
		status := statusForError(err)
		if status == 404 && h.spa != "" && !hasExtension(clean) {
			h.serveSPA(r, resp, head)
			return
		}
		resp.Cause = err // logged by the engine when status is a 5xx
		h.errorPage(status, resp)
		return
	}
	switch {
	case fi.kind == kindRegular:
		if slash {
			// A file named with a trailing slash does not exist.
			keepShared(resp, f, shared)
			h.errorPage(404, resp)
			return
		}
		keepShared(resp, f, shared)
		h.serveFile(r, resp, f, fi, name, head)
	case fi.kind == kindDir:
		h.serveDir(r, resp, f, name, clean, slash, head)
	default:
		// Devices, sockets, FIFOs: not files we serve.
		f.Close()
		h.errorPage(404, resp)
	}
}

// hasExtension reports whether the last segment of p contains a '.'.
func hasExtension(p string) bool {
	for i := len(p) - 1; i >= 0 && p[i] != '/'; i-- {
		if p[i] == '.' {
			return true
		}
	}
	return false
}

func (h *Handler) serveSPA(r *request, resp *wire.Response, head bool) {
	f, fi, shared, err := h.openShared(h.spa)
	if err != nil {
		resp.Cause = err
		h.errorPage(statusForError(err), resp)
		return
	}
	keepShared(resp, f, shared)
	if fi.kind != kindRegular {
		h.errorPage(404, resp)
		return
	}
	h.serveFile(r, resp, f, fi, h.spa, head)
}
