package e2e

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/alibabacloud-go/tea/tea"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// Attacks on CloudSSO (issue 11) through the real server: each test is
// an attack that once succeeded (and is fixed), or one that held and must
// keep failing.

// ssoAttackProvision provisions a configuration in an account and waits
// for the task to succeed.
func ssoAttackProvision(t *testing.T, w *ssoACWorld, acID, account string) {
	t.Helper()
	tasks := ssoArray(t, w.ssoAdmin.must(t, "ProvisionAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID,
		"TargetType": "RD-Account", "TargetId": account})), "Tasks")
	w.ssoACMustSucceed(t, tasks[0]["TaskId"].(string))
}

// ssoAttackConfiguration creates a configuration with an inline policy.
func ssoAttackConfiguration(t *testing.T, w *ssoACWorld, name string) string {
	t.Helper()
	id := w.ssoACCreateConfiguration(t, name, nil)
	w.ssoAdmin.must(t, "AddPermissionPolicyToAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": id,
		"PermissionPolicyType": "Inline", "PermissionPolicyName": "inline", "InlinePolicyDocument": ssoACInline}))
	return id
}

// A member that left directory A's resource directory and joined B's gets
// B's reserved role of the same configuration name (provisioning rewrites
// the role A left behind). A's administrator may still clean up what A
// wrote there, but must not delete or detach what is now B's: the task
// leaves the member alone when the role no longer trusts A's directory.
func TestSSOAttackFormerDirectoryCannotDeprovisionAnothersRole(t *testing.T) {
	srv := canopytest.Start(t)
	a, b := &ssoACWorld{ssoWorld: newSSOWorld(t, srv)}, &ssoACWorld{ssoWorld: newSSOWorld(t, srv)}
	guest := newInvitee(t, srv)
	h := mustInvite(t, a.admin, guest.acct.ID, "Account")
	_, err := acceptHandshake(guest.rd, h.HandshakeId)
	ok(t, "AcceptHandshake A", err)
	acA := ssoAttackConfiguration(t, a, "Ops")
	ssoAttackProvision(t, a, acA, guest.acct.ID)

	remove := resourcemanager.CreateRemoveCloudAccountRequest()
	remove.AccountId = guest.acct.ID
	_, err = a.admin.RemoveCloudAccount(remove)
	ok(t, "RemoveCloudAccount", err)
	h = mustInvite(t, b.admin, guest.acct.ID, "Account")
	_, err = acceptHandshake(guest.rd, h.HandshakeId)
	ok(t, "AcceptHandshake B", err)
	acB := ssoAttackConfiguration(t, b, "Ops")
	ssoAttackProvision(t, b, acB, guest.acct.ID)

	task := ssoArray(t, a.ssoAdmin.must(t, "DeprovisionAccessConfiguration", a.in(map[string]any{"AccessConfigurationId": acA,
		"TargetType": "RD-Account", "TargetId": guest.acct.ID})), "Tasks")
	a.ssoACAwaitTask(t, task[0]["TaskId"].(string))

	guestRAM := srv.RAMClient(t, guest.acct.AccessKeyID, guest.acct.AccessKeySecret)
	get := ram.CreateGetRoleRequest()
	get.RoleName = "AliyunReservedSSO-Ops"
	role, err := guestRAM.GetRole(get)
	ok(t, "GetRole of B's reserved role after A's deprovisioning", err)
	if !strings.Contains(role.Role.AssumeRolePolicyDocument, "AliyunReservedSSO-"+b.dirID) {
		t.Fatalf("B's reserved role trusts %s", role.Role.AssumeRolePolicyDocument)
	}
	list := ram.CreateListPoliciesForRoleRequest()
	list.RoleName = get.RoleName
	ps, err := guestRAM.ListPoliciesForRole(list)
	ok(t, "ListPoliciesForRole", err)
	if len(ps.Policies.Policy) != 1 {
		t.Fatalf("B's reserved role lost its inline policy: %+v", ps.Policies.Policy)
	}
	// A's record of the provisioning is gone: A no longer claims the member.
	listed := ssoArray(t, a.ssoAdmin.must(t, "ListAccessConfigurationProvisionings", a.in(map[string]any{"AccessConfigurationId": acA})),
		"AccessConfigurationProvisionings")
	if len(listed) != 0 {
		t.Fatalf("A still lists provisionings: %v", listed)
	}
}

