package cloudsso

import (
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// ListTasks shows the last 24 hours by default and 7 days at most; a task
// started after that forgets ended tasks older than 7 days, and never a
// running one.
func TestTaskHistoryWindowAndPruning(t *testing.T) {
	e := newAccessEnv(t)
	dev, prod := e.members[0], e.members[1]
	var ac *AccessConfiguration
	var first, running *Task
	e.write(func(tx store.Tx) (err error) {
		if ac, err = e.sso.CreateAccessConfiguration(tx, e.ma, e.dir.ID, NewAccessConfiguration{Name: "Ops"}, e.now); err != nil {
			return err
		}
		if first, err = e.sso.ProvisionAccessConfiguration(tx, e.ma, e.dir.ID, ac.ID, TargetTypeAccount, dev, e.now); err != nil {
			return err
		}
		running, err = e.sso.ProvisionAccessConfiguration(tx, e.ma, e.dir.ID, ac.ID, TargetTypeAccount, prod, e.now)
		return err
	})
	if got := e.run(first); got.Status != TaskSuccess {
		t.Fatalf("first task %+v", got)
	}
	list := func(filter string) (Listed[Task], error) {
		var l Listed[Task]
		err := e.st.Write(t.Context(), func(tx store.Tx) (err error) {
			l, err = e.sso.ListTasks(tx, e.ma, e.dir.ID, TaskFilter{Filter: filter}, Page{}, e.now)
			return err
		})
		return l, err
	}
	if l, err := list(""); err != nil || l.TotalCounts != 2 {
		t.Fatalf("ListTasks now: %+v %v", l, err)
	}
	e.now = e.now.Add(2 * 24 * time.Hour)
	if l, err := list(""); err != nil || l.TotalCounts != 0 {
		t.Fatalf("ListTasks two days later: %+v %v; want none by default", l, err)
	}
	since := e.now.Add(-3 * 24 * time.Hour).Format("2006-01-02T15:04:05Z")
	if l, err := list("StartTime ge " + since); err != nil || l.TotalCounts != 2 {
		t.Fatalf("ListTasks since %s: %+v %v", since, l, err)
	}
	if _, err := list("StartTime ge " + e.now.Add(-8*24*time.Hour).Format("2006-01-02T15:04:05Z")); !invalidParameter.Of("Filter").Is(err) {
		t.Fatalf("ListTasks 8 days back: %v; want InvalidParameter.Filter", err)
	}

	e.now = e.now.Add(6 * 24 * time.Hour)
	e.write(func(tx store.Tx) error {
		_, err := e.sso.DeprovisionAccessConfiguration(tx, e.ma, e.dir.ID, ac.ID, TargetTypeAccount, dev, e.now)
		return err
	})
	e.write(func(tx store.Tx) error {
		if _, err := e.sso.GetTask(tx, e.ma, e.dir.ID, first.ID); !codeNoTask.Is(err) {
			t.Errorf("the ended 8-day-old task: %v; want it forgotten", err)
		}
		if got, err := e.sso.GetTask(tx, e.ma, e.dir.ID, running.ID); err != nil || got.Status != TaskInProgress {
			t.Errorf("the running 8-day-old task: %+v %v; want it kept", got, err)
		}
		return nil
	})
	// An account that never was a target cannot be deprovisioned.
	err := e.st.Write(t.Context(), func(tx store.Tx) error {
		_, err := e.sso.DeprovisionAccessConfiguration(tx, e.ma, e.dir.ID, ac.ID, TargetTypeAccount, "1234567890123456", e.now)
		return err
	})
	if !codeNoProvisioning.Is(err) {
		t.Fatalf("deprovisioning a stranger: %v", err)
	}
}
