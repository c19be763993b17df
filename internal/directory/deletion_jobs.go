package directory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/store"
)

// The pre-deletion check and the deletion run as jobs (internal/jobs): the
// call that asks records the request and enqueues the job in its own
// transaction, and any node runs it after the commit, resuming it after a
// restart or a kill -9.
//
// A job carries the token of the request it serves; the deletion record
// keeps the token of the latest request, so a job whose request was
// replaced, or already served, does nothing. The deletion advances in
// steps, each one transaction that also records where it got to, so a job
// run twice (a lost lease, a crash between a step's commit and the job's
// completion) resumes at the next step and never repeats one:
//
//  1. Checking -> Deleting: run the checks again (the member may have
//     changed since CheckAccountDelete); if one that was not abandoned
//     still finds something, the deletion ends CheckFailed. Otherwise
//     purge the member's account at once: its row is marked Deleted (kept:
//     the trail names it), and every AccessKey and every record in it
//     (RAM users, groups, roles, policies, MFA devices, settings, its
//     directory membership) is deleted. Its keys, users and role sessions
//     stop working on the next request on every node.
//  2. Deleting -> Success: the directory forgets the member: its member
//     record and name claims go, the member count drops by one.
const (
	CheckJobKind    = "rd.check-account-delete"
	DeletionJobKind = "rd.delete-account"
)

// GiveUpAfter is how many attempts a deletion gets before it is recorded
// as DeleteFailed (below the job runner's own limit, so the failure is
// recorded while the job still runs). DeleteAccount may then be submitted
// again: the steps already done are not repeated.
const GiveUpAfter = 8

// deletionJob is the payload of both job kinds.
type deletionJob struct {
	ManagementAccountID string
	AccountID           string
	Token               string
}

func enqueueDeletionJob(tx store.Tx, kind, managementID, accountID, token string) error {
	payload, err := json.Marshal(deletionJob{ManagementAccountID: managementID, AccountID: accountID, Token: token})
	if err != nil {
		return err
	}
	_, err = tx.Jobs().Enqueue(store.Job{ID: kind + "-" + token, Kind: kind, Payload: payload})
	return err
}

// DeletionJobs runs the check and deletion jobs of a service.
type DeletionJobs struct {
	svc *Service
	st  store.Store
	now func() time.Time // the domain clock
	// Pause is waited between the deletion's steps. It is zero in
	// service; tests set it to observe (and kill) a deletion half-way.
	Pause time.Duration
	// Committed, when set, runs after each transaction a job commits: the
	// node drops from its caches what the job changed (the purged keys and
	// policies) at once instead of at its next poll, as after an API write.
	Committed func(ctx context.Context)
}

// write runs fn in a transaction and reports the commit.
func (h *DeletionJobs) write(ctx context.Context, fn func(store.Tx) error) error {
	if err := h.st.Write(ctx, fn); err != nil {
		return err
	}
	if h.Committed != nil {
		h.Committed(ctx)
	}
	return nil
}

// DeletionJobs returns the job handlers of member deletion, writing to st.
func (s *Service) DeletionJobs(st store.Store, now func() time.Time) *DeletionJobs {
	return &DeletionJobs{svc: s, st: st, now: now}
}

func decodeJob(j store.Job) (deletionJob, error) {
	var p deletionJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return p, fmt.Errorf("%s job %s: %w", j.Kind, j.ID, err)
	}
	return p, nil
}

