package static

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

func TestNaturalCompare(t *testing.T) {
	for _, c := range []struct {
		id   string
		a, b string
		want int
	}{
		{"digits-by-value", "file-2", "file-10", -1},
		{"digits-by-value-rev", "file-10", "file-2", 1},
		{"equal", "file-1", "file-1", 0},
		{"leading-zeros-same-value", "file-01", "file-1", -1}, // byte-order tie-break: '0' < '1'
		{"case-folded", "a.txt", "B.txt", -1},
		{"case-tie-break", "A", "a", -1},
		{"prefix-shorter-first", "file", "file-1", -1},
		{"long-numbers", "v99999999999999999999999", "v100000000000000000000000", -1},
		{"digit-before-letter", "1a", "a1", -1},
		{"non-ascii-bytes", "é", "z", 1},
	} {
		t.Run(c.id, func(t *testing.T) {
			if got := naturalCompare(c.a, c.b); got != c.want {
				t.Errorf("naturalCompare(%q, %q) = %d; want %d", c.a, c.b, got, c.want)
			}
			if got := naturalCompare(c.b, c.a); got != -c.want {
				t.Errorf("naturalCompare(%q, %q) = %d; want %d (antisymmetry)", c.b, c.a, got, -c.want)
			}
		})
	}
	names := []string{"file-10", "file-1", "File-3", "file-2", "file-100", "file-02", "a", "file"}
	slices.SortFunc(names, naturalCompare)
	want := []string{"a", "file", "file-1", "file-02", "file-2", "File-3", "file-10", "file-100"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("natural sort (-want +got):\n%s", diff)
	}
}

func TestHumanSize(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1, "1 B"},
		{1023, "1023 B"},
		{1024, "1.0 KiB"},
		{1234, "1.2 KiB"},
		{10188, "9.9 KiB"},
		{10239, "10 KiB"},
		{5000000, "4.8 MiB"},
		{1 << 30, "1.0 GiB"},
		{15 << 40, "15 TiB"},
		{1<<63 - 1, "8.0 EiB"},
	} {
		if got := humanSize(c.n); got != c.want {
			t.Errorf("humanSize(%d) = %q; want %q", c.n, got, c.want)
		}
	}
}

func TestParseListingQuery(t *testing.T) {
	for _, c := range []struct {
		id, q string
		want  listingOpts
	}{
		{"empty", "", listingOpts{}},
		{"size-desc", "sort=size&order=desc", listingOpts{sort: bySize, desc: true}},
		{"time-asc", "order=asc&sort=time", listingOpts{sort: byTime}},
		{"name-desc", "sort=name&order=desc", listingOpts{desc: true}},
		{"unknown-values", "sort=owner&order=sideways", listingOpts{}},
		{"unknown-keys", "x=1&&=&sort", listingOpts{}},
		{"case-sensitive", "sort=SIZE&order=DESC", listingOpts{}},
		{"last-wins", "sort=size&sort=time", listingOpts{sort: byTime}},
		{"filter-decoded", "filter=a+b%3Cc%3E", listingOpts{filter: "a b<c>"}},
		{"filter-bad-escape", "filter=%zz", listingOpts{}},
		{"filter-invalid-utf8", "filter=%ff", listingOpts{filter: "\uFFFD"}},
	} {
		t.Run(c.id, func(t *testing.T) {
			if got := parseListingQuery([]byte(c.q)); got != c.want {
				t.Errorf("parseListingQuery(%q) = %+v; want %+v", c.q, got, c.want)
			}
		})
	}
}

func TestDisplayName(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain.txt", "plain.txt"},
		{"🎉 party.txt", "🎉 party.txt"},
		{"evil\u202Etxt.exe", "evil<U+202E>txt.exe"},
		{"iso\u2066late", "iso<U+2066>late"},
		{"bad\xff\xfe.bin", "bad\uFFFD\uFFFD.bin"},
		{"new\nline\ttab\x7f", "new\u240Aline\u2409tab\u2421"},
		{"עברית.txt", "עברית.txt"},
	} {
		if got := displayName(c.in); got != c.want {
			t.Errorf("displayName(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

// newHostileTree writes each hostile name (content: the name) into
// root/h/, plus a subdirectory, with fixed times and growing sizes.
func newHostileTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "h")
	if err := os.MkdirAll(filepath.Join(dir, "sub dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, n := range hostileNames {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte(strings.Repeat("x", i)+n), 0o644); err != nil {
			t.Fatal(err)
		}
		ts := base.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(p, ts, ts); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// listingRow is one parsed row: the link's href and text.
type listingRow struct{ href, text string }

// parseListing parses a listing as a browser would and returns its rows
// (the <a> of each tbody row), the hidden state of each, and the count.
func parseListing(t *testing.T, body string) (rows []listingRow, hidden []bool, count string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	attr := func(n *html.Node, k string) (string, bool) {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val, true
			}
		}
		return "", false
	}
	var text func(*html.Node) string
	text = func(n *html.Node) string {
		if n.Type == html.TextNode {
			return n.Data
		}
		var b strings.Builder
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			b.WriteString(text(c))
		}
		return b.String()
	}
	var walk func(*html.Node, bool)
	walk = func(n *html.Node, inBody bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "tbody":
				inBody = true
			case "tr":
				if inBody {
					_, h := attr(n, "hidden")
					hidden = append(hidden, h)
				}
			case "td":
				if c, _ := attr(n, "class"); inBody && c == "n" {
					r := listingRow{text: text(n)}
					if a := n.FirstChild; a != nil && a.Type == html.ElementNode && a.Data == "a" {
						r.href, _ = attr(a, "href")
					}
					rows = append(rows, r)
				}
			case "span":
				if id, _ := attr(n, "id"); id == "count" {
					count = text(n)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inBody)
		}
	}
	walk(doc, false)
	if len(rows) != len(hidden) {
		t.Fatalf("%d rows but %d links", len(hidden), len(rows))
	}
	return rows, hidden, count
}

