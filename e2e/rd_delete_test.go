package e2e

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/app"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// The end-to-end specification of member deletion (issue 8): the seed
// "enable member deletion + delete", through the classic SDK.

func setMemberDeletion(c *resourcemanager.Client, status string) (*resourcemanager.SetMemberDeletionPermissionResponse, error) {
	req := resourcemanager.CreateSetMemberDeletionPermissionRequest()
	req.Status = status
	return c.SetMemberDeletionPermission(req)
}

func checkAccountDelete(c *resourcemanager.Client, id string) error {
	req := resourcemanager.CreateCheckAccountDeleteRequest()
	req.AccountId = id
	_, err := c.CheckAccountDelete(req)
	return err
}

func getDeletionCheck(c *resourcemanager.Client, id string) (resourcemanager.AccountDeletionCheckResultInfo, error) {
	req := resourcemanager.CreateGetAccountDeletionCheckResultRequest()
	req.AccountId = id
	resp, err := c.GetAccountDeletionCheckResult(req)
	if err != nil {
		return resourcemanager.AccountDeletionCheckResultInfo{}, err
	}
	return resp.AccountDeletionCheckResultInfo, nil
}

// deleteAccount submits a deletion; abandon nil leaves AbandonableCheckId
// unset (the SDK then sends "null").
func deleteAccount(c *resourcemanager.Client, id string, abandon []string) (*resourcemanager.DeleteAccountResponse, error) {
	req := resourcemanager.CreateDeleteAccountRequest()
	req.AccountId = id
	if abandon != nil {
		req.AbandonableCheckId = &abandon
	}
	return c.DeleteAccount(req)
}

func getDeletionStatus(c *resourcemanager.Client, id string) (resourcemanager.RdAccountDeletionStatus, error) {
	req := resourcemanager.CreateGetAccountDeletionStatusRequest()
	req.AccountId = id
	resp, err := c.GetAccountDeletionStatus(req)
	if err != nil {
		return resourcemanager.RdAccountDeletionStatus{}, err
	}
	return resp.RdAccountDeletionStatus, nil
}

