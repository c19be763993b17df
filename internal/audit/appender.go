package audit

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/canopy-iam/canopy/internal/seglog"
	"github.com/canopy-iam/canopy/internal/store"
)

// Appender records the events of calls that wrote nothing else, with the
// nonces those calls used, in this node's segment log: while one group is
// written, the next gathers, and one write plus one fdatasync covers the
// whole group. Submit returns once its group is durable, so an answered
// call is on record and its nonce can never be replayed here, not even
// after kill -9 (a restarted node folds its log, then reloads the nonces).
//
// A background indexer folds the log into the store (store.EventLog) every
// FoldInterval: LookupEvents on any node sees an event within that delay
// plus the fold itself; on this node Recent shows it at once.
//
// With a store shared by several nodes (PostgreSQL), each group's nonces
// are also claimed in the store first (GuardNonces), so a request replayed
// on another node is refused there.
type Appender struct {
	st  store.EventLog
	log *seglog.Log
	cfg AppenderConfig

	mu      sync.Mutex
	pending []*item
	wake    chan struct{}
	closed  bool
	done    chan struct{} // closed by Close: the committer drains and stops
	idxDone chan struct{} // closed once the committer stopped: final fold
	runWG   sync.WaitGroup
	idxWG   sync.WaitGroup
	tailMu  sync.Mutex
	unfold  []written // durable, not yet folded, oldest first
	folded  []written // folded by the last fold (kept for lookups in flight)
	foldReq chan chan error
	// groupBytes bounds one group's write (maxGroupBytes, or half a
	// segment if that is less).
	groupBytes int
	// shared: the store is shared by several nodes, so nonces are
	// claimed in it (see guard).
	shared bool
}

// AppenderConfig tunes an Appender; zero values take the defaults.
type AppenderConfig struct {
	// FoldInterval is how often the log is folded into the store (200 ms):
	// the delay before other nodes' LookupEvents see an event.
	FoldInterval time.Duration
	// FoldEvents folds early once this many events wait (8192).
	FoldEvents int
	Log        *slog.Logger
}

// VisibilityDelay is the documented bound on how long an event of one
// node takes to show in LookupEvents on every node: the fold interval, the
// fold itself, and margin for a loaded machine.
const VisibilityDelay = time.Second

type item struct {
	nonce  *store.Nonce
	event  store.Event
	rec    []byte
	result chan result
}

type result struct {
	fresh bool
	err   error
}

// written is one durable group, in the order of the log.
type written struct {
	events      []store.Event
	nonces      []store.Nonce
	end         seglog.Pos
	first, last time.Time // the group's time range, so Recent skips groups
}

func (w *written) add(e store.Event) {
	if len(w.events) == 0 || e.Time.Before(w.first) {
		w.first = e.Time
	}
	if len(w.events) == 0 || e.Time.After(w.last) {
		w.last = e.Time
	}
	w.events = append(w.events, e)
}

// Group bounds: one write of at most maxGroupBytes (far below a segment),
// and at most maxBatch calls.
const (
	maxBatch      = 4096
	maxGroupBytes = 4 << 20
)

// ErrClosed is returned by Submit after Close.
var ErrClosed = errors.New("audit: appender closed")