// Check is the handler of CheckJobKind: it runs the checks and records
// their result, in one transaction.
func (h *DeletionJobs) Check(ctx context.Context, j store.Job) error {
	p, err := decodeJob(j)
	if err != nil {
		return err
	}
	err = h.write(ctx, func(tx store.Tx) error {
		del, rec, err := deletionOf(tx, p.ManagementAccountID, p.AccountID)
		if err != nil || del == nil || del.Check == nil || del.Check.Token != p.Token || del.Check.Status != CheckRunning {
			return err // replaced or done: nothing to do
		}
		now := h.now()
		d, m, err := memberToDelete(tx, p)
		if err != nil {
			return err
		}
		c := del.Check
		c.Status, c.Completed = CheckComplete, now
		if m == nil {
			c.NotAllowed = []CheckResult{notAMember(p.AccountID)}
		} else {
			found, err := h.svc.runChecks(tx, d, m)
			if err != nil {
				return err
			}
			c.NotAllowed, c.Abandonable = found.blocking, found.abandonable
		}
		return deletions.Update(tx, rec, del, now)
	})
	if err != nil && j.Attempts >= GiveUpAfter && ctx.Err() == nil {
		return h.giveUpCheck(ctx, p, err)
	}
	return err
}

// giveUpCheck ends a check that keeps failing: complete, not allowing the
// deletion, so CheckAccountDelete may start another. It returns cause for
// the job runner's log.
func (h *DeletionJobs) giveUpCheck(ctx context.Context, p deletionJob, cause error) error {
	err := h.write(ctx, func(tx store.Tx) error {
		del, rec, err := deletionOf(tx, p.ManagementAccountID, p.AccountID)
		if err != nil || del == nil || del.Check == nil || del.Check.Token != p.Token || del.Check.Status != CheckRunning {
			return err
		}
		del.Check.Status, del.Check.Completed = CheckComplete, h.now()
		del.Check.NotAllowed = []CheckResult{{ID: "CHECK_ERROR", Name: "Check could not run",
			Description: fmt.Sprintf("Canopy could not run the checks after %d attempts; run CheckAccountDelete again.", GiveUpAfter)}}
		return deletions.Update(tx, rec, del, h.now())
	})
	if err != nil {
		return fmt.Errorf("%w (and recording the failure: %v)", cause, err)
	}
	return cause
}

// Delete is the handler of DeletionJobKind: it runs the steps left, one
// transaction each.
func (h *DeletionJobs) Delete(ctx context.Context, j store.Job) error {
	p, err := decodeJob(j)
	if err != nil {
		return err
	}
	for {
		more := false
		err := h.write(ctx, func(tx store.Tx) error {
			var err error
			more, err = h.step(tx, p)
			return err
		})
		if err != nil {
			if j.Attempts >= GiveUpAfter && ctx.Err() == nil {
				return h.giveUp(ctx, p, err)
			}
			return err
		}
		if !more {
			return nil
		}
		if err := sleep(ctx, h.Pause); err != nil {
			return err
		}
	}
}

// step takes the deletion one step further; more reports a step left.
func (h *DeletionJobs) step(tx store.Tx, p deletionJob) (more bool, err error) {
	del, rec, err := deletionOf(tx, p.ManagementAccountID, p.AccountID)
	if err != nil || del == nil || del.Run == nil || del.Run.Token != p.Token {
		return false, err // replaced: nothing to do
	}
	now := h.now()
	r := del.Run
	switch r.Status {
	case DeletionChecking:
		d, m, err := memberToDelete(tx, p)
		if err != nil {
			return false, err
		}
		failing := []CheckResult{notAMember(p.AccountID)}
		if m != nil {
			found, err := h.svc.runChecks(tx, d, m)
			if err != nil {
				return false, err
			}
			failing = found.failing(r.Abandoned)
		}
		if len(failing) > 0 {
			r.Status = DeletionCheckFailed
			for _, c := range failing {
				r.FailReasons = append(r.FailReasons, FailReason{Name: c.ID, Description: c.Description})
			}
			return false, deletions.Update(tx, rec, del, now)
		}
		if err := purgeAccount(tx, p.AccountID, now); err != nil {
			return false, err
		}
		r.Status = DeletionDeleting
		return true, deletions.Update(tx, rec, del, now)
	case DeletionDeleting:
		if err := forgetMember(tx, p, now); err != nil {
			return false, err
		}
		r.Status, r.Deleted = DeletionSuccess, now
		return false, deletions.Update(tx, rec, del, now)
	default:
		return false, nil // finished
	}
}

