package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the bare SQLite driver the raw baselines use
)

// rawStore reads the server's own tables with the bare driver, outside
// Canopy's store: the baselines of the directory's reads. Statements are
// prepared (SQLite) or cached by pgx, the fastest way the driver offers.
type rawStore struct {
	account string
	page    func(after string) error
	point   func(key string) error
	closeFn func()
}

const (
	rawPageSQL  = `SELECT account_id, kind, key, ref, data, created_ns, updated_ns FROM records WHERE account_id = ? AND kind = 'rd-member' AND key > ? ORDER BY key LIMIT 100`
	rawPointSQL = `SELECT account_id, kind, key, ref, data, created_ns, updated_ns FROM records WHERE account_id = ? AND kind = 'rd-folder' AND key = ?`
)

type rawRow struct {
	acct, kind, key, ref string
	data                 []byte
	created, updated     int64
}

func (r *rawRow) dest() []any {
	return []any{&r.acct, &r.kind, &r.key, &r.ref, &r.data, &r.created, &r.updated}
}

func openRaw(data, db, account string) (*rawStore, error) {
	if db == "" {
		return openRawSQLite(filepath.Join(data, "canopy.db"), account)
	}
	return openRawPostgres(db, account)
}

func openRawSQLite(path, account string) (*rawStore, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	conn, err := sql.Open("sqlite", path+"?_pragma=query_only(1)&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	page, err := conn.Prepare(rawPageSQL)
	if err != nil {
		return nil, err
	}
	point, err := conn.Prepare(rawPointSQL)
	if err != nil {
		return nil, err
	}
	r := &rawStore{account: account, closeFn: func() { conn.Close() }}
	r.page = func(after string) error {
		rows, err := page.Query(account, after)
		if err != nil {
			return err
		}
		return scanPage(rows.Next, rows.Scan, rows.Close, rows.Err)
	}
	r.point = func(key string) error {
		var row rawRow
		return point.QueryRow(account, key).Scan(row.dest()...)
	}
	return r, nil
}

func openRawPostgres(dsn, account string) (*rawStore, error) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	pageSQL := `SELECT account_id, kind, key, ref, data, created_ns, updated_ns FROM records WHERE account_id = $1 AND kind = 'rd-member' AND key > $2 ORDER BY key LIMIT 100`
	pointSQL := `SELECT account_id, kind, key, ref, data, created_ns, updated_ns FROM records WHERE account_id = $1 AND kind = 'rd-folder' AND key = $2`
	r := &rawStore{account: account, closeFn: func() { conn.Close(context.Background()) }}
	r.page = func(after string) error {
		rows, err := conn.Query(ctx, pageSQL, account, after)
		if err != nil {
			return err
		}
		return scanPage(rows.Next, rows.Scan, func() error { rows.Close(); return nil }, rows.Err)
	}
	r.point = func(key string) error {
		var row rawRow
		return conn.QueryRow(ctx, pointSQL, account, key).Scan(row.dest()...)
	}
	return r, nil
}

// scanPage scans every row of a page and checks it was a full one.
func scanPage(next func() bool, scan func(...any) error, closeRows func() error, rowsErr func() error) error {
	n := 0
	for next() {
		var row rawRow
		if err := scan(row.dest()...); err != nil {
			closeRows()
			return err
		}
		n++
	}
	closeRows()
	if err := rowsErr(); err != nil {
		return err
	}
	if n != 100 {
		return fmt.Errorf("raw page read %d rows", n)
	}
	return nil
}

func (r *rawStore) pointRead(key string) error { return r.point(key) }
func (r *rawStore) close()                     { r.closeFn() }

// fsyncFloor overwrites a preallocated 4 KiB file in the data directory
// and flushes it with fdatasync: the cheapest durable write the disk
// offers, what a WAL commit costs at best (as the store's own benchmark).
type fsyncFloor struct {
	f   *os.File
	buf []byte
	lat []time.Duration
}

func newFsyncFloor(dir string) (*fsyncFloor, error) {
	f, err := os.OpenFile(filepath.Join(dir, "fsync-floor"), os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	fl := &fsyncFloor{f: f, buf: make([]byte, 4096)}
	if _, err := f.WriteAt(fl.buf, 0); err != nil {
		return nil, err
	}
	return fl, f.Sync()
}

// once makes one durable overwrite and records its latency.
func (fl *fsyncFloor) once() error {
	t0 := time.Now()
	fl.buf[0]++
	if _, err := fl.f.WriteAt(fl.buf, 0); err != nil {
		return err
	}
	err := fdatasync(fl.f)
	fl.lat = append(fl.lat, time.Since(t0))
	return err
}

func (fl *fsyncFloor) close() { fl.f.Close() }
