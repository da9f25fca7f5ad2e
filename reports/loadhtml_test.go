package reports

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferrox/ferrox/loadtest"
	"github.com/google/go-cmp/cmp"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// rampFixture is a ramp of four steps whose last one failed its p99 bound.
func rampFixture() *loadtest.Result {
	step := func(from int, rate, p50, p99, success float64) loadtest.Phase {
		return loadtest.Phase{Name: "ramp-" + itoa(from), Requests: uint64(rate), Success: success, Rate: rate, Throughput: rate * success,
			P50MS: p50, P95MS: p99 / 2, P99MS: p99, MeanMS: p50, MaxMS: p99 * 2, StatusCodes: map[string]int{"200": int(rate)}, Errors: []string{}}
	}
	return &loadtest.Result{
		Schema: loadtest.SchemaVersion, Scenario: "ramp", Target: "http://127.0.0.1:8080/x",
		Started: fixedStart, ElapsedMS: 4000,
		Config: loadtest.Settings{Rate: 2000, DurationMS: 1000, Connections: 16, Paths: []string{"/x"}},
		Phases: []loadtest.Phase{
			step(500, 750, 0.2, 1, 1), step(1000, 1250, 0.3, 2, 1), step(1500, 1750, 0.5, 8, 1), step(2000, 2000, 5, 80, 0.98),
		},
		MaxOKRate: 1500, P99BoundMS: 50,
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// slowTimeline feeds a timeline with a baseline of 2 s and an attack of 2 s
// starting at 3 s, 20 requests a second, all 200 but one error in the
// attack.
func slowTimeline() *LoadTimeline {
	tl := NewLoadTimeline()
	add := func(name string, from time.Duration) {
		for i := range 40 {
			r := &vegeta.Result{Attack: name, Seq: uint64(i), Code: 200, Timestamp: fixedStart.Add(from + time.Duration(i)*50*time.Millisecond),
				Latency: time.Duration(i+1) * time.Millisecond}
			if name == "attack" && i == 5 {
				r.Code, r.Error = 0, "connection reset"
			}
			tl.Add(r)
		}
	}
	add("baseline", 0)
	add("attack", 3*time.Second)
	return tl
}

func slowHTMLFixture() *loadtest.Result {
	res := loadFixture()
	res.Started = fixedStart
	res.ElapsedMS = 5000
	res.Phases[1].SlowStats.SlowOpenSeries = []loadtest.OpenSample{{AtMS: 2100, Open: 0}, {AtMS: 2500, Open: 1000}, {AtMS: 2800, Open: 1999}, {AtMS: 5000, Open: 0}}
	return res
}

func TestLoadHTMLGolden(t *testing.T) {
	ka := &loadtest.Result{Schema: 1, Scenario: "keepalive", Target: "http://127.0.0.1:8080/<b>", Started: fixedStart, ElapsedMS: 2000,
		Config: loadtest.Settings{Rate: 10, DurationMS: 2000, Connections: 2, Paths: []string{"/<b>"}},
		Phases: []loadtest.Phase{{Name: "keepalive", Requests: 20, Success: 1, Rate: 10, Throughput: 10, P50MS: 1, P95MS: 2, P99MS: 3, MeanMS: 1.5,
			StatusCodes: map[string]int{"200": 20}, Errors: []string{}, Legit: true}},
		Notes: []string{"CAPPED: a <warning>"}}
	kaTL := NewLoadTimeline()
	for i := range 20 {
		kaTL.Add(&vegeta.Result{Attack: "keepalive", Code: 200, Timestamp: fixedStart.Add(time.Duration(i) * 100 * time.Millisecond), Latency: time.Millisecond})
	}
	tests := []struct {
		file string
		r    Reporter
	}{
		{"load-ramp.html", LoadHTML(rampFixture(), nil, "latency.html")},
		{"load-slowloris.html", LoadHTML(slowHTMLFixture(), slowTimeline(), "latency.html")},
		{"load-keepalive.html", LoadHTML(ka, kaTL, "")},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			got := render(t, tc.r)
			path := filepath.Join("testdata", tc.file+".golden")
			if updating() {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s mismatch (-want +got), run go test -update if intended:\n%s", tc.file, diff)
			}
			if again := render(t, tc.r); !bytes.Equal(again, got) {
				t.Errorf("%s: second render differs from the first", tc.file)
			}
			// Self-contained: no script, stylesheet or image from elsewhere.
			for _, bad := range []string{"<script", "src=", "http-equiv", "@import", "<link"} {
				if bytes.Contains(got, []byte(bad)) {
					t.Errorf("%s contains %q; want a self-contained page", tc.file, bad)
				}
			}
			if bytes.Contains(got, []byte("/<b>")) || bytes.Contains(got, []byte("<warning>")) {
				t.Errorf("%s: unescaped input in the page", tc.file)
			}
		})
	}
}

