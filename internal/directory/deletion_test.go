package directory

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
)

// The deletion's jobs, driven by hand on a real store: the states a job
// runner makes hard to catch (a check still running, a deletion half-way),
// and runs repeated as a crash or a lost lease repeats them.

type deletionEnv struct {
	t     *testing.T
	svc   *Service
	st    store.Store
	jobs  *DeletionJobs
	now   time.Time
	ma    string
	admin *model.Principal
}

func newDeletionEnv(t *testing.T) *deletionEnv {
	t.Helper()
	ring, err := keyring.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(context.Background(), sqlstore.Options{Dialect: sqlstore.DialectSQLite,
		Path: filepath.Join(t.TempDir(), "directory.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &deletionEnv{t: t, svc: New(iam.New(ring), Limits{}), st: st, now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		ma: model.NewAccountID()}
	e.jobs = e.svc.DeletionJobs(st, func() time.Time { return e.now })
	e.admin = &model.Principal{Kind: model.RAMUser, AccountID: e.ma, UserName: "admin"}
	e.write(func(tx store.Tx) error {
		if err := tx.Accounts().Insert(store.Account{ID: e.ma, Email: "ma@example.com", RealName: "Example Ltd",
			Type: accounts.TypeCloudAccount, Status: accounts.StatusActive, Created: e.now, Updated: e.now}); err != nil {
			return err
		}
		if _, err := e.svc.Enable(tx, e.ma, e.now); err != nil {
			return err
		}
		_, err := e.svc.SetMemberDeletionPermission(tx, e.ma, Enabled, e.now)
		return err
	})
	return e
}

func (e *deletionEnv) write(fn func(tx store.Tx) error) {
	e.t.Helper()
	if err := e.st.Write(context.Background(), fn); err != nil {
		e.t.Fatal(err)
	}
}

func (e *deletionEnv) wantRefused(code apperr.Code, fn func(tx store.Tx) error) {
	e.t.Helper()
	err := e.st.Write(context.Background(), fn)
	if !code.Is(err) {
		e.t.Fatalf("got %v; want %s", err, code.Name)
	}
}

func (e *deletionEnv) member(name string) *Member {
	e.t.Helper()
	var m *Member
	e.write(func(tx store.Tx) (err error) {
		m, err = e.svc.CreateResourceAccount(tx, e.ma, NewResourceAccount{DisplayName: name}, e.now)
		return err
	})
	return m
}

// queued returns the jobs of a kind waiting in the store.
func (e *deletionEnv) queued(kind string) []store.Job {
	e.t.Helper()
	var out []store.Job
	e.write(func(tx store.Tx) (err error) {
		out, err = tx.Jobs().List(store.JobQuery{Kind: kind})
		return err
	})
	return out
}

func (e *deletionEnv) record(accountID string) *Deletion {
	e.t.Helper()
	var del *Deletion
	e.write(func(tx store.Tx) (err error) {
		del, _, err = deletionOf(tx, e.ma, accountID)
		return err
	})
	return del
}

func (e *deletionEnv) directory() *Directory {
	e.t.Helper()
	var d *Directory
	e.write(func(tx store.Tx) (err error) {
		d, _, err = managed(tx, e.ma)
		return err
	})
	return d
}

func TestDeletionWhileChecking(t *testing.T) {
	e := newDeletionEnv(t)
	m := e.member("checked")
	check := func(tx store.Tx) error { return e.svc.CheckAccountDelete(tx, e.admin, m.AccountID, e.now) }
	e.write(check)
	e.write(check) // asked again while it runs: the same check goes on
	jobs := e.queued(CheckJobKind)
	if len(jobs) != 1 {
		t.Fatalf("%d check jobs queued; want 1", len(jobs))
	}
	e.wantRefused(codeChecking, func(tx store.Tx) error {
		_, err := e.svc.DeleteAccount(tx, e.admin, m.AccountID, "null", e.now)
		return err
	})
	if err := e.jobs.Check(context.Background(), jobs[0]); err != nil {
		t.Fatal(err)
	}
	first := e.record(m.AccountID).Check
	if first.Status != CheckComplete || first.AllowDelete() != "true" {
		t.Fatalf("check after its job: %+v", first)
	}
	// The job run again (a lost lease) changes nothing.
	e.now = e.now.Add(time.Minute)
	if err := e.jobs.Check(context.Background(), jobs[0]); err != nil {
		t.Fatal(err)
	}
	if again := e.record(m.AccountID).Check; !again.Completed.Equal(first.Completed) {
		t.Errorf("a repeated check job rewrote the result: %+v", again)
	}
}

func TestDeletionRunsEachStepOnce(t *testing.T) {
	e := newDeletionEnv(t)
	m := e.member("doomed")
	e.member("kept")
	var run *DeletionRun
	e.write(func(tx store.Tx) (err error) {
		run, err = e.svc.DeleteAccount(tx, e.admin, m.AccountID, "", e.now)
		return err
	})
	if run.Status != DeletionChecking || run.Type != DeletionImmediate {
		t.Fatalf("submitted deletion %+v", run)
	}
	for _, again := range []func(tx store.Tx) error{
		func(tx store.Tx) error {
			_, err := e.svc.DeleteAccount(tx, e.admin, m.AccountID, "", e.now)
			return err
		},
		func(tx store.Tx) error { return e.svc.CheckAccountDelete(tx, e.admin, m.AccountID, e.now) },
	} {
		e.wantRefused(codeDeleting, again)
	}
	jobs := e.queued(DeletionJobKind)
	if len(jobs) != 1 {
		t.Fatalf("%d deletion jobs queued; want 1", len(jobs))
	}
	p, err := decodeJob(jobs[0])
	if err != nil {
		t.Fatal(err)
	}

	// A first run gets through the first step and dies.
	e.write(func(tx store.Tx) error {
		more, err := e.jobs.step(tx, p)
		if err == nil && !more {
			t.Errorf("the first step left nothing to do")
		}
		return err
	})
	if st := e.record(m.AccountID).Run.Status; st != DeletionDeleting {
		t.Fatalf("status after the first step %q", st)
	}
	e.write(func(tx store.Tx) error {
		acct, err := tx.Accounts().Get(m.AccountID)
		if err != nil {
			return err
		}
		if acct.Status != accounts.StatusDeleted {
			t.Errorf("member account status %q after the purge", acct.Status)
		}
		if n, err := tx.Records().Count(store.Query{AccountID: m.AccountID, Kind: memberships.Kind}); err != nil || n != 0 {
			t.Errorf("%d membership records left in the purged account (%v)", n, err)
		}
		return nil
	})
	if n := e.directory().Members; n != 2 {
		t.Fatalf("member count %d half-way; want 2 until the member is forgotten", n)
	}

	// The resumed job finishes, and finishing again changes nothing.
	for i := 0; i < 2; i++ {
		if err := e.jobs.Delete(context.Background(), jobs[0]); err != nil {
			t.Fatal(err)
		}
		if r := e.record(m.AccountID).Run; r.Status != DeletionSuccess || !r.Deleted.Equal(e.now) {
			t.Fatalf("run %d: deletion %+v", i, r)
		}
		if n := e.directory().Members; n != 1 {
			t.Fatalf("run %d: member count %d; want 1", i, n)
		}
	}
	e.wantRefused(codeAccountGoneDelete, func(tx store.Tx) error {
		_, err := e.svc.DeleteAccount(tx, e.admin, m.AccountID, "", e.now)
		return err
	})
}

func TestStaleDeletionJobDoesNothing(t *testing.T) {
	e := newDeletionEnv(t)
	m := e.member("spared")
	stale := staleJob(t, e.ma, m.AccountID)
	e.write(func(tx store.Tx) error {
		_, err := e.svc.DeleteAccount(tx, e.admin, m.AccountID, "", e.now)
		return err
	})
	if err := e.jobs.Delete(context.Background(), stale); err != nil {
		t.Fatal(err)
	}
	if r := e.record(m.AccountID).Run; r.Status != DeletionChecking {
		t.Errorf("a job of another request moved the deletion to %q", r.Status)
	}
}

// staleJob is a deletion job of a request that is not the member's latest.
func staleJob(t *testing.T, ma, accountID string) store.Job {
	payload, err := json.Marshal(deletionJob{ManagementAccountID: ma, AccountID: accountID, Token: "not-the-token"})
	if err != nil {
		t.Fatal(err)
	}
	return store.Job{ID: "stale", Kind: DeletionJobKind, Payload: payload}
}

func TestOnlyCreatedResourceAccountsAreDeleted(t *testing.T) {
	e := newDeletionEnv(t)
	m := e.member("invited")
	// A member that joined by invitation (written as AcceptHandshake would).
	e.write(func(tx store.Tx) error {
		got, rec, err := members.Get(tx, e.ma, m.AccountID)
		if err != nil {
			return err
		}
		got.Type, got.JoinMethod, got.Status = TypeCloudAccount, JoinInvited, StatusInviteSuccess
		return members.Update(tx, rec, got, e.now)
	})
	e.wantRefused(codeMemberTypeDelete, func(tx store.Tx) error { return e.svc.CheckAccountDelete(tx, e.admin, m.AccountID, e.now) })
	e.wantRefused(codeMemberTypeDelete, func(tx store.Tx) error {
		_, err := e.svc.DeleteAccount(tx, e.admin, m.AccountID, "", e.now)
		return err
	})
}

// TestDeletionThatKeepsFailingEnds: a deletion whose step keeps failing
// (here: a member record whose account row is missing) is recorded as
// DeleteFailed on its last attempt, and may then be submitted again; a
// check that keeps failing (a member record that no longer decodes) ends
// without allowing the deletion, and may be run again.
func TestDeletionThatKeepsFailingEnds(t *testing.T) {
	e := newDeletionEnv(t)
	ghost := &Member{AccountID: model.NewAccountID(), DisplayName: "ghost", Type: TypeResourceAccount, JoinMethod: JoinCreated,
		Status: StatusCreateSuccess, FolderID: e.directory().RootFolderID}
	e.write(func(tx store.Tx) error {
		return members.Insert(tx, e.ma, ghost.AccountID, ghost.FolderID, ghost, e.now)
	})
	e.write(func(tx store.Tx) error {
		_, err := e.svc.DeleteAccount(tx, e.admin, ghost.AccountID, "", e.now)
		return err
	})
	job := e.queued(DeletionJobKind)[0]
	job.Attempts = 1
	if err := e.jobs.Delete(context.Background(), job); err == nil {
		t.Fatal("a deletion of a member without an account succeeded")
	}
	if r := e.record(ghost.AccountID).Run; r.Status != DeletionChecking {
		t.Fatalf("after a failed attempt the deletion is %q; want it retried", r.Status)
	}
	job.Attempts = GiveUpAfter
	if err := e.jobs.Delete(context.Background(), job); err == nil {
		t.Error("the last attempt hid its cause from the job runner")
	}
	r := e.record(ghost.AccountID).Run
	if r.Status != DeletionDeleteFailed || len(r.FailReasons) != 1 || r.FailReasons[0].Name != "InternalError" {
		t.Fatalf("after the last attempt: %+v", r)
	}
	if err := e.jobs.Delete(context.Background(), job); err != nil {
		t.Errorf("the job after giving up: %v; want it to end", err)
	}
	e.write(func(tx store.Tx) error {
		_, err := e.svc.DeleteAccount(tx, e.admin, ghost.AccountID, "", e.now)
		return err
	})

	m := e.member("checked")
	e.write(func(tx store.Tx) error { return e.svc.CheckAccountDelete(tx, e.admin, m.AccountID, e.now) })
	e.write(func(tx store.Tx) error {
		return tx.Records().Insert(store.Record{AccountID: e.ma, Kind: members.Kind, Key: "9999999999999999",
			Data: []byte("not json"), Created: e.now, Updated: e.now})
	})
	check := e.queued(CheckJobKind)[0]
	check.Attempts = GiveUpAfter
	if err := e.jobs.Check(context.Background(), check); err == nil {
		t.Error("the check's last attempt hid its cause from the job runner")
	}
	c := e.record(m.AccountID).Check
	if c.Status != CheckComplete || c.AllowDelete() != "false" || len(c.NotAllowed) != 1 || c.NotAllowed[0].ID != "CHECK_ERROR" {
		t.Fatalf("check after its last attempt: %+v", c)
	}
	e.write(func(tx store.Tx) error { return e.svc.CheckAccountDelete(tx, e.admin, m.AccountID, e.now) })
	if c := e.record(m.AccountID).Check; c.Status != CheckRunning {
		t.Errorf("a new check after a failed one is %q", c.Status)
	}
}
