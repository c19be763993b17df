package cloudsso

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/directory"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/policy"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
)

// accessEnv is a management account with a resource directory of two
// members and a CloudSSO directory, on a real SQLite store.
type accessEnv struct {
	t       *testing.T
	st      store.Store
	iam     *iam.Service
	sso     *Service
	jobs    *TaskJobs
	now     time.Time
	ma      string
	dir     *Directory
	members []string
}

func newAccessEnv(t *testing.T) *accessEnv {
	t.Helper()
	ring, err := keyring.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(context.Background(), sqlstore.Options{Dialect: sqlstore.DialectSQLite,
		Path: filepath.Join(t.TempDir(), "sso.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	iamSvc := iam.New(ring)
	rd := directory.New(iamSvc, directory.Limits{})
	e := &accessEnv{t: t, st: st, iam: iamSvc, sso: New(iamSvc, rd, ring, Limits{}),
		now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), ma: model.NewAccountID()}
	e.jobs = e.sso.TaskJobs(st, func() time.Time { return e.now })
	e.write(func(tx store.Tx) error {
		if err := tx.Accounts().Insert(store.Account{ID: e.ma, Email: "ma@example.com", RealName: "Example Ltd",
			Type: accounts.TypeCloudAccount, Status: accounts.StatusActive, Created: e.now, Updated: e.now}); err != nil {
			return err
		}
		if _, err := rd.Enable(tx, e.ma, e.now); err != nil {
			return err
		}
		for _, name := range []string{"dev", "prod"} {
			m, err := rd.CreateResourceAccount(tx, e.ma, directory.NewResourceAccount{DisplayName: name, AccountNamePrefix: name}, e.now)
			if err != nil {
				return err
			}
			e.members = append(e.members, m.AccountID)
		}
		if err := e.sso.EnableService(tx, e.ma, e.now); err != nil {
			return err
		}
		e.dir, err = e.sso.CreateDirectory(tx, e.ma, "", "", e.now)
		return err
	})
	return e
}

func (e *accessEnv) write(fn func(tx store.Tx) error) {
	e.t.Helper()
	if err := e.st.Write(context.Background(), fn); err != nil {
		e.t.Fatal(err)
	}
}

// run runs a task's job as the runner would, and returns the task after.
func (e *accessEnv) run(t *Task) *Task {
	e.t.Helper()
	job := taskJob{AccountID: e.ma, TaskKey: taskKey(e.dir, t.Started, t.ID)}
	payload, _ := json.Marshal(job)
	if err := e.jobs.Run(context.Background(), store.Job{Kind: TaskJobKind, Payload: payload}); err != nil {
		e.t.Fatal(err)
	}
	var out *Task
	e.write(func(tx store.Tx) error {
		var err error
		out, err = e.sso.GetTask(tx, e.ma, e.dir.ID, t.ID)
		return err
	})
	return out
}

// The portal lists each (account, configuration) pair a user reaches,
// directly or through groups, once, with the configuration's session
// and relay state and the reserved role to assume; a disabled user
// reaches none. Running a task's job twice changes nothing the second
// time, and a second write on a busy (configuration, account) is refused.
func TestPortalAccessForUserThroughGroups(t *testing.T) {
	e := newAccessEnv(t)
	dev, prod := e.members[0], e.members[1]
	var alice, bob *User
	var ops, audit *AccessConfiguration
	var started []*Task
	e.write(func(tx store.Tx) (err error) {
		if alice, err = e.sso.CreateUser(tx, e.ma, e.dir.ID, NewUser{Name: "alice"}, e.now); err != nil {
			return err
		}
		if bob, err = e.sso.CreateUser(tx, e.ma, e.dir.ID, NewUser{Name: "bob"}, e.now); err != nil {
			return err
		}
		g, err := e.sso.CreateGroup(tx, e.ma, e.dir.ID, "devs", "", e.now)
		if err != nil {
			return err
		}
		if err := e.sso.AddUserToGroup(tx, e.ma, e.dir.ID, g.ID, alice.ID, e.now); err != nil {
			return err
		}
		d := 7200
		if ops, err = e.sso.CreateAccessConfiguration(tx, e.ma, e.dir.ID, NewAccessConfiguration{Name: "Ops",
			SessionDuration: &d, RelayState: "https://ecs.console.aliyun.com"}, e.now); err != nil {
			return err
		}
		if audit, err = e.sso.CreateAccessConfiguration(tx, e.ma, e.dir.ID, NewAccessConfiguration{Name: "audit"}, e.now); err != nil {
			return err
		}
		if err := e.sso.AddPermissionPolicyToAccessConfiguration(tx, e.ma, e.dir.ID, ops.ID,
			NewPermissionPolicy{Type: PolicyTypeSystem, Name: "readonlyaccess"}, e.now); err != nil {
			return err
		}
		for _, r := range []AssignmentRequest{
			{ops.ID, TargetTypeAccount, dev, PrincipalGroup, g.ID},
			{ops.ID, TargetTypeAccount, prod, PrincipalUser, alice.ID},
			{audit.ID, TargetTypeAccount, dev, PrincipalUser, bob.ID},
		} {
			task, err := e.sso.CreateAccessAssignment(tx, e.ma, e.dir.ID, r, e.now)
			if err != nil {
				return err
			}
			started = append(started, task)
		}
		return nil
	})
	// The same (configuration, account) is busy until its task ran.
	err := e.st.Write(context.Background(), func(tx store.Tx) error {
		_, err := e.sso.ProvisionAccessConfiguration(tx, e.ma, e.dir.ID, ops.ID, TargetTypeAccount, dev, e.now)
		return err
	})
	if !codeTaskConflict.Is(err) {
		t.Fatalf("a write on a busy configuration and account: %v; want %s", err, codeTaskConflict.Name)
	}
	for _, task := range started {
		if got := e.run(task); got.Status != TaskSuccess {
			t.Fatalf("task %+v; want Success", got)
		}
		if again := e.run(task); again.Status != TaskSuccess || !again.Ended.Equal(e.now) {
			t.Fatalf("the task run again: %+v", again)
		}
	}

	var got []PortalAccess
	e.write(func(tx store.Tx) (err error) {
		got, err = e.sso.PortalAccessFor(tx, e.dir, alice.ID)
		return err
	})
	want := map[string]bool{dev + "/Ops": true, prod + "/Ops": true}
	if len(got) != len(want) {
		t.Fatalf("alice reaches %+v; want %v", got, want)
	}
	for _, pa := range got {
		if !want[pa.AccountID+"/"+pa.AccessConfigurationName] || pa.SessionDuration != 7200 ||
			pa.RelayState != "https://ecs.console.aliyun.com" || !pa.Provisioned ||
			pa.RoleARN != "acs:ram::"+pa.AccountID+":role/aliyunreservedsso-ops" ||
			pa.SAMLProviderARN != "acs:ram::"+pa.AccountID+":saml-provider/AliyunReservedSSO-"+e.dir.ID {
			t.Errorf("alice's access %+v", pa)
		}
	}
	// The role exists in each member, with the configuration's policy.
	e.write(func(tx store.Tx) error {
		for _, m := range []string{dev, prod} {
			r, err := e.iam.GetRole(tx, m, "AliyunReservedSSO-Ops")
			if err != nil {
				return err
			}
			if r.MaxSessionDuration != 7200 {
				t.Errorf("the role in %s lasts %d s; want 7200", m, r.MaxSessionDuration)
			}
			// Its trust admits the directory's SAML provider with the
			// role-SSO recipient, and nobody of the member itself.
			trust, err := policy.Parse(r.TrustPolicy, policy.Trust)
			if err != nil {
				return err
			}
			req := &policy.Request{Action: "sts:AssumeRole", Context: &policy.Context{Extra: []policy.KeyValues{
				{Key: policy.NormalizeConditionKey("saml:recipient"), Values: []string{SAMLRecipient}}}}}
			if d := trust.TrustsPrincipal(req, policy.Principal{Federated: SAMLProviderARN(m, e.dir.ID)}); d != policy.Allow {
				t.Errorf("the directory's provider is %v by the role in %s", d, m)
			}
			if d := trust.TrustsPrincipal(&policy.Request{Action: "sts:AssumeRole", Context: &policy.Context{}},
				policy.Principal{Federated: SAMLProviderARN(m, e.dir.ID)}); d == policy.Allow {
				t.Errorf("the provider without saml:recipient is allowed by the role in %s", m)
			}
			if d := trust.TrustsPrincipal(req, policy.Principal{ARN: "acs:ram::" + m + ":root"}); d == policy.Allow {
				t.Errorf("the member's root is trusted by the role in %s", m)
			}
			ps, err := e.iam.ListPoliciesFor(tx, m, iam.PrincipalRole, r.Name)
			if err != nil {
				return err
			}
			if len(ps) != 1 || ps[0].Name != "ReadOnlyAccess" {
				t.Errorf("the role in %s has %+v; want ReadOnlyAccess", m, ps)
			}
		}
		return nil
	})

	e.write(func(tx store.Tx) error {
		return e.sso.UpdateUserStatus(tx, e.ma, e.dir.ID, alice.ID, Disabled, e.now)
	})
	e.write(func(tx store.Tx) (err error) {
		got, err = e.sso.PortalAccessFor(tx, e.dir, alice.ID)
		return err
	})
	if len(got) != 0 {
		t.Errorf("a disabled user reaches %+v", got)
	}
}