// TestLoadHTMLStructure checks what each page must show, independent of
// layout: the panel's figures and verdict, one ramp point per step with the
// failed one ringed, and the slowloris marker and slow-connection line.
func TestLoadHTMLStructure(t *testing.T) {
	ramp := string(render(t, LoadHTML(rampFixture(), nil, "")))
	for _, want := range []string{`class="verdict v-pass">PASS<`, "figures of phase <b>ramp-1500</b>", ">8.000<", "max ok rate 1500/s", "p99 bound 50.000 ms"} {
		if !strings.Contains(ramp, want) {
			t.Errorf("ramp page lacks %q", want)
		}
	}
	if n := strings.Count(ramp, "<title>p99 latency: "); n != 4 {
		t.Errorf("ramp page has %d p99 points; want 4 (one per step)", n)
	}
	if n := strings.Count(ramp, `class="bad"`); n != 2 {
		t.Errorf("ramp page rings %d points; want 2 (p50 and p99 of the failed step)", n)
	}
	if strings.Contains(ramp, "seconds since") {
		t.Errorf("ramp page draws a time axis; want latency against rate only")
	}

	withHeaders := rampFixture()
	withHeaders.Config.Headers = []string{"Accept-Encoding: gzip", "X-A: <1>"}
	if got := string(render(t, LoadHTML(withHeaders, nil, ""))); !strings.Contains(got, "<dt>headers</dt><dd>Accept-Encoding: gzip; X-A: &lt;1&gt;</dd>") {
		t.Errorf("page does not list the headers asked for")
	}
	if strings.Contains(ramp, "<dt>headers</dt>") {
		t.Errorf("page lists headers when none were asked for")
	}

	merged := slowHTMLFixture()
	merged.Scenario = "merged"
	merged.Phases = append(merged.Phases, loadtest.Phase{Name: "all", Requests: 1000, Success: 1})
	if got := string(render(t, LoadHTML(merged, nil, ""))); !strings.Contains(got, "figures of phase <b>all</b>") {
		t.Errorf("merged page does not lead with phase all")
	}

	slow := string(render(t, LoadHTML(slowHTMLFixture(), slowTimeline(), "")))
	for _, want := range []string{`v-fail">FAIL<`, "figures of phase <b>attack</b>", "slow held at once", ">1999<", "of 2000",
		"slow attack starts", "slow connections held open", ">baseline</text>", ">attack</text>"} {
		if !strings.Contains(slow, want) {
			t.Errorf("slowloris page lacks %q", want)
		}
	}
	// Three charts share one x axis: throughput, latency, slow connections;
	// each carries the marker at 2.5 s.
	if n := strings.Count(slow, `class="marker"`); n != 3 {
		t.Errorf("slowloris page has %d markers; want 3 (one per chart)", n)
	}
	xs := regexp.MustCompile(`class="marker" x1="([0-9.]+)"`).FindAllStringSubmatch(slow, -1)
	for _, x := range xs {
		if x[1] != xs[0][1] {
			t.Errorf("marker at x=%s and x=%s; want one time axis", xs[0][1], x[1])
		}
	}
	// The marker is where the first slow connection is held (2.5 s), not
	// where the series starts with none open (2.1 s): x = 70 + 2.5/5 × 1090.
	if len(xs) > 0 && xs[0][1] != "615.0" {
		t.Errorf("marker at x=%s; want 615.0 (2.5 s, the first sample with a slow connection open)", xs[0][1])
	}
	// The gap between baseline and attack is drawn as a gap: the
	// throughput path has two subpaths.
	m := regexp.MustCompile(`<path class="line" d="([^"]*)" stroke="` + colOK + `"`).FindStringSubmatch(slow)
	if m == nil || strings.Count(m[1], "M") != 2 {
		t.Errorf("throughput path = %v; want two subpaths (baseline, attack)", m)
	}
}

