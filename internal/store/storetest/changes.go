package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

func testNonces(t *testing.T, open func(t *testing.T) store.Backend) {
	s := open(t)
	ctx := ctxFor(t)
	soon := store.Nonce{AccessKeyID: "LTAIa", Value: "n1", Expires: t0.Add(time.Minute)}
	late := store.Nonce{AccessKeyID: "LTAIa", Value: "n2", Expires: t0.Add(time.Hour)}
	otherKey := store.Nonce{AccessKeyID: "LTAIb", Value: "n1", Expires: t0.Add(time.Minute)}
	useNonce := func(n store.Nonce) bool {
		t.Helper()
		var ok bool
		mustWrite(t, s, func(tx store.Tx) error {
			var err error
			ok, err = tx.UseNonce(n)
			return err
		})
		return ok
	}
	n3 := store.Nonce{AccessKeyID: "LTAIa", Value: "n3", Expires: t0.Add(time.Minute)}
	if !useNonce(n3) {
		t.Errorf("UseNonce of a new nonce: not fresh")
	}
	if useNonce(n3) {
		t.Errorf("UseNonce twice: fresh")
	}

	// Claims among nodes: only a store shared by several nodes has them.
	fresh, err := s.GuardNonces(ctx, []store.Nonce{soon, late, soon, otherKey})
	wantNoErr(t, "GuardNonces", err)
	if s.Dialect() == "sqlite" {
		if fresh != nil {
			t.Errorf("GuardNonces on a one-node store = %v, want nil", fresh)
		}
	} else {
		if want := []bool{true, true, false, true}; !slices.Equal(fresh, want) {
			t.Errorf("GuardNonces fresh = %v, want %v (a repeat within one batch is not fresh)", fresh, want)
		}
		fresh, err = s.GuardNonces(ctx, []store.Nonce{late, n3})
		wantNoErr(t, "GuardNonces", err)
		if !slices.Equal(fresh, []bool{false, false}) {
			t.Errorf("claimed again, or claimed after UseNonce: fresh = %v", fresh)
		}
		if useNonce(late) {
			t.Errorf("UseNonce of a claimed nonce: fresh")
		}
	}

	// Folded nonces and those of writes come back to a starting node,
	// expired ones do not.
	folded := store.Nonce{AccessKeyID: "LTAIc", Value: "f1", Expires: t0.Add(2 * time.Hour)}
	gone := store.Nonce{AccessKeyID: "LTAIc", Value: "f0", Expires: t0.Add(-time.Second)}
	wantNoErr(t, "FoldEvents", s.FoldEvents(ctx, "log-n", store.LogCursor{Segment: 1, Offset: 10}, nil, []store.Nonce{folded, gone}))
	recent := func(now time.Time) map[store.Nonce]bool {
		got := map[store.Nonce]bool{}
		wantNoErr(t, "RecentNonces", s.RecentNonces(ctx, now, func(n store.Nonce) {
			n.Expires = n.Expires.UTC()
			got[n] = true
		}))
		return got
	}
	got := recent(t0)
	for _, n := range []store.Nonce{folded, n3} {
		n.Expires = n.Expires.UTC()
		if !got[n] {
			t.Errorf("RecentNonces lacks %+v: %v", n, got)
		}
	}
	gone.Expires = gone.Expires.UTC()
	if got[gone] {
		t.Errorf("RecentNonces returned an expired nonce")
	}

	// Sweep forgets what expired before now, and only that.
	wantNoErr(t, "Sweep", s.Sweep(ctx, t0.Add(90*time.Minute), time.Hour))
	if !useNonce(n3) {
		t.Errorf("swept nonce is not fresh again")
	}
	if got := recent(t0); len(got) != 2 { // folded, and n3 used again
		t.Errorf("after Sweep, RecentNonces = %v", got)
	}
	wantNoErr(t, "Sweep", s.Sweep(ctx, t0.Add(3*time.Hour), time.Hour))
	if got := recent(t0); len(got) != 0 {
		t.Errorf("after the last expiry, RecentNonces = %v", got)
	}
	if s.Dialect() != "sqlite" {
		fresh, err = s.GuardNonces(ctx, nil)
		wantNoErr(t, "empty GuardNonces", err)
		if len(fresh) != 0 {
			t.Errorf("empty GuardNonces: %v", fresh)
		}
	}
}

