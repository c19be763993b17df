package storetest

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// eventSet is 40 events of account A over 20 seconds, two per second (so
// paging must order ties by id), with varied attributes, plus a few of
// account B in the same span.
func eventSet() []store.Event {
	names := []string{"CreateUser", "GetUser", "DeleteUser", "AssumeRole"}
	users := []string{"alice", "bob", ""}
	var evs []store.Event
	for i := 0; i < 40; i++ {
		e := store.Event{
			ID:          fmt.Sprintf("req-%02d-%c", i/2, "ba"[i%2]), // ids of one second out of insert order
			AccountID:   acctA,
			Time:        t0.Add(time.Duration(i/2) * time.Second),
			EventName:   names[i%len(names)],
			ServiceName: "Ram",
			EventRW:     "Write",
			UserName:    users[i%len(users)],
			AccessKeyID: fmt.Sprintf("LTAIkey%d", i%5),
			Data:        []byte(fmt.Sprintf(`{"n":%d}`, i)),
		}
		if e.EventName == "GetUser" {
			e.EventRW = "Read"
		}
		if e.EventName == "AssumeRole" {
			e.ServiceName = "Sts"
		}
		if i%3 == 1 {
			e.ResourceType, e.ResourceName = "ACS::RAM::User", "acs:ram::"+acctA+":user/"+users[i%len(users)]
		}
		if i == 4 { // a request id: EventId postings bucket these by time
			e.ID = "019AD4C2-1F00-7ABC-8DEF-0123456789AB"
		}
		if i%7 == 0 {
			e.ErrorCode = "EntityNotExist.User"
		}
		if i%4 == 2 { // a sensitive action's record says so
			e.Sensitive = true
			e.Data = []byte(fmt.Sprintf(`{"n":%d,%s}`, i, store.SensitiveMarker))
		}
		evs = append(evs, e)
	}
	for i := 0; i < 5; i++ {
		evs = append(evs, store.Event{ID: fmt.Sprintf("req-%02d-a", i), AccountID: acctB, Time: t0.Add(time.Duration(i) * time.Second),
			EventName: "GetUser", ServiceName: "Ram", EventRW: "Read", UserName: "alice", AccessKeyID: "LTAIkey1"})
	}
	return evs
}

// expectEvents filters evs like Lookup should, in the requested order.
func expectEvents(evs []store.Event, f store.EventFilter) []store.Event {
	var out []store.Event
	for _, e := range evs {
		if e.AccountID != f.AccountID {
			continue
		}
		if !f.Start.IsZero() && e.Time.Before(f.Start) || !f.End.IsZero() && e.Time.After(f.End) {
			continue
		}
		if f.Attribute != "" && e.Attribute(f.Attribute) != f.Value {
			continue
		}
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b store.Event) int {
		c := a.Time.Compare(b.Time)
		if c == 0 {
			c = cmpString(a.ID, b.ID)
		}
		if f.Newest {
			c = -c
		}
		return c
	})
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// lookupAll pages through f with f.Limit per page.
func lookupAll(t *testing.T, s store.Store, f store.EventFilter) []store.Event {
	t.Helper()
	var all []store.Event
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatalf("event paging does not end")
		}
		var page []store.Event
		mustRead(t, s, func(tx store.Tx) error {
			var err error
			page, err = tx.Events().Lookup(f)
			return err
		})
		if f.Limit > 0 && len(page) > f.Limit {
			t.Fatalf("page of %d events over limit %d", len(page), f.Limit)
		}
		all = append(all, page...)
		if f.Limit <= 0 || len(page) < f.Limit {
			return all
		}
		last := page[len(page)-1]
		f.CursorTime, f.CursorID = last.Time, last.ID
	}
}

func sameEvents(t *testing.T, what string, got, want []store.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d events, want %d", what, len(got), len(want))
		return
	}
	for i := range got {
		if d := diffEvent(got[i], want[i]); d != "" {
			t.Errorf("%s: event %d: %s", what, i, d)
			return
		}
	}
}