// ssoAttackDirectoryActions are the directory-scoped CloudSSO actions.
var ssoAttackDirectoryActions = []string{
	"GetDirectory", "GetDirectoryStatistics", "UpdateDirectory",
	"GetUser", "ListUsers", "UpdateUser", "UpdateUserStatus", "ResetUserPassword", "CreateUser",
	"GetGroup", "ListGroups", "UpdateGroup", "CreateGroup", "AddUserToGroup", "RemoveUserFromGroup", "ListGroupMembers",
	"ListJoinedGroupsForUser",
	"GetAccessConfiguration", "ListAccessConfigurations", "UpdateAccessConfiguration", "CreateAccessConfiguration",
	"AddPermissionPolicyToAccessConfiguration", "ListPermissionPoliciesInAccessConfiguration",
	"RemovePermissionPolicyFromAccessConfiguration", "UpdateInlinePolicyForAccessConfiguration",
	"CreateAccessAssignment", "DeleteAccessAssignment", "ListAccessAssignments",
	"ProvisionAccessConfiguration", "DeprovisionAccessConfiguration", "ListAccessConfigurationProvisionings",
	"GetMFAAuthenticationStatus", "SetMFAAuthenticationStatus", "GetMFAAuthenticationSettingInfo",
	"GetMFAAuthenticationSettings", "UpdateMFAAuthenticationSettings", "GetUserMFAAuthenticationSettings",
	"UpdateUserMFAAuthenticationSettings", "ListMFADevicesForUser", "DeleteMFADeviceForUser",
	"GetLoginPreference", "SetLoginPreference", "GetPasswordPolicy", "SetPasswordPolicy",
	"GetTask", "GetTaskStatus", "ListTasks",
	"DeleteAccessConfiguration", "DeleteUser", "DeleteGroup", "DeleteDirectory",
}

// ssoAttackCode is the wire code and status of a CloudSSO call's error
// (status 0 for a success or an error that is not the server's).
func ssoAttackCode(err error) (string, int) {
	var se *tea.SDKError
	if errors.As(err, &se) {
		return tea.StringValue(se.Code), tea.IntValue(se.StatusCode)
	}
	return "", 0
}

// ssoAttackVictim is directory A with a user in a group, an access
// configuration assigned to the group on a member, and the task that did
// it: every id another tenant might name.
func ssoAttackVictim(t *testing.T, a *ssoACWorld) map[string]any {
	t.Helper()
	user := a.ssoCreateUser(t, "victim", map[string]any{"Password": "Victim-Passw0rd!"})
	group := a.ssoCreateGroup(t, "victims")
	a.ssoAdmin.must(t, "AddUserToGroup", a.in(map[string]any{"GroupId": group, "UserId": user}))
	ac := ssoAttackConfiguration(t, a, "Victim")
	task := ssoObject(t, a.ssoAdmin.must(t, "CreateAccessAssignment", a.in(map[string]any{"AccessConfigurationId": ac,
		"TargetType": "RD-Account", "TargetId": a.member, "PrincipalType": "Group", "PrincipalId": group})), "Task")
	a.ssoACMustSucceed(t, task["TaskId"].(string))
	return a.in(map[string]any{"UserId": user, "GroupId": group, "AccessConfigurationId": ac, "TaskId": task["TaskId"],
		"TargetType": "RD-Account", "TargetId": a.member, "PrincipalType": "Group", "PrincipalId": group,
		"UserName": "intruder", "GroupName": "intruders", "AccessConfigurationName": "Intruder", "NewDirectoryName": "stolen",
		"NewStatus": "Disabled", "NewDisplayName": "owned", "NewDescription": "owned", "MFADeviceId": "x",
		"PermissionPolicyType": "System", "PermissionPolicyName": "AdministratorAccess", "ForceRemovePermissionPolicies": true,
		"DeprovisionStrategy": "DeprovisionForLastAccessAssignmentOnAccount", "MFAAuthenticationStatus": "Disabled",
		"NewInlinePolicyDocument": ssoACInline, "InlinePolicyName": "inline", "Password": "Intruder-Passw0rd!"})
}

// ssoAttackSnapshot is what directory A holds, to compare before and
// after an attack.
func ssoAttackSnapshot(t *testing.T, a *ssoACWorld) string {
	t.Helper()
	st := ssoObject(t, a.ssoAdmin.must(t, "GetDirectoryStatistics", a.in(nil)), "DirectoryStatistics")
	d := ssoObject(t, a.ssoAdmin.must(t, "GetDirectory", a.in(nil)), "Directory")
	users := ssoArray(t, a.ssoAdmin.must(t, "ListUsers", a.in(nil)), "Users")
	acs := ssoArray(t, a.ssoAdmin.must(t, "ListAccessConfigurations", a.in(nil)), "AccessConfigurations")
	return fmt.Sprint(st, d["DirectoryName"], users, len(acs), acs[0]["SessionDuration"], acs[0]["Description"])
}

