package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/canopy-iam/canopy/internal/store"
)

// testJobs: the jobs table. Enqueue commits or rolls back with its Write;
// claims lease due jobs to one owner at a time, across goroutines and store
// handles (nodes); only a live lease's owner completes, retries, fails,
// extends or releases a job.
func testJobs(t *testing.T, open func(t *testing.T) store.Backend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) store.Backend)
	}{
		{"Enqueue", testJobEnqueue},
		{"Dedupe", testJobDedupe},
		{"ClaimComplete", testJobClaimComplete},
		{"RetryFail", testJobRetryFail},
		{"Lease", testJobLease},
		{"ClaimRace", testJobClaimRace},
		{"Purge", testJobPurge},
		{"Signal", testJobSignal},
		{"Closed", testJobClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open)
		})
	}
}

const jobLease = time.Minute

func jobsOf(t *testing.T, s store.Backend) store.JobStore {
	t.Helper()
	return s
}

// enqueue adds jobs in one Write and reports which were added.
func enqueue(t *testing.T, s store.Store, jobs ...store.Job) []bool {
	t.Helper()
	added := make([]bool, len(jobs))
	mustWrite(t, s, func(tx store.Tx) error {
		for i, j := range jobs {
			var err error
			if added[i], err = tx.Jobs().Enqueue(j); err != nil {
				return err
			}
		}
		return nil
	})
	return added
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
	wantNoErr(t, "Get job "+id, err)
	return j
}

func listJobs(t *testing.T, s store.Store, q store.JobQuery) []store.Job {
	t.Helper()
	var out []store.Job
	mustRead(t, s, func(tx store.Tx) error {
		var err error
		out, err = tx.Jobs().List(q)
		return err
	})
	return out
}

func claimJobs(t *testing.T, js store.JobStore, owner string, now time.Time, limit int, kinds ...string) []store.Job {
	t.Helper()
	got, err := js.ClaimJobs(ctxFor(t), store.JobClaim{Owner: owner, Kinds: kinds, Now: now, Lease: jobLease, Limit: limit})
	wantNoErr(t, "ClaimJobs by "+owner, err)
	return got
}

func jobIDs(jobs []store.Job) []string {
	out := make([]string, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, j.ID)
	}
	return out
}

func wantJobIDs(t *testing.T, what string, got []store.Job, want ...string) {
	t.Helper()
	if ids := jobIDs(got); !slices.Equal(ids, want) {
		t.Errorf("%s: jobs %v, want %v", what, ids, want)
	}
}

