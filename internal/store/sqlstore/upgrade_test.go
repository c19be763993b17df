package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/canopy-iam/canopy/internal/store"
)

// TestUpgradeFromV1: a database made by the first release (schema 1, emails
// required) opens with this binary, which applies migration 0002 without
// losing a row or a reference: on SQLite that rebuilds the accounts table
// that access keys and records point at.
func TestUpgradeFromV1(t *testing.T) {
	for name, create := range map[string]func(*testing.T) Options{"sqlite": sqliteOptions, "postgres": postgresOptions} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			opt := create(t)
			exec := schemaV1(t, opt)
			// What the first release stored: an account with an email,
			// one whose email was "" (v1 allowed a single one), and keys
			// and records hanging off both.
			for _, q := range []struct {
				sql  string
				args []any
			}{
				{`INSERT INTO accounts VALUES (?, ?, 'Owner A', '', 'hash-a', 'CloudAccount', 'Active', ?, 1, 2)`,
					[]any{acctOne, "owner-a@example.com", []byte(`{"k":"v"}`)}},
				{`INSERT INTO accounts VALUES (?, '', 'Owner B', '86-1', '', 'CloudAccount', 'Active', ?, 3, 4)`,
					[]any{acctTwo, []byte(`{}`)}},
				{`INSERT INTO access_keys VALUES ('LTAIa', ?, '', 'Active', ?, 5, 5, 0)`, []any{acctOne, []byte{1}}},
				{`INSERT INTO access_keys VALUES ('LTAIb', ?, 'bob', 'Active', ?, 6, 6, 0)`, []any{acctTwo, []byte{2}}},
				{`INSERT INTO records VALUES (?, 'user', 'alice', '1', ?, 7, 7)`, []any{acctOne, []byte(`{"Name":"alice"}`)}},
				{`INSERT INTO records VALUES (?, 'user', 'bob', '2', ?, 8, 8)`, []any{acctTwo, []byte(`{"Name":"bob"}`)}},
			} {
				exec(q.sql, q.args...)
			}

			s, err := Open(ctx, opt)
			if err != nil {
				t.Fatalf("Open after v1: %v", err)
			}
			defer s.Close()
			err = s.Read(ctx, func(stx store.Tx) error {
				a, err := stx.Accounts().GetByEmail("OWNER-A@example.com")
				if err != nil || a.ID != acctOne || a.PasswordHash != "hash-a" || string(a.Data) != `{"k":"v"}` ||
					a.Created.UnixNano() != 1 || a.Updated.UnixNano() != 2 {
					t.Errorf("account with email after upgrade: %+v, %v", a, err)
				}
				b, err := stx.Accounts().Get(acctTwo)
				if err != nil || b.Email != "" || b.Mobile != "86-1" || b.RealName != "Owner B" {
					t.Errorf("account without email after upgrade: %+v, %v", b, err)
				}
				if _, err := stx.Accounts().GetByEmail(""); !errors.Is(err, store.ErrNotFound) {
					t.Errorf(`GetByEmail("") after upgrade: %v`, err)
				}
				for id, acct := range map[string]string{"LTAIa": acctOne, "LTAIb": acctTwo} {
					if k, err := stx.AccessKeys().Get(id); err != nil || k.AccountID != acct {
						t.Errorf("key %s after upgrade: %+v, %v", id, k, err)
					}
				}
				for key, acct := range map[string]string{"alice": acctOne, "bob": acctTwo} {
					if _, err := stx.Records().Get(acct, "user", key); err != nil {
						t.Errorf("record %s after upgrade: %v", key, err)
					}
				}
				var kinds int64
				if err := stx.(*tx).queryOne(`SELECT count(*) FROM record_kinds`, nil, &kinds); err != nil || kinds == 0 {
					t.Errorf("record_kinds after upgrade: %d rows, %v", kinds, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}

			// The references still bind: nothing may point at a missing
			// account, and an account with keys or records cannot go.
			err = s.Write(ctx, func(tx store.Tx) error {
				return tx.Records().Insert(store.Record{AccountID: "1999999999999999", Kind: "user", Key: "x", Data: []byte(`{}`)})
			})
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("record of a missing account after upgrade: %v", err)
			}
			err = s.Write(ctx, func(stx store.Tx) error {
				_, err := stx.(*tx).exec(`DELETE FROM accounts WHERE id = ?`, acctTwo)
				return err
			})
			if err == nil {
				t.Errorf("deleted an account that keys and records reference")
			}
			// And a second account without an email is now allowed.
			err = s.Write(ctx, func(tx store.Tx) error {
				return tx.Accounts().Insert(store.Account{ID: "1000000000000003", RealName: "Resource", Type: "ResourceAccount", Status: "Active"})
			})
			if err != nil {
				t.Errorf("second account without email after upgrade: %v", err)
			}
		})
	}
}

