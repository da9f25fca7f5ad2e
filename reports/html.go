package reports

import (
	"html"
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/ferrox/ferrox/conformance"
)

// wireHTML renders bytes as escaped text for a <pre>: escapes are wrapped
// in <span class="e"> so they stand out. Every piece of text goes through
// html.EscapeString; escapeSegs already guarantees pure printable ASCII.
func wireHTML(b []byte) template.HTML {
	shown, cut := truncated(b, maxShownBytes)
	var sb strings.Builder
	for _, s := range escapeSegs(shown) {
		if s.Esc {
			sb.WriteString(`<span class="e">`)
			sb.WriteString(html.EscapeString(s.Text))
			sb.WriteString(`</span>`)
			if s.NL {
				sb.WriteByte('\n')
			}
			continue
		}
		sb.WriteString(html.EscapeString(s.Text))
	}
	if cut > 0 {
		sb.WriteString(`<span class="cut">[truncated: ` + strconv.Itoa(cut) + ` more bytes; the JSON report has them all]</span>`)
	}
	return template.HTML(sb.String())
}

type htmlCase struct {
	R         *conformance.Result
	Expected  []string
	Statuses  string
	End       string
	Elapsed   string
	Sent      template.HTML
	Received  template.HTML
	SentLen   int
	RecvLen   int
	Chain     *htmlChain
	Repro     string // the ferrox command that re-runs the case
	OneLiner  string // a shell line sending the raw bytes ("" when too big)
	ElapsedUS int64  // for sorting
}

type htmlConformPage struct {
	Run      *conformance.Run
	Facts    []fact
	Gate     *Gate
	Started  string
	Duration string
	Tally    tally
	Levels   []levelTally
	Sections []sectionGroup
	Cases    []htmlCase
	Problems []htmlCase // fail, error, then warn, in section order
}

// ConformHTML renders a run as one self-contained HTML page (inline CSS and
// a little JavaScript, no external assets): the counts, filters by level,
// section, verdict and id, and one collapsible entry per case with both
// byte streams shown escaped.
func ConformHTML(run *conformance.Run) Reporter { return ConformHTMLGate(run, nil) }

// ConformHTMLGate is ConformHTML with the comparison against known
// failures (g nil: none) below the counts.
func ConformHTMLGate(run *conformance.Run, g *Gate) Reporter {
	return func(w0 io.Writer) error {
		p := htmlConformPage{
			Run:      run,
			Facts:    runFacts(run),
			Gate:     g,
			Started:  formatTime(run.Started),
			Duration: humanDuration(run.Duration),
			Tally:    countRun(run),
			Levels:   levelTallies(run),
			Sections: groupBySection(run),
		}
		for _, g := range p.Sections {
			for _, r := range g.Results {
				o := &r.Observed
				p.Cases = append(p.Cases, htmlCase{
					R:         r,
					Expected:  formatOutcomes(r.Case.Expect),
					Statuses:  statusList(o),
					End:       endOf(o),
					Elapsed:   humanDuration(o.Elapsed),
					Sent:      wireHTML(o.Sent),
					Received:  wireHTML(o.Received),
					SentLen:   len(o.Sent),
					RecvLen:   len(o.Received),
					Chain:     chainView(r),
					Repro:     reproCommand(run, r),
					OneLiner:  rawOneLiner(run, r),
					ElapsedUS: o.Elapsed.Microseconds(),
				})
			}
		}
		for _, v := range []conformance.Verdict{conformance.Fail, conformance.Error, conformance.Warn} {
			for _, c := range p.Cases {
				if c.R.Verdict == v || (v == conformance.Error && !knownVerdict(c.R.Verdict)) {
					p.Problems = append(p.Problems, c)
				}
			}
		}
		w := newStickyWriter(w0)
		if err := conformTmpl.Execute(w, p); err != nil {
			if w.err != nil {
				return w.err
			}
			return err
		}
		return w.close()
	}
}

