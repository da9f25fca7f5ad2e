package reports

import (
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ferrox/ferrox/conformance"
	"github.com/ferrox/ferrox/corpus"
)

// matrixCell is one case against one target.
type matrixCell struct {
	verdictCell
	Statuses string
	End      string
	Reason   string
}

// verdictCell is one case's verdict through one target of a matrix, or
// its absence; the conformance and the chain matrix share it.
type verdictCell struct {
	Present bool
	Verdict conformance.Verdict
}

// Sym is the verdict glyph, "–" when the target did not run the case.
func (c verdictCell) Sym() string {
	if !c.Present {
		return "–"
	}
	return verdictSymbol(c.Verdict)
}

// Class is the CSS class of the cell.
func (c verdictCell) Class() string {
	if !c.Present {
		return "none"
	}
	return string(c.Verdict)
}

// matrixRow is one case across every target.
type matrixRow struct {
	ID, Section string
	Level       corpus.Level
	Cells       []matrixCell
	VerdictsDiffer,
	StatusesDiffer bool
	first int // first appearance, for a stable order inside a section
}

// Differs reports any disagreement.
func (r matrixRow) Differs() bool { return r.VerdictsDiffer || r.StatusesDiffer }

// headline is the pass counts of one target.
type headline struct {
	Target   string
	All      tally
	ByLevel  []levelPass // in levelOrder
	Missing  int         // cases other targets ran and this one did not
	Duration string
	Facts    []fact // runFacts: grader, corpus revision, Server header, ...
}

// factValue is the value of the fact with key k ("" if absent).
func (h headline) factValue(k string) string {
	for _, f := range h.Facts {
		if f.Key == k {
			return f.Value
		}
	}
	return ""
}

// Server, Grader, CorpusRev are the facts the matrix shows per target.
func (h headline) Server() string    { return h.factValue("server") }
func (h headline) Grader() string    { return h.factValue("grader") }
func (h headline) CorpusRev() string { return h.factValue("corpus_revision") }

type levelPass struct {
	Level      string
	Pass, Of   int
	Percentage string
}

type matrixData struct {
	Targets   []string
	Levels    []string
	Headlines []headline
	Rows      []matrixRow
	Verdict   []matrixRow // rows whose verdicts differ
	Status    []matrixRow // same verdicts, different statuses
}

func buildMatrix(runs []*conformance.Run) matrixData {
	var d matrixData
	for _, l := range levelOrder {
		d.Levels = append(d.Levels, string(l))
	}
	idx := map[string]int{}
	for ti, run := range runs {
		d.Targets = append(d.Targets, run.Target)
		for i := range run.Results {
			r := &run.Results[i]
			j, ok := idx[r.Case.ID]
			if !ok {
				j = len(d.Rows)
				idx[r.Case.ID] = j
				d.Rows = append(d.Rows, matrixRow{
					ID: r.Case.ID, Section: r.Case.Section, Level: r.Case.Level,
					Cells: make([]matrixCell, len(runs)), first: j,
				})
			}
			d.Rows[j].Cells[ti] = matrixCell{
				verdictCell: verdictCell{Present: true, Verdict: r.Verdict},
				Statuses:    compactStatuses(&r.Observed),
				End:         endOf(&r.Observed),
				Reason:      r.Reason,
			}
		}
	}
	slices.SortStableFunc(d.Rows, func(a, b matrixRow) int {
		if c := naturalCompare(a.Section, b.Section); c != 0 {
			return c
		}
		return a.first - b.first
	})
	for i := range d.Rows {
		r := &d.Rows[i]
		for _, c := range r.Cells[1:] {
			if c.Present != r.Cells[0].Present || c.Verdict != r.Cells[0].Verdict {
				r.VerdictsDiffer = true
			}
			if c.Statuses != r.Cells[0].Statuses {
				r.StatusesDiffer = true
			}
		}
		switch {
		case r.VerdictsDiffer:
			d.Verdict = append(d.Verdict, *r)
		case r.StatusesDiffer:
			d.Status = append(d.Status, *r)
		}
	}
	for ti, run := range runs {
		h := headline{Target: run.Target, Duration: strconv.FormatFloat(run.Duration.Seconds(), 'f', 1, 64), Facts: runFacts(run)}
		counts := map[corpus.Level]*levelPass{}
		for _, l := range levelOrder {
			h.ByLevel = append(h.ByLevel, levelPass{Level: string(l)})
		}
		for i := range h.ByLevel {
			counts[corpus.Level(h.ByLevel[i].Level)] = &h.ByLevel[i]
		}
		for _, r := range d.Rows {
			c := r.Cells[ti]
			if !c.Present {
				h.Missing++
				continue
			}
			h.All.add(c.Verdict)
			if lp := counts[r.Level]; lp != nil {
				lp.Of++
				if c.Verdict == conformance.Pass {
					lp.Pass++
				}
			}
		}
		for i := range h.ByLevel {
			h.ByLevel[i].Percentage = percent(h.ByLevel[i].Pass, h.ByLevel[i].Of)
		}
		d.Headlines = append(d.Headlines, h)
	}
	return d
}

