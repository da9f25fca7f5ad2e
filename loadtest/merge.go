package loadtest

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// maxMergeResults bounds how many raw results RawResult decodes.
const maxMergeResults = 100_000_000

// ErrMismatch reports results that cannot be merged into one: different
// scenarios or targets, the same run twice, a result without the latency
// histogram merging needs.
var ErrMismatch = errors.New("loadtest: results cannot be merged")

// Input is one result to merge and the file it came from.
type Input struct {
	File   string
	Result *Result
}

// RawResult decodes the raw vegeta results of one run (its results.gob)
// into a Result with one phase per attack name, each with its latency
// histogram, named by worker. Its scenario is "raw" (the gob does not say),
// its target the scheme and host of the first result's URL. Each result
// also goes to onResult when it is not nil.
func RawResult(worker string, dec vegeta.Decoder, onResult func(*vegeta.Result)) (*Result, error) {
	type acc struct {
		m vegeta.Metrics
		h Histogram
	}
	byName := map[string]*acc{}
	var names []string
	res := &Result{Schema: SchemaVersion, Scenario: "raw", Worker: worker, Phases: []Phase{}}
	var first, last time.Time
	for n := 0; ; n++ {
		if n >= maxMergeResults {
			return nil, fmt.Errorf("loadtest: %s: more than %d results", worker, maxMergeResults)
		}
		var r vegeta.Result
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("loadtest: %s, result %d: %w", worker, n, err)
		}
		a, ok := byName[r.Attack]
		if !ok {
			a = &acc{}
			byName[r.Attack] = a
			names = append(names, r.Attack)
		}
		a.m.Add(&r)
		a.h.Record(r.Latency)
		if res.Target == "" {
			if u, err := url.Parse(r.URL); err == nil && u.Host != "" {
				res.Target = u.Scheme + "://" + u.Host
			}
		}
		if first.IsZero() || r.Timestamp.Before(first) {
			first = r.Timestamp
		}
		if end := r.End(); end.After(last) {
			last = end
		}
		if onResult != nil {
			onResult(&r)
		}
	}
	for _, name := range names {
		a := byName[name]
		a.m.Close()
		p := PhaseOf(name, &a.m)
		p.Latency = a.h.Seal()
		p.Legit = true
		res.Phases = append(res.Phases, p)
	}
	slices.SortFunc(res.Phases, func(a, b Phase) int { return a.FirstSend.Compare(b.FirstSend) })
	res.Started = first.UTC()
	res.ElapsedMS = ms(last.Sub(first))
	res.Verdict = res.Judge()
	return res, nil
}