// within polls fn every 50 ms until it reports done, for at most d (jobs
// run in the background).
func within(t *testing.T, d time.Duration, what string, fn func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !fn() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkResult runs a pre-deletion check to its end and returns it.
func checkResult(t *testing.T, c *resourcemanager.Client, id string) resourcemanager.AccountDeletionCheckResultInfo {
	t.Helper()
	ok(t, "CheckAccountDelete", checkAccountDelete(c, id))
	var res resourcemanager.AccountDeletionCheckResultInfo
	within(t, 20*time.Second, "the check completes", func() bool {
		var err error
		res, err = getDeletionCheck(c, id)
		ok(t, "GetAccountDeletionCheckResult", err)
		if res.Status != "PreChecking" && res.Status != "PreCheckComplete" {
			t.Fatalf("check status %q", res.Status)
		}
		return res.Status == "PreCheckComplete"
	})
	return res
}

// deletionEnds polls a deletion until it leaves Checking and Deleting.
func deletionEnds(t *testing.T, c *resourcemanager.Client, id string) resourcemanager.RdAccountDeletionStatus {
	t.Helper()
	var st resourcemanager.RdAccountDeletionStatus
	within(t, 20*time.Second, "the deletion ends", func() bool {
		var err error
		st, err = getDeletionStatus(c, id)
		ok(t, "GetAccountDeletionStatus", err)
		return st.Status != "Checking" && st.Status != "Deleting"
	})
	return st
}

func checkIDs(checks []resourcemanager.Check) []string {
	var ids []string
	for _, c := range checks {
		ids = append(ids, c.CheckId)
	}
	slices.Sort(ids)
	return ids
}

// sessionRD is a ResourceManager client signing with session credentials.
func sessionRD(t *testing.T, srv *canopytest.Server, c sts.Credentials) *resourcemanager.Client {
	return onSession(t, srv, c, resourcemanager.NewClientWithStsToken, func(cl *resourcemanager.Client) *sdk.Client { return &cl.Client })
}

// TestDeleteMember walks the seed: the management root allows deletion, a
// RAM administrator checks a member, sees what would be lost, deletes it
// abandoning those checks, and the member is gone with every identity and
// key it had, including a role session obtained before.
func TestDeleteMember(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		doomed := createResourceAccount(t, w.admin, "", "doomed member", "doomed")
		keeper := createResourceAccount(t, w.admin, "", "kept member", "kept")

		// Inside the member: a RAM user with a key, a role of its own,
		// and an administrator session obtained before the deletion.
		creds := mustAssume(t, w.adminSTS, accessRoleARN(doomed.AccountId), "before-deletion").Credentials
		inMember := &ramWorld{srv: w.srv, acct: canopytest.Account{ID: doomed.AccountId}, root: sessionRAM(t, w.srv, creds)}
		inMember.createUser(t, "alice")
		inMember.attachToUser(t, "alice", "System", "AliyunRAMReadOnlyAccess")
		aliceID, aliceSecret := inMember.userKey(t, "alice")
		alice := w.srv.RAMClient(t, aliceID, aliceSecret)
		ok(t, "alice works in the member", listUsers(alice))
		inMember.createRole(t, "deployer", trustDoc(rootARN(w.acct.ID)), 3600)

		// Deletion is off until the management account turns it on.
		wantServerError(t, checkAccountDelete(w.admin, doomed.AccountId), "NoLicense.ResourceDirectory", http.StatusConflict)
		_, err := deleteAccount(w.admin, doomed.AccountId, nil)
		wantServerError(t, err, "NoLicense.ResourceDirectory", http.StatusConflict)
		// The management root may turn it on (the cloud allows it).
		set, err := setMemberDeletion(w.rootRD, "Enabled")
		ok(t, "SetMemberDeletionPermission", err)
		if set.MemberDeletionStatus != "Enabled" || set.ManagementAccountId != w.acct.ID || set.ResourceDirectoryId != w.directory.ResourceDirectoryId {
			t.Fatalf("SetMemberDeletionPermission answered %+v", set)
		}
		rd, err := w.admin.GetResourceDirectory(resourcemanager.CreateGetResourceDirectoryRequest())
		ok(t, "GetResourceDirectory", err)
		if rd.ResourceDirectory.MemberDeletionStatus != "Enabled" {
			t.Fatalf("MemberDeletionStatus %q after enabling", rd.ResourceDirectory.MemberDeletionStatus)
		}
		// ... but not check or delete: that takes a RAM identity.
		se := wantServerError(t, checkAccountDelete(w.rootRD, doomed.AccountId), "CallerIdentityError.DeleteAccount", http.StatusConflict)
		if !strings.Contains(se.Message(), "AliyunResourceDirectoryFullAccess") {
			t.Errorf("root refusal %q does not say what to use instead", se.Message())
		}
		_, err = deleteAccount(w.rootRD, doomed.AccountId, nil)
		wantServerError(t, err, "CallerIdentityError.DeleteAccount", http.StatusConflict)

		_, err = getDeletionCheck(w.admin, doomed.AccountId)
		wantServerError(t, err, "EntityNotExists.CheckAccount", http.StatusConflict)
		_, err = getDeletionStatus(w.admin, doomed.AccountId)
		wantServerError(t, err, "EntityNotExists.CheckAccount", http.StatusConflict)

		res := checkResult(t, w.admin, doomed.AccountId)
		if res.AllowDelete != "true" || len(res.NotAllowReason) != 0 {
			t.Fatalf("check result %+v; want AllowDelete \"true\" and no reason", res)
		}
		if got := checkIDs(res.AbandonableChecks); !slices.Equal(got, []string{"RAM_ROLES", "RAM_USER_ACCESS_KEYS"}) {
			t.Fatalf("abandonable checks %v (%+v)", got, res.AbandonableChecks)
		}
		for _, c := range res.AbandonableChecks {
			if c.CheckName == "" || !strings.Contains(c.Description, `"alice"`) && !strings.Contains(c.Description, `"deployer"`) {
				t.Errorf("abandonable check %+v does not name what it found", c)
			}
		}

		// Submitted without abandoning them, the deletion's own check fails.
		del, err := deleteAccount(w.admin, doomed.AccountId, nil)
		ok(t, "DeleteAccount", err)
		if del.DeletionType != "0" {
			t.Errorf("DeletionType %q; want \"0\"", del.DeletionType)
		}
		st := deletionEnds(t, w.admin, doomed.AccountId)
		var failed []string
		for _, r := range st.FailReasonList {
			failed = append(failed, r.Name)
		}
		slices.Sort(failed)
		if st.Status != "CheckFailed" || !slices.Equal(failed, []string{"RAM_ROLES", "RAM_USER_ACCESS_KEYS"}) {
			t.Fatalf("deletion without abandoning: %+v", st)
		}
		ok(t, "alice still works after a failed deletion", listUsers(alice))

		// Abandoning them, it succeeds.
		before := time.Now().Add(-time.Second)
		_, err = deleteAccount(w.admin, doomed.AccountId, []string{"RAM_USER_ACCESS_KEYS", "RAM_ROLES"})
		ok(t, "DeleteAccount abandoning the checks", err)
		st = deletionEnds(t, w.admin, doomed.AccountId)
		if st.Status != "Success" || st.AccountId != doomed.AccountId || st.DeletionType != "0" || len(st.FailReasonList) != 0 {
			t.Fatalf("deletion: %+v", st)
		}
		created, err1 := time.Parse(time.RFC3339, st.CreateTime)
		deleted, err2 := time.Parse(time.RFC3339, st.DeletionTime)
		if err1 != nil || err2 != nil || created.Before(before) || deleted.Before(created) || deleted.After(time.Now()) {
			t.Errorf("CreateTime %q, DeletionTime %q", st.CreateTime, st.DeletionTime)
		}

		// Gone from the directory...
		get := resourcemanager.CreateGetAccountRequest()
		get.AccountId = doomed.AccountId
		_, err = w.admin.GetAccount(get)
		wantServerError(t, err, "EntityNotExists.Account", http.StatusNotFound)
		list, err := w.admin.ListAccounts(resourcemanager.CreateListAccountsRequest())
		ok(t, "ListAccounts", err)
		if list.TotalCount != 1 || len(list.Accounts.Account) != 1 || list.Accounts.Account[0].AccountId != keeper.AccountId {
			t.Fatalf("ListAccounts after the deletion: %d %+v", list.TotalCount, list.Accounts.Account)
		}
		// ... and nothing of it works any more: its RAM user's key, the
		// session obtained before, its access role.
		wantServerError(t, listUsers(alice), "InvalidAccessKeyId.NotFound", http.StatusNotFound)
		// The session's token is self-contained, but its account is gone:
		// even a call that needs no permission is refused.
		wantServerError(t, listUsers(inMember.root), "InvalidAccessKeyId.NotFound", http.StatusNotFound)
		_, err = getCallerIdentity(sessionSTS(t, w.srv, creds))
		wantServerError(t, err, "InvalidAccessKeyId.NotFound", http.StatusNotFound)
		_, err = assumeRole(w.adminSTS, accessRoleARN(doomed.AccountId), "after-deletion")
		wantServerError(t, err, "EntityNotExist.Role", http.StatusNotFound)
		// Its deletion stays readable, and cannot be repeated.
		st, err = getDeletionStatus(w.admin, doomed.AccountId)
		ok(t, "GetAccountDeletionStatus after the deletion", err)
		if st.Status != "Success" {
			t.Errorf("status after the deletion %+v", st)
		}
		_, err = deleteAccount(w.admin, doomed.AccountId, nil)
		wantServerError(t, err, "AccountNotExist.DeleteAccount", http.StatusConflict)
		wantServerError(t, checkAccountDelete(w.admin, doomed.AccountId), "EntityNotExists.Account", http.StatusNotFound)
		// Its name can be used again.
		createResourceAccount(t, w.admin, "", "doomed member", "doomed")
	})
}

