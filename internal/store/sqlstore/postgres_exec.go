package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

const pgOnConflictNothing = ` ON CONFLICT DO NOTHING`

var errCommitRolledBack = errors.New("sqlstore: transaction was rolled back at commit")

// pgExec is one PostgreSQL transaction. Its prelude (BEGIN ...) is sent
// in the same round trip as its first statement.
//
// In a Write it may also defer statements (see pgDeferrable): such a
// statement is not sent when fn runs it but queued, and the caller is told
// the outcome it nearly always has. The queue goes out in front of the next
// statement that must run at once (a read, say), or with the commit, so a
// Write that only mutates rows costs one round trip. A queued statement
// that fails does so in PostgreSQL, which aborts the transaction: nothing
// commits, the executor records that fn was told something untrue, and
// pgBackend.run runs fn again without deferring, so the caller gets what
// it gets today.
type pgExec struct {
	pool    *pgxpool.Pool
	prelude []string
	ro      bool
	c       *pgxpool.Conn
	begun   bool // prelude sent

	deferOK bool       // statements of pgDeferrable may be queued
	queued  []pgQueued // deferred statements not sent yet
	// misled is set when a queued statement failed: fn was told it
	// succeeded, so fn's outcome cannot stand and it must be run again.
	misled bool
}

// pgQueued is a deferred statement, in the form that fails unless it has
// the outcome the caller was told.
type pgQueued struct {
	text string
	args []any
}

// pgDeferral is how a deferrable statement is sent, and the rows affected
// its caller is told.
type pgDeferral struct {
	text string
	n    int64
}

// pgDeferrable maps statements (in PostgreSQL form) whose callers in a
// Write treat one affected row as success, and anything else as an error or
// a distinct answer (a conflict, not found, a replayed nonce), to a form
// that raises an error unless exactly one row was affected: the INSERT
// without ON CONFLICT (unique_violation), the UPDATE or DELETE counting
// its rows into a division (division_by_zero). Each of them names its row
// by its whole key, so it affects at most one. The event insert's count is
// ignored by its caller, so it is sent as is. A statement listed here must
// have no other outcome its caller reads: that caller is told n before the
// statement runs.
var pgDeferrable = func() map[string]pgDeferral {
	m := make(map[string]pgDeferral)
	// A plain INSERT fails by itself where the original affects no row,
	// and costs less to run than a counting CTE.
	for _, q := range []string{sqlRecordInsert, sqlKeyInsert, sqlAccountInsert, sqlNonceInsert} {
		text := dialectText(DialectPostgres, q)
		plain, ok := strings.CutSuffix(text, pgOnConflictNothing)
		if !ok {
			panic("sqlstore: deferrable insert without " + pgOnConflictNothing + ": " + q)
		}
		m[text] = pgDeferral{text: plain, n: 1}
	}
	for _, q := range []string{sqlRecordUpdate, sqlRecordDelete, sqlKeyUpdate, sqlKeyDelete, sqlAccountUpdate} {
		text := dialectText(DialectPostgres, q)
		m[text] = pgDeferral{text: `WITH w AS (` + text + ` RETURNING 1) SELECT 1 / count(*) FROM w`, n: 1}
	}
	text := dialectText(DialectPostgres, insertEventsSQL(1))
	m[text] = pgDeferral{text: text, n: 1}
	return m
}()

// pgRows adapts pgx.Rows (and, for a first statement, the batch it came
// in) to rowsIter.
type pgRows struct {
	pgx.Rows
	br pgx.BatchResults
}

func (r *pgRows) Close() error {
	r.Rows.Close()
	err := r.Rows.Err()
	if r.br != nil {
		if cerr := r.br.Close(); err == nil {
			err = cerr
		}
		r.br = nil
	}
	return err
}

func (e *pgExec) acquire(ctx context.Context) error {
	if e.c != nil {
		return nil
	}
	c, err := e.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	e.c = c
	return nil
}

// pgHead counts what a batch carries before its own statements: first
// statements that are not fn's (a prelude), then fn's queued statements.
type pgHead struct{ prelude, queued int }

// startBatch begins a batch with what must run before the next statement:
// the prelude if the transaction has not begun, then the queued statements.
func (e *pgExec) startBatch() (*pgx.Batch, pgHead) {
	b := &pgx.Batch{}
	var h pgHead
	if !e.begun {
		for _, p := range e.prelude {
			b.Queue(p)
		}
		h.prelude = len(e.prelude)
		e.begun = true
	}
	for _, q := range e.queued {
		b.Queue(q.text, q.args...)
	}
	h.queued = len(e.queued)
	e.queued = e.queued[:0]
	return b, h
}

