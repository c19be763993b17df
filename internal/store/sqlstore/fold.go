package sqlstore

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// A fold stores the events of a node's segment log as batches: one
// event_batches row per up to batchEvents events, and one event_postings
// row per (batch, account, attribute, value) listing where the matching
// events sit in the batch. So a read call costs a small fraction of a row,
// and every LookupEvents filter is a range of the postings key.
//
// A batch spans at most batchSpan of event time. That bounds how far a
// lookup walks past its time range: the postings of batches that straddle
// its end start at most batchSpan later.

const (
	batchEvents = 512
	batchBytes  = 1 << 20
	batchSpan   = int64(time.Second)
	// idBucketShift groups event ids into EventId postings by the
	// millisecond time at the front of a request id (a version-7 UUID):
	// 64 ms per bucket, so a busy fold holds one bucket per batch.
	idBucketShift = 6
)

const (
	sqlBatchInsert   = `INSERT INTO event_batches (max_ns, data) VALUES (?, ?) RETURNING id`
	sqlBatchGet      = `SELECT data FROM event_batches WHERE id = ?`
	sqlCursorGet     = `SELECT segment, seg_offset FROM event_logs WHERE log_id = ?`
	sqlCursorPut     = `INSERT INTO event_logs (log_id, segment, seg_offset, updated_ns) VALUES (?, ?, ?, ?) ON CONFLICT (log_id) DO UPDATE SET segment = excluded.segment, seg_offset = excluded.seg_offset, updated_ns = excluded.updated_ns`
	sqlNonceBatchPut = `INSERT INTO nonce_batches (max_expires_ns, data) VALUES (?, ?)`
	sqlNonceBatches  = `SELECT data FROM nonce_batches WHERE max_expires_ns >= ?`
	sqlNoncesLive    = `SELECT access_key_id, value, expires_ns FROM nonces WHERE expires_ns >= ?`
	sqlNonceBatchGC  = `DELETE FROM nonce_batches WHERE max_expires_ns < ?`
	sqlPostingsGC    = `DELETE FROM event_postings WHERE batch_id IN (SELECT id FROM event_batches WHERE max_ns < ?)`
	sqlBatchesGC     = `DELETE FROM event_batches WHERE max_ns < ?`
	// Newest first: postings whose newest event is at or after lo, from
	// a (max_ns, batch_id) key down; oldest first: those whose oldest
	// event is at or before hi, from a (min_ns, batch_id) key up.
	sqlPostingsNewest = `SELECT batch_id, min_ns, max_ns, positions FROM event_postings WHERE account_id = ? AND attr = ? AND value = ? AND max_ns >= ? AND (max_ns, batch_id) < (?, ?) ORDER BY max_ns DESC, batch_id DESC LIMIT ?`
	sqlPostingsOldest = `SELECT batch_id, min_ns, max_ns, positions FROM event_postings WHERE account_id = ? AND attr = ? AND value = ? AND min_ns <= ? AND (min_ns, batch_id) > (?, ?) ORDER BY min_ns, batch_id LIMIT ?`
)

const postingCols = 7

func insertPostingsSQL(rows int) string {
	return `INSERT INTO event_postings (account_id, attr, value, max_ns, min_ns, batch_id, positions) VALUES ` +
		valuesRows(rows, postingCols)
}

var foldSQL = []string{sqlBatchInsert, sqlBatchGet, sqlCursorGet, sqlCursorPut, sqlNonceBatchPut, sqlNonceBatches,
	sqlNoncesLive, sqlNonceBatchGC, sqlPostingsGC, sqlBatchesGC, sqlPostingsNewest, sqlPostingsOldest}

// FoldCursor implements store.EventLog.
func (s *Store) FoldCursor(ctx context.Context, logID string) (store.LogCursor, error) {
	var c store.LogCursor
	err := s.Read(ctx, func(stx store.Tx) error {
		err := stx.(*tx).queryOne(sqlCursorGet, []any{logID}, &c.Segment, &c.Offset)
		if err == store.ErrNotFound {
			return nil
		}
		return err
	})
	return c, err
}

