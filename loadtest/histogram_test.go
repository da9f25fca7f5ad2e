package loadtest

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestHistIndexBounds(t *testing.T) {
	// Every value lies in the bucket its index names, buckets tile the
	// line without gaps, and a bucket is at most 1/128 of its values wide.
	var next uint64
	for i := uint64(0); i < 40<<histSubBits; i++ {
		lo, w := histBounds(i)
		if lo != next {
			t.Fatalf("histBounds(%d) = [%d, +%d); want it to start at %d", i, lo, w, next)
		}
		for _, v := range []uint64{lo, lo + w - 1} {
			if got := histIndex(v); got != i {
				t.Fatalf("histIndex(%d) = %d; want %d", v, got, i)
			}
		}
		if lo >= 1<<histSubBits && w*(1<<histSubBits) > lo {
			t.Fatalf("bucket %d = [%d, +%d) wider than 1/128 of %d", i, lo, w, lo)
		}
		next = lo + w
	}
}

func TestHistogramQuantiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var a, b Histogram
	var all []uint64
	for i := range 20000 {
		v := uint64(rng.ExpFloat64() * 3000) // µs
		if i%4 == 0 {
			v += 200000
		}
		all = append(all, v)
		if i%3 == 0 {
			a.Record(time.Duration(v) * time.Microsecond)
		} else {
			b.Record(time.Duration(v) * time.Microsecond)
		}
	}
	// Through JSON, as merging reads result files.
	var a2, b2 Histogram
	for _, c := range []struct{ from, to *Histogram }{{&a, &a2}, {&b, &b2}} {
		j, err := json.Marshal(c.from.Seal())
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(j, c.to); err != nil {
			t.Fatal(err)
		}
		if err := c.to.Check(); err != nil {
			t.Fatalf("Check after a JSON round trip: %v", err)
		}
	}
	var m Histogram
	m.Merge(&a2)
	m.Merge(&b2)
	slices.Sort(all)
	for _, q := range []float64{0.01, 0.5, 0.74, 0.75, 0.9, 0.95, 0.99, 1} {
		rank := int(q*float64(len(all))+0.999999) - 1
		exact := float64(all[max(rank, 0)]) / 1000
		got := m.Quantile(q)
		if d := got - exact; d > exact/200+0.001 || d < -exact/200-0.001 {
			t.Errorf("Quantile(%v) = %v ms; want %v ms within 0.5%%", q, got, exact)
		}
	}
	if m.Count != uint64(len(all)) || m.MaxUS != all[len(all)-1] || m.MinUS != all[0] {
		t.Errorf("merged count/min/max = %d/%d/%d; want %d/%d/%d", m.Count, m.MinUS, m.MaxUS, len(all), all[0], all[len(all)-1])
	}
}

func TestHistogramCheck(t *testing.T) {
	cases := []struct {
		id string
		h  Histogram
	}{
		{"layout", Histogram{SubBucketBits: 5}},
		{"count", Histogram{SubBucketBits: histSubBits, Count: 3, Buckets: [][2]uint64{{1, 2}}}},
		{"order", Histogram{SubBucketBits: histSubBits, Count: 2, Buckets: [][2]uint64{{5, 1}, {1, 1}}}},
		{"range", Histogram{SubBucketBits: histSubBits, Count: 1, Buckets: [][2]uint64{{maxHistBuckets, 1}}}},
		{"min-max", Histogram{SubBucketBits: histSubBits, Count: 1, MinUS: 9, MaxUS: 1, Buckets: [][2]uint64{{1, 1}}}},
	}
	for _, c := range cases {
		t.Run(c.id, func(t *testing.T) {
			if err := c.h.Check(); err == nil {
				t.Errorf("Check(%+v) = nil; want an error", c.h)
			}
		})
	}
}