const (
	acctOne = "1000000000000001"
	acctTwo = "1000000000000002"
)

// schemaV1 creates the database of opt at schema version 1, as the first
// release left it, and returns a function that runs SQL on it.
func schemaV1(t *testing.T, opt Options) func(q string, args ...any) {
	t.Helper()
	ctx := context.Background()
	all, err := loadMigrations(opt.Dialect)
	if err != nil || all[0].version != 1 {
		t.Fatalf("migrations: %v", err)
	}
	var exec func(q string, args ...any) error
	switch opt.Dialect {
	case DialectSQLite:
		db, err := sql.Open("sqlite", opt.Path+"?"+sqliteParams)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		exec = func(q string, args ...any) error { _, err := db.ExecContext(ctx, q, args...); return err }
	default:
		pool, err := pgxpool.New(ctx, opt.DSN)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		exec = func(q string, args ...any) error {
			_, err := pool.Exec(ctx, rebind(DialectPostgres, q), args...)
			return err
		}
	}
	for _, q := range []string{sqlMigrationsTable, all[0].sql} {
		if err := exec(q); err != nil {
			t.Fatalf("schema v1: %v", err)
		}
	}
	if err := exec(`INSERT INTO schema_migrations (version, name, applied_ns) VALUES (1, ?, 1)`, all[0].name); err != nil {
		t.Fatal(err)
	}
	return func(q string, args ...any) {
		t.Helper()
		if err := exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestUpgradeIndexesRootEventsApart: the first release indexed the root
// identity's audit events under user "root", like those of a RAM user named
// root; LookupEvents now finds root's under ":root" (audit.RootUser). The
// upgrade moves the root identity's past events there, so User=root still
// finds them and a RAM user named root does not hide among them.
func TestUpgradeIndexesRootEventsApart(t *testing.T) {
	for name, create := range map[string]func(*testing.T) Options{"sqlite": sqliteOptions, "postgres": postgresOptions} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			opt := create(t)
			exec := schemaV1(t, opt)
			exec(`INSERT INTO accounts VALUES (?, ?, 'Owner A', '', 'hash-a', 'CloudAccount', 'Active', ?, 1, 2)`,
				acctOne, "owner-a@example.com", []byte(`{}`))
			// What the first release's audit.Event wrote for each caller.
			event := func(id, user, typ string) {
				data := `{"eventId":"` + id + `","eventName":"GetUser","userIdentity":{"type":"` + typ +
					`","accountId":"` + acctOne + `","principalId":"1","userName":"root"},"requestParameters":{"UserName":"root"}}`
				exec(`INSERT INTO events VALUES (?, ?, ?, 'GetUser', 'Ram', 'Read', ?, 'LTAIx', '', ?)`,
					acctOne, int64(len(id)), id, user, []byte(data))
			}
			event("by-root", "root", "root-account")
			event("by-ram-user-root", "root", "ram-user")
			event("by-alice", "alice", "ram-user")

			s, err := Open(ctx, opt)
			if err != nil {
				t.Fatalf("Open after v1: %v", err)
			}
			defer s.Close()
			for user, want := range map[string]string{":root": "by-root", "root": "by-ram-user-root", "alice": "by-alice"} {
				err = s.Read(ctx, func(tx store.Tx) error {
					evs, err := tx.Events().Lookup(store.EventFilter{AccountID: acctOne, Start: time.Unix(0, 0),
						End: time.Unix(0, 1000), Attribute: "User", Value: user, Limit: 10})
					if err != nil {
						return err
					}
					var ids []string
					for _, ev := range evs {
						ids = append(ids, ev.ID)
					}
					if len(ids) != 1 || ids[0] != want {
						t.Errorf("events of user %q after upgrade: %v; want only %s", user, ids, want)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
