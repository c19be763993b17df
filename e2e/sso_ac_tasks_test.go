package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/app"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// Twenty racing assignments of one configuration on one account: while
// the first one's task runs, every other write there is refused with
// OperationConflict.Task (the configuration cannot be deleted either).
// The node then stops in the middle of that task; a node restarted on the
// same store resumes it to Success and the role appears in the member.
func TestSSOACTaskConflictAndRestart(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		paused := append([]canopytest.Option{canopytest.WithConfig(func(c *app.Config) { c.SSOTaskPause = time.Hour })}, opts...)
		srv := canopytest.Start(t, paused...)
		w := newSSOACWorld(t, srv)
		acID := w.ssoACCreateConfiguration(t, "Racer", nil)
		w.ssoAdmin.must(t, "AddPermissionPolicyToAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID,
			"PermissionPolicyType": "System", "PermissionPolicyName": "ReadOnlyAccess"}))
		const racers = 20
		users := make([]string, racers)
		for i := range users {
			users[i] = w.ssoCreateUser(t, fmt.Sprintf("racer-%d", i), nil)
		}

		var wg sync.WaitGroup
		errs := make([]error, racers)
		taskIDs := make([]string, racers)
		for i := range users {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body, err := w.ssoAdmin.call("CreateAccessAssignment", w.in(map[string]any{"AccessConfigurationId": acID,
					"TargetType": "RD-Account", "TargetId": w.member, "PrincipalType": "User", "PrincipalId": users[i]}))
				errs[i] = err
				if task, _ := body["Task"].(map[string]any); task != nil {
					taskIDs[i], _ = task["TaskId"].(string)
				}
			}()
		}
		wg.Wait()
		var started string
		for i, err := range errs {
			var se *tea.SDKError
			switch {
			case err == nil:
				if started != "" {
					t.Fatalf("two assignments started on one configuration and account: %s and %s", started, taskIDs[i])
				}
				started = taskIDs[i]
			case errors.As(err, &se) && tea.StringValue(se.Code) == "OperationConflict.Task" && tea.IntValue(se.StatusCode) == http.StatusConflict:
			default:
				t.Fatalf("racer %d: %v; want success or OperationConflict.Task", i, err)
			}
		}
		if started == "" {
			t.Fatal("no racer started a task")
		}
		_, err := w.ssoAdmin.call("DeleteAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID, "ForceRemovePermissionPolicies": true}))
		wantDaraError(t, err, "DeletionConflict.AccessConfiguration.Task", http.StatusConflict)
		st := ssoObject(t, w.ssoAdmin.must(t, "GetTaskStatus", w.in(map[string]any{"TaskId": started})), "TaskStatus")
		stats := ssoObject(t, w.ssoAdmin.must(t, "GetDirectoryStatistics", w.in(nil)), "DirectoryStatistics")
		if st["Status"] != "InProgress" || ssoNumber(t, stats["InProgressTaskCount"]) != 1 {
			t.Fatalf("the running task: %v, statistics %v", st, stats)
		}

		// Keys for the restarted node, then stop this one mid-task.
		adminID, adminSecret := w.userKey(t, "sso-admin")
		rdID, rdSecret := w.userKey(t, "rd-admin")
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		srv.App.Shutdown(ctx) // interrupts the paused task: its job is released
		cancel()

		again := canopytest.Start(t, append([]canopytest.Option{canopytest.WithStore(srv.DataDir, srv.DB)}, opts...)...)
		w.ssoAdmin = ssoClientFor(t, again, adminID, adminSecret, false)
		w.ssoACMustSucceed(t, started)
		creds := mustAssume(t, again.STSClient(t, rdID, rdSecret), accessRoleARN(w.member), "after-restart").Credentials
		w.memberRAM = sessionRAM(t, again, creds)
		if _, attached := w.ssoACReservedRole(t, "Racer"); len(attached) != 1 || !attached["System:ReadOnlyAccess"] {
			t.Fatalf("the resumed task provisioned %v", attached)
		}
		rows := ssoArray(t, w.ssoAdmin.must(t, "ListAccessAssignments", w.in(nil)), "AccessAssignments")
		if len(rows) != 1 {
			t.Fatalf("after the resumed task: %v; want the one assignment", rows)
		}
	})
}

