package reports

import (
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
)

// chainKinds is the order findings are counted and shown in: what request
// smuggling looks like from the origin's side first, then the rules for
// intermediaries.
var chainKinds = []string{
	conformance.FindSmuggled, conformance.FindAfterClose, conformance.FindMalformed,
	conformance.FindReframed, conformance.FindResponseDesync, conformance.FindForwardedInvalid,
	conformance.FindNotForwarded, conformance.FindConnectionField, conformance.FindMaxForwards,
	conformance.FindNoVia, conformance.FindUnaccounted,
}

// kindIndex maps a finding kind to its place in chainKinds; an unknown
// kind (a newer judge) counts in an extra last column.
func kindIndex(kind string) int {
	for i, k := range chainKinds {
		if k == kind {
			return i
		}
	}
	return len(chainKinds)
}

// maxMDBytes bounds each byte stream quoted in the Markdown matrix; the
// HTML page shows up to maxShownBytes and the JSON reports hold them all.
const maxMDBytes = 2 << 10

// chainHead is one proxy's line of the summary.
type chainHead struct {
	Name     string
	All      tally
	Findings int   // findings of every severity
	Failing  int   // findings of severity fail
	Cases    int   // cases with at least one finding
	ByKind   []int // per chainMatrixData.Kinds
	Duration string

	// Of the cases whose client bytes hold a message the strict parse
	// refuses (Invalid), what happened to the first such message.
	Invalid    int
	Refused    int // it never reached the origin
	Rewritten  int // it reached the origin in a form the strict parser accepts
	PassedOn   int // the origin's strict parser refused what was forwarded
	Unresolved int // none of these (e.g. only a partial message reached the origin)
}

// chainCell is one case through one proxy.
type chainCell struct {
	verdictCell
	Kinds  string // the distinct finding kinds, in chainKinds order
	Anchor string // id of the case's findings on the page; "" without findings
	Reason string
}

// chainRow is one case through every proxy.
type chainRow struct {
	ID, Group string
	Level     corpus.Level
	Cells     []chainCell
	Findings  bool // some proxy has a finding for it
}

// chainFinding is one case with findings through one proxy, laid out for
// its <details>: the findings, the client's bytes, the forwarded bytes.
type chainFinding struct {
	Anchor   string
	R        *conformance.Result
	Kinds    string
	Chain    *htmlChain // the client's bytes are in Chain.Sent
	Received template.HTML
	RecvLen  int
}

// chainSection is the findings of one proxy.
type chainSection struct {
	Name     string
	Findings []chainFinding
}

type chainMatrixData struct {
	Proxies  []string
	Kinds    []string // chainKinds, plus "other" when a finding's kind is none of them
	Heads    []chainHead
	Rows     []chainRow
	Flagged  int // rows with a finding
	Sections []chainSection
}

