package reports

import (
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ferrox/ferrox/loadtest"
)

// Chart colours.
const (
	colP50   = "#2563eb"
	colP99   = "#dc2626"
	colOK    = "#059669"
	colMean  = "#7c3aed"
	colMax   = "#f59e0b"
	colSlow  = "#b45309"
	colMark  = "#111827"
	colBound = "#9ca3af"
)

// LoadHTML renders a load result as one self-contained HTML page: a
// summary panel (scenario, target, config, latency percentiles, success,
// throughput, verdict), a table of the phases, and inline SVG charts that
// fit the scenario: latency against offered rate for ramp; baseline and
// attack on one time axis with the slow connections held open and a marker
// where the attack starts for slowloris and slowbody; throughput and
// latency over time otherwise. tl may be nil (no time-axis charts).
// detail, when not empty, is the address of a page with every latency
// sample (vegeta's plot), linked from the page.
func LoadHTML(res *loadtest.Result, tl *LoadTimeline, detail string) Reporter {
	return func(w0 io.Writer) error {
		w := newStickyWriter(w0)
		e := html.EscapeString
		title := fmt.Sprintf("ferrox load: %s against %s", res.Scenario, res.Target)
		w.str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" + e(title) + "</title>\n")
		w.str(loadCSS)
		w.str("</head><body>\n<h1>" + e(title) + "</h1>\n")
		w.str(summaryPanel(res))
		w.str(phaseTable(res))
		w.str(workerTable(res))
		for _, c := range loadCharts(res, tl) {
			w.str("<figure>" + c.svg() + "</figure>\n")
		}
		if detail != "" {
			w.str(`<p class="detail"><a href="` + e(detail) + `">every latency sample over time (vegeta plot)</a></p>` + "\n")
		}
		w.str("</body></html>\n")
		return w.close()
	}
}

// headlinePhase is the phase whose figures lead the panel: the attack phase of
// a slow scenario, the last step of a ramp that passed (else the first),
// "all" of a merged report, the last phase otherwise.
func headlinePhase(res *loadtest.Result) *loadtest.Phase {
	if len(res.Phases) == 0 {
		return nil
	}
	switch res.Scenario {
	case "ramp":
		best := &res.Phases[0]
		for i := range res.Phases {
			if r, ok := rampRate(res.Phases[i].Name); ok && float64(r) == res.MaxOKRate {
				best = &res.Phases[i]
			}
		}
		return best
	}
	lead := "attack"
	if res.Scenario == "merged" {
		lead = "all" // loadtest.Merge's phase over every result
	}
	for i := range res.Phases {
		if res.Phases[i].Name == lead {
			return &res.Phases[i]
		}
	}
	return &res.Phases[len(res.Phases)-1]
}

