package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

func testAccounts(t *testing.T, open func(t *testing.T) store.Backend) {
	s := open(t)
	a := account(acctA)
	a.Email = "Owner-A@Example.COM" // stored lower-cased
	b := account(acctB)
	b.Data = nil
	mustWrite(t, s, func(tx store.Tx) error {
		if err := tx.Accounts().Insert(a); err != nil {
			return err
		}
		return tx.Accounts().Insert(b)
	})
	a.Email = strings.ToLower(a.Email)

	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Accounts().Get(acctA)
		wantNoErr(t, "Get", err)
		if d := diffAccount(got, a); d != "" {
			t.Errorf("Get: %s", d)
		}
		got, err = tx.Accounts().GetByEmail("OWNER-a@example.com")
		wantNoErr(t, "GetByEmail", err)
		if got.ID != acctA {
			t.Errorf("GetByEmail: got %s", got.ID)
		}
		got, err = tx.Accounts().Get(acctB)
		wantNoErr(t, "Get b", err)
		if d := string(got.Data); d != "" && d != "{}" {
			t.Errorf("nil Data read back as %q, want {} or empty", d)
		}
		_, err = tx.Accounts().Get("1999999999999999")
		wantErr(t, "Get missing", err, store.ErrNotFound)
		_, err = tx.Accounts().GetByEmail("nobody@example.com")
		wantErr(t, "GetByEmail missing", err, store.ErrNotFound)
		return nil
	})

	// Conflicts on id and on email; the failed insert leaves nothing.
	dupID := account(acctA)
	dupID.Email = "other@example.com"
	dupEmail := account("1000000000000003")
	dupEmail.Email = "OWNER-A@example.com"
	for name, acc := range map[string]store.Account{"id": dupID, "email": dupEmail} {
		err := s.Write(ctxFor(t), func(tx store.Tx) error { return tx.Accounts().Insert(acc) })
		wantErr(t, "duplicate "+name, err, store.ErrConflict)
	}
	mustRead(t, s, func(tx store.Tx) error {
		_, err := tx.Accounts().GetByEmail("other@example.com")
		wantErr(t, "after failed insert", err, store.ErrNotFound)
		return nil
	})

	// Update keeps what it must and changes the rest.
	a2 := a
	a2.Status = "Suspended"
	a2.Email = "new-A@example.com"
	a2.Data = []byte(`{"k":"w"}`)
	a2.Updated = t0.Add(time.Hour)
	mustWrite(t, s, func(tx store.Tx) error { return tx.Accounts().Update(a2) })
	a2.Email = "new-a@example.com"
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Accounts().Get(acctA)
		wantNoErr(t, "Get after update", err)
		if d := diffAccount(got, a2); d != "" {
			t.Errorf("after Update: %s", d)
		}
		_, err = tx.Accounts().GetByEmail(a.Email)
		wantErr(t, "old email", err, store.ErrNotFound)
		return nil
	})
	missing := account("1999999999999999")
	err := s.Write(ctxFor(t), func(tx store.Tx) error { return tx.Accounts().Update(missing) })
	wantErr(t, "Update missing", err, store.ErrNotFound)
	steal := b
	steal.Email = a2.Email
	err = s.Write(ctxFor(t), func(tx store.Tx) error { return tx.Accounts().Update(steal) })
	wantErr(t, "Update to a taken email", err, store.ErrConflict)

	// List pages by id.
	mustWrite(t, s, func(tx store.Tx) error {
		for i := 3; i <= 9; i++ {
			if err := tx.Accounts().Insert(account(fmt.Sprintf("100000000000000%d", i))); err != nil {
				return err
			}
		}
		return nil
	})
	var ids []string
	after := ""
	for {
		var page []store.Account
		mustRead(t, s, func(tx store.Tx) error {
			var err error
			page, err = tx.Accounts().List(after, 4)
			return err
		})
		if len(page) > 4 {
			t.Fatalf("List returned %d > limit 4", len(page))
		}
		for _, p := range page {
			ids = append(ids, p.ID)
		}
		if len(page) < 4 {
			break
		}
		after = page[len(page)-1].ID
	}
	want := []string{}
	for i := 1; i <= 9; i++ {
		want = append(want, fmt.Sprintf("100000000000000%d", i))
	}
	if !slices.Equal(ids, want) {
		t.Errorf("List pages: got %v, want %v", ids, want)
	}
	mustRead(t, s, func(tx store.Tx) error {
		all, err := tx.Accounts().List("", 0)
		wantNoErr(t, "List all", err)
		if len(all) != 9 {
			t.Errorf("List(limit 0) = %d accounts, want 9", len(all))
		}
		return nil
	})
}