func buildChainMatrix(runs []*conformance.Run) chainMatrixData {
	d := chainMatrixData{Kinds: append(append([]string(nil), chainKinds...), "other")}
	idx := map[string]int{}
	for pi, run := range runs {
		d.Proxies = append(d.Proxies, run.Target)
		h := chainHead{Name: run.Target, ByKind: make([]int, len(d.Kinds)),
			Duration: strconv.FormatFloat(run.Duration.Seconds(), 'f', 1, 64)}
		sec := chainSection{Name: run.Target}
		for i := range run.Results {
			r := &run.Results[i]
			j, ok := idx[r.Case.ID]
			if !ok {
				j = len(d.Rows)
				idx[r.Case.ID] = j
				d.Rows = append(d.Rows, chainRow{ID: r.Case.ID, Group: r.Case.Group, Level: r.Case.Level,
					Cells: make([]chainCell, len(runs))})
			}
			h.All.add(r.Verdict)
			cell := chainCell{verdictCell: verdictCell{Present: true, Verdict: r.Verdict}, Reason: r.Reason}
			if ch := r.Chain; ch != nil {
				classifyInvalid(&h, ch)
				if len(ch.Findings) > 0 {
					h.Cases++
					for _, f := range ch.Findings {
						h.Findings++
						if f.Severity == conformance.Fail {
							h.Failing++
						}
						h.ByKind[kindIndex(f.Kind)]++
					}
					cell.Kinds = findingKinds(ch.Findings)
					cell.Anchor = anchorID(run.Target, r.Case.ID)
					d.Rows[j].Findings = true
					sec.Findings = append(sec.Findings, chainFinding{
						Anchor: cell.Anchor, R: r, Kinds: cell.Kinds, Chain: chainView(r),
						Received: wireHTML(r.Observed.Received), RecvLen: len(r.Observed.Received),
					})
				}
			}
			d.Rows[j].Cells[pi] = cell
		}
		d.Heads = append(d.Heads, h)
		d.Sections = append(d.Sections, sec)
	}
	for _, r := range d.Rows {
		if r.Findings {
			d.Flagged++
		}
	}
	// The "other" column only when a finding of a kind this build does not
	// know turned up.
	other := len(chainKinds)
	used := false
	for _, h := range d.Heads {
		used = used || h.ByKind[other] > 0
	}
	if !used {
		d.Kinds = d.Kinds[:other]
		for i := range d.Heads {
			d.Heads[i].ByKind = d.Heads[i].ByKind[:other]
		}
	}
	return d
}

// classifyInvalid counts what a proxy did with the first client message
// the strict parse refuses (class tolerated or rejected), if the case has
// one: refused it (never reached the origin), rewrote it (reached the
// origin in a form the strict parser accepts) or passed it on (the origin's
// strict parser refused the forwarded bytes).
func classifyInvalid(h *chainHead, ch *conformance.Chain) {
	off := -1
	for j, m := range ch.Intent.Messages {
		if m.Class == conformance.IntentTolerated || m.Class == conformance.IntentRejected {
			off = j
			break
		}
	}
	if off < 0 {
		return
	}
	h.Invalid++
	for _, f := range ch.Findings {
		if f.Kind == conformance.FindMalformed {
			h.PassedOn++
			return
		}
	}
	for _, j := range ch.Matched {
		if j == off {
			h.Rewritten++
			return
		}
	}
	for _, u := range ch.Upstreams {
		if len(u.Requests) > 0 || u.Pending > 0 {
			// something of it or after it reached the origin unmatched
			h.Unresolved++
			return
		}
	}
	h.Refused++
}

// findingKinds lists the distinct kinds of fs in chainKinds order, with a
// count where a kind repeats ("smuggled ×2, response-desync").
func findingKinds(fs []conformance.Finding) string {
	counts := map[string]int{}
	var extra []string
	for _, f := range fs {
		if counts[f.Kind] == 0 && kindIndex(f.Kind) == len(chainKinds) {
			extra = append(extra, f.Kind)
		}
		counts[f.Kind]++
	}
	var parts []string
	for _, k := range append(append([]string(nil), chainKinds...), extra...) {
		n := counts[k]
		if n == 0 {
			continue
		}
		if n > 1 {
			k += " ×" + strconv.Itoa(n)
		}
		parts = append(parts, k)
	}
	return strings.Join(parts, ", ")
}

// anchorID is the page id of one case's findings through one proxy: only
// letters, digits, '-' and '.', so it is a valid id and fragment as is.
func anchorID(proxy, id string) string {
	clean := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
				return r
			}
			return '-'
		}, s)
	}
	return "f-" + clean(proxy) + "--" + clean(id)
}