func testJobEnqueue(t *testing.T, open func(t *testing.T) store.Backend) {
	s := open(t)
	payload := []byte{0, 1, 2, 0xff, '"'}
	j := store.Job{ID: "job-1", Kind: "mail", Payload: payload, RunAt: t0.Add(time.Minute)}
	if added := enqueue(t, s, j); !added[0] {
		t.Fatalf("Enqueue of a new job: not added")
	}
	got := mustGetJob(t, s, "job-1")
	if got.ID != j.ID || got.Kind != j.Kind || got.Key != "" || !bytes.Equal(got.Payload, payload) ||
		!got.RunAt.Equal(j.RunAt) || got.State != store.JobReady || got.Attempts != 0 ||
		got.LastError != "" || got.Owner != "" || !got.Lease.IsZero() || got.Created.IsZero() {
		t.Errorf("Get: %+v", got)
	}

	// An id is assigned when the job has none.
	enqueue(t, s, store.Job{Kind: "auto"}, store.Job{Kind: "auto"})
	auto := listJobs(t, s, store.JobQuery{Kind: "auto"})
	if len(auto) != 2 || auto[0].ID == "" || auto[0].ID == auto[1].ID {
		t.Errorf("jobs enqueued without an id: %+v", auto)
	}

	// A rolled-back Write leaves no job.
	err := s.Write(ctxFor(t), func(tx store.Tx) error {
		if added, err := tx.Jobs().Enqueue(store.Job{ID: "ghost", Kind: "rolled"}); err != nil || !added {
			t.Errorf("Enqueue inside the failing Write: %v, %v", added, err)
		}
		return errBoom
	})
	if err != errBoom {
		t.Fatalf("Write: %v, want errBoom", err)
	}
	_, err = getJob(t, s, "ghost")
	wantErr(t, "job of a rolled-back Write", err, store.ErrNotFound)
	if left := listJobs(t, s, store.JobQuery{Kind: "rolled"}); len(left) != 0 {
		t.Errorf("rolled-back Write left jobs %v", jobIDs(left))
	}
	wantJobIDs(t, "claim after rollback", claimJobs(t, jobsOf(t, s), "o", t0.Add(time.Hour), 10, "rolled"))

	// Enqueue is a write.
	err = s.Read(ctxFor(t), func(tx store.Tx) error {
		_, err := tx.Jobs().Enqueue(store.Job{Kind: "mail"})
		return err
	})
	if err == nil {
		t.Errorf("Enqueue in a read-only transaction succeeded")
	}
	for _, bad := range []store.Job{{Kind: ""}, {Kind: "mail", Key: "bad\xff"}, {Kind: "mail\x00"}} {
		err := s.Write(ctxFor(t), func(tx store.Tx) error {
			_, err := tx.Jobs().Enqueue(bad)
			return err
		})
		if err == nil {
			t.Errorf("Enqueue(%+v) succeeded", bad)
		}
	}

	// List pages by id within a kind.
	var page []store.Job
	for i := 1; i <= 5; i++ {
		page = append(page, store.Job{ID: fmt.Sprintf("p%d", i), Kind: "page"})
	}
	enqueue(t, s, append(page, store.Job{ID: "p0", Kind: "other"})...)
	wantJobIDs(t, "List page 1", listJobs(t, s, store.JobQuery{Kind: "page", Limit: 2}), "p1", "p2")
	wantJobIDs(t, "List page 2", listJobs(t, s, store.JobQuery{Kind: "page", After: "p2", Limit: 2}), "p3", "p4")
	wantJobIDs(t, "List page 3", listJobs(t, s, store.JobQuery{Kind: "page", After: "p4"}), "p5")

	// Jobs are durable.
	wantNoErr(t, "Close", s.Close())
	if again := mustGetJob(t, open(t), "job-1"); !bytes.Equal(again.Payload, payload) {
		t.Errorf("job after reopen: %+v", again)
	}
}

func testJobDedupe(t *testing.T, open func(t *testing.T) store.Backend) {
	s := open(t)
	js := jobsOf(t, s)
	added := enqueue(t, s,
		store.Job{ID: "s1", Kind: "sweep", Key: "k"},
		store.Job{ID: "s2", Kind: "sweep", Key: "k"}, // same kind and key
		store.Job{ID: "o1", Kind: "other", Key: "k"}, // same key, other kind
		store.Job{ID: "n1", Kind: "sweep"},           // no key: no deduplication
		store.Job{ID: "n2", Kind: "sweep"},
		store.Job{ID: "n1", Kind: "sweep"}, // same id
	)
	if want := []bool{true, false, true, true, true, false}; !slices.Equal(added, want) {
		t.Errorf("Enqueue added %v, want %v", added, want)
	}
	_, err := getJob(t, s, "s2")
	wantErr(t, "deduplicated job", err, store.ErrNotFound)

	// A running job still holds its key.
	wantJobIDs(t, "claim", claimJobs(t, js, "o1", t0, 1, "sweep"), "n1")
	wantJobIDs(t, "claim", claimJobs(t, js, "o1", t0, 10, "sweep"), "n2", "s1")
	for _, id := range []string{"n1", "n2"} {
		wantNoErr(t, "CompleteJob", js.CompleteJob(ctxFor(t), id, "o1", t0))
	}
	if added := enqueue(t, s, store.Job{Kind: "sweep", Key: "k"}); added[0] {
		t.Errorf("Enqueue while the job with that key runs: added")
	}

	// Completing frees the key, so a periodic job can enqueue its next
	// run in the same transaction.
	next := store.Job{ID: "s3", Kind: "sweep", Key: "k", RunAt: t0.Add(time.Hour)}
	wantNoErr(t, "CompleteJob", js.CompleteJob(ctxFor(t), "s1", "o1", t0.Add(time.Second), next))
	if got := mustGetJob(t, s, "s3"); got.Key != "k" || !got.RunAt.Equal(next.RunAt) || got.State != store.JobReady {
		t.Errorf("next run: %+v", got)
	}
	if added := enqueue(t, s, store.Job{Kind: "sweep", Key: "k"}); added[0] {
		t.Errorf("Enqueue while the next run waits: added")
	}
	// So does failing for good.
	wantJobIDs(t, "claim", claimJobs(t, js, "o2", t0.Add(time.Hour), 10, "sweep"), "s3")
	wantNoErr(t, "FailJob", js.FailJob(ctxFor(t), "s3", "o2", t0.Add(time.Hour), "no"))
	if added := enqueue(t, s, store.Job{ID: "s4", Kind: "sweep", Key: "k"}); !added[0] {
		t.Errorf("Enqueue after the keyed job failed: not added")
	}
}