// testAccountsWithoutEmail: a resource account has no email and no
// password. Any number of accounts may lack an email, the emails that
// exist stay unique, and no lookup by email reaches an account without one.
func testAccountsWithoutEmail(t *testing.T, open func(t *testing.T) store.Backend) {
	s := open(t)
	bare := func(id string) store.Account {
		a := account(id)
		a.Email, a.PasswordHash = "", ""
		return a
	}
	r1, r2 := bare(acctA), bare(acctB)
	withEmail := account("1000000000000003")
	mustWrite(t, s, func(tx store.Tx) error {
		for _, a := range []store.Account{r1, r2, withEmail} {
			if err := tx.Accounts().Insert(a); err != nil {
				return err
			}
		}
		return nil
	})
	mustRead(t, s, func(tx store.Tx) error {
		for _, want := range []store.Account{r1, r2} {
			got, err := tx.Accounts().Get(want.ID)
			wantNoErr(t, "Get", err)
			if d := diffAccount(got, want); d != "" {
				t.Errorf("account without email: %s", d)
			}
		}
		for _, email := range []string{"", " ", "\x00"} {
			_, err := tx.Accounts().GetByEmail(email)
			wantErr(t, fmt.Sprintf("GetByEmail(%q)", email), err, store.ErrNotFound)
		}
		got, err := tx.Accounts().GetByEmail(withEmail.Email)
		wantNoErr(t, "GetByEmail", err)
		if got.ID != withEmail.ID {
			t.Errorf("GetByEmail found %s", got.ID)
		}
		all, err := tx.Accounts().List("", 0)
		wantNoErr(t, "List", err)
		if len(all) != 3 {
			t.Errorf("List = %d accounts, want 3", len(all))
		}
		return nil
	})

	// A present email is still unique, on insert and on update.
	dup := bare("1000000000000004")
	dup.Email = strings.ToUpper(withEmail.Email)
	err := s.Write(ctxFor(t), func(tx store.Tx) error { return tx.Accounts().Insert(dup) })
	wantErr(t, "duplicate email", err, store.ErrConflict)
	steal := r1
	steal.Email = withEmail.Email
	err = s.Write(ctxFor(t), func(tx store.Tx) error { return tx.Accounts().Update(steal) })
	wantErr(t, "Update to a taken email", err, store.ErrConflict)

	// An account can gain an email and lose it again.
	given := r1
	given.Email, given.PasswordHash = "resource@example.com", "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA"
	mustWrite(t, s, func(tx store.Tx) error { return tx.Accounts().Update(given) })
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Accounts().GetByEmail("resource@example.com")
		wantNoErr(t, "GetByEmail after Update", err)
		if got.ID != r1.ID {
			t.Errorf("GetByEmail after Update found %s", got.ID)
		}
		return nil
	})
	mustWrite(t, s, func(tx store.Tx) error { return tx.Accounts().Update(r1) })
	mustWrite(t, s, func(tx store.Tx) error { return tx.Accounts().Update(r2) }) // two without email again
	mustRead(t, s, func(tx store.Tx) error {
		_, err := tx.Accounts().GetByEmail("resource@example.com")
		wantErr(t, "GetByEmail of a removed email", err, store.ErrNotFound)
		_, err = tx.Accounts().GetByEmail("")
		wantErr(t, `GetByEmail("") after updates`, err, store.ErrNotFound)
		got, err := tx.Accounts().Get(r1.ID)
		wantNoErr(t, "Get", err)
		if d := diffAccount(got, r1); d != "" {
			t.Errorf("after removing the email: %s", d)
		}
		return nil
	})
}

func accessKey(acct, user, id string, created time.Time) store.AccessKey {
	return store.AccessKey{
		ID: id, AccountID: acct, UserName: user, Status: "Active",
		SealedSecret: []byte("sealed\x00\xff" + id), Created: created, Updated: created,
	}
}

