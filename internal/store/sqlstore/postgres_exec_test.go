package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// A PostgreSQL Write defers the statements whose outcome its caller is
// told in advance (postgres_exec.go) and runs fn again, eagerly, when one
// of them did not have that outcome. These tests run the same Writes on
// SQLite, whose statements all run at once, and want the same answers.

var errFnOwn = errors.New("fn's own error")

type deferCase struct {
	name string
	fn   func(tx store.Tx) error
}

func deferCases(now time.Time) []deferCase {
	rec := func(key, data string) store.Record {
		return store.Record{AccountID: benchAccount, Kind: "user", Key: key, Data: []byte(data), Created: now, Updated: now}
	}
	return []deferCase{
		{"insert a taken key", func(tx store.Tx) error { return tx.Records().Insert(rec("taken", `{"v":2}`)) }},
		{"insert, else update", func(tx store.Tx) error {
			err := tx.Records().Insert(rec("taken", `{"v":3}`))
			if errors.Is(err, store.ErrConflict) {
				return tx.Records().Update(rec("taken", `{"v":3}`))
			}
			return err
		}},
		{"update a missing row, then read", func(tx store.Tx) error {
			uerr := tx.Records().Update(rec("missing", `{}`))
			if _, err := tx.Records().Get(benchAccount, "user", "taken"); err != nil {
				return err
			}
			return uerr
		}},
		{"delete a missing row, then fail", func(tx store.Tx) error {
			if err := tx.Records().Delete(benchAccount, "user", "missing"); err != nil {
				return fmt.Errorf("delete said: %w", err)
			}
			return errFnOwn
		}},
		{"delete a present row, then fail", func(tx store.Tx) error {
			if err := tx.Records().Delete(benchAccount, "user", "taken"); err != nil {
				return fmt.Errorf("delete said: %w", err)
			}
			return errFnOwn
		}},
		{"replayed nonce", func(tx store.Tx) error {
			fresh, err := tx.UseNonce(store.Nonce{AccessKeyID: "k", Value: "used", Expires: now.Add(time.Hour)})
			if err == nil && !fresh {
				err = errFnOwn
			}
			return err
		}},
		{"second insert conflicts with the first", func(tx store.Tx) error {
			if err := tx.Records().Insert(rec("twice", `{}`)); err != nil {
				return err
			}
			if err := tx.Records().Insert(rec("twice", `{}`)); !errors.Is(err, store.ErrConflict) {
				return fmt.Errorf("second insert: %v", err)
			}
			return tx.Records().Insert(rec("after-twice", `{}`))
		}},
		{"record in an unknown account", func(tx store.Tx) error {
			r := rec("orphan", `{}`)
			r.AccountID = "1999999999999999"
			return tx.Records().Insert(r)
		}},
	}
}

func TestPostgresDeferredWritesAnswerAsEager(t *testing.T) {
	t.Parallel()
	now := time.Now()
	ctx := context.Background()
	for _, c := range deferCases(now) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var answers [2]string
			var states [2]string
			for i, opt := range []Options{sqliteOptions(t), postgresOptions(t)} {
				s, err := Open(ctx, opt)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				err = s.Write(ctx, func(tx store.Tx) error {
					if err := tx.Accounts().Insert(store.Account{ID: benchAccount, Email: "d@example.com", Created: now, Updated: now}); err != nil {
						return err
					}
					if _, err := tx.UseNonce(store.Nonce{AccessKeyID: "k", Value: "used", Expires: now.Add(time.Hour)}); err != nil {
						return err
					}
					return tx.Records().Insert(store.Record{AccountID: benchAccount, Kind: "user", Key: "taken", Data: []byte(`{"v":1}`), Created: now, Updated: now})
				})
				if err != nil {
					t.Fatal(err)
				}
				v0, _ := s.ChangeVersion(ctx)
				err = s.Write(ctx, c.fn)
				answers[i] = outcome(err)
				var recs []store.Record
				if err := s.Read(ctx, func(tx store.Tx) error {
					recs, err = tx.Records().List(store.Query{AccountID: benchAccount, Kind: "user"})
					return err
				}); err != nil {
					t.Fatal(err)
				}
				changes, _, err := s.ChangesSince(ctx, v0)
				if err != nil {
					t.Fatal(err)
				}
				states[i] = fmt.Sprint(len(changes), " changes;")
				for _, r := range recs {
					states[i] += fmt.Sprintf(" %s=%s", r.Key, r.Data)
				}
			}
			if answers[0] != answers[1] {
				t.Errorf("answer: sqlite %s, postgres %s", answers[0], answers[1])
			}
			if states[0] != states[1] {
				t.Errorf("state: sqlite %s; postgres %s", states[0], states[1])
			}
		})
	}
}

// outcome names what a Write returned by the sentinels a caller tests for.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, errFnOwn):
		return "fn's own error: " + err.Error()
	case errors.Is(err, store.ErrConflict):
		return "ErrConflict"
	case errors.Is(err, store.ErrNotFound):
		return "ErrNotFound"
	}
	return "other error"
}

// Blind Writes (all deferred, committed without LOCK TABLE) and Writes that
// read first (eager, with it) race; each must get a version of its own, and
// the log must hold each change once under it.
func TestPostgresDeferredAndEagerWritersSerialize(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, postgresOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	now := time.Now()
	if err := s.Write(ctx, func(tx store.Tx) error {
		if err := tx.Accounts().Insert(store.Account{ID: benchAccount, Email: "r@example.com", Created: now, Updated: now}); err != nil {
			return err
		}
		return tx.Records().Insert(store.Record{AccountID: benchAccount, Kind: "counter", Key: "c", Data: []byte("0"), Created: now, Updated: now})
	}); err != nil {
		t.Fatal(err)
	}
	v0, err := s.ChangeVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers*each)
	for w := range workers {
		wg.Add(2)
		go func() { // blind: one deferred insert per Write
			defer wg.Done()
			for i := range each {
				key := fmt.Sprintf("w%d-%d", w, i)
				errs <- s.Write(ctx, func(tx store.Tx) error {
					return tx.Records().Insert(store.Record{AccountID: benchAccount, Kind: "user", Key: key, Created: now, Updated: now})
				})
			}
		}()
		go func() { // read, then write: eager
			defer wg.Done()
			for range each {
				errs <- s.Write(ctx, func(tx store.Tx) error {
					r, err := tx.Records().Get(benchAccount, "counter", "c")
					if err != nil {
						return err
					}
					var n int
					fmt.Sscan(string(r.Data), &n)
					r.Data = []byte(fmt.Sprint(n + 1))
					return tx.Records().Update(r)
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var counter store.Record
	if err := s.Read(ctx, func(tx store.Tx) error {
		counter, err = tx.Records().Get(benchAccount, "counter", "c")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if got, want := string(counter.Data), fmt.Sprint(workers*each); got != want {
		t.Errorf("counter = %s, want %s (lost updates)", got, want)
	}
	changes, seen, err := s.ChangesSince(ctx, v0)
	if err != nil {
		t.Fatal(err)
	}
	if want := 2 * workers * each; len(changes) != want || seen != v0+int64(want) {
		t.Fatalf("%d changes up to version %d, want %d up to %d", len(changes), seen, want, v0+int64(want))
	}
	for i, c := range changes {
		if c.Version != v0+int64(i)+1 {
			t.Fatalf("change %d has version %d, want %d (one version per Write, none skipped)", i, c.Version, v0+int64(i)+1)
		}
	}
}