// FoldEvents implements store.EventLog.
func (s *Store) FoldEvents(ctx context.Context, logID string, next store.LogCursor, events []store.Event, nonces []store.Nonce) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	if err := checkText("log id", logID); err != nil {
		return err
	}
	batches, err := buildBatches(events)
	if err != nil {
		return err
	}
	nonceBlob, maxExp, err := nonceBatch(nonces)
	if err != nil {
		return err
	}
	now, _ := toNanos("clock", s.clock())
	return s.withRetry(ctx, func() error {
		return s.be.run(ctx, txAppend, func(ex executor) error {
			var items []batchItem
			for _, b := range batches {
				var id int64
				rows, err := ex.query(ctx, s.stmt(sqlBatchInsert), []any{b.maxNs, b.data})
				if err != nil {
					return err
				}
				if rows.Next() {
					err = rows.Scan(&id)
				} else if err = rows.Err(); err == nil {
					err = fmt.Errorf("sqlstore: batch insert returned no id")
				}
				if cerr := rows.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return err
				}
				items = append(items, s.postingInserts(id, b.postings)...)
			}
			if len(nonceBlob) > 0 {
				items = append(items, batchItem{st: s.stmt(sqlNonceBatchPut), args: []any{maxExp, nonceBlob}})
			}
			items = append(items, batchItem{st: s.stmt(sqlCursorPut), args: []any{logID, next.Segment, next.Offset, now}})
			return ex.commit(ctx, items)
		})
	})
}

func (s *Store) postingInserts(batchID int64, ps []posting) []batchItem {
	var items []batchItem
	rest := ps
	for _, n := range chunks(len(rest)) {
		args := make([]any, 0, postingCols*n)
		for _, p := range rest[:n] {
			args = append(args, p.account, p.attr, p.value, p.maxNs, p.minNs, batchID, p.positions)
		}
		rest = rest[n:]
		items = append(items, batchItem{st: s.stmt(insertPostingsSQL(n)), args: args})
	}
	return items
}

type builtBatch struct {
	maxNs    int64
	data     []byte
	postings []posting
}

type posting struct {
	account, attr, value string
	minNs, maxNs         int64
	positions            []byte // uvarint positions, ascending
}

