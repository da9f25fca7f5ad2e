package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/ferrox/ferrox/loadtest"
	"github.com/tsenart/vegeta/v12/lib/plot"
)

// LoadText renders a load result for a terminal: the settings, one row per
// phase, the slow-connection or idle figures, errors and a verdict.
func LoadText(res *loadtest.Result) Reporter {
	return func(w0 io.Writer) error {
		w := newStickyWriter(w0)
		c := res.Config
		w.printf("ferrox load: %s against %s (started %s, %.1f s)\n", res.Scenario, res.Target,
			formatTime(res.Started), res.ElapsedMS/1000)
		if res.Scenario != "merged" {
			pace := strconv.Itoa(c.Rate) + "/s"
			if c.ClosedLoop {
				pace = "closed loop"
			}
			reqs := "paths " + strings.Join(c.Paths, " ")
			switch {
			case len(c.Targets) > 0:
				reqs = "targets " + strings.Join(c.Targets, ", ")
			case c.Method != "" && c.Method != "GET":
				reqs = "method " + c.Method + ", " + reqs
			}
			if len(c.Headers) > 0 {
				reqs += ", headers " + strings.Join(c.Headers, "; ")
			}
			if len(res.Workers) > 0 {
				pace += " (sum of the workers)"
			}
			w.printf("config: rate %s, duration %s ms, connections %d, %s%s\n",
				pace, loadNum(c.DurationMS), c.Connections, slowKnobs(res.Scenario, c), reqs)
		}
		w.str("\n")
		w.printf("%-14s %9s %8s %9s %9s %9s %9s %9s %9s %9s %9s  %s\n",
			"phase", "requests", "success", "rate/s", "thrpt/s", "mean ms", "p50 ms", "p90 ms", "p95 ms", "p99 ms", "max ms", "status codes")
		for _, p := range res.Phases {
			w.printf("%-14s %9d %7.2f%% %9.1f %9.1f %9s %9s %9s %9s %9s %9s  %s\n",
				p.Name, p.Requests, p.Success*100, p.Rate, p.Throughput, loadNum(p.MeanMS),
				loadNum(p.P50MS), loadNum(p.P90MS), loadNum(p.P95MS), loadNum(p.P99MS), loadNum(p.MaxMS), loadCodes(p.StatusCodes))
		}
		if len(res.Workers) > 0 {
			w.printf("\nper worker (%d workers; first sends %s ms apart", len(res.Workers), loadNum(res.StartSkewMS))
			if !res.StartAt.IsZero() {
				w.printf("; --start-at %s", formatTime(res.StartAt))
			}
			w.str("):\n")
			w.printf("%-14s %-12s %9s %9s %8s %9s %9s %9s %9s %9s %9s %9s  %s\n",
				"worker", "phase", "start +ms", "requests", "success", "rate/s", "thrpt/s", "mean ms", "p50 ms", "p95 ms", "p99 ms", "max ms", "verdict")
			first := firstSend(res)
			for _, wr := range res.Workers {
				for _, p := range wr.Phases {
					w.printf("%-14s %-12s %9s %9d %7.2f%% %9.1f %9.1f %9s %9s %9s %9s %9s  %s\n",
						wr.Worker, p.Name, startOffset(first, p), p.Requests, p.Success*100, p.Rate, p.Throughput,
						loadNum(p.MeanMS), loadNum(p.P50MS), loadNum(p.P95MS), loadNum(p.P99MS), loadNum(p.MaxMS), wr.Verdict)
				}
			}
			for _, p := range res.Phases {
				if p.CommonWindowMS > 0 {
					w.printf("%s: every worker sending at once for %s ms; merged rate = sum of the workers' rates, percentiles over all %d samples\n",
						p.Name, loadNum(p.CommonWindowMS), histCount(p))
				}
			}
		}
		for _, p := range res.Phases {
			if s := p.SlowStats; s != nil {
				w.printf("\nslow connections (%s): target %d, max open at once %d, connects %d, dial errors %d\n",
					p.Name, s.SlowConnsTarget, s.SlowConnsMaxOpen, s.SlowConnects, s.SlowDialErrors)
				w.printf("  lifetime: median %s ms, max %s ms\n", loadNum(s.SlowLifetimeMedianMS), loadNum(s.SlowLifetimeMaxMS))
				w.printf("  ended by: 408 %d, other status %d, close %d, reset %d; refused up front %d; alive at end %d\n",
					s.SlowCut408, s.SlowCutOtherStatus, s.SlowCutClose, s.SlowCutReset, s.SlowRefused, s.SlowAliveAtEnd)
				w.printf("  never held open (refused or closed first): %d; from %d source address(es), at most %d open from one\n",
					s.SlowNeverHeld, s.SlowSourcesUsed, s.SlowMaxOpenPerSource)
			}
			if s := p.IdleStats; s != nil {
				w.printf("\nidle connections: %d opened, %d still held after %s ms\n", s.IdleConns, s.Held, loadNum(s.HoldMS))
				if s.RSSKiBAfter > 0 {
					w.printf("  target RSS: %d KiB before, %d KiB after, %.1f KiB per connection\n",
						s.RSSKiBBefore, s.RSSKiBAfter, s.RSSKiBPerConn)
				}
			}
		}
		if res.ThroughputRatio > 0 {
			w.printf("\nthroughput attack/baseline: %.3f\n", res.ThroughputRatio)
		}
		if res.Scenario == "ramp" {
			w.printf("\nhighest rate with 100%% success and p99 <= %s ms: %.0f/s\n", loadNum(res.P99BoundMS), res.MaxOKRate)
		}
		for _, p := range res.Phases {
			if len(p.Errors) > 0 {
				w.printf("\nerrors (%s):\n", p.Name)
				for _, e := range p.Errors {
					w.printf("  %s\n", e)
				}
			}
		}
		for _, n := range res.Notes {
			if rest, ok := strings.CutPrefix(n, "CAPPED: "); ok {
				w.printf("\n*** WARNING: %s ***\n", rest)
				continue
			}
			w.printf("note: %s\n", n)
		}
		w.printf("\nverdict: %s\n", res.Judge())
		return w.close()
	}
}