func testJobClaimComplete(t *testing.T, open func(t *testing.T) store.Backend) {
	s := open(t)
	js := jobsOf(t, s)
	enqueue(t, s,
		store.Job{ID: "a", Kind: "x", Payload: []byte("pa"), RunAt: t0},
		store.Job{ID: "b", Kind: "x", RunAt: t0.Add(jobLease / 2)},
		store.Job{ID: "c", Kind: "y", RunAt: t0.Add(-time.Minute)},
		store.Job{ID: "d", Kind: "x"}, // zero RunAt: due at once
	)
	got := claimJobs(t, js, "o1", t0, 10, "x")
	wantJobIDs(t, "claim of x at t0", got, "d", "a")
	for _, j := range got {
		if j.Attempts != 1 || j.Owner != "o1" || !j.Lease.Equal(t0.Add(jobLease)) || j.State != store.JobReady {
			t.Errorf("claimed job %+v", j)
		}
	}
	if len(got) == 2 && string(got[1].Payload) != "pa" {
		t.Errorf("claimed payload %q", got[1].Payload)
	}
	wantJobIDs(t, "second claim at t0", claimJobs(t, js, "o2", t0, 10, "x"))
	wantJobIDs(t, "claim of kinds nobody asks for", claimJobs(t, js, "o2", t0.Add(time.Hour), 10))
	// Earliest RunAt first, across kinds, up to the limit.
	wantJobIDs(t, "claim limit 1", claimJobs(t, js, "o3", t0.Add(jobLease/2), 1, "x", "y"), "c")
	wantJobIDs(t, "claim limit 5", claimJobs(t, js, "o4", t0.Add(jobLease/2), 5, "x", "y"), "b")

	ctx := ctxFor(t)
	wantNoErr(t, "CompleteJob", js.CompleteJob(ctx, "a", "o1", t0.Add(time.Second)))
	_, err := getJob(t, s, "a")
	wantErr(t, "completed job", err, store.ErrNotFound)
	wantErr(t, "CompleteJob twice", js.CompleteJob(ctx, "a", "o1", t0.Add(time.Second)), store.ErrLeaseLost)
	wantErr(t, "CompleteJob by another owner", js.CompleteJob(ctx, "d", "o2", t0.Add(time.Second)), store.ErrLeaseLost)
	wantErr(t, "CompleteJob with no owner", js.CompleteJob(ctx, "d", "", t0.Add(time.Second)), store.ErrLeaseLost)
	wantErr(t, "CompleteJob of no job", js.CompleteJob(ctx, "nope", "o1", t0.Add(time.Second)), store.ErrLeaseLost)
	if d := mustGetJob(t, s, "d"); d.Owner != "o1" || d.Attempts != 1 {
		t.Errorf("job after a refused completion: %+v", d)
	}
	for _, bad := range []store.JobClaim{
		{Owner: "", Kinds: []string{"x"}, Now: t0, Lease: jobLease, Limit: 1},
		{Owner: "o", Kinds: []string{"x"}, Now: t0, Lease: jobLease, Limit: 0},
		{Owner: "o", Kinds: []string{"x"}, Now: t0, Lease: 0, Limit: 1},
	} {
		if _, err := js.ClaimJobs(ctx, bad); err == nil {
			t.Errorf("ClaimJobs(%+v) succeeded", bad)
		}
	}
}