func testChangeLog(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA)
	ctx := ctxFor(t)
	v0, err := s.ChangeVersion(ctx)
	wantNoErr(t, "ChangeVersion", err)
	if v0 <= 0 {
		t.Errorf("version after creating an account = %d, want > 0", v0)
	}

	mustWrite(t, s, func(tx store.Tx) error { return tx.Records().Insert(record(acctA, "user", "alice")) })
	v1, err := s.ChangeVersion(ctx)
	wantNoErr(t, "ChangeVersion", err)
	if v1 <= v0 {
		t.Fatalf("version did not increase: %d -> %d", v0, v1)
	}
	changes, seen, err := s.ChangesSince(ctx, v0)
	wantNoErr(t, "ChangesSince", err)
	want := []store.Change{{Version: v1, AccountID: acctA, Kind: "user", Key: "alice"}}
	if !slices.Equal(changes, want) || seen != v1 {
		t.Errorf("ChangesSince(%d) = %+v, %d; want %+v, %d", v0, changes, seen, want, v1)
	}

	// One Write, several rows (one touched twice): one version, each row once.
	mustWrite(t, s, func(tx store.Tx) error {
		if err := tx.Records().Insert(record(acctA, "group", "dev")); err != nil {
			return err
		}
		r := record(acctA, "user", "alice")
		r.Data = []byte(`{"v":2}`)
		if err := tx.Records().Update(r); err != nil {
			return err
		}
		r.Data = []byte(`{"v":3}`)
		if err := tx.Records().Update(r); err != nil {
			return err
		}
		if err := tx.AccessKeys().Insert(accessKey(acctA, "alice", "LTAIchg", t0)); err != nil {
			return err
		}
		a := account(acctA)
		a.Status = "Suspended"
		return tx.Accounts().Update(a)
	})
	changes, v2, err := s.ChangesSince(ctx, v1)
	wantNoErr(t, "ChangesSince", err)
	got := map[store.Change]int{}
	for _, c := range changes {
		if c.Version != v2 {
			t.Errorf("change %+v: version %d, want %d (one version per Write)", c, c.Version, v2)
		}
		c.Version = 0
		got[c]++
	}
	for _, c := range []store.Change{
		{AccountID: acctA, Kind: "group", Key: "dev"},
		{AccountID: acctA, Kind: "user", Key: "alice"},
		{AccountID: acctA, Kind: "accesskey", Key: "LTAIchg"},
		{AccountID: acctA, Kind: "account", Key: acctA},
	} {
		if got[c] != 1 {
			t.Errorf("change %+v logged %d times, want once", c, got[c])
		}
	}
	if len(changes) != 4 {
		t.Errorf("%d changes, want 4: %+v", len(changes), changes)
	}

	// Deletes are changes too; folding events is not.
	mustWrite(t, s, func(tx store.Tx) error { return tx.AccessKeys().Delete(acctA, "LTAIchg") })
	v3, err := s.ChangeVersion(ctx)
	wantNoErr(t, "ChangeVersion", err)
	err = s.FoldEvents(ctx, "log-c", store.LogCursor{Segment: 1, Offset: 1}, []store.Event{{ID: "e", AccountID: acctA, Time: t0, EventName: "GetUser"}},
		[]store.Nonce{{AccessKeyID: "k", Value: "v", Expires: t0}})
	wantNoErr(t, "FoldEvents", err)
	v4, err := s.ChangeVersion(ctx)
	wantNoErr(t, "ChangeVersion", err)
	if v4 != v3 {
		t.Errorf("FoldEvents moved the change version %d -> %d", v3, v4)
	}
	changes, _, err = s.ChangesSince(ctx, v2)
	wantNoErr(t, "ChangesSince", err)
	if len(changes) != 1 || changes[0].Kind != "accesskey" || changes[0].Version != v3 {
		t.Errorf("delete change: %+v", changes)
	}

	// Polling from the start returns every change once, oldest first.
	changes, seen, err = s.ChangesSince(ctx, 0)
	wantNoErr(t, "ChangesSince(0)", err)
	if seen != v4 {
		t.Errorf("ChangesSince(0) newest = %d, want %d", seen, v4)
	}
	for i := 1; i < len(changes); i++ {
		if changes[i].Version < changes[i-1].Version {
			t.Errorf("changes out of order: %+v", changes)
		}
	}
	changes, seen, err = s.ChangesSince(ctx, v4)
	wantNoErr(t, "ChangesSince(latest)", err)
	if len(changes) != 0 || seen != v4 {
		t.Errorf("ChangesSince(latest) = %+v, %d", changes, seen)
	}

	// Sweep drops old change rows but not the version.
	wantNoErr(t, "Sweep", s.Sweep(ctx, time.Now().Add(time.Hour), time.Minute))
	changes, seen, err = s.ChangesSince(ctx, 0)
	wantNoErr(t, "ChangesSince after Sweep", err)
	if len(changes) != 0 || seen != v4 {
		t.Errorf("after Sweep: %d changes, version %d; want 0, %d", len(changes), seen, v4)
	}
	v5, err := s.ChangeVersion(ctx)
	wantNoErr(t, "ChangeVersion", err)
	if v5 != v4 {
		t.Errorf("Sweep moved the version %d -> %d", v4, v5)
	}
	// A Sweep that keeps recent changes keeps them.
	mustWrite(t, s, func(tx store.Tx) error { return tx.Records().Delete(acctA, "group", "dev") })
	wantNoErr(t, "Sweep", s.Sweep(ctx, time.Now(), time.Hour))
	changes, _, err = s.ChangesSince(ctx, v5)
	wantNoErr(t, "ChangesSince", err)
	if len(changes) != 1 {
		t.Errorf("recent change swept: %+v", changes)
	}
}