// Another management account's CloudSSO administrator, and the access
// role session of a member of A's own resource directory, name A's
// DirectoryId, UserId, GroupId, AccessConfigurationId and TaskId in every
// directory-scoped action: each is refused with a 4xx and A is unchanged.
func TestSSOAttackCrossTenant(t *testing.T) {
	srv := canopytest.Start(t)
	a := newSSOACWorld(t, srv)
	victim := ssoAttackVictim(t, a)
	before := ssoAttackSnapshot(t, a)
	b := newSSOWorld(t, srv)
	member := a.ssoMemberSession(t)
	for _, caller := range []struct {
		name string
		c    *ssoClient
	}{{"another management account", b.ssoAdmin}, {"a member of A's directory", member}} {
		for _, action := range ssoAttackDirectoryActions {
			_, err := caller.c.call(action, victim)
			code, status := ssoAttackCode(err)
			if err == nil || status < 400 || status >= 500 {
				t.Errorf("%s: %s on A's ids answered %v (%s %d); want a 4xx", caller.name, action, err, code, status)
			}
		}
	}
	// Nor do the service-level calls show or make anything of A's: B lists
	// only its own directory, and the member may not create one.
	for _, d := range ssoArray(t, b.ssoAdmin.must(t, "ListDirectories", nil), "Directories") {
		if d["DirectoryId"] != b.dirID {
			t.Errorf("B lists the directory %v", d)
		}
	}
	if _, err := member.call("CreateDirectory", map[string]any{"DirectoryName": "member-dir"}); err == nil {
		t.Error("a member of A's resource directory created a directory")
	}
	// A's administrator may not target B's management account, nor a
	// member of B's resource directory.
	bMember := createResourceAccount(t, b.admin, "", "b member", "bmember")
	for _, target := range []string{b.acct.ID, bMember.AccountId} {
		for _, action := range []string{"CreateAccessAssignment", "ProvisionAccessConfiguration"} {
			params := a.in(map[string]any{"AccessConfigurationId": victim["AccessConfigurationId"], "TargetType": "RD-Account",
				"TargetId": target, "PrincipalType": "Group", "PrincipalId": victim["GroupId"]})
			_, err := a.ssoAdmin.call(action, params)
			wantDaraError(t, err, "EntityNotExists.Target", http.StatusNotFound)
		}
	}
	if after := ssoAttackSnapshot(t, a); after != before {
		t.Fatalf("A changed under the attack:\n before %s\n after  %s", before, after)
	}
}

// ssoAttackGarbage are values of the wrong type, size or alphabet.
var ssoAttackGarbage = []string{"", "abc", "-1", "99999999999999999999999", "[1,{\"a\":",
	"\u202eüñí\u0000code", "AliyunReservedSSO-\u0391", strings.Repeat("x", 1<<20)}

// ssoAttackTyped are the parameters that are numbers, booleans, lists or
// documents on the wire, and the ids and names a lookup parses.
var ssoAttackTyped = []string{"MaxResults", "NextToken", "SessionDuration", "NewSessionDuration", "MaxLoginAttempts",
	"MinPasswordLength", "AllowUserToGetCredentials", "ForceRemovePermissionPolicies", "GenerateRandomPassword",
	"LoginNetworkMasks", "UserMFAAuthenticationSettings", "StatusNotifications", "NewInlinePolicyDocument",
	"DirectoryId", "UserId", "AccessConfigurationId", "TaskId", "TargetId", "UserName", "Filter"}

// Every directory-scoped action, with each typed or named parameter in
// turn set to garbage over otherwise valid ids (V3 signatures, so numbers
// and booleans go as strings the server must parse): never a 5xx.
func TestSSOAttackGarbageInput(t *testing.T) {
	srv := canopytest.Start(t)
	a := newSSOACWorld(t, srv)
	valid := ssoAttackVictim(t, a)
	for _, action := range ssoAttackDirectoryActions {
		for _, param := range ssoAttackTyped {
			for _, g := range ssoAttackGarbage {
				if len(g) > 1000 && param != "DirectoryId" {
					continue // the megabyte goes to a few parameters only, to keep the test short
				}
				params := map[string]any{}
				for k, v := range valid {
					params[k] = v
				}
				params[param] = g
				_, err := a.ssoAdmin.call(action, params)
				if code, status := ssoAttackCode(err); err != nil && (status == 0 || status >= 500) {
					t.Errorf("%s with %s=%.40q: %v (%s %d)", action, param, g, err, code, status)
				}
			}
		}
	}
}

