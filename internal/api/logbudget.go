package api

import (
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// unattributedLines is how many lines per minute the requests that named
// no known identity may write to the log.
const unattributedLines = 60

// lineBudget lets unattributedLines log lines through per minute and counts
// the rest, so the next line that gets through can say how many it skipped.
type lineBudget struct {
	mu      sync.Mutex
	window  time.Time
	used    int
	skipped int
}

// take reports whether a line may be written now and, if so, how many were
// skipped since the last one.
func (b *lineBudget) take(now time.Time) (skipped int, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.Sub(b.window) >= time.Minute {
		b.window, b.used = now, 0
	}
	if b.used >= unattributedLines {
		b.skipped++
		return 0, false
	}
	b.used++
	skipped, b.skipped = b.skipped, 0
	return skipped, true
}

// outage logs a full store once when calls start failing for it, and once
// when they succeed again, instead of once per refused call.
type outage struct{ down atomic.Bool }

func (o *outage) begin(log *slog.Logger, inv *Invocation, cause error) {
	if o.down.CompareAndSwap(false, true) {
		log.Error("storage is full: calls that must write are refused with 503 ServiceUnavailable until space is freed",
			"requestId", inv.RequestID, "action", inv.Action, "cause", cause)
	}
}

// end is on every successful call's path: one atomic load when all is well.
func (o *outage) end(log *slog.Logger) {
	if o.down.Load() && o.down.CompareAndSwap(true, false) {
		log.Warn("storage accepts writes again")
	}
}
