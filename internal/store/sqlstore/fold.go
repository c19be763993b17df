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
