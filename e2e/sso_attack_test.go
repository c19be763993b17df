package e2e

import (
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// Attacks on CloudSSO (issue 11) through the real server: each test is
// an attack that once succeeded, or one that must keep failing.

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