// What CloudSSO refuses about access: callers without a policy or with an
// explicit Deny, another account, a target outside the resource
// directory, bad and oversized input; each with a 4xx and nothing left
// behind. The trail names who assigned.
func TestSSOACRefusals(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		srv := canopytest.Start(t, opts...)
		w := newSSOACWorld(t, srv)
		acID := w.ssoACCreateConfiguration(t, "Base", nil)
		bob := w.ssoCreateUser(t, "bob", nil)
		assign := map[string]any{"AccessConfigurationId": acID, "TargetType": "RD-Account", "TargetId": w.member,
			"PrincipalType": "User", "PrincipalId": bob}

		w.createUser(t, "nobody")
		id, secret := w.userKey(t, "nobody")
		nobody := ssoClientFor(t, srv, id, secret, false)
		_, err := nobody.call("CreateAccessConfiguration", w.in(map[string]any{"AccessConfigurationName": "x"}))
		ssoWantDenied(t, err, "cloudsso:CreateAccessConfiguration", "ImplicitDeny")
		_, err = nobody.call("CreateAccessAssignment", w.in(assign))
		ssoWantDenied(t, err, "cloudsso:CreateAccessAssignment", "ImplicitDeny")

		w.createPolicy(t, "deny-assign", `{"Version":"1","Statement":[{"Effect":"Deny","Action":"cloudsso:CreateAccessAssignment",`+
			`"Resource":"acs:cloudsso:*:`+w.acct.ID+`:directory/`+w.dirID+`"}]}`)
		w.attachToUser(t, "sso-admin", "Custom", "deny-assign")
		_, err = w.ssoAdmin.call("CreateAccessAssignment", w.in(assign))
		ssoWantDenied(t, err, "cloudsso:CreateAccessAssignment", "ExplicitDeny")
		w.detachFromUser(t, "sso-admin", "Custom", "deny-assign")

		// Another account, and a member, see no directory.
		loner := srv.CreateAccount(t)
		outside := ssoClientFor(t, srv, loner.AccessKeyID, loner.AccessKeySecret, false)
		_, err = outside.call("CreateAccessAssignment", w.in(assign))
		wantDaraError(t, err, "EntityNotExists.Directory", http.StatusNotFound)
		_, err = w.ssoMemberSession(t).call("ListAccessConfigurations", w.in(nil))
		wantDaraError(t, err, "EntityNotExists.Directory", http.StatusNotFound)

		// Targets must be members of this resource directory.
		for _, target := range []string{loner.ID, "not-an-account", strings.Repeat("9", 40)} {
			bad := w.in(assign)
			bad["TargetId"] = target
			_, err = w.ssoAdmin.call("CreateAccessAssignment", bad)
			wantDaraError(t, err, "EntityNotExists.Target", http.StatusNotFound)
		}
		bad := w.in(assign)
		bad["TargetType"] = "Account"
		_, err = w.ssoAdmin.call("CreateAccessAssignment", bad)
		wantDaraError(t, err, "InvalidParameter.TargetType", http.StatusBadRequest)
		bad = w.in(assign)
		bad["PrincipalId"] = "u-doesnotexist0000000"
		_, err = w.ssoAdmin.call("CreateAccessAssignment", bad)
		wantDaraError(t, err, "EntityNotExists.User", http.StatusNotFound)

		// Configuration input.
		for _, c := range []struct {
			params map[string]any
			code   string
			status int
		}{
			{map[string]any{"AccessConfigurationName": "base"}, "EntityAlreadyExists.AccessConfiguration", http.StatusConflict},
			{map[string]any{"AccessConfigurationName": "has space"}, "InvalidParameter.AccessConfigurationName", http.StatusBadRequest},
			{map[string]any{"AccessConfigurationName": strings.Repeat("a", 33)}, "InvalidParameter.AccessConfigurationName", http.StatusBadRequest},
			{map[string]any{"AccessConfigurationName": "short", "SessionDuration": 899}, "InvalidParameter.SessionDuration", http.StatusBadRequest},
			{map[string]any{"AccessConfigurationName": "long", "SessionDuration": 43201}, "InvalidParameter.SessionDuration", http.StatusBadRequest},
			{map[string]any{"AccessConfigurationName": "relay", "RelayState": "javascript:alert(1)"}, "InvalidParameter.RelayState", http.StatusBadRequest},
		} {
			_, err = w.ssoAdmin.call("CreateAccessConfiguration", w.in(c.params))
			wantDaraError(t, err, c.code, c.status)
		}
		policy := func(typ, name, doc string) error {
			_, err := w.ssoAdmin.call("AddPermissionPolicyToAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID,
				"PermissionPolicyType": typ, "PermissionPolicyName": name, "InlinePolicyDocument": doc}))
			return err
		}
		wantDaraError(t, policy("System", "NoSuchPolicy", ""), "EntityNotExists.SystemPolicy", http.StatusNotFound)
		wantDaraError(t, policy("Managed", "ReadOnlyAccess", ""), "InvalidParameter.PermissionPolicyType", http.StatusBadRequest)
		wantDaraError(t, policy("Inline", "broken", `{"Version":"1","Statement":[{"Effect":"Maybe"}]}`), "InvalidParameter.InlinePolicyDocument", http.StatusBadRequest)
		wantDaraError(t, policy("Inline", "empty", ""), "MissingParameter.InlinePolicyDocument", http.StatusBadRequest)
		huge := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"` + strings.Repeat("x", 1<<20) + `"}]}`
		err = policy("Inline", "huge", huge)
		var se *tea.SDKError
		if !errors.As(err, &se) || tea.IntValue(se.StatusCode) < 400 || tea.IntValue(se.StatusCode) > 499 {
			t.Fatalf("a 1 MB inline policy: %v; want a 4xx", err)
		}
		if err := policy("System", "readonlyaccess", ""); err != nil {
			t.Fatal(err)
		}
		wantDaraError(t, policy("System", "ReadOnlyAccess", ""), "EntityAlreadyExists.PermissionPolicy", http.StatusConflict)
		if err := policy("Inline", "first", ssoACInline); err != nil {
			t.Fatal(err)
		}
		wantDaraError(t, policy("Inline", "second", ssoACInline), "QuotaExceeded.InlinePolicyPerAccessConfiguration", http.StatusBadRequest)
		_, err = w.ssoAdmin.call("UpdateInlinePolicyForAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID,
			"InlinePolicyName": "other", "NewInlinePolicyDocument": ssoACInline}))
		wantDaraError(t, err, "EntityNotExists.PermissionPolicy", http.StatusNotFound)
		_, err = w.ssoAdmin.call("UpdateAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID, "NewSessionDuration": 50000}))
		wantDaraError(t, err, "InvalidParameter.NewSessionDuration", http.StatusBadRequest)
		listed := w.ssoAdmin.must(t, "ListPermissionPoliciesInAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID}))
		if ps := ssoArray(t, listed, "PermissionPolicies"); len(ps) != 2 || ps[0]["PermissionPolicyName"] != "ReadOnlyAccess" {
			t.Fatalf("after the refusals the configuration has %v", ps)
		}
		acs := ssoArray(t, w.ssoAdmin.must(t, "ListAccessConfigurations", w.in(map[string]any{"Filter": "AccessConfigurationName sw ba"})), "AccessConfigurations")
		if len(acs) != 1 || acs[0]["AccessConfigurationId"] != acID {
			t.Fatalf("refused calls left configurations: %v", acs)
		}

		// Paging limits of the task-era lists, unknown tasks.
		for _, max := range []int{0, 21} {
			_, err = w.ssoAdmin.call("ListAccessAssignments", w.in(map[string]any{"MaxResults": max}))
			wantDaraError(t, err, "InvalidParameter.MaxResults", http.StatusBadRequest)
		}
		_, err = w.ssoAdmin.call("GetTaskStatus", w.in(map[string]any{"TaskId": "t-doesnotexist000000000"}))
		wantDaraError(t, err, "EntityNotExists.Task", http.StatusNotFound)
		_, err = w.ssoAdmin.call("ListTasks", w.in(map[string]any{"Filter": "StartTime ge 2000-01-01T00:00:00Z"}))
		wantDaraError(t, err, "InvalidParameter.Filter", http.StatusBadRequest)

		// The trail names who assigned; a second identical assignment is
		// refused once the first is done.
		created := w.ssoAdmin.must(t, "CreateAccessAssignment", w.in(assign))
		w.ssoACMustSucceed(t, ssoObject(t, created, "Task")["TaskId"].(string))
		_, err = w.ssoAdmin.call("CreateAccessAssignment", w.in(assign))
		wantDaraError(t, err, "EntityAlreadyExists.AccessAssignment", http.StatusConflict)
		_, err = w.ssoAdmin.call("DeleteUser", w.in(map[string]any{"UserId": bob}))
		wantDaraError(t, err, "DeletionConflict.User.AccessAssigment", http.StatusConflict)
		trail := srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		requestID, _ := created["RequestId"].(string)
		ev := findEvent(t, trail, "EventName", "CreateAccessAssignment", requestID)
		if ev == nil {
			t.Fatalf("no CreateAccessAssignment event with requestId %s", requestID)
		}
		who, _ := ev["userIdentity"].(map[string]any)
		if who["type"] != "ram-user" || who["userName"] != "sso-admin" || who["accountId"] != w.acct.ID || ev["errorCode"] != "" {
			t.Errorf("CreateAccessAssignment event: %v", ev)
		}
		// Only the directory's SAML provider is trusted: the RD
		// administrator, who may assume roles, cannot AssumeRole into it.
		_, err = assumeRole(w.adminSTS, roleARN(w.member, "aliyunreservedsso-base"), "sneak")
		wantDenial(t, err, denial{action: "sts:AssumeRole", policyType: "AssumeRolePolicy", principalType: "SubUser",
			owner: w.acct.ID, display: "rd-admin"})
		// The member's RAM administrator cannot create a reserved name.
		create := ram.CreateCreateRoleRequest()
		create.RoleName, create.AssumeRolePolicyDocument = "AliyunReservedSSO-Squat", trustDoc(rootARN(w.member))
		_, err = w.memberAdmin.CreateRole(create)
		wantServerError(t, err, "NoPermission.ReservedEntity", http.StatusForbidden)
	})
}