var tmplFuncs = template.FuncMap{
	"lower": strings.ToLower,
	"sym":   func(v conformance.Verdict) string { return verdictSymbol(v) },
	"ms":    formatMS,
	"human": humanDuration,
	"rfc":   rfcURL,
	"req":   requirementURL,
	"dash":  orDash,
}

const pageCSS = `
:root{--bg:#f7f8fa;--fg:#1d2330;--mute:#6b7385;--line:#dfe3ea;--card:#fff;
--pass:#1f8f4e;--pass-bg:#e5f5ec;--fail:#c62828;--fail-bg:#fdecec;--warn:#a86200;--warn-bg:#fff4e0;--error:#6a3fb5;--error-bg:#f1ebfb}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:20px;font-weight:600}
header .meta{color:#b7bfd0;font-size:13px}
main{padding:18px 28px;max-width:1400px}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:110px}
.card b{display:block;font-size:24px}
.card.pass b{color:var(--pass)}.card.fail b{color:var(--fail)}.card.warn b{color:var(--warn)}.card.error b{color:var(--error)}
table{border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:6px}
th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:baseline}
th{background:#eef1f6;font-weight:600;font-size:12.5px}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.tables{display:flex;gap:18px;flex-wrap:wrap;align-items:flex-start;margin-bottom:18px}
.filters{position:sticky;top:0;z-index:2;background:var(--bg);padding:10px 0;border-bottom:1px solid var(--line);margin-bottom:10px;display:flex;gap:14px;flex-wrap:wrap;align-items:center}
.filters label{white-space:nowrap}
.filters input[type=search]{padding:5px 8px;border:1px solid var(--line);border-radius:5px;min-width:220px}
.filters select{padding:4px;border:1px solid var(--line);border-radius:5px;max-width:220px}
.filters button{padding:4px 10px;border:1px solid var(--line);border-radius:5px;background:#fff;cursor:pointer}
.count{color:var(--mute)}
.badge{display:inline-block;min-width:44px;text-align:center;padding:1px 6px;border-radius:4px;font-size:11.5px;font-weight:700;text-transform:uppercase}
.v-pass{background:var(--pass-bg);color:var(--pass)}.v-fail{background:var(--fail-bg);color:var(--fail)}
.v-warn{background:var(--warn-bg);color:var(--warn)}.v-error{background:var(--error-bg);color:var(--error)}
details.case{background:var(--card);border:1px solid var(--line);border-left-width:4px;border-radius:6px;margin:6px 0}
details.case.pass{border-left-color:var(--pass)}details.case.fail{border-left-color:var(--fail)}
details.case.warn{border-left-color:var(--warn)}details.case.error{border-left-color:var(--error)}
details.case>summary{cursor:pointer;padding:7px 10px;display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
details.case>summary .id{font-weight:600}
details.case>summary .sec,details.case>summary .lvl{color:var(--mute);font-size:12.5px}
details.case>summary .obs{margin-left:auto;color:var(--mute)}
details.case .body{padding:4px 14px 12px;border-top:1px solid var(--line)}
dl.kv{display:grid;grid-template-columns:120px 1fr;gap:3px 12px;margin:8px 0}
dl.kv dt{color:var(--mute)}dl.kv dd{margin:0}
.pill{display:inline-block;border:1px solid var(--line);border-radius:10px;padding:0 7px;margin-right:4px;font-size:12px}
pre.wire{background:#0f1420;color:#d7dde8;padding:10px 12px;border-radius:6px;overflow:auto;max-height:420px;white-space:pre-wrap;word-break:break-all;margin:4px 0 10px}
pre.wire .e{color:#ffb86b}
pre.wire .cut{color:#ff6b6b;display:block;margin-top:6px}
h2{font-size:16px;margin:18px 0 8px}
h3{font-size:13px;margin:12px 0 4px;color:var(--mute);text-transform:uppercase;letter-spacing:.04em}
.hdrs{margin:0;padding-left:16px}
tr.dis td{background:#fffbe6}
td.cell{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;white-space:nowrap}
td.cell.pass{color:var(--pass)}td.cell.fail{color:var(--fail);background:var(--fail-bg)}
td.cell.warn{color:var(--warn);background:var(--warn-bg)}td.cell.error{color:var(--error);background:var(--error-bg)}
td.cell.none{color:var(--mute)}
[hidden]{display:none!important}
.attention{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:4px 16px 10px;flex:1;min-width:420px;max-height:330px;overflow:auto}
.attention h2{margin:8px 0}
.attention ul{list-style:none;margin:0;padding:0}
.attention li{padding:3px 0;border-bottom:1px dashed var(--line)}
.attention a{text-decoration:none;color:inherit}
details.sections{margin:0 0 14px}
.side{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.side>div{min-width:0}
ul.findings{list-style:none;padding:0;margin:6px 0 10px}
ul.findings li{padding:3px 0}
li.bad{color:var(--fail)}
details.sections>summary{cursor:pointer;font-weight:600;margin-bottom:8px}
`

