package store

import (
	"context"
	"errors"
	"time"
)

// Background jobs are rows of one table. A job is enqueued inside the Write
// that asks for it, so it exists exactly when that write committed. A
// runner (internal/jobs) on any node claims due jobs under a lease: while
// the lease runs no other claimer gets the job, and only the claim's owner
// can complete it, retry it or give it up. A job whose lease ran out (its
// node stopped or crashed) is due again. A completed job is deleted; one
// the runner gave up on stays, failed, with its last error.

// Job states. A running job is JobReady with a Lease in the future.
const (
	JobReady  = "ready"
	JobFailed = "failed"
)

// ErrLeaseLost is returned to an owner that no longer holds a live lease on
// the job: its lease ran out (and another claimer may have the job now), the
// job was finished, or it never existed.
var ErrLeaseLost = errors.New("store: job lease lost")

// Job is one unit of background work.
type Job struct {
	ID      string    // assigned by Enqueue when empty
	Kind    string    // selects the handler
	Key     string    // optional: at most one ready job per (Kind, Key)
	Payload []byte    // opaque to the store
	RunAt   time.Time // due time; zero means at once

	// Kept by the store.
	State     string    // JobReady or JobFailed
	Attempts  int       // times claimed
	LastError string    // of the last failed attempt
	Owner     string    // token of the last claim ("" when released)
	Lease     time.Time // the last claim holds the job until then
	Created   time.Time
	Updated   time.Time
}

// JobQuery pages through the jobs of one kind, in id order.
type JobQuery struct {
	Kind  string
	After string // exclusive lower bound on ID
	Limit int    // <= 0 means no limit
}

// JobRepo is the jobs table inside a transaction.
type JobRepo interface {
	// Enqueue adds a ready job and reports whether it was added: false
	// when a job with the same ID exists, or j.Key is set and a ready job
	// (waiting or running) of the same Kind has that Key. Idempotent work
	// and periodic work deduplicate on Key.
	Enqueue(j Job) (bool, error)
	Get(id string) (Job, error) // ErrNotFound when missing
	List(q JobQuery) ([]Job, error)
}

// JobClaim asks for due jobs.
type JobClaim struct {
	Owner string    // token of this claim, unique across claims and nodes
	Kinds []string  // only jobs of these kinds (the runner's handlers)
	Now   time.Time // due means RunAt <= Now and no lease past Now
	Lease time.Duration
	Limit int // at most this many jobs (> 0)
}

// JobStore is what a job runner needs from the store, beyond Write to
// enqueue. Every call takes the caller's clock reading; leases and due
// times compare against it. A call that needs a live lease fails with
// ErrLeaseLost when owner's lease on the job ended before now.
type JobStore interface {
	// ClaimJobs leases up to c.Limit due jobs to c.Owner until
	// c.Now+c.Lease, earliest RunAt first, and counts an attempt on each.
	// Claimers on any node never get the same job while a lease runs.
	ClaimJobs(ctx context.Context, c JobClaim) ([]Job, error)
	// ExtendJob moves owner's lease to until.
	ExtendJob(ctx context.Context, id, owner string, now, until time.Time) error
	// CompleteJob deletes the job and enqueues next (deduplicated as by
	// Enqueue), in one transaction.
	CompleteJob(ctx context.Context, id, owner string, now time.Time, next ...Job) error
	// RetryJob ends the lease, records errMsg and makes the job due at
	// runAt.
	RetryJob(ctx context.Context, id, owner string, now time.Time, errMsg string, runAt time.Time) error
	// FailJob ends the lease and marks the job failed for good with errMsg
	// (it frees its Key), and enqueues next, in one transaction.
	FailJob(ctx context.Context, id, owner string, now time.Time, errMsg string, next ...Job) error
	// ReleaseJob gives the job back unfinished: due at once, and the
	// attempt not counted (the runner is stopping).
	ReleaseJob(ctx context.Context, id, owner string, now time.Time) error
	// PurgeJobs deletes failed jobs last updated before before.
	PurgeJobs(ctx context.Context, before time.Time) error
	// JobsEnqueued receives (without ever blocking a writer) after a Write
	// through this store that enqueued a job committed, so a runner on
	// this node can start it at once instead of at its next poll.
	JobsEnqueued() <-chan struct{}
}