func testJobRetryFail(t *testing.T, open func(t *testing.T) store.Backend) {
	s := open(t)
	js := jobsOf(t, s)
	ctx := ctxFor(t)
	enqueue(t, s, store.Job{ID: "r", Kind: "x", RunAt: t0})
	wantJobIDs(t, "claim", claimJobs(t, js, "o1", t0, 1, "x"), "r")
	wantNoErr(t, "RetryJob", js.RetryJob(ctx, "r", "o1", t0.Add(time.Second), "boom 1", t0.Add(10*time.Second)))
	r := mustGetJob(t, s, "r")
	if r.State != store.JobReady || r.Owner != "" || !r.Lease.IsZero() || r.LastError != "boom 1" ||
		r.Attempts != 1 || !r.RunAt.Equal(t0.Add(10*time.Second)) {
		t.Errorf("after RetryJob: %+v", r)
	}
	wantErr(t, "RetryJob after the lease ended", js.RetryJob(ctx, "r", "o1", t0.Add(2*time.Second), "x", t0), store.ErrLeaseLost)
	wantJobIDs(t, "claim before the retry is due", claimJobs(t, js, "o2", t0.Add(9*time.Second), 1, "x"))
	got := claimJobs(t, js, "o2", t0.Add(10*time.Second), 1, "x")
	wantJobIDs(t, "claim when the retry is due", got, "r")
	if len(got) == 1 && (got[0].Attempts != 2 || got[0].LastError != "boom 1") {
		t.Errorf("second claim: %+v", got[0])
	}

	// Failing for good keeps the (sanitized) error and ends the job.
	wantNoErr(t, "FailJob", js.FailJob(ctx, "r", "o2", t0.Add(11*time.Second), "boom\x00 2\xff"))
	r = mustGetJob(t, s, "r")
	if r.State != store.JobFailed || r.Owner != "" || r.Attempts != 2 || !utf8.ValidString(r.LastError) ||
		!bytes.HasPrefix([]byte(r.LastError), []byte("boom")) {
		t.Errorf("after FailJob: %+v", r)
	}
	wantJobIDs(t, "claim of a failed job", claimJobs(t, js, "o3", t0.Add(time.Hour), 10, "x"))
	wantErr(t, "CompleteJob of a failed job", js.CompleteJob(ctx, "r", "o2", t0.Add(11*time.Second)), store.ErrLeaseLost)
	wantErr(t, "FailJob twice", js.FailJob(ctx, "r", "o2", t0.Add(11*time.Second), "again"), store.ErrLeaseLost)

	// A failed job may hand over to another one in the same transaction.
	enqueue(t, s, store.Job{ID: "f", Kind: "x", Key: "kf", RunAt: t0})
	wantJobIDs(t, "claim", claimJobs(t, js, "o4", t0, 1, "x"), "f")
	next := store.Job{ID: "f-next", Kind: "x", Key: "kf", RunAt: t0.Add(time.Hour)}
	wantNoErr(t, "FailJob with next", js.FailJob(ctx, "f", "o4", t0.Add(time.Second), "nope", next))
	if f := mustGetJob(t, s, "f"); f.State != store.JobFailed {
		t.Errorf("failed job: %+v", f)
	}
	if n := mustGetJob(t, s, "f-next"); n.State != store.JobReady || !n.RunAt.Equal(next.RunAt) {
		t.Errorf("next job: %+v", n)
	}
	// A refused call enqueues nothing.
	err := js.CompleteJob(ctx, "f", "o4", t0.Add(time.Second), store.Job{ID: "never", Kind: "x"})
	wantErr(t, "CompleteJob of a failed job", err, store.ErrLeaseLost)
	_, err = getJob(t, s, "never")
	wantErr(t, "next of a refused completion", err, store.ErrNotFound)
}