func TestTimelinePoints(t *testing.T) {
	tl := slowTimeline()
	pts := tl.points(fixedStart)
	// 0 s .. 4.95 s at 20 sends/s: 250 ms buckets hold 5, so they merge
	// by 2 to 500 ms points: 10 of them, the two from 2 s to 3 s empty.
	if len(pts) != 10 {
		t.Fatalf("points = %d; want 10", len(pts))
	}
	var full, empty int
	for _, p := range pts {
		if p.empty {
			empty++
			continue
		}
		full++
		// 20 requests/s sent, 50 ms apart; the attack point with the
		// error has 1 less.
		if p.okPerS < 17.9 || p.okPerS > 20.1 {
			t.Errorf("point at %.3f s: %.2f ok/s; want about 20", p.atS, p.okPerS)
		}
	}
	if full != 8 || empty != 2 {
		t.Errorf("full, empty points = %d, %d; want 8, 2", full, empty)
	}
	if from, to, ok := tl.phaseSpan("attack", fixedStart); !ok || from != 3 || to != 4.95 {
		t.Errorf("phaseSpan(attack) = %v, %v, %v; want 3, 4.95, true", from, to, ok)
	}
	if tl.first() != fixedStart {
		t.Errorf("first() = %v; want %v", tl.first(), fixedStart)
	}
}

func TestAxisRange(t *testing.T) {
	cases := []struct {
		id              string
		lo, hi          float64
		wantStep, wantT float64
	}{
		{"seconds", 0, 6.7, 2, 8},
		{"rate", 0, 2000, 500, 2000},
		{"ms", 0, 12.1, 2.5, 12.5},
		{"empty", 0, 0, 0.2, 1},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			step, top := axisRange(c.lo, c.hi)
			if step != c.wantStep || top != c.wantT {
				t.Errorf("axisRange(%v, %v) = %v, %v; want %v, %v", c.lo, c.hi, step, top, c.wantStep, c.wantT)
			}
		})
	}
}

func TestLoadHTMLWriteError(t *testing.T) {
	if err := LoadHTML(rampFixture(), nil, "")(loadFailWriter{}); !errors.Is(err, errLoadWrite) {
		t.Errorf("LoadHTML on failing writer = %v; want %v", err, errLoadWrite)
	}
}

// TestTimelineCoarsens checks that a long run keeps at most
// maxTimelineBuckets buckets and loses no result when they widen.
func TestTimelineCoarsens(t *testing.T) {
	tl := NewLoadTimeline()
	const n = 3 * maxTimelineBuckets
	for i := range n {
		tl.Add(&vegeta.Result{Attack: "soak", Code: 200, Timestamp: fixedStart.Add(time.Duration(i) * timelineBucket), Latency: time.Millisecond})
	}
	if len(tl.buckets) > maxTimelineBuckets {
		t.Errorf("buckets = %d; want <= %d", len(tl.buckets), maxTimelineBuckets)
	}
	if tl.width != 4*timelineBucket {
		t.Errorf("width = %v; want %v", tl.width, 4*timelineBucket)
	}
	total := 0
	for _, b := range tl.buckets {
		total += b.n
	}
	if total != n {
		t.Errorf("results counted = %d; want %d", total, n)
	}
	if pts := tl.points(fixedStart); len(pts) > maxTimelinePoints {
		t.Errorf("points = %d; want <= %d", len(pts), maxTimelinePoints)
	}
}

