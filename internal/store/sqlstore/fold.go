package sqlstore

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/klauspost/compress/s2"

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
	sqlNonceBatches  = `SELECT id, max_expires_ns, data FROM nonce_batches WHERE max_expires_ns >= ?`
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
	return s.storeFold(ctx, logID, next, batches, nonceBlob, maxExp)
}

// storeFold stores built batches and a nonce batch, and moves the cursor,
// in one transaction.
func (s *Store) storeFold(ctx context.Context, logID string, next store.LogCursor, batches []builtBatch, nonceBlob []byte, maxExp int64) error {
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
	positions            []byte // positionRuns (version 0: uvarint positions, ascending)
	runs                 positionRuns
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
	var bb batchBuilder
	for len(evs) > 0 {
		n, size := 0, 0
		first := evs[0].Time.UnixNano()
		for n < len(evs) && n < batchEvents && (n == 0 || size+len(evs[n].Data) < batchBytes) &&
			evs[n].Time.UnixNano()-first <= batchSpan {
			size += len(evs[n].Data) + 128
			n++
		}
		out = append(out, bb.buildBatch(evs[:n]))
		evs = evs[n:]
	}
	return out, nil
}

// A batch is stored in one of two layouts, told apart by the first byte:
//
//   - version 0 (before), first byte non-zero: a uvarint count, count
//     4-byte offsets (from the start of the records), then the records
//     (store.AppendEvent); postings list positions as ascending uvarints.
//   - version 1, first byte 0: then the byte 1; uvarints count, records
//     length and block length; then the block compressed as one S2 block:
//     the records, then count uvarint record lengths. A flood's records
//     differ in a few ids, so ~1 KB each shrinks ~10x and SQLite writes
//     and checkpoints a tenth of the pages, for ~0.2 µs of CPU per event.
//     Postings list runs of positions (positionRuns).
//
// Version-0 batches are read as they are (nothing rewrites them).
const batchV1 = 1

// maxBatchBlock bounds what reading a batch may allocate: a batch takes
// events up to batchBytes, and its first one whatever its size (an event
// is at most a segment log record, 8 MiB).
const maxBatchBlock = 16 << 20

// batchBuilder cuts one fold's events into batches, reusing its buffers
// from one batch to the next.
type batchBuilder struct {
	raw      []byte // the current batch's block, uncompressed
	lens     []int  // its records' lengths
	idx      map[postingKey]int
	last     []lastPosting // per attribute slot ("" first): the previous event's posting
	postings []posting
}

type postingKey struct{ account, attr, value string }

// lastPosting remembers the posting the previous event went to, keyed by
// the raw values it came from: the events of a flood repeat their
// attributes, so most events find their postings without a map look-up.
type lastPosting struct {
	account, raw string
	i            int
}

// buildBatch encodes one batch (version 1) and its postings.
func (bb *batchBuilder) buildBatch(evs []*store.Event) builtBatch {
	if bb.idx == nil {
		bb.idx = map[postingKey]int{}
	}
	clear(bb.idx)
	bb.postings = nil
	bb.last = slices.Grow(bb.last[:0], 1+len(store.EventAttributes))[:1+len(store.EventAttributes)]
	for i := range bb.last {
		bb.last[i] = lastPosting{i: -1}
	}
	// The block: the records, then each one's length.
	size := binary.MaxVarintLen32 * len(evs)
	for _, e := range evs {
		size += store.EventSize(e)
	}
	raw, lens := slices.Grow(bb.raw[:0], size), bb.lens[:0]
	for pos, e := range evs {
		at := len(raw)
		raw = store.AppendEvent(raw, e)
		lens = append(lens, len(raw)-at)
		ns := e.Time.UnixNano()
		bb.add(0, e, "", "", pos, ns)
		for slot, attr := range store.EventAttributes {
			raw := e.Attribute(attr)
			if attr == "EventId" {
				raw = idBucketKey(e.ID)
			}
			bb.add(slot+1, e, attr, raw, pos, ns)
		}
	}
	recsLen := len(raw)
	for _, l := range lens {
		raw = binary.AppendUvarint(raw, uint64(l))
	}
	bb.raw, bb.lens = raw, lens
	data := append(make([]byte, 0, 2+3*binary.MaxVarintLen64+s2.MaxEncodedLen(len(raw))), 0, batchV1)
	data = binary.AppendUvarint(data, uint64(len(evs)))
	data = binary.AppendUvarint(data, uint64(recsLen))
	data = binary.AppendUvarint(data, uint64(len(raw)))
	data = append(data, s2.Encode(data[len(data):cap(data)], raw)...)
	ps := bb.postings
	for i := range ps {
		ps[i].positions = ps[i].runs.finish(ps[i].positions)
	}
	return builtBatch{maxNs: evs[len(evs)-1].Time.UnixNano(), data: slices.Clip(data), postings: ps}
}

