package cloudsso

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// Tasks (reference section 3): every write that reaches into a member
// (assign, unassign, provision, deprovision) answers with a task that is
// InProgress until the job runner has done the work (task_jobs.go), then
// Success or Failed. One task at a time per (configuration, account): a
// lock record, inserted with the task in the call's transaction and
// deleted when the task ends, makes a second write meanwhile fail with
// OperationConflict.Task whatever the backend's isolation.

// Task types.
const (
	TaskCreateAssignment = "CreateAccessAssignment"
	TaskDeleteAssignment = "DeleteAccessAssignment"
	TaskProvision        = "ProvisionAccessConfiguration"
	TaskDeprovision      = "DeprovisionAccessConfiguration"
)

// Task statuses.
const (
	TaskInProgress = "InProgress"
	TaskSuccess    = "Success"
	TaskFailed     = "Failed"
)

// Task list limits.
const (
	MaxTaskResults = 20 // assignments, provisionings and tasks: 1..20
	// DefaultTaskWindow is how far back ListTasks looks by default, and
	// MaxTaskWindow the furthest a StartTime filter may reach.
	DefaultTaskWindow = 24 * time.Hour
	MaxTaskWindow     = 7 * 24 * time.Hour
)

// Task is one asynchronous write. The target and principal are
// snapshots taken when the task started.
type Task struct {
	ID                      string
	DirectoryID             string
	Type                    string
	Status                  string
	AccessConfigurationID   string
	AccessConfigurationName string
	TargetType              string
	Target                  Target
	PrincipalType           string `json:",omitempty"`
	PrincipalID             string `json:",omitempty"`
	PrincipalName           string `json:",omitempty"`
	// DeprovisionStrategy of a DeleteAccessAssignment task.
	DeprovisionStrategy string `json:",omitempty"`
	FailureReason       string `json:",omitempty"`
	Started             time.Time
	Ended               time.Time `json:",omitzero"`
}

// taskLock marks the running task of a (configuration, account).
type taskLock struct{ TaskID string }

func newTaskID() string { return "t-" + lowerAlnum(20) }

// taskKey orders a directory's tasks by start time.
func taskKey(d *Directory, started time.Time, id string) string {
	return scoped(d.ID, fmt.Sprintf("%020d", started.UnixNano()), id)
}

func taskLockKey(d *Directory, acID, targetID string) string { return scoped(d.ID, acID, targetID) }

// startTask records an InProgress task, takes the lock of its
// (configuration, account) and enqueues its job.
func (s *Service) startTask(tx store.Tx, d *Directory, t *Task, now time.Time) (*Task, error) {
	t.ID, t.DirectoryID, t.Status, t.Started = newTaskID(), d.ID, TaskInProgress, now
	lockKey := taskLockKey(d, t.AccessConfigurationID, t.Target.ID)
	err := taskLocks.Insert(tx, d.AccountID, lockKey, "", &taskLock{TaskID: t.ID}, now)
	if errors.Is(err, store.ErrConflict) {
		running := "another task"
		if l, _, err := taskLocks.Get(tx, d.AccountID, lockKey); err == nil {
			running = "the task " + l.TaskID
		}
		return nil, codeTaskConflict.New("%s is running on the access configuration %s in the account %s: wait until it ends, then try again.",
			upperFirst(running), t.AccessConfigurationID, t.Target.ID)
	}
	if err != nil {
		return nil, err
	}
	key := taskKey(d, now, t.ID)
	if err := tasks.Insert(tx, d.AccountID, key, t.ID, t, now); err != nil {
		return nil, err
	}
	if err := enqueueTask(tx, d.AccountID, key); err != nil {
		return nil, err
	}
	return t, pruneTasks(tx, d, now)
}

// pruneBatch bounds how many old tasks one new task forgets.
const pruneBatch = 5

// pruneTasks forgets up to pruneBatch ended tasks that started more than
// MaxTaskWindow ago (ListTasks can no longer show them), oldest first, so
// the history of a busy directory stays bounded without a sweeper.
func pruneTasks(tx store.Tx, d *Directory, now time.Time) error {
	cutoff := taskKey(d, now.Add(-MaxTaskWindow), "")
	recs, err := tasks.Records(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, ""), Limit: pruneBatch})
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if rec.Key >= cutoff {
			break
		}
		var old Task
		if err := tasks.Decode(rec, &old); err != nil {
			return err
		}
		if old.Status == TaskInProgress {
			continue
		}
		if err := tasks.Delete(tx, d.AccountID, rec.Key); err != nil {
			return err
		}
	}
	return nil
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// finishTask ends a task and releases its lock.
func finishTask(tx store.Tx, d *Directory, t *Task, rec store.Record, status, reason string, now time.Time) error {
	t.Status, t.FailureReason, t.Ended = status, reason, now
	if err := tasks.Update(tx, rec, t, now); err != nil {
		return err
	}
	lockKey := taskLockKey(d, t.AccessConfigurationID, t.Target.ID)
	l, _, err := taskLocks.Get(tx, d.AccountID, lockKey)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil || l.TaskID != t.ID {
		return err
	}
	return taskLocks.Delete(tx, d.AccountID, lockKey)
}