// Fifty identical CreateAccessAssignment calls race, then a
// DeleteAccessAssignment, a DeleteUser and a DeleteAccessConfiguration
// race the tasks: every refusal is a 4xx, at most the one assignment
// exists, the user and configuration survive while assigned, and no task
// is left InProgress.
func TestSSOAttackAssignmentRace(t *testing.T) {
	srv := canopytest.Start(t)
	a := newSSOACWorld(t, srv)
	user := a.ssoCreateUser(t, "racer", nil)
	ac := ssoAttackConfiguration(t, a, "Race")
	assign := a.in(map[string]any{"AccessConfigurationId": ac, "TargetType": "RD-Account", "TargetId": a.member,
		"PrincipalType": "User", "PrincipalId": user})
	var wg sync.WaitGroup
	var mu sync.Mutex
	tasks, codes := []string{}, map[string]int{}
	race := func(action string, params map[string]any) {
		defer wg.Done()
		body, err := a.ssoAdmin.call(action, params)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			code, status := ssoAttackCode(err)
			if status < 400 || status >= 500 {
				t.Errorf("%s: %v (%s %d); want a 4xx", action, err, code, status)
			}
			codes[action+" "+code]++
			return
		}
		if task, ok := body["Task"].(map[string]any); ok {
			tasks = append(tasks, task["TaskId"].(string))
		}
	}
	for range 50 {
		wg.Add(1)
		go race("CreateAccessAssignment", assign)
	}
	wg.Add(3)
	go race("DeleteAccessAssignment", assign)
	go race("DeleteUser", a.in(map[string]any{"UserId": user}))
	go race("DeleteAccessConfiguration", a.in(map[string]any{"AccessConfigurationId": ac, "ForceRemovePermissionPolicies": true}))
	wg.Wait()
	t.Logf("tasks %d, refusals %v", len(tasks), codes)
	for _, id := range tasks {
		a.ssoACAwaitTask(t, id)
	}
	rows := ssoArray(t, a.ssoAdmin.must(t, "ListAccessAssignments", a.in(nil)), "AccessAssignments")
	if len(rows) > 1 {
		t.Fatalf("%d assignments after the race: %v", len(rows), rows)
	}
	if len(rows) == 1 {
		a.ssoAdmin.must(t, "GetUser", a.in(map[string]any{"UserId": user}))
		a.ssoAdmin.must(t, "GetAccessConfiguration", a.in(map[string]any{"AccessConfigurationId": ac}))
	}
	// Nothing half-written in the member: the reserved role exists exactly
	// when a provisioning is recorded.
	provs := ssoArray(t, a.ssoAdmin.must(t, "ListAccessConfigurationProvisionings", a.in(nil)), "AccessConfigurationProvisionings")
	get := ram.CreateGetRoleRequest()
	get.RoleName = "AliyunReservedSSO-Race"
	if _, err := a.memberRAM.GetRole(get); (err == nil) != (len(provs) == 1) {
		t.Fatalf("provisionings %v but GetRole in the member: %v", provs, err)
	}
	running := ssoArray(t, a.ssoAdmin.must(t, "ListTasks", a.in(map[string]any{"Status": "InProgress"})), "Tasks")
	if len(running) != 0 {
		t.Fatalf("tasks still running: %v", running)
	}
}

// The registry account holding the directory-name claims is a Deleted
// row of its own type: it cannot be invited, no role in it can be
// assumed, and its claims make names unique regardless of case.
func TestSSOAttackRegistryAccount(t *testing.T) {
	srv := canopytest.Start(t)
	a := newSSOWorld(t, srv)
	_, err := invite(a.admin, "0000000000000000", "Account", "")
	if code := serverCode(err); err == nil || code == "" || strings.HasPrefix(code, "Internal") {
		t.Fatalf("inviting the registry account: %v", err)
	}
	_, err = assumeRole(a.adminSTS, accessRoleARN("0000000000000000"), "registry")
	wantServerError(t, err, "EntityNotExist.Role", http.StatusNotFound)
	b := newSSOWorld(t, srv)
	_, err = b.ssoAdmin.call("UpdateDirectory", b.in(map[string]any{"NewDirectoryName": strings.ToUpper(a.dirName)}))
	if _, status := ssoAttackCode(err); status != http.StatusConflict && status != http.StatusBadRequest {
		t.Fatalf("B took A's directory name in another case: %v", err)
	}
}