// buildBatches orders events by (time, id) and cuts them into batches.
func buildBatches(events []store.Event) ([]builtBatch, error) {
	evs := make([]*store.Event, len(events))
	for i := range events {
		e := &events[i]
		if _, err := toNanos("event time", e.Time); err != nil {
			return nil, err
		}
		evs[i] = e
	}
	slices.SortFunc(evs, func(a, b *store.Event) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	var out []builtBatch
	for len(evs) > 0 {
		n, size := 0, 0
		first := evs[0].Time.UnixNano()
		for n < len(evs) && n < batchEvents && (n == 0 || size+len(evs[n].Data) < batchBytes) &&
			evs[n].Time.UnixNano()-first <= batchSpan {
			size += len(evs[n].Data) + 128
			n++
		}
		out = append(out, buildBatch(evs[:n]))
		evs = evs[n:]
	}
	return out, nil
}

// buildBatch encodes one batch: a uvarint count, count 4-byte offsets
// (from the start of the records), then the records.
func buildBatch(evs []*store.Event) builtBatch {
	size := binary.MaxVarintLen64 + 4*len(evs)
	for _, e := range evs {
		size += store.EventSize(e)
	}
	// One buffer, sized once (a batch is up to 1 MiB): the count, room
	// for the offsets, then the records, whose offsets are filled in.
	data := binary.AppendUvarint(make([]byte, 0, size), uint64(len(evs)))
	offsets := len(data)
	data = data[:offsets+4*len(evs)]
	start := len(data)
	for i, e := range evs {
		binary.LittleEndian.PutUint32(data[offsets+4*i:], uint32(len(data)-start))
		data = store.AppendEvent(data, e)
	}

	type key struct{ account, attr, value string }
	idx := map[key]int{}
	var ps []posting
	add := func(k key, pos int, ns int64) {
		k.account, k.value = postingText(k.account), postingText(k.value)
		i, ok := idx[k]
		if !ok {
			i = len(ps)
			idx[k] = i
			ps = append(ps, posting{account: k.account, attr: k.attr, value: k.value, minNs: ns, maxNs: ns})
		}
		p := &ps[i]
		p.minNs, p.maxNs = min(p.minNs, ns), max(p.maxNs, ns)
		p.positions = binary.AppendUvarint(p.positions, uint64(pos))
	}
	for pos, e := range evs {
		ns := e.Time.UnixNano()
		add(key{e.AccountID, "", ""}, pos, ns)
		for _, attr := range store.EventAttributes {
			add(key{e.AccountID, attr, postingValue(attr, e)}, pos, ns)
		}
	}
	return builtBatch{maxNs: evs[len(evs)-1].Time.UnixNano(), data: data, postings: ps}
}

// postingValue is what event e is listed under for attr (also "": a
// filter may ask for the events of unidentified callers, or of none).
func postingValue(attr string, e *store.Event) string {
	if attr == "EventId" {
		return idBucket(e.ID)
	}
	return e.Attribute(attr)
}

// idBucket is the EventId posting of an id: its 64-ms time bucket when it
// is a request id (a version-7 UUID starts with its millisecond time), the
// id itself otherwise.
func idBucket(id string) string {
	if len(id) == 36 && id[8] == '-' && id[14] == '7' {
		if b, err := hex.DecodeString(id[:8] + id[9:13]); err == nil {
			ms := uint64(0)
			for _, c := range b {
				ms = ms<<8 | uint64(c)
			}
			return fmt.Sprintf("t%x", ms>>idBucketShift)
		}
	}
	return "=" + id
}

// postingText makes s acceptable to both backends; a value that needed
// changing can never be looked up (Lookup refuses such values), so the
// change loses nothing.
func postingText(s string) string {
	if textOK(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

func nonceBatch(nonces []store.Nonce) ([]byte, int64, error) {
	var blob []byte
	maxExp := int64(math.MinInt64)
	for i := range nonces {
		exp, err := toNanos("nonce expiry", nonces[i].Expires)
		if err != nil {
			return nil, 0, err
		}
		maxExp = max(maxExp, exp)
		blob = store.AppendNonce(blob, &nonces[i])
	}
	return blob, maxExp, nil
}

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
			if err != nil {
				return nil, err
			}
			found = append(found, evs...)
			slices.SortFunc(found, better)
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
	var pos []int
	for len(positions) > 0 {
		p, n := binary.Uvarint(positions)
		if n <= 0 || p >= uint64(b.count()) {
			return nil, fmt.Errorf("sqlstore: batch %d: corrupt postings", id)
		}
		pos = append(pos, int(p))
		positions = positions[n:]
	}
	if f.Newest {
		slices.Reverse(pos)
	}
	limit := pageLimit(f.Limit)
	var out []store.Event
	for _, p := range pos {
		e, err := b.event(p)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: batch %d: %w", id, err)
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
	return slices.CompactFunc(out, func(x, y store.Event) bool { return x.ID == y.ID && x.Time.Equal(y.Time) })[:min(len(out), pageLimit(f.Limit))]
}

// batchBlob is a stored batch, decoded lazily.
type batchBlob struct {
	data    []byte
	offsets []byte // count x 4 bytes
	recs    []byte
}

func parseBatch(data []byte) (*batchBlob, error) {
	n, k := binary.Uvarint(data)
	if k <= 0 || n > uint64(len(data)) || uint64(len(data)-k) < 4*n {
		return nil, store.ErrCorrupt
	}
	end := k + 4*int(n)
	return &batchBlob{data: data, offsets: data[k:end], recs: data[end:]}, nil
}

func (b *batchBlob) count() int { return len(b.offsets) / 4 }

func (b *batchBlob) event(i int) (store.Event, error) {
	off := binary.LittleEndian.Uint32(b.offsets[4*i:])
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
		return nil, fmt.Errorf("sqlstore: event batch %d: %w", id, err)
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
	c.bytes += len(b.data)
	for c.bytes > batchCacheBytes && len(c.order) > 1 {
		old := c.order[0]
		c.order = c.order[1:]
		c.bytes -= len(c.m[old].data)
		delete(c.m, old)
	}
}

// RecentNonces implements store.EventLog.
func (s *Store) RecentNonces(ctx context.Context, now time.Time, fn func(store.Nonce)) error {
	cut, err := toNanos("now", now)
	if err != nil {
		return err
	}
	return s.Read(ctx, func(stx store.Tx) error {
		t := stx.(*tx)
		err := t.queryAll(sqlNoncesLive, []any{cut}, func(r rowsIter) error {
			var n store.Nonce
			var exp int64
			if err := r.Scan(&n.AccessKeyID, &n.Value, &exp); err != nil {
				return err
			}
			n.Expires = fromNanos(exp)
			fn(n)
			return nil
		})
		if err != nil {
			return err
		}
		return t.queryAll(sqlNonceBatches, []any{cut}, func(r rowsIter) error {
			var blob []byte
			if err := r.Scan(&blob); err != nil {
				return err
			}
			for len(blob) > 0 {
				n, rest, err := store.ReadNonce(blob)
				if err != nil {
					return err
				}
				if !n.Expires.Before(now) {
					fn(n)
				}
				blob = rest
			}
			return nil
		})
	})
}

// GuardNonces implements store.EventLog. On PostgreSQL the nonces of reads
// are claimed in the shared nonces table, in a transaction that does not
// wait for the WAL flush (synchronous_commit off): the claim only has to
// be atomic among nodes, and each node's segment log is the durable
// record. SQLite serves one node, whose memory decides.
func (s *Store) GuardNonces(ctx context.Context, nonces []store.Nonce) ([]bool, error) {
	if s.dialect != DialectPostgres {
		return nil, nil
	}
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	fresh := make([]bool, len(nonces))
	if len(nonces) == 0 {
		return fresh, nil
	}
	items, inserted, err := s.nonceInserts(nonces)
	if err != nil {
		return nil, err
	}
	err = s.withRetry(ctx, func() error {
		clear(inserted)
		return s.be.run(ctx, txAppend, func(ex executor) error {
			if _, err := ex.exec(ctx, s.stmt(sqlAsyncCommit), nil); err != nil {
				return err
			}
			for _, it := range items {
				rows, err := ex.query(ctx, it.st, it.args)
				if err != nil {
					return err
				}
				err = it.rows(rows)
				if cerr := rows.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return err
				}
			}
			return ex.commit(ctx, nil)
		})
	})
	if err != nil {
		return nil, err
	}
	markFresh(nonces, inserted, fresh)
	return fresh, nil
}

// sqlAsyncCommit is PostgreSQL only (GuardNonces).
const sqlAsyncCommit = `SET LOCAL synchronous_commit = off`

// sweepFolded deletes nonce batches whose nonces have all expired.
func sweepFoldedItems(s *Store, nowNs int64) []batchItem {
	return []batchItem{{st: s.stmt(sqlNonceBatchGC), args: []any{nowNs}}}
}

// expireBatches deletes folded events older than cut, with their postings.
func (s *Store) expireBatches(ctx context.Context, cut int64) error {
	items := []batchItem{
		{st: s.stmt(sqlPostingsGC), args: []any{cut}},
		{st: s.stmt(sqlBatchesGC), args: []any{cut}},
	}
	return s.withRetry(ctx, func() error {
		return s.be.run(ctx, txAppend, func(ex executor) error { return ex.commit(ctx, items) })
	})
}