// readHead consumes the results of a batch's head. An error of a queued
// statement that PostgreSQL reported before COMMIT (so nothing committed),
// or one that stopped the batch before it was sent (pgx reports that on
// the first result), means fn was misled. Serialization failures are left
// to Write's retries (which defer again), and a broken connection may have
// committed, so it is not run again.
func (e *pgExec) readHead(br pgx.BatchResults, h pgHead) error {
	for i := 0; i < h.prelude+h.queued; i++ {
		if _, err := br.Exec(); err != nil {
			var pe *pgconn.PgError
			var pre pgx.ErrPreprocessingBatch
			switch {
			case h.queued == 0:
			case errors.As(err, &pe):
				e.misled = i >= h.prelude && pe.Code != "40001" && pe.Code != "40P01"
			case errors.As(err, &pre):
				e.misled = true
			}
			return err
		}
	}
	return nil
}

// first sends the head and one statement as a batch and consumes the
// head's results; the statement's result is next in br.
func (e *pgExec) first(ctx context.Context, st *stmt, args []any) (pgx.BatchResults, error) {
	b, h := e.startBatch()
	b.Queue(st.text, args...)
	br := e.c.SendBatch(ctx, b)
	if err := e.readHead(br, h); err != nil {
		br.Close()
		return nil, err
	}
	return br, nil
}

func (e *pgExec) query(ctx context.Context, st *stmt, args []any) (rowsIter, error) {
	if err := e.acquire(ctx); err != nil {
		return nil, err
	}
	if !e.begun || len(e.queued) > 0 {
		br, err := e.first(ctx, st, args)
		if err != nil {
			return nil, err
		}
		rows, err := br.Query()
		if err != nil {
			br.Close()
			return nil, err
		}
		return &pgRows{Rows: rows, br: br}, nil
	}
	rows, err := e.c.Query(ctx, st.text, args...)
	if err != nil {
		return nil, err
	}
	return &pgRows{Rows: rows}, nil
}

func (e *pgExec) exec(ctx context.Context, st *stmt, args []any) (int64, error) {
	if e.deferOK {
		if d, ok := pgDeferrable[st.text]; ok {
			e.queued = append(e.queued, pgQueued{text: d.text, args: ownArgs(args)})
			return d.n, nil
		}
	}
	if err := e.acquire(ctx); err != nil {
		return 0, err
	}
	if !e.begun || len(e.queued) > 0 {
		br, err := e.first(ctx, st, args)
		if err != nil {
			return 0, err
		}
		ct, err := br.Exec()
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		return ct.RowsAffected(), err
	}
	ct, err := e.c.Exec(ctx, st.text, args...)
	return ct.RowsAffected(), err
}

// ownArgs copies the byte slices among args: a queued statement's
// arguments are encoded when it is sent, after its caller has returned and
// may have reused them.
func ownArgs(args []any) []any {
	for i, a := range args {
		if b, ok := a.([]byte); ok {
			args[i] = append([]byte{}, b...)
		}
	}
	return args
}

// commit sends the head (prelude, if no statement ran yet, and queued
// statements), items and COMMIT as one batch: one round trip for the whole
// commit.
func (e *pgExec) commit(ctx context.Context, items []batchItem) error {
	if !e.begun && len(items) == 0 && len(e.queued) == 0 {
		e.abort()
		return nil
	}
	if err := e.acquire(ctx); err != nil {
		return err
	}
	b, h, ok := e.counterFirst(items)
	if ok {
		items = nil // in the head
	} else {
		b, h = e.startBatch()
		for _, it := range items {
			b.Queue(it.st.text, it.args...)
		}
	}
	b.Queue("COMMIT")
	br := e.c.SendBatch(ctx, b)
	err := e.readHead(br, h)
	if err == nil {
		err = readCommitBatch(br, items)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		e.abort()
		return err
	}
	e.c.Release()
	e.c = nil
	return nil
}

