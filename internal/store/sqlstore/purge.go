package sqlstore

import "github.com/canopy-iam/canopy/internal/store"

// Purging an account (a Resource Directory member being deleted) removes
// all its records and AccessKeys with one statement each. RETURNING names
// every deleted row, so each is logged as a change like a single Delete
// would be: the nodes drop their cached keys and policy layers of the
// account on their next poll, and the writing node before it answers.
const (
	sqlRecordPurge = `DELETE FROM records WHERE account_id = ? RETURNING kind, key`
	sqlKeyPurge    = `DELETE FROM access_keys WHERE account_id = ? RETURNING id`
)

// DeleteAccount implements store.RecordRepo.
func (r recordRepo) DeleteAccount(accountID string) (int, error) {
	if err := r.t.writable(); err != nil {
		return 0, err
	}
	if !textOK(accountID) {
		return 0, nil // nothing stored can be in an account that cannot be stored
	}
	n := 0
	err := r.t.queryAll(sqlRecordPurge, []any{accountID}, func(rows rowsIter) error {
		var kind, key string
		if err := rows.Scan(&kind, &key); err != nil {
			return err
		}
		r.t.changed(accountID, kind, key)
		n++
		return nil
	})
	return n, err
}

// DeleteAccount implements store.AccessKeyRepo.
func (r accessKeyRepo) DeleteAccount(accountID string) (int, error) {
	if err := r.t.writable(); err != nil {
		return 0, err
	}
	if !textOK(accountID) {
		return 0, nil
	}
	n := 0
	err := r.t.queryAll(sqlKeyPurge, []any{accountID}, func(rows rowsIter) error {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		r.t.changed(accountID, store.ChangeAccessKey, id)
		n++
		return nil
	})
	return n, err
}