// TestMemberDeletionRefusals: each refusal of the deletion calls with its
// documented code and status, and the checks that block a deletion.
func TestMemberDeletionRefusals(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		payer := createResourceAccount(t, w.admin, "", "payer member", "payer")
		req := resourcemanager.CreateCreateResourceAccountRequest()
		req.DisplayName, req.PayerAccountId = "paid member", payer.AccountId
		_, err := w.admin.CreateResourceAccount(req)
		ok(t, "CreateResourceAccount paid by another member", err)

		// The switch: a value it knows, set by the management account only.
		_, err = setMemberDeletion(w.admin, "On")
		wantServerError(t, err, "InvalidParameter.Status", http.StatusBadRequest)
		_, err = setMemberDeletion(w.admin, "")
		wantServerError(t, err, "MissingParameter.Status", http.StatusBadRequest)
		inMember := sessionRD(t, w.srv, mustAssume(t, w.adminSTS, accessRoleARN(payer.AccountId), "member-admin").Credentials)
		_, err = setMemberDeletion(inMember, "Enabled")
		wantServerError(t, err, "MemberAccountAccessDenied", http.StatusForbidden)
		outsider := accountOn(t, w.srv)
		_, err = setMemberDeletion(w.srv.RDClient(t, outsider.acct.AccessKeyID, outsider.acct.AccessKeySecret), "Enabled")
		wantServerError(t, err, "EntityNotExists.ResourceDirectory", http.StatusNotFound)
		_, err = setMemberDeletion(w.admin, "Enabled") // a RAM administrator may too
		ok(t, "SetMemberDeletionPermission by the RAM administrator", err)

		// Members that are not there, ids that are not ids.
		for _, c := range []struct {
			id, code string
			status   int
		}{
			{"", "MissingParameter.AccountId", http.StatusBadRequest},
			{"12ab", "InvalidParameter.AccountId", http.StatusBadRequest},
			{strings.Repeat("9", 60000), "InvalidParameter.AccountId", http.StatusBadRequest}, // a long query string
			{"1234567890123456", "EntityNotExists.Account", http.StatusNotFound},
			{w.acct.ID, "EntityNotExists.Account", http.StatusNotFound}, // the management account is no member
		} {
			wantServerError(t, checkAccountDelete(w.admin, c.id), c.code, c.status)
			_, err := deleteAccount(w.admin, c.id, nil)
			wantServerError(t, err, c.code, c.status)
		}
		// A member of another directory is not one of this directory's.
		outsiderRD := w.srv.RDClient(t, outsider.acct.AccessKeyID, outsider.acct.AccessKeySecret)
		enable := resourcemanager.CreateEnableResourceDirectoryRequest()
		enable.EnableMode = "CurrentAccount"
		_, err = outsiderRD.EnableResourceDirectory(enable)
		ok(t, "EnableResourceDirectory by another account", err)
		foreign := createResourceAccount(t, outsiderRD, "", "foreign member", "foreign")
		wantServerError(t, checkAccountDelete(w.admin, foreign.AccountId), "EntityNotExists.Account", http.StatusNotFound)
		_, err = deleteAccount(w.admin, foreign.AccountId, nil)
		wantServerError(t, err, "EntityNotExists.Account", http.StatusNotFound)
		_, err = getDeletionStatus(w.admin, foreign.AccountId)
		wantServerError(t, err, "EntityNotExists.Account", http.StatusNotFound)
		// AbandonableCheckId must be a JSON array of abandonable checks.
		for _, bad := range []string{"not json", `{"a":1}`, `["NO_SUCH_CHECK"]`, `["PAYER_FOR_MEMBERS"]`, `[` + strings.Repeat(`"RAM_ROLES",`, 1000) + `"RAM_ROLES"]`} {
			creq := requests.NewCommonRequest()
			creq.Method, creq.Product, creq.Version, creq.ApiName = "POST", "ResourceManager", "2020-03-31", "DeleteAccount"
			creq.Domain, creq.Scheme = w.srv.Endpoint, "http"
			creq.QueryParams["AccountId"], creq.QueryParams["AbandonableCheckId"] = payer.AccountId, bad
			_, err := w.admin.ProcessCommonRequest(creq)
			wantServerError(t, err, "InvalidParameter.AbandonableCheckId", http.StatusBadRequest)
		}

		// An invited cloud account cannot be deleted, only removed; its
		// root, a member's, may not touch the switch.
		guest := newInvitee(t, w.srv)
		h := mustInvite(t, w.admin, guest.acct.ID, "Account")
		_, err = acceptHandshake(guest.rd, h.HandshakeId)
		ok(t, "AcceptHandshake", err)
		se := wantServerError(t, checkAccountDelete(w.admin, guest.acct.ID), "MemberTypeError.DeleteAccount", http.StatusConflict)
		if !strings.Contains(se.Message(), "RemoveCloudAccount") {
			t.Errorf("refusal %q does not say what to do instead", se.Message())
		}
		_, err = deleteAccount(w.admin, guest.acct.ID, nil)
		wantServerError(t, err, "MemberTypeError.DeleteAccount", http.StatusConflict)
		_, err = setMemberDeletion(guest.rd, "Disabled")
		wantServerError(t, err, "MemberAccountAccessDenied", http.StatusForbidden)

		// A member waiting for its promotion to a cloud account is not
		// deleted until the promotion is cancelled.
		promoted := createResourceAccount(t, w.admin, "", "promoted member", "promoted")
		rec, err := promote(w.admin, promoted.AccountId, "promoted@example.com")
		ok(t, "PromoteResourceAccount", err)
		wantServerError(t, checkAccountDelete(w.admin, promoted.AccountId), "AccountTypeOrStatusMismatch", http.StatusConflict)
		_, err = deleteAccount(w.admin, promoted.AccountId, nil)
		wantServerError(t, err, "AccountTypeOrStatusMismatch", http.StatusConflict)
		ok(t, "CancelPromoteResourceAccount", cancelPromote(w.admin, rec.RecordId))
		ok(t, "CheckAccountDelete after the cancelled promotion", checkAccountDelete(w.admin, promoted.AccountId))

		// A member that pays for another cannot be deleted.
		res := checkResult(t, w.admin, payer.AccountId)
		if res.AllowDelete != "false" || len(res.NotAllowReason) != 1 || res.NotAllowReason[0].CheckId != "PAYER_FOR_MEMBERS" ||
			!strings.Contains(res.NotAllowReason[0].Description, "delete those members first") {
			t.Fatalf("check of a payer: %+v", res)
		}
		_, err = deleteAccount(w.admin, payer.AccountId, []string{"RAM_ROLES"})
		se = wantServerError(t, err, "NotSupport.HasPayerAccount", http.StatusConflict)
		if !strings.Contains(se.Message(), payer.AccountId) {
			t.Errorf("refusal %q does not name the member", se.Message())
		}
		if _, err := getDeletionStatus(w.admin, payer.AccountId); err == nil {
			t.Errorf("a refused deletion left a status behind")
		}

		// Turned off again, deletion is refused again.
		_, err = setMemberDeletion(w.rootRD, "Disabled")
		ok(t, "SetMemberDeletionPermission Disabled", err)
		wantServerError(t, checkAccountDelete(w.admin, payer.AccountId), "NoLicense.ResourceDirectory", http.StatusConflict)
	})
}