// rampRate reads the start rate from a ramp step's name, "ramp-<rate>".
func rampRate(name string) (int, bool) {
	s, ok := strings.CutPrefix(name, "ramp-")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

func summaryPanel(res *loadtest.Result) string {
	e := html.EscapeString
	var b strings.Builder
	verdict := res.Judge()
	b.WriteString(`<section class="panel">` + "\n")
	fmt.Fprintf(&b, `<div class="verdict v-%s">%s</div>`+"\n", strings.ToLower(verdict), e(verdict))
	b.WriteString(`<dl class="facts">`)
	fact := func(k, v string) { fmt.Fprintf(&b, "<div><dt>%s</dt><dd>%s</dd></div>", e(k), e(v)) }
	fact("scenario", res.Scenario)
	fact("target", res.Target)
	fact("started", formatTime(res.Started))
	if res.ElapsedMS > 0 {
		fact("elapsed", strconv.FormatFloat(res.ElapsedMS/1000, 'f', 1, 64)+" s")
	}
	if len(res.Workers) > 0 {
		fact("merged from", strconv.Itoa(len(res.Workers))+" workers")
		if !res.StartAt.IsZero() {
			fact("--start-at", formatTime(res.StartAt))
		}
		fact("first sends spread", loadNum(res.StartSkewMS)+" ms")
	}
	c := res.Config
	if res.Scenario != "merged" {
		pace := strconv.Itoa(c.Rate) + "/s"
		if c.ClosedLoop {
			pace = "closed loop"
		}
		if len(res.Workers) > 0 {
			pace += " (sum of the workers)"
		}
		fact("rate", pace)
		fact("duration", strconv.FormatFloat(c.DurationMS/1000, 'f', 1, 64)+" s per phase")
		fact("connections", strconv.Itoa(c.Connections))
		switch res.Scenario {
		case "slowloris", "slowbody", "idle":
			fact("slow conns", strconv.Itoa(c.SlowConns))
			if res.Scenario != "idle" { // idle connections send nothing
				fact("slow interval", loadNum(c.SlowIntervalMS)+" ms")
			}
			src := strconv.Itoa(c.SlowSources)
			if c.SlowSameSource {
				src += " (same as legit)"
			}
			fact("slow sources", src)
		}
		reqs := strings.Join(c.Paths, " ")
		if len(c.Targets) > 0 {
			reqs = strings.Join(c.Targets, ", ")
		} else if c.Method != "" && c.Method != "GET" {
			reqs = c.Method + " " + reqs
		}
		fact("requests", reqs)
		if len(c.Headers) > 0 {
			fact("headers", strings.Join(c.Headers, "; "))
		}
	}
	b.WriteString("</dl>\n")
	if h := headlinePhase(res); h != nil {
		fmt.Fprintf(&b, `<p class="of">figures of phase <b>%s</b></p>`+"\n", e(h.Name))
		b.WriteString(`<div class="figures">`)
		fig := func(k, v, unit string) {
			fmt.Fprintf(&b, `<div class="fig"><span class="k">%s</span><span class="v">%s</span><span class="u">%s</span></div>`, e(k), e(v), e(unit))
		}
		fig("p50", loadNum(h.P50MS), "ms")
		fig("p95", loadNum(h.P95MS), "ms")
		fig("p99", loadNum(h.P99MS), "ms")
		fig("mean", loadNum(h.MeanMS), "ms")
		fig("success", strconv.FormatFloat(h.Success*100, 'f', 2, 64), "%")
		fig("throughput", strconv.FormatFloat(h.Throughput, 'f', 1, 64), "/s")
		if res.ThroughputRatio > 0 {
			fig("attack/baseline", strconv.FormatFloat(res.ThroughputRatio, 'f', 3, 64), "throughput")
		}
		if res.Scenario == "ramp" {
			fig("max ok rate", strconv.FormatFloat(res.MaxOKRate, 'f', 0, 64), "/s with p99 ≤ "+loadNum(res.P99BoundMS)+" ms")
		}
		if s := h.SlowStats; s != nil {
			fig("slow held at once", strconv.Itoa(s.SlowConnsMaxOpen), "of "+strconv.Itoa(s.SlowConnsTarget))
			fig("slow alive at end", strconv.Itoa(s.SlowAliveAtEnd), "")
		}
		b.WriteString("</div>\n")
	}
	for _, p := range res.Phases {
		if s := p.SlowStats; s != nil {
			fmt.Fprintf(&b, `<p class="slow">slow connections: %d connects, %d dial errors; ended by 408 %d, other status %d, close %d, reset %d; refused up front %d; never held %d; lifetime median %s ms, max %s ms; %d source address(es), at most %d open from one</p>`+"\n",
				s.SlowConnects, s.SlowDialErrors, s.SlowCut408, s.SlowCutOtherStatus, s.SlowCutClose, s.SlowCutReset,
				s.SlowRefused, s.SlowNeverHeld, loadNum(s.SlowLifetimeMedianMS), loadNum(s.SlowLifetimeMaxMS), s.SlowSourcesUsed, s.SlowMaxOpenPerSource)
		}
		if s := p.IdleStats; s != nil {
			fmt.Fprintf(&b, `<p class="slow">idle connections: %d opened, %d still held after %s ms`, s.IdleConns, s.Held, loadNum(s.HoldMS))
			if s.RSSKiBAfter > 0 {
				fmt.Fprintf(&b, "; target RSS %d → %d KiB, %.1f KiB per connection", s.RSSKiBBefore, s.RSSKiBAfter, s.RSSKiBPerConn)
			}
			b.WriteString("</p>\n")
		}
	}
	for _, n := range res.Notes {
		if rest, ok := strings.CutPrefix(n, "CAPPED: "); ok {
			b.WriteString(`<p class="warn">WARNING: ` + e(rest) + "</p>\n")
			continue
		}
		b.WriteString(`<p class="note">note: ` + e(n) + "</p>\n")
	}
	b.WriteString("</section>\n")
	return b.String()
}

func phaseTable(res *loadtest.Result) string {
	e := html.EscapeString
	var b strings.Builder
	b.WriteString(`<table class="phases"><thead><tr><th>phase</th><th>requests</th><th>success</th><th>rate/s</th><th>thrpt/s</th><th>mean ms</th><th>p50 ms</th><th>p90 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th><th>status codes</th><th>errors</th></tr></thead><tbody>` + "\n")
	for _, p := range res.Phases {
		cls := ""
		if p.Requests == 0 || p.Success < 1 {
			cls = ` class="failing"`
		}
		fmt.Fprintf(&b, "<tr%s><td>%s</td><td>%d</td><td>%.2f%%</td><td>%.1f</td><td>%.1f</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			cls, e(p.Name), p.Requests, p.Success*100, p.Rate, p.Throughput, loadNum(p.MeanMS), loadNum(p.P50MS),
			loadNum(p.P90MS), loadNum(p.P95MS), loadNum(p.P99MS), loadNum(p.MaxMS), e(loadCodes(p.StatusCodes)), e(strings.Join(p.Errors, "; ")))
	}
	b.WriteString("</tbody></table>\n")
	return b.String()
}

// loadCharts picks the charts of a scenario.
func loadCharts(res *loadtest.Result, tl *LoadTimeline) []*chart {
	switch res.Scenario {
	case "ramp":
		return []*chart{rampChart(res)}
	case "slowloris", "slowbody":
		return slowCharts(res, tl)
	}
	return timeCharts(res, tl, nil, nil)
}

// rampChart draws p50 and p99 latency against the offered rate, one point
// per step, with the p99 bound as a guide; failing steps are ringed red.
func rampChart(res *loadtest.Result) *chart {
	p50 := series{name: "p50 latency", color: colP50, dots: true}
	p99 := series{name: "p99 latency", color: colP99, dots: true}
	for _, p := range res.Phases {
		x := p.Rate
		if r, ok := rampRate(p.Name); ok && x == 0 {
			x = float64(r)
		}
		bad := p.Requests == 0 || p.Success < 1 || (res.P99BoundMS > 0 && p.P99MS > res.P99BoundMS)
		p50.pts = append(p50.pts, point{x, p.P50MS})
		p99.pts = append(p99.pts, point{x, p.P99MS})
		p50.bad = append(p50.bad, bad)
		p99.bad = append(p99.bad, bad)
	}
	c := &chart{title: "ramp: latency against offered rate (one point per step; red ring = step failed)",
		xLabel: "offered rate: requests/s sent in the step (each step ramps from its start rate, its name, to the next)", yLabel: "latency (ms)", series: []series{p50, p99}}
	if res.P99BoundMS > 0 {
		c.guides = append(c.guides, marker{at: res.P99BoundMS, label: "p99 bound " + loadNum(res.P99BoundMS) + " ms", color: colBound})
	}
	if res.MaxOKRate > 0 {
		c.markers = append(c.markers, marker{at: res.MaxOKRate, label: "max ok rate " + strconv.FormatFloat(res.MaxOKRate, 'f', 0, 64) + "/s", color: colOK})
	}
	return c
}

// slowCharts lays baseline and attack on one time axis: throughput, latency
// and the slow connections held open, each a chart over the same x range,
// with a marker where the slow connections start.
func slowCharts(res *loadtest.Result, tl *LoadTimeline) []*chart {
	var open *series
	var marks []marker
	for _, p := range res.Phases {
		s := p.SlowStats
		if s == nil || len(s.SlowOpenSeries) == 0 {
			continue
		}
		o := series{name: "slow connections held open", color: colSlow, step: true}
		for _, q := range s.SlowOpenSeries {
			o.pts = append(o.pts, point{q.AtMS / 1000, float64(q.Open)})
		}
		open = &o
		// The attack starts where its first slow connection is held open,
		// not where the series starts (the phase's start, with none open).
		for _, q := range s.SlowOpenSeries {
			if q.Open > 0 {
				marks = append(marks, marker{at: q.AtMS / 1000, label: "slow attack starts", color: colMark})
				break
			}
		}
	}
	return timeCharts(res, tl, open, marks)
}

// timeCharts draws throughput and latency over time from the timeline and,
// when given, the slow connections held open, all on one x range with the
// phases as labelled bands.
func timeCharts(res *loadtest.Result, tl *LoadTimeline, open *series, marks []marker) []*chart {
	origin, xMax := res.Started, res.ElapsedMS/1000
	if res.Scenario == "merged" {
		// A merged report starts after its runs: time from the first sample.
		origin, xMax = tl.first(), 0
	}
	pts := tl.points(origin)
	if len(pts) == 0 && open == nil {
		return nil
	}
	var bands []band
	for _, p := range res.Phases {
		if from, to, ok := tl.phaseSpan(p.Name, origin); ok {
			bands = append(bands, band{from: from, to: to, label: p.Name})
			xMax = max(xMax, to)
		}
	}
	if n := len(pts); n > 0 {
		xMax = max(xMax, pts[n-1].atS)
	}
	if open != nil {
		xMax = max(xMax, open.pts[len(open.pts)-1].x)
		// Hold the last count to the end of the axis.
		last := open.pts[len(open.pts)-1]
		open.pts = append(open.pts, point{xMax, last.y})
	}
	thr := series{name: "successful responses/s (by send time)", color: colOK}
	mean := series{name: "mean latency", color: colMean}
	mx := series{name: "max latency", color: colMax}
	for _, p := range pts {
		if p.empty {
			gap := point{p.atS, math.NaN()}
			thr.pts = append(thr.pts, gap)
			mean.pts = append(mean.pts, gap)
			mx.pts = append(mx.pts, gap)
			continue
		}
		thr.pts = append(thr.pts, point{p.atS, p.okPerS})
		mean.pts = append(mean.pts, point{p.atS, p.meanMS})
		mx.pts = append(mx.pts, point{p.atS, p.maxMS})
	}
	const xl = "seconds since the run started"
	var out []*chart
	if len(pts) > 0 {
		out = append(out,
			&chart{title: "legitimate throughput", xLabel: xl, yLabel: "responses/s", xMax: xMax, series: []series{thr}, markers: marks, bands: bands},
			&chart{title: "legitimate latency", xLabel: xl, yLabel: "latency (ms)", xMax: xMax, series: []series{mean, mx}, markers: marks, bands: bands})
	}
	if len(pts) > 0 && len(tl.workerNames) > 1 {
		out = append(out, workerChart(tl, origin, xMax, bands))
	}
	if open != nil {
		out = append(out, &chart{title: "slow connections held open", xLabel: xl, yLabel: "connections", xMax: xMax,
			series: []series{*open}, markers: marks, bands: bands})
	}
	return out
}

// workerColors are the lines of the per-worker chart, in turn.
var workerColors = []string{"#2563eb", "#dc2626", "#059669", "#7c3aed", "#f59e0b", "#0891b2", "#be185d", "#4d7c0f"}

// workerChart draws each worker's successful responses per second on the
// merged run's time axis: synchronised workers' lines start together.
func workerChart(tl *LoadTimeline, origin time.Time, xMax float64, bands []band) *chart {
	c := &chart{title: "successful responses/s per worker (by send time)", xLabel: "seconds since the run started",
		yLabel: "responses/s", xMax: xMax, bands: bands}
	for i, name := range tl.workerNames {
		s := series{name: name, color: workerColors[i%len(workerColors)]}
		for _, p := range tl.workers[name].points(origin) {
			y := p.okPerS
			if p.empty {
				y = math.NaN()
			}
			s.pts = append(s.pts, point{p.atS, y})
		}
		c.series = append(c.series, s)
	}
	return c
}

// workerTable is the per-worker breakdown of a merged result: one row per
// worker and phase, with its first send relative to the earliest worker's.
func workerTable(res *loadtest.Result) string {
	if len(res.Workers) == 0 {
		return ""
	}
	e := html.EscapeString
	var b strings.Builder
	fmt.Fprintf(&b, `<h2>per worker (%d workers; first sends %s ms apart)</h2>`+"\n", len(res.Workers), loadNum(res.StartSkewMS))
	b.WriteString(`<table class="phases workers"><thead><tr><th>worker</th><th>phase</th><th>start +ms</th><th>requests</th><th>success</th><th>rate/s</th><th>thrpt/s</th><th>mean ms</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms</th><th>max ms</th><th>status codes</th><th>verdict</th></tr></thead><tbody>` + "\n")
	first := firstSend(res)
	for _, wr := range res.Workers {
		for _, p := range wr.Phases {
			cls := ""
			if p.Requests == 0 || p.Success < 1 {
				cls = ` class="failing"`
			}
			fmt.Fprintf(&b, "<tr%s><td>%s</td><td>%s</td><td>%s</td><td>%d</td><td>%.2f%%</td><td>%.1f</td><td>%.1f</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
				cls, e(wr.Worker), e(p.Name), startOffset(first, p), p.Requests, p.Success*100, p.Rate, p.Throughput, loadNum(p.MeanMS),
				loadNum(p.P50MS), loadNum(p.P95MS), loadNum(p.P99MS), loadNum(p.MaxMS), e(loadCodes(p.StatusCodes)), e(wr.Verdict))
		}
	}
	b.WriteString("</tbody></table>\n")
	return b.String()
}

// firstSend is the earliest first send of a merged result's phases.
func firstSend(res *loadtest.Result) time.Time {
	var f time.Time
	for _, p := range res.Phases {
		if !p.FirstSend.IsZero() && (f.IsZero() || p.FirstSend.Before(f)) {
			f = p.FirstSend
		}
	}
	return f
}

// startOffset is when p's first request left, in ms after first; "-"
// when unknown.
func startOffset(first time.Time, p loadtest.Phase) string {
	if first.IsZero() || p.FirstSend.IsZero() {
		return "-"
	}
	return loadNum(float64(p.FirstSend.Sub(first).Microseconds()) / 1000)
}

const loadCSS = `<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:20px 40px;color:#111827;background:#fff;max-width:1200px}
h2{font-size:15px;margin:14px 0 6px}
h1{font-size:20px;margin:0 0 12px;word-break:break-all}
.panel{border:1px solid #d1d5db;border-radius:8px;padding:14px 18px;margin-bottom:16px;background:#f9fafb;position:relative}
.verdict{position:absolute;top:14px;right:18px;font-weight:700;font-size:22px;padding:4px 14px;border-radius:6px;color:#fff;background:#6b7280}
.v-pass{background:#059669}.v-fail{background:#dc2626}.v-inconclusive{background:#d97706}.v-stopped{background:#6b7280}
.facts{display:flex;flex-wrap:wrap;gap:6px 22px;margin:0 150px 8px 0;font-size:13px}
.facts div{display:flex;gap:6px}.facts dt{color:#6b7280}.facts dd{margin:0;font-weight:600;word-break:break-all}
.of{margin:8px 0 4px;font-size:13px;color:#374151}
.figures{display:flex;flex-wrap:wrap;gap:10px}
.fig{border:1px solid #e5e7eb;background:#fff;border-radius:6px;padding:5px 10px;min-width:80px}
.fig .k{display:block;font-size:12px;color:#6b7280}.fig .v{font-size:18px;font-weight:700;margin-right:4px}.fig .u{font-size:12px;color:#6b7280}
.slow,.note{font-size:13px;color:#374151;margin:8px 0 0}
.warn{font-weight:700;color:#b91c1c;margin:8px 0 0}
table.phases{border-collapse:collapse;font-size:12px;margin-bottom:12px;width:100%}
.phases th,.phases td{border:1px solid #e5e7eb;padding:3px 6px;text-align:right}
.phases th:first-child,.phases td:first-child,.phases td:last-child,.phases td:nth-last-child(2){text-align:left}
.phases tr.failing td{background:#fef2f2}
.workers th:nth-child(2),.workers td:nth-child(2){text-align:left}
figure{margin:0 0 10px}
svg.chart{width:100%;height:auto;font-size:12px}
svg .title{font-size:14px;font-weight:600}
svg .grid{stroke:#e5e7eb}svg .axis{stroke:#6b7280}
svg .ytick{text-anchor:end;fill:#4b5563}svg .xtick{text-anchor:middle;fill:#4b5563}
svg .xlabel,svg .ylabel{text-anchor:middle;fill:#374151}
svg .line{fill:none;stroke-width:2}
svg .guide{stroke-dasharray:6 4}
svg .marker{stroke-width:2;stroke-dasharray:4 3}svg .markerlabel{font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
svg .band{fill:#f3f4f6;stroke:#e5e7eb}svg .bandlabel{fill:#6b7280;font-style:italic}
svg .bad{fill:none;stroke:#dc2626;stroke-width:2}
svg .legend{fill:#374151}
.detail{font-size:13px}
</style>
`
