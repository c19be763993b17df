package iam

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
)

// env is a service over a fresh SQLite store with accounts to work in.
type env struct {
	t   *testing.T
	svc *Service
	st  store.Store
	now time.Time
}

func newEnv(t *testing.T) *env { return newEnvWith(t, false) }

// newEnvWith is newEnv with the store's read cache on or off (a server
// runs with it on; its reads can remember values, store.Remembering).
func newEnvWith(t *testing.T, readCache bool) *env {
	t.Helper()
	ring, err := keyring.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(context.Background(), sqlstore.Options{Dialect: sqlstore.DialectSQLite,
		Path: filepath.Join(t.TempDir(), "iam.db"), ReadCache: readCache})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &env{t: t, svc: New(ring), st: st, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

// account creates an account row and returns its id.
func (e *env) account() string {
	e.t.Helper()
	id := model.NewAccountID()
	e.write(func(tx store.Tx) error {
		return tx.Accounts().Insert(store.Account{ID: id, Email: id + "@example.com", Type: "CloudAccount",
			Status: "Active", Created: e.now, Updated: e.now})
	})
	return id
}

// do runs fn in a write transaction and returns its error (the
// transaction is rolled back on error, as the API pipeline does).
func (e *env) do(fn func(tx store.Tx) error) error {
	return e.st.Write(context.Background(), fn)
}

// write runs fn and fails the test on error.
func (e *env) write(fn func(tx store.Tx) error) {
	e.t.Helper()
	if err := e.do(fn); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) read(fn func(tx store.Tx) error) {
	e.t.Helper()
	if err := e.st.Read(context.Background(), fn); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) createUser(acct, name string) *User {
	e.t.Helper()
	var u *User
	e.write(func(tx store.Tx) (err error) {
		u, err = e.svc.CreateUser(tx, acct, NewUser{Name: name}, e.now)
		return err
	})
	return u
}

func root(acct string) *model.Principal { return &model.Principal{Kind: model.Root, AccountID: acct} }