// ChainMatrix renders chain runs of several front ends (run.Target names
// each) side by side as Markdown: the verdicts and findings per proxy, what
// each did with invalid client messages, the proxy × case table (cases
// with findings first, then all), and per finding the client's bytes and
// the forwarded bytes in a <details> block.
func ChainMatrix(runs []*conformance.Run) Reporter {
	return func(w0 io.Writer) error {
		w := newStickyWriter(w0)
		d := buildChainMatrix(runs)
		w.str("# Proxy chains matrix\n\n")
		w.printf("%d front ends, %d cases, each sent through the front end to Ferrox's recording origin"+
			" (`ferrox conform --via`); verdicts and findings are the chain judge's. %d cases have a finding through at least one front end.\n\n",
			len(d.Proxies), len(d.Rows), d.Flagged)
		w.str("Legend: ✓ pass, ✗ fail, ! warn, E error (could not run), – not run; a cell names the kinds of its findings.\n\n")

		w.str("## Summary\n\n| Front end | Pass | Fail | Warn | Error | Findings | of them fail | Cases with findings | Time (s) |\n")
		w.str("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, h := range d.Heads {
			w.printf("| %s | %d / %d | %d | %d | %d | %d | %d | %d | %s |\n", mdCell(h.Name), h.All.Pass, h.All.Total(),
				h.All.Fail, h.All.Warn, h.All.Error, h.Findings, h.Failing, h.Cases, h.Duration)
		}

		w.str("\n## Findings by kind\n\n| Kind |")
		for _, p := range d.Proxies {
			w.printf(" %s |", mdCell(p))
		}
		w.str("\n|---|")
		for range d.Proxies {
			w.str("---:|")
		}
		w.str("\n")
		for k, kind := range d.Kinds {
			w.printf("| %s |", kind)
			for _, h := range d.Heads {
				w.printf(" %d |", h.ByKind[k])
			}
			w.str("\n")
		}

		w.str("\n## Invalid client messages: refused, rewritten or passed on\n\n")
		w.str("Cases whose client bytes hold a message the strict parse refuses, by what reached the origin of the first such message:" +
			" *refused* — nothing of it; *rewritten* — it, in a form the strict parser accepts; *passed on* — bytes the origin's strict parser refuses;" +
			" *other* — only something the judge could not tie to it.\n\n")
		w.str("| Front end | Cases | Refused | Rewritten | Passed on | Other |\n|---|---:|---:|---:|---:|---:|\n")
		for _, h := range d.Heads {
			w.printf("| %s | %d | %d | %d | %d | %d |\n", mdCell(h.Name), h.Invalid, h.Refused, h.Rewritten, h.PassedOn, h.Unresolved)
		}

		w.printf("\n## Cases with findings (%d)\n\n", d.Flagged)
		writeChainTable(w, &d, true)
		w.printf("\n## All cases (%d)\n\n", len(d.Rows))
		writeChainTable(w, &d, false)

		w.str("\n## Findings\n")
		for _, s := range d.Sections {
			w.printf("\n### %s (%d cases)\n\n", mdText(s.Name), len(s.Findings))
			if len(s.Findings) == 0 {
				w.str("None.\n")
			}
			for _, f := range s.Findings {
				writeMDFinding(w, &f)
			}
		}
		return w.close()
	}
}

func writeChainTable(w *stickyWriter, d *chainMatrixData, flagged bool) {
	if flagged && d.Flagged == 0 {
		w.str("None.\n")
		return
	}
	w.str("| Case | Group | Level |")
	for _, p := range d.Proxies {
		w.printf(" %s |", mdCell(p))
	}
	w.str("\n|---|---|---|")
	for range d.Proxies {
		w.str(":---|")
	}
	w.str("\n")
	for _, r := range d.Rows {
		if flagged && !r.Findings {
			continue
		}
		w.printf("| `%s` | %s | %s |", mdCode(r.ID), mdCell(r.Group), mdCell(string(r.Level)))
		for _, c := range r.Cells {
			if flagged && c.Kinds != "" {
				w.printf(" %s %s |", c.Sym(), mdCell(c.Kinds))
			} else {
				w.printf(" %s |", c.Sym())
			}
		}
		w.str("\n")
	}
}