// TestListingHostileNames: every hostile name shows as its display text,
// and its link, resolved against the listing's URL and served by the
// same handler, fetches exactly that file.
func TestListingHostileNames(t *testing.T) {
	h := newHandler(t, Config{Root: newHostileTree(t)})
	resp, body := do(t, h, mkreq("GET", "/h/"))
	if resp.Status != 200 {
		t.Fatalf("GET /h/: %d", resp.Status)
	}
	rows, _, count := parseListing(t, body)
	if want := "1 directory, 17 files"; count != want {
		t.Errorf("count = %q; want %q", count, want)
	}
	byText := map[string]string{}
	for _, r := range rows {
		byText[r.text] = r.href
	}
	if href := byText["sub dir/"]; href != "./sub%20dir/" {
		t.Errorf("sub dir/ links to %q; want ./sub%%20dir/", href)
	}
	base, _ := url.Parse("http://x/h/")
	for _, n := range hostileNames {
		t.Run(url.PathEscape(n), func(t *testing.T) {
			href, ok := byText[displayName(n)]
			if !ok {
				t.Fatalf("no row shows %q; rows %q", displayName(n), rows)
			}
			if strings.ContainsAny(n, "\\\n") {
				if href != "" {
					t.Errorf("%q, which the handler refuses, links to %q", n, href)
				}
				return
			}
			ref, err := url.Parse(href)
			if err != nil || ref.RawQuery != "" || ref.Fragment != "" || ref.Scheme != "" || ref.Host != "" {
				t.Fatalf("href %q parses as %+v, %v; want a bare relative path", href, ref, err)
			}
			target := base.ResolveReference(ref).EscapedPath()
			r, got := do(t, h, mkreq("GET", target))
			if r.Status != 200 || !strings.HasSuffix(got, n) {
				t.Errorf("GET %s (from href %q) = %d %q; want 200 with the file named %q", target, href, r.Status, got, n)
			}
		})
	}
	for _, bad := range []string{"<script>alert", "\u202E", "\xff"} {
		if strings.Contains(body, bad) {
			t.Errorf("listing holds %q raw", bad)
		}
	}
}

func rowTexts(rows []listingRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.text
	}
	return out
}

func TestListingSort(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "s")
	base := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, f := range []struct {
		name string
		size int
		age  int // minutes before base
	}{
		{"file-10", 5, 1}, {"file-2", 50, 3}, {"File-1", 500, 2}, {"b", 0, 0},
	} {
		p := filepath.Join(dir, f.name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.Repeat("x", f.size)), 0o644); err != nil {
			t.Fatal(err)
		}
		ts := base.Add(-time.Duration(f.age) * time.Minute)
		if err := os.Chtimes(p, ts, ts); err != nil {
			t.Fatal(i, err)
		}
	}
	for _, d := range []string{"dir-10", "dir-9"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	h := newHandler(t, Config{Root: root})
	byName := []string{"dir-9/", "dir-10/", "b", "File-1", "file-2", "file-10"}
	for _, c := range []struct {
		id, query string
		want      []string
	}{
		{"default", "", byName},
		{"name-asc", "?sort=name&order=asc", byName},
		{"name-desc", "?sort=name&order=desc", []string{"dir-10/", "dir-9/", "file-10", "file-2", "File-1", "b"}},
		{"size-asc", "?sort=size", []string{"dir-9/", "dir-10/", "b", "file-10", "file-2", "File-1"}},
		{"size-desc", "?sort=size&order=desc", []string{"dir-10/", "dir-9/", "File-1", "file-2", "file-10", "b"}},
		{"time-asc", "?sort=time&order=asc", []string{"dir-9/", "dir-10/", "file-2", "File-1", "file-10", "b"}},
		{"time-desc", "?order=desc&sort=time", []string{"dir-10/", "dir-9/", "b", "file-10", "File-1", "file-2"}},
		{"unknown-sort", "?sort=owner&order=up", byName},
		{"garbage", "?%zz&sort&order==&&", byName},
		{"markup-in-query", "?sort=%3Cscript%3E&filter=%3Cscript%3E", byName},
	} {
		t.Run(c.id, func(t *testing.T) {
			resp, body := do(t, h, mkreq("GET", "/s/"+c.query))
			if resp.Status != 200 {
				t.Fatalf("GET /s/%s: %d", c.query, resp.Status)
			}
			rows, _, _ := parseListing(t, body)
			if diff := cmp.Diff(c.want, rowTexts(rows)); diff != "" {
				t.Errorf("GET /s/%s order (-want +got):\n%s", c.query, diff)
			}
			if strings.Contains(body, "<script>a") || strings.Count(body, "<script>") != 1 {
				t.Errorf("GET /s/%s echoes markup", c.query)
			}
		})
	}
}

