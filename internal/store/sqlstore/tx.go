package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// rowsIter is what both drivers' result sets have in common.
type rowsIter interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// batchItem is one statement run at commit time. With rows set it is a
// query whose result rows are handed to rows; otherwise it is an exec.
type batchItem struct {
	st   *stmt
	args []any
	rows func(rowsIter) error
}

// executor runs the statements of one transaction on one backend. The
// transaction begins lazily with the first statement, so that a transaction
// that issues none costs nothing and PostgreSQL can send BEGIN in the same
// round trip as the first statement.
type executor interface {
	query(ctx context.Context, st *stmt, args []any) (rowsIter, error)
	exec(ctx context.Context, st *stmt, args []any) (int64, error)
	// commit runs items and then commits, in one round trip where the
	// backend can. On error the transaction is rolled back.
	commit(ctx context.Context, items []batchItem) error
	// abort ends the transaction without committing. Safe after commit.
	abort()
}

// txKind selects how a backend runs a transaction.
type txKind int

const (
	// txRead is a read-only snapshot transaction.
	txRead txKind = iota
	// txWrite is a Store.Write: serialized against other Writes, because
	// every one of them bumps the change counter.
	txWrite
	// txAppend is a short write for AppendEvents and Sweep, which never
	// touch the change counter and need no serialization.
	txAppend
)

// backend is one dialect's connection handling.
type backend interface {
	// run gives f an executor for one transaction of the given kind. The
	// executor is valid only inside f; a transaction f leaves open is
	// rolled back. run returns f's error unchanged.
	run(ctx context.Context, kind txKind, f func(executor) error) error
	// mapErr turns driver errors into store sentinels where one applies.
	mapErr(err error) error
	// retryable reports errors after which the whole transaction may be
	// retried (PostgreSQL serialization failures and deadlocks).
	retryable(err error) bool
	close() error
}

const (
	// maxAttempts bounds serialization retries. Writers are serialized by
	// the change-counter lock on PostgreSQL, so a retry is rare and the
	// bound only has to cover SSI conflicts with AppendEvents.
	maxAttempts = 10
	maxBackoff  = 20 * time.Millisecond
)

var (
	errReadOnly = errors.New("sqlstore: mutating call in a read-only transaction")
	// errTxDone is what a Tx that escaped its Read or Write closure
	// returns: silently starting a new transaction that nobody ends would
	// hold a connection (on SQLite, the write lock) forever.
	errTxDone = errors.New("sqlstore: transaction used after its Read or Write returned")
)

// Read implements store.Store. With the read cache on (WithReadCache), fn
// runs a second time in the rare case that it mixed answers from memory
// with a snapshot taken after a Write committed.
func (s *Store) Read(ctx context.Context, fn func(store.Tx) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	view := s.cache.view()
	err := s.read(ctx, fn, view)
	if !view.consistent() {
		// fn mixed answers from memory with a snapshot taken after a
		// Write committed: what it saw may be no state the database
		// was ever in. Rare (a Write must commit during the Read), and
		// then fn runs again on the database alone.
		return s.read(ctx, fn, nil)
	}
	view.finish()
	return err
}

// ReadFromMemoryFirst implements store.MemoryFirst: a first attempt
// answers from the read cache alone, with no connection (most reads of a
// busy node find everything there); the first statement fn needs ends it,
// and fn runs again as Read runs it.
func (s *Store) ReadFromMemoryFirst(ctx context.Context, fn func(store.Tx) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	if view := s.cache.view(); view != nil {
		t := &tx{s: s, ctx: ctx, ex: memoryOnly{}, readOnly: true, cache: view}
		ferr := fn(t)
		if !view.sqlUsed {
			if ferr == nil {
				ferr = t.err
			}
			t.err = errTxDone
			if ferr == nil {
				view.finish() // what fn derived from memory alone
			}
			return ferr
		}
		t.err = errTxDone
	}
	return s.Read(ctx, fn)
}

// read is one attempt of Read, using the cache through view (nil: not).
func (s *Store) read(ctx context.Context, fn func(store.Tx) error, view *cacheView) error {
	var ferr error
	err := s.be.run(ctx, txRead, func(ex executor) error {
		t := &tx{s: s, ctx: ctx, ex: ex, readOnly: true, cache: view}
		ferr = fn(t)
		if ferr == nil {
			// fn swallowed a database error: what it returned may be
			// incomplete.
			ferr = t.err
		}
		t.err = errTxDone
		// Ending a read-only transaction cannot change what fn read, so
		// its outcome is not waited for (see the backends).
		return nil
	})
	if ferr != nil {
		return ferr
	}
	return err
}

// Write implements store.Store.
func (s *Store) Write(ctx context.Context, fn func(store.Tx) error) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	for attempt := 1; ; attempt++ {
		err := s.writeOnce(ctx, fn)
		if err == nil || attempt >= maxAttempts || !s.be.retryable(err) {
			return err
		}
		if werr := sleepBackoff(ctx, attempt); werr != nil {
			return err
		}
	}
}

