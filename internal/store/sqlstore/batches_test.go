package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// An event in both pages (a batch folded twice, or a row and its batch)
// is listed once, and the page holds no zero event in its place.
func TestMergeEventsDropsDuplicatesWithoutZeroEvents(t *testing.T) {
	at := time.Unix(1_700_000_000, 0)
	ev := func(id string, s int) store.Event {
		return store.Event{ID: id, Time: at.Add(time.Duration(s) * time.Second)}
	}
	a := []store.Event{ev("c", 3), ev("b", 2), ev("a", 1)}
	b := []store.Event{ev("c", 3), ev("b", 2), ev("a", 1), ev("z", 0)}
	for _, limit := range []int{0, 3, 10} {
		got := mergeEvents(store.EventFilter{Newest: true, Limit: limit}, a, b)
		want := []string{"c", "b", "a", "z"}
		if limit > 0 && limit < len(want) {
			want = want[:limit]
		}
		if len(got) != len(want) {
			t.Fatalf("limit %d: %d events %v; want %v", limit, len(got), got, want)
		}
		for i, e := range got {
			if e.ID != want[i] {
				t.Fatalf("limit %d: event %d is %q; want %q (%v)", limit, i, e.ID, want[i], got)
			}
		}
	}
}

// A batch whose blob cannot be read is listed as one record-less event at
// its edge, and the lookup pages on past it to the batches beyond, instead
// of failing every page over its time range.
func TestLookupListsAnUnreadableBatchAndPagesPastIt(t *testing.T) {
	ctx := context.Background()
	s := openSQLiteStore(t)
	evs, _ := foldFlood(3*batchEvents, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	if err := s.FoldEvents(ctx, "log", store.LogCursor{Segment: 1, Offset: 1}, evs, nil); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	rows, err := s.be.(*liteBackend).w.QueryContext(ctx, `SELECT id FROM event_batches ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) != 3 {
		t.Fatalf("%d batches; want 3 of %d events", len(ids), batchEvents)
	}
	damaged := ids[1]
	if _, err := s.be.(*liteBackend).w.ExecContext(ctx, `UPDATE event_batches SET data = substr(data, 1, 10) WHERE id = ?`, damaged); err != nil {
		t.Fatal(err)
	}
	for _, newest := range []bool{true, false} {
		f := store.EventFilter{AccountID: evs[0].AccountID, Newest: newest, Limit: 100}
		seen, unreadable := 0, 0
		for page := 0; page < 100; page++ {
			var got []store.Event
			if err := s.Read(ctx, func(tx store.Tx) (err error) {
				got, err = tx.Events().Lookup(f)
				return err
			}); err != nil {
				t.Fatalf("newest %v, page %d: %v", newest, page, err)
			}
			for _, e := range got {
				if e.ID == fmt.Sprintf("unreadable-batch-%d", damaged) && e.Data == nil {
					unreadable++
				} else {
					seen++
				}
			}
			if len(got) < f.Limit {
				break
			}
			last := got[len(got)-1]
			f.CursorTime, f.CursorID = last.Time, last.ID
		}
		if unreadable != 1 || seen != 2*batchEvents {
			t.Fatalf("newest %v: %d readable events and %d unreadable batches; want the other batches' and 1", newest, seen, unreadable)
		}
	}
}

// A damaged nonce batch stops the start (its nonces refuse replays), with
// an error that names the row and what deleting it would cost.
func TestAnUnreadableNonceBatchNamesItsRow(t *testing.T) {
	ctx := context.Background()
	s := openSQLiteStore(t)
	now := time.Now()
	evs, nonces := foldFlood(10, now)
	if err := s.FoldEvents(ctx, "log", store.LogCursor{Segment: 1, Offset: 1}, evs, nonces); err != nil {
		t.Fatal(err)
	}
	if _, err := s.be.(*liteBackend).w.ExecContext(ctx, `UPDATE nonce_batches SET data = substr(data, 1, 30)`); err != nil {
		t.Fatal(err)
	}
	err := s.RecentNonces(ctx, now, func(store.Nonce) {})
	if err == nil || !strings.Contains(err.Error(), "nonce_batches row") || !strings.Contains(err.Error(), "delete that row") {
		t.Fatalf("RecentNonces over a damaged batch: %v", err)
	}
}

// Events folded twice (a segment whose log lost its ID file is folded
// again under a new one) are listed once.
func TestEventsFoldedTwiceAreListedOnce(t *testing.T) {
	ctx := context.Background()
	s := openSQLiteStore(t)
	evs, _ := foldFlood(50, time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	for _, log := range []string{"log-a", "log-b"} {
		if err := s.FoldEvents(ctx, log, store.LogCursor{Segment: 1, Offset: 1}, evs, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []store.EventFilter{{}, {Attribute: "EventName", Value: "GetCallerIdentity"}} {
		f.AccountID, f.Newest, f.Limit = evs[0].AccountID, true, 20
		var got []store.Event
		if err := s.Read(ctx, func(tx store.Tx) (err error) {
			got, err = tx.Events().Lookup(f)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(got); i++ {
			if got[i].ID == got[i-1].ID {
				t.Fatalf("%+v: %s listed twice", f, got[i].ID)
			}
		}
		if len(got) != 20 {
			t.Fatalf("%+v: %d events; want a full page of 20", f, len(got))
		}
	}
}

// openSQLiteStore opens a store in a fresh SQLite file, closed with the test.
func openSQLiteStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), sqliteOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
