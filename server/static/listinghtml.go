package static

import (
	"cmp"
	_ "embed"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ferrox/ferrox/wire"
)

// The HTML listing: a table of names, sizes and times, sorted on the
// server by the query (?sort=name|size|time&order=asc|desc, Caddy's
// parameters) so sorting works without JavaScript, and a filter box that
// is a plain GET form (?filter=) which a small script turns into a live
// filter; as one types, the script keeps ?filter= in the address and in
// the sort links, so a reload, a shared link or a sort keeps it
// (TestListingFilterScript runs it in node). The page frame (which echoes the filter) is html/template;
// the rows are appended by appendRow, held byte for byte to an
// html/template row template by TestAppendRowMatchesTemplate and
// FuzzAppendRow. Names are percent-encoded in hrefs and shown with
// control and bidi characters made visible (displayName).

//go:embed listing.tmpl
var listingSource string

// listingTemplate renders a listingPage.
var listingTemplate = template.Must(template.New("listing").Parse(listingSource))

// listingCSS is the listing's style on top of wire.PageCSS, the style
// shared with the error pages.
const listingCSS = `table{width:100%;border-collapse:collapse;margin-top:.5rem}` +
	`th,td{padding:.35rem .6rem;text-align:left;vertical-align:top;border-bottom:1px solid var(--line)}` +
	`th{font-weight:600;white-space:nowrap}th a{color:inherit;text-decoration:none}th a:hover{text-decoration:underline}` +
	`h1 a{text-decoration:none}h1 a:hover{text-decoration:underline}` +
	`td.n{overflow-wrap:anywhere;width:100%}td.n a{unicode-bidi:isolate;text-decoration:none}td.n a:hover{text-decoration:underline}` +
	`td.s,td.m{white-space:nowrap;font-variant-numeric:tabular-nums}td.s,th.s{text-align:right}` +
	`tbody tr:hover{background:var(--hi)}.d a{font-weight:600}` +
	`.bar{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between}` +
	`.bar input{font:inherit;padding:.3rem .6rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg);width:18rem;max-width:100%;box-sizing:border-box}` +
	`.count,.up{color:var(--mute)}` +
	`@media(max-width:600px){th,td{padding:.35rem .3rem}.hm{display:none}.bar input{width:100%}}`

// sortKey is the column a listing is sorted by.
type sortKey uint8

const (
	byName sortKey = iota
	bySize
	byTime
)

var sortNames = [...]string{byName: "name", bySize: "size", byTime: "time"}

// listingOpts is what the query asks of an HTML listing. The zero value
// is the default: by name, ascending, unfiltered.
type listingOpts struct {
	sort      sortKey
	desc      bool
	filter    string
	truncated bool // not from the query: the directory had more than maxListing entries
}

// parseListingQuery reads sort, order and filter from the raw query.
// Unknown keys and values, and undecodable escapes, fall back to the
// default: a listing never fails because of its query.
func parseListingQuery(q []byte) listingOpts {
	var o listingOpts
	for s := string(q); s != ""; {
		var kv string
		kv, s, _ = strings.Cut(s, "&")
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "sort":
			switch v {
			case "name":
				o.sort = byName
			case "size":
				o.sort = bySize
			case "time":
				o.sort = byTime
			}
		case "order":
			switch v {
			case "asc":
				o.desc = false
			case "desc":
				o.desc = true
			}
		case "filter":
			if f, err := url.QueryUnescape(v); err == nil {
				o.filter = strings.ToValidUTF8(f, "\uFFFD")
			}
		}
	}
	return o
}

