//go:build unix

package sqlstore

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// BenchmarkBuildBatches: what a fold spends before SQL, per event, for a
// flood of one account's reads (ns/op is per event).
func BenchmarkBuildBatches(b *testing.B) {
	evs, _ := foldFlood(8192, time.Now())
	b.ResetTimer()
	for i := 0; i < b.N; i += len(evs) {
		if _, err := buildBatches(evs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFoldEvents: the whole fold of a flood into each backend, as
// the indexer does it (2400 events per fold: 200 ms of a 12k calls/s
// flood). ns/op is wall time per event; cpu-µs/event is this process's
// CPU per event, including the SQLite checkpoints of what the folds wrote
// (PostgreSQL's own processes are not counted).
func BenchmarkFoldEvents(b *testing.B) {
	const perFold = 2400
	for _, be := range benchBackends() {
		b.Run(be.name, func(b *testing.B) {
			s, _ := be.open(b)
			ctx := context.Background()
			start := time.Now().Add(-time.Hour)
			// One flood's events, re-timed for each fold: generating them
			// would cost more than folding them.
			evs, nonces := foldFlood(perFold, start)
			folds := 0
			fold := func() {
				at := start.Add(time.Duration(folds) * 200 * time.Millisecond)
				for i := range evs {
					evs[i].Time = at.Add(time.Duration(i) * 80 * time.Microsecond)
				}
				folds++
				if err := s.FoldEvents(ctx, "bench-log", store.LogCursor{Segment: 1, Offset: int64(folds)}, evs, nonces); err != nil {
					b.Fatal(err)
				}
			}
			fold() // the tables' first pages
			b.ResetTimer()
			cpu0 := cpuTime()
			for i := 0; i < b.N; i += perFold {
				fold()
			}
			b.ReportMetric(float64(cpuTime()-cpu0)/1e3/float64(b.N), "cpu-µs/event")
		})
	}
}

// cpuTime is the CPU (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