func testAccessKeys(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA)
	root := accessKey(acctA, "", "LTAIroot0000000001", t0)
	k1 := accessKey(acctA, "alice", "LTAIzzzz0000000002", t0)
	k2 := accessKey(acctA, "alice", "LTAIaaaa0000000003", t0) // same time: ordered by id
	k3 := accessKey(acctA, "alice", "LTAI00000000000004", t0.Add(-time.Second))
	k3.LastUsed = t0.Add(time.Minute)
	mustWrite(t, s, func(tx store.Tx) error {
		for _, k := range []store.AccessKey{root, k1, k2, k3} {
			if err := tx.AccessKeys().Insert(k); err != nil {
				return err
			}
		}
		return nil
	})
	err := s.Write(ctxFor(t), func(tx store.Tx) error { return tx.AccessKeys().Insert(k1) })
	wantErr(t, "duplicate key", err, store.ErrConflict)

	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.AccessKeys().Get(k3.ID)
		wantNoErr(t, "Get", err)
		if d := diffKey(got, k3); d != "" {
			t.Errorf("Get: %s", d)
		}
		_, err = tx.AccessKeys().Get("LTAInope")
		wantErr(t, "Get missing", err, store.ErrNotFound)

		list, err := tx.AccessKeys().ListForUser(acctA, "alice")
		wantNoErr(t, "ListForUser", err)
		var ids []string
		for _, k := range list {
			ids = append(ids, k.ID)
		}
		if want := []string{k3.ID, k2.ID, k1.ID}; !slices.Equal(ids, want) {
			t.Errorf("ListForUser order: got %v, want %v (created, then id)", ids, want)
		}
		list, err = tx.AccessKeys().ListForUser(acctA, "")
		wantNoErr(t, "ListForUser root", err)
		if len(list) != 1 || list[0].ID != root.ID {
			t.Errorf("root keys: %+v", list)
		}
		n, err := tx.AccessKeys().CountForUser(acctA, "alice")
		wantNoErr(t, "CountForUser", err)
		if n != 3 {
			t.Errorf("CountForUser = %d, want 3", n)
		}
		n, err = tx.AccessKeys().CountForUser(acctA, "bob")
		wantNoErr(t, "CountForUser bob", err)
		if n != 0 {
			t.Errorf("CountForUser(bob) = %d", n)
		}
		return nil
	})

	k1u := k1
	k1u.Status = "Inactive"
	k1u.Updated = t0.Add(time.Hour)
	k1u.LastUsed = t0.Add(2 * time.Hour)
	mustWrite(t, s, func(tx store.Tx) error { return tx.AccessKeys().Update(k1u) })
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.AccessKeys().Get(k1.ID)
		wantNoErr(t, "Get after update", err)
		if d := diffKey(got, k1u); d != "" {
			t.Errorf("after Update: %s", d)
		}
		return nil
	})
	ghost := accessKey(acctA, "alice", "LTAIghost", t0)
	err = s.Write(ctxFor(t), func(tx store.Tx) error { return tx.AccessKeys().Update(ghost) })
	wantErr(t, "Update missing", err, store.ErrNotFound)

	mustWrite(t, s, func(tx store.Tx) error { return tx.AccessKeys().Delete(acctA, k2.ID) })
	err = s.Write(ctxFor(t), func(tx store.Tx) error { return tx.AccessKeys().Delete(acctA, k2.ID) })
	wantErr(t, "Delete twice", err, store.ErrNotFound)
	mustRead(t, s, func(tx store.Tx) error {
		_, err := tx.AccessKeys().Get(k2.ID)
		wantErr(t, "Get deleted", err, store.ErrNotFound)
		n, err := tx.AccessKeys().CountForUser(acctA, "alice")
		wantNoErr(t, "CountForUser", err)
		if n != 2 {
			t.Errorf("CountForUser after delete = %d, want 2", n)
		}
		return nil
	})
}

func record(acct, kind, key string) store.Record {
	return store.Record{
		AccountID: acct, Kind: kind, Key: key,
		Data:    []byte(`{"name":"` + key + `"}`),
		Created: t0, Updated: t0,
	}
}