// naturalCompare orders names as people read them: runs of digits
// compare by numeric value (file-2 before file-10), other bytes by
// ASCII-case-folded byte value; equal-looking names fall back to plain
// byte order so the order is total and deterministic.
func naturalCompare(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if isDigit(ca) && isDigit(cb) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			// Compare the runs without leading zeros: longer is larger,
			// then digit by digit.
			da := strings.TrimLeft(a[si:i], "0")
			db := strings.TrimLeft(b[sj:j], "0")
			if len(da) != len(db) {
				return cmp.Compare(len(da), len(db))
			}
			if c := strings.Compare(da, db); c != 0 {
				return c
			}
			continue
		}
		if la, lb := lowerASCII(ca), lowerASCII(cb); la != lb {
			return cmp.Compare(int(la), int(lb))
		}
		i++
		j++
	}
	if c := cmp.Compare(len(a)-i, len(b)-j); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// sortListing orders entries for the HTML listing: directories first,
// then by the chosen key (natural name order breaking ties), reversed
// within each group when desc.
func sortListing(entries []entry, o listingOpts) {
	slices.SortFunc(entries, func(a, b entry) int {
		if a.Dir != b.Dir {
			if a.Dir {
				return -1
			}
			return 1
		}
		c := 0
		switch o.sort {
		case bySize:
			c = cmp.Compare(a.Size, b.Size)
		case byTime:
			c = a.MTime.Compare(b.MTime)
		}
		if c == 0 {
			c = naturalCompare(a.Name, b.Name)
		}
		if o.desc {
			c = -c
		}
		return c
	})
}

// appendHumanSize appends n bytes with binary units as ls -h does:
// "512 B", "1.2 KiB", "4.8 MiB", "12 GiB" (one decimal below 10).
func appendHumanSize(b []byte, n int64) []byte {
	if n < 1024 {
		return append(strconv.AppendInt(b, n, 10), " B"...)
	}
	const units = "KMGTPE"
	v := float64(n) / 1024
	u := 0
	for v >= 1024 && u < len(units)-1 {
		v /= 1024
		u++
	}
	prec := 0
	if v < 9.95 {
		prec = 1
	}
	b = strconv.AppendFloat(b, v, 'f', prec, 64)
	return append(b, ' ', units[u], 'i', 'B')
}

// bidiControls are the code points that reorder the text around them
// (the embedding, override and isolate controls and the marks); shown
// raw, "evil\u202Etxt.exe" reads as "evilexe.txt".
func isBidiControl(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F:
		return true
	case 0x202A <= r && r <= 0x202E, 0x2066 <= r && r <= 0x2069:
		return true
	}
	return false
}

