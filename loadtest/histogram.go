package loadtest

import (
	"cmp"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"time"
)

// histSubBits is the number of sub-buckets per power of two, as a bit
// count: every bucket is at most 1/128 of its values wide, so a quantile
// read from the histogram (the middle of its bucket) is within 0.4 % of the
// sample it stands for.
const histSubBits = 7

// maxHistBuckets bounds the buckets a decoded histogram may hold: every
// microsecond value up to 2^63 fits in fewer.
const maxHistBuckets = (64 - histSubBits + 1) << histSubBits

// Histogram counts latencies in microseconds in log-linear buckets (the
// layout of HdrHistogram: values under 2^histSubBits exactly, then
// 2^histSubBits buckets per power of two). Histograms of several runs add up
// exactly (Merge), so percentiles of merged runs are computed over all their
// samples, never averaged. Its size is bounded (at most a few thousand
// buckets whatever the run's length); JSON keeps only the non-empty ones.
// The zero value is empty and ready to use.
type Histogram struct {
	// SubBucketBits is histSubBits; a decoded histogram with another
	// value is refused.
	SubBucketBits int `json:"sub_bucket_bits"`
	// Count is the number of samples; Buckets add up to it.
	Count uint64 `json:"count"`
	// MinUS and MaxUS are the smallest and largest sample, SumUS their sum.
	MinUS uint64 `json:"min_us"`
	MaxUS uint64 `json:"max_us"`
	SumUS uint64 `json:"sum_us"`
	// Buckets are [index, count] pairs of the non-empty buckets, in index
	// order.
	Buckets [][2]uint64 `json:"buckets"`
	counts  map[uint64]uint64
}

// histIndex is the bucket of v microseconds.
func histIndex(v uint64) uint64 {
	if v < 1<<histSubBits {
		return v
	}
	e := uint64(bits.Len64(v) - 1 - histSubBits)
	return (e+1)<<histSubBits + v>>e - 1<<histSubBits
}

// histBounds is the lowest value of bucket i and its width.
func histBounds(i uint64) (lo, width uint64) {
	if i < 2<<histSubBits {
		return i, 1
	}
	e := i>>histSubBits - 1
	m := i&(1<<histSubBits-1) + 1<<histSubBits
	return m << e, 1 << e
}

// Record adds one latency (negative counts as zero).
func (h *Histogram) Record(d time.Duration) {
	v := uint64(max(d.Microseconds(), 0))
	h.load()
	h.counts[histIndex(v)]++
	if h.Count == 0 || v < h.MinUS {
		h.MinUS = v
	}
	h.MaxUS = max(h.MaxUS, v)
	h.Count++
	h.SumUS += v
	h.Buckets = nil
}

// load turns Buckets into the counts map once.
func (h *Histogram) load() {
	if h.counts != nil {
		return
	}
	h.SubBucketBits = histSubBits
	h.counts = make(map[uint64]uint64, len(h.Buckets))
	for _, b := range h.Buckets {
		h.counts[b[0]] += b[1]
	}
}

// Merge adds o's samples to h.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil || o.Count == 0 {
		return
	}
	h.load()
	o.load()
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.Count == 0 || o.MinUS < h.MinUS {
		h.MinUS = o.MinUS
	}
	h.MaxUS = max(h.MaxUS, o.MaxUS)
	h.Count += o.Count
	h.SumUS += o.SumUS
	h.Buckets = nil
}

// Seal fills Buckets from the counts for encoding; Record and Merge unseal.
func (h *Histogram) Seal() *Histogram {
	h.load()
	if h.Buckets != nil {
		return h
	}
	h.Buckets = make([][2]uint64, 0, len(h.counts))
	for i, c := range h.counts {
		if c > 0 {
			h.Buckets = append(h.Buckets, [2]uint64{i, c})
		}
	}
	slices.SortFunc(h.Buckets, func(a, b [2]uint64) int { return cmp.Compare(a[0], b[0]) })
	return h
}

// Check validates a decoded histogram: the layout, bucket indices in
// range and in order, counts that add up, min ≤ max.
func (h *Histogram) Check() error {
	if h.SubBucketBits != histSubBits {
		return fmt.Errorf("latency histogram: sub_bucket_bits %d, want %d", h.SubBucketBits, histSubBits)
	}
	var n uint64
	for k, b := range h.Buckets {
		if b[0] >= maxHistBuckets {
			return fmt.Errorf("latency histogram: bucket index %d out of range", b[0])
		}
		if k > 0 && b[0] <= h.Buckets[k-1][0] {
			return errors.New("latency histogram: bucket indices not increasing")
		}
		n += b[1]
	}
	if n != h.Count {
		return fmt.Errorf("latency histogram: buckets hold %d samples, count says %d", n, h.Count)
	}
	if h.Count > 0 && h.MinUS > h.MaxUS {
		return errors.New("latency histogram: min above max")
	}
	return nil
}

// Quantile returns the latency at quantile q in [0, 1] in milliseconds: the
// middle of the bucket holding the sample of rank ceil(q·Count) (at least
// 1), clamped to [min, max]; 0 when empty.
func (h *Histogram) Quantile(q float64) float64 {
	if h == nil || h.Count == 0 {
		return 0
	}
	h.Seal()
	rank := uint64(q * float64(h.Count))
	if float64(rank) < q*float64(h.Count) {
		rank++
	}
	rank = min(max(rank, 1), h.Count)
	var cum uint64
	for _, b := range h.Buckets {
		cum += b[1]
		if cum >= rank {
			lo, w := histBounds(b[0])
			v := min(max(lo+(w-1)/2, h.MinUS), h.MaxUS)
			return float64(v) / 1000
		}
	}
	return float64(h.MaxUS) / 1000
}

// MeanMS is the mean latency in milliseconds; 0 when empty.
func (h *Histogram) MeanMS() float64 {
	if h == nil || h.Count == 0 {
		return 0
	}
	return float64(h.SumUS) / float64(h.Count) / 1000
}
