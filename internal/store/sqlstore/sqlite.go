package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/canopy-iam/canopy/internal/store"
)

// SQLite runs with WAL (readers never block the writer), synchronous=FULL
// (a commit is on disk when it returns: NORMAL could lose the last commits
// on power loss, which for IAM can bring a revoked key back), foreign keys
// on, and a 10 s busy timeout so another process writing the same file (the
// CLI while the server runs) waits for the lock instead of failing.
//
// Writes go through their own pool of one connection and begin IMMEDIATE:
// the write lock is taken at BEGIN, so two writers (two processes) queue on
// busy_timeout instead of deadlocking when both try to upgrade a read lock.
// Reads use a pool of their own, opened query_only.
const sqliteParams = "_busy_timeout=10000&_journal_mode=WAL&_synchronous=FULL&_foreign_keys=1"

// Transactions run below database/sql, on the driver connection itself
// (sql.Conn.Raw): every statement, BEGIN and COMMIT included, is prepared
// once per connection and reused. database/sql would re-parse BEGIN and
// COMMIT on every transaction and add its own per-statement bookkeeping,
// which together cost as much as the point read itself.
const (
	sqlBeginRead  = `BEGIN`
	sqlBeginWrite = `BEGIN IMMEDIATE`
	sqlCommit     = `COMMIT`
	sqlRollback   = `ROLLBACK`
)

type liteBackend struct {
	r, w *sql.DB
	// ckpt checkpoints the WAL in the background (see checkpointLoop), on
	// a connection of its own so commits never wait for a checkpoint.
	ckpt     *sql.DB
	stopCkpt context.CancelFunc
	ckptDone chan struct{}
	// walPath is the WAL file; past walLimit bytes it is truncated.
	walPath  string
	walLimit int64
	// walFull wakes the checkpointer at once when a commit leaves the WAL
	// past its limit: under load the periodic check alone lagged, and the
	// WAL overshot its limit several times over.
	walFull chan struct{}
	// lastRestarted is the WAL's frame count after the last RESTART
	// checkpoint that finished (checkpointLoop only).
	lastRestarted int64
	// maxPages caps the database's size in pages (0: SQLite's own cap);
	// every writing connection applies it before its next transaction.
	maxPages atomic.Int64
}

// sqliteMaxPages is SQLite's own page cap, which lifts ours.
const sqliteMaxPages = 4294967294

// SetMaxSize caps the SQLite database at about bytes (0: no cap): a write
// that would grow it further fails with store.ErrStorageFull and leaves
// nothing behind, exactly as on a full disk, and raising the cap (or
// deleting rows) lets the next write succeed with no restart. It cannot be
// set below the current size. PostgreSQL has no such cap.
func (s *Store) SetMaxSize(ctx context.Context, bytes int64) error {
	b, ok := s.be.(*liteBackend)
	if !ok {
		return fmt.Errorf("sqlstore: SetMaxSize is for SQLite only")
	}
	if bytes <= 0 {
		b.maxPages.Store(sqliteMaxPages)
		return nil
	}
	var pageSize int64
	if err := b.r.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		return fmt.Errorf("sqlstore: %w", err)
	}
	b.maxPages.Store(max(bytes/pageSize, 1))
	return nil
}

// applyMaxPages brings a writing connection's page cap up to date.
func (b *liteBackend) applyMaxPages(ctx context.Context, c *liteConn) error {
	want := b.maxPages.Load()
	if want == 0 || c.maxPages == want {
		return nil
	}
	if _, err := c.execr.ExecContext(ctx, fmt.Sprintf(`PRAGMA max_page_count = %d`, want), nil); err != nil {
		return err
	}
	c.maxPages = want
	return nil
}

// DefaultWALLimit is the WAL size past which the checkpointer copies every
// frame back and truncates the file. A PASSIVE checkpoint never waits, so
// under a steady burst of writes and reads it may never catch up, and the
// WAL (which SQLite only ever reuses from its start) grows without bound;
// past the limit a TRUNCATE checkpoint waits for the readers of older
// frames, holding off writers meanwhile, and resets the file to zero.
const DefaultWALLimit = 64 << 20

// checkpointEvery is how often the WAL is copied back into the database.
// The writer connection runs with wal_autocheckpoint off: left on, every
// thousandth page's commit would do the checkpoint itself while holding the
// write lock, and every caller queued behind it would wait.
const checkpointEvery = 250 * time.Millisecond

// walCheckEvery is how often the WAL's size is compared with its limit (a
// stat, cheap): a burst can only write this long's worth past the limit
// before a TRUNCATE checkpoint starts.
const walCheckEvery = 25 * time.Millisecond

