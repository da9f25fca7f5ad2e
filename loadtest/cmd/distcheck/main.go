// Command distcheck verifies a merged distributed load report against the
// workers' own files: the merged request count is the sum of the workers',
// the merged rate the sum of their rates, and every merged percentile is,
// within the histogram's resolution, the percentile of all raw samples
// pooled from the workers' results.gob (not an average of the workers'
// percentiles, which it prints beside for contrast).
//
//	go run ./loadtest/cmd/distcheck MERGED.json WORKERDIR...
//
// Exit 0 when every check holds, 1 when one fails, 2 on bad input.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/ferrox/ferrox/loadtest"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) < 2 {
		fmt.Fprintln(stderr, "usage: distcheck MERGED.json WORKERDIR...")
		return 2
	}
	var merged loadtest.Result
	if err := readJSON(args[0], &merged); err != nil {
		fmt.Fprintf(stderr, "distcheck: %v\n", err)
		return 2
	}
	var (
		sumReq  uint64
		sumRate float64
		pooled  []time.Duration
		avg     [4]float64
	)
	qs := [4]float64{0.5, 0.9, 0.95, 0.99}
	for _, dir := range args[1:] {
		var w loadtest.Result
		if err := readJSON(filepath.Join(dir, "load.json"), &w); err != nil {
			fmt.Fprintf(stderr, "distcheck: %v\n", err)
			return 2
		}
		if len(w.Phases) != 1 {
			fmt.Fprintf(stderr, "distcheck: %s: %d phases; want one (keepalive or close)\n", dir, len(w.Phases))
			return 2
		}
		p := w.Phases[0]
		sumReq += p.Requests
		sumRate += p.Rate
		for i, v := range []float64{p.P50MS, p.P90MS, p.P95MS, p.P99MS} {
			avg[i] += v / float64(len(args)-1)
		}
		n, err := readGob(filepath.Join(dir, "results.gob"), &pooled)
		if err != nil {
			fmt.Fprintf(stderr, "distcheck: %v\n", err)
			return 2
		}
		if uint64(n) != p.Requests {
			fmt.Fprintf(stdout, "FAIL %s: results.gob holds %d results, load.json says %d requests\n", dir, n, p.Requests)
			return 1
		}
	}
	slices.Sort(pooled)
	mp := merged.Phases[0]
	ok := true
	check := func(name string, good bool, format string, a ...any) {
		verdict := "ok  "
		if !good {
			verdict, ok = "FAIL", false
		}
		fmt.Fprintf(stdout, "%s %-28s "+format+"\n", append([]any{verdict, name}, a...)...)
	}
	check("requests = sum", mp.Requests == sumReq && uint64(len(pooled)) == sumReq,
		"merged %d, sum of workers %d, pooled samples %d", mp.Requests, sumReq, len(pooled))
	check("rate = sum of rates", math.Abs(mp.Rate-sumRate) <= 1e-9*sumRate,
		"merged %.3f/s, sum of workers %.3f/s", mp.Rate, sumRate)
	for i, got := range []float64{mp.P50MS, mp.P90MS, mp.P95MS, mp.P99MS} {
		exact := nearestRank(pooled, qs[i])
		// Half a bucket (1/256) plus the 1 µs of the recorded resolution.
		good := math.Abs(got-exact) <= exact/256+0.001
		check(fmt.Sprintf("p%g from all samples", qs[i]*100), good,
			"merged %.3f ms, exact over pooled samples %.3f ms (averaging the workers' would give %.3f ms)", got, exact, avg[i])
	}
	if !ok {
		return 1
	}
	return 0
}

// nearestRank is the q-quantile of sorted samples by the nearest-rank
// definition, in milliseconds.
func nearestRank(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	r := int(math.Ceil(q*float64(len(sorted)))) - 1
	r = min(max(r, 0), len(sorted)-1)
	return float64(sorted[r].Microseconds()) / 1000
}

func readJSON(p string, v any) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

// readGob appends the latencies of a results.gob to lat and returns how
// many results it holds.
func readGob(p string, lat *[]time.Duration) (int, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	dec := vegeta.NewDecoder(f)
	for n := 0; ; n++ {
		var r vegeta.Result
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("%s: %w", p, err)
		}
		*lat = append(*lat, r.Latency)
	}
}