func (s *Store) writeOnce(ctx context.Context, fn func(store.Tx) error) error {
	return s.be.run(ctx, txWrite, func(ex executor) error {
		t := &tx{s: s, ctx: ctx, ex: ex}
		defer func() { t.err = errTxDone }()
		if err := fn(t); err != nil {
			return err // run rolls back
		}
		if t.err != nil {
			// fn ignored a failed statement; on PostgreSQL the transaction
			// is already aborted, and on SQLite committing half of fn's
			// intent would be worse. Fail the same way on both.
			return t.err
		}
		items, err := s.changeItems(t)
		if err != nil {
			return err
		}
		if s.cache != nil && len(t.changes.list) > 0 {
			s.cache.writing()
			defer s.cache.written()
		}
		if err := ex.commit(ctx, items); err != nil {
			return s.wrapErr(err)
		}
		if t.enqueued {
			s.jobWake.notify()
		}
		return nil
	})
}

// sleepBackoff waits a random time up to an exponentially growing cap, so
// that retrying writers do not collide again in lockstep.
func sleepBackoff(ctx context.Context, attempt int) error {
	limit := time.Duration(100<<min(attempt, 10)) * time.Microsecond
	limit = min(limit, maxBackoff)
	d := time.Duration(rand.Int64N(int64(limit)) + 1)
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// wrapErr maps a driver error to a store sentinel if one applies, and
// otherwise adds the package name for context. Both keep the original error
// reachable with errors.As.
func (s *Store) wrapErr(err error) error {
	if err == nil {
		return nil
	}
	if m := s.be.mapErr(err); m != err {
		return m
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("sqlstore: %w", err)
}

// tx implements store.Tx on top of an executor.
type tx struct {
	s        *Store
	ctx      context.Context
	ex       executor
	readOnly bool
	// err is the first failed statement. PostgreSQL aborts the transaction
	// on any error, so later statements fail fast with it on both backends.
	err      error
	changes  changeSet
	enqueued bool // a job was enqueued (see JobsEnqueued)
	// cache serves a Read's record reads from memory (nil: off).
	cache *cacheView
}

func (t *tx) Accounts() store.AccountRepo     { return accountRepo{t} }
func (t *tx) AccessKeys() store.AccessKeyRepo { return accessKeyRepo{t} }
func (t *tx) Records() store.RecordRepo       { return recordRepo{t} }
func (t *tx) Events() store.EventRepo         { return eventRepo{t} }

// Recall and Keep implement store.Remembering through the read cache;
// without it (PostgreSQL, a Write, a Read during a Write) nothing is kept.
func (t *tx) Recall(key string) (any, bool) { return t.cache.recall(key) }

func (t *tx) Keep(key string, v any, size int) { t.cache.keep(key, v, size) }

// writable is checked first by every mutating call.
func (t *tx) writable() error {
	if t.readOnly {
		return errReadOnly
	}
	return t.err
}

func (t *tx) fail(err error) error {
	err = t.s.wrapErr(err)
	t.err = err
	return err
}

func (t *tx) query(q string, args ...any) (rowsIter, error) {
	if t.err != nil {
		return nil, t.err
	}
	t.cache.ranStatement()
	rows, err := t.ex.query(t.ctx, t.s.stmt(q), args)
	if err != nil {
		return nil, t.fail(err)
	}
	return rows, nil
}

func (t *tx) exec(q string, args ...any) (int64, error) {
	if t.err != nil {
		return 0, t.err
	}
	n, err := t.ex.exec(t.ctx, t.s.stmt(q), args)
	if err != nil {
		return 0, t.fail(err)
	}
	return n, nil
}

// queryOne runs a query expected to return at most one row and scans it
// into dest; no row is store.ErrNotFound.
func (t *tx) queryOne(q string, args []any, dest ...any) error {
	rows, err := t.query(q, args...)
	if err != nil {
		return err
	}
	return t.scanOne(rows, func(r rowsIter) error { return r.Scan(dest...) })
}

// scanOne reads the first row of rows with scan and closes rows; no row is
// store.ErrNotFound.
func (t *tx) scanOne(rows rowsIter, scan func(rowsIter) error) error {
	if !rows.Next() {
		err := rows.Err()
		rows.Close()
		if err != nil {
			return t.fail(err)
		}
		return store.ErrNotFound
	}
	if err := scan(rows); err != nil {
		rows.Close()
		return t.fail(err)
	}
	if err := rows.Close(); err != nil {
		return t.fail(err)
	}
	return nil
}

// queryAll runs a query and calls scan for every row.
func (t *tx) queryAll(q string, args []any, scan func(rowsIter) error) error {
	rows, err := t.query(q, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		if err := scan(rows); err != nil {
			rows.Close()
			return t.fail(err)
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return t.fail(err)
	}
	if err := rows.Close(); err != nil {
		return t.fail(err)
	}
	return nil
}

// changeSet collects the rows a Write mutated, once each, in order.
type changeSet struct {
	list []store.Change
	seen map[store.Change]struct{}
}

func (t *tx) changed(accountID, kind, key string) {
	c := store.Change{AccountID: accountID, Kind: kind, Key: key}
	if t.changes.seen == nil {
		t.changes.seen = make(map[store.Change]struct{}, 4)
	}
	if _, dup := t.changes.seen[c]; dup {
		return
	}
	t.changes.seen[c] = struct{}{}
	t.changes.list = append(t.changes.list, c)
}
