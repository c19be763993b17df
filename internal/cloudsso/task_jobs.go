package cloudsso

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/store"
)

// The tasks run on the job runner (internal/jobs): any node runs them
// after the commit of the call that started them, and a restart resumes
// them. A task's whole work (the RAM writes in the member, the
// assignment and provisioning records, the task's outcome and the
// release of its lock) is one transaction, so a task run twice (a lost
// lease, a crash after the commit) finds itself ended and does nothing.
//
// A refusal the work meets (an apperr that is not internal: the member
// left the directory, its RAM quota is full, the configuration was
// deleted meanwhile) rolls that transaction back and ends the task Failed
// with the refusal's message as FailureReason. Other errors (the store)
// are retried by the runner; after TaskGiveUpAfter attempts the task ends
// Failed.

// TaskJobKind is the job kind of CloudSSO tasks.
const TaskJobKind = "cloudsso.task"

// TaskGiveUpAfter is how many attempts a task gets before it ends Failed
// (below the runner's own limit, so the failure is recorded).
const TaskGiveUpAfter = 8

type taskJob struct {
	AccountID string
	TaskKey   string
}

func enqueueTask(tx store.Tx, accountID, key string) error {
	payload, err := json.Marshal(taskJob{AccountID: accountID, TaskKey: key})
	if err != nil {
		return err
	}
	_, err = tx.Jobs().Enqueue(store.Job{Kind: TaskJobKind, Payload: payload})
	return err
}

// TaskJobs runs the tasks of a service.
type TaskJobs struct {
	svc *Service
	st  store.Store
	now func() time.Time // the domain clock
	// Pause is waited before a task's work. It is zero in service; tests
	// set it to observe a task InProgress (and to stop a node mid-task).
	Pause time.Duration
	// Committed, when set, runs after each transaction a task commits, so
	// the node drops from its caches the roles and policies it changed.
	Committed func(ctx context.Context)
}

// TaskJobs returns the task handler, writing to st.
func (s *Service) TaskJobs(st store.Store, now func() time.Time) *TaskJobs {
	return &TaskJobs{svc: s, st: st, now: now}
}

// errTaskRefused rolls a task's work back when it met a refusal.
var errTaskRefused = errors.New("cloudsso: the task's work was refused")

// Run is the handler of TaskJobKind.
func (h *TaskJobs) Run(ctx context.Context, j store.Job) error {
	var p taskJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return fmt.Errorf("%s job %s: %w", j.Kind, j.ID, err)
	}
	if h.Pause > 0 {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(h.Pause):
		}
	}
	var refusal error
	err := h.write(ctx, func(tx store.Tx) error {
		d, t, rec, err := runningTask(tx, p)
		if err != nil || t == nil {
			return err
		}
		now := h.now()
		if err := h.svc.runTask(tx, d, t, now); err != nil {
			if e := apperr.As(err); e.Kind != apperr.KindInternal {
				refusal = e
				return errTaskRefused
			}
			return err
		}
		return finishTask(tx, d, t, rec, TaskSuccess, "", now)
	})
	switch {
	case errors.Is(err, errTaskRefused):
		return h.fail(ctx, p, apperr.As(refusal).Message)
	case err != nil && j.Attempts >= TaskGiveUpAfter && ctx.Err() == nil:
		if ferr := h.fail(ctx, p, "The task failed repeatedly; try again."); ferr != nil {
			return errors.Join(err, ferr)
		}
		return err
	}
	return err
}

// fail ends a task Failed with reason.
func (h *TaskJobs) fail(ctx context.Context, p taskJob, reason string) error {
	return h.write(ctx, func(tx store.Tx) error {
		d, t, rec, err := runningTask(tx, p)
		if err != nil || t == nil {
			return err
		}
		return finishTask(tx, d, t, rec, TaskFailed, reason, h.now())
	})
}

func (h *TaskJobs) write(ctx context.Context, fn func(store.Tx) error) error {
	if err := h.st.Write(ctx, fn); err != nil {
		return err
	}
	if h.Committed != nil {
		h.Committed(ctx)
	}
	return nil
}

// runningTask loads a job's task; nil when it is no longer InProgress or
// its directory is gone (nothing to do).
func runningTask(tx store.Tx, p taskJob) (*Directory, *Task, store.Record, error) {
	t, rec, err := tasks.Get(tx, p.AccountID, p.TaskKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, rec, nil
	}
	if err != nil || t.Status != TaskInProgress {
		return nil, nil, rec, err
	}
	d, _, err := directories.Get(tx, p.AccountID, t.DirectoryID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, rec, nil
	}
	return d, t, rec, err
}

// runTask does a task's work.
func (s *Service) runTask(tx store.Tx, d *Directory, t *Task, now time.Time) error {
	ac, _, err := accessConfigurationByID(tx, d, t.AccessConfigurationID)
	if err != nil {
		return err
	}
	if t.Type == TaskCreateAssignment || t.Type == TaskProvision {
		// Removals go on when the account has left the directory since:
		// what was provisioned in it is still to be removed.
		if _, err := s.target(tx, d, t.TargetType, t.Target.ID); err != nil {
			return err
		}
	}
	provisioned, err := provisionings.Exists(tx, d.AccountID, provisioningKey(d, ac.ID, t.Target.ID))
	if err != nil {
		return err
	}
	switch t.Type {
	case TaskCreateAssignment:
		if _, err := principal(tx, d, t.PrincipalType, t.PrincipalID); err != nil {
			return err
		}
		if !provisioned {
			if err := s.provisionInMember(tx, d, ac, t.Target.ID, now); err != nil {
				return err
			}
		}
		a := &Assignment{DirectoryID: d.ID, AccessConfigurationID: ac.ID, TargetType: t.TargetType, TargetID: t.Target.ID,
			PrincipalType: t.PrincipalType, PrincipalID: t.PrincipalID, Created: now}
		err := assignments.Insert(tx, d.AccountID, assignmentKey(d, ac.ID, t.Target.ID, t.PrincipalType, t.PrincipalID), t.PrincipalID, a, now)
		if errors.Is(err, store.ErrConflict) {
			return nil // assigned meanwhile: the outcome asked for holds
		}
		return err
	case TaskDeleteAssignment:
		err := assignments.Delete(tx, d.AccountID, assignmentKey(d, ac.ID, t.Target.ID, t.PrincipalType, t.PrincipalID))
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if t.DeprovisionStrategy != DeprovisionForLastOnTarget || !provisioned {
			return nil
		}
		n, err := assignments.Count(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, ac.ID, t.Target.ID, "")})
		if err != nil || n > 0 {
			return err
		}
		return s.deprovisionInMember(tx, d, ac.ID, ac.Name, t.Target.ID, now)
	case TaskProvision:
		return s.provisionInMember(tx, d, ac, t.Target.ID, now)
	case TaskDeprovision:
		if err := refuseWhileAssigned(tx, d, ac.ID, t.Target.ID); err != nil {
			return err
		}
		return s.deprovisionInMember(tx, d, ac.ID, ac.Name, t.Target.ID, now)
	}
	return fmt.Errorf("cloudsso: task %s has the unknown type %q", t.ID, t.Type)
}
