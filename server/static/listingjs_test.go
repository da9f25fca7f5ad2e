package static

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// filterPage is what the filter script works on in a rendered listing:
// the names in the rows (parseListing) and the sort links' hrefs.
type filterPage struct {
	Names []string `json:"names"`
	Sorts []string `json:"sorts"`
}

// parseFilterPage parses a rendered listing as a browser would: the
// page's script, its rows, the sort links, and how many rows are shown.
func parseFilterPage(t *testing.T, body string) (script string, p filterPage, shown int) {
	t.Helper()
	rows, hidden, _ := parseListing(t, body)
	for i, r := range rows {
		p.Names = append(p.Names, r.text)
		if !hidden[i] {
			shown++
		}
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *html.Node, inHead bool)
	walk = func(n *html.Node, inHead bool) {
		if n.Type == html.ElementNode && n.Data == "thead" {
			inHead = true
		}
		if n.Type == html.ElementNode && n.Data == "a" && inHead {
			for _, a := range n.Attr {
				if a.Key == "href" {
					p.Sorts = append(p.Sorts, a.Val)
				}
			}
		}
		if n.Type == html.TextNode && n.Parent != nil && n.Parent.Data == "script" {
			script = n.Data
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inHead)
		}
	}
	walk(doc, false)
	return script, p, shown
}

// listingHarness runs the listing's script in node with the few DOM
// objects it touches stubbed, types each of the steps into the filter box
// in turn, and prints, per step, the address, the sort links and how many
// rows are shown. PAGE, SCRIPT and STEPS are replaced with JSON.
const listingHarness = `
const page = PAGE, steps = STEPS, out = [];
const rows = page.names.map(n => ({cells: [{textContent: n}], hidden: false}));
const sorts = page.sorts.map(h => ({h, getAttribute() { return this.h; }, setAttribute(k, v) { this.h = v; }}));
const box = {value: "", addEventListener(type, fn) { this.fn = fn; }};
const count = {textContent: "", dataset: {total: "n"}};
globalThis.document = {
  getElementById: id => id === "filter" ? box : count,
  querySelectorAll: sel => sel === "tbody tr" ? rows : sel === "thead a" ? sorts : [],
};
globalThis.location = {pathname: "/list/", search: "?sort=size&order=desc", hash: ""};
globalThis.history = {replaceState(state, title, url) {
  const i = url.indexOf("?");
  location.search = i < 0 ? "" : url.slice(i);
  location.url = url;
}};
eval(SCRIPT);
for (const s of steps) {
  box.value = s;
  box.fn();
  out.push({url: location.url, sorts: sorts.map(a => a.h), shown: rows.filter(r => !r.hidden).length});
}
console.log(JSON.stringify(out));
`

// TestListingFilterScript runs the live filter in node (skipped where node
// is missing): typing keeps the address and the sort links in step with
// the box (so reloading, sharing or sorting keeps the filter), clearing it
// drops the parameter, and the rows it shows are the ones the server
// lists for the same ?filter= (the script and the server agree).
func TestListingFilterScript(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the listing's script is not run")
	}
	h := newHandler(t, Config{Root: newListingTree(t)})
	_, body := do(t, h, mkreq("GET", "/list/?sort=size&order=desc"))
	script, page, _ := parseFilterPage(t, body)
	if script == "" || len(page.Names) == 0 || len(page.Sorts) != 3 {
		t.Fatalf("listing page: script %d bytes, %d rows, sort links %q", len(script), len(page.Names), page.Sorts)
	}
	steps := []string{"a", "A&b", ""}
	js := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	src := strings.NewReplacer("PAGE", js(page), "SCRIPT", js(script), "STEPS", js(steps)).Replace(listingHarness)
	out, err := exec.Command(node, "-e", src).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got []struct {
		URL   string   `json:"url"`
		Sorts []string `json:"sorts"`
		Shown int      `json:"shown"`
	}
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(steps) {
		t.Fatalf("node printed %q (%v); want %d steps", out, err, len(steps))
	}
	for i, s := range steps {
		q := "sort=size&order=desc"
		if s != "" {
			q += "&filter=" + strings.NewReplacer("&", "%26").Replace(s)
		}
		if want := "/list/?" + q; got[i].URL != want {
			t.Errorf("typing %q: address %q; want %q", s, got[i].URL, want)
		}
		for _, href := range got[i].Sorts {
			if has := strings.Contains(href, "filter="); has != (s != "") || !strings.Contains(href, "sort=") {
				t.Errorf("typing %q: sort link %q; want its sort and %s filter", s, href, map[bool]string{true: "the", false: "no"}[s != ""])
			}
		}
		_, filtered := do(t, h, mkreq("GET", "/list/?"+q))
		if _, _, shown := parseFilterPage(t, filtered); got[i].Shown != shown {
			t.Errorf("typing %q: the script shows %d rows; the server lists %d for ?%s", s, got[i].Shown, shown, q)
		}
	}
}
