package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/jobs"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
	"github.com/canopy-iam/canopy/internal/testutil/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, nil)) }

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

// clock is a fake clock tests move by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openSQLite(t *testing.T, path string) *sqlstore.Store {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "canopy.db")
	}
	s, err := sqlstore.Open(context.Background(), sqlstore.Options{Dialect: sqlstore.DialectSQLite, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openPostgres(t *testing.T, dsn string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), sqlstore.Options{Dialect: sqlstore.DialectPostgres, DSN: dsn})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func enqueue(t *testing.T, s store.Store, jobs ...store.Job) {
	t.Helper()
	err := s.Write(ctxFor(t), func(tx store.Tx) error {
		for _, j := range jobs {
			if _, err := tx.Jobs().Enqueue(j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func getJob(t *testing.T, s store.Store, id string) (store.Job, error) {
	t.Helper()
	var j store.Job
	err := s.Read(ctxFor(t), func(tx store.Tx) error {
		var err error
		j, err = tx.Jobs().Get(id)
		return err
	})
	return j, err
}

func mustGetJob(t *testing.T, s store.Store, id string) store.Job {
	t.Helper()
	j, err := getJob(t, s, id)
	if err != nil {
		t.Fatalf("job %s: %v", id, err)
	}
	return j
}

func wantGone(t *testing.T, s store.Store, id string) {
	t.Helper()
	if j, err := getJob(t, s, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("job %s still there (%v): %+v", id, err, j)
	}
}

func listJobs(t *testing.T, s store.Store, kind string) []store.Job {
	t.Helper()
	var out []store.Job
	err := s.Read(ctxFor(t), func(tx store.Tx) error {
		var err error
		out, err = tx.Jobs().List(store.JobQuery{Kind: kind})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func runDue(t *testing.T, r *jobs.Runner, want int) {
	t.Helper()
	n, err := r.RunDue(ctxFor(t))
	if err != nil {
		t.Fatalf("RunDue: %v", err)
	}
	if n != want {
		t.Errorf("RunDue ran %d jobs, want %d", n, want)
	}
}

func newRunner(s jobs.Store, c *clock, opt jobs.Options) *jobs.Runner {
	opt.Clock = c.Now
	opt.Log = quiet
	return jobs.New(s, opt)
}

func TestRunsAndCompletes(t *testing.T) {
	s := openSQLite(t, "")
	c := newClock()
	r := newRunner(s, c, jobs.Options{})
	var got []string
	var mu sync.Mutex
	r.Handle("greet", func(_ context.Context, j store.Job) error {
		mu.Lock()
		got = append(got, string(j.Payload))
		mu.Unlock()
		return nil
	})
	enqueue(t, s, store.Job{ID: "g1", Kind: "greet", Payload: []byte("hello")},
		store.Job{ID: "g2", Kind: "greet", Payload: []byte("later"), RunAt: t0.Add(time.Hour)})
	runDue(t, r, 1)
	if len(got) != 1 || got[0] != "hello" {
		t.Errorf("handler saw %q", got)
	}
	wantGone(t, s, "g1")
	mustGetJob(t, s, "g2")
	c.Add(time.Hour)
	runDue(t, r, 1)
	wantGone(t, s, "g2")
}

// TestRetryBackoff: a failing job is retried after exponentially growing,
// capped waits, on the injected clock, and fails for good after
// MaxAttempts with its last error kept.
func TestRetryBackoff(t *testing.T) {
	s := openSQLite(t, "")
	c := newClock()
	r := newRunner(s, c, jobs.Options{MinBackoff: time.Second, MaxBackoff: 5 * time.Second, MaxAttempts: 5})
	var calls atomic.Int32
	r.Handle("flaky", func(context.Context, store.Job) error {
		return fmt.Errorf("boom %d", calls.Add(1))
	})
	enqueue(t, s, store.Job{ID: "f", Kind: "flaky"})
	waits := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second}
	for attempt := 1; attempt <= 5; attempt++ {
		runDue(t, r, 1)
		j := mustGetJob(t, s, "f")
		if j.Attempts != attempt || j.LastError != fmt.Sprintf("boom %d", attempt) || j.Owner != "" {
			t.Fatalf("after attempt %d: %+v", attempt, j)
		}
		if attempt == 5 {
			if j.State != store.JobFailed {
				t.Fatalf("after the last attempt: state %s, want failed", j.State)
			}
			break
		}
		wait := waits[attempt-1]
		if j.State != store.JobReady || !j.RunAt.Equal(c.Now().Add(wait)) {
			t.Fatalf("after attempt %d: state %s, due %v, want ready and due in %v", attempt, j.State, j.RunAt, wait)
		}
		runDue(t, r, 0)
		c.Add(wait - time.Nanosecond)
		runDue(t, r, 0)
		c.Add(time.Nanosecond)
	}
	c.Add(24 * time.Hour)
	runDue(t, r, 0)
	if n := calls.Load(); n != 5 {
		t.Errorf("handler called %d times, want 5", n)
	}
}

func TestPermanentAndPanic(t *testing.T) {
	s := openSQLite(t, "")
	c := newClock()
	r := newRunner(s, c, jobs.Options{})
	r.Handle("bad", func(context.Context, store.Job) error { return jobs.Permanent(errors.New("malformed payload")) })
	r.Handle("crash", func(context.Context, store.Job) error { panic("handler bug") })
	enqueue(t, s, store.Job{ID: "b", Kind: "bad"}, store.Job{ID: "p", Kind: "crash"})
	runDue(t, r, 2)
	if b := mustGetJob(t, s, "b"); b.State != store.JobFailed || b.Attempts != 1 || b.LastError != "malformed payload" {
		t.Errorf("permanently failed job: %+v", b)
	}
	// A panic is a failed attempt like any other, and the runner survives.
	p := mustGetJob(t, s, "p")
	if p.State != store.JobReady || p.Attempts != 1 || !strings.HasPrefix(p.LastError, "panic: handler bug") {
		t.Errorf("panicked job: %+v", p)
	}
}

// TestOnlyHandledKinds: a runner leaves jobs it has no handler for (a newer
// node's work during a rolling upgrade) to the nodes that do.
func TestOnlyHandledKinds(t *testing.T) {
	s := openSQLite(t, "")
	c := newClock()
	r := newRunner(s, c, jobs.Options{})
	r.Handle("a", func(context.Context, store.Job) error { return nil })
	enqueue(t, s, store.Job{ID: "b", Kind: "b"})
	runDue(t, r, 0)
	if b := mustGetJob(t, s, "b"); b.Attempts != 0 || b.Owner != "" {
		t.Errorf("unhandled job was claimed: %+v", b)
	}
}

// TestRecurring: periodic work runs once per period however many nodes
// register it, and a failed run neither stops the series nor is retried.
func TestRecurring(t *testing.T) {
	s := openSQLite(t, "")
	c := newClock()
	var (
		mu   sync.Mutex
		runs []time.Time
		fail atomic.Bool
	)
	var nodes []*jobs.Runner
	for range 3 {
		r := newRunner(s, c, jobs.Options{})
		r.Every("tick", time.Minute, func(_ context.Context, now time.Time) error {
			mu.Lock()
			runs = append(runs, now)
			mu.Unlock()
			if fail.Load() {
				return errors.New("tick failed")
			}
			return nil
		})
		nodes = append(nodes, r)
	}
	runAll := func(want int) {
		t.Helper()
		total := 0
		for _, r := range nodes {
			n, err := r.RunDue(ctxFor(t))
			if err != nil {
				t.Fatal(err)
			}
			total += n
		}
		if total != want {
			t.Errorf("at %v: %d runs across the nodes, want %d", c.Now(), total, want)
		}
	}
	pending := func() store.Job {
		t.Helper()
		var ready []store.Job
		for _, j := range listJobs(t, s, "tick") {
			if j.State == store.JobReady {
				ready = append(ready, j)
			}
		}
		if len(ready) != 1 {
			t.Fatalf("%d pending runs, want 1: %+v", len(ready), ready)
		}
		return ready[0]
	}

	runAll(1) // the first run is due at once
	if next := pending(); !next.RunAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("next run due %v, want %v", next.RunAt, t0.Add(time.Minute))
	}
	c.Add(time.Minute - time.Second)
	runAll(0)
	c.Add(time.Second)
	runAll(1)

	fail.Store(true)
	c.Add(time.Minute)
	runAll(1)
	failed := 0
	for _, j := range listJobs(t, s, "tick") {
		if j.State == store.JobFailed {
			failed++
			if j.LastError != "tick failed" {
				t.Errorf("failed run kept error %q", j.LastError)
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d failed runs kept, want 1", failed)
	}
	if next := pending(); !next.RunAt.Equal(t0.Add(3 * time.Minute)) {
		t.Errorf("after a failed run, next due %v, want %v", next.RunAt, t0.Add(3*time.Minute))
	}
	c.Add(30 * time.Second)
	runAll(0) // not retried before the next period
	fail.Store(false)
	c.Add(30 * time.Second)
	runAll(1)

	// A node that was down for a long while runs once, then keeps the
	// period from then on.
	c.Add(time.Hour)
	runAll(1)
	if next := pending(); !next.RunAt.Equal(c.Now().Add(time.Minute)) {
		t.Errorf("after a gap, next due %v, want %v", next.RunAt, c.Now().Add(time.Minute))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(runs) != 5 {
		t.Errorf("%d runs, want 5: %v", len(runs), runs)
	}
}

// TestWakeOnEnqueue: a job this node enqueues starts at once, not at the
// next poll (an hour away here).
func TestWakeOnEnqueue(t *testing.T) {
	s := openSQLite(t, "")
	c := newClock()
	r := newRunner(s, c, jobs.Options{Poll: time.Hour})
	ran := make(chan string, 1)
	r.Handle("now", func(_ context.Context, j store.Job) error {
		ran <- j.ID
		return nil
	})
	r.Start()
	t.Cleanup(func() { r.Stop(context.Background()) })
	// The first job may be found by the poll at Start; by the time it
	// has run that poll is over, so only a wake-up can start the second.
	for _, id := range []string{"n1", "n2"} {
		enqueue(t, s, store.Job{ID: id, Kind: "now"})
		select {
		case got := <-ran:
			if got != id {
				t.Errorf("ran %s, want %s", got, id)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("job %s did not start (the runner was not woken)", id)
		}
	}
}

// TestStop: Stop waits for a running job to finish; when its context ends
// first, it interrupts the job and releases it for the next claim without
// counting the attempt.
func TestStop(t *testing.T) {
	t.Run("Waits", func(t *testing.T) {
		s := openSQLite(t, "")
		r := newRunner(s, newClock(), jobs.Options{})
		started, finish := make(chan struct{}), make(chan struct{})
		r.Handle("slow", func(context.Context, store.Job) error {
			close(started)
			<-finish
			return nil
		})
		enqueue(t, s, store.Job{ID: "w", Kind: "slow"})
		r.Start()
		<-started
		stopped := make(chan error, 1)
		go func() { stopped <- r.Stop(ctxFor(t)) }()
		select {
		case err := <-stopped:
			t.Fatalf("Stop returned (%v) while a job was running", err)
		case <-time.After(100 * time.Millisecond):
		}
		close(finish)
		if err := <-stopped; err != nil {
			t.Errorf("Stop: %v", err)
		}
		wantGone(t, s, "w")
	})
	t.Run("Interrupts", func(t *testing.T) {
		s := openSQLite(t, "")
		c := newClock()
		r := newRunner(s, c, jobs.Options{})
		started := make(chan struct{})
		var cause atomic.Value
		r.Handle("stuck", func(ctx context.Context, _ store.Job) error {
			close(started)
			<-ctx.Done()
			cause.Store(ctx.Err())
			return ctx.Err()
		})
		enqueue(t, s, store.Job{ID: "i", Kind: "stuck"})
		r.Start()
		<-started
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if err := r.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Stop: %v, want the deadline", err)
		}
		if cause.Load() == nil {
			t.Errorf("the handler's context was not cancelled")
		}
		j := mustGetJob(t, s, "i")
		if j.State != store.JobReady || j.Owner != "" || !j.Lease.IsZero() || j.Attempts != 0 {
			t.Errorf("interrupted job not released: %+v", j)
		}
		// Due at once for the next runner.
		next := newRunner(s, c, jobs.Options{})
		next.Handle("stuck", func(context.Context, store.Job) error { return nil })
		runDue(t, next, 1)
		wantGone(t, s, "i")
	})
}

// TestStaleOwnerCannotComplete: a runner whose lease ran out while its
// handler ran cannot complete the job that another runner now holds.
func TestStaleOwnerCannotComplete(t *testing.T) {
	s := openSQLite(t, "")
	c := newClock()
	const lease = time.Minute
	a, b := newRunner(s, c, jobs.Options{Lease: lease}), newRunner(s, c, jobs.Options{Lease: lease})
	aStarted, aFinish := make(chan struct{}), make(chan struct{})
	bStarted, bFinish := make(chan struct{}), make(chan struct{})
	var runs atomic.Int32
	a.Handle("work", func(context.Context, store.Job) error {
		runs.Add(1)
		close(aStarted)
		<-aFinish
		return nil
	})
	b.Handle("work", func(context.Context, store.Job) error {
		runs.Add(1)
		close(bStarted)
		<-bFinish
		return nil
	})
	enqueue(t, s, store.Job{ID: "w", Kind: "work"})
	aDone := make(chan struct{})
	go func() {
		defer close(aDone)
		a.RunDue(context.Background())
	}()
	<-aStarted
	// While a's lease runs, b gets nothing.
	c.Add(lease - time.Second)
	runDue(t, b, 0)
	c.Add(time.Second)
	bDone := make(chan struct{})
	go func() {
		defer close(bDone)
		b.RunDue(context.Background())
	}()
	<-bStarted
	close(aFinish)
	<-aDone
	j := mustGetJob(t, s, "w")
	if j.State != store.JobReady || j.Attempts != 2 || j.Owner == "" {
		t.Errorf("after the stale runner finished: %+v (its completion must be refused)", j)
	}
	close(bFinish)
	<-bDone
	wantGone(t, s, "w")
	if n := runs.Load(); n != 2 {
		t.Errorf("%d runs, want 2", n)
	}
}

// TestHeartbeat: a running job's lease is extended, so no other runner
// takes it however long it runs; a runner that finds its lease lost
// cancels its handler.
func TestHeartbeat(t *testing.T) {
	const lease = 300 * time.Millisecond // heartbeats every 100 ms of real time
	t.Run("Extends", func(t *testing.T) {
		s := openSQLite(t, "")
		c := newClock()
		a, b := newRunner(s, c, jobs.Options{Lease: lease}), newRunner(s, c, jobs.Options{Lease: lease})
		started, finish := make(chan struct{}), make(chan struct{})
		a.Handle("long", func(context.Context, store.Job) error {
			close(started)
			<-finish
			return nil
		})
		b.Handle("long", func(context.Context, store.Job) error {
			t.Errorf("the job ran on a second runner while the first held it")
			return nil
		})
		enqueue(t, s, store.Job{ID: "h", Kind: "long"})
		aDone := make(chan struct{})
		go func() {
			defer close(aDone)
			a.RunDue(context.Background())
		}()
		<-started
		// Without heartbeats the lease would run out on the second round.
		for range 5 {
			c.Add(lease * 2 / 3)
			want := c.Now().Add(lease)
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				if j := mustGetJob(t, s, "h"); j.Lease.Equal(want) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the lease was not extended to %v", want)
				}
			}
			runDue(t, b, 0)
		}
		close(finish)
		<-aDone
		wantGone(t, s, "h")
	})
	t.Run("Lost", func(t *testing.T) {
		s := openSQLite(t, "")
		c := newClock()
		a, b := newRunner(s, c, jobs.Options{Lease: lease}), newRunner(s, c, jobs.Options{Lease: lease})
		started := make(chan struct{})
		cancelled := make(chan error, 1)
		a.Handle("long", func(ctx context.Context, _ store.Job) error {
			close(started)
			select {
			case <-ctx.Done():
				cancelled <- ctx.Err()
			case <-time.After(10 * time.Second):
				cancelled <- nil
			}
			return nil
		})
		bStarted, bFinish := make(chan struct{}), make(chan struct{})
		b.Handle("long", func(context.Context, store.Job) error {
			close(bStarted)
			<-bFinish
			return nil
		})
		enqueue(t, s, store.Job{ID: "h", Kind: "long"})
		aDone := make(chan struct{})
		go func() {
			defer close(aDone)
			a.RunDue(context.Background())
		}()
		<-started
		c.Add(10 * lease) // a stalls past its lease
		bDone := make(chan struct{})
		go func() {
			defer close(bDone)
			b.RunDue(context.Background())
		}()
		<-bStarted
		if err := <-cancelled; err == nil {
			t.Errorf("the runner that lost the lease did not cancel its handler")
		}
		<-aDone
		if j := mustGetJob(t, s, "h"); j.Attempts != 2 {
			t.Errorf("job after the takeover: %+v", j)
		}
		close(bFinish)
		<-bDone
		wantGone(t, s, "h")
	})
}

// TestAbandoned: a job whose every claim ended with its node gone (it
// crashes the node, say) fails for good once the attempts run out, without
// running again.
func TestAbandoned(t *testing.T) {
	s := openSQLite(t, "")
	c := newClock()
	r := newRunner(s, c, jobs.Options{MaxAttempts: 2, Lease: time.Minute})
	r.Handle("poison", func(context.Context, store.Job) error {
		t.Errorf("a job past its attempts ran")
		return nil
	})
	enqueue(t, s, store.Job{ID: "p", Kind: "poison"})
	for i := range 2 { // two nodes claim it and die
		got, err := s.ClaimJobs(ctxFor(t), store.JobClaim{Owner: fmt.Sprintf("dead%d", i), Kinds: []string{"poison"},
			Now: c.Now(), Lease: time.Minute, Limit: 1})
		if err != nil || len(got) != 1 {
			t.Fatalf("claim: %v %v", got, err)
		}
		c.Add(time.Minute)
	}
	runDue(t, r, 1)
	j := mustGetJob(t, s, "p")
	if j.State != store.JobFailed || !strings.Contains(j.LastError, "lease ran out") {
		t.Errorf("abandoned job: %+v", j)
	}
}

// TestTwoNodesPostgres: two nodes (runners on their own connection pools)
// share one PostgreSQL database; every job runs exactly once and never on
// both at the same time.
func TestTwoNodesPostgres(t *testing.T) {
	dsn := pgtest.FreshDatabase(t, pgtest.Start(t))
	const n = 60
	var (
		mu      sync.Mutex
		running = map[string]bool{}
		runs    = map[string]int{}
		total   atomic.Int32
	)
	handler := func(_ context.Context, j store.Job) error {
		mu.Lock()
		if running[j.ID] {
			t.Errorf("job %s runs on two nodes at once", j.ID)
		}
		running[j.ID] = true
		runs[j.ID]++
		mu.Unlock()
		time.Sleep(time.Millisecond)
		mu.Lock()
		running[j.ID] = false
		mu.Unlock()
		total.Add(1)
		return nil
	}
	var stores []*sqlstore.Store
	for i := range 2 {
		s := openPostgres(t, dsn)
		stores = append(stores, s)
		r := jobs.New(s, jobs.Options{Node: fmt.Sprintf("node%d", i), Poll: 20 * time.Millisecond, Log: quiet})
		r.Handle("work", handler)
		r.Start()
		t.Cleanup(func() { r.Stop(context.Background()) })
	}
	var batch []store.Job
	for i := range n {
		batch = append(batch, store.Job{ID: fmt.Sprintf("w%02d", i), Kind: "work"})
	}
	enqueue(t, stores[0], batch...)
	deadline := time.Now().Add(30 * time.Second)
	for total.Load() < n && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	for len(listJobs(t, stores[1], "work")) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(runs) != n {
		t.Errorf("%d of %d jobs ran", len(runs), n)
	}
	for id, k := range runs {
		if k != 1 {
			t.Errorf("job %s ran %d times", id, k)
		}
	}
	if left := listJobs(t, stores[1], "work"); len(left) != 0 {
		t.Errorf("%d jobs left", len(left))
	}
}