func testRecords(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA)
	r := record(acctA, "user", "alice")
	r.Ref = "group:dev"
	mustWrite(t, s, func(tx store.Tx) error { return tx.Records().Insert(r) })
	err := s.Write(ctxFor(t), func(tx store.Tx) error { return tx.Records().Insert(r) })
	wantErr(t, "duplicate record", err, store.ErrConflict)

	// The same key under another kind is another record.
	mustWrite(t, s, func(tx store.Tx) error { return tx.Records().Insert(record(acctA, "role", "alice")) })

	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Records().Get(acctA, "user", "alice")
		wantNoErr(t, "Get", err)
		if d := diffRecord(got, r); d != "" {
			t.Errorf("Get: %s", d)
		}
		_, err = tx.Records().Get(acctA, "user", "Alice")
		wantErr(t, "Get is case-sensitive", err, store.ErrNotFound)
		_, err = tx.Records().Get(acctA, "group", "alice")
		wantErr(t, "Get other kind", err, store.ErrNotFound)
		return nil
	})

	// Update rewrites ref, data and updated, and keeps created.
	r2 := r
	r2.Ref = ""
	r2.Data = []byte(`{"name":"alice","v":2}`)
	r2.Created = t0.Add(99 * time.Hour) // must be ignored
	r2.Updated = t0.Add(time.Hour)
	mustWrite(t, s, func(tx store.Tx) error { return tx.Records().Update(r2) })
	r2.Created = t0
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Records().Get(acctA, "user", "alice")
		wantNoErr(t, "Get after update", err)
		if d := diffRecord(got, r2); d != "" {
			t.Errorf("after Update: %s", d)
		}
		return nil
	})
	err = s.Write(ctxFor(t), func(tx store.Tx) error { return tx.Records().Update(record(acctA, "user", "nobody")) })
	wantErr(t, "Update missing", err, store.ErrNotFound)

	mustWrite(t, s, func(tx store.Tx) error { return tx.Records().Delete(acctA, "user", "alice") })
	err = s.Write(ctxFor(t), func(tx store.Tx) error { return tx.Records().Delete(acctA, "user", "alice") })
	wantErr(t, "Delete twice", err, store.ErrNotFound)
	mustRead(t, s, func(tx store.Tx) error {
		_, err := tx.Records().Get(acctA, "user", "alice")
		wantErr(t, "Get deleted", err, store.ErrNotFound)
		_, err = tx.Records().Get(acctA, "role", "alice")
		wantNoErr(t, "other kind survives", err)
		return nil
	})

	// Insert after delete works; insert-or-update inside one Write works
	// (a conflict must not poison the transaction).
	mustWrite(t, s, func(tx store.Tx) error {
		if err := tx.Records().Insert(r); err != nil {
			return err
		}
		err := tx.Records().Insert(r)
		if !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("second insert: %v", err)
		}
		return tx.Records().Update(r2)
	})
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Records().Get(acctA, "user", "alice")
		wantNoErr(t, "Get", err)
		if string(got.Data) != string(r2.Data) {
			t.Errorf("insert-or-update: data %s", got.Data)
		}
		return nil
	})
}

// pagingKeys mixes case, digits, punctuation and non-ASCII, whose byte
// order differs from most locales' collation order.
var pagingKeys = []string{
	"a", "A", "b", "B", "aa", "aA", "Aa", "a-b", "a_b", "a.b", "a/b", "a/b/c", "a0", "a9", "a10",
	"0", "00", "1", "9", "10", "-", "_", ".", "/", "~",
	"é", "e", "f", "z", "Z", "ß", "ss", "日本", "日", "本", "ä", "äb", "a\u00e4", "α", "Ω",
	"user/Alice", "user/alice", "user/bob", "user/Bob", "user-", "user_", "user.", "user",
	"\U0001F600", "\U0010FFFF", "\U0010FFFFx", "z\U0010FFFF", "\uFFFD", "\uE000",
}

