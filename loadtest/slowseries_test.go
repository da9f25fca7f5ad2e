package loadtest

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestSlowOpenSeries checks that the start point stays, that hold changes
// within one 100 ms bucket fold into one point carrying the count at its
// end, and that a zero t0 turns the series off.
func TestSlowOpenSeries(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	e := &slowEngine{openBySrc: make([]int, 1)}
	e.startSeries(t0, t0)
	steps := []struct {
		at time.Duration
		d  int
	}{
		{10 * time.Millisecond, 1}, {20 * time.Millisecond, 1},
		{150 * time.Millisecond, 1}, {160 * time.Millisecond, -1}, {1 * time.Second, -2},
	}
	for _, s := range steps {
		e.open += s.d
		e.sampleLocked(t0.Add(s.at))
	}
	want := []OpenSample{{AtMS: 0, Open: 0}, {AtMS: 10, Open: 2}, {AtMS: 150, Open: 2}, {AtMS: 1000, Open: 0}}
	if diff := cmp.Diff(want, e.stats.SlowOpenSeries); diff != "" {
		t.Errorf("SlowOpenSeries (-want +got):\n%s", diff)
	}
	off := &slowEngine{openBySrc: make([]int, 1)}
	off.sampleLocked(t0)
	if off.stats.SlowOpenSeries != nil {
		t.Errorf("series with zero t0 = %v; want nil", off.stats.SlowOpenSeries)
	}
}