// TestTimelinePointsPhaseEdges: a phase's first and last intervals are
// partly outside the phase's send window; their rate divides by the part
// inside it, so a steady rate is drawn flat up to the phase's ends (no drop
// toward 0 in the last interval, no spike in the first), in the total and
// in each worker's line of a merged run.
func TestTimelinePointsPhaseEdges(t *testing.T) {
	// steady sends name's results at rate/s for dur, from start; with
	// burst, the second send leaves 750 µs after the first, as vegeta's
	// catch-up does at a run's start.
	steady := func(add func(*vegeta.Result), name string, start time.Time, rate int, dur time.Duration, burst bool) {
		gap := time.Second / time.Duration(rate)
		for i := range int(dur / gap) {
			at := start.Add(time.Duration(i) * gap)
			if burst && i == 1 {
				at = start.Add(750 * time.Microsecond)
			}
			add(&vegeta.Result{Attack: name, Seq: uint64(i), Code: 200, Timestamp: at, Latency: time.Millisecond})
		}
	}
	// Buckets are 250 ms on the clock, and fixedStart is on one.
	at := func(ms float64) time.Time { return fixedStart.Add(time.Duration(ms * float64(time.Millisecond))) }
	cases := []struct {
		id     string
		origin time.Time
		feed   func(*LoadTimeline)
		total  float64 // the total's rate, per second
		per    float64 // each worker's rate; 0: no workers
	}{
		{"200/s, not on a bucket boundary", at(137), func(tl *LoadTimeline) { steady(tl.Add, "keepalive", at(137), 200, 10*time.Second, false) }, 200, 0},
		{"200/s, last send 2 ms into a bucket", at(7), func(tl *LoadTimeline) { steady(tl.Add, "keepalive", at(7), 200, 10*time.Second, false) }, 200, 0},
		{"200/s, burst 3 ms before a bucket ends", at(247), func(tl *LoadTimeline) { steady(tl.Add, "keepalive", at(247), 200, 10*time.Second, true) }, 200, 0},
		{"20/s, last send 1 ms into a point", at(1), func(tl *LoadTimeline) { steady(tl.Add, "keepalive", at(1), 20, 5*time.Second, false) }, 20, 0},
		{"baseline then attack", at(137), func(tl *LoadTimeline) {
			steady(tl.Add, "baseline", at(137), 100, 3*time.Second, false)
			steady(tl.Add, "attack", at(4000+242), 100, 3*time.Second, false)
		}, 100, 0},
		{"merged, 2 workers", at(240), func(tl *LoadTimeline) {
			// w0 ends 0 ms into a bucket, w1 12.386 ms later, starting
			// with a burst.
			for i, off := range []float64{240, 252.386} {
				name := "w" + itoa(i)
				steady(func(r *vegeta.Result) { tl.AddWorker(name, r) }, "keepalive", at(off), 200, 10*time.Second, i == 1)
			}
		}, 400, 200},
	}
	check := func(t *testing.T, what string, pts []timePoint, want float64) {
		t.Helper()
		full := 0
		for _, p := range pts {
			if p.empty {
				continue
			}
			full++
			if p.okPerS < want*0.9 || p.okPerS > want*1.1 {
				t.Errorf("%s: point at %.3f s: %.1f ok/s; want %.0f ±10%%", what, p.atS, p.okPerS, want)
			}
		}
		if full == 0 {
			t.Errorf("%s: no points", what)
		}
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			tl := NewLoadTimeline()
			c.feed(tl)
			check(t, "total", tl.points(c.origin), c.total)
			for _, name := range tl.workerNames {
				check(t, name, tl.workers[name].points(c.origin), c.per)
			}
		})
	}
}

// TestMarkerLabelClear: a marker's label is placed where no line is drawn
// under it: beside the marker, at a height the lines leave free, or on the
// other side when one side is full.
func TestMarkerLabelClear(t *testing.T) {
	const label = "slow attack starts"
	cases := []struct {
		id  string
		pts []point
		at  float64
	}{
		// A line along the top of the plot, where the label used to go.
		{"flat near the top", []point{{0, 100}, {10, 100}}, 4},
		// The end of a baseline dropping through every height right of the
		// marker, then rising again.
		{"drop right of the marker", []point{{0, 100}, {3, 100}, {3.1, 0}, {4.9, 0}, {5, 100}, {10, 100}}, 3},
		// A line crossing every height on both sides near the marker.
		{"zigzag", []point{{0, 0}, {3.5, 100}, {4, 0}, {4.5, 100}, {10, 100}}, 4},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			ch := &chart{title: "t", xMax: 10, series: []series{{name: "s", color: colOK, pts: c.pts}}, markers: []marker{{at: c.at, label: label, color: colMark}}}
			svg := ch.svg()
			m := regexp.MustCompile(`class="markerlabel" x="([0-9.]+)" y="([0-9.]+)" fill="[^"]*" text-anchor="(\w+)"`).FindStringSubmatch(svg)
			if m == nil {
				t.Fatalf("no marker label in\n%s", svg)
			}
			lx, _ := strconv.ParseFloat(m[1], 64)
			ly, _ := strconv.ParseFloat(m[2], 64)
			x0, x1 := lx, lx+float64(len(label))*7
			if m[3] == "end" {
				x0, x1 = lx-float64(len(label))*7, lx
			}
			// The same axes as svg: x 0..10, y 0..125.
			X := func(x float64) float64 { return padL + x/10*float64(chartW-padL-padR) }
			Y := func(y float64) float64 { return padT + float64(chartH-padT-padB)*(1-y/125) }
			if c.id == "zigzag" {
				// No free place exists on either side: the label stays
				// at the top, readable through its white outline.
				if ly != padT+26 {
					t.Errorf("label y = %v; want %v", ly, padT+26)
				}
				return
			}
			if ch.crosses(x0, x1, ly-10, ly+3, X, Y) {
				t.Errorf("label at (%s, %s, %s) lies on the line", m[1], m[2], m[3])
			}
		})
	}
}