// MergeResults merges the results of workers that ran the same scenario
// against the same target at the same time (a distributed run) into one:
// per phase name, requests, rates and throughputs are summed, success and
// mean are weighted by requests, percentiles come from the merged latency
// histograms (every sample, never averaged), max is the largest. The
// merged result lists each worker's phases (Workers). One input is
// returned as it is.
func MergeResults(ins []Input) (*Result, error) {
	if len(ins) == 0 {
		return nil, errors.New("loadtest: no results to merge")
	}
	for _, in := range ins {
		if in.Result.Schema > SchemaVersion {
			return nil, fmt.Errorf("loadtest: %s: schema %d is newer than this ferrox reads (%d)", in.File, in.Result.Schema, SchemaVersion)
		}
	}
	if len(ins) == 1 {
		return ins[0].Result, nil
	}
	a := ins[0]
	seen := map[string]string{}
	for _, in := range ins {
		r := in.Result
		switch {
		case len(r.Workers) > 0:
			return nil, fmt.Errorf("%w: %s is already a merged result of %d workers; merge their own files", ErrMismatch, in.File, len(r.Workers))
		case r.Scenario != a.Result.Scenario:
			return nil, fmt.Errorf("%w: %s ran scenario %q, %s ran %q", ErrMismatch, in.File, r.Scenario, a.File, a.Result.Scenario)
		case r.Target != a.Result.Target:
			return nil, fmt.Errorf("%w: %s loaded %s, %s loaded %s", ErrMismatch, in.File, r.Target, a.File, a.Result.Target)
		}
		key := workerName(in) + "\x00" + r.Started.String()
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("%w: %s and %s are the same run (worker %q started %s)", ErrMismatch, prev, in.File, workerName(in), r.Started.Format(time.RFC3339Nano))
		}
		seen[key] = in.File
		for _, p := range r.Phases {
			if p.Requests > 0 && p.Latency == nil {
				return nil, fmt.Errorf("%w: %s (schema %d) has no latency histogram in phase %q, so its percentiles cannot be merged; re-run with this ferrox, or merge the runs' results.gob files", ErrMismatch, in.File, r.Schema, p.Name)
			}
			if p.Latency != nil {
				if err := p.Latency.Check(); err != nil {
					return nil, fmt.Errorf("loadtest: %s, phase %q: %w", in.File, p.Name, err)
				}
			}
		}
	}

	out := &Result{
		Schema: SchemaVersion, Scenario: a.Result.Scenario, Target: a.Result.Target,
		Config: a.Result.Config, P99BoundMS: a.Result.P99BoundMS, Phases: []Phase{}, StartAt: a.Result.StartAt,
	}
	out.Config.Rate, out.Config.Connections, out.Config.SlowConns = 0, 0, 0
	var end time.Time
	var firstSends []time.Time
	var names []string
	byName := map[string][]Phase{}
	for _, in := range ins {
		r := in.Result
		if out.Started.IsZero() || r.Started.Before(out.Started) {
			out.Started = r.Started
		}
		if e := r.Started.Add(time.Duration(r.ElapsedMS * float64(time.Millisecond))); e.After(end) {
			end = e
		}
		if !r.StartAt.Equal(out.StartAt) {
			out.StartAt = time.Time{}
		}
		out.Config.Rate += r.Config.Rate
		out.Config.Connections += r.Config.Connections
		out.Config.SlowConns += r.Config.SlowConns
		out.StoppedEarly = out.StoppedEarly || r.StoppedEarly
		out.SlowCapped = out.SlowCapped || r.SlowCapped
		if r.Config.DurationMS != a.Result.Config.DurationMS || !slices.Equal(r.Config.Paths, a.Result.Config.Paths) || r.Config.Method != a.Result.Config.Method || !slices.Equal(r.Config.Headers, a.Result.Config.Headers) {
			out.Notes = append(out.Notes, fmt.Sprintf("%s ran with other settings than %s (duration, paths, method or headers)", workerName(in), workerName(a)))
		}
		for _, n := range r.Notes {
			out.Notes = append(out.Notes, workerName(in)+": "+n)
		}
		w := WorkerRun{Worker: workerName(in), File: in.File, Started: r.Started, StartAt: r.StartAt,
			ElapsedMS: r.ElapsedMS, Verdict: r.Judge()}
		for _, p := range r.Phases {
			if _, ok := byName[p.Name]; !ok {
				names = append(names, p.Name)
			}
			byName[p.Name] = append(byName[p.Name], p)
			p.Latency = nil
			w.Phases = append(w.Phases, p)
		}
		for _, p := range r.Phases {
			if !p.FirstSend.IsZero() {
				firstSends = append(firstSends, p.FirstSend)
				break
			}
		}
		out.Workers = append(out.Workers, w)
	}
	out.ElapsedMS = ms(end.Sub(out.Started))
	if len(firstSends) > 1 {
		out.StartSkewMS = ms(slices.MaxFunc(firstSends, time.Time.Compare).Sub(slices.MinFunc(firstSends, time.Time.Compare)))
	}
	for _, name := range names {
		ps := byName[name]
		if len(ps) < len(ins) {
			out.Notes = append(out.Notes, fmt.Sprintf("phase %s ran on %d of %d workers", name, len(ps), len(ins)))
		}
		out.Phases = append(out.Phases, mergePhases(name, ps, &out.Notes))
	}
	switch out.Scenario {
	case "ramp":
		for _, p := range out.Phases {
			if p.Requests == 0 || p.Success < 1 || p.P99MS > out.P99BoundMS {
				break
			}
			from := 0
			for _, q := range byName[p.Name] {
				if n, err := strconv.Atoi(strings.TrimPrefix(q.Name, "ramp-")); err == nil {
					from += n
				}
			}
			out.MaxOKRate = float64(from)
		}
	case "slowloris", "slowbody":
		var base, att float64
		for _, p := range out.Phases {
			switch p.Name {
			case "baseline":
				base = p.Throughput
			case "attack":
				att = p.Throughput
			}
		}
		if base > 0 {
			out.ThroughputRatio = att / base
		}
	}
	out.Verdict = out.Judge()
	return out, nil
}

// workerName is the worker of an input, its file name when the run did
// not record one.
func workerName(in Input) string {
	if in.Result.Worker != "" {
		return in.Result.Worker
	}
	return in.File
}

