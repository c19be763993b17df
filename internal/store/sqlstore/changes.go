package sqlstore

import (
	"context"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// The change counter and log let every node drop cache entries another node
// made stale: a Write that mutated rows bumps the single counter row and
// logs one row per mutated (account, kind, key) under the new version, in
// the same transaction. The counter's row lock also orders the versions of
// concurrent writers, so a poller that has seen version v has seen every
// change with a version <= v. Versions are never taken from a sequence: a
// sequence value is handed out before commit, so versions could become
// visible out of order and a poller would skip some.

const (
	sqlCounterGet  = `SELECT version FROM change_counter WHERE id = 1`
	sqlCounterBump = `UPDATE change_counter SET version = version + 1 WHERE id = 1`
	// Each change row reads the version it was just bumped to; the
	// subquery lets the bump and the inserts go to PostgreSQL in one
	// round trip together with COMMIT, instead of waiting for RETURNING.
	sqlChangeRow    = `((SELECT version FROM change_counter WHERE id = 1), ?, ?, ?, ?)`
	sqlChangesSince = `SELECT version, account_id, kind, key FROM change_log WHERE version > ? ORDER BY version, account_id, kind, key`
	// Versions grow with commit time, so the rows older than the cutoff
	// are exactly those below the first version stamped at or after it.
	// The subquery walks the primary key from the oldest row and stops
	// there, so the sweep costs what it deletes and needs no index on
	// at_ns (which every Write would otherwise pay for).
	sqlChangesSweep = `DELETE FROM change_log WHERE version < coalesce(
		(SELECT version FROM change_log WHERE at_ns >= ? ORDER BY version LIMIT 1),
		(SELECT version FROM change_counter WHERE id = 1) + 1)`
)

func insertChangesSQL(rows int) string {
	q := `INSERT INTO change_log (version, account_id, kind, key, at_ns) VALUES `
	for i := 0; i < rows; i++ {
		if i > 0 {
			q += ","
		}
		q += sqlChangeRow
	}
	return q
}

// changeItems returns the statements that record cs at commit: nothing when
// the Write changed nothing (no version is spent on it), else the counter
// bump and the log rows.
func (s *Store) changeItems(cs changeSet) ([]batchItem, error) {
	if len(cs.list) == 0 {
		return nil, nil
	}
	at, err := toNanos("clock", s.clock())
	if err != nil {
		return nil, err
	}
	items := []batchItem{{st: s.stmt(sqlCounterBump)}}
	rest := cs.list
	for _, n := range chunks(len(rest)) {
		args := make([]any, 0, 4*n)
		for _, c := range rest[:n] {
			args = append(args, c.AccountID, c.Kind, c.Key, at)
		}
		rest = rest[n:]
		items = append(items, batchItem{st: s.stmt(insertChangesSQL(n)), args: args})
	}
	return items, nil
}

// ChangeVersion implements store.ChangeFeed.
func (s *Store) ChangeVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.Read(ctx, func(stx store.Tx) error {
		return stx.(*tx).queryOne(sqlCounterGet, nil, &v)
	})
	return v, err
}

// ChangesSince implements store.ChangeFeed. The version returned is the counter
// read in the same snapshot as the log, so a poller can store it and ask
// again from there. Every version up to the counter had at least one log
// row when committed; if the oldest returned version is above since+1, Sweep
// removed some and the caller has missed changes.
func (s *Store) ChangesSince(ctx context.Context, since int64) ([]store.Change, int64, error) {
	var (
		out     []store.Change
		version int64
	)
	err := s.Read(ctx, func(stx store.Tx) error {
		t := stx.(*tx)
		out = out[:0]
		if err := t.queryOne(sqlCounterGet, nil, &version); err != nil {
			return err
		}
		if version <= since {
			return nil
		}
		return t.queryAll(sqlChangesSince, []any{since}, func(r rowsIter) error {
			var c store.Change
			if err := r.Scan(&c.Version, &c.AccountID, &c.Kind, &c.Key); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, 0, err
	}
	return out, version, nil
}

// Sweep implements store.Maintenance. It runs outside the serialized Write path:
// deleting expired rows conflicts with nothing a Write or AppendEvents does.
func (s *Store) Sweep(ctx context.Context, now time.Time, keepChanges time.Duration) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	nowNs, err := toNanos("now", now)
	if err != nil {
		return err
	}
	cutNs, err := toNanos("now-keepChanges", now.Add(-keepChanges))
	if err != nil {
		return err
	}
	items := []batchItem{
		{st: s.stmt(sqlNonceSweep), args: []any{nowNs}},
		{st: s.stmt(sqlChangesSweep), args: []any{cutNs}},
	}
	items = append(items, sweepFoldedItems(s, nowNs)...)
	return s.withRetry(ctx, func() error {
		return s.be.run(ctx, txAppend, func(ex executor) error { return ex.commit(ctx, items) })
	})
}

// withRetry runs an internal transaction (no user fn) again after
// serialization failures.
func (s *Store) withRetry(ctx context.Context, run func() error) error {
	for attempt := 1; ; attempt++ {
		err := run()
		if err == nil {
			return nil
		}
		if attempt >= maxAttempts || !s.be.retryable(err) {
			return s.wrapErr(err)
		}
		if werr := sleepBackoff(ctx, attempt); werr != nil {
			return s.wrapErr(err)
		}
	}
}