// memberToDelete reads the directory and the member a job is about; a nil
// member when it is no longer one (nothing can remove a created member
// but its deletion: kept for safety).
func memberToDelete(tx store.Tx, p deletionJob) (*Directory, *Member, error) {
	d, _, err := directories.Get(tx, p.ManagementAccountID, directoryKey)
	if err != nil {
		return nil, nil, ignoreNotFound(err)
	}
	m, _, err := members.Get(tx, p.ManagementAccountID, p.AccountID)
	if err != nil {
		return d, nil, ignoreNotFound(err)
	}
	return d, m, nil
}

func notAMember(accountID string) CheckResult {
	return CheckResult{ID: "NOT_A_MEMBER", Name: "Membership", Description: fmt.Sprintf("Account %s is no longer a member of the resource directory.", accountID)}
}

// purgeAccount deletes everything a member holds, in its own account, and
// marks the account Deleted. Run again, it finds nothing left to delete.
func purgeAccount(tx store.Tx, accountID string, now time.Time) error {
	memberAccount := accountID
	acct, err := tx.Accounts().Get(memberAccount)
	if err != nil {
		return err
	}
	if acct.Status != accounts.StatusDeleted {
		acct.Status, acct.Updated = accounts.StatusDeleted, now
		if err := tx.Accounts().Update(acct); err != nil {
			return err
		}
	}
	if _, err := tx.AccessKeys().DeleteAccount(memberAccount); err != nil {
		return err
	}
	_, err = tx.Records().DeleteAccount(memberAccount)
	return err
}

// forgetMember removes a deleted member from its directory: its member
// record, its name claims and one from the member count, all only if the
// member record is still there, so the count drops exactly once.
func forgetMember(tx store.Tx, p deletionJob, now time.Time) error {
	m, _, err := members.Get(tx, p.ManagementAccountID, p.AccountID)
	if err != nil {
		return ignoreNotFound(err)
	}
	d, drec, err := directories.Get(tx, p.ManagementAccountID, directoryKey)
	if err != nil {
		return err
	}
	if err := removeMember(tx, d, m.AccountID); err != nil {
		return err
	}
	for _, claim := range []struct {
		c    store.Collection[nameClaim]
		name string
	}{{memberNames, m.DisplayName}, {loginNames, m.AccountName}} {
		held, _, err := claim.c.Get(tx, p.ManagementAccountID, lowerKey(claim.name))
		if err != nil {
			if err = ignoreNotFound(err); err != nil {
				return err
			}
			continue
		}
		if held.AccountID == m.AccountID {
			if err := claim.c.Delete(tx, p.ManagementAccountID, lowerKey(claim.name)); err != nil {
				return err
			}
		}
	}
	return directories.Update(tx, drec, d, now)
}

// giveUp records a deletion that keeps failing as DeleteFailed and returns
// cause for the job runner's log (the answer does not show it); the job's
// next attempt finds the deletion finished and ends.
func (h *DeletionJobs) giveUp(ctx context.Context, p deletionJob, cause error) error {
	err := h.write(ctx, func(tx store.Tx) error {
		del, rec, err := deletionOf(tx, p.ManagementAccountID, p.AccountID)
		if err != nil || del == nil || del.Run == nil || del.Run.Token != p.Token || !del.Run.active() {
			return err
		}
		del.Run.Status = DeletionDeleteFailed
		del.Run.FailReasons = append(del.Run.FailReasons, FailReason{Name: "InternalError",
			Description: fmt.Sprintf("Canopy could not finish deleting the member after %d attempts; submit DeleteAccount again to resume it.", GiveUpAfter)})
		return deletions.Update(tx, rec, del, h.now())
	})
	if err != nil {
		return fmt.Errorf("%w (and recording the failure: %v)", cause, err)
	}
	return cause
}

func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
		return nil
	}
}