// LoadJSON renders a load result as the JSON document of
// loadtest/SCHEMA.md.
func LoadJSON(res *loadtest.Result) Reporter {
	return func(w0 io.Writer) error {
		w := newStickyWriter(w0)
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			if w.err != nil {
				return w.err
			}
			return fmt.Errorf("reports: encode load json: %w", err)
		}
		return w.close()
	}
}

// NewLoadPlot returns a vegeta latency plot for the raw results of a run;
// feed it with Add and render it with LoadPlot. Series are downsampled so
// the page stays small.
func NewLoadPlot(title string) *plot.Plot {
	return plot.New(plot.Title(title), plot.Downsample(4000))
}

// LoadPlot renders a fed plot as one self-contained HTML page (vegeta's
// uPlot time series of latencies, one series per attack and outcome).
func LoadPlot(p *plot.Plot) Reporter {
	return func(w0 io.Writer) error {
		w := newStickyWriter(w0)
		p.Close()
		if _, err := p.WriteTo(w); err != nil {
			if w.err != nil {
				return w.err
			}
			return fmt.Errorf("reports: load plot: %w", err)
		}
		return w.close()
	}
}

// slowKnobs lists the slow-connection settings of the config line, each
// followed by ", ": only for the scenarios that use them (slowloris and
// slowbody send on their slow connections every interval, idle only holds
// them open); empty for the others, whose defaults would be noise.
func slowKnobs(scenario string, c loadtest.Settings) string {
	switch scenario {
	case "slowloris", "slowbody":
		return fmt.Sprintf("slow conns %d, slow interval %s ms, ", c.SlowConns, loadNum(c.SlowIntervalMS))
	case "idle":
		return fmt.Sprintf("slow conns %d, ", c.SlowConns)
	}
	return ""
}

// histCount is the number of latency samples of a phase.
func histCount(p loadtest.Phase) uint64 {
	if p.Latency == nil {
		return 0
	}
	return p.Latency.Count
}

// loadNum prints milliseconds with three decimals.
func loadNum(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }

// loadCodes prints a status-code histogram in code order: "200:10 0:2".
func loadCodes(m map[string]int) string {
	codes := make([]string, 0, len(m))
	for k := range m {
		codes = append(codes, k)
	}
	slices.SortFunc(codes, naturalCompare)
	parts := make([]string, len(codes))
	for i, k := range codes {
		parts[i] = k + ":" + strconv.Itoa(m[k])
	}
	return strings.Join(parts, " ")
}
