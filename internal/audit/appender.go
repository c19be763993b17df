package audit

import (
	"context"
	"errors"
	"sort"
	"sync"

	"github.com/canopy-iam/canopy/internal/store"
)

// Appender group-commits the events of calls that wrote nothing else, with
// the nonces those calls used: while one batch commits, the next one
// gathers, so one fsync covers many calls. Submit blocks until its batch is
// durable, so an answered call is always on record and its nonce can never
// be replayed, not even after kill -9.
type Appender struct {
	st      store.EventLog
	mu      sync.Mutex
	pending []*item
	wake    chan struct{}
	done    chan struct{}
	closed  bool
	wg      sync.WaitGroup
}

type item struct {
	nonce  *store.Nonce
	event  store.Event
	result chan result
}

type result struct {
	fresh bool
	err   error
}

// maxBatch bounds one transaction so a burst cannot build a huge statement.
const maxBatch = 256

// ErrClosed is returned by Submit after Close.
var ErrClosed = errors.New("audit: appender closed")

// NewAppender starts the committing goroutine.
func NewAppender(st store.EventLog) *Appender {
	a := &Appender{st: st, wake: make(chan struct{}, 1), done: make(chan struct{})}
	a.wg.Add(1)
	go a.run()
	return a
}

// Submit appends ev (and records nonce when not nil) and waits until both
// are committed. fresh is false when the nonce had been used before: then
// ev was NOT stored, because the call is a replay.
func (a *Appender) Submit(ctx context.Context, nonce *store.Nonce, ev store.Event) (fresh bool, err error) {
	it := &item{nonce: nonce, event: ev, result: make(chan result, 1)}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return false, ErrClosed
	}
	a.pending = append(a.pending, it)
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
	select {
	case r := <-it.result:
		return r.fresh, r.err
	case <-ctx.Done():
		// The item stays queued and will still be written.
		return false, ctx.Err()
	}
}

func (a *Appender) run() {
	defer a.wg.Done()
	for {
		a.mu.Lock()
		batch := a.pending
		if len(batch) > maxBatch {
			batch, a.pending = batch[:maxBatch], batch[maxBatch:]
		} else {
			a.pending = nil
		}
		closed := a.closed
		a.mu.Unlock()
		if len(batch) > 0 {
			a.commit(batch)
			continue
		}
		if closed {
			return
		}
		select {
		case <-a.wake:
		case <-a.done:
		}
	}
}

func (a *Appender) commit(batch []*item) {
	results, err := a.append(batch)
	if err != nil && len(batch) > 1 {
		// One bad item must not fail the calls it happened to share a
		// batch with: retry each on its own.
		for _, it := range batch {
			r, err := a.append([]*item{it})
			if err != nil {
				r = []result{{err: err}}
			}
			it.result <- r[0]
		}
		return
	}
	for i, it := range batch {
		if err != nil {
			it.result <- result{err: err}
			continue
		}
		it.result <- results[i]
	}
}

// append stores one batch; results follow the (reordered) batch.
func (a *Appender) append(batch []*item) ([]result, error) {
	// Calls with a nonce go first: the store pairs events[i] with
	// nonces[i] and drops the event of a replayed call.
	sort.SliceStable(batch, func(i, j int) bool { return batch[i].nonce != nil && batch[j].nonce == nil })
	var nonces []store.Nonce
	events := make([]store.Event, len(batch))
	for i, it := range batch {
		events[i] = it.event
		if it.nonce != nil {
			nonces = append(nonces, *it.nonce)
		}
	}
	fresh, err := a.st.AppendEvents(context.Background(), nonces, events)
	if err != nil {
		return nil, err
	}
	out := make([]result, len(batch))
	for i, it := range batch {
		out[i] = result{fresh: it.nonce == nil || fresh[i]}
	}
	return out, nil
}

// Close writes what is queued and stops.
func (a *Appender) Close() {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	a.closed = true
	a.mu.Unlock()
	close(a.done)
	a.wg.Wait()
}
