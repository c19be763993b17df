package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

var errBoom = errors.New("storetest: boom")

// testRollback: nothing of a failed Write is visible, including deletes,
// events, nonces and the change log.
func testRollback(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA)
	keep := record(acctA, "user", "keep")
	key := accessKey(acctA, "keep", "LTAIkeep", t0)
	mustWrite(t, s, func(tx store.Tx) error {
		if err := tx.Records().Insert(keep); err != nil {
			return err
		}
		return tx.AccessKeys().Insert(key)
	})
	ctx := ctxFor(t)
	v0, err := s.ChangeVersion(ctx)
	wantNoErr(t, "ChangeVersion", err)
	nonce := store.Nonce{AccessKeyID: key.ID, Value: "n-rollback", Expires: t0.Add(time.Hour)}

	err = s.Write(ctx, func(tx store.Tx) error {
		steps := []func() error{
			func() error { return tx.Accounts().Insert(account(acctB)) },
			func() error {
				a := account(acctA)
				a.Status = "Suspended"
				return tx.Accounts().Update(a)
			},
			func() error { return tx.Records().Insert(record(acctA, "user", "ghost")) },
			func() error {
				k := keep
				k.Data = []byte(`{"changed":true}`)
				return tx.Records().Update(k)
			},
			func() error { return tx.Records().Delete(acctA, "user", "keep") },
			func() error { return tx.AccessKeys().Insert(accessKey(acctA, "keep", "LTAIghost", t0)) },
			func() error { return tx.AccessKeys().Delete(acctA, key.ID) },
			func() error {
				return tx.Events().Append(store.Event{ID: "ev-rollback", AccountID: acctA, Time: t0, EventName: "X"})
			},
			func() error {
				fresh, err := tx.UseNonce(nonce)
				if err == nil && !fresh {
					t.Errorf("nonce not fresh inside the failing Write")
				}
				return err
			},
		}
		for _, step := range steps {
			if err := step(); err != nil {
				t.Errorf("step inside failing Write: %v", err)
			}
		}
		return errBoom
	})
	if err != errBoom {
		t.Fatalf("Write returned %v, want errBoom unchanged", err)
	}

	mustRead(t, s, func(tx store.Tx) error {
		_, err := tx.Accounts().Get(acctB)
		wantErr(t, "inserted account", err, store.ErrNotFound)
		a, err := tx.Accounts().Get(acctA)
		wantNoErr(t, "updated account", err)
		if a.Status != "Active" {
			t.Errorf("account update survived rollback: %s", a.Status)
		}
		_, err = tx.Records().Get(acctA, "user", "ghost")
		wantErr(t, "inserted record", err, store.ErrNotFound)
		r, err := tx.Records().Get(acctA, "user", "keep")
		wantNoErr(t, "deleted record", err)
		if string(r.Data) != string(keep.Data) {
			t.Errorf("record update survived rollback: %s", r.Data)
		}
		_, err = tx.AccessKeys().Get("LTAIghost")
		wantErr(t, "inserted key", err, store.ErrNotFound)
		_, err = tx.AccessKeys().Get(key.ID)
		wantNoErr(t, "deleted key", err)
		evs, err := tx.Events().Lookup(store.EventFilter{AccountID: acctA})
		wantNoErr(t, "Lookup", err)
		if len(evs) != 0 {
			t.Errorf("event survived rollback: %+v", evs)
		}
		return nil
	})
	v1, err := s.ChangeVersion(ctx)
	wantNoErr(t, "ChangeVersion", err)
	if v1 != v0 {
		t.Errorf("change version moved from %d to %d by a rolled-back Write", v0, v1)
	}
	changes, _, err := s.ChangesSince(ctx, v0)
	wantNoErr(t, "ChangesSince", err)
	if len(changes) != 0 {
		t.Errorf("rolled-back changes logged: %+v", changes)
	}
	mustWrite(t, s, func(tx store.Tx) error {
		fresh, err := tx.UseNonce(nonce)
		if err == nil && !fresh {
			t.Errorf("nonce recorded by a rolled-back Write")
		}
		return err
	})
}