// writeMDFinding writes one case's findings with the client's and the
// forwarded bytes (each cut to maxMDBytes of text) in a <details> block,
// which GitHub and most Markdown viewers fold.
func writeMDFinding(w *stickyWriter, f *chainFinding) {
	r := f.R
	w.printf("<details><summary><code>%s</code> %s %s</summary>\n\n", htmlText(r.Case.ID), verdictSymbol(r.Verdict), htmlText(f.Kinds))
	for _, line := range chainFindingsText(r) {
		w.printf("- %s\n", mdText(line))
	}
	w.printf("\nClient sent (%d bytes):\n\n", len(r.Observed.Sent))
	writeFenced(w, escapeTextLimit(r.Observed.Sent, maxMDBytes))
	if len(r.Chain.Upstreams) == 0 {
		w.str("\nNothing reached the origin.\n")
	}
	for _, u := range r.Chain.Upstreams {
		closed := "kept open for reuse"
		if u.Closed != "" {
			closed = "closed by " + u.Closed
		}
		w.printf("\nForwarded on upstream c%d (%d bytes, %s", u.Conn, len(u.Raw), closed)
		if u.Reject != "" {
			w.printf("; the origin's strict parser refused it at byte %d: %s", u.RejectAt, u.Reject)
		}
		w.str("):\n\n")
		writeFenced(w, escapeTextLimit(u.Raw, maxMDBytes))
	}
	w.str("\n</details>\n\n")
}

// writeFenced writes s as a fenced code block whose fence is longer than
// any run of backticks in s.
func writeFenced(w *stickyWriter, s string) {
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	w.str(fence + "\n" + strings.TrimSuffix(s, "\n") + "\n" + fence + "\n")
}

// htmlText escapes s for raw HTML inside Markdown (a <summary> line).
func htmlText(s string) string { return template.HTMLEscapeString(s) }

// ChainMatrixHTML renders the chain matrix as one self-contained page: the
// summaries, the proxy × case table (filterable; a cell with findings links
// to them), and per proxy every case with findings in a <details> that
// shows the findings, what the client meant, the client's bytes beside the
// forwarded bytes, and what the client got back.
func ChainMatrixHTML(runs []*conformance.Run) Reporter {
	return func(w0 io.Writer) error {
		w := newStickyWriter(w0)
		if err := chainMatrixTmpl.Execute(w, buildChainMatrix(runs)); err != nil {
			if w.err != nil {
				return w.err
			}
			return err
		}
		return w.close()
	}
}

