package wire

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// AppendHTTPDate writes what time.Time.AppendFormat writes with the
// IMF-fixdate layout, for any instant in any zone, years past the four
// digits included.
func TestAppendHTTPDateIsAppendFormat(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("east", 14*3600), time.FixedZone("west", -12*3600-30*60)}
	rapid.Check(t, func(t *rapid.T) {
		var sec int64
		switch rapid.IntRange(0, 2).Draw(t, "range") {
		case 0: // around now
			sec = rapid.Int64Range(0, 1<<33).Draw(t, "sec")
		case 1: // any year the format holds, and past it on both sides
			sec = rapid.Int64Range(-62167219200-1e9, 253402300799+1e9).Draw(t, "sec")
		default:
			sec = rapid.Int64().Draw(t, "sec") >> 2
		}
		ts := time.Unix(sec, rapid.Int64Range(0, 999999999).Draw(t, "nsec")).In(zones[rapid.IntRange(0, len(zones)-1).Draw(t, "zone")])
		prefix := []byte("Date: ")
		got := string(AppendHTTPDate(prefix, ts))
		want := string(ts.UTC().AppendFormat(prefix, imfFixdate))
		if got != want {
			t.Fatalf("%v: got %q, want %q", ts, got, want)
		}
	})
	// The edges of the four digits, past them, and a leap day.
	for _, ts := range []time.Time{
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 12, 34, 56, 0, time.UTC),
		time.Unix(0, 0),
	} {
		if got, want := string(AppendHTTPDate(nil, ts)), ts.UTC().AppendFormat(nil, imfFixdate); got != string(want) {
			t.Errorf("%v: got %q, want %q", ts, got, want)
		}
	}
}

func BenchmarkAppendHTTPDate(b *testing.B) {
	ts := time.Date(2026, 12, 6, 7, 8, 9, 0, time.UTC)
	buf := make([]byte, 0, 64)
	b.Run("AppendHTTPDate", func(b *testing.B) {
		for b.Loop() {
			buf = AppendHTTPDate(buf[:0], ts)
		}
	})
	b.Run("AppendFormat", func(b *testing.B) {
		for b.Loop() {
			buf = ts.UTC().AppendFormat(buf[:0], imfFixdate)
		}
	})
}