func openSQLite(ctx context.Context, path string, walLimit int64) (backend, error) {
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlstore: sqlite path %q must not contain '?'", path)
	}
	// The file holds password hashes and sealed secrets: create it
	// private. SQLite gives the -wal and -shm files the same mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	f.Close()

	// _txlock applies to database/sql transactions, used by migrate.
	w, err := openLiteDB(path + "?" + sqliteParams + "&_txlock=immediate&_pragma=wal_autocheckpoint(0)")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)

	r, err := openLiteDB(path + "?" + sqliteParams + "&_query_only=1")
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)

	ckpt, err := openLiteDB(path + "?" + sqliteParams)
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	ckpt.SetMaxOpenConns(1)
	if walLimit <= 0 {
		walLimit = DefaultWALLimit
	}
	b := &liteBackend{r: r, w: w, ckpt: ckpt, walPath: path + "-wal", walLimit: walLimit, walFull: make(chan struct{}, 1)}
	if err := b.migrate(ctx); err != nil {
		b.close()
		return nil, err
	}
	loopCtx, stop := context.WithCancel(context.Background())
	b.stopCkpt, b.ckptDone = stop, make(chan struct{})
	go b.checkpointLoop(loopCtx)
	return b, nil
}

// checkpointLoop copies committed WAL frames into the database file. A
// PASSIVE checkpoint never blocks readers or the writer; what it cannot copy
// yet it copies next time. Errors are retried on the next tick: a failed
// checkpoint loses nothing, the WAL just grows until one succeeds.
func (b *liteBackend) checkpointLoop(ctx context.Context) {
	defer close(b.ckptDone)
	t := time.NewTicker(walCheckEvery)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-b.walFull:
			b.truncateOverLimit(ctx)
			last = time.Now()
		case now := <-t.C:
			if b.walOverLimit() {
				b.truncateOverLimit(ctx)
				last = now
				continue
			}
			if now.Sub(last) >= checkpointEvery {
				b.checkpoint(ctx)
				last = now
			}
		}
	}
}

// checkpoint copies the WAL back into the database so that the next commit
// starts the WAL over from its first frame, overwriting the file in place.
//
// Why: SQLite restarts the WAL only once a checkpoint has copied every
// frame and no reader still reads from it. A checkpoint running beside the
// writers never got there under steady writes (frames keep arriving while
// it copies, and readers keep arriving too), so every commit appended to a
// file that grew without end, and its fsync had to write the new size and
// block allocation as well as the frames. Appending measured about 0.4-0.7x
// the fsync floor more per commit than overwriting in place (BENCHMARKS.md,
// "Durable single-row commit").
//
// So the bulk is copied first beside the writers (PASSIVE, on the
// checkpoint connection: nobody waits), then a RESTART checkpoint holding
// this node's writer connection copies the few frames committed meanwhile
// and waits, at most restartWait, for the readers still reading frames to
// finish (new readers read the database file only). The next commit then
// starts the WAL over. The cost: writers wait for one short checkpoint per
// checkpointEvery, and the restarting commit syncs the new WAL header too.
// A reader slower than restartWait just puts the restart off to the next
// period.
func (b *liteBackend) checkpoint(ctx context.Context) {
	var busy, frames, copied int64
	err := b.ckpt.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied)
	if err != nil || frames == 0 || (copied == frames && frames == b.lastRestarted) {
		return // nothing committed since the WAL restarted, or since the last restart checkpoint
	}
	if b.walOverLimit() {
		// The copy beside the writers took long enough for a burst to
		// pass the limit: truncate now rather than at the next check.
		b.truncateOverLimit(ctx)
		return
	}
	if busy, frames, _ = b.checkpointHoldingWriter(ctx, "RESTART", restartWait); busy == 0 {
		b.lastRestarted = frames
	}
}

// restartWait bounds how long a RESTART checkpoint waits for readers while
// it holds the writer. Reads take microseconds to a few milliseconds.
const restartWait = 10 * time.Millisecond

func (b *liteBackend) walOverLimit() bool {
	info, err := os.Stat(b.walPath)
	return err == nil && info.Size() > b.walLimit
}

// noteCommit wakes the checkpointer when a write left the WAL past its
// limit (one stat per write commit, next to its fsync).
func (b *liteBackend) noteCommit() {
	if b.walOverLimit() {
		select {
		case b.walFull <- struct{}{}:
		default:
		}
	}
}

// truncateOverLimit truncates the WAL, trying again at once while readers
// keep a truncation from finishing, a few times, before leaving it to the
// next check.
func (b *liteBackend) truncateOverLimit(ctx context.Context) {
	for try := 0; try < 5 && ctx.Err() == nil; try++ {
		b.truncateWAL(ctx)
		if !b.walOverLimit() {
			return
		}
	}
}