// compactStatuses is statusList with runs of three or more equal statuses
// written once with a count ("200×10"), so pipelined cases fit a cell.
func compactStatuses(o *conformance.Observed) string {
	if len(o.Responses) == 0 {
		return "none"
	}
	var parts []string
	for i := 0; i < len(o.Responses); {
		j := i
		for j < len(o.Responses) && o.Responses[j].Status == o.Responses[i].Status {
			j++
		}
		st := strconv.Itoa(o.Responses[i].Status)
		if n := j - i; n >= 3 {
			parts = append(parts, st+"×"+strconv.Itoa(n))
		} else {
			for range n {
				parts = append(parts, st)
			}
		}
		i = j
	}
	return strings.Join(parts, ",")
}

func percent(n, of int) string {
	if of == 0 {
		return "–"
	}
	return strconv.Itoa(n*100/of) + "%"
}

// Matrix renders several runs side by side as Markdown: a headline table
// of passes per target (overall and per level), then the disagreements
// (verdicts differ first, then same verdicts with different statuses, with
// each target's status and connection end), then every case.
func Matrix(runs []*conformance.Run) Reporter {
	return func(w0 io.Writer) error {
		w := newStickyWriter(w0)
		d := buildMatrix(runs)
		w.str("# Conformance matrix\n\n")
		w.str("Legend: ✓ pass, ✗ fail, ! warn (SHOULD/MAY/policy outside the preferred outcomes), E error (could not run), – not run.\n\n")

		w.str("## Headline\n\n| Target | Pass | ")
		for _, l := range levelOrder {
			w.printf("%s pass | ", mdCell(string(l)))
		}
		w.str("Fail | Warn | Error |\n|---|---:|")
		for range levelOrder {
			w.str("---:|")
		}
		w.str("---:|---:|---:|\n")
		for _, h := range d.Headlines {
			w.printf("| %s | %d / %d | ", mdCell(h.Target), h.All.Pass, h.All.Total())
			for _, lp := range h.ByLevel {
				w.printf("%d / %d | ", lp.Pass, lp.Of)
			}
			w.printf("%d | %d | %d |\n", h.All.Fail, h.All.Warn, h.All.Error)
		}
		w.str("\n| Target | Server header | Grader | Corpus revision |\n|---|---|---|---|\n")
		for _, h := range d.Headlines {
			w.printf("| %s | %s | %s | %s |\n", mdCell(h.Target), mdCell(orDash(h.Server())), mdCell(orDash(h.Grader())), mdCell(orDash(h.CorpusRev())))
		}

		w.printf("\n## Disagreements (%d)\n", len(d.Verdict)+len(d.Status))
		w.printf("\n### Verdicts differ (%d)\n\n", len(d.Verdict))
		writeMDMatrixTable(w, d.Targets, d.Verdict, true)
		w.printf("\n### Same verdict, different statuses (%d)\n\n", len(d.Status))
		writeMDMatrixTable(w, d.Targets, d.Status, true)

		w.printf("\n## All cases (%d)\n\n", len(d.Rows))
		writeMDMatrixTable(w, d.Targets, d.Rows, false)
		return w.close()
	}
}

func writeMDMatrixTable(w *stickyWriter, targets []string, rows []matrixRow, detail bool) {
	if len(rows) == 0 {
		w.str("None.\n")
		return
	}
	w.str("| Case | Section | Level |")
	for _, t := range targets {
		w.printf(" %s |", mdCell(t))
	}
	w.str("\n|---|---|---|")
	for range targets {
		w.str(":---:|")
	}
	w.str("\n")
	for _, r := range rows {
		w.printf("| `%s` | %s | %s |", mdCode(r.ID), mdCell(r.Section), mdCell(string(r.Level)))
		for _, c := range r.Cells {
			if detail && c.Present {
				w.printf(" %s %s · %s |", c.Sym(), mdCell(c.Statuses), mdCell(c.End))
			} else {
				w.printf(" %s |", c.Sym())
			}
		}
		w.str("\n")
	}
}

