package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

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

type nonceKey struct{ key, value string }

// nonceInserts builds the nonce statements (GuardNonces); inserted
// collects the fresh ones as they run.
func (s *Store) nonceInserts(nonces []store.Nonce) ([]batchItem, map[nonceKey]bool, error) {
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
	inserted := make(map[nonceKey]bool, len(nonces))
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
	var items []batchItem
	restIdx := order
	for _, n := range chunks(len(order)) {
		args := make([]any, 0, 3*n)
		for _, i := range restIdx[:n] {
			nc := &nonces[i]
			if err := checkText("access key id", nc.AccessKeyID, "nonce", nc.Value); err != nil {
				return nil, nil, err
			}
			exp, err := toNanos("nonce expiry", nc.Expires)
			if err != nil {
				return nil, nil, err
			}
			args = append(args, nc.AccessKeyID, nc.Value, exp)
		}
		restIdx = restIdx[n:]
		items = append(items, batchItem{st: s.stmt(insertNoncesSQL(n)), args: args, rows: collect})
	}
	return items, inserted, nil
}

// markFresh reports, in input order, which nonces were inserted. A nonce
// repeated within the batch is fresh once: its first occurrence takes it.
func markFresh(nonces []store.Nonce, inserted map[nonceKey]bool, fresh []bool) {
	taken := make(map[nonceKey]bool, len(nonces))
	for i := range nonces {
		k := nonceKey{nonces[i].AccessKeyID, nonces[i].Value}
		fresh[i] = inserted[k] && !taken[k]
		taken[k] = true
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
			var id, maxExpires int64
			var blob []byte
			if err := r.Scan(&id, &maxExpires, &blob); err != nil {
				return err
			}
			for len(blob) > 0 {
				n, rest, err := store.ReadNonce(blob)
				if err != nil {
					// Refusing to start is the safe side: without these
					// nonces, replays of the calls they belong to run.
					return fmt.Errorf("sqlstore: nonce_batches row %d cannot be read (%w): restore the database, or "+
						"delete that row to start without its nonces (replays of its calls are then accepted until %s)",
						id, err, fromNanos(maxExpires).UTC().Format(time.RFC3339))
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
