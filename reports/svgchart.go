package reports

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// chart is one inline SVG line chart: a linear x and y axis from zero (or
// xMin) to a rounded maximum, any number of series, and vertical markers,
// horizontal guides and labelled x bands. The drawing is a pure function
// of the struct, so the same chart renders the same bytes.
type chart struct {
	title          string
	xLabel, yLabel string
	// xMin, xMax fix the x range; both zero means the data's range.
	xMin, xMax float64
	series     []series
	markers    []marker // vertical lines at an x
	guides     []marker // horizontal lines at a y
	bands      []band
}

// series is one line; step draws it as a step function (the value holds
// until the next point), dots marks every point.
type series struct {
	name  string
	color string
	pts   []point
	step  bool
	dots  bool
	// bad, when set, marks points drawn as red rings (a failed ramp step).
	bad []bool
}

type point struct{ x, y float64 }

type marker struct {
	at    float64
	label string
	color string
}

type band struct {
	from, to float64
	label    string
}

// Chart geometry in SVG user units.
const (
	chartW, chartH = 1180, 300
	padL, padR     = 70, 20
	padT, padB     = 34, 46
)

// niceCeil rounds v up to 1, 2, 2.5 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v*(1-1e-9) {
			return m * p
		}
	}
	return 10 * p
}

// axisRange returns a round tick step for [lo, hi] (about five ticks) and
// hi rounded up to a whole number of steps from lo.
func axisRange(lo, hi float64) (step, top float64) {
	if hi <= lo {
		hi = lo + 1
	}
	step = niceCeil((hi - lo) / 5)
	n := math.Ceil((hi-lo)/step - 1e-9)
	return step, lo + n*step
}

// tickLabel prints a tick value with at most three decimals, trailing
// zeros dropped.
func tickLabel(v float64) string {
	s := strconv.FormatFloat(v, 'f', 3, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// svg renders the chart.
func (c *chart) svg() string {
	xMin, xMax := c.xMin, c.xMax
	yMax := 0.0
	first := true
	for _, s := range c.series {
		for _, p := range s.pts {
			if c.xMin == 0 && c.xMax == 0 {
				if first || p.x < xMin {
					xMin = p.x
				}
				if first || p.x > xMax {
					xMax = p.x
				}
				first = false
			}
			if !math.IsNaN(p.y) {
				yMax = max(yMax, p.y)
			}
		}
	}
	// A guide widens the y range unless it lies far above the data; then
	// it is named at the top instead of drawn.
	var offGuides []marker
	for _, g := range c.guides {
		if yMax == 0 || g.at <= 3*yMax {
			yMax = max(yMax, g.at)
		} else {
			offGuides = append(offGuides, g)
		}
	}
	if c.xMin == 0 && c.xMax == 0 {
		xMin = min(xMin, 0)
	}
	xStep, xMax := axisRange(xMin, xMax)
	yStep, yMax := axisRange(0, yMax*1.05)
	pw, ph := float64(chartW-padL-padR), float64(chartH-padT-padB)
	X := func(x float64) float64 { return padL + (x-xMin)/(xMax-xMin)*pw }
	Y := func(y float64) float64 { return padT + ph - y/yMax*ph }
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`+"\n",
		chartW, chartH, html.EscapeString(c.title))
	fmt.Fprintf(&b, `<text class="title" x="%d" y="20">%s</text>`+"\n", padL, html.EscapeString(c.title))
	for _, bd := range c.bands {
		x0, x1 := X(max(bd.from, xMin)), X(min(bd.to, xMax))
		fmt.Fprintf(&b, `<rect class="band" x="%s" y="%d" width="%s" height="%s"/><text class="bandlabel" x="%s" y="%d">%s</text>`+"\n",
			f(x0), padT, f(max(x1-x0, 0)), f(ph), f(x0+4), padT+12, html.EscapeString(bd.label))
	}
	// Grid and ticks at round steps.
	for i := 0; float64(i)*yStep <= yMax*(1+1e-9); i++ {
		yv := float64(i) * yStep
		fmt.Fprintf(&b, `<line class="grid" x1="%d" y1="%s" x2="%d" y2="%s"/><text class="ytick" x="%d" y="%s">%s</text>`+"\n",
			padL, f(Y(yv)), chartW-padR, f(Y(yv)), padL-6, f(Y(yv)+4), tickLabel(yv))
	}
	for i := 0; xMin+float64(i)*xStep <= xMax*(1+1e-9); i++ {
		xv := xMin + float64(i)*xStep
		fmt.Fprintf(&b, `<text class="xtick" x="%s" y="%d">%s</text>`+"\n", f(X(xv)), chartH-padB+16, tickLabel(xv))
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/><line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>`+"\n",
		padL, padT, padL, chartH-padB, padL, chartH-padB, chartW-padR, chartH-padB)
	fmt.Fprintf(&b, `<text class="xlabel" x="%s" y="%d">%s</text>`+"\n", f(padL+pw/2), chartH-8, html.EscapeString(c.xLabel))
	fmt.Fprintf(&b, `<text class="ylabel" transform="translate(16 %s) rotate(-90)">%s</text>`+"\n", f(padT+ph/2), html.EscapeString(c.yLabel))
	for _, g := range c.guides {
		fmt.Fprintf(&b, `<line class="guide" x1="%d" y1="%s" x2="%d" y2="%s" stroke="%s"/><text class="guidelabel" x="%d" y="%s" fill="%s">%s</text>`+"\n",
			padL, f(Y(g.at)), chartW-padR, f(Y(g.at)), g.color, padL+6, f(Y(g.at)-4), g.color, html.EscapeString(g.label))
	}
	for i, g := range offGuides {
		fmt.Fprintf(&b, `<text class="guidelabel" x="%d" y="%d" fill="%s" text-anchor="end">%s (above the chart)</text>`+"\n",
			chartW-padR-4, padT+12+14*i, g.color, html.EscapeString(g.label))
	}
	for _, s := range c.series {
		if len(s.pts) == 0 {
			continue
		}
		var d strings.Builder
		gap := true
		for i, p := range s.pts {
			if math.IsNaN(p.y) {
				gap = true
				continue
			}
			switch {
			case gap:
				gap = false
				if i > 0 {
					d.WriteByte(' ')
				}
				fmt.Fprintf(&d, "M%s %s", f(X(p.x)), f(Y(p.y)))
			case s.step:
				fmt.Fprintf(&d, " H%s V%s", f(X(p.x)), f(Y(p.y)))
			default:
				fmt.Fprintf(&d, " L%s %s", f(X(p.x)), f(Y(p.y)))
			}
		}
		fmt.Fprintf(&b, `<path class="line" d="%s" stroke="%s"><title>%s</title></path>`+"\n", d.String(), s.color, html.EscapeString(s.name))
		if s.dots {
			for i, p := range s.pts {
				if math.IsNaN(p.y) {
					continue
				}
				if i < len(s.bad) && s.bad[i] {
					fmt.Fprintf(&b, `<circle class="bad" cx="%s" cy="%s" r="6"/>`, f(X(p.x)), f(Y(p.y)))
				}
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3.5" fill="%s"><title>%s: %s, %s</title></circle>`+"\n",
					f(X(p.x)), f(Y(p.y)), s.color, html.EscapeString(s.name), tickLabel(p.x), tickLabel(p.y))
			}
		}
	}
	for _, m := range c.markers {
		if m.at < xMin || m.at > xMax {
			continue
		}
		lx, ly, anchor := c.markerLabelAt(X(m.at), m.label, X, Y)
		fmt.Fprintf(&b, `<line class="marker" x1="%s" y1="%d" x2="%s" y2="%d" stroke="%s"/><text class="markerlabel" x="%s" y="%s" fill="%s" text-anchor="%s">%s</text>`+"\n",
			f(X(m.at)), padT, f(X(m.at)), chartH-padB, m.color, f(lx), f(ly), m.color, anchor, html.EscapeString(m.label))
	}
	// Legend, top right.
	x := float64(chartW - padR)
	for i := len(c.series) - 1; i >= 0; i-- {
		s := c.series[i]
		x -= float64(len(s.name))*7 + 34
		fmt.Fprintf(&b, `<rect x="%s" y="12" width="14" height="4" fill="%s"/><text class="legend" x="%s" y="18">%s</text>`+"\n",
			f(x), s.color, f(x+18), html.EscapeString(s.name))
	}
	b.WriteString("</svg>\n")
	return b.String()
}

