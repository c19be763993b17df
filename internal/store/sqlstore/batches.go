package sqlstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/canopy-iam/canopy/internal/store"
)

// Reading folded events back (see fold.go for how they are stored).

// lookupBatches pages through the folded events: it walks the postings of
// the filter in the requested order and stops as soon as no later posting
// can hold an event that beats the f.Limit found so far.
func (r eventRepo) lookupBatches(f store.EventFilter) ([]store.Event, error) {
	attr, value := f.Attribute, f.Value
	switch attr {
	case "":
		value = ""
	case "EventId":
		value = idBucket(f.Value)
	default:
		if _, ok := eventColumn[attr]; !ok {
			return nil, fmt.Errorf("sqlstore: unknown event attribute %q", attr)
		}
	}
	limit := pageLimit(f.Limit)
	lo, hi, err := eventWindow(f)
	if err != nil || lo > hi {
		return nil, err
	}
	var q string
	var from, to int64
	if f.Newest {
		q, from, to = sqlPostingsNewest, lo, satAdd(hi, batchSpan)
	} else {
		q, from, to = sqlPostingsOldest, satAdd(lo, -batchSpan), hi
	}
	// Postings come in pages, each read whole before its batches are: a
	// connection runs one statement at a time (pgx).
	var found []store.Event
	better := eventOrder(f.Newest)
	curEdge, curID := to, int64(math.MaxInt64)
	bound := from
	if !f.Newest {
		curEdge, curID, bound = from, math.MinInt64, to
	}
	for {
		var page []postingRef
		err := r.t.queryAll(q, []any{f.AccountID, attr, value, bound, curEdge, curID, int64(postingPage)}, func(rows rowsIter) error {
			var p postingRef
			if err := rows.Scan(&p.batch, &p.minNs, &p.maxNs, &p.positions); err != nil {
				return err
			}
			page = append(page, p)
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			// Every later posting's events are at or before maxNs (newest
			// first) / at or after minNs (oldest first).
			edge := p.maxNs
			if !f.Newest {
				edge = p.minNs
			}
			if len(found) >= limit {
				worst := found[limit-1].Time.UnixNano()
				if f.Newest && worst > edge || !f.Newest && worst < edge {
					return found, nil
				}
			}
			if f.Newest && p.minNs > hi || !f.Newest && p.maxNs < lo {
				continue // straddles nothing of the window
			}
			evs, err := r.t.s.pick(r.t, p.batch, p.positions, f, lo, hi)
			if errors.Is(err, errUnreadableBatch) {
				evs = unreadableBatch(p, f, lo, hi)
			} else if err != nil {
				return nil, err
			}
			found = append(found, evs...)
			slices.SortFunc(found, better)
			// Once each: a segment folded twice (its log's ID file lost,
			// a restored copy) stores its events in two batches.
			found = slices.CompactFunc(found, sameEvent)
			if len(found) > limit {
				found = found[:limit]
			}
		}
		if len(page) < postingPage {
			return found, nil
		}
		last := page[len(page)-1]
		curID = last.batch
		if curEdge = last.maxNs; !f.Newest {
			curEdge = last.minNs
		}
	}
}

// errUnreadableBatch: a batch's blob (or its postings) cannot be decoded:
// damaged on disk or by hand.
var errUnreadableBatch = errors.New("unreadable event batch")

// unreadableBatch stands for a batch that cannot be read: one event with
// no record at the batch's edge within the window (the audit layer shows
// it as recordUnreadable), so that a lookup lists the damage instead of
// failing every page over the batch's time range. Once a page's cursor
// has passed it, it is listed no more.
func unreadableBatch(p postingRef, f store.EventFilter, lo, hi int64) []store.Event {
	ns := p.maxNs
	if !f.Newest {
		ns = p.minNs
	}
	e := store.Event{ID: fmt.Sprintf("unreadable-batch-%d", p.batch), AccountID: f.AccountID,
		Time: time.Unix(0, min(max(ns, lo), hi)).UTC()}
	g := f
	g.Attribute = "" // the batch's posting matched the attribute
	if !g.Matches(&e) {
		return nil
	}
	return []store.Event{e}
}

type postingRef struct {
	batch        int64
	minNs, maxNs int64
	positions    []byte
}

const postingPage = 32

// pageLimit is f.Limit as a slice bound (<= 0: no limit).
func pageLimit(limit int) int {
	if limit <= 0 {
		return math.MaxInt
	}
	return limit
}

func satAdd(a, b int64) int64 {
	if b > 0 && a > math.MaxInt64-b {
		return math.MaxInt64
	}
	if b < 0 && a < math.MinInt64-b {
		return math.MinInt64
	}
	return a + b
}

// eventWindow is the inclusive time range of f, narrowed by its cursor.
func eventWindow(f store.EventFilter) (lo, hi int64, err error) {
	lo, hi = math.MinInt64, math.MaxInt64
	if !f.Start.IsZero() {
		if lo, err = toNanos("start", f.Start); err != nil {
			return
		}
	}
	if !f.End.IsZero() {
		if hi, err = toNanos("end", f.End); err != nil {
			return
		}
	}
	if !f.CursorTime.IsZero() {
		var c int64
		if c, err = toNanos("cursor", f.CursorTime); err != nil {
			return
		}
		if f.Newest {
			hi = min(hi, c)
		} else {
			lo = max(lo, c)
		}
	}
	return
}

// eventOrder sorts the best event first: newest or oldest, ties by id.
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

// pick decodes the events at positions of batch id that pass f, the
// best sqlLimit(f.Limit) of them.
func (s *Store) pick(t *tx, id int64, positions []byte, f store.EventFilter, lo, hi int64) ([]store.Event, error) {
	b, err := s.batch(t, id)
	if err != nil {
		return nil, err
	}
	pos, err := readPositions(b.version, positions, b.count())
	if err != nil {
		return nil, fmt.Errorf("sqlstore: batch %d: corrupt postings: %w", id, errUnreadableBatch)
	}
	if f.Newest {
		slices.Reverse(pos)
	}
	limit := pageLimit(f.Limit)
	var out []store.Event
	for _, p := range pos {
		e, err := b.event(p)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: batch %d: %w: %w", id, errUnreadableBatch, err)
		}
		ns := e.Time.UnixNano()
		if ns < lo || ns > hi || !f.Matches(&e) {
			continue
		}
		out = append(out, e)
		if len(out) >= limit {
			break
		}
	}
	return out, nil
}

