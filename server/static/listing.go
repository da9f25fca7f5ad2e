package static

import (
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ferrox/ferrox/wire"
)

// maxListing bounds the entries read for one listing, so a huge directory
// cannot make one request arbitrarily expensive.
const maxListing = 10000

// serveDir answers GET or HEAD for the directory f (named name under the
// root, at the clean URL path clean).
func (h *Handler) serveDir(r *request, resp *wire.Response, f *os.File, name, clean string, slash, head bool) {
	if !slash && clean != "/" {
		// The directory's URL ends in '/', so relative links inside it
		// resolve; redirect permanently (RFC 9110 §15.4.2).
		f.Close()
		resp.Add("Location", resp.AppendScratch(func(b []byte) []byte {
			return appendLocation(b, clean, r.query, r.hasQuery)
		}))
		h.errorPage(301, resp)
		return
	}
	for _, idx := range h.index {
		if !h.dotfiles && idx[0] == '.' {
			continue
		}
		child := idx
		if name != "." {
			child = name + "/" + idx
		}
		inf, infi, shared, err := h.openShared(child)
		if err != nil {
			continue
		}
		if infi.kind != kindRegular {
			inf.Close() // never shared: the cache holds regular files only
			continue
		}
		f.Close()
		keepShared(resp, inf, shared)
		h.serveFile(r, resp, inf, infi, child, head)
		return
	}
	if !h.listing {
		f.Close()
		h.errorPage(403, resp)
		return
	}
	entries, truncated, err := h.readListing(f, name)
	f.Close()
	if err != nil {
		resp.Cause = err // logged by the engine when status is a 5xx
		h.errorPage(statusForError(err), resp)
		return
	}
	resp.Status = 200
	resp.Add("Vary", "Accept") // the format depends on Accept (RFC 9110 §12.5.5)
	if acceptsJSON(r) {
		b, err := json.Marshal(entries)
		if err != nil {
			resp.Cause = err
			h.errorPage(500, resp)
			return
		}
		resp.Add("Content-Type", "application/json; charset=utf-8")
		resp.SetData(resp.AppendData(func(d []byte) []byte { return append(append(d, b...), '\n') }))
		return
	}
	opts := parseListingQuery(r.query)
	opts.truncated = truncated
	resp.Add("Content-Type", htmlType)
	resp.SetData(resp.AppendData(func(d []byte) []byte { return appendListingHTML(d, clean, entries, opts) }))
}

func acceptsJSON(r *request) bool {
	a, ok := r.header("Accept")
	return ok && strings.Contains(strings.ToLower(string(a)), "application/json")
}

// entry is one listing row; its JSON form is the JSON listing's schema.
type entry struct {
	Name  string    `json:"name"`
	Dir   bool      `json:"dir"`
	Size  int64     `json:"size"`
	MTime time.Time `json:"mtime"`
}

// readListing reads the directory f, hiding dotfiles unless configured and
// symlinks whose target is missing or outside the root; a symlink is
// described by its target. Directories come first, then by name.
// truncated reports that the directory holds more than maxListing
// entries, of which only the first maxListing read were looked at.
func (h *Handler) readListing(f *os.File, name string) (_ []entry, truncated bool, _ error) {
	des, err := f.ReadDir(maxListing)
	if err != nil && err != io.EOF { // io.EOF: the directory is empty
		return nil, false, err
	}
	if len(des) == maxListing {
		more, _ := f.ReadDir(1)
		truncated = len(more) > 0
	}
	out := make([]entry, 0, len(des))
	for _, de := range des {
		n := de.Name()
		if !h.dotfiles && strings.HasPrefix(n, ".") {
			continue
		}
		rel := n
		if name != "." {
			rel = name + "/" + n
		}
		var info fs.FileInfo
		if de.Type()&fs.ModeSymlink != 0 {
			// Follow through the root: an escaping link is hidden.
			info, err = h.root.Stat(rel)
		} else {
			info, err = de.Info()
		}
		if err != nil {
			continue
		}
		e := entry{Name: n, Dir: info.IsDir(), MTime: info.ModTime().UTC().Truncate(time.Second)}
		if !e.Dir {
			e.Size = info.Size()
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b entry) int {
		if a.Dir != b.Dir {
			if a.Dir {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, truncated, nil
}
