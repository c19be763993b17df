package sqlstore

import (
	"context"
	"fmt"
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
	s, err := Open(ctx, sqliteOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
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
			if err := s.Read(ctx, func(tx store.Tx) error {
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
