package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// The end-to-end specification of CloudSSO access configurations,
// assignments, provisioning and tasks (issue 11, reference cloudsso.md
// 2.3-2.5, 3, 5.4-5.7), through darabonba CallApi as the CloudSSO SDK
// calls it, checked in the member through the classic RAM SDK.

// ssoACInline is the inline policy of the tests' configurations.
const ssoACInline = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:DescribeInstances","Resource":"*"}]}`

// ssoACWorld is an ssoWorld with a member account of its resource
// directory and, in that member, a RAM administrator (a RAM user with
// AliyunRAMFullAccess) and the RD administrator's access-role session.
type ssoACWorld struct {
	*ssoWorld
	member      string
	memberRAM   *ram.Client // the access role session
	memberAdmin *ram.Client // the member's own RAM administrator
}

func newSSOACWorld(t *testing.T, srv *canopytest.Server) *ssoACWorld {
	t.Helper()
	w := &ssoACWorld{ssoWorld: newSSOWorld(t, srv)}
	m := createResourceAccount(t, w.admin, "", "dev", "dev")
	w.member = m.AccountId
	creds := mustAssume(t, w.adminSTS, accessRoleARN(m.AccountId), "sso-check").Credentials
	w.memberRAM = sessionRAM(t, srv, creds)
	inMember := &ramWorld{srv: srv, acct: canopytest.Account{ID: m.AccountId}, root: w.memberRAM}
	w.memberAdmin, _ = inMember.userClient(t, "ram-admin")
	inMember.attachToUser(t, "ram-admin", "System", "AliyunRAMFullAccess")
	return w
}

// ssoACCreateConfiguration creates an access configuration and returns
// its id.
func (w *ssoACWorld) ssoACCreateConfiguration(t *testing.T, name string, extra map[string]any) string {
	t.Helper()
	params := w.in(extra)
	params["AccessConfigurationName"] = name
	ac := ssoObject(t, w.ssoAdmin.must(t, "CreateAccessConfiguration", params), "AccessConfiguration")
	id, _ := ac["AccessConfigurationId"].(string)
	return id
}

// ssoACAwaitTask polls GetTaskStatus, as Terraform does, until the task
// ends, and returns its status.
func (w *ssoACWorld) ssoACAwaitTask(t *testing.T, taskID string) map[string]any {
	t.Helper()
	var st map[string]any
	within(t, 30*time.Second, "task "+taskID+" ends", func() bool {
		st = ssoObject(t, w.ssoAdmin.must(t, "GetTaskStatus", w.in(map[string]any{"TaskId": taskID})), "TaskStatus")
		return st["Status"] != "InProgress"
	})
	return st
}

// ssoACMustSucceed waits for a task and fails the test unless it ended
// Success.
func (w *ssoACWorld) ssoACMustSucceed(t *testing.T, taskID string) {
	t.Helper()
	if st := w.ssoACAwaitTask(t, taskID); st["Status"] != "Success" || st["EndTime"] == "" {
		t.Fatalf("task %s ended %v; want Success", taskID, st)
	}
}

// ssoACReservedRole reads the reserved role of a configuration in the
// member, and its policies by type:name.
func (w *ssoACWorld) ssoACReservedRole(t *testing.T, acName string) (ram.Role, map[string]bool) {
	t.Helper()
	get := ram.CreateGetRoleRequest()
	get.RoleName = "AliyunReservedSSO-" + acName
	r, err := w.memberRAM.GetRole(get)
	ok(t, "GetRole "+get.RoleName, err)
	list := ram.CreateListPoliciesForRoleRequest()
	list.RoleName = get.RoleName
	ps, err := w.memberRAM.ListPoliciesForRole(list)
	ok(t, "ListPoliciesForRole", err)
	attached := map[string]bool{}
	for _, p := range ps.Policies.Policy {
		attached[p.PolicyType+":"+p.PolicyName] = true
	}
	return r.Role, attached
}

// ssoACInlineDocument is the default document of the reserved inline
// policy in the member.
func (w *ssoACWorld) ssoACInlineDocument(t *testing.T, acName string) string {
	t.Helper()
	req := ram.CreateGetPolicyRequest()
	req.PolicyType, req.PolicyName = "Custom", "AliyunReservedSSO-"+acName+"-InlinePolicy"
	resp, err := w.memberRAM.GetPolicy(req)
	ok(t, "GetPolicy "+req.PolicyName, err)
	return resp.DefaultPolicyVersion.PolicyDocument
}

