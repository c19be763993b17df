package sqlstore

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

var errCommitRolledBack = errors.New("sqlstore: transaction was rolled back at commit")

// pgExec is one PostgreSQL transaction. Its prelude (BEGIN ...) is sent
// in the same round trip as its first statement.
type pgExec struct {
	pool    *pgxpool.Pool
	prelude []string
	ro      bool
	c       *pgxpool.Conn
	begun   bool // prelude sent
}

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

// first sends the prelude and one statement as a batch and consumes the
// prelude's results; the statement's result is next in br.
func (e *pgExec) first(ctx context.Context, st *stmt, args []any) (pgx.BatchResults, error) {
	b := &pgx.Batch{}
	for _, p := range e.prelude {
		b.Queue(p)
	}
	b.Queue(st.text, args...)
	e.begun = true
	br := e.c.SendBatch(ctx, b)
	for range e.prelude {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, err
		}
	}
	return br, nil
}

func (e *pgExec) query(ctx context.Context, st *stmt, args []any) (rowsIter, error) {
	if err := e.acquire(ctx); err != nil {
		return nil, err
	}
	if !e.begun {
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
	if err := e.acquire(ctx); err != nil {
		return 0, err
	}
	if !e.begun {
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

// commit sends items and COMMIT (and the prelude, if no statement ran yet)
// as one batch: one round trip for the whole commit.
func (e *pgExec) commit(ctx context.Context, items []batchItem) error {
	if !e.begun && len(items) == 0 {
		e.abort()
		return nil
	}
	if err := e.acquire(ctx); err != nil {
		return err
	}
	b := &pgx.Batch{}
	var prelude []string
	if !e.begun {
		prelude = e.prelude
		for _, p := range prelude {
			b.Queue(p)
		}
		e.begun = true
	}
	for _, it := range items {
		b.Queue(it.st.text, it.args...)
	}
	b.Queue("COMMIT")
	br := e.c.SendBatch(ctx, b)
	err := readCommitBatch(br, len(prelude), items)
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

func readCommitBatch(br pgx.BatchResults, prelude int, items []batchItem) error {
	for range prelude {
		if _, err := br.Exec(); err != nil {
			return err
		}
	}
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

func (e *pgExec) abort() {
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
