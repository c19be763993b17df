package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/canopy-iam/canopy/internal/store"
)

// testAccountPurge: RecordRepo.DeleteAccount and AccessKeyRepo.DeleteAccount
// remove everything of one account and nothing of another, log one change
// per removed row (so every node's caches drop the account), roll back
// with their transaction, and refuse a read-only transaction.
func testAccountPurge(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA, acctB)
	ctx := ctxFor(t)
	var wantChanges []store.Change
	mustWrite(t, s, func(tx store.Tx) error {
		for _, acct := range []string{acctA, acctB} {
			for i, kind := range []string{"user", "role", "policy", "rd-membership"} {
				for j := 0; j < 3+i; j++ {
					rec := record(acct, kind, fmt.Sprintf("%s-%d", kind, j))
					if err := tx.Records().Insert(rec); err != nil {
						return err
					}
					if acct == acctA {
						wantChanges = append(wantChanges, store.Change{AccountID: acct, Kind: kind, Key: rec.Key})
					}
				}
			}
			for _, k := range []store.AccessKey{accessKey(acct, "", "LTAIroot"+acct, t0), accessKey(acct, "alice", "LTAIalice"+acct, t0)} {
				if err := tx.AccessKeys().Insert(k); err != nil {
					return err
				}
				if acct == acctA {
					wantChanges = append(wantChanges, store.Change{AccountID: acct, Kind: store.ChangeAccessKey, Key: k.ID})
				}
			}
		}
		return nil
	})
	counts := func(acct string) (records, keys int) {
		t.Helper()
		mustRead(t, s, func(tx store.Tx) error {
			for _, kind := range []string{"user", "role", "policy", "rd-membership"} {
				n, err := tx.Records().Count(store.Query{AccountID: acct, Kind: kind})
				if err != nil {
					return err
				}
				records += n
			}
			for _, user := range []string{"", "alice"} {
				n, err := tx.AccessKeys().CountForUser(acct, user)
				if err != nil {
					return err
				}
				keys += n
			}
			return nil
		})
		return records, keys
	}

	err := s.Read(ctx, func(tx store.Tx) error {
		_, err := tx.Records().DeleteAccount(acctA)
		return err
	})
	if err == nil {
		t.Errorf("Records().DeleteAccount in a read-only transaction succeeded")
	}
	err = s.Read(ctx, func(tx store.Tx) error {
		_, err := tx.AccessKeys().DeleteAccount(acctA)
		return err
	})
	if err == nil {
		t.Errorf("AccessKeys().DeleteAccount in a read-only transaction succeeded")
	}

	// Rolled back with its transaction: nothing is gone.
	errAbort := errors.New("abort")
	err = s.Write(ctx, func(tx store.Tx) error {
		if _, err := tx.Records().DeleteAccount(acctA); err != nil {
			return err
		}
		if _, err := tx.AccessKeys().DeleteAccount(acctA); err != nil {
			return err
		}
		return errAbort
	})
	wantErr(t, "rolled-back purge", err, errAbort)
	if r, k := counts(acctA); r != 18 || k != 2 {
		t.Fatalf("after a rolled-back purge account A has %d records, %d keys; want 18, 2", r, k)
	}

	v0, err := s.ChangeVersion(ctx)
	wantNoErr(t, "ChangeVersion", err)
	var records, keys int
	mustWrite(t, s, func(tx store.Tx) error {
		var err error
		if records, err = tx.Records().DeleteAccount(acctA); err != nil {
			return err
		}
		keys, err = tx.AccessKeys().DeleteAccount(acctA)
		return err
	})
	if records != 18 || keys != 2 {
		t.Errorf("purge reported %d records, %d keys; want 18, 2", records, keys)
	}
	if r, k := counts(acctA); r != 0 || k != 0 {
		t.Errorf("after the purge account A has %d records, %d keys", r, k)
	}
	if r, k := counts(acctB); r != 18 || k != 2 {
		t.Errorf("the purge of A left account B %d records, %d keys; want 18, 2", r, k)
	}
	mustRead(t, s, func(tx store.Tx) error {
		_, err := tx.AccessKeys().Get("LTAIroot" + acctA)
		wantErr(t, "Get a purged key", err, store.ErrNotFound)
		_, err = tx.AccessKeys().Get("LTAIroot" + acctB)
		wantNoErr(t, "Get a key of the other account", err)
		_, err = tx.Accounts().Get(acctA)
		wantNoErr(t, "the purged account's row stays", err)
		return nil
	})

	// One change per removed row, all under the purge's single version.
	changes, v1, err := s.ChangesSince(ctx, v0)
	wantNoErr(t, "ChangesSince", err)
	if v1 != v0+1 {
		t.Errorf("purge moved the change counter from %d to %d; want one version", v0, v1)
	}
	var got []store.Change
	for _, c := range changes {
		got = append(got, store.Change{AccountID: c.AccountID, Kind: c.Kind, Key: c.Key})
	}
	order := func(a, b store.Change) int {
		return strings.Compare(a.AccountID+"\x00"+a.Kind+"\x00"+a.Key, b.AccountID+"\x00"+b.Kind+"\x00"+b.Key)
	}
	slices.SortFunc(got, order)
	slices.SortFunc(wantChanges, order)
	if !slices.Equal(got, wantChanges) {
		t.Errorf("purge logged changes %+v\nwant %+v", got, wantChanges)
	}

	// Purging again, or an account that has nothing, deletes nothing and
	// logs nothing.
	mustWrite(t, s, func(tx store.Tx) error {
		var err error
		if records, err = tx.Records().DeleteAccount(acctA); err != nil {
			return err
		}
		if keys, err = tx.AccessKeys().DeleteAccount(acctA); err != nil {
			return err
		}
		if n, err := tx.Records().DeleteAccount("not\x00storable"); err != nil || n != 0 {
			return fmt.Errorf("purge of an unstorable account id: %d, %v", n, err)
		}
		return nil
	})
	if records != 0 || keys != 0 {
		t.Errorf("second purge reported %d records, %d keys", records, keys)
	}
	if v2, err := s.ChangeVersion(ctx); err != nil || v2 != v1 {
		t.Errorf("an empty purge moved the change counter to %d (%v); want %d", v2, err, v1)
	}
}
