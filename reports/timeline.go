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
	// phases holds the first and last send time of each attack name.
	phases map[string][2]time.Time
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

// NewLoadTimeline returns an empty timeline.
func NewLoadTimeline() *LoadTimeline {
	return &LoadTimeline{width: timelineBucket, buckets: map[int64]*tlBucket{}, phases: map[string][2]time.Time{}}
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
	ph, seen := t.phases[r.Attack]
	if !seen || r.Timestamp.Before(ph[0]) {
		ph[0] = r.Timestamp
	}
	if !seen || r.Timestamp.After(ph[1]) {
		ph[1] = r.Timestamp
	}
	t.phases[r.Attack] = ph
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
// its successes by the time its sends covered (the span from first to last
// send, widened by one mean gap, at most the interval), so an interval a
// phase starts or ends in is not read as a dip.
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
	var out []timePoint
	for start := lo; start <= hi; start += merge {
		var agg tlBucket
		for k := start; k < start+merge; k++ {
			if b := t.buckets[k]; b != nil {
				agg.merge(b)
			}
		}
		// The first interval may begin before the origin (buckets are
		// aligned to the clock): draw it at the origin, not left of the axis.
		at := max(time.Unix(0, start*int64(t.width)).Sub(origin)+width/2, 0)
		p := timePoint{atS: at.Seconds(), empty: agg.n == 0}
		if agg.n > 0 {
			covered := width
			if agg.n > 1 {
				span := agg.last.Sub(agg.first)
				covered = min(width, span+span/time.Duration(agg.n-1))
			}
			if covered <= 0 {
				covered = width
			}
			p.okPerS = float64(agg.ok) / covered.Seconds()
			p.meanMS = durMS(agg.latSum / time.Duration(agg.n))
			p.maxMS = durMS(agg.latMax)
		}
		out = append(out, p)
	}
	return out
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
	return ph[0].Sub(origin).Seconds(), ph[1].Sub(origin).Seconds(), true
}

// first returns the earliest send time; zero when empty.
func (t *LoadTimeline) first() time.Time {
	var f time.Time
	if t == nil {
		return f
	}
	for _, ph := range t.phases {
		if f.IsZero() || ph[0].Before(f) {
			f = ph[0]
		}
	}
	return f
}

func durMS(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
