package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/audit"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
	"github.com/canopy-iam/canopy/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, nil)) }

// startNode starts a node; stop shuts it down (once).
func startNode(t *testing.T, dataDir, db string) (a *App, stop func() error) {
	t.Helper()
	a, err := New(context.Background(), Config{DataDir: dataDir, DB: db,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	stop = func() error {
		once.Do(func() { err = a.Shutdown(context.Background()) })
		return err
	}
	t.Cleanup(func() { stop() })
	return a, stop
}

// readyJobs returns the jobs of kind waiting to run.
func readyJobs(t *testing.T, st store.Store, kind string) []store.Job {
	t.Helper()
	var out []store.Job
	err := st.Read(context.Background(), func(tx store.Tx) error {
		all, err := tx.Jobs().List(store.JobQuery{Kind: kind})
		for _, j := range all {
			if j.State == store.JobReady {
				out = append(out, j)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// firstRunsDone reports whether both recurring jobs have run since start:
// their pending run is then due a period later.
func firstRunsDone(t *testing.T, st store.Store, start time.Time) bool {
	for _, kind := range []string{jobStoreSweep, jobAuditExpire} {
		ready := readyJobs(t, st, kind)
		if len(ready) == 0 || !ready[0].RunAt.After(start.Add(time.Second)) {
			return false
		}
	}
	return true
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestSweepJobs: a node's recurring jobs expire old audit events and
// nonces, and queue their next runs.
func TestSweepJobs(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	now := time.Now()
	st, err := sqlstore.OpenURL(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	old := store.Nonce{AccessKeyID: "LTAIold", Value: "n", Expires: now.Add(-time.Hour)}
	events := []store.Event{
		{ID: "ev-old", Time: now.Add(-audit.Retention - time.Hour), EventName: "GetUser"},
		{ID: "ev-new", Time: now.Add(-time.Hour), EventName: "GetUser"},
	}
	if err := st.FoldEvents(ctx, "log-sweep-test", store.LogCursor{Segment: 1, Offset: 1}, events, []store.Nonce{old}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	start := time.Now()
	a, stop := startNode(t, dir, "")
	waitFor(t, "the first runs of the recurring jobs", func() bool { return firstRunsDone(t, a.Store, start) })
	for kind, period := range map[string]time.Duration{jobStoreSweep: time.Minute, jobAuditExpire: time.Hour} {
		ready := readyJobs(t, a.Store, kind)
		if len(ready) != 1 {
			t.Fatalf("%s: %d pending runs, want 1", kind, len(ready))
		}
		if d := ready[0].RunAt.Sub(start); d < period || d > period+time.Minute {
			t.Errorf("%s: next run in %v, want about %v", kind, d, period)
		}
	}
	var left []string
	err = a.Store.Read(ctx, func(tx store.Tx) error {
		evs, err := tx.Events().Lookup(store.EventFilter{AccountID: ""})
		for _, e := range evs {
			left = append(left, e.ID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != "ev-new" {
		t.Errorf("events after expiry: %v, want [ev-new]", left)
	}
	// The expired nonce was forgotten: even asked as of before it
	// expired, the store no longer has it.
	var kept []store.Nonce
	if err := a.Store.RecentNonces(ctx, old.Expires.Add(-time.Hour), func(n store.Nonce) {
		if n.AccessKeyID == old.AccessKeyID {
			kept = append(kept, n)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if len(kept) != 0 {
		t.Errorf("expired nonce not swept: %v", kept)
	}
	if err := stop(); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// TestSweepJobsTwoNodes: two nodes on one PostgreSQL database share one
// series of each recurring job rather than running one each.
func TestSweepJobsTwoNodes(t *testing.T) {
	dsn := pgtest.FreshDatabase(t, pgtest.Start(t))
	start := time.Now()
	a, stopA := startNode(t, t.TempDir(), dsn)
	b, stopB := startNode(t, t.TempDir(), dsn)
	waitFor(t, "the first runs of the recurring jobs", func() bool { return firstRunsDone(t, a.Store, start) })
	for _, kind := range []string{jobStoreSweep, jobAuditExpire} {
		if ready := readyJobs(t, b.Store, kind); len(ready) != 1 {
			t.Errorf("%s: %d pending runs across two nodes, want 1: %+v", kind, len(ready), ready)
		}
	}
	if err := errors.Join(stopA(), stopB()); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}
