package e2e

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"
)

// A RAM user starts with no rights; a system policy grants them; a custom
// Deny overrides the grant, and detaching the Deny restores access on the
// very next request.
func TestRAMPoliciesGrantDenyAndRevoke(t *testing.T) {
	w := newRAMWorld(t)
	alice, _ := w.userClient(t, "alice")

	wantDenied(t, listUsers(alice), "ram:ListUsers", "ImplicitDeny")

	w.attachToUser(t, "alice", "System", "AliyunRAMReadOnlyAccess")
	ok(t, "ListUsers with AliyunRAMReadOnlyAccess", listUsers(alice))
	req := ram.CreateCreateGroupRequest()
	req.GroupName = "not-allowed"
	_, err := alice.CreateGroup(req)
	wantDenied(t, err, "ram:CreateGroup", "ImplicitDeny")

	w.createPolicy(t, "DenyListUsers", statementDoc("Deny", "ram:ListUsers", ""))
	w.attachToUser(t, "alice", "Custom", "DenyListUsers")
	wantDenied(t, listUsers(alice), "ram:ListUsers", "ExplicitDeny")
	get := ram.CreateGetUserRequest()
	get.UserName = "alice"
	_, err = alice.GetUser(get)
	ok(t, "GetUser is not denied", err)

	w.detachFromUser(t, "alice", "Custom", "DenyListUsers")
	ok(t, "ListUsers right after the Deny is detached", listUsers(alice))

	w.detachFromUser(t, "alice", "System", "AliyunRAMReadOnlyAccess")
	wantDenied(t, listUsers(alice), "ram:ListUsers", "ImplicitDeny")
}

// A new default policy version takes effect on the next request.
func TestRAMDefaultVersionChangeTakesEffect(t *testing.T) {
	w := newRAMWorld(t)
	bob, _ := w.userClient(t, "bob")
	w.createPolicy(t, "lister", statementDoc("Allow", "ram:ListUsers", ""))
	w.attachToUser(t, "bob", "Custom", "lister")
	ok(t, "ListUsers under v1", listUsers(bob))

	req := ram.CreateCreatePolicyVersionRequest()
	req.PolicyName, req.PolicyDocument, req.SetAsDefault = "lister", statementDoc("Allow", "ram:GetUser", ""), "true"
	resp, err := w.root.CreatePolicyVersion(req)
	ok(t, "CreatePolicyVersion", err)
	if resp.PolicyVersion.VersionId != "v2" || !resp.PolicyVersion.IsDefaultVersion {
		t.Fatalf("new version %+v", resp.PolicyVersion)
	}
	wantDenied(t, listUsers(bob), "ram:ListUsers", "ImplicitDeny")

	set := ram.CreateSetDefaultPolicyVersionRequest()
	set.PolicyName, set.VersionId = "lister", "v1"
	_, err = w.root.SetDefaultPolicyVersion(set)
	ok(t, "SetDefaultPolicyVersion v1", err)
	ok(t, "ListUsers under v1 again", listUsers(bob))
}

// Group policies apply to the group's members.
func TestRAMGroupPoliciesApplyToMembers(t *testing.T) {
	w := newRAMWorld(t)
	carol, _ := w.userClient(t, "carol")
	g := ram.CreateCreateGroupRequest()
	g.GroupName = "readers"
	_, err := w.root.CreateGroup(g)
	ok(t, "CreateGroup", err)
	a := ram.CreateAttachPolicyToGroupRequest()
	a.GroupName, a.PolicyType, a.PolicyName = "readers", "System", "ReadOnlyAccess"
	_, err = w.root.AttachPolicyToGroup(a)
	ok(t, "AttachPolicyToGroup", err)
	wantDenied(t, listUsers(carol), "ram:ListUsers", "ImplicitDeny")

	add := ram.CreateAddUserToGroupRequest()
	add.GroupName, add.UserName = "readers", "carol"
	_, err = w.root.AddUserToGroup(add)
	ok(t, "AddUserToGroup", err)
	ok(t, "ListUsers as a member of readers", listUsers(carol))

	rm := ram.CreateRemoveUserFromGroupRequest()
	rm.GroupName, rm.UserName = "readers", "carol"
	_, err = w.root.RemoveUserFromGroup(rm)
	ok(t, "RemoveUserFromGroup", err)
	wantDenied(t, listUsers(carol), "ram:ListUsers", "ImplicitDeny")
}