// conformCSS is what the conformance page adds to pageCSS: the facts in
// the header, RFC links, sortable tables, reproduction commands, the gate.
const conformCSS = `
.filters{gap:10px}
.filters input[type=search]{min-width:150px}
.filters select{max-width:150px}
header dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:10px 0 0;font-size:12.5px;color:#b7bfd0}
header dl.facts dt{color:#8d96aa}header dl.facts dd{margin:0;color:#e6eaf2;word-break:break-all}
a.rfc{color:inherit;text-decoration:underline dotted;text-underline-offset:2px}
a.rfc:hover{color:#1a56b8}
table.sortable th{cursor:pointer;user-select:none}
table.sortable th:after{content:" ↕";color:#a0a8b8;font-size:11px}
table.sortable th[aria-sort=ascending]:after{content:" ▲";color:var(--fg)}
table.sortable th[aria-sort=descending]:after{content:" ▼";color:var(--fg)}
.repro{margin:6px 0 10px}
.repro .cmdrow{display:flex;gap:6px;align-items:flex-start;margin:3px 0}
.repro pre.cmd{flex:1;margin:0;background:#eef1f6;border:1px solid var(--line);border-radius:5px;padding:5px 8px;white-space:pre-wrap;word-break:break-all;user-select:all}
.repro button{padding:3px 8px;border:1px solid var(--line);border-radius:5px;background:#fff;cursor:pointer;font-size:12px}
.gate{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:4px 16px 10px;margin-bottom:16px}
.gate.regressed{border-color:var(--fail)}
.gate h2{margin:8px 0}
.gate ul{margin:4px 0;padding-left:18px}
`

