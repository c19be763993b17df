package sqlstore

import (
	"context"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// The change counter and log let every node drop cache entries another node
// made stale: a Write that mutated rows takes the next version and logs one
// row per mutated (account, kind, key) under it, in the same transaction.
// Writers are serialized, so a poller that has seen version v has seen
// every change with a version <= v. Versions are never taken from a
// sequence: a sequence value is handed out before commit, so versions could
// become visible out of order and a poller would skip some.
//
// Where the next version comes from differs by dialect:
//   - PostgreSQL bumps the single change_counter row, whose table lock
//     also queues the writers (postgres.go), and each change row reads the
//     version it was just bumped to, so the bump and the rows go out in one
//     round trip together with COMMIT, without waiting for RETURNING.
//   - SQLite has one writer at a time, so the next version is simply the
//     log's newest plus one: the log's last page, which the Write changes
//     anyway. The counter row was a page of its own, one WAL frame of the
//     four a single-row commit wrote (migration 0013). The counter is now
//     only a floor: Sweep, which may empty the log, first raises it to the
//     log's newest version, so versions never go back.

const (
	sqlCounterGet  = `SELECT version FROM change_counter WHERE id = 1`
	sqlCounterBump = `UPDATE change_counter SET version = version + 1 WHERE id = 1`
	// sqlLiteVersion is the newest version on SQLite; sqlLiteCounterFloor
	// raises the counter to it before Sweep empties the log.
	sqlLiteVersion = `SELECT max(version, coalesce((SELECT max(version) FROM change_log), 0))
		FROM change_counter WHERE id = 1`
	sqlLiteCounterFloor = `UPDATE change_counter SET version = max(version, coalesce((SELECT max(version) FROM change_log), 0))
		WHERE id = 1`
	sqlChangeRowBumped = `((SELECT version FROM change_counter WHERE id = 1), ?, ?, ?, ?)`
	sqlChangeRow       = `(?, ?, ?, ?, ?)`
	// sqlLiteChangeOne logs a Write's only change on SQLite, reading the
	// next version in the same statement (most Writes change one row).
	sqlLiteChangeOne = `INSERT INTO change_log (version, account_id, kind, key, at_ns) VALUES (
		(SELECT max(version, coalesce((SELECT max(version) FROM change_log), 0)) + 1 FROM change_counter WHERE id = 1),
		?, ?, ?, ?)`
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

// insertChangesSQL is the INSERT of rows change rows in dialect's form.
func insertChangesSQL(dialect string, rows int) string {
	row := sqlChangeRowBumped
	if dialect == DialectSQLite {
		row = sqlChangeRow
	}
	q := `INSERT INTO change_log (version, account_id, kind, key, at_ns) VALUES `
	for i := 0; i < rows; i++ {
		if i > 0 {
			q += ","
		}
		q += row
	}
	return q
}

// versionSQL reads the newest version.
func (s *Store) versionSQL() string {
	if s.dialect == DialectSQLite {
		return sqlLiteVersion
	}
	return sqlCounterGet
}

// changeItems returns the statements that record t's changes at commit:
// nothing when the Write changed nothing (no version is spent on it), else
// the log rows (and, on PostgreSQL, the counter bump before them).
func (s *Store) changeItems(t *tx) ([]batchItem, error) {
	cs := t.changes
	if len(cs.list) == 0 {
		return nil, nil
	}
	at, err := toNanos("clock", s.clock())
	if err != nil {
		return nil, err
	}
	var (
		items   []batchItem
		version int64
		cols    = 4
	)
	if s.dialect == DialectSQLite && len(cs.list) == 1 {
		c := cs.list[0]
		return []batchItem{{st: s.stmt(sqlLiteChangeOne), args: []any{c.AccountID, c.Kind, c.Key, at}}}, nil
	}
	if s.dialect == DialectSQLite {
		if err := t.queryOne(sqlLiteVersion, nil, &version); err != nil {
			return nil, err
		}
		version++
		cols = 5
	} else {
		items = append(items, batchItem{st: s.stmt(sqlCounterBump)})
	}
	rest := cs.list
	for _, n := range chunks(len(rest)) {
		args := make([]any, 0, cols*n)
		for _, c := range rest[:n] {
			if cols == 5 {
				args = append(args, version)
			}
			args = append(args, c.AccountID, c.Kind, c.Key, at)
		}
		rest = rest[n:]
		items = append(items, batchItem{st: s.stmt(insertChangesSQL(s.dialect, n)), args: args})
	}
	return items, nil
}

// ChangeVersion implements store.ChangeFeed.
func (s *Store) ChangeVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.Read(ctx, func(stx store.Tx) error {
		return stx.(*tx).queryOne(s.versionSQL(), nil, &v)
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
		if err := t.queryOne(s.versionSQL(), nil, &version); err != nil {
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
	if len(out) > 0 {
		// Some may come from another process: what the read cache holds
		// may be older (see readCache).
		s.cache.invalidate()
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
	items := []batchItem{{st: s.stmt(sqlNonceSweep), args: []any{nowNs}}}
	if s.dialect == DialectSQLite {
		items = append(items, batchItem{st: s.stmt(sqlLiteCounterFloor)})
	}
	items = append(items, batchItem{st: s.stmt(sqlChangesSweep), args: []any{cutNs}})
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