// counterFirst builds the commit of a Write none of whose statements has
// been sent, that changed rows, without the write prelude:
//
//	BEGIN READ COMMITTED; bump the counter and log the changes; the rest
//	of the log; the queued statements; COMMIT
//
// The bump comes first, so the counter's row lock is what queues this
// Write behind every other (and its table lock behind their LOCK TABLE);
// every later statement takes its snapshot after it holds that lock, when
// no other Write can commit until this one does, which is what the write
// prelude's lock and SERIALIZABLE give the statements of an eager Write.
// Those statements only name rows by key: nothing fn was told depends on a
// read (fn read nothing, or the transaction would have begun). Saving the
// LOCK TABLE and folding the bump into the log's INSERT takes two
// statements out of the commit. ok is false when items are not the
// change-log statements this expects.
func (e *pgExec) counterFirst(items []batchItem) (*pgx.Batch, pgHead, bool) {
	if e.begun || !e.deferOK || len(items) < 2 || items[0].st.text != pgCounterBump {
		return nil, pgHead{}, false
	}
	first, ok := pgBumpAndLog[items[1].st.text]
	if !ok {
		return nil, pgHead{}, false
	}
	for _, it := range items {
		if it.rows != nil {
			return nil, pgHead{}, false
		}
	}
	b := &pgx.Batch{}
	b.Queue(pgBeginAppend)
	b.Queue(first, items[1].args...)
	for _, it := range items[2:] {
		b.Queue(it.st.text, it.args...)
	}
	e.begun = true
	h := pgHead{prelude: len(items)}
	for _, q := range e.queued {
		b.Queue(q.text, q.args...)
	}
	h.queued = len(e.queued)
	e.queued = e.queued[:0]
	return b, h, true
}

var (
	pgCounterBump = dialectText(DialectPostgres, sqlCounterBump)
	// pgBumpAndLog maps the INSERT of n change-log rows that read the
	// bumped version to one statement that bumps the counter and inserts
	// the rows with the version it returns.
	pgBumpAndLog = func() map[string]string {
		m := make(map[string]string, len(chunkSizes))
		for _, n := range chunkSizes {
			var rows strings.Builder
			for i := range n {
				if i > 0 {
					rows.WriteString(", ")
				}
				fmt.Fprintf(&rows, "($%d::text, $%d::text, $%d::text, $%d::bigint)", 4*i+1, 4*i+2, 4*i+3, 4*i+4)
			}
			sel := `SELECT v.version, c.account_id, c.kind, c.key, c.at_ns FROM v, (VALUES ` + rows.String() + `) AS c (account_id, kind, key, at_ns)`
			if n == 1 {
				sel = `SELECT v.version, ` + strings.Trim(rows.String(), "()") + ` FROM v` // most Writes change one row
			}
			m[dialectText(DialectPostgres, insertChangesSQL(DialectPostgres, n))] = `WITH v AS (` + pgCounterBump + ` RETURNING version)
				INSERT INTO change_log (version, account_id, kind, key, at_ns) ` + sel
		}
		return m
	}()
)

func readCommitBatch(br pgx.BatchResults, items []batchItem) error {
	for _, it := range items {
		if it.rows == nil {
			if _, err := br.Exec(); err != nil {
				return err
			}
			continue
		}
		rows, err := br.Query()
		if err != nil {
			return err
		}
		r := &pgRows{Rows: rows}
		err = it.rows(r)
		if cerr := r.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	ct, err := br.Exec()
	if err != nil {
		return err
	}
	// COMMIT of a transaction that had failed reports ROLLBACK, not an
	// error.
	if ct.String() != "COMMIT" {
		return errCommitRolledBack
	}
	return nil
}

// check runs the queued statements of a Write whose fn failed, and rolls
// back, in one round trip. fn's error stands only if what fn was told about
// them was true (otherwise misled is set); an error that is not fn's to
// see (a serialization failure) is returned.
func (e *pgExec) check(ctx context.Context) error {
	if len(e.queued) == 0 || e.misled {
		return nil
	}
	if err := e.acquire(ctx); err != nil {
		return err
	}
	b, h := e.startBatch()
	b.Queue("ROLLBACK")
	br := e.c.SendBatch(ctx, b)
	err := e.readHead(br, h)
	if err == nil {
		_, err = br.Exec()
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return err
}

func (e *pgExec) abort() {
	e.queued = nil
	c := e.c
	if c == nil {
		return
	}
	e.c = nil
	if c.Conn().PgConn().TxStatus() == 'I' {
		c.Release()
		return
	}
	if e.ro {
		go endTx(c)
		return
	}
	endTx(c)
}

// endTx rolls back whatever transaction c is in and returns c to the pool
// (which discards it if the rollback did not leave it idle).
func endTx(c *pgxpool.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.Exec(ctx, "ROLLBACK")
	c.Release()
}