// Malformed documents are refused with MalformedPolicyDocument and nothing
// is stored.
func TestRAMMalformedPolicyIsRefusedAndNotStored(t *testing.T) {
	w := newRAMWorld(t)
	for name, doc := range map[string]string{
		"not-json":      `{"Version":"1","Statement":[`,
		"wrong-version": `{"Version":"2","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`,
		"bad-effect":    `{"Version":"1","Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]}`,
		"unknown-key":   `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Colour":"red"}]}`,
	} {
		req := ram.CreateCreatePolicyRequest()
		req.PolicyName, req.PolicyDocument = name, doc
		_, err := w.root.CreatePolicy(req)
		wantServerError(t, err, "MalformedPolicyDocument", 400)

		get := ram.CreateGetPolicyRequest()
		get.PolicyType, get.PolicyName = "Custom", name
		_, err = w.root.GetPolicy(get)
		wantServerError(t, err, "EntityNotExist.Policy", 404)
	}
	list := ram.CreateListPoliciesRequest()
	list.PolicyType = "Custom"
	resp, err := w.root.ListPolicies(list)
	ok(t, "ListPolicies", err)
	if n := len(resp.Policies.Policy); n != 0 {
		t.Fatalf("%d custom policies stored after refusals", n)
	}

	role := ram.CreateCreateRoleRequest()
	role.RoleName = "broken"
	role.AssumeRolePolicyDocument = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	_, err = w.root.CreateRole(role)
	wantServerError(t, err, "MalformedPolicyDocument", 400)
	getRole := ram.CreateGetRoleRequest()
	getRole.RoleName = "broken"
	_, err = w.root.GetRole(getRole)
	wantServerError(t, err, "EntityNotExist.Role", 404)
}

// acs:SourceIp conditions see the caller's address (127.0.0.1 here).
func TestRAMSourceIpCondition(t *testing.T) {
	w := newRAMWorld(t)
	local, _ := w.userClient(t, "from-local")
	remote, _ := w.userClient(t, "from-ten")
	w.createPolicy(t, "ListFromLoopback", statementDoc("Allow", "ram:ListUsers", `{"IpAddress":{"acs:SourceIp":"127.0.0.1/32"}}`))
	w.createPolicy(t, "ListFromTen", statementDoc("Allow", "ram:ListUsers", `{"IpAddress":{"acs:SourceIp":["10.0.0.0/8"]}}`))
	w.attachToUser(t, "from-local", "Custom", "ListFromLoopback")
	w.attachToUser(t, "from-ten", "Custom", "ListFromTen")

	ok(t, "ListUsers from 127.0.0.1 allowed by 127.0.0.1/32", listUsers(local))
	wantDenied(t, listUsers(remote), "ram:ListUsers", "ImplicitDeny")
}

// GetCallerIdentity with a RAM user's key names the user.
func TestRAMUserCallerIdentity(t *testing.T) {
	w := newRAMWorld(t)
	created := w.createUser(t, "dora")
	key := ram.CreateCreateAccessKeyRequest()
	key.UserName = "dora"
	k, err := w.root.CreateAccessKey(key)
	ok(t, "CreateAccessKey", err)
	c := w.srv.STSClient(t, k.AccessKey.AccessKeyId, k.AccessKey.AccessKeySecret)
	id, err := c.GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	ok(t, "GetCallerIdentity", err)
	if id.IdentityType != "RAMUser" || id.AccountId != w.acct.ID || id.Arn != "acs:ram::"+w.acct.ID+":user/dora" ||
		id.PrincipalId != created.User.UserId || id.UserId != created.User.UserId {
		t.Fatalf("identity %+v; want RAMUser acs:ram::%s:user/dora with id %s", id, w.acct.ID, created.User.UserId)
	}
}

// Names are found in any case (as the cloud does), so authorization must
// judge the entity's stored spelling: a Deny on user/tom also stops a call
// that names TOM, whatever case the caller chooses.
func TestRAMDenyHoldsWhateverCaseTheCallerUses(t *testing.T) {
	w := newRAMWorld(t)
	w.createUser(t, "tom")
	sue, _ := w.userClient(t, "sue")
	w.createPolicy(t, "AllButTom", `{"Version":"1","Statement":[`+
		`{"Effect":"Allow","Action":"ram:*","Resource":"*"},`+
		`{"Effect":"Deny","Action":"ram:*","Resource":"acs:ram::`+w.acct.ID+`:user/tom"}]}`)
	w.attachToUser(t, "sue", "Custom", "AllButTom")

	get := ram.CreateGetUserRequest()
	get.UserName = "TOM"
	got, err := w.root.GetUser(get)
	ok(t, "root GetUser TOM", err)
	if got.User.UserName != "tom" {
		t.Fatalf("GetUser TOM found %q; want the stored spelling tom", got.User.UserName)
	}
	for _, name := range []string{"tom", "TOM", "Tom", "toM"} {
		get.UserName = name
		_, err = sue.GetUser(get)
		wantDenied(t, err, "ram:GetUser", "ExplicitDeny")
		del := ram.CreateDeleteUserRequest()
		del.UserName = name
		_, err = sue.DeleteUser(del)
		wantDenied(t, err, "ram:DeleteUser", "ExplicitDeny")
	}
	get.UserName = "tom"
	_, err = w.root.GetUser(get)
	ok(t, "tom survives", err)
}