// The whole life of an access configuration: created with a system and
// an inline policy, assigned to a group on a member (the task polled to
// Success provisions the reserved role, its trust in the directory, the
// inline policy and the attachments, which the member's own RAM
// administrator cannot change), edited (ReprovisionRequired) and
// provisioned again (the change reaches the member), unassigned with
// deprovisioning (the role is gone), and deleted.
func TestSSOACAssignProvisionAndDeprovision(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		srv := canopytest.Start(t, opts...)
		w := newSSOACWorld(t, srv)
		alice := w.ssoCreateUser(t, "alice", nil)
		devs := w.ssoCreateGroup(t, "devs")
		w.ssoAdmin.must(t, "AddUserToGroup", w.in(map[string]any{"GroupId": devs, "UserId": alice}))

		acID := w.ssoACCreateConfiguration(t, "Dev-Ops", map[string]any{"SessionDuration": 7200,
			"RelayState": "https://ecs.console.aliyun.com", "Description": "operators"})
		ac := ssoObject(t, w.ssoAdmin.must(t, "GetAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID})), "AccessConfiguration")
		if ac["AccessConfigurationName"] != "Dev-Ops" || ssoNumber(t, ac["SessionDuration"]) != 7200 ||
			ac["RelayState"] != "https://ecs.console.aliyun.com" || len(ac["StatusNotifications"].([]any)) != 0 {
			t.Fatalf("GetAccessConfiguration = %v", ac)
		}
		w.ssoAdmin.must(t, "AddPermissionPolicyToAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID,
			"PermissionPolicyType": "System", "PermissionPolicyName": "ReadOnlyAccess"}))
		w.ssoAdmin.must(t, "AddPermissionPolicyToAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID,
			"PermissionPolicyType": "Inline", "PermissionPolicyName": "ops-inline", "InlinePolicyDocument": ssoACInline}))
		listed := w.ssoAdmin.must(t, "ListPermissionPoliciesInAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID}))
		if ps := ssoArray(t, listed, "PermissionPolicies"); len(ps) != 2 || ssoNumber(t, listed["TotalCounts"]) != 2 ||
			ps[1]["PermissionPolicyDocument"] != ssoACInline {
			t.Fatalf("ListPermissionPoliciesInAccessConfiguration = %v", listed)
		}

		assign := map[string]any{"AccessConfigurationId": acID, "TargetType": "RD-Account", "TargetId": w.member,
			"PrincipalType": "Group", "PrincipalId": devs}
		task := ssoObject(t, w.ssoAdmin.must(t, "CreateAccessAssignment", w.in(assign)), "Task")
		taskID, _ := task["TaskId"].(string)
		if !strings.HasPrefix(taskID, "t-") || task["TaskType"] != "CreateAccessAssignment" || task["Status"] != "InProgress" ||
			task["PrincipalName"] != "devs" || task["TargetName"] != "dev" || task["AccessConfigurationName"] != "Dev-Ops" {
			t.Fatalf("CreateAccessAssignment answered %v", task)
		}
		w.ssoACMustSucceed(t, taskID)
		got := ssoObject(t, w.ssoAdmin.must(t, "GetTask", w.in(map[string]any{"TaskId": taskID})), "Task")
		if got["Status"] != "Success" || got["TargetPath"] == "" || got["PrincipalId"] != devs {
			t.Errorf("GetTask = %v", got)
		}
		rows := ssoArray(t, w.ssoAdmin.must(t, "ListAccessAssignments", w.in(map[string]any{"AccessConfigurationId": acID})), "AccessAssignments")
		if len(rows) != 1 || rows[0]["PrincipalName"] != "devs" || rows[0]["TargetId"] != w.member || rows[0]["TargetName"] != "dev" {
			t.Fatalf("ListAccessAssignments = %v", rows)
		}
		provs := ssoArray(t, w.ssoAdmin.must(t, "ListAccessConfigurationProvisionings", w.in(map[string]any{"TargetType": "RD-Account", "TargetId": w.member})), "AccessConfigurationProvisionings")
		if len(provs) != 1 || provs[0]["Status"] != "Provisioned" || provs[0]["RAMRoleName"] != "AliyunReservedSSO-Dev-Ops" ||
			provs[0]["SAMLProviderName"] != "AliyunReservedSSO-"+w.dirID {
			t.Fatalf("ListAccessConfigurationProvisionings = %v", provs)
		}

		// In the member: the role trusts the directory's SAML provider,
		// lasts the configuration's session, holds both policies.
		role, attached := w.ssoACReservedRole(t, "Dev-Ops")
		wantTrust := `"acs:ram::` + w.member + `:saml-provider/AliyunReservedSSO-` + w.dirID + `"`
		if !strings.Contains(role.AssumeRolePolicyDocument, wantTrust) || role.MaxSessionDuration != 7200 {
			t.Fatalf("reserved role %+v; want trust in %s and 7200 s", role, wantTrust)
		}
		if len(attached) != 2 || !attached["System:ReadOnlyAccess"] || !attached["Custom:AliyunReservedSSO-Dev-Ops-InlinePolicy"] {
			t.Fatalf("the reserved role has %v", attached)
		}
		if doc := w.ssoACInlineDocument(t, "Dev-Ops"); doc != ssoACInline {
			t.Fatalf("the inline policy in the member is %s", doc)
		}

		// The member's RAM administrator may read them, not change them.
		wide := trustDoc(rootARN(w.member))
		update := ram.CreateUpdateRoleRequest()
		update.RoleName, update.NewAssumeRolePolicyDocument = "AliyunReservedSSO-Dev-Ops", wide
		_, err := w.memberAdmin.UpdateRole(update)
		wantServerError(t, err, "NoPermission.ReservedEntity", http.StatusForbidden)
		del := ram.CreateDeleteRoleRequest()
		del.RoleName = "aliyunreservedsso-dev-ops"
		_, err = w.memberAdmin.DeleteRole(del)
		wantServerError(t, err, "NoPermission.ReservedEntity", http.StatusForbidden)
		detach := ram.CreateDetachPolicyFromRoleRequest()
		detach.RoleName, detach.PolicyType, detach.PolicyName = "AliyunReservedSSO-Dev-Ops", "System", "ReadOnlyAccess"
		_, err = w.memberAdmin.DetachPolicyFromRole(detach)
		wantServerError(t, err, "NoPermission.ReservedEntity", http.StatusForbidden)
		attach := ram.CreateAttachPolicyToRoleRequest()
		attach.RoleName, attach.PolicyType, attach.PolicyName = "AliyunReservedSSO-Dev-Ops", "System", "AdministratorAccess"
		_, err = w.memberAdmin.AttachPolicyToRole(attach)
		wantServerError(t, err, "NoPermission.ReservedEntity", http.StatusForbidden)
		version := ram.CreateCreatePolicyVersionRequest()
		version.PolicyName, version.PolicyDocument, version.SetAsDefault = "AliyunReservedSSO-Dev-Ops-InlinePolicy",
			`{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, requests.NewBoolean(true)
		_, err = w.memberAdmin.CreatePolicyVersion(version)
		wantServerError(t, err, "NoPermission.ReservedEntity", http.StatusForbidden)
		delPolicy := ram.CreateDeletePolicyRequest()
		delPolicy.PolicyName = "AliyunReservedSSO-Dev-Ops-InlinePolicy"
		_, err = w.memberRAM.DeletePolicy(delPolicy) // not even the RD access role
		wantServerError(t, err, "NoPermission.ReservedEntity", http.StatusForbidden)
		if role2, attached2 := w.ssoACReservedRole(t, "Dev-Ops"); role2.AssumeRolePolicyDocument != role.AssumeRolePolicyDocument || len(attached2) != 2 {
			t.Fatalf("the refused writes changed the role: %+v %v", role2, attached2)
		}

		// Editing the configuration marks it ReprovisionRequired; the
		// member keeps the old version until it is provisioned again.
		newInline := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:StartInstance","Resource":"*"}]}`
		ac = ssoObject(t, w.ssoAdmin.must(t, "UpdateAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID,
			"NewSessionDuration": 10800})), "AccessConfiguration")
		if ns, _ := ac["StatusNotifications"].([]any); len(ns) != 1 || ns[0] != "ReprovisionRequired" {
			t.Fatalf("after UpdateAccessConfiguration: %v", ac)
		}
		w.ssoAdmin.must(t, "UpdateInlinePolicyForAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID,
			"InlinePolicyName": "ops-inline", "NewInlinePolicyDocument": newInline}))
		stale := ssoArray(t, w.ssoAdmin.must(t, "ListAccessConfigurations", w.in(map[string]any{"StatusNotifications": "ReprovisionRequired"})), "AccessConfigurations")
		if len(stale) != 1 || stale[0]["AccessConfigurationId"] != acID {
			t.Fatalf("ListAccessConfigurations ReprovisionRequired = %v", stale)
		}
		provs = ssoArray(t, w.ssoAdmin.must(t, "ListAccessConfigurationProvisionings", w.in(map[string]any{"ProvisioningStatus": "ReprovisionRequired"})), "AccessConfigurationProvisionings")
		if len(provs) != 1 {
			t.Fatalf("ReprovisionRequired provisionings = %v", provs)
		}
		if role, _ := w.ssoACReservedRole(t, "Dev-Ops"); role.MaxSessionDuration != 7200 {
			t.Fatalf("the member changed before provisioning: %+v", role)
		}
		tasks := ssoArray(t, w.ssoAdmin.must(t, "ProvisionAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID,
			"TargetType": "RD-Account", "TargetId": w.member})), "Tasks")
		if len(tasks) != 1 || tasks[0]["TaskType"] != "ProvisionAccessConfiguration" {
			t.Fatalf("ProvisionAccessConfiguration answered %v", tasks)
		}
		w.ssoACMustSucceed(t, tasks[0]["TaskId"].(string))
		if role, attached := w.ssoACReservedRole(t, "Dev-Ops"); role.MaxSessionDuration != 10800 || len(attached) != 2 {
			t.Fatalf("after provisioning: %+v %v", role, attached)
		}
		if doc := w.ssoACInlineDocument(t, "Dev-Ops"); doc != newInline {
			t.Fatalf("the inline policy after provisioning is %s", doc)
		}
		ac = ssoObject(t, w.ssoAdmin.must(t, "GetAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID})), "AccessConfiguration")
		if ns, _ := ac["StatusNotifications"].([]any); len(ns) != 0 {
			t.Fatalf("StatusNotifications after provisioning: %v", ac)
		}

		// Nothing assigned or provisioned may be deleted.
		_, err = w.ssoAdmin.call("DeleteAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID, "ForceRemovePermissionPolicies": true}))
		wantDaraError(t, err, "DeletionConflict.AccessConfiguration.AccessAssignment", http.StatusConflict)
		_, err = w.ssoAdmin.call("DeprovisionAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID,
			"TargetType": "RD-Account", "TargetId": w.member}))
		wantDaraError(t, err, "DeletionConflict.AccessConfigurationProvisioning.AccessAssignment", http.StatusConflict)
		_, err = w.ssoAdmin.call("DeleteGroup", w.in(map[string]any{"GroupId": devs}))
		if err == nil {
			t.Fatal("DeleteGroup of an assigned group succeeded")
		}

		// Unassigned with deprovisioning: the role and its policy go.
		unassign := w.in(assign)
		unassign["DeprovisionStrategy"] = "DeprovisionForLastAccessAssignmentOnAccount"
		task = ssoObject(t, w.ssoAdmin.must(t, "DeleteAccessAssignment", unassign), "Task")
		w.ssoACMustSucceed(t, task["TaskId"].(string))
		get := ram.CreateGetRoleRequest()
		get.RoleName = "AliyunReservedSSO-Dev-Ops"
		_, err = w.memberRAM.GetRole(get)
		wantServerError(t, err, "EntityNotExist.Role", http.StatusNotFound)
		getPolicy := ram.CreateGetPolicyRequest()
		getPolicy.PolicyType, getPolicy.PolicyName = "Custom", "AliyunReservedSSO-Dev-Ops-InlinePolicy"
		_, err = w.memberRAM.GetPolicy(getPolicy)
		wantServerError(t, err, "EntityNotExist.Policy", http.StatusNotFound)
		if rows := ssoArray(t, w.ssoAdmin.must(t, "ListAccessAssignments", w.in(nil)), "AccessAssignments"); len(rows) != 0 {
			t.Fatalf("assignments after the delete: %v", rows)
		}
		if provs := ssoArray(t, w.ssoAdmin.must(t, "ListAccessConfigurationProvisionings", w.in(nil)), "AccessConfigurationProvisionings"); len(provs) != 0 {
			t.Fatalf("provisionings after deprovisioning: %v", provs)
		}
		_, err = w.ssoAdmin.call("DeleteAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID}))
		wantDaraError(t, err, "DeletionConflict.AccessConfiguration.PermissionPolicy", http.StatusConflict)
		w.ssoAdmin.must(t, "DeleteAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID, "ForceRemovePermissionPolicies": true}))
		_, err = w.ssoAdmin.call("GetAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": acID}))
		wantDaraError(t, err, "EntityNotExists.AccessConfiguration", http.StatusNotFound)

		// Every task is listed, newest last, with the filters of section 3.
		all := w.ssoAdmin.must(t, "ListTasks", w.in(nil))
		if ts := ssoArray(t, all, "Tasks"); len(ts) != 3 || ssoNumber(t, all["TotalCounts"]) != 3 || ts[2]["TaskType"] != "DeleteAccessAssignment" {
			t.Fatalf("ListTasks = %v", all)
		}
		byType := ssoArray(t, w.ssoAdmin.must(t, "ListTasks", w.in(map[string]any{"TaskType": "ProvisionAccessConfiguration"})), "Tasks")
		if len(byType) != 1 {
			t.Fatalf("ListTasks TaskType = %v", byType)
		}
	})
}