func testRecordPaging(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA)
	mustWrite(t, s, func(tx store.Tx) error {
		for _, k := range pagingKeys {
			if err := tx.Records().Insert(record(acctA, "policy", k)); err != nil {
				return err
			}
		}
		// Same keys under a neighbouring kind must never show up.
		for _, k := range pagingKeys[:10] {
			if err := tx.Records().Insert(record(acctA, "policyx", k)); err != nil {
				return err
			}
		}
		return nil
	})
	sorted := slices.Clone(pagingKeys)
	slices.Sort(sorted) // Go compares strings byte-wise

	prefixes := []string{"", "a", "A", "a/", "a/b", "user", "user/", "user/a", "日", "ä", "\U0010FFFF", "z", "zz", "é", "0"}
	for _, prefix := range prefixes {
		var want []string
		for _, k := range sorted {
			if strings.HasPrefix(k, prefix) {
				want = append(want, k)
			}
		}
		for _, limit := range []int{0, 1, 2, 3, 7, 100} {
			got := pageAll(t, s, store.Query{AccountID: acctA, Kind: "policy", Prefix: prefix, Limit: limit})
			if !slices.Equal(got, want) {
				t.Errorf("prefix %q limit %d:\n got %q\nwant %q", prefix, limit, got, want)
			}
		}
		mustRead(t, s, func(tx store.Tx) error {
			n, err := tx.Records().Count(store.Query{AccountID: acctA, Kind: "policy", Prefix: prefix, After: "zzz", Limit: 1})
			wantNoErr(t, "Count", err)
			if n != len(want) {
				t.Errorf("Count prefix %q = %d, want %d (Count ignores After/Limit)", prefix, n, len(want))
			}
			return nil
		})
	}

	// Page-number paging: Offset skips matches in key order, with or
	// without a limit, and past the end returns nothing.
	mustRead(t, s, func(tx store.Tx) error {
		for _, c := range []struct{ offset, limit int }{{0, 3}, {2, 3}, {len(sorted) - 1, 5}, {len(sorted), 5}, {4, 0}, {-1, 2}} {
			got, err := tx.Records().List(store.Query{AccountID: acctA, Kind: "policy", Offset: c.offset, Limit: c.limit})
			wantNoErr(t, "List with Offset", err)
			from := min(max(c.offset, 0), len(sorted))
			to := len(sorted)
			if c.limit > 0 {
				to = min(from+c.limit, len(sorted))
			}
			if keys := recordKeys(got); !slices.Equal(keys, sorted[from:to]) {
				t.Errorf("offset %d limit %d: got %q, want %q", c.offset, c.limit, keys, sorted[from:to])
			}
		}
		return nil
	})

	// After below the prefix range starts at the prefix; after above it
	// returns nothing.
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Records().List(store.Query{AccountID: acctA, Kind: "policy", Prefix: "user/", After: "a"})
		wantNoErr(t, "List", err)
		if len(got) != 4 {
			t.Errorf("After below prefix: %d rows, want 4", len(got))
		}
		got, err = tx.Records().List(store.Query{AccountID: acctA, Kind: "policy", Prefix: "user/", After: "v"})
		wantNoErr(t, "List", err)
		if len(got) != 0 {
			t.Errorf("After above prefix: %d rows, want 0", len(got))
		}
		got, err = tx.Records().List(store.Query{AccountID: acctA, Kind: "nothing"})
		wantNoErr(t, "List empty kind", err)
		if len(got) != 0 {
			t.Errorf("empty kind: %d rows", len(got))
		}
		return nil
	})
}

// pageAll pages through q with q.Limit per page (one page when 0) and
// returns the keys; it fails the test on a page over the limit or a key out
// of order or seen twice.
func pageAll(t *testing.T, s store.Store, q store.Query) []string {
	t.Helper()
	var keys []string
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("paging does not end")
		}
		var page []store.Record
		mustRead(t, s, func(tx store.Tx) error {
			var err error
			page, err = tx.Records().List(q)
			return err
		})
		if q.Limit > 0 && len(page) > q.Limit {
			t.Fatalf("page of %d rows over limit %d", len(page), q.Limit)
		}
		for _, r := range page {
			if r.AccountID != q.AccountID || r.Kind != q.Kind {
				t.Fatalf("List returned %s/%s/%s for %s/%s", r.AccountID, r.Kind, r.Key, q.AccountID, q.Kind)
			}
			if n := len(keys); n > 0 && keys[n-1] >= r.Key {
				t.Fatalf("key %q after %q: not in byte order or repeated", r.Key, keys[n-1])
			}
			keys = append(keys, r.Key)
		}
		if q.Limit <= 0 || len(page) < q.Limit {
			return keys
		}
		q.After = page[len(page)-1].Key
	}
}

func testRecordRef(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA)
	// Memberships: key "<group>/<user>", ref = user, so both directions
	// can be listed.
	members := map[string][]string{"dev": {"alice", "bob", "Carol"}, "ops": {"bob"}, "qa": {"alice", "dave"}}
	mustWrite(t, s, func(tx store.Tx) error {
		for g, users := range members {
			for _, u := range users {
				r := record(acctA, "membership", g+"/"+u)
				r.Ref = u
				if err := tx.Records().Insert(r); err != nil {
					return err
				}
			}
		}
		return nil
	})
	cases := []struct {
		q    store.Query
		want []string
	}{
		{store.Query{Ref: "alice"}, []string{"dev/alice", "qa/alice"}},
		{store.Query{Ref: "bob"}, []string{"dev/bob", "ops/bob"}},
		{store.Query{Ref: "bob", Limit: 1}, []string{"dev/bob", "ops/bob"}},
		{store.Query{Ref: "bob", Prefix: "o"}, []string{"ops/bob"}},
		{store.Query{Ref: "nobody"}, nil},
		{store.Query{Prefix: "dev/"}, []string{"dev/Carol", "dev/alice", "dev/bob"}},
	}
	for _, c := range cases {
		c.q.AccountID, c.q.Kind = acctA, "membership"
		got := pageAll(t, s, c.q)
		if !slices.Equal(got, c.want) {
			t.Errorf("%+v: got %q, want %q", c.q, got, c.want)
		}
		mustRead(t, s, func(tx store.Tx) error {
			n, err := tx.Records().Count(c.q)
			wantNoErr(t, "Count", err)
			if n != len(c.want) {
				t.Errorf("Count %+v = %d, want %d", c.q, n, len(c.want))
			}
			return nil
		})
	}
}