// mergePhases merges the phases of one name from several workers.
func mergePhases(name string, ps []Phase, notes *[]string) Phase {
	out := Phase{Name: name, StatusCodes: map[string]int{}, Errors: []string{}, Latency: &Histogram{}}
	var okSum, meanSum float64
	var lastFirst, firstLast time.Time
	errSeen := map[string]bool{}
	for i, p := range ps {
		out.Requests += p.Requests
		okSum += p.Success * float64(p.Requests)
		out.Rate += p.Rate
		out.Throughput += p.Throughput
		out.MaxMS = max(out.MaxMS, p.MaxMS)
		out.Legit = out.Legit || p.Legit
		for k, v := range p.StatusCodes {
			out.StatusCodes[k] += v
		}
		for _, e := range p.Errors {
			if !errSeen[e] {
				errSeen[e] = true
				out.Errors = append(out.Errors, e)
			}
		}
		if p.Latency != nil {
			meanSum += p.MeanMS * float64(p.Latency.Count)
			out.Latency.Merge(p.Latency)
		}
		if !p.FirstSend.IsZero() {
			if out.FirstSend.IsZero() || p.FirstSend.Before(out.FirstSend) {
				out.FirstSend = p.FirstSend
			}
			if p.LastSend.After(out.LastSend) {
				out.LastSend = p.LastSend
			}
			if i == 0 || p.FirstSend.After(lastFirst) {
				lastFirst = p.FirstSend
			}
			if i == 0 || p.LastSend.Before(firstLast) {
				firstLast = p.LastSend
			}
		}
		out.SlowStats = mergeSlow(out.SlowStats, p.SlowStats)
		out.IdleStats = mergeIdle(out.IdleStats, p.IdleStats)
	}
	slices.Sort(out.Errors)
	if len(out.Errors) > maxErrors {
		out.Errors = append(out.Errors[:maxErrors], "…")
	}
	if out.Requests > 0 {
		out.Success = okSum / float64(out.Requests)
	}
	h := out.Latency.Seal()
	if h.Count > 0 {
		out.MeanMS = meanSum / float64(h.Count)
		out.P50MS, out.P90MS, out.P95MS, out.P99MS = h.Quantile(0.5), h.Quantile(0.9), h.Quantile(0.95), h.Quantile(0.99)
	}
	if w := firstLast.Sub(lastFirst); w > 0 && !lastFirst.IsZero() {
		out.CommonWindowMS = ms(w)
	}
	if out.SlowStats != nil && len(ps) > 1 {
		*notes = append(*notes, fmt.Sprintf("%s: slow connections held at once is the sum of each worker's maximum (an upper bound); lifetime median and the open-over-time series are per worker", name))
	}
	return out
}

// mergeSlow adds b's slow-connection counts into a (nil when both are).
func mergeSlow(a, b *SlowStats) *SlowStats {
	if b == nil {
		return a
	}
	if a == nil {
		a = &SlowStats{}
	}
	a.SlowConnsTarget += b.SlowConnsTarget
	a.SlowConnsMaxOpen += b.SlowConnsMaxOpen
	a.SlowConnects += b.SlowConnects
	a.SlowDialErrors += b.SlowDialErrors
	a.SlowLifetimeMaxMS = max(a.SlowLifetimeMaxMS, b.SlowLifetimeMaxMS)
	a.SlowCut408 += b.SlowCut408
	a.SlowCutOtherStatus += b.SlowCutOtherStatus
	a.SlowCutClose += b.SlowCutClose
	a.SlowCutReset += b.SlowCutReset
	a.SlowRefused += b.SlowRefused
	a.SlowAliveAtEnd += b.SlowAliveAtEnd
	a.SlowNeverHeld += b.SlowNeverHeld
	a.SlowSourcesUsed += b.SlowSourcesUsed
	a.SlowMaxOpenPerSource = max(a.SlowMaxOpenPerSource, b.SlowMaxOpenPerSource)
	return a
}

// mergeIdle adds b's idle counts into a (nil when both are); the target's
// RSS is per worker's view and is left out.
func mergeIdle(a, b *IdleStats) *IdleStats {
	if b == nil {
		return a
	}
	if a == nil {
		a = &IdleStats{HoldMS: b.HoldMS}
	}
	a.IdleConns += b.IdleConns
	a.Held += b.Held
	return a
}