// add lists event e, at position pos and time ns, in its posting for
// attr; raw is what that posting's value derives from.
func (bb *batchBuilder) add(slot int, e *store.Event, attr, raw string, pos int, ns int64) {
	l := &bb.last[slot]
	if l.i < 0 || l.account != e.AccountID || l.raw != raw {
		value := ""
		if attr != "" {
			value = postingValue(attr, e)
		}
		k := postingKey{postingText(e.AccountID), attr, postingText(value)}
		i, ok := bb.idx[k]
		if !ok {
			i = len(bb.postings)
			bb.idx[k] = i
			bb.postings = append(bb.postings, posting{account: k.account, attr: attr, value: k.value, minNs: ns, maxNs: ns})
		}
		*l = lastPosting{account: e.AccountID, raw: raw, i: i}
	}
	p := &bb.postings[l.i]
	p.minNs, p.maxNs = min(p.minNs, ns), max(p.maxNs, ns)
	p.positions = p.runs.add(p.positions, pos)
}

// positionRuns lists ascending positions as runs: for each run, a uvarint
// gap from the end of the previous run (0 for the first run at 0), then
// a uvarint count-1. A posting that holds every event of a batch is 2
// bytes.
type positionRuns struct {
	open       bool
	start, end int // the open run: positions [start, end)
	prevEnd    int
}

func (r *positionRuns) add(buf []byte, pos int) []byte {
	if r.open && pos == r.end {
		r.end++
		return buf
	}
	buf = r.finish(buf)
	r.open, r.start, r.end = true, pos, pos+1
	return buf
}

// finish appends the open run, if any.
func (r *positionRuns) finish(buf []byte) []byte {
	if !r.open {
		return buf
	}
	buf = binary.AppendUvarint(buf, uint64(r.start-r.prevEnd))
	buf = binary.AppendUvarint(buf, uint64(r.end-r.start-1))
	r.open, r.prevEnd = false, r.end
	return buf
}

// readPositions decodes a posting's positions, checked against the
// batch's count.
func readPositions(version int, b []byte, count int) ([]int, error) {
	var out []int
	next := 0
	for len(b) > 0 {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, store.ErrCorrupt
		}
		b = b[n:]
		if version == 0 {
			if v >= uint64(count) {
				return nil, store.ErrCorrupt
			}
			out = append(out, int(v))
			continue
		}
		runLen, n := binary.Uvarint(b)
		if n <= 0 || v > uint64(count-next) || runLen >= uint64(count-next)-v {
			return nil, store.ErrCorrupt
		}
		b = b[n:]
		start := next + int(v)
		for p := start; p <= start+int(runLen); p++ {
			out = append(out, p)
		}
		next = start + int(runLen) + 1
	}
	return out, nil
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

// idBucketKey is the part of id its bucket depends on (the time prefix
// of a request id, the whole id otherwise), so a fold computes a bucket
// only when it changes.
func idBucketKey(id string) string {
	if len(id) == 36 && id[8] == '-' && id[14] == '7' && isHex(id[:8]) && isHex(id[9:13]) {
		return id[:13]
	}
	return id
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
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