func testJobLease(t *testing.T, open func(t *testing.T) store.Backend) {
	s := open(t)
	js := jobsOf(t, s)
	ctx := ctxFor(t)
	enqueue(t, s, store.Job{ID: "l", Kind: "x", RunAt: t0}, store.Job{ID: "l2", Kind: "y", RunAt: t0})

	wantJobIDs(t, "claim", claimJobs(t, js, "o1", t0, 1, "x"), "l")
	wantJobIDs(t, "claim within the lease", claimJobs(t, js, "o2", t0.Add(jobLease-time.Nanosecond), 1, "x"))
	wantNoErr(t, "ExtendJob", js.ExtendJob(ctx, "l", "o1", t0.Add(30*time.Second), t0.Add(2*jobLease)))
	if l := mustGetJob(t, s, "l"); !l.Lease.Equal(t0.Add(2 * jobLease)) {
		t.Errorf("lease after ExtendJob: %v", l.Lease)
	}
	wantJobIDs(t, "claim within the extended lease", claimJobs(t, js, "o2", t0.Add(jobLease), 1, "x"))
	got := claimJobs(t, js, "o2", t0.Add(2*jobLease), 1, "x")
	wantJobIDs(t, "claim when the lease ran out", got, "l")
	if len(got) == 1 && (got[0].Owner != "o2" || got[0].Attempts != 2) {
		t.Errorf("taken-over job: %+v", got[0])
	}

	// The owner whose lease ran out can no longer act on the job.
	late := t0.Add(2 * jobLease)
	wantErr(t, "stale CompleteJob", js.CompleteJob(ctx, "l", "o1", late), store.ErrLeaseLost)
	wantErr(t, "stale ExtendJob", js.ExtendJob(ctx, "l", "o1", late, late.Add(jobLease)), store.ErrLeaseLost)
	wantErr(t, "stale RetryJob", js.RetryJob(ctx, "l", "o1", late, "x", late), store.ErrLeaseLost)
	wantErr(t, "stale FailJob", js.FailJob(ctx, "l", "o1", late, "x"), store.ErrLeaseLost)
	wantErr(t, "stale ReleaseJob", js.ReleaseJob(ctx, "l", "o1", late), store.ErrLeaseLost)
	if l := mustGetJob(t, s, "l"); l.Owner != "o2" || l.State != store.JobReady || l.Attempts != 2 {
		t.Errorf("job after stale calls: %+v", l)
	}

	// Even when nobody took the job over.
	wantJobIDs(t, "claim", claimJobs(t, js, "o1", t0, 1, "y"), "l2")
	wantErr(t, "CompleteJob when the lease ran out", js.CompleteJob(ctx, "l2", "o1", t0.Add(jobLease)), store.ErrLeaseLost)
	wantErr(t, "ExtendJob when the lease ran out", js.ExtendJob(ctx, "l2", "o1", t0.Add(jobLease), t0.Add(2*jobLease)), store.ErrLeaseLost)
	if _, err := getJob(t, s, "l2"); err != nil {
		t.Errorf("job after a late completion: %v", err)
	}

	// Release gives the job back at once without counting the attempt.
	wantNoErr(t, "ReleaseJob", js.ReleaseJob(ctx, "l", "o2", late.Add(time.Second)))
	if l := mustGetJob(t, s, "l"); l.Owner != "" || !l.Lease.IsZero() || l.Attempts != 1 {
		t.Errorf("released job: %+v", l)
	}
	got = claimJobs(t, js, "o3", late.Add(time.Second), 1, "x")
	wantJobIDs(t, "claim after release", got, "l")
	if len(got) == 1 && got[0].Attempts != 2 {
		t.Errorf("attempts after release and claim: %d, want 2", got[0].Attempts)
	}
}