// TestDeleteMemberRacing: fifty identical DeleteAccount calls at once
// submit one deletion; the member count drops by exactly one.
func TestDeleteMemberRacing(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		m := createResourceAccount(t, w.admin, "", "raced member", "raced")
		createResourceAccount(t, w.admin, "", "kept member", "kept")
		_, err := setMemberDeletion(w.admin, "Enabled")
		ok(t, "SetMemberDeletionPermission", err)
		w.createUser(t, "racer")
		w.attachToUser(t, "racer", "System", "AliyunResourceDirectoryFullAccess")
		id, secret := w.userKey(t, "racer")

		const callers = 50
		errs := make(chan error, callers)
		start := make(chan struct{})
		for i := 0; i < callers; i++ {
			c := w.srv.RDClient(t, id, secret) // one client each: the classic client is not safe for concurrent use
			go func() {
				<-start
				_, err := deleteAccount(c, m.AccountId, nil)
				errs <- err
			}()
		}
		close(start)
		succeeded := 0
		for i := 0; i < callers; i++ {
			err := <-errs
			if err == nil {
				succeeded++
				continue
			}
			var se *sdkerrors.ServerError
			if !errors.As(err, &se) || se.HttpStatus() != http.StatusConflict ||
				se.ErrorCode() != "NotSupportedOperation.DeletingAccount" && se.ErrorCode() != "AccountNotExist.DeleteAccount" {
				t.Errorf("racing DeleteAccount: %v", err)
			}
		}
		if succeeded != 1 {
			t.Fatalf("%d of %d racing DeleteAccount calls were accepted; want 1", succeeded, callers)
		}
		if st := deletionEnds(t, w.admin, m.AccountId); st.Status != "Success" {
			t.Fatalf("deletion %+v", st)
		}
		list, err := w.admin.ListAccounts(resourcemanager.CreateListAccountsRequest())
		ok(t, "ListAccounts", err)
		if list.TotalCount != 1 || len(list.Accounts.Account) != 1 {
			t.Fatalf("after one deletion of two members: TotalCount %d, %d listed", list.TotalCount, len(list.Accounts.Account))
		}
	})
}

