package storetest

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// testConcurrentCounter: read-modify-write of one record from many
// goroutines loses no update (G-ST-6: no lost updates at the isolation
// level Write provides).
func testConcurrentCounter(t *testing.T, open func(t *testing.T) store.Backend) {
	const workers, rounds = 32, 20
	s := withAccounts(t, open, acctA)
	c := record(acctA, "counter", "hits")
	c.Data = []byte("0")
	mustWrite(t, s, func(tx store.Tx) error { return tx.Records().Insert(c) })

	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				err := s.Write(ctxFor(t), func(tx store.Tx) error {
					r, err := tx.Records().Get(acctA, "counter", "hits")
					if err != nil {
						return err
					}
					n, err := strconv.Atoi(string(r.Data))
					if err != nil {
						return err
					}
					r.Data = []byte(strconv.Itoa(n + 1))
					return tx.Records().Update(r)
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("increment: %v", err)
	}
	mustRead(t, s, func(tx store.Tx) error {
		r, err := tx.Records().Get(acctA, "counter", "hits")
		wantNoErr(t, "Get", err)
		if got := string(r.Data); got != strconv.Itoa(workers*rounds) {
			t.Errorf("counter = %s, want %d", got, workers*rounds)
		}
		return nil
	})
}

var errLimit = errors.New("storetest: LimitExceeded.AccessKey")

// testConcurrentKeyLimit: 64 goroutines race to create access keys for one
// user under a "at most 2" check made inside Write (G-ST-4).
func testConcurrentKeyLimit(t *testing.T, open func(t *testing.T) store.Backend) {
	const racers = 64
	s := withAccounts(t, open, acctA)
	var wg sync.WaitGroup
	var created, refused atomic.Int32
	start := make(chan struct{})
	for i := 0; i < racers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := s.Write(ctxFor(t), func(tx store.Tx) error {
				n, err := tx.AccessKeys().CountForUser(acctA, "alice")
				if err != nil {
					return err
				}
				if n >= 2 {
					return errLimit
				}
				return tx.AccessKeys().Insert(accessKey(acctA, "alice", fmt.Sprintf("LTAIrace%04d", i), t0))
			})
			switch {
			case err == nil:
				created.Add(1)
			case errors.Is(err, errLimit):
				refused.Add(1)
			default:
				t.Errorf("racer %d: %v", i, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if created.Load() != 2 || refused.Load() != racers-2 {
		t.Errorf("created %d, refused %d; want 2 and %d", created.Load(), refused.Load(), racers-2)
	}
	mustRead(t, s, func(tx store.Tx) error {
		keys, err := tx.AccessKeys().ListForUser(acctA, "alice")
		wantNoErr(t, "ListForUser", err)
		if len(keys) != 2 {
			t.Errorf("%d keys stored, want 2", len(keys))
		}
		return nil
	})
}

// testAccountIsolation: the same record keys, user names and event ids in
// two accounts never collide or leak.
func testAccountIsolation(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA, acctB)
	ids := map[string]string{acctA: "LTAIisoA", acctB: "LTAIisoB"}
	mustWrite(t, s, func(tx store.Tx) error {
		for _, acct := range []string{acctA, acctB} {
			for _, k := range []string{"alice", "bob", "shared"} {
				r := record(acct, "user", k)
				r.Data = []byte(`{"account":"` + acct + `"}`)
				r.Ref = "ref"
				if err := tx.Records().Insert(r); err != nil {
					return err
				}
			}
			if err := tx.AccessKeys().Insert(accessKey(acct, "alice", ids[acct], t0)); err != nil {
				return err
			}
		}
		return nil
	})
	var evs []store.Event
	for _, acct := range []string{acctA, acctB} {
		for i := 0; i < 3; i++ {
			evs = append(evs, store.Event{ID: fmt.Sprintf("req-%d", i), AccountID: acct, Time: t0.Add(time.Duration(i) * time.Second),
				EventName: "GetUser", ServiceName: "Ram", EventRW: "Read", UserName: "alice", AccessKeyID: ids[acct]})
		}
	}
	fold(t, s, evs, nil)

	// Deleting in B leaves A alone.
	mustWrite(t, s, func(tx store.Tx) error { return tx.Records().Delete(acctB, "user", "shared") })
	// Addressing A's key through B fails.
	err := s.Write(ctxFor(t), func(tx store.Tx) error { return tx.AccessKeys().Delete(acctB, ids[acctA]) })
	wantErr(t, "Delete A's key via B", err, store.ErrNotFound)
	err = s.Write(ctxFor(t), func(tx store.Tx) error {
		k := accessKey(acctB, "alice", ids[acctA], t0)
		k.Status = "Inactive"
		return tx.AccessKeys().Update(k)
	})
	wantErr(t, "Update A's key via B", err, store.ErrNotFound)

	mustRead(t, s, func(tx store.Tx) error {
		for acct, wantUsers := range map[string]int{acctA: 3, acctB: 2} {
			q := store.Query{AccountID: acct, Kind: "user"}
			list, err := tx.Records().List(q)
			wantNoErr(t, "List", err)
			if len(list) != wantUsers {
				t.Errorf("%s: %d users, want %d", acct, len(list), wantUsers)
			}
			for _, r := range list {
				if r.AccountID != acct || string(r.Data) != `{"account":"`+acct+`"}` {
					t.Errorf("%s: leaked %+v", acct, r)
				}
			}
			q.Ref = "ref"
			n, err := tx.Records().Count(q)
			wantNoErr(t, "Count", err)
			if n != wantUsers {
				t.Errorf("%s: Count by ref %d, want %d", acct, n, wantUsers)
			}
			r, err := tx.Records().Get(acct, "user", "alice")
			wantNoErr(t, "Get", err)
			if r.AccountID != acct || string(r.Data) != `{"account":"`+acct+`"}` {
				t.Errorf("%s: Get leaked %+v", acct, r)
			}
			keys, err := tx.AccessKeys().ListForUser(acct, "alice")
			wantNoErr(t, "ListForUser", err)
			if len(keys) != 1 || keys[0].ID != ids[acct] {
				t.Errorf("%s: keys %+v", acct, keys)
			}
			cnt, err := tx.AccessKeys().CountForUser(acct, "alice")
			wantNoErr(t, "CountForUser", err)
			if cnt != 1 {
				t.Errorf("%s: CountForUser %d", acct, cnt)
			}
			got, err := tx.Events().Lookup(store.EventFilter{AccountID: acct})
			wantNoErr(t, "Lookup", err)
			if len(got) != 3 {
				t.Errorf("%s: %d events, want 3", acct, len(got))
			}
			for _, e := range got {
				if e.AccountID != acct {
					t.Errorf("%s: event leaked %+v", acct, e)
				}
			}
			got, err = tx.Events().Lookup(store.EventFilter{AccountID: acct, Attribute: "EventId", Value: "req-1"})
			wantNoErr(t, "Lookup by id", err)
			if len(got) != 1 || got[0].AccountID != acct {
				t.Errorf("%s: event by id %+v", acct, got)
			}
			other := ids[acctB]
			if acct == acctB {
				other = ids[acctA]
			}
			got, err = tx.Events().Lookup(store.EventFilter{AccountID: acct, Attribute: "EventAccessKeyId", Value: other})
			wantNoErr(t, "Lookup other account's key", err)
			if len(got) != 0 {
				t.Errorf("%s: events of the other account's key: %+v", acct, got)
			}
		}
		return nil
	})
}

// testNonceRace: of many concurrent uses of one nonce, through Write and
// (on a store shared by nodes) GuardNonces, exactly one is fresh.
func testNonceRace(t *testing.T, open func(t *testing.T) store.Backend) {
	const racers = 16
	s := open(t)
	for round := 0; round < 3; round++ {
		n := store.Nonce{AccessKeyID: "LTAIrace", Value: fmt.Sprintf("nonce-%d", round), Expires: t0.Add(time.Hour)}
		var fresh atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < racers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				if i%2 == 0 || s.Dialect() == "sqlite" {
					var ok bool // set by the last (committed) attempt
					err := s.Write(ctxFor(t), func(tx store.Tx) error {
						var err error
						ok, err = tx.UseNonce(n)
						return err
					})
					if err != nil {
						t.Errorf("UseNonce: %v", err)
					}
					if ok {
						fresh.Add(1)
					}
					return
				}
				res, err := s.GuardNonces(ctxFor(t), []store.Nonce{n})
				if err != nil {
					t.Errorf("GuardNonces: %v", err)
					return
				}
				if res[0] {
					fresh.Add(1)
				}
			}()
		}
		close(start)
		wg.Wait()
		if fresh.Load() != 1 {
			t.Errorf("round %d: nonce fresh %d times, want exactly 1", round, fresh.Load())
		}
	}
}
