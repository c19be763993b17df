package iam

import (
	"testing"
	"time"
)

func TestFormatTimeIsTheLayout(t *testing.T) {
	zone := time.FixedZone("east", 5*3600+1800)
	for _, tm := range []time.Time{
		time.Date(2026, 11, 30, 16, 4, 5, 999999999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, zone),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(1e9, 0).In(zone),
	} {
		if got, want := FormatTime(tm), tm.UTC().Format(TimeLayout); got != want {
			t.Errorf("FormatTime(%v) = %q; want %q", tm, got, want)
		}
	}
	if FormatTime(time.Time{}) != "" {
		t.Error("the zero time is not empty")
	}
}

// TestFormatTimeRemembered: answers from the table of recent seconds are
// those of the layout, also for seconds that share a slot and in zones.
func TestFormatTimeRemembered(t *testing.T) {
	zone := time.FixedZone("west", -7*3600)
	base := time.Date(2026, 11, 30, 21, 0, 0, 0, time.UTC)
	for range 3 {
		for _, d := range []time.Duration{0, time.Second, 4096 * time.Second, 8192 * time.Second, 500 * time.Millisecond} {
			for _, tm := range []time.Time{base.Add(d), base.Add(d).In(zone)} {
				if got, want := FormatTime(tm), tm.UTC().Format(TimeLayout); got != want {
					t.Fatalf("FormatTime(%v) = %q; want %q", tm, got, want)
				}
			}
		}
	}
	sec := base.Unix() // the last rendered: base + 500 ms
	if f := formatted[uint64(sec)%uint64(len(formatted))].Load(); f == nil || f.sec != sec {
		t.Error("the last date rendered is not remembered")
	}
}
