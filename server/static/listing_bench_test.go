package static

import (
	"html"
	"strconv"
	"testing"
	"time"
)

// legacyListingHTML is the hand-appended listing renderer this package
// used before the html/template one (commit e1ab5b2), kept only so the
// benchmark compares both in one run.
func legacyListingHTML(b []byte, dir string, entries []entry) []byte {
	const style = `body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{padding:.2em 1em;text-align:left}td.s{text-align:right}`
	title := dir
	if title != "/" {
		title += "/"
	}
	et := html.EscapeString(title)
	b = append(b, "<!doctype html>\n<html>\n<head>\n<meta charset=utf-8>\n<meta name=viewport content=\"width=device-width\">\n<title>Index of "...)
	b = append(b, et...)
	b = append(b, "</title>\n<style>"...)
	b = append(b, style...)
	b = append(b, "</style>\n</head>\n<body>\n<h1>Index of "...)
	b = append(b, et...)
	b = append(b, "</h1>\n<table>\n<thead><tr><th>Name</th><th>Size</th><th>Modified (UTC)</th></tr></thead>\n<tbody>\n"...)
	if dir != "/" {
		b = append(b, "<tr><td><a href=\"../\">../</a></td><td class=s>-</td><td></td></tr>\n"...)
	}
	for _, e := range entries {
		b = append(b, "<tr><td><a href=\"./"...)
		b = appendEscaped(b, e.Name, &hrefSafe)
		if e.Dir {
			b = append(b, '/')
		}
		b = append(b, "\">"...)
		b = append(b, html.EscapeString(e.Name)...)
		if e.Dir {
			b = append(b, '/')
		}
		b = append(b, "</a></td><td class=s>"...)
		if e.Dir {
			b = append(b, '-')
		} else {
			b = strconv.AppendInt(b, e.Size, 10)
		}
		b = append(b, "</td><td>"...)
		b = e.MTime.AppendFormat(b, "2006-01-02 15:04:05")
		b = append(b, "</td></tr>\n"...)
	}
	b = append(b, "</tbody>\n</table>\n</body>\n</html>\n"...)
	return b
}

// benchEntries is a 10 000-entry directory as readListing returns it
// (directories first, byte order): names like "file-123.txt", a tenth
// of them directories, varied sizes and times.
func benchEntries() []entry {
	out := make([]entry, 0, maxListing)
	base := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range maxListing {
		e := entry{Name: "file-" + strconv.Itoa(i) + ".txt", Size: int64(i) * 7919 % 50_000_000, MTime: base.Add(time.Duration(i) * time.Minute)}
		if i%10 == 0 {
			e = entry{Name: "dir-" + strconv.Itoa(i), Dir: true, MTime: e.MTime}
		}
		out = append(out, e)
	}
	sortListing(out, listingOpts{}) // any fixed order; each run re-sorts a copy
	return out
}

// BenchmarkListingHTML renders a 10 000-entry listing with the old
// renderer and with the template one (default sort, and by size
// descending with a filter), in one run:
//
//	go test -run '^$' -bench ListingHTML -benchmem -count 6 ./server/static
func BenchmarkListingHTML(b *testing.B) {
	src := benchEntries()
	work := make([]entry, len(src))
	var buf []byte
	for _, c := range []struct {
		id     string
		render func([]byte, []entry) []byte
	}{
		{"legacy", func(d []byte, es []entry) []byte { return legacyListingHTML(d, "/bench", es) }},
		{"template", func(d []byte, es []entry) []byte { return appendListingHTML(d, "/bench", es, listingOpts{}) }},
		{"template-size-desc-filter", func(d []byte, es []entry) []byte {
			return appendListingHTML(d, "/bench", es, listingOpts{sort: bySize, desc: true, filter: "9"})
		}},
	} {
		b.Run(c.id, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				copy(work, src)
				buf = c.render(buf[:0], work)
			}
			b.SetBytes(int64(len(buf)))
		})
	}
}
