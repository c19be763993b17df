package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/canopy-iam/canopy/internal/audit"
	"github.com/canopy-iam/canopy/internal/cloudsso"
	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/jobs"
	"github.com/canopy-iam/canopy/internal/notify/queue"
)

// Background work. Housekeeping of the shared store runs as recurring jobs,
// so one node does each per period however many nodes share the store.
// What only this node holds (its in-memory nonces, the AccessKey uses it
// has queued) stays on a local ticker.

// Kinds of the recurring jobs.
const (
	jobStoreSweep  = "store.sweep"
	jobAuditExpire = "audit.expire"
)

// FailedJobRetention is how long a job that failed for good is kept, with
// its last error, for an operator to read.
const FailedJobRetention = 7 * 24 * time.Hour

// startJobs registers the recurring jobs and starts this node's runner
// (stopped by Shutdown).
func (a *App) startJobs() error {
	js, ok := a.Store.(jobs.Store)
	if !ok {
		return fmt.Errorf("store %T cannot run background jobs", a.Store)
	}
	a.jobs = jobs.New(js, jobs.Options{Clock: time.Now, Log: a.Config.Log, Lease: testDuration(EnvTestJobLease)})
	// Expired nonces, old change-log rows and long-failed jobs.
	a.jobs.Every(jobStoreSweep, time.Minute, func(ctx context.Context, now time.Time) error {
		return errors.Join(a.Store.Sweep(ctx, now, ChangeRetention), js.PurgeJobs(ctx, now.Add(-FailedJobRetention)))
	})
	// Audit events past their retention.
	a.jobs.Every(jobAuditExpire, time.Hour, func(ctx context.Context, now time.Time) error {
		return a.Store.ExpireEvents(ctx, now.Add(-audit.Retention))
	})
	// Email and SMS the domains queued in their writes.
	a.jobs.Handle(queue.Kind, queue.Deliver(a.Notify))
	// Resource Directory member deletion: the pre-deletion check and the
	// deletion itself.
	deletion := a.RD.DeletionJobs(a.Store, a.Now)
	deletion.Pause = testDuration(EnvTestDeletionPause)
	deletion.Committed = func(ctx context.Context) {
		if err := a.watcher.sync(ctx); err != nil {
			a.Config.Log.Warn("cache sync after a deletion step failed", "err", err)
		}
	}
	a.jobs.Handle(directory.CheckJobKind, deletion.Check)
	a.jobs.Handle(directory.DeletionJobKind, deletion.Delete)
	a.jobs.Handle(directory.LegacyExpiryJob, a.runLegacyExpiry)
	// CloudSSO tasks: access assignments and provisioning in members.
	ssoTasks := a.SSO.TaskJobs(a.Store, a.Now)
	ssoTasks.Pause, ssoTasks.Committed = a.Config.SSOTaskPause, deletion.Committed
	a.jobs.Handle(cloudsso.TaskJobKind, ssoTasks.Run)
	a.jobs.Start()
	return nil
}

// sweep does this node's own housekeeping once a minute: it forgets the
// in-memory nonces past their window and stores the AccessKey uses seen.
func (a *App) sweep(ctx context.Context) {
	every(ctx, time.Minute, func() {
		a.authn.Sweep()
		a.flushKeyUse(ctx)
	})
}

// every runs fn each period until ctx ends.
func every(ctx context.Context, period time.Duration, fn func()) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			fn()
		}
	}
}

// Test hooks: the kill -9 test of member deletion runs the binary, so it
// needs the environment to see a deletion half-way and to resume it soon
// after the kill. Unset (always, in service) they change nothing.
const (
	// EnvTestDeletionPause is waited between a deletion's steps.
	EnvTestDeletionPause = "CANOPY_TEST_DELETION_PAUSE"
	// EnvTestJobLease replaces the job runner's lease (1 minute), which a
	// job claimed by a killed process waits out before it resumes.
	EnvTestJobLease = "CANOPY_TEST_JOB_LEASE"
)

// testDuration reads a test hook's duration; 0 when unset or unreadable.
func testDuration(env string) time.Duration {
	d, err := time.ParseDuration(os.Getenv(env))
	if err != nil || d < 0 {
		return 0
	}
	return d
}
