package audit

import (
	"context"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
)

// A bad event must fail only its own call, not the calls that shared its
// group commit.
func TestOneBadEventDoesNotFailItsBatch(t *testing.T) {
	st, err := sqlstore.OpenURL(context.Background(), t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := &Appender{st: st}
	now := time.Now()
	good := &item{nonce: &store.Nonce{AccessKeyID: "k", Value: "n1", Expires: now.Add(time.Hour)},
		event: store.Event{ID: "good", Time: now, EventName: "GetUser"}, result: make(chan result, 1)}
	bad := &item{event: store.Event{ID: "bad", Time: now, EventName: "Get\xffUser"}, result: make(chan result, 1)}
	replay := &item{nonce: &store.Nonce{AccessKeyID: "k", Value: "n1", Expires: now.Add(time.Hour)},
		event: store.Event{ID: "replay", Time: now, EventName: "GetUser"}, result: make(chan result, 1)}
	a.commit([]*item{bad, good})
	if r := <-good.result; r.err != nil || !r.fresh {
		t.Fatalf("good call: %+v", r)
	}
	if r := <-bad.result; r.err == nil {
		t.Fatal("bad event was accepted")
	}
	a.commit([]*item{replay})
	if r := <-replay.result; r.err != nil || r.fresh {
		t.Fatalf("replayed nonce: %+v", r)
	}
	var ids []string
	st.Read(context.Background(), func(tx store.Tx) error {
		evs, err := tx.Events().Lookup(store.EventFilter{})
		for _, e := range evs {
			ids = append(ids, e.ID)
		}
		return err
	})
	if len(ids) != 1 || ids[0] != "good" {
		t.Fatalf("stored events %v; want only the good one (the replay's event is dropped)", ids)
	}
}
