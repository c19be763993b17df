package e2e

import (
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
)

// TestRAMTour calls, through the SDK's typed clients, the RAM actions no
// scenario test needs, and checks what each answers: groups and
// membership, roles, policy metadata and entities, login profile updates,
// AccessKey last use.
func TestRAMTour(t *testing.T) {
	w := newRAMWorld(t)
	w.createUser(t, "tina")

	cg := ram.CreateCreateGroupRequest()
	cg.GroupName, cg.Comments = "ops", "operators"
	_, err := w.root.CreateGroup(cg)
	ok(t, "CreateGroup", err)
	ug := ram.CreateUpdateGroupRequest()
	ug.GroupName, ug.NewGroupName, ug.NewComments = "ops", "sre", "site reliability"
	updated, err := w.root.UpdateGroup(ug)
	ok(t, "UpdateGroup", err)
	if updated.Group.GroupName != "sre" || updated.Group.Comments != "site reliability" || updated.Group.GroupId == "" {
		t.Fatalf("UpdateGroup answered %+v", updated.Group)
	}
	gg := ram.CreateGetGroupRequest()
	gg.GroupName = "sre"
	got, err := w.root.GetGroup(gg)
	ok(t, "GetGroup", err)
	if got.Group.GroupId != updated.Group.GroupId {
		t.Fatalf("GetGroup answered %+v", got.Group)
	}
	gg.GroupName = "ops"
	_, err = w.root.GetGroup(gg)
	wantServerError(t, err, "EntityNotExist.Group", 404)

	add := ram.CreateAddUserToGroupRequest()
	add.UserName, add.GroupName = "tina", "sre"
	_, err = w.root.AddUserToGroup(add)
	ok(t, "AddUserToGroup", err)
	lg := ram.CreateListGroupsRequest()
	groups, err := w.root.ListGroups(lg)
	ok(t, "ListGroups", err)
	if len(groups.Groups.Group) != 1 || groups.Groups.Group[0].GroupName != "sre" {
		t.Fatalf("ListGroups answered %+v", groups.Groups)
	}
	lgu := ram.CreateListGroupsForUserRequest()
	lgu.UserName = "tina"
	forUser, err := w.root.ListGroupsForUser(lgu)
	ok(t, "ListGroupsForUser", err)
	if len(forUser.Groups.Group) != 1 || forUser.Groups.Group[0].GroupName != "sre" || forUser.Groups.Group[0].JoinDate == "" {
		t.Fatalf("ListGroupsForUser answered %+v", forUser.Groups)
	}
	lug := ram.CreateListUsersForGroupRequest()
	lug.GroupName = "sre"
	members, err := w.root.ListUsersForGroup(lug)
	ok(t, "ListUsersForGroup", err)
	if len(members.Users.User) != 1 || members.Users.User[0].UserName != "tina" {
		t.Fatalf("ListUsersForGroup answered %+v", members.Users)
	}

	cr := ram.CreateCreateRoleRequest()
	cr.RoleName = "auditor"
	cr.AssumeRolePolicyDocument = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::` + w.acct.ID + `:root"]}}]}`
	_, err = w.root.CreateRole(cr)
	ok(t, "CreateRole", err)
	ur := ram.CreateUpdateRoleRequest()
	ur.RoleName, ur.NewDescription, ur.NewMaxSessionDuration = "auditor", "reads the trail", "7200"
	role, err := w.root.UpdateRole(ur)
	ok(t, "UpdateRole", err)
	if role.Role.MaxSessionDuration != 7200 || role.Role.Description != "reads the trail" || role.Role.Arn != "acs:ram::"+w.acct.ID+":role/auditor" {
		t.Fatalf("UpdateRole answered %+v", role.Role)
	}
	ur.NewMaxSessionDuration = "60"
	_, err = w.root.UpdateRole(ur)
	wantServerError(t, err, "InvalidParameter.NewMaxSessionDuration", 400)

	w.createPolicy(t, "trail-reader", statementDoc("Allow", "actiontrail:LookupEvents", ""))
	upd := ram.CreateUpdatePolicyDescriptionRequest()
	upd.PolicyName, upd.NewDescription = "trail-reader", "read the audit trail"
	desc, err := w.root.UpdatePolicyDescription(upd)
	ok(t, "UpdatePolicyDescription", err)
	if desc.Policy.Description != "read the audit trail" {
		t.Fatalf("UpdatePolicyDescription answered %+v", desc.Policy)
	}
	gpv := ram.CreateGetPolicyVersionRequest()
	gpv.PolicyName, gpv.PolicyType, gpv.VersionId = "trail-reader", "Custom", "v1"
	version, err := w.root.GetPolicyVersion(gpv)
	ok(t, "GetPolicyVersion", err)
	if !version.PolicyVersion.IsDefaultVersion || version.PolicyVersion.PolicyDocument != statementDoc("Allow", "actiontrail:LookupEvents", "") {
		t.Fatalf("GetPolicyVersion answered %+v", version.PolicyVersion)
	}
	gpv.PolicyName, gpv.PolicyType = "AdministratorAccess", "System"
	sys, err := w.root.GetPolicyVersion(gpv)
	ok(t, "GetPolicyVersion System", err)
	if sys.PolicyVersion.PolicyDocument == "" {
		t.Fatal("system policy version without a document")
	}

	attachRole := ram.CreateAttachPolicyToRoleRequest()
	attachRole.RoleName, attachRole.PolicyType, attachRole.PolicyName = "auditor", "Custom", "trail-reader"
	_, err = w.root.AttachPolicyToRole(attachRole)
	ok(t, "AttachPolicyToRole", err)
	attachGroup := ram.CreateAttachPolicyToGroupRequest()
	attachGroup.GroupName, attachGroup.PolicyType, attachGroup.PolicyName = "sre", "Custom", "trail-reader"
	_, err = w.root.AttachPolicyToGroup(attachGroup)
	ok(t, "AttachPolicyToGroup", err)
	w.attachToUser(t, "tina", "Custom", "trail-reader")
	ents := ram.CreateListEntitiesForPolicyRequest()
	ents.PolicyName, ents.PolicyType = "trail-reader", "Custom"
	entities, err := w.root.ListEntitiesForPolicy(ents)
	ok(t, "ListEntitiesForPolicy", err)
	if len(entities.Users.User) != 1 || entities.Users.User[0].UserName != "tina" ||
		len(entities.Groups.Group) != 1 || entities.Groups.Group[0].GroupName != "sre" ||
		len(entities.Roles.Role) != 1 || entities.Roles.Role[0].RoleName != "auditor" {
		t.Fatalf("ListEntitiesForPolicy answered %+v", entities)
	}
	pfr := ram.CreateListPoliciesForRoleRequest()
	pfr.RoleName = "auditor"
	forRole, err := w.root.ListPoliciesForRole(pfr)
	ok(t, "ListPoliciesForRole", err)
	if len(forRole.Policies.Policy) != 1 || forRole.Policies.Policy[0].PolicyName != "trail-reader" {
		t.Fatalf("ListPoliciesForRole answered %+v", forRole.Policies)
	}
	pfg := ram.CreateListPoliciesForGroupRequest()
	pfg.GroupName = "sre"
	forGroup, err := w.root.ListPoliciesForGroup(pfg)
	ok(t, "ListPoliciesForGroup", err)
	if len(forGroup.Policies.Policy) != 1 {
		t.Fatalf("ListPoliciesForGroup answered %+v", forGroup.Policies)
	}
	dr := ram.CreateDeleteRoleRequest()
	dr.RoleName = "auditor"
	_, err = w.root.DeleteRole(dr)
	wantServerError(t, err, "DeleteConflict.Role.Policy", 409)
	detachRole := ram.CreateDetachPolicyFromRoleRequest()
	detachRole.RoleName, detachRole.PolicyType, detachRole.PolicyName = "auditor", "Custom", "trail-reader"
	_, err = w.root.DetachPolicyFromRole(detachRole)
	ok(t, "DetachPolicyFromRole", err)
	detachGroup := ram.CreateDetachPolicyFromGroupRequest()
	detachGroup.GroupName, detachGroup.PolicyType, detachGroup.PolicyName = "sre", "Custom", "trail-reader"
	_, err = w.root.DetachPolicyFromGroup(detachGroup)
	ok(t, "DetachPolicyFromGroup", err)
	_, err = w.root.DeleteRole(dr)
	ok(t, "DeleteRole", err)
	gr := ram.CreateGetRoleRequest()
	gr.RoleName = "auditor"
	_, err = w.root.GetRole(gr)
	wantServerError(t, err, "EntityNotExist.Role", 404)

	clp := ram.CreateCreateLoginProfileRequest()
	clp.UserName, clp.Password = "tina", "Initial-Passw0rd!"
	_, err = w.root.CreateLoginProfile(clp)
	ok(t, "CreateLoginProfile", err)
	ulp := ram.CreateUpdateLoginProfileRequest()
	ulp.UserName, ulp.MFABindRequired, ulp.PasswordResetRequired = "tina", "true", "true"
	_, err = w.root.UpdateLoginProfile(ulp)
	ok(t, "UpdateLoginProfile", err)
	glp := ram.CreateGetLoginProfileRequest()
	glp.UserName = "tina"
	profile, err := w.root.GetLoginProfile(glp)
	ok(t, "GetLoginProfile", err)
	if !profile.LoginProfile.MFABindRequired || !profile.LoginProfile.PasswordResetRequired {
		t.Fatalf("login profile after update %+v", profile.LoginProfile)
	}

	id, secret := w.userKey(t, "tina")
	last := ram.CreateGetAccessKeyLastUsedRequest()
	last.UserName, last.UserAccessKeyId = "tina", id
	never, err := w.root.GetAccessKeyLastUsed(last)
	ok(t, "GetAccessKeyLastUsed", err)
	if never.AccessKeyLastUsed.LastUsedDate != "" {
		t.Fatalf("unused key has LastUsedDate %q", never.AccessKeyLastUsed.LastUsedDate)
	}
	// A signed call counts as a use, even one that is then refused.
	if _, err := w.srv.RAMClient(t, id, secret).ListUsers(ram.CreateListUsersRequest()); err == nil {
		t.Fatal("tina may list users without a policy")
	}
	w.srv.App.FlushKeyUse()
	used, err := w.root.GetAccessKeyLastUsed(last)
	ok(t, "GetAccessKeyLastUsed", err)
	at, perr := time.Parse("2006-01-02T15:04:05Z", used.AccessKeyLastUsed.LastUsedDate)
	if perr != nil || time.Since(at) > time.Minute {
		t.Fatalf("LastUsedDate after a call: %q", used.AccessKeyLastUsed.LastUsedDate)
	}
	last.UserAccessKeyId = "LTAInotakeyofhers00000"
	_, err = w.root.GetAccessKeyLastUsed(last)
	wantServerError(t, err, "EntityNotExist.User.AccessKey", 404)
}
