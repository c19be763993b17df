package iam

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// Record kinds. Keys are chosen so that the listings the APIs need are key
// ranges or Ref lookups:
//
//	user            key lower(name)                     ref user id
//	group           key lower(name)                     ref group id
//	role            key lower(name)                     ref role id
//	policy          key lower(name)                     (custom policies only)
//	policy-version  key lower(policy)/<000007>          ordered by number
//	membership      key <group id>/<user id>            ref user id
//	attachment      key <principal>:<id>/<type>:lower(policy)  ref <type>:lower(policy)
//	login-profile   key user id
//	mfa-device      key lower(device name)
//	mfa-binding     key user id                         (one device per user)
//	setting         key password-policy | security-preference | account-alias
//
// Names are unique without regard to case but always addressed by their
// exact spelling (see lookupKey). Everything that hangs off a user, group or
// role is keyed by its id, so a rename rewrites one record.
const (
	kindUser          = "user"
	kindGroup         = "group"
	kindRole          = "role"
	kindPolicy        = "policy"
	kindPolicyVersion = "policy-version"
	kindMembership    = "membership"
	kindAttachment    = "attachment"
	kindLoginProfile  = "login-profile"
	kindMFADevice     = "mfa-device"
	kindMFABinding    = "mfa-binding"
	kindSetting       = "setting"
)

// lookupKey is the record key of a name. Keys fold ASCII case so that
// "Alice" and "alice" cannot both exist; lookups then compare the stored
// spelling exactly, because resource names in policies match case-sensitively
// and a case variant must never reach an entity a policy names differently.
func lookupKey(name string) string { return strings.ToLower(name) }

// getDoc reads one record and decodes its JSON document into v. It returns
// store.ErrNotFound (wrapped) when the record is missing.
func getDoc(tx store.Tx, accountID, kind, key string, v any) (store.Record, error) {
	rec, err := tx.Records().Get(accountID, kind, key)
	if err != nil {
		return rec, err
	}
	if err := json.Unmarshal(rec.Data, v); err != nil {
		return rec, fmt.Errorf("decode %s %q: %w", kind, key, err)
	}
	return rec, nil
}

// insertDoc stores a new record; store.ErrConflict when the key exists.
func insertDoc(tx store.Tx, accountID, kind, key, ref string, v any, now time.Time) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Records().Insert(store.Record{AccountID: accountID, Kind: kind, Key: key, Ref: ref,
		Data: data, Created: now, Updated: now})
}

// updateDoc rewrites the document of an existing record, keeping its Ref.
func updateDoc(tx store.Tx, rec store.Record, v any, now time.Time) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	rec.Data, rec.Updated = data, now
	return tx.Records().Update(rec)
}

// decodeAll decodes the documents of a record list.
func decodeAll[T any](recs []store.Record) ([]T, error) {
	out := make([]T, len(recs))
	for i, r := range recs {
		if err := json.Unmarshal(r.Data, &out[i]); err != nil {
			return nil, fmt.Errorf("decode %s %q: %w", r.Kind, r.Key, err)
		}
	}
	return out, nil
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
func isConflict(err error) bool { return errors.Is(err, store.ErrConflict) }
