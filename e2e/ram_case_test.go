package e2e

import (
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
)

// caseCall is one action with its parameters, sent as a common request.
type caseCall struct {
	product, action string
	params          []string // name, value, name, value ...
}

// TestDenyHoldsForEveryActionWhateverTheCase: every RAM and IMS action
// that names a user, group, role, policy or MFA device is authorized on the
// entity's stored spelling, so a Deny on that spelling stops the call
// whatever case the caller writes the name in (user names by UserName,
// principal name or in a serial number; custom and system policies).
func TestDenyHoldsForEveryActionWhateverTheCase(t *testing.T) {
	w := newRAMWorld(t)
	acct := w.acct.ID
	ram := func(action string, params ...string) caseCall { return caseCall{"Ram", action, params} }
	ims := func(action string, params ...string) caseCall { return caseCall{"Ims", action, params} }
	send := func(c caseCall) *requests.CommonRequest {
		req := requests.NewCommonRequest()
		req.Domain, req.Scheme, req.Method = w.srv.Endpoint, "http", "POST"
		req.Product, req.ApiName = c.product, c.action
		req.Version = map[string]string{"Ram": "2015-05-01", "Ims": "2019-08-15"}[c.product]
		for i := 0; i < len(c.params); i += 2 {
			req.FormParams[c.params[i]] = c.params[i+1]
		}
		return req
	}
	trust := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::` + acct + `:root"]}}]}`
	doc := statementDoc("Allow", "ram:GetUser", "")
	serial := func(name string) string { return "acs:ram::" + acct + ":mfa/" + name }
	upn := func(name string) string { return name + "@" + acct + ".onaliyun.com" }

	// The protected entities, each with what hangs off it.
	w.createUser(t, "tom")
	tomKey, _ := w.userKey(t, "tom")
	w.createPolicy(t, "pol", doc)
	for _, c := range []caseCall{
		ram("CreateLoginProfile", "UserName", "tom", "Password", "Very-Strong-Passw0rd!"),
		ram("CreateGroup", "GroupName", "devs"), ram("AddUserToGroup", "GroupName", "devs", "UserName", "tom"),
		ram("CreateRole", "RoleName", "ops", "AssumeRolePolicyDocument", trust),
		ram("CreatePolicyVersion", "PolicyName", "pol", "PolicyDocument", doc),
		ram("AttachPolicyToUser", "UserName", "tom", "PolicyType", "Custom", "PolicyName", "pol"),
		ram("AttachPolicyToGroup", "GroupName", "devs", "PolicyType", "Custom", "PolicyName", "pol"),
		ram("AttachPolicyToRole", "RoleName", "ops", "PolicyType", "Custom", "PolicyName", "pol"),
		ram("CreateVirtualMFADevice", "VirtualMFADeviceName", "tomdev"),
	} {
		_, err := w.root.ProcessCommonRequest(send(c))
		ok(t, c.action, err)
	}
	sue, _ := w.userClient(t, "sue")
	w.createPolicy(t, "AllButProtected", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"*","Resource":["acs:ram::`+acct+`:user/tom","acs:ram::`+acct+`:group/devs",
		"acs:ram::`+acct+`:role/ops","acs:ram:*:`+acct+`:policy/pol","acs:ram::`+acct+`:mfa/tomdev",
		"acs:ram:*:system:policy/AdministratorAccess"]}]}`)
	w.attachToUser(t, "sue", "Custom", "AllButProtected")

	var calls []caseCall
	for _, u := range []string{"TOM", "Tom"} {
		calls = append(calls,
			ram("CreateUser", "UserName", u), ram("GetUser", "UserName", u),
			ram("UpdateUser", "UserName", u, "NewDisplayName", "x"), ram("UpdateUser", "UserName", u, "NewUserName", "tim"),
			ram("DeleteUser", "UserName", u),
			ram("CreateLoginProfile", "UserName", u, "Password", "Very-Strong-Passw0rd!"), ram("GetLoginProfile", "UserName", u),
			ram("UpdateLoginProfile", "UserName", u, "Password", "Very-Strong-Passw0rd!2"), ram("DeleteLoginProfile", "UserName", u),
			ram("CreateAccessKey", "UserName", u), ram("ListAccessKeys", "UserName", u),
			ram("UpdateAccessKey", "UserName", u, "UserAccessKeyId", tomKey, "Status", "Inactive"),
			ram("DeleteAccessKey", "UserName", u, "UserAccessKeyId", tomKey),
			ram("GetAccessKeyLastUsed", "UserName", u, "UserAccessKeyId", tomKey),
			ram("BindMFADevice", "UserName", u, "SerialNumber", serial("tomdev"), "AuthenticationCode1", "123456",
				"AuthenticationCode2", "234567"),
			ram("UnbindMFADevice", "UserName", u), ram("GetUserMFAInfo", "UserName", u),
			ram("ListGroupsForUser", "UserName", u), ram("ListPoliciesForUser", "UserName", u),
			ram("AttachPolicyToUser", "UserName", u, "PolicyType", "System", "PolicyName", "ReadOnlyAccess"),
			ram("DetachPolicyFromUser", "UserName", u, "PolicyType", "Custom", "PolicyName", "pol"),
			ims("CreateUser", "UserPrincipalName", upn(u), "DisplayName", "x"), ims("GetUser", "UserPrincipalName", upn(u)),
			ims("UpdateUser", "UserPrincipalName", upn(u), "NewDisplayName", "x"), ims("DeleteUser", "UserPrincipalName", upn(u)),
			ims("CreateLoginProfile", "UserPrincipalName", upn(u), "Password", "Very-Strong-Passw0rd!"),
			ims("GetLoginProfile", "UserPrincipalName", upn(u)),
			ims("UpdateLoginProfile", "UserPrincipalName", upn(u), "Password", "Very-Strong-Passw0rd!3"),
			ims("DeleteLoginProfile", "UserPrincipalName", upn(u)),
			ims("CreateAccessKey", "UserPrincipalName", upn(u)), ims("ListAccessKeys", "UserPrincipalName", upn(u)),
			ims("UpdateAccessKey", "UserPrincipalName", upn(u), "UserAccessKeyId", tomKey, "Status", "Inactive"),
			ims("DeleteAccessKey", "UserPrincipalName", upn(u), "UserAccessKeyId", tomKey),
			ims("GetAccessKeyLastUsed", "UserPrincipalName", upn(u), "UserAccessKeyId", tomKey),
			ims("BindMFADevice", "UserPrincipalName", upn(u), "SerialNumber", serial("tomdev"),
				"AuthenticationCode1", "123456", "AuthenticationCode2", "234567"),
			ims("UnbindMFADevice", "UserPrincipalName", upn(u)), ims("GetUserMFAInfo", "UserPrincipalName", upn(u)),
			ims("DisableVirtualMFA", "UserPrincipalName", upn(u)), ims("ListGroupsForUser", "UserPrincipalName", upn(u)))
	}
	for _, g := range []string{"DEVS", "Devs"} {
		calls = append(calls, ram("CreateGroup", "GroupName", g), ram("GetGroup", "GroupName", g),
			ram("UpdateGroup", "GroupName", g, "NewComments", "x"), ram("UpdateGroup", "GroupName", g, "NewGroupName", "devs2"),
			ram("DeleteGroup", "GroupName", g), ram("AddUserToGroup", "GroupName", g, "UserName", "sue"),
			ram("RemoveUserFromGroup", "GroupName", g, "UserName", "tom"), ram("ListUsersForGroup", "GroupName", g),
			ram("ListPoliciesForGroup", "GroupName", g),
			ram("AttachPolicyToGroup", "GroupName", g, "PolicyType", "System", "PolicyName", "ReadOnlyAccess"),
			ram("DetachPolicyFromGroup", "GroupName", g, "PolicyType", "Custom", "PolicyName", "pol"),
			ims("CreateGroup", "GroupName", g), ims("GetGroup", "GroupName", g), ims("UpdateGroup", "GroupName", g, "NewComments", "x"),
			ims("DeleteGroup", "GroupName", g), ims("AddUserToGroup", "GroupName", g, "UserPrincipalName", upn("sue")),
			ims("RemoveUserFromGroup", "GroupName", g, "UserPrincipalName", upn("tom")), ims("ListUsersForGroup", "GroupName", g))
	}
	for _, r := range []string{"OPS", "Ops"} {
		calls = append(calls, ram("CreateRole", "RoleName", r, "AssumeRolePolicyDocument", trust), ram("GetRole", "RoleName", r),
			ram("UpdateRole", "RoleName", r, "NewDescription", "x"), ram("DeleteRole", "RoleName", r),
			ram("ListPoliciesForRole", "RoleName", r),
			ram("AttachPolicyToRole", "RoleName", r, "PolicyType", "System", "PolicyName", "ReadOnlyAccess"),
			ram("DetachPolicyFromRole", "RoleName", r, "PolicyType", "Custom", "PolicyName", "pol"))
	}
	for _, p := range []string{"POL", "Pol"} {
		calls = append(calls, ram("CreatePolicy", "PolicyName", p, "PolicyDocument", doc),
			ram("GetPolicy", "PolicyType", "Custom", "PolicyName", p), ram("DeletePolicy", "PolicyName", p),
			ram("UpdatePolicyDescription", "PolicyName", p, "NewDescription", "x"),
			ram("CreatePolicyVersion", "PolicyName", p, "PolicyDocument", doc),
			ram("GetPolicyVersion", "PolicyType", "Custom", "PolicyName", p, "VersionId", "v1"),
			ram("SetDefaultPolicyVersion", "PolicyName", p, "VersionId", "v2"),
			ram("DeletePolicyVersion", "PolicyName", p, "VersionId", "v1"),
			ram("ListPolicyVersions", "PolicyType", "Custom", "PolicyName", p),
			ram("ListEntitiesForPolicy", "PolicyType", "Custom", "PolicyName", p))
	}
	for _, p := range []string{"administratoraccess", "ADMINISTRATORACCESS"} {
		calls = append(calls, ram("GetPolicy", "PolicyType", "System", "PolicyName", p),
			ram("GetPolicyVersion", "PolicyType", "System", "PolicyName", p, "VersionId", "v1"),
			ram("ListPolicyVersions", "PolicyType", "System", "PolicyName", p),
			ram("ListEntitiesForPolicy", "PolicyType", "System", "PolicyName", p))
	}
	for _, d := range []string{"TOMDEV", "TomDev"} {
		for _, product := range []func(string, ...string) caseCall{ram, ims} {
			calls = append(calls, product("CreateVirtualMFADevice", "VirtualMFADeviceName", d),
				product("DeleteVirtualMFADevice", "SerialNumber", serial(d)))
		}
	}

	for _, c := range calls {
		req := send(c)
		if w.srv.App.Registry.Product(req.Version) == nil || w.srv.App.Registry.SampleParams(req.Version, c.action) == nil {
			t.Fatalf("%s %s is not a registered action", c.product, c.action)
		}
		_, err := sue.ProcessCommonRequest(req)
		se := wantServerError(t, err, "NoPermission", 403)
		if detail := se.AccessDeniedDetail(); detail == nil || detail["NoPermissionType"] != "ExplicitDeny" ||
			!strings.HasPrefix(se.Message(), "You are not authorized") {
			t.Errorf("%s %s %v: %s %v; want the ExplicitDeny", c.product, c.action, c.params, se.Message(), detail)
		}
	}
}