// testJobClaimRace: claimers in goroutines on two store handles (two nodes
// on one database) claim and complete jobs; every job is claimed exactly
// once.
func testJobClaimRace(t *testing.T, open func(t *testing.T) store.Backend) {
	const jobs, perNode = 120, 4
	nodes := []store.Backend{open(t), open(t)}
	var batch []store.Job
	for i := range jobs {
		batch = append(batch, store.Job{ID: fmt.Sprintf("race-%03d", i), Kind: "race", RunAt: t0})
	}
	enqueue(t, nodes[0], batch...)

	var (
		mu      sync.Mutex
		claimed = map[string]int{}
		wg      sync.WaitGroup
		start   = make(chan struct{})
	)
	for n, s := range nodes {
		js := jobsOf(t, s)
		for g := range perNode {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				ctx := ctxFor(t)
				for round := 0; ; round++ {
					owner := fmt.Sprintf("node%d-g%d-r%d", n, g, round)
					got, err := js.ClaimJobs(ctx, store.JobClaim{Owner: owner, Kinds: []string{"race"}, Now: t0,
						Lease: time.Hour, Limit: 3})
					if err != nil {
						t.Errorf("ClaimJobs: %v", err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, j := range got {
						claimed[j.ID]++
					}
					mu.Unlock()
					for _, j := range got {
						if err := js.CompleteJob(ctx, j.ID, owner, t0.Add(time.Second)); err != nil {
							t.Errorf("CompleteJob %s by %s: %v", j.ID, owner, err)
						}
					}
				}
			}()
		}
	}
	close(start)
	wg.Wait()
	if len(claimed) != jobs {
		t.Errorf("%d of %d jobs claimed", len(claimed), jobs)
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("job %s claimed %d times", id, n)
		}
	}
	if left := listJobs(t, nodes[1], store.JobQuery{Kind: "race"}); len(left) != 0 {
		t.Errorf("%d jobs left after every claim completed", len(left))
	}
}

func testJobPurge(t *testing.T, open func(t *testing.T) store.Backend) {
	s := open(t)
	js := jobsOf(t, s)
	ctx := ctxFor(t)
	enqueue(t, s, store.Job{ID: "old", Kind: "x", RunAt: t0}, store.Job{ID: "new", Kind: "x", RunAt: t0},
		store.Job{ID: "ready", Kind: "y", RunAt: t0})
	wantJobIDs(t, "claim", claimJobs(t, js, "o", t0, 10, "x"), "new", "old")
	wantNoErr(t, "FailJob", js.FailJob(ctx, "old", "o", t0, "x"))
	wantNoErr(t, "FailJob", js.FailJob(ctx, "new", "o", t0.Add(jobLease/2), "x"))
	wantNoErr(t, "PurgeJobs", js.PurgeJobs(ctx, t0.Add(time.Second)))
	_, err := getJob(t, s, "old")
	wantErr(t, "purged job", err, store.ErrNotFound)
	mustGetJob(t, s, "new")
	mustGetJob(t, s, "ready") // ready jobs are never purged, however old
	wantNoErr(t, "PurgeJobs", js.PurgeJobs(ctx, t0.Add(1000*time.Hour)))
	mustGetJob(t, s, "ready")
	_, err = getJob(t, s, "new")
	wantErr(t, "purged job", err, store.ErrNotFound)
}

// testJobSignal: a committed Write that enqueued signals JobsEnqueued; a
// rolled-back one does not.
func testJobSignal(t *testing.T, open func(t *testing.T) store.Backend) {
	s := open(t)
	ch := jobsOf(t, s).JobsEnqueued()
	pending := func() bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	pending()
	s.Write(ctxFor(t), func(tx store.Tx) error {
		tx.Jobs().Enqueue(store.Job{Kind: "x"})
		return errBoom
	})
	if pending() {
		t.Errorf("rolled-back Write signalled")
	}
	mustWrite(t, s, func(tx store.Tx) error { return nil })
	if pending() {
		t.Errorf("Write without a job signalled")
	}
	enqueue(t, s, store.Job{Kind: "x"})
	if !pending() {
		t.Errorf("committed Write that enqueued did not signal")
	}
}

func testJobClosed(t *testing.T, open func(t *testing.T) store.Backend) {
	s := open(t)
	js := jobsOf(t, s)
	wantNoErr(t, "Close", s.Close())
	ctx := context.Background()
	_, err := js.ClaimJobs(ctx, store.JobClaim{Owner: "o", Kinds: []string{"x"}, Now: t0, Lease: jobLease, Limit: 1})
	wantErr(t, "ClaimJobs", err, store.ErrClosed)
	wantErr(t, "CompleteJob", js.CompleteJob(ctx, "j", "o", t0), store.ErrClosed)
	wantErr(t, "PurgeJobs", js.PurgeJobs(ctx, t0), store.ErrClosed)
}
