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

	ev := store.Event{ID: "e1", AccountID: acctA, Time: t0, EventName: "GetUser"}
	fresh, err := s.AppendEvents(ctx, []store.Nonce{soon, late, soon, otherKey}, []store.Event{ev})
	wantNoErr(t, "AppendEvents", err)
	if want := []bool{true, true, false, true}; !slices.Equal(fresh, want) {
		t.Errorf("AppendEvents fresh = %v, want %v (a repeat within one batch is not fresh)", fresh, want)
	}
	fresh, err = s.AppendEvents(ctx, []store.Nonce{late}, nil)
	wantNoErr(t, "AppendEvents", err)
	if !slices.Equal(fresh, []bool{false}) {
		t.Errorf("reused nonce: fresh = %v", fresh)
	}
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
	if useNonce(soon) {
		t.Errorf("UseNonce of a nonce AppendEvents recorded: fresh")
	}
	n3 := store.Nonce{AccessKeyID: "LTAIa", Value: "n3", Expires: t0.Add(time.Minute)}
	if !useNonce(n3) {
		t.Errorf("UseNonce of a new nonce: not fresh")
	}
	if useNonce(n3) {
		t.Errorf("UseNonce twice: fresh")
	}
	fresh, err = s.AppendEvents(ctx, []store.Nonce{n3}, nil)
	wantNoErr(t, "AppendEvents", err)
	if !slices.Equal(fresh, []bool{false}) {
		t.Errorf("AppendEvents of a nonce UseNonce recorded: fresh = %v", fresh)
	}
	// The event paired with a reused nonce is a replay's: it is not
	// stored; an unpaired event of the same batch is.
	fresh, err = s.AppendEvents(ctx, []store.Nonce{soon}, []store.Event{
		{ID: "e2", AccountID: acctA, Time: t0, EventName: "GetUser"},
		{ID: "e3", AccountID: acctA, Time: t0, EventName: "ListUsers"}})
	wantNoErr(t, "AppendEvents", err)
	if fresh[0] {
		t.Errorf("reused nonce reported fresh")
	}
	mustRead(t, s, func(tx store.Tx) error {
		evs, err := tx.Events().Lookup(store.EventFilter{AccountID: acctA})
		wantNoErr(t, "Lookup", err)
		var ids []string
		for _, e := range evs {
			ids = append(ids, e.ID)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []string{"e1", "e3"}) {
			t.Errorf("stored events %v, want [e1 e3] (e2 was paired with a reused nonce)", ids)
		}
		return nil
	})

	// Sweep forgets what expired before now, and only that.
	wantNoErr(t, "Sweep", s.Sweep(ctx, t0.Add(30*time.Minute), time.Hour))
	if !useNonce(soon) {
		t.Errorf("swept nonce is not fresh again")
	}
	if !useNonce(otherKey) {
		t.Errorf("swept nonce of another key is not fresh again")
	}
	if useNonce(late) {
		t.Errorf("unexpired nonce was swept")
	}
	// Empty calls are fine.
	fresh, err = s.AppendEvents(ctx, nil, nil)
	wantNoErr(t, "empty AppendEvents", err)
	if len(fresh) != 0 {
		t.Errorf("empty AppendEvents: %v", fresh)
	}
	// A large batch crosses every statement-size boundary.
	var many []store.Nonce
	var evs []store.Event
	for i := 0; i < 300; i++ {
		many = append(many, store.Nonce{AccessKeyID: "LTAIbulk", Value: string(rune('a'+i%26)) + time.Duration(i).String(), Expires: t0.Add(time.Hour)})
		evs = append(evs, store.Event{ID: time.Duration(i).String(), AccountID: acctB, Time: t0.Add(time.Duration(i)), EventName: "GetUser"})
	}
	fresh, err = s.AppendEvents(ctx, many, evs)
	wantNoErr(t, "bulk AppendEvents", err)
	for i, f := range fresh {
		if !f {
			t.Fatalf("bulk nonce %d not fresh", i)
		}
	}
	mustRead(t, s, func(tx store.Tx) error {
		got, err := tx.Events().Lookup(store.EventFilter{AccountID: acctB})
		wantNoErr(t, "Lookup", err)
		if len(got) != 300 {
			t.Errorf("bulk: %d events stored, want 300", len(got))
		}
		return nil
	})
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

	// Deletes are changes too; AppendEvents is not.
	mustWrite(t, s, func(tx store.Tx) error { return tx.AccessKeys().Delete(acctA, "LTAIchg") })
	v3, err := s.ChangeVersion(ctx)
	wantNoErr(t, "ChangeVersion", err)
	_, err = s.AppendEvents(ctx, []store.Nonce{{AccessKeyID: "k", Value: "v", Expires: t0}},
		[]store.Event{{ID: "e", AccountID: acctA, Time: t0, EventName: "GetUser"}})
	wantNoErr(t, "AppendEvents", err)
	v4, err := s.ChangeVersion(ctx)
	wantNoErr(t, "ChangeVersion", err)
	if v4 != v3 {
		t.Errorf("AppendEvents moved the change version %d -> %d", v3, v4)
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