// truncateWAL copies every WAL frame into the database and truncates the
// WAL to zero bytes, waiting at most truncateWait for readers of older
// frames; it tries again on the next check when they kept it from
// finishing.
func (b *liteBackend) truncateWAL(ctx context.Context) {
	b.checkpointHoldingWriter(ctx, "TRUNCATE", truncateWait)
}

// checkpointHoldingWriter runs a checkpoint of the given mode on the writer
// connection and returns SQLite's (busy, WAL frames, frames copied), busy
// -1 on error. Holding the connection keeps this node's writers queued for
// the moment the checkpoint takes (a checkpointer racing them for the lock
// could wait forever while the WAL kept growing). The connection's busy
// timeout is lowered to wait for the duration, so writers are never held
// up longer.
func (b *liteBackend) checkpointHoldingWriter(ctx context.Context, mode string, wait time.Duration) (busy, frames, copied int64) {
	busy = -1
	conn, err := b.w.Conn(ctx)
	if err != nil {
		return busy, 0, 0
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA busy_timeout = %d`, wait.Milliseconds())); err != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn }) // never leave the writer with a short timeout
		return busy, 0, 0
	}
	if err := conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(`+mode+`)`).Scan(&busy, &frames, &copied); err != nil {
		busy = -1
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA busy_timeout = 10000`); err != nil {
		conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	return busy, frames, copied
}

// truncateWait bounds how long a TRUNCATE checkpoint waits for readers
// while it holds the writer.
const truncateWait = 100 * time.Millisecond

func openLiteDB(dsn string) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: sqlite: %w", err)
	}
	db := sql.OpenDB(liteConnector{c})
	// Connections live as long as the store: each carries its prepared
	// statements.
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	return db, nil
}

func (b *liteBackend) migrate(ctx context.Context) error {
	all, err := loadMigrations(DialectSQLite)
	if err != nil {
		return err
	}
	tx, err := b.w.BeginTx(ctx, nil) // BEGIN IMMEDIATE: one migrator at a time
	if err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, sqlMigrationsTable); err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	applied, err := appliedVersions(ctx, tx)
	if err != nil {
		return err
	}
	todo, err := pending(all, applied)
	if err != nil {
		return err
	}
	for _, m := range todo {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_ns) VALUES (?, ?, ?)`,
			m.version, m.name, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: migrate: %w", err)
	}
	return nil
}

func appliedVersions(ctx context.Context, tx *sql.Tx) (map[int64]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	defer rows.Close()
	applied := make(map[int64]bool)
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("sqlstore: migrate: %w", err)
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// run holds one connection of the right pool for the whole transaction.
func (b *liteBackend) run(ctx context.Context, kind txKind, f func(executor) error) error {
	db, begin := b.w, sqlBeginWrite
	if kind == txRead {
		db, begin = b.r, sqlBeginRead
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: %w", err)
	}
	defer conn.Close()
	var (
		ferr error
		ran  bool
	)
	rerr := conn.Raw(func(dc any) error {
		c, ok := dc.(*liteConn)
		if !ok {
			return fmt.Errorf("sqlstore: unexpected driver connection %T", dc)
		}
		if kind != txRead {
			if err := b.applyMaxPages(ctx, c); err != nil {
				return fmt.Errorf("sqlstore: %w", err)
			}
		}
		e := &liteExec{c: c, begin: begin}
		ran = true
		ferr = f(e)
		if e.open {
			if err := e.rollback(); err != nil {
				// The connection may still be inside the transaction;
				// make database/sql discard it.
				return driver.ErrBadConn
			}
		}
		return nil
	})
	if ran {
		if kind != txRead && ferr == nil {
			b.noteCommit()
		}
		// f's outcome is the transaction's; a failed cleanup after it only
		// cost database/sql the connection.
		return ferr
	}
	return rerr
}

func (b *liteBackend) mapErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", store.ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: the account does not exist: %w", store.ErrNotFound, err)
		}
		// SQLITE_FULL: the disk (or the database's page quota) is full. The
		// failed transaction wrote nothing; freeing space lets the next one
		// succeed.
		if se.Code()&0xff == sqlite3.SQLITE_FULL {
			return fmt.Errorf("%w: %w", store.ErrStorageFull, err)
		}
	}
	return err
}

// retryable is false: the single writer never sees serialization failures,
// and a busy timeout means the other process held the lock for 10 s.
func (b *liteBackend) retryable(error) bool { return false }

func (b *liteBackend) close() error {
	if b.stopCkpt != nil {
		b.stopCkpt()
		<-b.ckptDone
	}
	return errors.Join(b.r.Close(), b.w.Close(), b.ckpt.Close())
}
