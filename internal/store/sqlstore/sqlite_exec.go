package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
)

// liteConnector wraps every new driver connection in a liteConn.
type liteConnector struct{ driver.Connector }

func (c liteConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	lc, ok := newLiteConn(dc)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("sqlstore: sqlite driver connection %T lacks the context interfaces", dc)
	}
	return lc, nil
}

// liteConn is a driver connection with the statements prepared on it. It
// forwards what database/sql uses (for migrations) to the driver's own
// connection, and finalizes its statements before closing it (SQLite keeps
// a connection with live statements open as a zombie).
type liteConn struct {
	driver.Conn
	prep  driver.ConnPrepareContext
	execr driver.ExecerContext
	qr    driver.QueryerContext
	begin driver.ConnBeginTx
	stmts map[string]driver.Stmt
	// maxPages is the page cap applied to this connection (0: none yet).
	maxPages int64
}

func newLiteConn(dc driver.Conn) (*liteConn, bool) {
	c := &liteConn{Conn: dc, stmts: make(map[string]driver.Stmt)}
	var ok1, ok2, ok3, ok4 bool
	c.prep, ok1 = dc.(driver.ConnPrepareContext)
	c.execr, ok2 = dc.(driver.ExecerContext)
	c.qr, ok3 = dc.(driver.QueryerContext)
	c.begin, ok4 = dc.(driver.ConnBeginTx)
	return c, ok1 && ok2 && ok3 && ok4
}

func (c *liteConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.prep.PrepareContext(ctx, q)
}

func (c *liteConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.execr.ExecContext(ctx, q, args)
}

func (c *liteConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.qr.QueryContext(ctx, q, args)
}

func (c *liteConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.begin.BeginTx(ctx, opts)
}

func (c *liteConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *liteConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *liteConn) Close() error {
	for _, st := range c.stmts {
		st.Close()
	}
	c.stmts = nil
	return c.Conn.Close()
}

// stmt returns q prepared on c.
func (c *liteConn) stmt(ctx context.Context, q string) (driver.Stmt, error) {
	if st, ok := c.stmts[q]; ok {
		return st, nil
	}
	st, err := c.prep.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if _, ok := st.(driver.StmtQueryContext); !ok {
		st.Close()
		return nil, errors.New("sqlstore: sqlite statement lacks the context interfaces")
	}
	if _, ok := st.(driver.StmtExecContext); !ok {
		st.Close()
		return nil, errors.New("sqlstore: sqlite statement lacks the context interfaces")
	}
	c.stmts[q] = st
	return st, nil
}

func namedArgs(args []any) []driver.NamedValue {
	if len(args) == 0 {
		return nil
	}
	nv := make([]driver.NamedValue, len(args))
	for i, a := range args {
		nv[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return nv
}

// liteExec is one SQLite transaction on one connection, begun at its first
// statement.
type liteExec struct {
	c     *liteConn
	begin string
	open  bool
}

func (e *liteExec) run(ctx context.Context, q string, args []any) (driver.Result, error) {
	st, err := e.c.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.(driver.StmtExecContext).ExecContext(ctx, namedArgs(args))
}

func (e *liteExec) start(ctx context.Context) error {
	if e.open {
		return nil
	}
	if _, err := e.run(ctx, e.begin, nil); err != nil {
		return err
	}
	e.open = true
	return nil
}

func (e *liteExec) query(ctx context.Context, st *stmt, args []any) (rowsIter, error) {
	if err := e.start(ctx); err != nil {
		return nil, err
	}
	ds, err := e.c.stmt(ctx, st.text)
	if err != nil {
		return nil, err
	}
	rows, err := ds.(driver.StmtQueryContext).QueryContext(ctx, namedArgs(args))
	if err != nil {
		return nil, err
	}
	return &liteRows{rows: rows}, nil
}

func (e *liteExec) exec(ctx context.Context, st *stmt, args []any) (int64, error) {
	if err := e.start(ctx); err != nil {
		return 0, err
	}
	res, err := e.run(ctx, st.text, args)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (e *liteExec) commit(ctx context.Context, items []batchItem) error {
	if !e.open && len(items) == 0 {
		return nil
	}
	if err := e.start(ctx); err != nil {
		return err
	}
	for _, it := range items {
		if err := e.item(ctx, it); err != nil {
			e.abort()
			return err
		}
	}
	if _, err := e.run(ctx, sqlCommit, nil); err != nil {
		e.abort()
		return err
	}
	e.open = false
	return nil
}

func (e *liteExec) item(ctx context.Context, it batchItem) error {
	if it.rows == nil {
		_, err := e.exec(ctx, it.st, it.args)
		return err
	}
	rows, err := e.query(ctx, it.st, it.args)
	if err != nil {
		return err
	}
	err = it.rows(rows)
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

func (e *liteExec) abort() { e.rollback() }

func (e *liteExec) rollback() error {
	if !e.open {
		return nil
	}
	e.open = false
	// Not the caller's context: a cancelled request must still roll back.
	_, err := e.run(context.Background(), sqlRollback, nil)
	return err
}

// liteRows reads driver rows into the few Go types the repos scan into.
type liteRows struct {
	rows driver.Rows
	vals []driver.Value
	err  error
}

func (r *liteRows) Next() bool {
	if r.err != nil {
		return false
	}
	if r.vals == nil {
		r.vals = make([]driver.Value, len(r.rows.Columns()))
	}
	if err := r.rows.Next(r.vals); err != nil {
		if err != io.EOF {
			r.err = err
		}
		return false
	}
	return true
}

func (r *liteRows) Err() error   { return r.err }
func (r *liteRows) Close() error { return r.rows.Close() }

func (r *liteRows) Scan(dest ...any) error {
	if len(dest) != len(r.vals) {
		return fmt.Errorf("sqlstore: scan of %d columns into %d values", len(r.vals), len(dest))
	}
	for i, d := range dest {
		if err := assign(d, r.vals[i]); err != nil {
			return fmt.Errorf("sqlstore: column %d: %w", i, err)
		}
	}
	return nil
}

// assign stores a driver value in dest. The driver hands out fresh strings
// and byte slices for every row, so they are kept without copying.
func assign(dest any, v driver.Value) error {
	switch d := dest.(type) {
	case *string:
		switch x := v.(type) {
		case string:
			*d = x
			return nil
		case []byte:
			*d = string(x)
			return nil
		case nil:
			*d = ""
			return nil
		}
	case *int64:
		switch x := v.(type) {
		case int64:
			*d = x
			return nil
		case nil:
			*d = 0
			return nil
		}
	case *[]byte:
		switch x := v.(type) {
		case []byte:
			*d = x
			return nil
		case string:
			*d = []byte(x)
			return nil
		case nil:
			*d = nil
			return nil
		}
	}
	return fmt.Errorf("cannot store %T in %T", v, dest)
}