func testEvents(t *testing.T, open func(t *testing.T) store.Backend) {
	s := open(t)
	evs := eventSet()
	// Half folded from a segment log, half through Append inside a Write.
	fold(t, s, evs[:20], nil)
	mustWrite(t, s, func(tx store.Tx) error {
		for _, e := range evs[20:] {
			if err := tx.Events().Append(e); err != nil {
				return err
			}
		}
		return nil
	})

	filters := []store.EventFilter{
		{},
		{Attribute: "EventName", Value: "CreateUser"},
		{Attribute: "User", Value: "alice"},
		{Attribute: "User", Value: ""},
		{Attribute: "EventRW", Value: "Read"},
		{Attribute: "EventAccessKeyId", Value: "LTAIkey3"},
		{Attribute: "ServiceName", Value: "Sts"},
		{Attribute: "EventId", Value: "req-07-a"},
		{Attribute: "EventId", Value: "req-02-b"},
		{Attribute: "EventId", Value: "019AD4C2-1F00-7ABC-8DEF-0123456789AB"},
		{Attribute: "ResourceType", Value: "ACS::RAM::User"},
		{Attribute: "ResourceName", Value: "acs:ram::" + acctA + ":user/alice"},
		{Attribute: "SensitiveAction", Value: "true"},
		{Attribute: "EventName", Value: "NoSuchEvent"},
		{Start: t0.Add(5 * time.Second), End: t0.Add(9 * time.Second)},
		{Start: t0.Add(5 * time.Second)},
		{End: t0.Add(2 * time.Second)},
		{Start: t0.Add(3 * time.Second), End: t0.Add(12 * time.Second), Attribute: "User", Value: "bob"},
		{Start: t0.Add(time.Hour)},
	}
	for _, f := range filters {
		for _, newest := range []bool{false, true} {
			f := f
			f.AccountID, f.Newest = acctA, newest
			want := expectEvents(evs, f)
			got := lookupAll(t, s, f)
			sameEvents(t, fmt.Sprintf("%+v", f), got, want)
		}
	}
	f := store.EventFilter{AccountID: acctB, Attribute: "User", Value: "alice"}
	sameEvents(t, "account B", lookupAll(t, s, f), expectEvents(evs, f))
	f = store.EventFilter{AccountID: "1999999999999999"}
	sameEvents(t, "no such account", lookupAll(t, s, f), nil)

}

// foldCursor numbers the folds of the conformance tests.
var foldCursor atomic.Int64

// fold stores events and nonces as a node's indexer does, and checks that
// the log's cursor moved.
func fold(t *testing.T, s store.Backend, evs []store.Event, nonces []store.Nonce) {
	t.Helper()
	next := store.LogCursor{Segment: 1, Offset: foldCursor.Add(1)}
	wantNoErr(t, "FoldEvents", s.FoldEvents(ctxFor(t), "log-1", next, evs, nonces))
	got, err := s.FoldCursor(ctxFor(t), "log-1")
	wantNoErr(t, "FoldCursor", err)
	if got != next {
		t.Errorf("FoldCursor = %+v, want %+v", got, next)
	}
	if got, err := s.FoldCursor(ctxFor(t), "log-never"); err != nil || got != (store.LogCursor{}) {
		t.Errorf("FoldCursor of an unknown log = %+v, %v", got, err)
	}
}

// testEventPaging pages with every limit in both directions, with filters,
// and checks every event is returned exactly once, in order.
func testEventPaging(t *testing.T, open func(t *testing.T) store.Backend) {
	s := open(t)
	evs := eventSet()
	fold(t, s, evs, nil)
	for _, limit := range []int{1, 2, 3, 5, 39, 40, 41} {
		for _, newest := range []bool{false, true} {
			for _, base := range []store.EventFilter{
				{},
				{Attribute: "User", Value: "bob"},
				{Start: t0.Add(3 * time.Second), End: t0.Add(15 * time.Second)},
			} {
				f := base
				f.AccountID, f.Newest, f.Limit = acctA, newest, limit
				sameEvents(t, fmt.Sprintf("%+v", f), lookupAll(t, s, f), expectEvents(evs, f))
			}
		}
	}
}