// testFnErrorUnchanged: fn's error comes back as the same value, from Read
// and Write, also when fn saw a store error first.
func testFnErrorUnchanged(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA)
	type wireErr struct{ code string }
	we := &wireErr{"EntityNotExist.User"}
	for _, run := range []func(fn func(store.Tx) error) error{
		func(fn func(store.Tx) error) error { return s.Read(ctxFor(t), fn) },
		func(fn func(store.Tx) error) error { return s.Write(ctxFor(t), fn) },
	} {
		err := run(func(tx store.Tx) error {
			if _, err := tx.Records().Get(acctA, "user", "nobody"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Get missing: %v", err)
			}
			return errBoom
		})
		if err != errBoom {
			t.Errorf("got %v, want errBoom itself", err)
		}
		err = run(func(tx store.Tx) error { return errorValue{we} })
		if ev, ok := err.(errorValue); !ok || ev.p != we {
			t.Errorf("got %#v, want the wire error value", err)
		}
	}
}

type errorValue struct{ p any }

func (errorValue) Error() string { return "wire error" }

// testReadOnly: every mutating call fails in Read, and nothing is written.
func testReadOnly(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA)
	mustWrite(t, s, func(tx store.Tx) error { return tx.Records().Insert(record(acctA, "user", "alice")) })
	mustRead(t, s, func(tx store.Tx) error {
		calls := map[string]func() error{
			"Accounts.Insert": func() error { return tx.Accounts().Insert(account(acctB)) },
			"Accounts.Update": func() error { return tx.Accounts().Update(account(acctA)) },
			"AccessKeys.Insert": func() error {
				return tx.AccessKeys().Insert(accessKey(acctA, "alice", "LTAIro", t0))
			},
			"AccessKeys.Update": func() error {
				return tx.AccessKeys().Update(accessKey(acctA, "alice", "LTAIro", t0))
			},
			"AccessKeys.Delete": func() error { return tx.AccessKeys().Delete(acctA, "LTAIro") },
			"Records.Insert":    func() error { return tx.Records().Insert(record(acctA, "user", "bob")) },
			"Records.Update":    func() error { return tx.Records().Update(record(acctA, "user", "alice")) },
			"Records.Delete":    func() error { return tx.Records().Delete(acctA, "user", "alice") },
			"Events.Append": func() error {
				return tx.Events().Append(store.Event{ID: "e", AccountID: acctA, Time: t0})
			},
			"UseNonce": func() error {
				_, err := tx.UseNonce(store.Nonce{AccessKeyID: "k", Value: "v", Expires: t0})
				return err
			},
		}
		for name, call := range calls {
			if err := call(); err == nil {
				t.Errorf("%s succeeded in a read-only transaction", name)
			}
		}
		return nil
	})
	mustRead(t, s, func(tx store.Tx) error {
		_, err := tx.Accounts().Get(acctB)
		wantErr(t, "account from Read", err, store.ErrNotFound)
		_, err = tx.Records().Get(acctA, "user", "bob")
		wantErr(t, "record from Read", err, store.ErrNotFound)
		_, err = tx.Records().Get(acctA, "user", "alice")
		wantNoErr(t, "record deleted from Read", err)
		return nil
	})
	mustWrite(t, s, func(tx store.Tx) error {
		fresh, err := tx.UseNonce(store.Nonce{AccessKeyID: "k", Value: "v", Expires: t0})
		if err == nil && !fresh {
			t.Errorf("nonce recorded from Read")
		}
		return err
	})
}

// testTxAfterEnd: a Tx used after its Read or Write returned (it escaped
// the closure) fails instead of starting a transaction nobody ends; the
// store keeps working.
func testTxAfterEnd(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA)
	var escaped store.Tx
	mustWrite(t, s, func(tx store.Tx) error {
		escaped = tx
		return tx.Records().Insert(record(acctA, "user", "alice"))
	})
	if err := escaped.Records().Insert(record(acctA, "user", "late")); err == nil {
		t.Errorf("insert through a committed Write's Tx succeeded")
	}
	if _, err := escaped.Records().Get(acctA, "user", "alice"); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("read through a committed Write's Tx: %v, want a non-sentinel error", err)
	}
	mustRead(t, s, func(tx store.Tx) error {
		escaped = tx
		return nil
	})
	if _, err := escaped.Records().Get(acctA, "user", "alice"); err == nil {
		t.Errorf("read through an ended Read's Tx succeeded")
	}
	// Still usable, and the late insert did not happen.
	mustWrite(t, s, func(tx store.Tx) error { return tx.Records().Insert(record(acctA, "user", "bob")) })
	mustRead(t, s, func(tx store.Tx) error {
		_, err := tx.Records().Get(acctA, "user", "late")
		wantErr(t, "late insert", err, store.ErrNotFound)
		return nil
	})
}

