package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Collection is a typed view of one record kind: documents of type T kept
// as JSON in the records of that kind. A domain declares one collection per
// kind, and the declaration says in code what the kind's keys and refs are
// made of (migration 0002 lists the same layout in the database, table
// record_kinds):
//
//	var users = store.Collection[User]{Kind: "user", Key: "lower(name)", Ref: "user id"}
//
// Key and Ref describe; the caller computes the actual key and ref. Every
// method works in the transaction and account it is given and returns the
// store sentinels wrapped (errors.Is(err, ErrNotFound), ErrConflict); a
// document that does not decode is an error naming its kind and key.
type Collection[T any] struct {
	Kind string // record kind, unique in the store
	Key  string // what a key is made of, e.g. "lower(name)"
	Ref  string // what Ref holds; "" when the kind sets none
	// Memo, when set, keeps this node's decoded documents by their bytes
	// (hot kinds read on every call: users, groups, roles).
	Memo *Memo[T]
}

// Get reads and decodes the document under key. The record comes back
// too, for Update (its Data is the encoded document).
func (c Collection[T]) Get(tx Tx, accountID, key string) (*T, Record, error) {
	rec, err := tx.Records().Get(accountID, c.Kind, key)
	if err != nil {
		return nil, rec, err
	}
	v := new(T)
	if err := c.DecodeNew(rec, v); err != nil {
		return nil, rec, err
	}
	return v, rec, nil
}

// GetInto is Get decoding into v, over what v holds: fields the stored
// document lacks keep their values (defaults).
func (c Collection[T]) GetInto(tx Tx, accountID, key string, v *T) (Record, error) {
	rec, err := tx.Records().Get(accountID, c.Kind, key)
	if err != nil {
		return rec, err
	}
	return rec, c.Decode(rec, v)
}

// Exists reports whether a record is stored under key, without decoding it.
func (c Collection[T]) Exists(tx Tx, accountID, key string) (bool, error) {
	_, err := tx.Records().Get(accountID, c.Kind, key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

// Insert stores a new document under key with ref ("" for none), created
// and updated now; ErrConflict when the key is taken.
func (c Collection[T]) Insert(tx Tx, accountID, key, ref string, v *T, now time.Time) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s %q: %w", c.Kind, key, err)
	}
	return tx.Records().Insert(Record{AccountID: accountID, Kind: c.Kind, Key: key, Ref: ref,
		Data: data, Created: now, Updated: now})
}

// Update rewrites the document of rec (as Get or Records returned it),
// keeping its key, ref and creation time; ErrNotFound when it is gone.
func (c Collection[T]) Update(tx Tx, rec Record, v *T, now time.Time) error {
	return c.UpdateRef(tx, rec, rec.Ref, v, now)
}

// UpdateRef is Update that also moves the record's ref.
func (c Collection[T]) UpdateRef(tx Tx, rec Record, ref string, v *T, now time.Time) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s %q: %w", c.Kind, rec.Key, err)
	}
	rec.Kind, rec.Ref, rec.Data, rec.Updated = c.Kind, ref, data, now
	return tx.Records().Update(rec)
}

// Delete removes the record under key; ErrNotFound when there is none.
func (c Collection[T]) Delete(tx Tx, accountID, key string) error {
	return tx.Records().Delete(accountID, c.Kind, key)
}

// List decodes the documents q selects, in key order. q.Kind is always
// the collection's.
func (c Collection[T]) List(tx Tx, q Query) ([]T, error) {
	recs, err := c.Records(tx, q)
	if err != nil {
		return nil, err
	}
	return c.DecodeAll(recs)
}

// Records returns the records q selects without decoding them, for
// callers that need their keys (paging) or decode only some.
func (c Collection[T]) Records(tx Tx, q Query) ([]Record, error) {
	q.Kind = c.Kind
	return tx.Records().List(q)
}

// Count counts the records q selects (ignoring After and Limit).
func (c Collection[T]) Count(tx Tx, q Query) (int, error) {
	q.Kind = c.Kind
	return tx.Records().Count(q)
}

// Decode decodes one record's document into v.
func (c Collection[T]) Decode(rec Record, v *T) error {
	if err := json.Unmarshal(rec.Data, v); err != nil {
		return fmt.Errorf("store: decode %s %q: %w", c.Kind, rec.Key, err)
	}
	return nil
}

// DecodeNew is Decode into a zero v, through the collection's Memo when
// it has one.
func (c Collection[T]) DecodeNew(rec Record, v *T) error {
	if c.Memo != nil {
		return c.Memo.decode(c.Kind, rec, v)
	}
	return c.Decode(rec, v)
}

// DecodeAll decodes the documents of recs, in order, into one slice.
func (c Collection[T]) DecodeAll(recs []Record) ([]T, error) {
	out := make([]T, len(recs))
	for i := range recs {
		if err := c.DecodeNew(recs[i], &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