// displayName is how a name is shown: invalid UTF-8 bytes as U+FFFD, C0
// controls and DEL as their Control Pictures (U+2400…), bidi controls
// as "<U+202E>" marks, so no name can hide or reorder text. The href
// keeps the real bytes.
func displayName(name string) string {
	clean := true
	for _, r := range name {
		if r == utf8.RuneError || r < 0x20 || r == 0x7f || isBidiControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); {
		r, n := utf8.DecodeRuneInString(name[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			b.WriteRune(utf8.RuneError)
		case r < 0x20:
			b.WriteRune(0x2400 + r)
		case r == 0x7f:
			b.WriteRune(0x2421)
		case isBidiControl(r):
			b.WriteString("<U+")
			b.WriteString(strings.ToUpper(strconv.FormatInt(int64(r), 16)))
			b.WriteString(">")
		default:
			b.WriteString(name[i : i+n])
		}
		i += n
	}
	return b.String()
}

// listingPage is the template's data.
type listingPage struct {
	CSS    template.CSS // wire.PageCSS + listingCSS, constants
	Title  string       // "/a/b/"
	Crumbs []crumb
	Parent bool
	Cols   [3]column
	Filter string
	Sort   string // hidden form fields, empty when the default
	Order  string
	Count  string
	Match  string // "5 shown" when filtered
	// Truncated says how many entries were read of a directory that has
	// more (maxListing); empty otherwise.
	Truncated string
}

// crumb links one ancestor directory in the heading.
type crumb struct{ Href, Name string }

// column is a sortable table heading.
type column struct {
	Label, Href, Class string
	AriaSort           string // "ascending", "descending" or empty
	Arrow              string
}

// appendRow appends the table row of e, shown as name (displayName, with
// a '/' for a directory), hidden when the filter does not match. Its
// output is exactly what html/template renders from rowTemplate
// (listinghtml_test.go) for the same entry, the same markup and the same
// escaping (htmlEscape): a test and a fuzz target hold the two equal.
// Running the template per row costs many times this
// (BenchmarkListingHTML), so the page frame, which carries the request's
// filter, goes through html/template and the rows, which carry only
// names, sizes and times, through here.
func appendRow(b []byte, e *entry, name string, hidden bool) []byte {
	b = append(b, `<tr class="`...)
	if e.Dir {
		b = append(b, 'd')
	} else {
		b = append(b, 'f')
	}
	b = append(b, '"')
	if hidden {
		b = append(b, " hidden"...)
	}
	b = append(b, `><td class="n">`...)
	if servable(e.Name) {
		// The href holds only unreserved bytes and %XX escapes (hrefSafe):
		// nothing html/template's URL normalizer or escaper would change.
		b = append(b, `<a href="./`...)
		b = appendEscaped(b, e.Name, &hrefSafe)
		if e.Dir {
			b = append(b, '/')
		}
		b = append(b, `">`...)
		b = htmlEscape(b, name)
		b = append(b, `</a>`...)
	} else {
		b = append(b, `<span title="not served: the name holds a control character or a backslash">`...)
		b = htmlEscape(b, name)
		b = append(b, `</span>`...)
	}
	b = append(b, `</td><td class="s"`...)
	if e.Dir {
		b = append(b, ">—"...)
	} else {
		b = append(b, ` title="`...)
		b = strconv.AppendInt(b, e.Size, 10)
		if e.Size == 1 {
			b = append(b, ` byte">`...)
		} else {
			b = append(b, ` bytes">`...)
		}
		b = appendHumanSize(b, e.Size)
	}
	var ts [24]byte
	stamp := e.MTime.AppendFormat(ts[:0], "2006-01-02T15:04:05Z")
	b = append(b, `</td><td class="m"><time datetime="`...)
	b = append(b, stamp...)
	b = append(b, `">`...)
	b = append(b, stamp[:10]...) // the date
	b = append(b, `<span class="hm"> `...)
	b = append(b, stamp[11:16]...) // hours and minutes
	b = append(b, "</span></time></td></tr>\n"...)
	return b
}

// htmlSpecial marks the bytes htmlEscape replaces.
var htmlSpecial = [256]bool{0: true, '"': true, '&': true, '\'': true, '+': true, '<': true, '>': true}

// htmlEscape appends s escaped as html/template escapes text and quoted
// attribute values (its htmlReplacementTable): NUL, '"', '&', '\”,
// '+', '<' and '>'.
func htmlEscape(b []byte, s string) []byte {
	i := 0
	for i < len(s) && !htmlSpecial[s[i]] {
		i++
	}
	b = append(b, s[:i]...)
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			b = append(b, "\uFFFD"...)
		case '"':
			b = append(b, "&#34;"...)
		case '&':
			b = append(b, "&amp;"...)
		case '\'':
			b = append(b, "&#39;"...)
		case '+':
			b = append(b, "&#43;"...)
		case '<':
			b = append(b, "&lt;"...)
		case '>':
			b = append(b, "&gt;"...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// crumbs splits the directory path dir ("/a/b") into links relative to
// the page: "/" is "../../", "a/" is "../", "b/" is "./".
func crumbs(dir string) []crumb {
	segs := strings.Split(strings.Trim(dir, "/"), "/")
	if dir == "/" {
		segs = nil
	}
	out := make([]crumb, 0, len(segs)+1)
	out = append(out, crumb{Href: upPath(len(segs)), Name: "/"})
	for i, s := range segs {
		out = append(out, crumb{Href: upPath(len(segs) - 1 - i), Name: displayName(s) + "/"})
	}
	return out
}

func upPath(n int) string {
	if n == 0 {
		return "./"
	}
	return strings.Repeat("../", n)
}

// sortHref is the query that sorts by k: the opposite order when k is
// already the key, else ascending (descending first for size and time,
// where the largest and newest are what one looks for).
func sortHref(k sortKey, o listingOpts) string {
	desc := k != byName
	if k == o.sort {
		desc = !o.desc
	}
	order := "asc"
	if desc {
		order = "desc"
	}
	h := "?sort=" + sortNames[k] + "&order=" + order
	if o.filter != "" {
		h += "&filter=" + url.QueryEscape(o.filter)
	}
	return h
}

func plural(n int, one, many string) string { return plural64(int64(n), one, many) }

func plural64(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// appendListingHTML renders the HTML listing of the directory at the
// clean URL path dir, sorting entries in place as o says.
func appendListingHTML(b []byte, dir string, entries []entry, o listingOpts) []byte {
	sortListing(entries, o)
	title := dir
	if title != "/" {
		title += "/"
	}
	p := listingPage{
		CSS:    template.CSS(wire.PageCSS + listingCSS),
		Title:  displayName(title),
		Crumbs: crumbs(dir),
		Parent: dir != "/",
		Filter: o.filter,
	}
	if o.sort != byName || o.desc {
		p.Sort = sortNames[o.sort]
		p.Order = "asc"
		if o.desc {
			p.Order = "desc"
		}
	}
	for i, label := range [3]string{"Name", "Size", "Modified (UTC)"} {
		k := sortKey(i)
		c := column{Label: label, Href: sortHref(k, o)}
		if k == bySize {
			c.Class = "s"
		}
		if k == o.sort {
			c.AriaSort, c.Arrow = "ascending", "▲"
			if o.desc {
				c.AriaSort, c.Arrow = "descending", "▼"
			}
		}
		p.Cols[i] = c
	}
	// The rows go between the "head" and "tail" templates, appended by
	// appendRow, whose output a test holds byte for byte to
	// html/template's for the same row; the count, known only after
	// the rows, is in the head, so the rows are built first.
	lowFilter := strings.ToLower(o.filter)
	dirs, files, match := 0, 0, 0
	rows := make([]byte, 0, len(entries)*320)
	for i := range entries {
		e := &entries[i]
		name := displayName(e.Name)
		if e.Dir {
			name += "/"
			dirs++
		} else {
			files++
		}
		hidden := false
		if lowFilter != "" {
			if strings.Contains(strings.ToLower(name), lowFilter) {
				match++
			} else {
				hidden = true
			}
		}
		rows = appendRow(rows, e, name, hidden)
	}
	p.Count = plural(dirs, "directory", "directories") + ", " + plural(files, "file", "files")
	if o.filter != "" {
		p.Match = strconv.Itoa(match) + " shown"
	}
	if o.truncated {
		p.Truncated = strconv.Itoa(maxListing)
	}
	w := appendWriter{b}
	err := listingTemplate.ExecuteTemplate(&w, "head", p)
	w.b = append(w.b, rows...)
	if err == nil {
		err = listingTemplate.ExecuteTemplate(&w, "tail", p)
	}
	if err != nil {
		// The templates are fixed and their data plain strings: this
		// cannot happen short of a bug; end the page rather than panic.
		return append(w.b, "\n<p>listing failed\n"...)
	}
	return w.b
}

// servable reports whether a request for name could fetch it: the path
// rules refuse control bytes and backslashes (see hasControl and
// parser.DecodePathStrict), so such names are listed without a link
// that could only fail.
func servable(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// hrefSafe marks bytes kept as-is in a listing href: unreserved only, so
// ':' (which could turn a name into a scheme such as "javascript:"), '%',
// '?', '#' and every HTML-significant byte are percent-encoded.
var hrefSafe = alnumPlus("-._~")

// appendWriter is an io.Writer appending to a byte slice.
type appendWriter struct{ b []byte }

func (w *appendWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