var conformTmpl = template.Must(template.New("conform").Funcs(tmplFuncs).Parse(chainDetailTmpl + `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Ferrox conformance: {{.Run.Target}}</title>
<style>` + pageCSS + conformCSS + `</style></head>
<body>
<header><h1>Conformance: <span class="mono">{{.Run.Target}}</span></h1>
<div class="meta">{{if .Run.Origin}}chain: client → front end <span class="mono">{{.Run.Target}}</span> → recording origin <span class="mono">{{.Run.Origin}}</span> · {{end}}started {{.Started}} · took {{.Duration}} · {{.Tally.Total}} cases</div>
<dl class="facts">{{range .Facts}}<dt>{{.Name}}</dt><dd class="mono">{{dash .Value}}</dd>{{end}}</dl></header>
<main>
<div class="cards">
<div class="card pass"><b>{{.Tally.Pass}}</b>pass</div>
<div class="card fail"><b>{{.Tally.Fail}}</b>fail</div>
<div class="card warn"><b>{{.Tally.Warn}}</b>warn</div>
<div class="card error"><b>{{.Tally.Error}}</b>error</div>
</div>
{{with .Gate}}<div class="gate{{if .Regressed}} regressed{{end}}"><h2>Against known failures: {{if .Regressed}}regressed{{else}}no regression{{end}}</h2>
<div class="count">compared with {{.Against}} · {{.Known}} of this run's cases known to fail · {{len .StillFailing}} still failing</div>
<h3>Newly failing ({{len .NewlyFailing}})</h3>{{if .NewlyFailing}}<ul>{{range .NewlyFailing}}<li><a href="#case-{{.Case.ID}}" class="mono">{{.Case.ID}}</a> <span class="count">{{.Case.Section}} · {{.Reason}}</span></li>{{end}}</ul>{{else}}<div>None.</div>{{end}}
<h3>Fixed ({{len .Fixed}})</h3>{{if .Fixed}}<ul>{{range .Fixed}}<li><a href="#case-{{.Case.ID}}" class="mono">{{.Case.ID}}</a> <span class="count">{{.Case.Section}}</span></li>{{end}}</ul>{{else}}<div>None.</div>{{end}}
</div>{{end}}
<div class="tables">
<table class="sortable"><thead><tr><th>Level</th><th class="n">Cases</th><th class="n">Pass</th><th class="n">Fail</th><th class="n">Warn</th><th class="n">Error</th></tr></thead><tbody>
{{range .Levels}}<tr><td>{{.Level}}</td><td class="n">{{.T.Total}}</td><td class="n">{{.T.Pass}}</td><td class="n">{{.T.Fail}}</td><td class="n">{{.T.Warn}}</td><td class="n">{{.T.Error}}</td></tr>
{{end}}</tbody></table>
{{with .Problems}}<div class="attention"><h2>Needs attention ({{len .}})</h2><ul>
{{range .}}<li><a href="#case-{{.R.Case.ID}}"><span class="badge v-{{.R.Verdict}}">{{.R.Verdict}}</span> <span class="mono">{{.R.Case.ID}}</span></a> <span class="count">{{.R.Case.Section}} · {{.R.Case.Level}} · {{.R.Reason}}</span></li>
{{end}}</ul></div>{{end}}
</div>
<details class="sections"><summary>By section ({{len .Sections}} sections)</summary>
<table class="sortable"><thead><tr><th>Section</th><th class="n">Cases</th><th class="n">Pass</th><th class="n">Fail</th><th class="n">Warn</th><th class="n">Error</th></tr></thead><tbody>
{{range .Sections}}<tr><td data-sort="{{.Section}}">{{with rfc .Section}}<a class="rfc" href="{{.}}">{{end}}{{.Section}}{{if rfc .Section}}</a>{{end}}</td><td class="n">{{.Tally.Total}}</td><td class="n">{{.Tally.Pass}}</td><td class="n">{{.Tally.Fail}}</td><td class="n">{{.Tally.Warn}}</td><td class="n">{{.Tally.Error}}</td></tr>
{{end}}</tbody></table>
</details>
<div class="filters">
<span>Verdict:</span>
<label><input type="checkbox" class="fv" value="pass" checked> pass</label>
<label><input type="checkbox" class="fv" value="fail" checked> fail</label>
<label><input type="checkbox" class="fv" value="warn" checked> warn</label>
<label><input type="checkbox" class="fv" value="error" checked> error</label>
<label>Level <select id="flevel"><option value="">all</option>{{range .Levels}}<option>{{.Level}}</option>{{end}}</select></label>
<label>Section <select id="fsection"><option value="">all</option>{{range .Sections}}<option>{{.Section}}</option>{{end}}</select></label>
<input type="search" id="fq" placeholder="search case id…">
<label>Sort <select id="fsort"><option value="">corpus order</option><option value="id">id</option><option value="slow">slowest first</option><option value="verdict">verdict</option></select></label>
<button type="button" id="expand">expand</button><button type="button" id="collapse">collapse</button>
<span class="count"><span id="shown">{{len .Cases}}</span> of {{len .Cases}} shown</span>
</div>
{{range .Cases}}{{$r := .R}}{{$c := .}}<details id="case-{{$r.Case.ID}}" class="case {{$r.Verdict}}" data-verdict="{{$r.Verdict}}" data-level="{{$r.Case.Level}}" data-section="{{$r.Case.Section}}" data-id="{{lower $r.Case.ID}}" data-us="{{.ElapsedUS}}">
<summary><span class="badge v-{{$r.Verdict}}">{{$r.Verdict}}</span><span class="id mono">{{$r.Case.ID}}</span>{{with rfc $r.Case.Section}}<a class="sec rfc" href="{{.}}">{{$r.Case.Section}}</a>{{else}}<span class="sec">{{$r.Case.Section}}</span>{{end}}<span class="lvl">{{$r.Case.Level}}</span><span class="obs mono">{{.Statuses}} · {{.End}}</span></summary>
<div class="body">
<dl class="kv">
<dt>Checks</dt><dd>{{$r.Case.Checks}}</dd>
<dt>Reason</dt><dd>{{$r.Reason}}</dd>
<dt>Requirement</dt><dd class="mono">{{with req $r.Case.Requirement}}<a class="rfc" href="{{.}}">{{$r.Case.Requirement}}</a>{{else}}{{$r.Case.Requirement}}{{end}}</dd>
<dt>Expected</dt><dd>{{range .Expected}}<span class="pill mono">{{.}}</span>{{end}}</dd>
<dt>Observed</dt><dd class="mono">status {{.Statuses}} · end {{.End}} · {{.Elapsed}}</dd>
{{if $r.Observed.Note}}<dt>Note</dt><dd>{{$r.Observed.Note}}</dd>{{end}}
{{if $r.Observed.Err}}<dt>Runner error</dt><dd class="mono">{{$r.Observed.Err}}</dd>{{end}}
{{if $r.Observed.Interim}}<dt>Interim</dt><dd class="mono">{{range $r.Observed.Interim}}<span class="pill">{{.Status}}</span>{{end}}</dd>{{end}}
{{if $r.Observed.Unframed}}<dt>Unframed</dt><dd>{{$r.Observed.Unframed}} bytes belong to no complete response</dd>{{end}}
{{if $r.Replays}}<dt>Replays</dt><dd>{{$r.Replays}} connection{{if ne $r.Replays 1}}s{{end}}{{if $r.Observed.Split}}; the bytes below are the replay split at offset {{$r.Observed.Split}}{{end}}</dd>{{end}}
{{if $r.Case.Mode}}<dt>Mode</dt><dd>{{$r.Case.Mode}}{{if $r.Case.Canary}} + canary{{end}}</dd>{{end}}
{{if $r.Case.Check}}<dt>Extra checks</dt><dd>{{range $r.Case.Check}}<span class="pill mono">{{.}}</span>{{end}}</dd>{{end}}
{{if $r.Case.File}}<dt>Case file</dt><dd class="mono">{{$r.Case.File}}</dd>{{end}}
</dl>
<h3>Reproduce</h3>
<div class="repro"><div class="cmdrow"><pre class="cmd">{{.Repro}}</pre><button type="button" class="copy">copy</button></div>
{{if .OneLiner}}<div class="cmdrow"><pre class="cmd">{{.OneLiner}}</pre><button type="button" class="copy">copy</button></div>
<div class="count">the raw bytes of the replay shown{{if $r.Case.Canary}} (canary included){{end}}{{if and $r.Case.Mode (ne (print $r.Case.Mode) "whole")}}, sent whole (the case sends them {{$r.Case.Mode}}){{end}}; bash /dev/tcp, no nc needed</div>{{else}}<div class="count">{{$c.SentLen}} bytes: too many for a command line; the JSON report has them (base64)</div>{{end}}</div>
{{if $r.Observed.Responses}}<h3>Responses</h3>
<table class="sortable"><thead><tr><th class="n">#</th><th>Status</th><th>Proto</th><th>Framing</th><th class="n">Body</th><th class="n">At</th><th>Headers</th></tr></thead><tbody>
{{range $i, $p := $r.Observed.Responses}}<tr><td class="n">{{$i}}</td><td class="mono">{{$p.Status}}</td><td class="mono">{{$p.Proto}}</td><td>{{$p.Framing}}</td><td class="n">{{$p.BodyLen}}</td><td class="n" data-sort="{{ms $p.At}}">{{human $p.At}}</td><td><ul class="hdrs mono">{{range $p.Headers}}<li>{{index . 0}}: {{index . 1}}</li>{{end}}</ul></td></tr>
{{end}}</tbody></table>{{end}}
{{with .Chain}}<h3>Chain</h3>
{{template "chaindetail" .}}
<h3>Client received ({{$c.RecvLen}} bytes)</h3>
<pre class="wire">{{$c.Received}}</pre>
{{else}}<h3>Sent ({{.SentLen}} bytes)</h3>
<pre class="wire">{{.Sent}}</pre>
<h3>Received ({{.RecvLen}} bytes)</h3>
<pre class="wire">{{.Received}}</pre>{{end}}
</div></details>
{{end}}
</main>
<script>
(function () {
  var cases = Array.prototype.slice.call(document.querySelectorAll("details.case"));
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.fv"));
  var level = document.getElementById("flevel");
  var section = document.getElementById("fsection");
  var q = document.getElementById("fq");
  var shown = document.getElementById("shown");
  function apply() {
    var want = {};
    boxes.forEach(function (b) { want[b.value] = b.checked; });
    var lv = level.value, sec = section.value, text = q.value.trim().toLowerCase(), n = 0;
    cases.forEach(function (c) {
      var ok = want[c.dataset.verdict] !== false &&
        (lv === "" || c.dataset.level === lv) &&
        (sec === "" || c.dataset.section === sec) &&
        (text === "" || c.dataset.id.indexOf(text) !== -1);
      c.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = String(n);
  }
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  level.addEventListener("change", apply);
  section.addEventListener("change", apply);
  q.addEventListener("input", apply);
  document.getElementById("expand").addEventListener("click", function () {
    cases.forEach(function (c) { if (!c.hidden) { c.open = true; } });
  });
  document.getElementById("collapse").addEventListener("click", function () {
    cases.forEach(function (c) { c.open = false; });
  });
  function openHash() {
    var id = "";
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.hidden = false; el.open = true; el.scrollIntoView(); }
  }
  window.addEventListener("hashchange", openHash);
  // Sorting the case list (progressive enhancement: without script the
  // list stays in corpus order).
  var sortSel = document.getElementById("fsort");
  var parent = cases.length ? cases[0].parentNode : null;
  var anchor = cases.length ? cases[cases.length - 1].nextSibling : null;
  var rank = {fail: 0, error: 1, warn: 2, pass: 3};
  sortSel.addEventListener("change", function () {
    var order = cases.slice();
    var k = sortSel.value;
    if (k === "id") { order.sort(function (a, b) { return a.dataset.id < b.dataset.id ? -1 : a.dataset.id > b.dataset.id ? 1 : 0; }); }
    if (k === "slow") { order.sort(function (a, b) { return Number(b.dataset.us) - Number(a.dataset.us); }); }
    if (k === "verdict") { order.sort(function (a, b) { return rank[a.dataset.verdict] - rank[b.dataset.verdict]; }); }
    order.forEach(function (c) { parent.insertBefore(c, anchor); });
  });
  // Sortable tables: click a header; numbers sort as numbers.
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (t) {
    var ths = Array.prototype.slice.call(t.tHead.rows[0].cells);
    ths.forEach(function (th, col) {
      th.title = "sort";
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        ths.forEach(function (o) { o.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var num = th.classList.contains("n");
        var body = t.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (r) { var c = r.cells[col]; var v = c.dataset.sort !== undefined ? c.dataset.sort : c.textContent; return num ? parseFloat(v) || 0 : v.toLowerCase(); };
        rows.sort(function (a, b) { var x = key(a), y = key(b); var d = num ? x - y : (x < y ? -1 : x > y ? 1 : 0); return asc ? d : -d; });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  // Copy buttons beside the reproduction commands.
  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (b) {
    b.addEventListener("click", function () {
      var text = b.previousElementSibling.textContent;
      if (navigator.clipboard) { navigator.clipboard.writeText(text).then(function () { b.textContent = "copied"; }); }
    });
  });
  apply();
  openHash();
}());
</script>
</body></html>
`))