func sameEvent(x, y store.Event) bool { return x.ID == y.ID && x.Time.Equal(y.Time) }

// mergeEvents merges two ordered pages into one of at most f.Limit.
func mergeEvents(f store.EventFilter, a, b []store.Event) []store.Event {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := append(slices.Clip(a), b...)
	slices.SortFunc(out, eventOrder(f.Newest))
	// The page is cut from the compacted slice: CompactFunc zeroes what it
	// removes, so cutting at the length before compaction brought the
	// removed duplicates back as zero events.
	out = slices.CompactFunc(out, sameEvent)
	return out[:min(len(out), pageLimit(f.Limit))]
}

// batchBlob is a stored batch, its records uncompressed; an event is
// decoded when a lookup picks it.
type batchBlob struct {
	version int
	offsets []uint32 // where each record starts in recs
	recs    []byte
}

// parseBatch reads either layout (see fold.go).
func parseBatch(data []byte) (*batchBlob, error) {
	if len(data) > 0 && data[0] != 0 {
		return parseBatchV0(data)
	}
	if len(data) < 2 || data[1] != batchV1 {
		return nil, store.ErrCorrupt
	}
	rest := data[2:]
	n, k := binary.Uvarint(rest)
	if k <= 0 || n > batchEvents {
		return nil, store.ErrCorrupt
	}
	rest = rest[k:]
	recsLen, k := binary.Uvarint(rest)
	if k <= 0 {
		return nil, store.ErrCorrupt
	}
	rest = rest[k:]
	size, k := binary.Uvarint(rest)
	if k <= 0 || size > maxBatchBlock || recsLen > size {
		return nil, store.ErrCorrupt
	}
	rest = rest[k:]
	if l, err := s2.DecodedLen(rest); err != nil || uint64(l) != size {
		return nil, store.ErrCorrupt
	}
	block, err := s2.Decode(make([]byte, size), rest)
	if err != nil || uint64(len(block)) != size {
		return nil, store.ErrCorrupt
	}
	b := &batchBlob{version: batchV1, offsets: make([]uint32, n), recs: block[:recsLen]}
	lens := block[recsLen:]
	total := uint64(0)
	for i := range b.offsets {
		l, k := binary.Uvarint(lens)
		if k <= 0 || l > recsLen-total {
			return nil, store.ErrCorrupt
		}
		lens = lens[k:]
		b.offsets[i] = uint32(total)
		total += l
	}
	if total != recsLen || len(lens) != 0 {
		return nil, store.ErrCorrupt
	}
	return b, nil
}

func parseBatchV0(data []byte) (*batchBlob, error) {
	n, k := binary.Uvarint(data)
	if k <= 0 || n > uint64(len(data)) || uint64(len(data)-k) < 4*n {
		return nil, store.ErrCorrupt
	}
	end := k + 4*int(n)
	b := &batchBlob{offsets: make([]uint32, n), recs: data[end:]}
	for i := range b.offsets {
		b.offsets[i] = binary.LittleEndian.Uint32(data[k+4*i:])
	}
	return b, nil
}

func (b *batchBlob) count() int { return len(b.offsets) }

func (b *batchBlob) event(i int) (store.Event, error) {
	off := b.offsets[i]
	if uint64(off) >= uint64(len(b.recs)) {
		return store.Event{}, store.ErrCorrupt
	}
	e, _, err := store.ReadEvent(b.recs[off:])
	return e, err
}

// batch returns batch id, from this node's cache when it holds it (a
// batch never changes, and ids are never reused).
func (s *Store) batch(t *tx, id int64) (*batchBlob, error) {
	if b := s.batches.get(id); b != nil {
		return b, nil
	}
	var data []byte
	if err := t.queryOne(sqlBatchGet, []any{id}, &data); err != nil {
		if err == store.ErrNotFound {
			return nil, fmt.Errorf("sqlstore: event batch %d is listed but missing", id)
		}
		return nil, err
	}
	b, err := parseBatch(data)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: event batch %d: %w: %w", id, errUnreadableBatch, err)
	}
	s.batches.put(id, b)
	return b, nil
}

// batchCache keeps recently read batches, up to a byte budget, evicting
// the least recently added (lookups mostly read the newest batches).
type batchCache struct {
	mu    sync.Mutex
	m     map[int64]*batchBlob
	order []int64
	bytes int
}

const batchCacheBytes = 64 << 20

func (c *batchCache) get(id int64) *batchBlob {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[id]
}

func (c *batchCache) put(id int64, b *batchBlob) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]*batchBlob{}
	}
	if _, ok := c.m[id]; ok {
		return
	}
	c.m[id] = b
	c.order = append(c.order, id)
	c.bytes += len(b.recs) + 4*len(b.offsets)
	for c.bytes > batchCacheBytes && len(c.order) > 1 {
		old := c.order[0]
		c.order = c.order[1:]
		c.bytes -= len(c.m[old].recs) + 4*len(c.m[old].offsets)
		delete(c.m, old)
	}
}
