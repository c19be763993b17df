package sqlstore

import (
	"context"
	"slices"
	"strings"

	"github.com/canopy-iam/canopy/internal/store"
)

// A nonce is fresh when its insert actually inserts: ON CONFLICT DO NOTHING
// makes a replay a zero-row insert rather than an error, so the check and
// the record are one atomic statement and exactly one of two racing
// requests wins. A nonce stays remembered until Sweep removes it after it
// expires.

const (
	sqlNonceInsert = `INSERT INTO nonces (access_key_id, value, expires_ns) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	sqlNonceSweep  = `DELETE FROM nonces WHERE expires_ns < ?`
)

// insertNoncesSQL inserts rows nonces and returns the ones that were fresh.
func insertNoncesSQL(rows int) string {
	return `INSERT INTO nonces (access_key_id, value, expires_ns) VALUES ` + valuesRows(rows, 3) +
		` ON CONFLICT DO NOTHING RETURNING access_key_id, value`
}

// UseNonce implements store.Tx.
func (t *tx) UseNonce(n store.Nonce) (bool, error) {
	if err := t.writable(); err != nil {
		return false, err
	}
	if err := checkText("access key id", n.AccessKeyID, "nonce", n.Value); err != nil {
		return false, err
	}
	exp, err := toNanos("nonce expiry", n.Expires)
	if err != nil {
		return false, err
	}
	inserted, err := t.exec(sqlNonceInsert, n.AccessKeyID, n.Value, exp)
	return inserted == 1, err
}

// AppendEvents implements store.Store: one short transaction with
// multi-row inserts, sent to PostgreSQL in a single round trip with its
// BEGIN and COMMIT. It does not take the Write lock and spends no change
// version: events and nonces are never cached.
func (s *Store) AppendEvents(ctx context.Context, nonces []store.Nonce, events []store.Event) ([]bool, error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	fresh := make([]bool, len(nonces))
	if len(nonces) == 0 && len(events) == 0 {
		return fresh, nil
	}
	var items []batchItem

	rest := events
	for _, n := range chunks(len(events)) {
		args := make([]any, 0, 10*n)
		for i := range rest[:n] {
			var err error
			if args, err = eventArgs(args, &rest[i]); err != nil {
				return nil, err
			}
		}
		rest = rest[n:]
		items = append(items, batchItem{st: s.stmt(insertEventsSQL(n)), args: args})
	}

	// Insert in sorted order so two concurrent batches that share nonces
	// lock them in the same order and cannot deadlock on PostgreSQL.
	order := make([]int, len(nonces))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := strings.Compare(nonces[a].AccessKeyID, nonces[b].AccessKeyID); c != 0 {
			return c
		}
		return strings.Compare(nonces[a].Value, nonces[b].Value)
	})
	type nonceKey struct{ key, value string }
	var inserted map[nonceKey]bool
	collect := func(rows rowsIter) error {
		for rows.Next() {
			var k nonceKey
			if err := rows.Scan(&k.key, &k.value); err != nil {
				return err
			}
			inserted[k] = true
		}
		return rows.Err()
	}
	restIdx := order
	for _, n := range chunks(len(order)) {
		args := make([]any, 0, 3*n)
		for _, i := range restIdx[:n] {
			nc := &nonces[i]
			if err := checkText("access key id", nc.AccessKeyID, "nonce", nc.Value); err != nil {
				return nil, err
			}
			exp, err := toNanos("nonce expiry", nc.Expires)
			if err != nil {
				return nil, err
			}
			args = append(args, nc.AccessKeyID, nc.Value, exp)
		}
		restIdx = restIdx[n:]
		items = append(items, batchItem{st: s.stmt(insertNoncesSQL(n)), args: args, rows: collect})
	}

	err := s.withRetry(ctx, func() error {
		inserted = make(map[nonceKey]bool, len(nonces))
		return s.be.run(ctx, txAppend, func(ex executor) error { return ex.commit(ctx, items) })
	})
	if err != nil {
		return nil, err
	}
	// A nonce repeated within the batch is fresh once: the first
	// occurrence in input order takes it.
	for i := range nonces {
		k := nonceKey{nonces[i].AccessKeyID, nonces[i].Value}
		if inserted[k] {
			fresh[i] = true
			inserted[k] = false
		}
	}
	return fresh, nil
}