// testBadInput: text neither backend can store identically (invalid UTF-8,
// NUL) is refused on write and simply not found on read; nothing panics.
func testBadInput(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA)
	bad := []string{"\xff\xfe", "a\x00b"}
	for _, k := range bad {
		err := s.Write(ctxFor(t), func(tx store.Tx) error { return tx.Records().Insert(record(acctA, "user", k)) })
		if err == nil {
			t.Errorf("Insert with key %q succeeded", k)
		}
		mustRead(t, s, func(tx store.Tx) error {
			_, err := tx.Records().Get(acctA, "user", k)
			wantErr(t, "Get bad key", err, store.ErrNotFound)
			_, err = tx.Records().List(store.Query{AccountID: acctA, Kind: "user", Prefix: k})
			if err != nil {
				t.Logf("List with bad prefix: %v", err)
			}
			_, err = tx.AccessKeys().Get(k)
			wantErr(t, "Get bad access key", err, store.ErrNotFound)
			_, err = tx.Accounts().Get(k)
			wantErr(t, "Get bad account", err, store.ErrNotFound)
			return nil
		})
	}
	// A record in an account that does not exist is refused.
	err := s.Write(ctxFor(t), func(tx store.Tx) error { return tx.Records().Insert(record("1999999999999999", "user", "x")) })
	if err == nil {
		t.Errorf("record in a missing account was stored")
	}
	// Times outside what can be stored are an error, not a panic.
	r := record(acctA, "user", "old")
	r.Created = time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)
	if err := s.Write(ctxFor(t), func(tx store.Tx) error { return tx.Records().Insert(r) }); err == nil {
		t.Errorf("record created in year 1 was stored")
	}
	err = s.Write(ctxFor(t), func(tx store.Tx) error {
		return tx.Events().Append(store.Event{ID: "e", AccountID: acctA, Time: t0, EventName: "\xff"})
	})
	if err == nil {
		t.Errorf("event with invalid UTF-8 was stored")
	}
	err = s.Read(ctxFor(t), func(tx store.Tx) error {
		_, err := tx.Events().Lookup(store.EventFilter{AccountID: acctA, Attribute: "NoSuchAttribute", Value: "x"})
		return err
	})
	if err == nil {
		t.Errorf("Lookup with an unknown attribute succeeded")
	}
}

// testKeyTouch: last use moves forward only, records no change, and an
// unknown id is ignored.
func testKeyTouch(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA)
	key := store.AccessKey{ID: "LTAItouch", AccountID: acctA, UserName: "u", Status: "Active",
		SealedSecret: []byte{1}, Created: t0, Updated: t0}
	mustWrite(t, s, func(tx store.Tx) error { return tx.AccessKeys().Insert(key) })
	before, err := s.ChangeVersion(ctxFor(t))
	wantNoErr(t, "ChangeVersion", err)
	later := t0.Add(time.Hour)
	wantNoErr(t, "TouchAccessKeys", s.TouchAccessKeys(ctxFor(t), map[string]time.Time{"LTAItouch": later, "LTAIunknown": later}))
	wantNoErr(t, "TouchAccessKeys", s.TouchAccessKeys(ctxFor(t), map[string]time.Time{"LTAItouch": t0}))
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.AccessKeys().Get("LTAItouch")
		wantNoErr(t, "Get", err)
		if !got.LastUsed.Equal(later) {
			t.Errorf("LastUsed = %v, want %v (never moved back)", got.LastUsed, later)
		}
		return nil
	})
	after, err := s.ChangeVersion(ctxFor(t))
	wantNoErr(t, "ChangeVersion", err)
	if after != before {
		t.Errorf("TouchAccessKeys moved the change version %d -> %d", before, after)
	}
}

func recordKeys(recs []store.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.Key
	}
	return out
}