// testReopen: a second Open of the same database sees committed data, both
// while the first is open (another process) and after both closed.
func testReopen(t *testing.T, open func(t *testing.T) store.Backend) {
	s1 := withAccounts(t, open, acctA)
	mustWrite(t, s1, func(tx store.Tx) error {
		if err := tx.Records().Insert(record(acctA, "user", "alice")); err != nil {
			return err
		}
		return tx.AccessKeys().Insert(accessKey(acctA, "alice", "LTAIdurable", t0))
	})
	fold(t, s1, []store.Event{{ID: "ev1", AccountID: acctA, Time: t0, EventName: "CreateUser"}},
		[]store.Nonce{{AccessKeyID: "LTAIdurable", Value: "n1", Expires: t0.Add(time.Hour)}})
	v1, err := s1.ChangeVersion(ctxFor(t))
	wantNoErr(t, "ChangeVersion", err)

	check := func(s store.Backend) {
		t.Helper()
		mustRead(t, s, func(tx store.Tx) error {
			_, err := tx.Records().Get(acctA, "user", "alice")
			wantNoErr(t, "record after reopen", err)
			_, err = tx.AccessKeys().Get("LTAIdurable")
			wantNoErr(t, "key after reopen", err)
			evs, err := tx.Events().Lookup(store.EventFilter{AccountID: acctA})
			wantNoErr(t, "Lookup", err)
			if len(evs) != 1 {
				t.Errorf("events after reopen: %d, want 1", len(evs))
			}
			return nil
		})
		v, err := s.ChangeVersion(ctxFor(t))
		wantNoErr(t, "ChangeVersion", err)
		if v < v1 {
			t.Errorf("change version after reopen %d < %d", v, v1)
		}
	}
	s2 := open(t)
	check(s2)
	// A write through the second handle is visible to the first.
	mustWrite(t, s2, func(tx store.Tx) error { return tx.Records().Insert(record(acctA, "user", "bob")) })
	mustRead(t, s1, func(tx store.Tx) error {
		_, err := tx.Records().Get(acctA, "user", "bob")
		wantNoErr(t, "write from the other handle", err)
		return nil
	})
	wantNoErr(t, "Close s1", s1.Close())
	wantNoErr(t, "Close s2", s2.Close())
	s3 := open(t)
	check(s3)
}

// testClosed: calls after Close report store.ErrClosed.
func testClosed(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA)
	wantNoErr(t, "Close", s.Close())
	ctx := ctxFor(t)
	wantErr(t, "Read", s.Read(ctx, func(store.Tx) error { return nil }), store.ErrClosed)
	wantErr(t, "Write", s.Write(ctx, func(store.Tx) error { return nil }), store.ErrClosed)
	err := s.FoldEvents(ctx, "log-1", store.LogCursor{Segment: 1}, []store.Event{{ID: "e", AccountID: acctA, Time: t0}}, nil)
	wantErr(t, "FoldEvents", err, store.ErrClosed)
	_, err = s.GuardNonces(ctx, []store.Nonce{{AccessKeyID: "k", Value: "v", Expires: t0}})
	if s.Dialect() != "sqlite" {
		wantErr(t, "GuardNonces", err, store.ErrClosed)
	}
	_, err = s.ChangeVersion(ctx)
	wantErr(t, "ChangeVersion", err, store.ErrClosed)
	_, _, err = s.ChangesSince(ctx, 0)
	wantErr(t, "ChangesSince", err, store.ErrClosed)
	wantErr(t, "Sweep", s.Sweep(ctx, t0, time.Hour), store.ErrClosed)
}