// testEventExpiry: retention deletes what is older than the cutoff in every
// account (and among unidentified callers), and nothing else.
func testEventExpiry(t *testing.T, open func(t *testing.T) store.Backend) {
	s := withAccounts(t, open, acctA, acctB)
	var evs []store.Event
	for i, acct := range []string{acctA, acctB, ""} {
		evs = append(evs,
			store.Event{ID: fmt.Sprintf("old-%d", i), AccountID: acct, Time: t0.Add(-time.Hour), EventName: "GetUser"},
			store.Event{ID: fmt.Sprintf("new-%d", i), AccountID: acct, Time: t0, EventName: "GetUser"})
	}
	fold(t, s, evs, nil)
	wantNoErr(t, "ExpireEvents", s.ExpireEvents(ctxFor(t), t0.Add(-time.Minute)))
	for i, acct := range []string{acctA, acctB, ""} {
		mustRead(t, s, func(tx store.Tx) error {
			got, err := tx.Events().Lookup(store.EventFilter{AccountID: acct})
			wantNoErr(t, "Lookup", err)
			if len(got) != 1 || got[0].ID != fmt.Sprintf("new-%d", i) {
				t.Errorf("account %q after expiry: %v", acct, got)
			}
			return nil
		})
	}
}

// testEventBatches folds more events than one batch holds, over more time
// than one batch spans, in several folds of interleaved times (as two
// nodes would), with rows of writes among them, and checks that every
// filter pages through exactly the expected events in both directions.
func testEventBatches(t *testing.T, open func(t *testing.T) store.Backend) {
	s := open(t)
	names := []string{"GetCallerIdentity", "GetUser", "ListUsers", "GetAccountAlias"}
	var all []store.Event
	for i := 0; i < 2400; i++ {
		e := store.Event{
			ID:          fmt.Sprintf("01%06d-0000-7000-8000-000000000000", i),
			AccountID:   acctA,
			Time:        t0.Add(time.Duration(i%1200)*5*time.Millisecond + time.Duration(i/1200)*time.Millisecond),
			EventName:   names[i%7%len(names)],
			ServiceName: "Ram",
			EventRW:     "Read",
			UserName:    []string{":root", "bench"}[i%5/4],
			AccessKeyID: "LTAIkey",
			Data:        []byte(fmt.Sprintf(`{"i":%d}`, i)),
		}
		if i%9 == 0 {
			e.AccountID = acctB
		}
		if i%100 == 99 {
			e.EventRW, e.EventName = "Write", "CreateUser"
			e.ResourceType, e.ResourceName = "ACS::RAM::User", fmt.Sprintf("acs:ram::%s:user/u%d", e.AccountID, i)
		}
		all = append(all, e)
	}
	var writes []store.Event
	var reads [2][]store.Event // two "nodes", times interleaved
	for i, e := range all {
		if e.EventRW == "Write" {
			writes = append(writes, e)
		} else {
			reads[i/1200] = append(reads[i/1200], e)
		}
	}
	for _, r := range reads {
		fold(t, s, r[:700], nil)
		fold(t, s, r[700:], nil)
	}
	mustWrite(t, s, func(tx store.Tx) error {
		for _, e := range writes {
			if err := tx.Events().Append(e); err != nil {
				return err
			}
		}
		return nil
	})
	filters := []store.EventFilter{
		{},
		{Attribute: "EventName", Value: "GetAccountAlias"},
		{Attribute: "EventRW", Value: "Write"},
		{Attribute: "User", Value: "bench"},
		{Attribute: "EventId", Value: all[1234].ID},
		{Attribute: "ResourceName", Value: all[199].ResourceName},
		{Start: t0.Add(2 * time.Second), End: t0.Add(3500 * time.Millisecond)},
		{Start: t0.Add(time.Second), Attribute: "EventName", Value: "GetUser"},
	}
	for _, f := range filters {
		for _, newest := range []bool{false, true} {
			for _, limit := range []int{0, 7, 50} {
				f := f
				f.AccountID, f.Newest, f.Limit = acctA, newest, limit
				sameEvents(t, fmt.Sprintf("%+v", f), lookupAll(t, s, f), expectEvents(all, f))
			}
		}
	}
}