// TestDeletionSurvivesKill9 runs `canopy serve` as a process, kills it with
// SIGKILL in the middle of a deletion job and restarts it on the same data:
// the job resumes where it stopped and completes exactly once.
//
// To stop the job half-way, the first process runs with
// CANOPY_TEST_DELETION_PAUSE, which makes the deletion wait between its two
// steps (after the member's account is purged, before the directory
// forgets it); the deletion shows Deleting while it waits. Both processes
// run with a short job lease (CANOPY_TEST_JOB_LEASE) so that the restarted
// one claims the dead one's job after seconds instead of a minute.
func TestDeletionSurvivesKill9(t *testing.T) {
	data := t.TempDir()
	out, stderr, err := runCLI(t, "account", "create", "--data", data, "--email", "rd-kill@example.com",
		"--real-name", "Kill Ltd", "--password", "Sturdy-Pass-42", "--access-key", "--output", "json")
	if err != nil {
		t.Fatalf("account create: %v %s", err, stderr)
	}
	var acct createdAccount
	if err := json.Unmarshal([]byte(out), &acct); err != nil {
		t.Fatal(err)
	}
	t.Setenv(app.EnvTestJobLease, "2s")
	t.Setenv(app.EnvTestDeletionPause, "1h")
	first := startServe(t, data)
	on := &canopytest.Server{Endpoint: first.endpoint}

	w := &ramWorld{srv: on, acct: canopytest.Account{ID: acct.AccountId}, root: on.RAMClient(t, acct.AccessKeyId, acct.AccessKeySecret)}
	rootRD := on.RDClient(t, acct.AccessKeyId, acct.AccessKeySecret)
	enable := resourcemanager.CreateEnableResourceDirectoryRequest()
	enable.EnableMode = "CurrentAccount"
	_, err = rootRD.EnableResourceDirectory(enable)
	ok(t, "EnableResourceDirectory", err)
	w.createUser(t, "rd-admin")
	w.attachToUser(t, "rd-admin", "System", "AliyunResourceDirectoryFullAccess")
	w.attachToUser(t, "rd-admin", "System", "AliyunSTSAssumeRoleAccess")
	adminID, adminSecret := w.userKey(t, "rd-admin")
	admin := on.RDClient(t, adminID, adminSecret)
	doomed := createResourceAccount(t, admin, "", "doomed member", "doomed")
	createResourceAccount(t, admin, "", "kept member", "kept")
	// A RAM user with a key in the member, which the deletion must purge.
	creds := mustAssume(t, on.STSClient(t, adminID, adminSecret), accessRoleARN(doomed.AccountId), "setup").Credentials
	inMember := &ramWorld{srv: on, acct: canopytest.Account{ID: doomed.AccountId}, root: sessionRAM(t, on, creds)}
	inMember.createUser(t, "alice")
	aliceID, aliceSecret := inMember.userKey(t, "alice")

	_, err = setMemberDeletion(rootRD, "Enabled")
	ok(t, "SetMemberDeletionPermission", err)
	_, err = deleteAccount(admin, doomed.AccountId, []string{"RAM_USER_ACCESS_KEYS"})
	ok(t, "DeleteAccount", err)
	var st resourcemanager.RdAccountDeletionStatus
	within(t, 20*time.Second, "the deletion reaches its pause", func() bool {
		st, err = getDeletionStatus(admin, doomed.AccountId)
		ok(t, "GetAccountDeletionStatus", err)
		return st.Status == "Deleting"
	})
	// Half-way: the member's account is purged, the directory still lists
	// it, and nothing may start another deletion or check.
	wantServerError(t, listUsers(on.RAMClient(t, aliceID, aliceSecret)), "InvalidAccessKeyId.NotFound", http.StatusNotFound)
	list, err := admin.ListAccounts(resourcemanager.CreateListAccountsRequest())
	ok(t, "ListAccounts half-way", err)
	if list.TotalCount != 2 {
		t.Fatalf("TotalCount %d half-way; want 2", list.TotalCount)
	}
	_, err = deleteAccount(admin, doomed.AccountId, nil)
	wantServerError(t, err, "NotSupportedOperation.DeletingAccount", http.StatusConflict)
	wantServerError(t, checkAccountDelete(admin, doomed.AccountId), "NotSupportedOperation.DeletingAccount", http.StatusConflict)

	if err := first.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.cmd.Wait()

	t.Setenv(app.EnvTestDeletionPause, "")
	again := startServe(t, data)
	on = &canopytest.Server{Endpoint: again.endpoint}
	admin = on.RDClient(t, adminID, adminSecret)
	st = deletionEnds(t, admin, doomed.AccountId)
	if st.Status != "Success" || st.DeletionTime == "" {
		t.Fatalf("deletion after the restart: %+v\nlogs of the restarted server:\n%s", st, again.logs)
	}
	list, err = admin.ListAccounts(resourcemanager.CreateListAccountsRequest())
	ok(t, "ListAccounts", err)
	if list.TotalCount != 1 || len(list.Accounts.Account) != 1 || list.Accounts.Account[0].AccountId == doomed.AccountId {
		t.Fatalf("after the resumed deletion: TotalCount %d, %+v; want the kept member alone, counted once", list.TotalCount, list.Accounts.Account)
	}
	get := resourcemanager.CreateGetAccountRequest()
	get.AccountId = doomed.AccountId
	_, err = admin.GetAccount(get)
	wantServerError(t, err, "EntityNotExists.Account", http.StatusNotFound)
	wantServerError(t, listUsers(on.RAMClient(t, aliceID, aliceSecret)), "InvalidAccessKeyId.NotFound", http.StatusNotFound)
	// The display name is free again: the claims went with the member.
	createResourceAccount(t, admin, "", "doomed member", "doomed")
}

