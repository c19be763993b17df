package sqlstore

import (
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
