package sqlstore

import (
	"errors"
	"fmt"

	"github.com/canopy-iam/canopy/internal/store"
)

const (
	recordCols = `account_id, kind, key, ref, data, created_ns, updated_ns`
	// A list names its account and kind: its rows need not repeat them
	// (two column reads and two strings less per row of a page).
	recordListCols = `key, ref, data, created_ns, updated_ns`

	sqlRecordGet    = `SELECT ` + recordCols + ` FROM records WHERE account_id = ? AND kind = ? AND key = ?`
	sqlRecordInsert = `INSERT INTO records (` + recordCols + `) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	sqlRecordUpdate = `UPDATE records SET ref = ?, data = ?, updated_ns = ? WHERE account_id = ? AND kind = ? AND key = ?`
	sqlRecordDelete = `DELETE FROM records WHERE account_id = ? AND kind = ? AND key = ?`
)

// Lower bounds on key for List.
const (
	lowerNone  = iota
	lowerFrom  // key >= prefix
	lowerAfter // key > after
)

// recordWhere builds the WHERE clause shared by List and Count. Prefix is a
// key range (not LIKE) so the primary key or the ref index is scanned from
// the first match to the last and no further.
func recordWhere(ref bool, lower int, upper bool) string {
	w := ` WHERE account_id = ? AND kind = ?`
	if ref {
		// ref <> '' matches the partial index's predicate (see the
		// migration); the caller only sets ref when it is not empty.
		w += ` AND ref = ? AND ref <> ''`
	}
	switch lower {
	case lowerFrom:
		w += ` AND key >= ?`
	case lowerAfter:
		w += ` AND key > ?`
	}
	if upper {
		w += ` AND key < ?`
	}
	return w
}

// recordSQL holds every List and Count variant, indexed [ref][lower][upper],
// so a call picks its text without building a string.
var recordSQL = func() (v struct{ list, count [2][3][2]string }) {
	for ref := 0; ref < 2; ref++ {
		for lower := lowerNone; lower <= lowerAfter; lower++ {
			for upper := 0; upper < 2; upper++ {
				w := recordWhere(ref == 1, lower, upper == 1)
				v.list[ref][lower][upper] = `SELECT ` + recordListCols + ` FROM records` + w + ` ORDER BY key LIMIT ? OFFSET ?`
				v.count[ref][lower][upper] = `SELECT count(*) FROM records` + w
			}
		}
	}
	return v
}()

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func recordListSQL(ref bool, lower int, upper bool) string {
	return recordSQL.list[b2i(ref)][lower][b2i(upper)]
}

func recordCountSQL(ref bool, lower int, upper bool) string {
	return recordSQL.count[b2i(ref)][lower][b2i(upper)]
}

func recordVariants() []string {
	var out []string
	for _, ref := range []bool{false, true} {
		for _, upper := range []bool{false, true} {
			for lower := lowerNone; lower <= lowerAfter; lower++ {
				out = append(out, recordListSQL(ref, lower, upper))
			}
			out = append(out, recordCountSQL(ref, lowerNone, upper), recordCountSQL(ref, lowerFrom, upper))
		}
	}
	return out
}

type recordRepo struct{ t *tx }

func scanRecord(r rowsIter, rec *store.Record) error {
	var created, updated int64
	if err := r.Scan(&rec.AccountID, &rec.Kind, &rec.Key, &rec.Ref, &rec.Data, &created, &updated); err != nil {
		return err
	}
	rec.Created, rec.Updated = fromNanos(created), fromNanos(updated)
	return nil
}

func recordName(accountID, kind, key string) string {
	return fmt.Sprintf("%s %q in account %s", kind, key, accountID)
}

func (r recordRepo) Get(accountID, kind, key string) (store.Record, error) {
	id := recordID{accountID, kind, key}
	if r.t.err == nil {
		if rec, err, ok := r.t.cache.get(id); ok {
			return rec, err
		}
	}
	rec, err := r.get(accountID, kind, key)
	r.t.cache.gotten(id, rec, err)
	return rec, err
}

func (r recordRepo) get(accountID, kind, key string) (store.Record, error) {
	var rec store.Record
	if !textOK(accountID) || !textOK(kind) || !textOK(key) {
		return rec, fmt.Errorf("%w: %s", store.ErrNotFound, recordName(accountID, kind, key))
	}
	rows, err := r.t.query(sqlRecordGet, accountID, kind, key)
	if err != nil {
		return rec, err
	}
	err = r.t.scanOne(rows, func(rows rowsIter) error { return scanRecord(rows, &rec) })
	if errors.Is(err, store.ErrNotFound) {
		return rec, fmt.Errorf("%w: %s", store.ErrNotFound, recordName(accountID, kind, key))
	}
	return rec, err
}

func (r recordRepo) Insert(rec store.Record) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	if err := checkText("account id", rec.AccountID, "kind", rec.Kind, "key", rec.Key, "ref", rec.Ref); err != nil {
		return err
	}
	created, err := toNanos("created", rec.Created)
	if err != nil {
		return err
	}
	updated, err := toNanos("updated", rec.Updated)
	if err != nil {
		return err
	}
	n, err := r.t.exec(sqlRecordInsert, rec.AccountID, rec.Kind, rec.Key, rec.Ref, blob(rec.Data), created, updated)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: %s", store.ErrConflict, recordName(rec.AccountID, rec.Kind, rec.Key))
	}
	r.t.changed(rec.AccountID, rec.Kind, rec.Key)
	return nil
}

func (r recordRepo) Update(rec store.Record) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	if err := checkText("account id", rec.AccountID, "kind", rec.Kind, "key", rec.Key, "ref", rec.Ref); err != nil {
		return err
	}
	updated, err := toNanos("updated", rec.Updated)
	if err != nil {
		return err
	}
	n, err := r.t.exec(sqlRecordUpdate, rec.Ref, blob(rec.Data), updated, rec.AccountID, rec.Kind, rec.Key)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: %s", store.ErrNotFound, recordName(rec.AccountID, rec.Kind, rec.Key))
	}
	r.t.changed(rec.AccountID, rec.Kind, rec.Key)
	return nil
}

func (r recordRepo) Delete(accountID, kind, key string) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	if !textOK(accountID) || !textOK(kind) || !textOK(key) {
		return fmt.Errorf("%w: %s", store.ErrNotFound, recordName(accountID, kind, key))
	}
	n, err := r.t.exec(sqlRecordDelete, accountID, kind, key)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: %s", store.ErrNotFound, recordName(accountID, kind, key))
	}
	r.t.changed(accountID, kind, key)
	return nil
}

// build turns a Query into the variant flags and arguments of recordWhere.
// withAfter is false for Count, which ignores After. empty reports a query
// that cannot match anything (nothing to ask the database).
func (q *queryPlan) build(in store.Query, withAfter bool) (empty bool) {
	for _, s := range []string{in.AccountID, in.Kind, in.Prefix, in.Ref, in.After} {
		if !textOK(s) {
			return true // nothing stored can match text that cannot be stored
		}
	}
	q.args = append(q.args, in.AccountID, in.Kind)
	if in.Ref != "" {
		q.ref = true
		q.args = append(q.args, in.Ref)
	}
	switch {
	case withAfter && in.After != "" && in.After >= in.Prefix:
		q.lower = lowerAfter
		q.args = append(q.args, in.After)
	case in.Prefix != "":
		q.lower = lowerFrom
		q.args = append(q.args, in.Prefix)
	}
	if in.Prefix != "" {
		if end, ok := prefixEnd(in.Prefix); ok {
			if withAfter && in.After >= end {
				return true
			}
			q.upper = true
			q.args = append(q.args, end)
		}
	}
	return false
}

type queryPlan struct {
	ref   bool
	lower int
	upper bool
	args  []any
}

func (r recordRepo) List(in store.Query) ([]store.Record, error) {
	if r.t.err == nil {
		if l, ok := r.t.cache.list(in); ok {
			return l, nil
		}
	}
	l, err := r.list(in)
	r.t.cache.listed(in, l, err)
	return l, err
}

func (r recordRepo) list(in store.Query) ([]store.Record, error) {
	var p queryPlan
	if p.build(in, true) {
		return nil, nil
	}
	p.args = append(p.args, sqlLimit(in.Limit), int64(max(in.Offset, 0)))
	var out []store.Record
	if in.Limit > 0 {
		out = make([]store.Record, 0, min(in.Limit, 1000))
	}
	err := r.t.queryAll(recordListSQL(p.ref, p.lower, p.upper), p.args, func(rows rowsIter) error {
		rec := store.Record{AccountID: in.AccountID, Kind: in.Kind}
		var created, updated int64
		if err := rows.Scan(&rec.Key, &rec.Ref, &rec.Data, &created, &updated); err != nil {
			return err
		}
		rec.Created, rec.Updated = fromNanos(created), fromNanos(updated)
		out = append(out, rec)
		return nil
	})
	return out, err
}

func (r recordRepo) Count(in store.Query) (int, error) {
	if r.t.err == nil {
		if n, ok := r.t.cache.count(in); ok {
			return n, nil
		}
	}
	n, err := r.count(in)
	r.t.cache.counted(in, n, err)
	return n, err
}

func (r recordRepo) count(in store.Query) (int, error) {
	var p queryPlan
	if p.build(in, false) {
		return 0, nil
	}
	var n int64
	err := r.t.queryOne(recordCountSQL(p.ref, p.lower, p.upper), p.args, &n)
	return int(n), err
}
