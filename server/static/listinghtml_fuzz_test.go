package static

// FuzzAppendRow and what it checks against (html/template's rendering of
// the same rows), in a file of their own: go-118-fuzz-build (ClusterFuzzLite,
// OSS-Fuzz; make fuzz-libfuzzer) compiles the package's non-test files
// plus only the file holding the target, so this file calls nothing from
// the other test files (which use what is here).

import (
	"bytes"
	"fmt"
	"html/template"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// rowTB is what checkRowsMatchTemplate uses of a test: *testing.T and
// go-118-fuzz-build's T both have it.
type rowTB interface {
	Helper()
	Fatal(args ...any)
	Errorf(format string, args ...any)
}

// FuzzAppendRow: appendRow writes the bytes html/template writes for any
// entry.
func FuzzAppendRow(f *testing.F) {
	for i, n := range hostileNames {
		f.Add(n, i%2 == 0, i%3 == 0, int64(i)*1000003, int64(1700000000+i))
	}
	f.Fuzz(func(t *testing.T, name string, dir, hidden bool, size, unix int64) {
		mt := time.Unix(unix%(1<<34), 0).UTC() // years 1425..2514: four digits
		e := entry{Name: name, Dir: dir, Size: size & (1<<62 - 1), MTime: mt}
		checkRowsMatchTemplate(t, []entry{e}, []bool{hidden})
	})
}

// hostileNames are names a listing must show inertly and link exactly.
var hostileNames = []string{
	"<script>alert(1)",
	`quote"double'single`,
	"100%.txt",
	"%2e%2e",
	"what?.txt",
	"#hash.txt",
	"evil\u202Etxt.exe",
	strings.Repeat("long", 50), // 200 bytes, no spaces
	"bad\xff\xfe.bin",
	"🎉 party.txt",
	"semi;colon&amp.txt",
	"back\\slash", // refused by the path rules: listed, not linked
	"new\nline",   // likewise
	"javascript:alert(1)",
	"file-10",
	"file-2",
	"file-1",
}

// rowTemplate is the reference for appendRow: the listing's table rows
// as html/template renders them. appendRow must produce the same bytes.
var rowTemplate = template.Must(template.New("rows").Parse(`{{range . -}}
<tr class="{{if .Dir}}d{{else}}f{{end}}"{{if .Hidden}} hidden{{end}}><td class="n">{{if .Href}}<a href="{{.Href}}">{{.Name}}</a>{{else}}<span title="not served: the name holds a control character or a backslash">{{.Name}}</span>{{end}}</td><td class="s"{{if .Bytes}} title="{{.Bytes}}"{{end}}>{{if .Dir}}—{{else}}{{.Size}}{{end}}</td><td class="m"><time datetime="{{.Stamp}}">{{.Date}}<span class="hm"> {{.Clock}}</span></time></td></tr>
{{end -}}`))

// refRow is one entry formatted independently of appendRow, for
// rowTemplate.
type refRow struct {
	Href, Name  string
	Dir, Hidden bool
	Size, Bytes string
	Date, Clock string
	Stamp       string
}

func refRowOf(e entry, hidden bool) refRow {
	r := refRow{Name: displayName(e.Name), Dir: e.Dir, Hidden: hidden}
	if servable(e.Name) {
		r.Href = "./" + url.PathEscape(e.Name)
		// PathEscape keeps sub-delims, ':' and '@'; the listing does not.
		r.Href = strings.NewReplacer(
			"!", "%21", "$", "%24", "&", "%26", "'", "%27", "(", "%28", ")", "%29",
			"*", "%2A", "+", "%2B", ",", "%2C", ";", "%3B", "=", "%3D", ":", "%3A", "@", "%40",
		).Replace(r.Href)
	}
	if e.Dir {
		r.Name += "/"
		if r.Href != "" {
			r.Href += "/"
		}
	} else {
		r.Size = humanSize(e.Size)
		r.Bytes = fmt.Sprintf("%d bytes", e.Size)
		if e.Size == 1 {
			r.Bytes = "1 byte"
		}
	}
	r.Date = e.MTime.Format(time.DateOnly)
	r.Clock = e.MTime.Format("15:04")
	r.Stamp = e.MTime.Format(time.RFC3339)
	return r
}

func humanSize(n int64) string { return string(appendHumanSize(nil, n)) }

// checkRowsMatchTemplate renders entries with rowTemplate and with
// appendRow and compares the bytes.
func checkRowsMatchTemplate(t rowTB, entries []entry, hidden []bool) {
	t.Helper()
	var refs []refRow
	var got []byte
	for i, e := range entries {
		refs = append(refs, refRowOf(e, hidden[i]))
		name := displayName(e.Name)
		if e.Dir {
			name += "/"
		}
		got = appendRow(got, &e, name, hidden[i])
	}
	var want bytes.Buffer
	if err := rowTemplate.Execute(&want, refs); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.String(), string(got)); diff != "" {
		t.Errorf("appendRow differs from html/template (-template +appendRow):\n%s", diff)
	}
}