func TestListingFilter(t *testing.T) {
	h := newHandler(t, Config{Root: newHostileTree(t)})
	for _, c := range []struct {
		id, query string
		shown     []string
		count     string
	}{
		{"none", "", nil, "1 directory, 17 files"},
		{"substring-case-folded", "?filter=FILE-", []string{"file-1", "file-2", "file-10"}, "1 directory, 17 files · 3 shown"},
		{"with-sort", "?sort=name&order=desc&filter=file-1", []string{"file-10", "file-1"}, "1 directory, 17 files · 2 shown"},
		{"markup", "?filter=%3Cscript%3E", []string{"<script>alert(1)"}, "1 directory, 17 files · 1 shown"},
		{"no-match", "?filter=zzz", []string{}, "1 directory, 17 files · 0 shown"},
	} {
		t.Run(c.id, func(t *testing.T) {
			_, body := do(t, h, mkreq("GET", "/h/"+c.query))
			rows, hidden, count := parseListing(t, body)
			if count != c.count {
				t.Errorf("count = %q; want %q", count, c.count)
			}
			if c.shown == nil {
				if slices.Contains(hidden, true) {
					t.Errorf("unfiltered listing hides rows")
				}
				return
			}
			shown := []string{}
			for i, r := range rows {
				if !hidden[i] {
					shown = append(shown, r.text)
				}
			}
			if diff := cmp.Diff(c.shown, shown); diff != "" {
				t.Errorf("shown rows (-want +got):\n%s", diff)
			}
			if strings.Contains(body, "<script>alert") {
				t.Errorf("filter value echoed unescaped")
			}
		})
	}
}

// TestListingSortLinks: each heading links to its own sort, toggling the
// order of the current key and keeping the filter; the current one says
// so with aria-sort.
func TestListingSortLinks(t *testing.T) {
	h := newHandler(t, Config{Root: newHostileTree(t)})
	_, body := do(t, h, mkreq("GET", "/h/?sort=size&order=desc&filter=a%26b"))
	for _, want := range []string{
		`<a href="?sort=name&amp;order=asc&amp;filter=a%26b">Name</a>`,
		`<th class="s" aria-sort="descending"><a href="?sort=size&amp;order=asc&amp;filter=a%26b">Size ▼</a>`,
		`<a href="?sort=time&amp;order=desc&amp;filter=a%26b">Modified (UTC)</a>`,
		`<input type="hidden" name="sort" value="size"><input type="hidden" name="order" value="desc">`,
		`value="a&amp;b"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("listing lacks %s", want)
		}
	}
}

func TestAppendRowMatchesTemplate(t *testing.T) {
	var entries []entry
	var hidden []bool
	mt := time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC)
	names := append(slices.Clone(hostileNames), xssNames...)
	names = append(names, "a+b", "nul\x00byte", "tab\tname", "plain", "a!$&'()*,;=:@b")
	for i, n := range names {
		for _, dir := range []bool{false, true} {
			entries = append(entries, entry{Name: n, Dir: dir, Size: int64(i) << (i % 40), MTime: mt})
			hidden = append(hidden, i%3 == 0)
		}
	}
	entries = append(entries, entry{Name: "one", Size: 1, MTime: mt})
	hidden = append(hidden, false)
	checkRowsMatchTemplate(t, entries, hidden)
}

// TestListingTruncated: a directory with more than maxListing entries
// lists maxListing of them and says so; the JSON listing keeps its form.
func TestListingTruncated(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 10 001 files; skipped with -short")
	}
	root := t.TempDir()
	dir := filepath.Join(root, "many")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range maxListing + 1 {
		f, err := os.Create(filepath.Join(dir, "f"+strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	h := newHandler(t, Config{Root: root})
	_, body := do(t, h, mkreq("GET", "/many/"))
	rows, _, count := parseListing(t, body)
	if len(rows) != maxListing || count != "0 directories, 10000 files" {
		t.Errorf("%d rows, count %q; want %d rows, \"0 directories, 10000 files\"", len(rows), count, maxListing)
	}
	if want := "only the first 10000 read are listed"; !strings.Contains(body, want) {
		t.Errorf("truncated listing does not say %q", want)
	}
	_, js := do(t, h, mkreq("GET", "/many/", "Accept", "application/json"))
	if n := strings.Count(js, `"name":`); n != maxListing || !strings.HasPrefix(js, "[{") {
		t.Errorf("JSON listing has %d entries; want %d in the usual array", n, maxListing)
	}
	_, small := do(t, h, mkreq("GET", "/"))
	if strings.Contains(small, "only the first") {
		t.Errorf("a small listing claims to be truncated")
	}
}
