package static

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// xssNames are file names that must render inert in a listing.
var xssNames = []string{
	`<img src=x onerror=alert(1)>`,
	`"onmouseover=alert(1) x="`,
	`javascript:alert(1)`,
	`a&b.txt`,
	`'single'`,
	`<script>alert(1)<\script>`,
}

// newListingTree builds a directory for listing tests with fixed times.
func newListingTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	dir := filepath.Join(root, "list")
	files := map[string]string{
		"b.txt":      "bb",
		"a.txt":      "a",
		"Z-upper":    "zzz",
		".hidden":    "h",
		"big.bin":    strings.Repeat("x", 1234),
		"ünïcode.md": "u",
	}
	for _, n := range xssNames {
		files[n] = "x"
	}
	if err := os.MkdirAll(filepath.Join(dir, "zdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "outside-of-list"), 0o755); err != nil {
		t.Fatal(err)
	}
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("a.txt", filepath.Join(dir, "link-a")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(dir, "link-escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("nowhere", filepath.Join(dir, "link-dangling")); err != nil {
		t.Fatal(err)
	}
	base := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	entries, _ := os.ReadDir(dir)
	for i, e := range entries {
		if e.Type()&os.ModeSymlink != 0 {
			continue
		}
		ts := base.Add(time.Duration(i) * time.Hour)
		if err := os.Chtimes(filepath.Join(dir, e.Name()), ts, ts); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestListingGolden(t *testing.T) {
	h := newHandler(t, Config{Root: newListingTree(t)})
	resp, body := do(t, h, mkreq("GET", "/list/"))
	if resp.Status != 200 {
		t.Fatalf("GET /list/: status %d", resp.Status)
	}
	if got := resp.Get("Content-Type"); got != htmlType {
		t.Errorf("Content-Type = %q; want %q", got, htmlType)
	}
	if got := resp.Get("Vary"); got != "Accept" {
		t.Errorf("Vary = %q; want Accept", got)
	}
	golden := filepath.Join("testdata", "listing.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), body); diff != "" {
		t.Errorf("listing differs from %s (-want +got):\n%s", golden, diff)
	}
}

// TestListingXSS parses the listing as a browser would and checks that
// every name came through as text and hrefs, never as markup.
func TestListingXSS(t *testing.T) {
	h := newHandler(t, Config{Root: newListingTree(t)})
	_, body := do(t, h, mkreq("GET", "/list/"))
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var texts, hrefs, scripts []string
	elems := map[string]int{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			elems[n.Data]++
			for _, a := range n.Attr {
				if strings.HasPrefix(a.Key, "on") || a.Key == "src" {
					t.Errorf("element <%s> has attribute %q", n.Data, a.Key)
				}
				if a.Key == "href" {
					hrefs = append(hrefs, a.Val)
				}
			}
		}
		if n.Type == html.TextNode && n.Parent != nil && (n.Parent.Data == "a" || n.Parent.Data == "span") {
			texts = append(texts, n.Data)
		}
		if n.Type == html.TextNode && n.Parent != nil && n.Parent.Data == "script" {
			scripts = append(scripts, n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if elems["img"] != 0 {
		t.Errorf("listing contains %d <img> elements", elems["img"])
	}
	// The one script is the listing's own filter, and no name is in it.
	if elems["script"] != 1 || len(scripts) != 1 || !strings.Contains(listingSource, scripts[0]) {
		t.Errorf("listing holds %d <script> elements (%q); want only its own filter script", elems["script"], scripts)
	}
	for _, n := range xssNames {
		found := false
		for _, tx := range texts {
			if tx == n {
				found = true
			}
		}
		if !found {
			t.Errorf("name %q not shown verbatim as link (or unlinked) text; texts %q", n, texts)
		}
	}
	for _, href := range hrefs {
		if strings.HasPrefix(href, "?sort=") {
			continue // a column heading's sort link
		}
		if !strings.HasPrefix(href, "./") && strings.Trim(href, "./") != "" {
			t.Errorf("href %q is neither ./NAME nor an ancestor (./, ../, ../../ …)", href)
		}
		if strings.ContainsAny(href, ":\"'<> ?#") {
			t.Errorf("href %q holds an unescaped special byte", href)
		}
	}
	for _, tx := range texts {
		if strings.Contains(tx, ".hidden") || strings.Contains(tx, "link-escape") || strings.Contains(tx, "link-dangling") {
			t.Errorf("listing shows a dotfile or a bad symlink: %q", tx)
		}
	}
}

func TestListingJSON(t *testing.T) {
	h := newHandler(t, Config{Root: newListingTree(t)})
	resp, body := do(t, h, mkreq("GET", "/list/", "Accept", "text/html;q=0.5, Application/JSON"))
	if resp.Status != 200 || resp.Get("Content-Type") != "application/json; charset=utf-8" || resp.Get("Vary") != "Accept" {
		t.Fatalf("JSON listing: %d %q Vary %q", resp.Status, resp.Get("Content-Type"), resp.Get("Vary"))
	}
	var got []struct {
		Name  string `json:"name"`
		Dir   bool   `json:"dir"`
		Size  int64  `json:"size"`
		MTime string `json:"mtime"`
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decoding %q: %v", body, err)
	}
	if len(got) < 3 || got[0].Name != "adir" || !got[0].Dir || got[1].Name != "zdir" {
		t.Fatalf("first entries %+v; want adir, zdir (directories first)", got[:min(3, len(got))])
	}
	byName := map[string]int{}
	for i, e := range got {
		byName[e.Name] = i
		if _, err := time.Parse(time.RFC3339, e.MTime); err != nil || !strings.HasSuffix(e.MTime, "Z") {
			t.Errorf("%q mtime %q is not RFC 3339 UTC", e.Name, e.MTime)
		}
	}
	if i, ok := byName["big.bin"]; !ok || got[i].Size != 1234 || got[i].Dir {
		t.Errorf("big.bin entry missing or wrong: %+v", got)
	}
	if i, ok := byName["link-a"]; !ok || got[i].Size != 1 {
		t.Errorf("link-a should describe its target a.txt (size 1): %+v", got)
	}
	for _, hidden := range []string{".hidden", "link-escape", "link-dangling"} {
		if _, ok := byName[hidden]; ok {
			t.Errorf("JSON listing shows %q", hidden)
		}
	}
}

func TestListingRootHasNoParent(t *testing.T) {
	h := newHandler(t, Config{Root: newListingTree(t)})
	_, body := do(t, h, mkreq("GET", "/"))
	if strings.Contains(body, `href="../"`) {
		t.Errorf("root listing links to ../")
	}
	if !strings.Contains(body, `href="./list/"`) {
		t.Errorf("root listing lacks ./list/: %s", body)
	}
	_, body = do(t, h, mkreq("GET", "/list/zdir/"))
	if !strings.Contains(body, `href="../"`) {
		t.Errorf("subdirectory listing lacks ../")
	}
}

func TestListingDotfilesShown(t *testing.T) {
	h := newHandler(t, Config{Root: newListingTree(t), Dotfiles: true})
	_, body := do(t, h, mkreq("GET", "/list/"))
	if !strings.Contains(body, ".hidden") {
		t.Errorf("Dotfiles: listing hides .hidden")
	}
}

// TestListingJSONGolden pins the JSON listing byte for byte: its schema
// and order (directories first, then byte order of names) are an API.
func TestListingJSONGolden(t *testing.T) {
	h := newHandler(t, Config{Root: newListingTree(t)})
	for _, target := range []string{"/list/", "/list/?sort=size&order=desc&filter=a"} {
		_, body := do(t, h, mkreq("GET", target, "Accept", "application/json"))
		golden := filepath.Join("testdata", "listing.json.golden")
		if *update && target == "/list/" {
			if err := os.WriteFile(golden, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if diff := cmp.Diff(string(want), body); diff != "" {
			t.Errorf("GET %s: JSON listing differs from %s (-want +got):\n%s", target, golden, diff)
		}
	}
}