// OpenAppender folds whatever log has that the store lacks (the tail a
// crash or a stop left), then starts the committer and the indexer. The
// Appender owns log from then on (Close closes it).
func OpenAppender(ctx context.Context, st store.EventLog, log *seglog.Log, cfg AppenderConfig) (*Appender, error) {
	if cfg.FoldInterval <= 0 {
		cfg.FoldInterval = 200 * time.Millisecond
	}
	if cfg.FoldEvents <= 0 {
		cfg.FoldEvents = 8192
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	a := &Appender{st: st, log: log, cfg: cfg, wake: make(chan struct{}, 1), done: make(chan struct{}),
		idxDone: make(chan struct{}), foldReq: make(chan chan error),
		groupBytes: int(min(maxGroupBytes, log.SegmentSize()/2))}
	if err := a.recover(ctx); err != nil {
		log.Close()
		return nil, err
	}
	claims, err := st.GuardNonces(ctx, nil) // nil: nodes do not share the store
	if err != nil {
		log.Close()
		return nil, err
	}
	a.shared = claims != nil
	a.runWG.Add(1)
	go a.run()
	a.idxWG.Add(1)
	go a.indexer()
	return a, nil
}

// recover folds the records after the store's cursor for this log.
func (a *Appender) recover(ctx context.Context) error {
	from, err := a.st.FoldCursor(ctx, a.log.ID())
	if err != nil {
		return err
	}
	var w written
	flush := func() error {
		if len(w.events) == 0 && len(w.nonces) == 0 {
			return nil
		}
		err := a.st.FoldEvents(ctx, a.log.ID(), store.LogCursor(w.end), w.events, w.nonces)
		w = written{}
		return err
	}
	err = a.log.ReadFrom(seglog.Pos(from), func(payload []byte, next seglog.Pos) error {
		ev, nonce, err := decodeRecord(payload)
		if err != nil {
			// A record that passed its checksum but does not decode was
			// written by a newer or broken build: keep it out of the
			// trail, but say so.
			a.cfg.Log.Error("audit log: undecodable record skipped", "log", a.log.Dir(), "at", next, "err", err)
		} else {
			w.events = append(w.events, ev)
			if nonce != nil {
				w.nonces = append(w.nonces, *nonce)
			}
		}
		w.end = next
		if len(w.events) >= a.cfg.FoldEvents {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("audit: fold the tail of %s: %w", a.log.Dir(), err)
	}
	return a.log.Release(a.log.End())
}

// Submit appends ev (and nonce when not nil) and waits until both are
// durable, whatever becomes of the caller's context meanwhile. fresh is false when another node claimed the nonce first: then
// ev was NOT stored, because the call is a replay.
func (a *Appender) Submit(_ context.Context, nonce *store.Nonce, ev store.Event) (fresh bool, err error) {
	it := itemPool.Get().(*item)
	it.nonce, it.event = nonce, ev
	// Sized once: growing the buffer field by field copied the ~650-byte
	// record several times (7% of a GetCallerIdentity's CPU).
	it.rec = encodeRecord(slices.Grow(it.rec[:0], recordSize(&it.event, nonce)), &it.event, nonce)
	if len(it.rec) > seglog.MaxRecord || int64(len(it.rec))+64 > a.log.SegmentSize() {
		n := len(it.rec)
		it.recycle()
		return false, fmt.Errorf("audit: event of %d bytes is too large to record", n)
	}
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		it.recycle()
		return false, ErrClosed
	}
	a.pending = append(a.pending, it)
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
	// No select on ctx: the committer answers every item it was given,
	// within one group commit, also on Close, so a caller that went away
	// waits at most that long; selecting cost each call a wake-up channel
	// for its request's context and a select (over 1 µs of CPU).
	r := <-it.result
	it.recycle()
	return r.fresh, r.err
}

// itemPool reuses the items of answered calls with their channel and
// record buffer: one item's allocations were a sixth of Submit.
var itemPool = sync.Pool{New: func() any { return &item{result: make(chan result, 1)} }}

// recycle returns an item whose result was received (or never sent): no
// one else refers to it any more. The committer never touches an item
// again after sending its result.
func (it *item) recycle() {
	it.nonce, it.event = nil, store.Event{}
	if cap(it.rec) > 64<<10 {
		it.rec = nil // a rare large record: do not keep its buffer
	}
	itemPool.Put(it)
}

func (a *Appender) run() {
	defer a.runWG.Done()
	commit := a.commit
	if a.shared {
		// Two stages: while one group is written and synced, the next one
		// claims its nonces in the store, so a call waits for the larger
		// of the two, not their sum.
		claimed := make(chan claimedGroup)
		var writer sync.WaitGroup
		writer.Go(func() {
			for g := range claimed {
				a.write(g.batch, g.fresh, g.err)
			}
		})
		defer writer.Wait()
		defer close(claimed)
		commit = func(batch []*item) {
			fresh, err := a.claim(batch)
			claimed <- claimedGroup{batch, fresh, err}
		}
	}
	for {
		a.mu.Lock()
		n, size := 0, 0
		for n < len(a.pending) && n < maxBatch && (n == 0 || size+len(a.pending[n].rec) <= a.groupBytes) {
			size += len(a.pending[n].rec) + 8
			n++
		}
		batch := a.pending[:n:n]
		a.pending = a.pending[n:]
		if len(a.pending) == 0 {
			a.pending = nil
		}
		closed := a.closed
		a.mu.Unlock()
		if len(batch) > 0 {
			commit(batch)
			// Let the callers that are runnable reach Submit before the
			// next group is cut: on a busy machine groups grow, and each
			// fdatasync is shared by more calls; an idle one loses nothing.
			runtime.Gosched()
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

type claimedGroup struct {
	batch []*item
	fresh []bool
	err   error
}

// commit makes one group durable and answers its callers.
func (a *Appender) commit(batch []*item) {
	fresh, err := a.claim(batch)
	a.write(batch, fresh, err)
}

// claim reports which calls of batch may be recorded: all, unless the
// store is shared and another claim of a nonce came first.
func (a *Appender) claim(batch []*item) ([]bool, error) {
	fresh := make([]bool, len(batch))
	for i := range fresh {
		fresh[i] = true
	}
	return fresh, a.guard(batch, fresh)
}

// write appends the fresh calls of batch to the log and answers them all.
func (a *Appender) write(batch []*item, fresh []bool, err error) {
	if err != nil {
		for _, it := range batch {
			it.result <- result{err: err}
		}
		return
	}
	recs := make([][]byte, 0, len(batch))
	w := written{events: make([]store.Event, 0, len(batch)), nonces: make([]store.Nonce, 0, len(batch))}
	for i, it := range batch {
		if !fresh[i] {
			continue // a replay: the caller records its refusal instead
		}
		recs = append(recs, it.rec)
		w.add(it.event)
		if it.nonce != nil {
			w.nonces = append(w.nonces, *it.nonce)
		}
	}
	if len(recs) > 0 {
		w.end, err = a.log.Append(recs)
		err = diskFull(err)
	}
	if err == nil && len(recs) > 0 {
		a.tailMu.Lock()
		a.unfold = append(a.unfold, w)
		waiting := 0
		for _, g := range a.unfold {
			waiting += len(g.events)
		}
		a.tailMu.Unlock()
		if waiting >= a.cfg.FoldEvents {
			a.kickFold()
		}
	}
	for i, it := range batch {
		it.result <- result{fresh: fresh[i], err: err}
	}
}

// diskFull marks a log write that failed for want of space (no next
// segment, a full quota) as store.ErrStorageFull: the caller answers the
// retryable 503 that names storage, as for a full database, not a 500.
func diskFull(err error) error {
	if err != nil && (errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)) && !errors.Is(err, store.ErrStorageFull) {
		return fmt.Errorf("%w: %w", store.ErrStorageFull, err)
	}
	return err
}

// guard claims the batch's nonces among the nodes sharing the store (a
// no-op for a store only one node uses).
func (a *Appender) guard(batch []*item, fresh []bool) error {
	if !a.shared {
		return nil
	}
	var nonces []store.Nonce
	var idx []int
	for i, it := range batch {
		if it.nonce != nil {
			nonces = append(nonces, *it.nonce)
			idx = append(idx, i)
		}
	}
	if len(nonces) == 0 {
		return nil
	}
	claimed, err := a.st.GuardNonces(context.Background(), nonces)
	if err != nil || claimed == nil {
		return err
	}
	for j, i := range idx {
		fresh[i] = claimed[j]
	}
	return nil
}

func (a *Appender) kickFold() {
	select {
	case a.foldReq <- nil:
	default:
	}
}

// indexer folds the log into the store every FoldInterval (sooner when
// many events wait), and once more on Close.
func (a *Appender) indexer() {
	defer a.idxWG.Done()
	t := time.NewTicker(a.cfg.FoldInterval)
	defer t.Stop()
	backoff := time.Duration(0)
	for {
		var reply chan error
		select {
		case <-t.C:
		case reply = <-a.foldReq:
		case <-a.idxDone:
			a.foldAll()
			return
		}
		err := a.fold()
		if reply != nil {
			reply <- err
		}
		if err != nil {
			// The events stay in the log and in memory; try again later.
			a.cfg.Log.Warn("audit: folding the segment log into the store failed", "err", err)
			backoff = min(max(2*backoff, a.cfg.FoldInterval), 10*time.Second)
			select {
			case <-time.After(backoff):
			case <-a.idxDone:
				a.foldAll()
				return
			}
			continue
		}
		backoff = 0
	}
}

// fold stores what is durable and not yet folded, in one transaction.
func (a *Appender) fold() error {
	a.tailMu.Lock()
	groups := a.unfold
	a.tailMu.Unlock()
	if len(groups) == 0 {
		a.tailMu.Lock()
		a.folded = nil // nothing in flight can still need them
		a.tailMu.Unlock()
		return nil
	}
	nEvents, nNonces := 0, 0
	for _, g := range groups {
		nEvents += len(g.events)
		nNonces += len(g.nonces)
	}
	events := make([]store.Event, 0, nEvents)
	nonces := make([]store.Nonce, 0, nNonces)
	for _, g := range groups {
		events = append(events, g.events...)
		nonces = append(nonces, g.nonces...)
	}
	end := groups[len(groups)-1].end
	if err := a.st.FoldEvents(context.Background(), a.log.ID(), store.LogCursor(end), events, nonces); err != nil {
		return err
	}
	a.tailMu.Lock()
	a.unfold = a.unfold[len(groups):]
	// Kept one more fold: a lookup whose snapshot predates this fold finds
	// them here.
	a.folded = groups
	a.tailMu.Unlock()
	return a.log.Release(end)
}

// foldAll folds until nothing waits (Close).
func (a *Appender) foldAll() {
	for i := 0; i < 3; i++ {
		if err := a.fold(); err != nil {
			a.cfg.Log.Error("audit: final fold failed; the log keeps the events for the next start", "err", err)
			continue
		}
		return
	}
}

// Flush folds everything durable so far and returns when the store has it
// (tests, and a node about to stop).
func (a *Appender) Flush() error {
	reply := make(chan error, 1)
	select {
	case a.foldReq <- reply:
		return <-reply
	case <-a.idxDone:
		return ErrClosed
	}
}

// Recent returns this node's events that may not be in the store's
// snapshot yet (not folded, or folded by the last fold), that pass f: the
// first f.Limit of them in f's order.
func (a *Appender) Recent(f store.EventFilter) []store.Event {
	limit := f.Limit
	if limit <= 0 {
		limit = int(^uint(0) >> 1)
	}
	before := eventOrder(f.Newest)
	var out []store.Event
	a.tailMu.Lock()
	defer a.tailMu.Unlock()
	groups := make([]*written, 0, len(a.folded)+len(a.unfold))
	for _, gs := range [2][]written{a.folded, a.unfold} {
		for i := range gs {
			groups = append(groups, &gs[i])
		}
	}
	if f.Newest { // groups come roughly in time order: the best first
		slices.Reverse(groups)
	}
	for _, g := range groups {
		if !f.Start.IsZero() && g.last.Before(f.Start) || !f.End.IsZero() && g.first.After(f.End) {
			continue
		}
		if len(out) == limit && (f.Newest && g.last.Before(out[limit-1].Time) || !f.Newest && g.first.After(out[limit-1].Time)) {
			continue // nothing in it can make the page
		}
		for i := range g.events {
			e := &g.events[i]
			if !f.Matches(e) || len(out) == limit && before(*e, out[limit-1]) >= 0 {
				continue
			}
			at, _ := slices.BinarySearchFunc(out, *e, before)
			if len(out) == limit {
				out = out[:limit-1]
			}
			out = slices.Insert(out, at, *e)
		}
	}
	return out
}

// eventOrder sorts the event to show first first: newest or oldest, ties
// by id (the store's order).
func eventOrder(newest bool) func(a, b store.Event) int {
	return func(a, b store.Event) int {
		c := a.Time.Compare(b.Time)
		if c == 0 {
			c = strings.Compare(a.ID, b.ID)
		}
		if newest {
			return -c
		}
		return c
	}
}

// Close writes and folds what is queued, and stops.
func (a *Appender) Close() {
	a.mu.Lock()
	if a.closed {
		a.mu.Unlock()
		return
	}
	a.closed = true
	a.mu.Unlock()
	close(a.done)
	a.runWG.Wait()
	close(a.idxDone)
	a.idxWG.Wait()
	if err := a.log.Close(); err != nil {
		a.cfg.Log.Warn("audit: closing the segment log", "err", err)
	}
}

// Record layout in the segment log: one flag byte (1: a nonce follows the
// event), the event, then the nonce.
func encodeRecord(buf []byte, ev *store.Event, nonce *store.Nonce) []byte {
	flag := byte(0)
	if nonce != nil {
		flag = 1
	}
	buf = store.AppendEvent(append(buf, flag), ev)
	if nonce != nil {
		buf = store.AppendNonce(buf, nonce)
	}
	return buf
}

// recordSize bounds the encoded size of a record.
func recordSize(ev *store.Event, nonce *store.Nonce) int {
	n := 1 + store.EventSize(ev)
	if nonce != nil {
		n += 3*binary.MaxVarintLen64 + len(nonce.AccessKeyID) + len(nonce.Value)
	}
	return n
}

func decodeRecord(b []byte) (store.Event, *store.Nonce, error) {
	if len(b) == 0 || b[0] > 1 {
		return store.Event{}, nil, store.ErrCorrupt
	}
	ev, rest, err := store.ReadEvent(b[1:])
	if err != nil {
		return ev, nil, err
	}
	// The record buffer is the caller's: keep a copy of the data.
	ev.Data = slices.Clone(ev.Data)
	if b[0] == 0 {
		return ev, nil, nil
	}
	n, _, err := store.ReadNonce(rest)
	if err != nil {
		return ev, nil, err
	}
	return ev, &n, nil
}
