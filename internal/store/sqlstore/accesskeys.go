package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

const (
	keyCols = `id, account_id, user_name, status, sealed_secret, created_ns, updated_ns, last_used_ns`

	sqlKeyInsert = `INSERT INTO access_keys (` + keyCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	sqlKeyGet    = `SELECT ` + keyCols + ` FROM access_keys WHERE id = ?`
	sqlKeyList   = `SELECT ` + keyCols + ` FROM access_keys WHERE account_id = ? AND user_name = ? ORDER BY created_ns, id`
	// The owner never changes: the key is addressed by (account, id) and
	// only its state is rewritten.
	sqlKeyUpdate = `UPDATE access_keys SET status = ?, sealed_secret = ?, updated_ns = ?, last_used_ns = ? WHERE account_id = ? AND id = ?`
	sqlKeyDelete = `DELETE FROM access_keys WHERE account_id = ? AND id = ?`
	sqlKeyCount  = `SELECT count(*) FROM access_keys WHERE account_id = ? AND user_name = ?`
)

type accessKeyRepo struct{ t *tx }

func scanKey(r rowsIter, k *store.AccessKey) error {
	var created, updated, used int64
	if err := r.Scan(&k.ID, &k.AccountID, &k.UserName, &k.Status, &k.SealedSecret, &created, &updated, &used); err != nil {
		return err
	}
	k.Created, k.Updated, k.LastUsed = fromNanos(created), fromNanos(updated), fromNanos(used)
	return nil
}

func keyTimes(k *store.AccessKey) (created, updated, used int64, err error) {
	if created, err = toNanos("created", k.Created); err != nil {
		return
	}
	if updated, err = toNanos("updated", k.Updated); err != nil {
		return
	}
	used, err = toNanos("last used", k.LastUsed)
	return
}

func (r accessKeyRepo) Insert(k store.AccessKey) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	if err := checkText("access key id", k.ID, "account id", k.AccountID, "user name", k.UserName, "status", k.Status); err != nil {
		return err
	}
	created, updated, used, err := keyTimes(&k)
	if err != nil {
		return err
	}
	n, err := r.t.exec(sqlKeyInsert, k.ID, k.AccountID, k.UserName, k.Status, blob(k.SealedSecret), created, updated, used)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: access key %s", store.ErrConflict, k.ID)
	}
	r.t.changed(k.AccountID, store.ChangeAccessKey, k.ID)
	return nil
}

func (r accessKeyRepo) Get(id string) (store.AccessKey, error) {
	var k store.AccessKey
	if !textOK(id) {
		return k, fmt.Errorf("%w: access key %s", store.ErrNotFound, id)
	}
	rows, err := r.t.query(sqlKeyGet, id)
	if err != nil {
		return k, err
	}
	err = r.t.scanOne(rows, func(rows rowsIter) error { return scanKey(rows, &k) })
	if errors.Is(err, store.ErrNotFound) {
		return k, fmt.Errorf("%w: access key %s", store.ErrNotFound, id)
	}
	return k, err
}

func (r accessKeyRepo) ListForUser(accountID, userName string) ([]store.AccessKey, error) {
	if !textOK(accountID) || !textOK(userName) {
		return nil, nil
	}
	var out []store.AccessKey
	err := r.t.queryAll(sqlKeyList, []any{accountID, userName}, func(rows rowsIter) error {
		var k store.AccessKey
		if err := scanKey(rows, &k); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	})
	return out, err
}

func (r accessKeyRepo) Update(k store.AccessKey) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	if err := checkText("access key id", k.ID, "account id", k.AccountID, "status", k.Status); err != nil {
		return err
	}
	_, updated, used, err := keyTimes(&k)
	if err != nil {
		return err
	}
	n, err := r.t.exec(sqlKeyUpdate, k.Status, blob(k.SealedSecret), updated, used, k.AccountID, k.ID)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: access key %s in account %s", store.ErrNotFound, k.ID, k.AccountID)
	}
	r.t.changed(k.AccountID, store.ChangeAccessKey, k.ID)
	return nil
}

func (r accessKeyRepo) Delete(accountID, id string) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	if !textOK(accountID) || !textOK(id) {
		return fmt.Errorf("%w: access key %s in account %s", store.ErrNotFound, id, accountID)
	}
	n, err := r.t.exec(sqlKeyDelete, accountID, id)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: access key %s in account %s", store.ErrNotFound, id, accountID)
	}
	r.t.changed(accountID, store.ChangeAccessKey, id)
	return nil
}

func (r accessKeyRepo) CountForUser(accountID, userName string) (int, error) {
	if !textOK(accountID) || !textOK(userName) {
		return 0, nil
	}
	var n int64
	err := r.t.queryOne(sqlKeyCount, []any{accountID, userName}, &n)
	return int(n), err
}

// sqlKeyTouch moves a key's last use forward, never back.
const sqlKeyTouch = `UPDATE access_keys SET last_used_ns = ? WHERE id = ? AND last_used_ns < ?`

// TouchAccessKeys implements store.KeyUsage in one short transaction, outside
// the Write lock and without a change record.
func (s *Store) TouchAccessKeys(ctx context.Context, used map[string]time.Time) error {
	if s.closed.Load() {
		return store.ErrClosed
	}
	items := make([]batchItem, 0, len(used))
	for id, at := range used {
		if !textOK(id) {
			continue
		}
		ns, err := toNanos("last used", at)
		if err != nil {
			return err
		}
		items = append(items, batchItem{st: s.stmt(sqlKeyTouch), args: []any{ns, id, ns}})
	}
	if len(items) == 0 {
		return nil
	}
	// Sorted ids lock rows in one order, so two nodes touching the same
	// keys cannot deadlock on PostgreSQL.
	slices.SortFunc(items, func(a, b batchItem) int { return strings.Compare(a.args[1].(string), b.args[1].(string)) })
	return s.withRetry(ctx, func() error {
		return s.be.run(ctx, txAppend, func(ex executor) error { return ex.commit(ctx, items) })
	})
}