// markerLabelAt places a marker's label beside its line at mx: on the
// right (on the left near the right edge, or when the right has no room
// free of the lines), at the highest height whose text box no series
// crosses; where every height is taken, at the top, where the label's
// white outline (loadCSS) keeps it readable.
func (c *chart) markerLabelAt(mx float64, label string, X, Y func(float64) float64) (lx, ly float64, anchor string) {
	const lineH, ascent, descent = 14.0, 10.0, 3.0
	w := float64(len(label))*7 + 4
	right := struct {
		lx, x0, x1 float64
		anchor     string
	}{mx + 4, mx + 2, mx + 4 + w, "start"}
	left := right
	left.lx, left.x0, left.x1, left.anchor = mx-4, mx-4-w, mx-2, "end"
	sides := []struct {
		lx, x0, x1 float64
		anchor     string
	}{right, left}
	if mx > chartW-padR-200 {
		sides[0], sides[1] = left, right
	}
	for _, sd := range sides {
		for y := float64(padT) + 26; y <= chartH-padB-descent-2; y += lineH {
			if !c.crosses(sd.x0, sd.x1, y-ascent-2, y+descent+2, X, Y) {
				return sd.lx, y, sd.anchor
			}
		}
	}
	return sides[0].lx, float64(padT) + 26, sides[0].anchor
}

// crosses reports whether a series is drawn inside the box x0..x1, y0..y1
// (SVG units).
func (c *chart) crosses(x0, x1, y0, y1 float64, X, Y func(float64) float64) bool {
	// seg reports whether the segment from (ax, ay) to (bx, by) enters the box.
	seg := func(ax, ay, bx, by float64) bool {
		if ax > bx {
			ax, ay, bx, by = bx, by, ax, ay
		}
		if bx < x0 || ax > x1 {
			return false
		}
		ya, yb := ay, by
		if bx > ax {
			at := func(x float64) float64 { return ay + (by-ay)*(x-ax)/(bx-ax) }
			if ax < x0 {
				ya = at(x0)
			}
			if bx > x1 {
				yb = at(x1)
			}
		}
		return max(ya, yb) >= y0 && min(ya, yb) <= y1
	}
	for _, s := range c.series {
		var prev *point
		for i := range s.pts {
			p := &s.pts[i]
			if math.IsNaN(p.y) {
				prev = nil
				continue
			}
			px, py := X(p.x), Y(p.y)
			if prev == nil {
				if seg(px, py, px, py) {
					return true
				}
			} else {
				qx, qy := X(prev.x), Y(prev.y)
				if s.step {
					// Drawn as H then V: along the previous height, then up or down.
					if seg(qx, qy, px, qy) || seg(px, qy, px, py) {
						return true
					}
				} else if seg(qx, qy, px, py) {
					return true
				}
			}
			prev = p
		}
	}
	return false
}