// MatrixHTML renders the matrix as one self-contained HTML page with the
// disagreements highlighted and a filter to show only them.
func MatrixHTML(runs []*conformance.Run) Reporter {
	return func(w0 io.Writer) error {
		w := newStickyWriter(w0)
		if err := matrixTmpl.Execute(w, buildMatrix(runs)); err != nil {
			if w.err != nil {
				return w.err
			}
			return err
		}
		return w.close()
	}
}

var matrixTmpl = template.Must(template.New("matrix").Funcs(tmplFuncs).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Ferrox conformance matrix</title>
<style>` + pageCSS + `
table.matrix th.t{text-align:center}
table.matrix td:first-child{white-space:nowrap}
table.matrix td:nth-child(2){white-space:nowrap}
table.matrix td.cell{text-align:center}
table.matrix tbody tr:hover td{outline:1px solid #c9d1e0}
</style></head>
<body>
<header><h1>Conformance matrix</h1>
<div class="meta">{{len .Targets}} targets · {{len .Rows}} cases · {{len .Verdict}} verdict disagreements · {{len .Status}} status-only disagreements</div></header>
<main>
<h2>Headline</h2>
<table><thead><tr><th>Target</th><th class="n">Pass</th>{{range .Levels}}<th class="n">{{.}} pass</th>{{end}}<th class="n">Fail</th><th class="n">Warn</th><th class="n">Error</th><th class="n">Time (s)</th></tr></thead><tbody>
{{range .Headlines}}<tr><td class="mono">{{.Target}}</td><td class="n"><b>{{.All.Pass}}</b> / {{.All.Total}}</td>{{range .ByLevel}}<td class="n">{{.Pass}} / {{.Of}} <span class="count">({{.Percentage}})</span></td>{{end}}<td class="n">{{.All.Fail}}</td><td class="n">{{.All.Warn}}</td><td class="n">{{.All.Error}}</td><td class="n">{{.Duration}}</td></tr>
{{end}}</tbody></table>
<h2>Graded with</h2>
<table><thead><tr><th>Target</th><th>Server header</th><th>Grader</th><th>Corpus revision</th></tr></thead><tbody>
{{range .Headlines}}<tr><td class="mono">{{.Target}}</td><td class="mono">{{dash .Server}}</td><td class="mono">{{dash .Grader}}</td><td class="mono">{{dash .CorpusRev}}</td></tr>
{{end}}</tbody></table>
<p class="count">✓ pass · ✗ fail · ! warn (SHOULD/MAY/policy outside the preferred outcomes) · E error (could not run) · – not run. Each cell shows the response statuses and how the connection ended; hover for the reason. Highlighted rows are disagreements.</p>
<div class="filters">
<label><input type="checkbox" id="fdis"> only disagreements</label>
<label>Level <select id="flevel"><option value="">all</option>{{range .Levels}}<option>{{.}}</option>{{end}}</select></label>
<input type="search" id="fq" placeholder="search case id…">
<span class="count"><span id="shown">{{len .Rows}}</span> of {{len .Rows}} shown</span>
</div>
<table class="matrix"><thead><tr><th>Case</th><th>Section</th><th>Level</th>{{range .Targets}}<th class="t mono">{{.}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr class="row{{if .Differs}} dis{{end}}" data-dis="{{if .Differs}}1{{else}}0{{end}}" data-level="{{.Level}}" data-id="{{lower .ID}}"><td class="mono">{{.ID}}</td><td>{{.Section}}</td><td>{{.Level}}</td>{{range .Cells}}<td class="cell {{.Class}}" title="{{.Reason}}">{{.Sym}}{{if .Present}} {{.Statuses}} · {{.End}}{{end}}</td>{{end}}</tr>
{{end}}</tbody></table>
</main>
<script>
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.row"));
  var dis = document.getElementById("fdis");
  var level = document.getElementById("flevel");
  var q = document.getElementById("fq");
  var shown = document.getElementById("shown");
  function apply() {
    var lv = level.value, text = q.value.trim().toLowerCase(), n = 0;
    rows.forEach(function (r) {
      var ok = (!dis.checked || r.dataset.dis === "1") &&
        (lv === "" || r.dataset.level === lv) &&
        (text === "" || r.dataset.id.indexOf(text) !== -1);
      r.hidden = !ok;
      if (ok) { n++; }
    });
    shown.textContent = String(n);
  }
  dis.addEventListener("change", apply);
  level.addEventListener("change", apply);
  q.addEventListener("input", apply);
  apply();
}());
</script>
</body></html>
`))