// TestDeletionAuthorization: the deletion calls need their
// resourcemanager: permissions on the member's path, an explicit Deny on a
// member's path stops its deletion, and once the member is gone its
// deletion status is still authorized on the path it had.
func TestDeletionAuthorization(t *testing.T) {
	w := newRDWorld(t)
	web := createFolder(t, w.admin, "", "web")
	doomed := createResourceAccount(t, w.admin, web.FolderId, "doomed member", "doomed")
	kept := createResourceAccount(t, w.admin, web.FolderId, "kept member", "kept")
	_, err := setMemberDeletion(w.admin, "Enabled")
	ok(t, "SetMemberDeletionPermission", err)
	webPath := w.directory.ResourceDirectoryId + "/" + w.directory.RootFolderId + "/" + web.FolderId

	// A RAM user without any policy may do nothing of it.
	w.createUser(t, "nobody")
	nobodyID, nobodySecret := w.userKey(t, "nobody")
	nobody := w.srv.RDClient(t, nobodyID, nobodySecret)
	_, err = setMemberDeletion(nobody, "Disabled")
	wantDenied(t, err, "resourcemanager:SetMemberDeletionPermission", "ImplicitDeny")
	wantDenied(t, checkAccountDelete(nobody, doomed.AccountId), "resourcemanager:CheckAccountDelete", "ImplicitDeny")
	_, err = deleteAccount(nobody, doomed.AccountId, nil)
	wantDenied(t, err, "resourcemanager:DeleteAccount", "ImplicitDeny")

	// A deleter for the web folder, except for the kept member.
	w.createPolicy(t, "delete-web", `{"Version":"1","Statement":[`+
		`{"Effect":"Allow","Action":["resourcemanager:DeleteAccount","resourcemanager:GetAccountDeletionStatus"],`+
		`"Resource":"acs:resourcemanager::`+w.acct.ID+`:account/`+webPath+`/*"},`+
		`{"Effect":"Deny","Action":"resourcemanager:DeleteAccount",`+
		`"Resource":"acs:resourcemanager::`+w.acct.ID+`:account/`+webPath+`/`+kept.AccountId+`"}]}`)
	w.createUser(t, "deleter")
	w.attachToUser(t, "deleter", "Custom", "delete-web")
	deleterID, deleterSecret := w.userKey(t, "deleter")
	deleter := w.srv.RDClient(t, deleterID, deleterSecret)
	_, err = deleteAccount(deleter, kept.AccountId, nil)
	wantDenied(t, err, "resourcemanager:DeleteAccount", "ExplicitDeny")
	wantDenied(t, checkAccountDelete(deleter, doomed.AccountId), "resourcemanager:CheckAccountDelete", "ImplicitDeny")
	_, err = deleteAccount(deleter, doomed.AccountId, nil)
	ok(t, "DeleteAccount within the deleter's folder", err)
	if st := deletionEnds(t, deleter, doomed.AccountId); st.Status != "Success" {
		t.Fatalf("deletion %+v", st)
	}
	// The member is gone; its status is still authorized on its old path.
	st, err := getDeletionStatus(deleter, doomed.AccountId)
	ok(t, "GetAccountDeletionStatus of the deleted member on its old path", err)
	if st.Status != "Success" {
		t.Errorf("status %+v", st)
	}
}