var chainMatrixTmpl = template.Must(template.New("chains").Funcs(tmplFuncs).Parse(chainDetailTmpl + `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Ferrox proxy chains matrix</title>
<style>` + pageCSS + `
table.matrix th.t{text-align:center}
table.matrix td:first-child{white-space:nowrap}
table.matrix td.cell a{color:inherit}
table.matrix tbody tr:hover td{outline:1px solid #c9d1e0}
td.z{color:var(--mute)}
</style></head>
<body>
<header><h1>Proxy chains matrix</h1>
<div class="meta">{{len .Proxies}} front ends · {{len .Rows}} cases · {{.Flagged}} cases with a finding through at least one front end · client → front end → Ferrox recording origin (<span class="mono">ferrox conform --via</span>)</div></header>
<main>
<h2>Summary</h2>
<table><thead><tr><th>Front end</th><th class="n">Pass</th><th class="n">Fail</th><th class="n">Warn</th><th class="n">Error</th><th class="n">Findings</th><th class="n">of them fail</th><th class="n">Cases with findings</th><th class="n">Time (s)</th></tr></thead><tbody>
{{range .Heads}}<tr><td class="mono"><a href="#p-{{.Name}}">{{.Name}}</a></td><td class="n"><b>{{.All.Pass}}</b> / {{.All.Total}}</td><td class="n">{{.All.Fail}}</td><td class="n">{{.All.Warn}}</td><td class="n">{{.All.Error}}</td><td class="n"><b>{{.Findings}}</b></td><td class="n">{{.Failing}}</td><td class="n">{{.Cases}}</td><td class="n">{{.Duration}}</td></tr>
{{end}}</tbody></table>
<div class="tables">
<div><h2>Findings by kind</h2>
<table><thead><tr><th>Kind</th>{{range .Proxies}}<th class="n mono">{{.}}</th>{{end}}</tr></thead><tbody>
{{$heads := .Heads}}{{range $k, $kind := .Kinds}}<tr><td class="mono">{{$kind}}</td>{{range $heads}}{{$n := index .ByKind $k}}<td class="n{{if not $n}} z{{end}}">{{$n}}</td>{{end}}</tr>
{{end}}</tbody></table></div>
<div><h2>Invalid client messages</h2>
<table><thead><tr><th>Front end</th><th class="n">Cases</th><th class="n">Refused</th><th class="n">Rewritten</th><th class="n">Passed on</th><th class="n">Other</th></tr></thead><tbody>
{{range .Heads}}<tr><td class="mono">{{.Name}}</td><td class="n">{{.Invalid}}</td><td class="n">{{.Refused}}</td><td class="n">{{.Rewritten}}</td><td class="n">{{.PassedOn}}</td><td class="n">{{.Unresolved}}</td></tr>
{{end}}</tbody></table>
<p class="count" style="max-width:520px">Cases whose client bytes hold a message the strict parse refuses, by what reached the origin of the first such message: <i>refused</i> — nothing of it; <i>rewritten</i> — it, in a form the strict parser accepts; <i>passed on</i> — bytes the origin's strict parser refuses; <i>other</i> — only something the judge could not tie to it.</p></div>
</div>
<h2>Proxy × case</h2>
<p class="count">✓ pass · ✗ fail · ! warn · E error (could not run) · – not run. A cell with findings names their kinds and links to them; hover for the judge's reason.</p>
<div class="filters">
<label><input type="checkbox" id="ffind" checked> only cases with findings</label>
<input type="search" id="fq" placeholder="search case id…">
<span class="count"><span id="shown">{{.Flagged}}</span> of {{len .Rows}} shown</span>
</div>
<table class="matrix"><thead><tr><th>Case</th><th>Group</th><th>Level</th>{{range .Proxies}}<th class="t mono">{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr class="row{{if .Findings}} dis{{end}}" data-f="{{if .Findings}}1{{else}}0{{end}}" data-id="{{lower .ID}}"><td class="mono">{{.ID}}</td><td>{{.Group}}</td><td>{{.Level}}</td>{{range .Cells}}<td class="cell {{.Class}}" title="{{.Reason}}">{{if .Anchor}}<a href="#{{.Anchor}}">{{.Sym}} {{.Kinds}}</a>{{else}}{{.Sym}}{{end}}</td>{{end}}</tr>
{{end}}</tbody></table>
<h2>Findings</h2>
{{range .Sections}}<section id="p-{{.Name}}"><h2 class="mono">{{.Name}} <span class="count">({{len .Findings}} cases)</span></h2>
{{range .Findings}}{{$r := .R}}<details class="case {{$r.Verdict}}" id="{{.Anchor}}"><summary><span class="badge v-{{$r.Verdict}}">{{$r.Verdict}}</span><span class="id mono">{{$r.Case.ID}}</span><span class="sec">{{$r.Case.Group}} · {{$r.Case.Section}}</span><span class="lvl">{{$r.Case.Level}}</span><span class="obs mono">{{.Kinds}}</span></summary>
<div class="body">
<p>{{$r.Case.Checks}}</p>
{{with .Chain}}{{template "chaindetail" .}}{{end}}
<h3>Client received ({{.RecvLen}} bytes)</h3>
<pre class="wire">{{.Received}}</pre>
</div></details>
{{end}}{{if not .Findings}}<p class="count">No findings.</p>{{end}}</section>
{{end}}
</main>
<script>
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.row"));
  var only = document.getElementById("ffind");
  var q = document.getElementById("fq");
  var shown = document.getElementById("shown");
  function apply() {
    var text = q.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (r) {
      var ok = (!only.checked || r.dataset.f === "1") && (text === "" || r.dataset.id.indexOf(text) !== -1);
      r.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = String(n);
  }
  // A link to a finding opens its <details>.
  function openHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; el.scrollIntoView(); }
  }
  only.addEventListener("change", apply);
  q.addEventListener("input", apply);
  window.addEventListener("hashchange", openHash);
  apply();
  openHash();
}());
</script>
</body></html>
`))