// taskByID finds a task of the directory: EntityNotExists.Task when none.
func taskByID(tx store.Tx, d *Directory, id string) (*Task, error) {
	t, _, err := byID(tx, tasks, d, "TaskId", "t-", id, func() error {
		return codeNoTask.New("The task %q does not exist in the directory %s.", clip(id), d.ID)
	})
	return t, err
}

// GetTask returns one task (GetTask and GetTaskStatus).
func (s *Service) GetTask(tx store.Tx, accountID, directoryID, taskID string) (*Task, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, err
	}
	return taskByID(tx, d, taskID)
}

// TaskFilter narrows ListTasks.
type TaskFilter struct {
	Filter                string // "StartTime ge 2006-01-02T15:04:05Z"
	Status                string
	TaskType              string
	AccessConfigurationID string
	PrincipalType         string
	PrincipalID           string
	TargetType            string
	TargetID              string
}

// ListTasks lists the tasks started in the last 24 hours, or since the
// StartTime filter (at most 7 days back), oldest first. Each of the pairs
// PrincipalType+PrincipalId and TargetType+TargetId filters only when
// both halves are given, as the reference says the cloud does.
func (s *Service) ListTasks(tx store.Tx, accountID, directoryID string, f TaskFilter, p Page, now time.Time) (Listed[Task], error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return Listed[Task]{}, err
	}
	since := now.Add(-DefaultTaskWindow)
	if f.Filter != "" {
		if since, err = parseStartTimeFilter(f.Filter, now); err != nil {
			return Listed[Task]{}, err
		}
	}
	if f.Status != "" {
		if err := checkEnum("Status", f.Status, TaskInProgress, TaskSuccess, TaskFailed); err != nil {
			return Listed[Task]{}, err
		}
	}
	if f.TaskType != "" {
		if err := checkEnum("TaskType", f.TaskType, TaskCreateAssignment, TaskDeleteAssignment, TaskProvision, TaskDeprovision); err != nil {
			return Listed[Task]{}, err
		}
	}
	byPrincipal := f.PrincipalType != "" && f.PrincipalID != ""
	byTarget := f.TargetType != "" && f.TargetID != ""
	return page(tx, tasks, store.Query{AccountID: accountID, Prefix: scoped(d.ID, "")}, p, MaxTaskResults, func(t *Task) (Task, bool, error) {
		keep := !t.Started.Before(since) &&
			(f.Status == "" || t.Status == f.Status) && (f.TaskType == "" || t.Type == f.TaskType) &&
			(f.AccessConfigurationID == "" || t.AccessConfigurationID == f.AccessConfigurationID) &&
			(!byPrincipal || t.PrincipalType == f.PrincipalType && t.PrincipalID == f.PrincipalID) &&
			(!byTarget || t.TargetType == f.TargetType && t.Target.ID == f.TargetID)
		return *t, keep, nil
	})
}

// parseStartTimeFilter reads "StartTime ge <UTC time>", at most
// MaxTaskWindow back.
func parseStartTimeFilter(raw string, now time.Time) (time.Time, error) {
	bad := invalidParameter.Of("Filter").New("The parameter Filter must be \"StartTime ge YYYY-MM-DDThh:mm:ssZ\".")
	fields := strings.Fields(raw)
	if len(fields) != 3 || !strings.EqualFold(fields[0], "StartTime") || !strings.EqualFold(fields[1], "ge") {
		return time.Time{}, bad
	}
	t, err := time.Parse("2006-01-02T15:04:05Z", strings.Trim(fields[2], `"`))
	if err != nil {
		return time.Time{}, bad
	}
	if t.Before(now.Add(-MaxTaskWindow)) {
		return time.Time{}, invalidParameter.Of("Filter").New("ListTasks looks back at most 7 days: StartTime must be after %s.",
			now.Add(-MaxTaskWindow).UTC().Format("2006-01-02T15:04:05Z"))
	}
	return t, nil
}

// Running tasks count in the directory's statistics.
func init() {
	directoryParts = append(directoryParts, directoryPart{
		statistics: func(tx store.Tx, d *Directory, st *DirectoryStatistics) error {
			n, err := taskLocks.Count(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, "")})
			st.InProgressTaskCount = n
			return err
		},
		inUse: func(tx store.Tx, d *Directory) error { return nil },
	})
}
