package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/seglog"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
)

func openLog(t *testing.T, dir string) *seglog.Log {
	t.Helper()
	l, err := seglog.Open(filepath.Join(dir, "auditlog"), seglog.Options{SegmentSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func lookupIDs(t *testing.T, st store.Store, recent Recent, acct string) []string {
	t.Helper()
	var ids []string
	err := st.Read(context.Background(), func(tx store.Tx) error {
		res, err := Lookup(tx, recent, LookupQuery{AccountID: acct, MaxResults: "50", Start: "2026-01-01T00:00:00Z"},
			time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC))
		if err != nil {
			return err
		}
		for _, raw := range res.Events {
			ids = append(ids, string(raw))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func testEvent(i int, acct string) store.Event {
	return store.Event{ID: fmt.Sprintf("ev-%03d", i), AccountID: acct, Time: time.Date(2026, 6, 1, 0, 0, i, 0, time.UTC),
		EventName: "GetUser", EventRW: "Read", Data: []byte(fmt.Sprintf(`"ev-%03d"`, i))}
}

// An event is on this node's record once Submit returns: Recent shows it
// before any fold, the store after one, and never both twice.
func TestSubmitIsVisibleAtOnceAndAfterTheFold(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlstore.OpenURL(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := OpenAppender(context.Background(), st, openLog(t, dir), AppenderConfig{FoldInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for i := range 3 {
		if fresh, err := a.Submit(context.Background(), nil, testEvent(i, "1")); err != nil || !fresh {
			t.Fatalf("Submit: %v %v", fresh, err)
		}
	}
	if got := lookupIDs(t, st, nil, "1"); len(got) != 0 {
		t.Fatalf("store has %v before any fold", got)
	}
	if got := lookupIDs(t, st, a, "1"); len(got) != 3 {
		t.Fatalf("with this node's recent events: %v, want 3", got)
	}
	if err := a.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := lookupIDs(t, st, nil, "1"); len(got) != 3 {
		t.Fatalf("store after the fold: %v, want 3", got)
	}
	if got := lookupIDs(t, st, a, "1"); len(got) != 3 {
		t.Fatalf("store + recent after the fold: %v, want each of 3 once", got)
	}
}

// openUnfolded opens a store and an Appender in a fresh data directory
// that fold nothing until asked: the log keeps every event, as if the node
// died at any moment.
func openUnfolded(t *testing.T) (string, *sqlstore.Store, *seglog.Log, *Appender) {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlstore.OpenURL(context.Background(), dir, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log1 := openLog(t, dir)
	a, err := OpenAppender(context.Background(), st, log1, AppenderConfig{FoldInterval: time.Hour, FoldEvents: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	return dir, st, log1, a
}

// A node that dies before folding leaves its events in its segment log;
// the next node to open that log folds them, exactly once.
func TestUnfoldedTailIsFoldedOnNextOpen(t *testing.T) {
	dir, st, log1, a := openUnfolded(t)
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := a.Submit(context.Background(), &store.Nonce{AccessKeyID: "k", Value: fmt.Sprint(i),
				Expires: time.Now().Add(time.Hour)}, testEvent(i, "1")); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// "Crash": the log is let go without a fold (its lock drops with it,
	// as the kernel drops it when a process dies).
	log1.Close()

	for round := range 2 {
		b, err := OpenAppender(context.Background(), st, openLog(t, dir), AppenderConfig{FoldInterval: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		var all []string
		err = st.Read(context.Background(), func(tx store.Tx) error {
			evs, err := tx.Events().Lookup(store.EventFilter{AccountID: "1"})
			for _, e := range evs {
				all = append(all, e.ID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 100 {
			t.Fatalf("round %d: %d events folded, want 100 exactly", round, len(all))
		}
		nonces := 0
		if err := st.RecentNonces(context.Background(), time.Now(), func(store.Nonce) { nonces++ }); err != nil {
			t.Fatal(err)
		}
		if nonces != 100 {
			t.Fatalf("round %d: %d nonces folded, want 100", round, nonces)
		}
		b.Close()
	}
}

// Submit reuses the items (and record buffers) of answered calls: under
// many concurrent callers, every record in the log must still be its own
// call's, as read back from the log after a "crash" and from memory.
func TestConcurrentSubmitsRecordTheirOwnEvents(t *testing.T) {
	dir, st, log1, a := openUnfolded(t)
	const callers, each = 16, 200
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for i := range each {
				n := c*each + i
				ev := testEvent(n%60, "1")
				ev.ID = fmt.Sprintf("ev-%05d", n)
				// Records of varied sizes, so a reused buffer shows.
				ev.Data = fmt.Appendf(nil, `{"id":%q,"pad":%q}`, ev.ID, strings.Repeat("x", n%700))
				if _, err := a.Submit(context.Background(), &store.Nonce{AccessKeyID: "k", Value: ev.ID,
					Expires: time.Now().Add(time.Hour)}, ev); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	check := func(what string, evs []store.Event) {
		t.Helper()
		if len(evs) != callers*each {
			t.Fatalf("%s: %d events, want %d", what, len(evs), callers*each)
		}
		seen := map[string]bool{}
		for _, e := range evs {
			n := 0
			fmt.Sscanf(e.ID, "ev-%05d", &n)
			want := fmt.Sprintf(`{"id":%q,"pad":%q}`, e.ID, strings.Repeat("x", n%700))
			if string(e.Data) != want || seen[e.ID] {
				t.Fatalf("%s: event %s holds %.80q (seen before: %v)", what, e.ID, e.Data, seen[e.ID])
			}
			seen[e.ID] = true
		}
	}
	check("in memory", a.Recent(store.EventFilter{AccountID: "1"}))
	log1.Close() // a crash: nothing folded

	b, err := OpenAppender(context.Background(), st, openLog(t, dir), AppenderConfig{FoldInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var folded []store.Event
	if err := st.Read(context.Background(), func(tx store.Tx) error {
		folded, err = tx.Events().Lookup(store.EventFilter{AccountID: "1"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	check("folded from the log", folded)
}

// A log that cannot grow (no space for its next segment) fails the call
// as a full store: the API answers 503 ServiceUnavailable naming storage.
func TestAFullDiskIsAFullStore(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EDQUOT} {
		err := diskFull(&os.PathError{Op: "write", Path: "seg-0000000000000002.log", Err: errno})
		if !errors.Is(err, store.ErrStorageFull) || !errors.Is(err, errno) {
			t.Errorf("%v: %v", errno, err)
		}
	}
	if err := diskFull(os.ErrPermission); errors.Is(err, store.ErrStorageFull) {
		t.Errorf("a permission error reads as a full store: %v", err)
	}
}
