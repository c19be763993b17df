package directory

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
)

// pagesEnv is a directory over a fresh SQLite store.
type pagesEnv struct {
	t   *testing.T
	st  store.Store
	svc *Service
	ma  string
	now time.Time
}

func newPagesEnv(t *testing.T, maxMembers int) *pagesEnv {
	t.Helper()
	ring, err := keyring.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(context.Background(), sqlstore.Options{Dialect: sqlstore.DialectSQLite,
		Path: filepath.Join(t.TempDir(), "rd.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &pagesEnv{t: t, st: st, svc: New(iam.New(ring), Limits{MaxMembers: maxMembers}), ma: model.NewAccountID(),
		now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	e.write(func(tx store.Tx) error {
		if err := tx.Accounts().Insert(store.Account{ID: e.ma, Email: "ma@example.com", RealName: "Example Ltd", Type: "CloudAccount",
			Status: "Active", Created: e.now, Updated: e.now}); err != nil {
			return err
		}
		_, err := e.svc.Enable(tx, e.ma, e.now)
		return err
	})
	return e
}

func (e *pagesEnv) write(fn func(tx store.Tx) error) {
	e.t.Helper()
	if err := e.st.Write(context.Background(), fn); err != nil {
		e.t.Fatal(err)
	}
}

// create adds n members in one transaction.
func (e *pagesEnv) create(n int) {
	e.t.Helper()
	e.write(func(tx store.Tx) error {
		d, _, err := managed(tx, e.ma)
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			if _, err := e.svc.CreateResourceAccount(tx, e.ma, NewResourceAccount{DisplayName: fmt.Sprintf("m %d-%d", d.Members, i)}, e.now); err != nil {
				return err
			}
		}
		return nil
	})
}

// remove deletes a member's record and uncounts it, with or without
// telling the page index.
func (e *pagesEnv) remove(id string, tellIndex bool) {
	e.t.Helper()
	e.write(func(tx store.Tx) error {
		d, rec, err := managed(tx, e.ma)
		if err != nil {
			return err
		}
		if err := members.Delete(tx, e.ma, id); err != nil {
			return err
		}
		d.Members--
		if tellIndex {
			unindexMember(d, id)
		}
		return directories.Update(tx, rec, d, e.now)
	})
}

func (e *pagesEnv) directory() *Directory {
	e.t.Helper()
	var d *Directory
	if err := e.st.Read(context.Background(), func(tx store.Tx) (err error) { d, _, err = managed(tx, e.ma); return err }); err != nil {
		e.t.Fatal(err)
	}
	return d
}

// check lists every page of several sizes and compares with the members
// in key order.
func (e *pagesEnv) check(wantIndexed bool) {
	e.t.Helper()
	var all []string
	err := e.st.Read(context.Background(), func(tx store.Tx) error {
		recs, err := members.Records(tx, store.Query{AccountID: e.ma})
		for _, r := range recs {
			all = append(all, r.Key)
		}
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	d := e.directory()
	runs, ok := parsePages(d.MemberPages)
	if indexed := ok && totalOf(runs) == d.Members; indexed != wantIndexed {
		e.t.Fatalf("index trusted = %v (%d runs, counting %d of %d); want %v", indexed, len(runs), totalOf(runs), d.Members, wantIndexed)
	}
	for _, r := range runs {
		if r.Count > maxRun || (r.Count == 0 && len(runs) > 1) {
			e.t.Fatalf("run %+v out of bounds", r)
		}
	}
	for _, size := range []int{1, 7, 10, 100} {
		for number := 1; (number-1)*size <= len(all)+size; number++ {
			var got []string
			err := e.st.Read(context.Background(), func(tx store.Tx) error {
				l, _, err := e.svc.ListAccounts(tx, e.ma, AccountFilter{}, Page{Number: &number, Size: &size})
				for _, m := range l.Items {
					got = append(got, m.AccountID)
				}
				if err == nil && l.TotalCount != len(all) {
					err = fmt.Errorf("TotalCount %d; want %d", l.TotalCount, len(all))
				}
				return err
			})
			if err != nil {
				e.t.Fatal(err)
			}
			from := min((number-1)*size, len(all))
			if want := all[from:min(from+size, len(all))]; !slices.Equal(got, want) {
				e.t.Fatalf("page %d of %d: %v; want %v", number, size, got, want)
			}
		}
	}
}

func TestMemberPageIndex(t *testing.T) {
	e := newPagesEnv(t, 2000)
	e.create(1)
	e.check(true)
	e.create(300)
	e.check(true)
	for i := 0; i < 5; i++ { // joins in separate transactions split runs too
		e.create(97)
	}
	e.check(true)
	if runs, _ := parsePages(e.directory().MemberPages); len(runs) < 786/maxRun {
		t.Fatalf("%d runs for 786 members", len(runs))
	}

	// Removals that tell the index keep it trusted, down to an empty run.
	var keys []string
	e.st.Read(context.Background(), func(tx store.Tx) error {
		recs, err := members.Records(tx, store.Query{AccountID: e.ma, Limit: 80})
		for _, r := range recs {
			keys = append(keys, r.Key)
		}
		return err
	})
	for _, k := range keys {
		e.remove(k, true)
	}
	e.check(true)

	// A removal that does not makes ListAccounts skip rows instead: still
	// right. A later join at a rebuild point trusts the index again.
	e.st.Read(context.Background(), func(tx store.Tx) error {
		recs, err := members.Records(tx, store.Query{AccountID: e.ma, Limit: 1})
		keys = []string{recs[0].Key}
		return err
	})
	e.remove(keys[0], false)
	e.check(false)
	e.create(2) // the first join drops the index, the second cannot trust it by chance
	e.check(false)
	d := e.directory()
	e.create(rebuildRun - d.Members%rebuildRun)
	e.check(true)
}

func TestParsePagesRefusesWhatItDidNotWrite(t *testing.T) {
	for _, s := range []string{"", "x", ":1;", "a:1", ":1;b:1;a:1", ":-1", ":1;:1", ":x"} {
		if _, ok := parsePages(s); ok {
			t.Errorf("parsePages(%q) accepted", s)
		}
	}
	runs := []pageRun{{"", 3}, {"1000", 5}, {"2000", 0}}
	if got, ok := parsePages(formatPages(runs)); !ok || !slices.Equal(got, runs) {
		t.Fatalf("round trip %v -> %v", runs, got)
	}
}
