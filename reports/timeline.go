package reports

import (
	"slices"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// timelineBucket is the starting width of one LoadTimeline bucket.
const timelineBucket = 250 * time.Millisecond

// maxTimelineBuckets bounds a timeline's memory: past it, buckets double in
// width (a day-long soak ends with buckets of about 8 s).
const maxTimelineBuckets = 16384

// maxTimelinePoints bounds the points one time-axis chart draws; adjacent
// buckets are merged to stay under it.
const maxTimelinePoints = 600

// minPerPoint is the number of sends a drawn point should hold at least.
const minPerPoint = 10

// LoadTimeline buckets raw vegeta results by the time they were sent, for
// the time-axis charts of LoadHTML. Feed it with Add from
// loadtest.Config.OnResult, which calls serially; it is not safe for
// concurrent use. The zero value is not ready: use NewLoadTimeline.
type LoadTimeline struct {
	width   time.Duration
	buckets map[int64]*tlBucket // key: send time / width
	// phases holds the send window of each attack name.
	phases map[string]*tlPhase
	// workers holds one timeline per worker of a merged report (AddWorker),
	// in the order they were first seen.
	workers     map[string]*LoadTimeline
	workerNames []string
}

type tlBucket struct {
	n, ok  int
	latSum time.Duration
	latMax time.Duration
	// first and last send time in the bucket.
	first, last time.Time
}

// tlPhase is one attack's sends: the first and last send time and how many.
type tlPhase struct {
	first, last time.Time
	n           int
}

// window is the time the phase's sends covered: from its first send to one
// mean gap between sends after its last (the last send stands for that
// much time as each other one does). A phase of one send covers one bucket
// width w.
func (p *tlPhase) window(w time.Duration) (from, to time.Time) {
	if p.n < 2 || !p.last.After(p.first) {
		return p.first, p.first.Add(w)
	}
	span := p.last.Sub(p.first)
	return p.first, p.last.Add(span / time.Duration(p.n-1))
}

// NewLoadTimeline returns an empty timeline.
func NewLoadTimeline() *LoadTimeline {
	return &LoadTimeline{width: timelineBucket, buckets: map[int64]*tlBucket{}, phases: map[string]*tlPhase{}}
}

// Add counts one result. A result is a success when it carries a 2xx or
// 3xx status and no error, as vegeta's Metrics.Success counts it.
func (t *LoadTimeline) Add(r *vegeta.Result) {
	k := r.Timestamp.UnixNano() / int64(t.width)
	b := t.buckets[k]
	if b == nil {
		if len(t.buckets) >= maxTimelineBuckets {
			t.coarsen()
			t.Add(r)
			return
		}
		b = &tlBucket{}
		t.buckets[k] = b
	}
	if b.n == 0 || r.Timestamp.Before(b.first) {
		b.first = r.Timestamp
	}
	if b.n == 0 || r.Timestamp.After(b.last) {
		b.last = r.Timestamp
	}
	b.n++
	if r.Code >= 200 && r.Code < 400 && r.Error == "" {
		b.ok++
	}
	b.latSum += r.Latency
	b.latMax = max(b.latMax, r.Latency)
	ph := t.phases[r.Attack]
	if ph == nil {
		ph = &tlPhase{first: r.Timestamp, last: r.Timestamp}
		t.phases[r.Attack] = ph
	}
	if r.Timestamp.Before(ph.first) {
		ph.first = r.Timestamp
	}
	if r.Timestamp.After(ph.last) {
		ph.last = r.Timestamp
	}
	ph.n++
}

// AddWorker counts one result of the named worker of a distributed run:
// in the whole timeline and in the worker's own, which LoadHTML draws as
// one throughput line per worker.
func (t *LoadTimeline) AddWorker(name string, r *vegeta.Result) {
	t.Add(r)
	if t.workers == nil {
		t.workers = map[string]*LoadTimeline{}
	}
	w := t.workers[name]
	if w == nil {
		w = NewLoadTimeline()
		t.workers[name] = w
		t.workerNames = append(t.workerNames, name)
	}
	w.Add(r)
}

// coarsen doubles the bucket width, merging pairs of buckets.
func (t *LoadTimeline) coarsen() {
	t.width *= 2
	old := t.buckets
	t.buckets = make(map[int64]*tlBucket, len(old)/2+1)
	for k, b := range old {
		nk := k / 2
		a := t.buckets[nk]
		if a == nil {
			t.buckets[nk] = b
			continue
		}
		a.merge(b)
	}
}

// merge adds b's counts into a.
func (a *tlBucket) merge(b *tlBucket) {
	if b.n == 0 {
		return
	}
	if a.n == 0 || b.first.Before(a.first) {
		a.first = b.first
	}
	if a.n == 0 || b.last.After(a.last) {
		a.last = b.last
	}
	a.n += b.n
	a.ok += b.ok
	a.latSum += b.latSum
	a.latMax = max(a.latMax, b.latMax)
}

// timePoint is one drawn interval of the timeline: its middle in seconds
// from the origin, successful responses per second, mean and max latency.
// An interval in which nothing was sent (between two phases) has empty
// set, and is drawn as a gap.
type timePoint struct {
	atS, okPerS, meanMS, maxMS float64
	empty                      bool
}

// points returns the buckets as seconds from origin, merging neighbours so
// that at most maxTimelinePoints remain. The rate of an interval divides
// its successes by the part of it that lay inside a phase's send window
// (tlPhase.window), not by its whole width, so the interval a phase starts
// or ends in is not drawn as a dip; and an interval that a phase covers for
// less than half its width is folded into its neighbour in the same phase,
// so a few sends in a sliver of time (vegeta's catch-up at the start) are
// not drawn as a spike. A point sits in the middle of the time it covers.
func (t *LoadTimeline) points(origin time.Time) []timePoint {
	if t == nil || len(t.buckets) == 0 {
		return nil
	}
	keys := make([]int64, 0, len(t.buckets))
	for k := range t.buckets {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	lo, hi := keys[0], keys[len(keys)-1]
	merge := (hi - lo + 1 + maxTimelinePoints - 1) / maxTimelinePoints
	// At low rates a bucket holds few sends and its rate jumps by whole
	// requests: merge until a point holds about minPerPoint of them.
	total := 0
	for _, b := range t.buckets {
		total += b.n
	}
	if avg := max(total/len(t.buckets), 1); avg < minPerPoint {
		merge = max(merge, int64((minPerPoint+avg-1)/avg))
	}
	width := time.Duration(merge) * t.width
	type window struct{ from, to time.Time }
	windows := make([]window, 0, len(t.phases))
	for _, ph := range t.phases {
		from, to := ph.window(t.width)
		windows = append(windows, window{from, to})
	}
	// interval is one drawn interval before it becomes a point: its sends
	// and the time inside send windows it covered, from covFrom to covTo.
	type interval struct {
		agg            tlBucket
		covered        time.Duration
		covFrom, covTo time.Time
		start          time.Time
		folded         bool // into a neighbour: not drawn
	}
	var ivs []interval
	for start := lo; start <= hi; start += merge {
		iv := interval{start: time.Unix(0, start*int64(t.width))}
		for k := start; k < start+merge; k++ {
			if b := t.buckets[k]; b != nil {
				iv.agg.merge(b)
			}
		}
		end := iv.start.Add(width)
		for _, w := range windows {
			from, to := maxTime(iv.start, w.from), minTime(end, w.to)
			if !to.After(from) {
				continue
			}
			iv.covered += to.Sub(from)
			if iv.covFrom.IsZero() || from.Before(iv.covFrom) {
				iv.covFrom = from
			}
			if to.After(iv.covTo) {
				iv.covTo = to
			}
		}
		// Overlapping windows (the same phase of several workers is one
		// window; different phases do not overlap) never cover more than
		// the interval.
		iv.covered = min(iv.covered, width)
		ivs = append(ivs, iv)
	}
	// Fold slivers into the neighbour they touch: the next interval for a
	// phase's start, the previous one for its end.
	foldInto := func(dst, src *interval) {
		dst.agg.merge(&src.agg)
		dst.covered += src.covered
		if src.covFrom.Before(dst.covFrom) {
			dst.covFrom = src.covFrom
		}
		if src.covTo.After(dst.covTo) {
			dst.covTo = src.covTo
		}
		*src = interval{start: src.start, folded: true}
	}
	for i := range ivs {
		iv := &ivs[i]
		if iv.agg.n == 0 || iv.covered >= width/2 {
			continue
		}
		switch {
		case i+1 < len(ivs) && ivs[i+1].agg.n > 0 && iv.covTo.Equal(ivs[i+1].start) && ivs[i+1].covFrom.Equal(ivs[i+1].start):
			foldInto(&ivs[i+1], iv)
		case i > 0 && ivs[i-1].agg.n > 0 && ivs[i-1].covTo.Equal(iv.start) && iv.covFrom.Equal(iv.start):
			foldInto(&ivs[i-1], iv)
		}
	}
	out := make([]timePoint, 0, len(ivs))
	for _, iv := range ivs {
		if iv.folded {
			continue
		}
		mid := iv.start.Add(width / 2)
		if iv.agg.n > 0 && iv.covTo.After(iv.covFrom) {
			mid = iv.covFrom.Add(iv.covTo.Sub(iv.covFrom) / 2)
		}
		// The first interval may begin before the origin (buckets are
		// aligned to the clock): never draw left of the axis.
		p := timePoint{atS: max(mid.Sub(origin), 0).Seconds(), empty: iv.agg.n == 0}
		if iv.agg.n > 0 {
			covered := iv.covered
			if covered <= 0 {
				covered = width
			}
			p.okPerS = float64(iv.agg.ok) / covered.Seconds()
			p.meanMS = durMS(iv.agg.latSum / time.Duration(iv.agg.n))
			p.maxMS = durMS(iv.agg.latMax)
		}
		out = append(out, p)
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// phaseSpan returns the first and last send time of an attack, seconds from
// origin; ok is false when it sent nothing.
func (t *LoadTimeline) phaseSpan(name string, origin time.Time) (from, to float64, ok bool) {
	if t == nil {
		return 0, 0, false
	}
	ph, ok := t.phases[name]
	if !ok {
		return 0, 0, false
	}
	return ph.first.Sub(origin).Seconds(), ph.last.Sub(origin).Seconds(), true
}

// first returns the earliest send time; zero when empty.
func (t *LoadTimeline) first() time.Time {
	var f time.Time
	if t == nil {
		return f
	}
	for _, ph := range t.phases {
		if f.IsZero() || ph.first.Before(f) {
			f = ph.first
		}
	}
	return f
}

func durMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
