package sqlstore

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/canopy-iam/canopy/internal/store"
)

// An account without an email stores NULL (migration 0002): NULLs never
// clash in the unique index and never equal anything, so no lookup by email
// can reach an account that has none. Store.Account spells "none" as "",
// so statements convert at the boundary (NULLIF on the way in, coalesce on
// the way out).
const (
	accountCols   = `id, email, real_name, mobile, password_hash, type, status, data, created_ns, updated_ns`
	accountSelect = `SELECT id, coalesce(email, ''), real_name, mobile, password_hash, type, status, data, created_ns, updated_ns FROM accounts`

	// ON CONFLICT DO NOTHING (any unique key: id or email) reports a
	// duplicate as zero rows instead of an error, which on PostgreSQL would
	// abort the whole transaction.
	sqlAccountInsert     = `INSERT INTO accounts (` + accountCols + `) VALUES (?, NULLIF(?, ''), ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`
	sqlAccountGet        = accountSelect + ` WHERE id = ?`
	sqlAccountGetByEmail = accountSelect + ` WHERE email = ?`
	// The NOT EXISTS guard turns a clash with another account's email into
	// zero rows for the same reason.
	sqlAccountUpdate = `UPDATE accounts SET email = NULLIF(?, ''), real_name = ?, mobile = ?, password_hash = ?, type = ?, status = ?, data = ?, updated_ns = ?
		WHERE id = ? AND NOT EXISTS (SELECT 1 FROM accounts o WHERE o.email = ? AND o.id <> ?)`
	sqlAccountExists = `SELECT 1 FROM accounts WHERE id = ?`
	sqlAccountList   = accountSelect + ` WHERE id > ? ORDER BY id LIMIT ?`
)

type accountRepo struct{ t *tx }

func scanAccount(r rowsIter, a *store.Account) error {
	var created, updated int64
	if err := r.Scan(&a.ID, &a.Email, &a.RealName, &a.Mobile, &a.PasswordHash, &a.Type, &a.Status, &a.Data, &created, &updated); err != nil {
		return err
	}
	a.Created, a.Updated = fromNanos(created), fromNanos(updated)
	return nil
}

// accountData stores nil as "{}", as the contract documents.
func accountData(b []byte) []byte {
	if len(b) == 0 {
		return []byte("{}")
	}
	return b
}

func accountArgs(a *store.Account) (email string, created, updated int64, err error) {
	email = strings.ToLower(a.Email)
	if err = checkText("account id", a.ID, "email", email, "real name", a.RealName, "mobile", a.Mobile,
		"password hash", a.PasswordHash, "type", a.Type, "status", a.Status); err != nil {
		return
	}
	if created, err = toNanos("created", a.Created); err != nil {
		return
	}
	updated, err = toNanos("updated", a.Updated)
	return
}

func (r accountRepo) Insert(a store.Account) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	email, created, updated, err := accountArgs(&a)
	if err != nil {
		return err
	}
	n, err := r.t.exec(sqlAccountInsert, a.ID, email, a.RealName, a.Mobile, a.PasswordHash, a.Type, a.Status,
		accountData(a.Data), created, updated)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: account %s or email %s", store.ErrConflict, a.ID, email)
	}
	r.t.changed(a.ID, store.ChangeAccount, a.ID)
	return nil
}

func (r accountRepo) Get(id string) (store.Account, error) {
	return r.get(sqlAccountGet, id, "account "+id)
}

// GetByEmail compares lower-cased, as emails are stored. No email ("")
// names no account.
func (r accountRepo) GetByEmail(email string) (store.Account, error) {
	email = strings.ToLower(email)
	if email == "" {
		return store.Account{}, fmt.Errorf("%w: account without an email", store.ErrNotFound)
	}
	return r.get(sqlAccountGetByEmail, email, "account with email "+email)
}

func (r accountRepo) get(q, arg, what string) (store.Account, error) {
	var a store.Account
	if !textOK(arg) {
		return a, fmt.Errorf("%w: %s", store.ErrNotFound, what)
	}
	rows, err := r.t.query(q, arg)
	if err != nil {
		return a, err
	}
	err = r.t.scanOne(rows, func(rows rowsIter) error { return scanAccount(rows, &a) })
	if errors.Is(err, store.ErrNotFound) {
		return a, fmt.Errorf("%w: %s", store.ErrNotFound, what)
	}
	return a, err
}

func (r accountRepo) Update(a store.Account) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	email, _, updated, err := accountArgs(&a)
	if err != nil {
		return err
	}
	n, err := r.t.exec(sqlAccountUpdate, email, a.RealName, a.Mobile, a.PasswordHash, a.Type, a.Status,
		accountData(a.Data), updated, a.ID, email, a.ID)
	if err != nil {
		return err
	}
	if n == 0 {
		var one int64
		err := r.t.queryOne(sqlAccountExists, []any{a.ID}, &one)
		switch {
		case err == nil:
			return fmt.Errorf("%w: email %s", store.ErrConflict, email)
		case errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("%w: account %s", store.ErrNotFound, a.ID)
		default:
			return err
		}
	}
	r.t.changed(a.ID, store.ChangeAccount, a.ID)
	return nil
}

func (r accountRepo) List(after string, limit int) ([]store.Account, error) {
	if !textOK(after) {
		return nil, nil
	}
	var out []store.Account
	err := r.t.queryAll(sqlAccountList, []any{after, sqlLimit(limit)}, func(rows rowsIter) error {
		var a store.Account
		if err := scanAccount(rows, &a); err != nil {
			return err
		}
		out = append(out, a)
		return nil
	})
	return out, err
}

// sqlLimit maps "no limit" (<= 0) to the largest LIMIT both dialects take.
func sqlLimit(limit int) int64 {
	if limit <= 0 {
		return math.MaxInt64
	}
	return int64(limit)
}
