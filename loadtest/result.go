package loadtest

import (
	"slices"
	"sort"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// SchemaVersion is the version of the JSON document described in SCHEMA.md.
// Version 2 added the worker name, the synchronised start, each phase's
// send window and latency histogram, and the workers of a merged result;
// version 1 files still decode (they can be re-rendered, not merged).
const SchemaVersion = 2

// maxErrors bounds the distinct error strings kept per phase.
const maxErrors = 20

// Result is the outcome of one scenario run, encoded as JSON with the schema
// of SCHEMA.md.
type Result struct {
	Schema   int       `json:"schema"`
	Scenario string    `json:"scenario"`
	Target   string    `json:"target"`
	Started  time.Time `json:"started"`
	// Worker names the load generator that ran this (--worker, an
	// Indexed Job's completion index, or the host name); empty in a
	// merged result.
	Worker string `json:"worker,omitempty"`
	// StartAt is the synchronised start the run waited for (--start-at);
	// zero when it started at once.
	StartAt time.Time `json:"start_at,omitzero"`
	// ElapsedMS is the wall time of the whole scenario.
	ElapsedMS float64  `json:"elapsed_ms"`
	Config    Settings `json:"config"`
	Phases    []Phase  `json:"phases"`
	// ThroughputRatio is attack/baseline throughput (slowloris, slowbody).
	ThroughputRatio float64 `json:"throughput_ratio,omitempty"`
	// MaxOKRate is the highest ramp step rate with 100% success and p99
	// under P99BoundMS (ramp); 0 when no step passed.
	MaxOKRate  float64 `json:"max_ok_rate,omitempty"`
	P99BoundMS float64 `json:"p99_bound_ms,omitempty"`
	// SlowCapped is set when the server refused or closed most slow
	// connections before they were held (a connection limit, often per
	// address): the run measured that limit, not the server's resistance,
	// and does not pass (verdict INCONCLUSIVE).
	SlowCapped bool `json:"slow_capped,omitempty"`
	// Verdict is PASS, FAIL, INCONCLUSIVE (slow connections capped) or
	// STOPPED (stopped early); see Judge.
	Verdict string `json:"verdict"`
	// StoppedEarly is set when the run was cancelled or hit MaxDuration
	// before its phases completed; such a run does not pass.
	StoppedEarly bool `json:"stopped_early"`
	// Notes are human-readable remarks (caps applied, phases cut short).
	Notes []string `json:"notes,omitempty"`
	// Workers are the runs a merged result was made of (MergeResults),
	// with their phases without histograms; empty for a single run.
	Workers []WorkerRun `json:"workers,omitempty"`
	// StartSkewMS is, in a merged result, the spread of the workers'
	// first sends (latest minus earliest): how well the start was
	// synchronised.
	StartSkewMS float64 `json:"start_skew_ms,omitempty"`
}

// WorkerRun is one worker's part of a merged result.
type WorkerRun struct {
	Worker    string    `json:"worker"`
	File      string    `json:"file,omitempty"`
	Started   time.Time `json:"started"`
	StartAt   time.Time `json:"start_at,omitzero"`
	ElapsedMS float64   `json:"elapsed_ms"`
	Verdict   string    `json:"verdict"`
	Phases    []Phase   `json:"phases"`
}

// Settings echoes the effective configuration.
type Settings struct {
	Rate           int      `json:"rate"`
	ClosedLoop     bool     `json:"closed_loop"`
	DurationMS     float64  `json:"duration_ms"`
	Connections    int      `json:"connections"`
	SlowConns      int      `json:"slow_conns"`
	SlowIntervalMS float64  `json:"slow_interval_ms"`
	SlowSources    int      `json:"slow_sources"`
	SlowSameSource bool     `json:"slow_same_source"`
	Paths          []string `json:"paths"`
	// Method of the requests built from the target URL and paths.
	Method string `json:"method,omitempty"`
	// Headers are Config.Header's fields as "Name: value", sorted by
	// name (with Targets, the defaults of every target): what was asked
	// for, e.g. Accept-Encoding, is part of what a run measured. Values
	// that may be credentials read "(redacted)".
	Headers []string `json:"headers,omitempty"`
	// Targets are the requests of a targets file, "METHOD URL" (at most
	// 100 listed); paths then do not apply to legitimate traffic.
	Targets []string `json:"targets,omitempty"`
}

// Phase is the measured legitimate traffic of one phase, and for slow and
// idle scenarios the state of the slow/idle connections during it.
type Phase struct {
	Name        string         `json:"name"`
	Requests    uint64         `json:"requests"`
	Success     float64        `json:"success"`
	Rate        float64        `json:"rate"`
	Throughput  float64        `json:"throughput"`
	P50MS       float64        `json:"p50_ms"`
	P90MS       float64        `json:"p90_ms"`
	P95MS       float64        `json:"p95_ms"`
	P99MS       float64        `json:"p99_ms"`
	MeanMS      float64        `json:"mean_ms"`
	MaxMS       float64        `json:"max_ms"`
	StatusCodes map[string]int `json:"status_codes"`
	Errors      []string       `json:"errors"`
	// Legit marks phases whose success must be 100% for the run to pass.
	Legit bool `json:"legit"`
	// FirstSend and LastSend are when the phase sent its first and last
	// request (zero for phases without paced traffic, and in schema 1).
	FirstSend time.Time `json:"first_send,omitzero"`
	LastSend  time.Time `json:"last_send,omitzero"`
	// CommonWindowMS is, in a merged result, how long every worker was
	// sending at once (the latest first send to the earliest last send).
	CommonWindowMS float64 `json:"common_window_ms,omitempty"`
	// Latency counts every latency of the phase, so that runs merge
	// exactly (schema 2; absent in schema 1 files and idle-less phases).
	Latency *Histogram `json:"latency_histogram,omitempty"`
	*SlowStats
	*IdleStats
}

// SlowStats describes the slow connections of a slowloris or slowbody
// attack phase. Lifetimes run from connect to the server's cut; connections
// still open when the attack ends count with their age then (censored).
// A connection counts as held open (SlowConnsMaxOpen) once the server has
// kept it through the first interval and taken the first trickled byte.
// Connections the server answered before we trickled anything (e.g. a 503
// over its connection limit) count as refused and give no lifetime sample.
type SlowStats struct {
	SlowConnsTarget      int     `json:"slow_conns_target"`
	SlowConnsMaxOpen     int     `json:"slow_conns_max_open"`
	SlowConnects         int     `json:"slow_connects"`
	SlowDialErrors       int     `json:"slow_dial_errors"`
	SlowLifetimeMedianMS float64 `json:"slow_lifetime_median_ms"`
	SlowLifetimeMaxMS    float64 `json:"slow_lifetime_max_ms"`
	SlowCut408           int     `json:"slow_cut_408"`
	SlowCutOtherStatus   int     `json:"slow_cut_other_status"`
	SlowCutClose         int     `json:"slow_cut_close"`
	SlowCutReset         int     `json:"slow_cut_reset"`
	SlowRefused          int     `json:"slow_refused"`
	SlowAliveAtEnd       int     `json:"slow_alive_at_end"`
	// SlowNeverHeld counts connections that ended before they were held
	// open (refused up front included): what a connection limit does.
	SlowNeverHeld int `json:"slow_never_held"`
	// SlowSourcesUsed is how many source addresses the connections came
	// from; SlowMaxOpenPerSource the most held open at once from one.
	SlowSourcesUsed      int `json:"slow_sources_used"`
	SlowMaxOpenPerSource int `json:"slow_max_open_per_source"`
	// SlowOpenSeries is the number of slow connections held open over
	// time: at most one point per 100 ms (the count at the end of it) and
	// at most maxOpenSamples points, each a change of the count.
	SlowOpenSeries []OpenSample `json:"slow_open_series,omitempty"`
}

// OpenSample is the count of slow connections held open at AtMS
// milliseconds after the run started.
type OpenSample struct {
	AtMS float64 `json:"at_ms"`
	Open int     `json:"open"`
}

// IdleStats describes the idle scenario.
type IdleStats struct {
	IdleConns     int     `json:"idle_conns"`
	Held          int     `json:"held"`
	HoldMS        float64 `json:"hold_ms"`
	RSSKiBBefore  int64   `json:"rss_kib_before"`
	RSSKiBAfter   int64   `json:"rss_kib_after"`
	RSSKiBPerConn float64 `json:"rss_kib_per_conn"`
}

// Passed reports whether the run completed, was not capped, and every
// legitimate phase had 100% success. Ramp runs pass when at least one step
// stayed within bounds.
func (r *Result) Passed() bool {
	if r.StoppedEarly || r.SlowCapped {
		return false
	}
	if r.Scenario == "ramp" {
		return r.MaxOKRate > 0
	}
	for _, p := range r.Phases {
		if p.Legit && (p.Requests == 0 || p.Success < 1) {
			return false
		}
	}
	return true
}

// Judge returns the verdict: STOPPED when the run was stopped early,
// FAIL when legitimate traffic failed, INCONCLUSIVE when it passed but the
// server capped the slow connections, else PASS.
func (r *Result) Judge() string {
	switch {
	case r.StoppedEarly:
		return "STOPPED"
	case r.SlowCapped:
		c := *r
		c.SlowCapped = false
		if !c.Passed() {
			return "FAIL"
		}
		return "INCONCLUSIVE"
	case r.Passed():
		return "PASS"
	default:
		return "FAIL"
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// PhaseOf turns closed vegeta metrics into a Phase.
func PhaseOf(name string, m *vegeta.Metrics) Phase {
	p := Phase{
		Name:        name,
		Requests:    m.Requests,
		Success:     m.Success,
		Rate:        m.Rate,
		Throughput:  m.Throughput,
		P50MS:       ms(m.Latencies.P50),
		P90MS:       ms(m.Latencies.P90),
		P95MS:       ms(m.Latencies.P95),
		P99MS:       ms(m.Latencies.P99),
		MeanMS:      ms(m.Latencies.Mean),
		MaxMS:       ms(m.Latencies.Max),
		StatusCodes: map[string]int{},
		Errors:      []string{},
		FirstSend:   m.Earliest,
		LastSend:    m.Latest,
	}
	for k, v := range m.StatusCodes {
		p.StatusCodes[k] = v
	}
	errs := slices.Clone(m.Errors)
	sort.Strings(errs)
	if len(errs) > maxErrors {
		errs = append(errs[:maxErrors], "…")
	}
	if errs != nil {
		p.Errors = errs
	}
	return p
}

// median of a slice of durations (sorted in place); 0 when empty.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}
