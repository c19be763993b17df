// Package storetest is the conformance suite every store.Backend must
// pass, on every dialect: CRUD on each repo, paging, rollback,
// read-only transactions, concurrent writers, account isolation, audit
// events, nonces, the change log and durability across reopen.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// Run runs the suite. open returns a store on the database of the (sub)test
// t it is given: the first call within a test starts from a fresh, empty
// database; later calls within the same test open that same database again
// (as a second process or a restart would). open must register the store's
// Close with t.Cleanup (Close may then run twice) and must be safe to call
// from parallel subtests.
func Run(t *testing.T, open func(t *testing.T) store.Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) store.Backend)
	}{
		{"Accounts", testAccounts},
		{"AccountsWithoutEmail", testAccountsWithoutEmail},
		{"AccessKeys", testAccessKeys},
		{"KeyTouch", testKeyTouch},
		{"Records", testRecords},
		{"RecordPaging", testRecordPaging},
		{"RecordRef", testRecordRef},
		{"AccountPurge", testAccountPurge},
		{"Collection", testCollection},
		{"Rollback", testRollback},
		{"FnErrorUnchanged", testFnErrorUnchanged},
		{"ReadOnly", testReadOnly},
		{"TxAfterEnd", testTxAfterEnd},
		{"BadInput", testBadInput},
		{"ConcurrentCounter", testConcurrentCounter},
		{"ConcurrentKeyLimit", testConcurrentKeyLimit},
		{"AccountIsolation", testAccountIsolation},
		{"Events", testEvents},
		{"EventPaging", testEventPaging},
		{"EventExpiry", testEventExpiry},
		{"EventBatches", testEventBatches},
		{"Nonces", testNonces},
		{"NonceRace", testNonceRace},
		{"ChangeLog", testChangeLog},
		{"Reopen", testReopen},
		{"Closed", testClosed},
		{"Jobs", testJobs},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open)
		})
	}
}

// t0 has nanoseconds so that lossy time storage shows.
var t0 = time.Date(2026, 11, 22, 10, 0, 0, 123456789, time.UTC)

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func mustWrite(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Write(ctxFor(t), fn); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func mustRead(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Read(ctxFor(t), fn); err != nil {
		t.Fatalf("Read: %v", err)
	}
}

func account(id string) store.Account {
	return store.Account{
		ID: id, Email: "owner-" + id + "@example.com", RealName: "Example Ltd " + id,
		Mobile: "86-13800000000", PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA",
		Type: "CloudAccount", Status: "Active", Data: []byte(`{"k":"v"}`),
		Created: t0, Updated: t0,
	}
}

// withAccounts opens a store and creates the given accounts.
func withAccounts(t *testing.T, open func(t *testing.T) store.Backend, ids ...string) store.Backend {
	t.Helper()
	s := open(t)
	mustWrite(t, s, func(tx store.Tx) error {
		for _, id := range ids {
			if err := tx.Accounts().Insert(account(id)); err != nil {
				return err
			}
		}
		return nil
	})
	return s
}

const (
	acctA = "1000000000000001"
	acctB = "1000000000000002"
)

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want %v", what, err, target)
	}
}

func wantNoErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func sameTime(a, b time.Time) bool { return a.Equal(b) || (a.IsZero() && b.IsZero()) }

func diffAccount(got, want store.Account) string {
	if got.ID != want.ID || got.Email != want.Email || got.RealName != want.RealName ||
		got.Mobile != want.Mobile || got.PasswordHash != want.PasswordHash || got.Type != want.Type ||
		got.Status != want.Status || string(got.Data) != string(want.Data) ||
		!sameTime(got.Created, want.Created) || !sameTime(got.Updated, want.Updated) {
		return fmt.Sprintf("got %+v\nwant %+v", got, want)
	}
	return ""
}

func diffKey(got, want store.AccessKey) string {
	if got.ID != want.ID || got.AccountID != want.AccountID || got.UserName != want.UserName ||
		got.Status != want.Status || string(got.SealedSecret) != string(want.SealedSecret) ||
		!sameTime(got.Created, want.Created) || !sameTime(got.Updated, want.Updated) ||
		!sameTime(got.LastUsed, want.LastUsed) {
		return fmt.Sprintf("got %+v\nwant %+v", got, want)
	}
	return ""
}

func diffRecord(got, want store.Record) string {
	if got.AccountID != want.AccountID || got.Kind != want.Kind || got.Key != want.Key ||
		got.Ref != want.Ref || string(got.Data) != string(want.Data) ||
		!sameTime(got.Created, want.Created) || !sameTime(got.Updated, want.Updated) {
		return fmt.Sprintf("got %+v\nwant %+v", got, want)
	}
	return ""
}

func diffEvent(got, want store.Event) string {
	if got.ID != want.ID || got.AccountID != want.AccountID || !got.Time.Equal(want.Time) ||
		got.EventName != want.EventName || got.ServiceName != want.ServiceName ||
		got.EventRW != want.EventRW || got.UserName != want.UserName ||
		got.AccessKeyID != want.AccessKeyID || got.ErrorCode != want.ErrorCode ||
		string(got.Data) != string(want.Data) {
		return fmt.Sprintf("got %+v\nwant %+v", got, want)
	}
	return ""
}
