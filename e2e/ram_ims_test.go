package e2e

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ims"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
)

// IMS works on the same users as RAM, named <user>@<default domain>.
func TestRAMIMSUsersShareTheDirectory(t *testing.T) {
	w := newRAMWorld(t)
	c := w.srv.IMSClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)

	dom, err := c.GetDefaultDomain(ims.CreateGetDefaultDomainRequest())
	ok(t, "GetDefaultDomain", err)
	if dom.DefaultDomainName != w.acct.ID+".onaliyun.com" {
		t.Fatalf("default domain %q; want <account id>.onaliyun.com", dom.DefaultDomainName)
	}
	set := ims.CreateSetDefaultDomainRequest()
	set.DefaultDomainName = "acme-" + w.acct.ID[:6] + ".onaliyun.com"
	_, err = c.SetDefaultDomain(set)
	ok(t, "SetDefaultDomain", err)
	alias, err := w.root.GetAccountAlias(ram.CreateGetAccountAliasRequest())
	ok(t, "GetAccountAlias", err)
	if alias.AccountAlias+".onaliyun.com" != set.DefaultDomainName {
		t.Fatalf("alias %q does not follow the default domain %q", alias.AccountAlias, set.DefaultDomainName)
	}
	domain := set.DefaultDomainName

	cu := ims.CreateCreateUserRequest()
	cu.UserPrincipalName, cu.DisplayName = "ivy@"+domain, "Ivy"
	cu.Tag = &[]ims.CreateUserTag{{Key: "team", Value: "blue"}}
	created, err := c.CreateUser(cu)
	ok(t, "IMS CreateUser", err)
	if created.User.UserPrincipalName != "ivy@"+domain || created.User.UserId == "" || len(created.User.Tags.Tag) != 1 {
		t.Fatalf("created %+v", created.User)
	}
	cu.UserPrincipalName = "mallory@other.onaliyun.com"
	_, err = c.CreateUser(cu)
	wantServerError(t, err, "InvalidParameter.UserPrincipalName.Format", 400)
	cu.UserPrincipalName, cu.DisplayName = "long@"+domain, "A display name over 24 chars"
	_, err = c.CreateUser(cu)
	wantServerError(t, err, "InvalidParameter.DisplayName.Length", 400)

	get := ram.CreateGetUserRequest()
	get.UserName = "ivy"
	viaRAM, err := w.root.GetUser(get)
	ok(t, "RAM GetUser of an IMS user", err)
	if viaRAM.User.UserId != created.User.UserId || viaRAM.User.DisplayName != "Ivy" {
		t.Fatalf("RAM sees %+v", viaRAM.User)
	}
	byID := ims.CreateGetUserRequest()
	byID.UserId = created.User.UserId
	got, err := c.GetUser(byID)
	ok(t, "IMS GetUser by id", err)
	if got.User.UserPrincipalName != "ivy@"+domain {
		t.Fatalf("by id: %+v", got.User)
	}

	lp := ims.CreateCreateLoginProfileRequest()
	lp.UserPrincipalName, lp.GenerateRandomPassword, lp.Status = "ivy@"+domain, "true", "Inactive"
	prof, err := c.CreateLoginProfile(lp)
	ok(t, "IMS CreateLoginProfile", err)
	if prof.LoginProfile.Status != "Inactive" || len(prof.LoginProfile.Password) < 16 {
		t.Fatalf("login profile %+v", prof.LoginProfile)
	}
	glp := ims.CreateGetLoginProfileRequest()
	glp.UserPrincipalName = "ivy@" + domain
	again, err := c.GetLoginProfile(glp)
	ok(t, "IMS GetLoginProfile", err)
	if again.LoginProfile.Status != "Inactive" || again.LoginProfile.Password != "" {
		t.Fatalf("stored profile %+v (the password must never be shown again)", again.LoginProfile)
	}

	key := ims.CreateCreateAccessKeyRequest()
	key.UserPrincipalName = "ivy@" + domain
	k, err := c.CreateAccessKey(key)
	ok(t, "IMS CreateAccessKey", err)
	rk := ram.CreateListAccessKeysRequest()
	rk.UserName = "ivy"
	keys, err := w.root.ListAccessKeys(rk)
	ok(t, "RAM ListAccessKeys", err)
	if len(keys.AccessKeys.AccessKey) != 1 || keys.AccessKeys.AccessKey[0].AccessKeyId != k.AccessKey.AccessKeyId {
		t.Fatalf("RAM sees keys %+v", keys.AccessKeys.AccessKey)
	}

	list := ims.CreateListUsersRequest()
	list.Tag = &[]ims.ListUsersTag{{Key: "team", Value: "blue"}}
	users, err := c.ListUsers(list)
	ok(t, "IMS ListUsers by tag", err)
	if len(users.Users.User) != 1 || users.Users.User[0].UserPrincipalName != "ivy@"+domain {
		t.Fatalf("tagged users %+v", users.Users.User)
	}

	del := ims.CreateDeleteUserRequest()
	del.UserPrincipalName = "ivy@" + domain
	_, err = c.DeleteUser(del)
	wantServerError(t, err, "DeleteConflict.User.AccessKey", 409)
}

// IMS spells the password policy's expiry flag HardExpire, RAM HardExpiry;
// both set the same policy.
func TestRAMIMSPasswordPolicyAndPreference(t *testing.T) {
	w := newRAMWorld(t)
	c := w.srv.IMSClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
	set := ims.CreateSetPasswordPolicyRequest()
	set.HardExpire, set.MinimumPasswordLength, set.PasswordNotContainUserName, set.MaxLoginAttemps = "true", "12", "true", "5"
	resp, err := c.SetPasswordPolicy(set)
	ok(t, "IMS SetPasswordPolicy", err)
	if !resp.PasswordPolicy.HardExpire || resp.PasswordPolicy.MinimumPasswordLength != 12 || resp.PasswordPolicy.MaxLoginAttemps != 5 {
		t.Fatalf("IMS policy %+v", resp.PasswordPolicy)
	}
	rp, err := w.root.GetPasswordPolicy(ram.CreateGetPasswordPolicyRequest())
	ok(t, "RAM GetPasswordPolicy", err)
	if !rp.PasswordPolicy.HardExpiry || rp.PasswordPolicy.MinimumPasswordLength != 12 || rp.PasswordPolicy.MaxLoginAttemps != 5 {
		t.Fatalf("RAM policy %+v", rp.PasswordPolicy)
	}
	bad := ram.CreateSetPasswordPolicyRequest()
	bad.MinimumPasswordLength = "7"
	_, err = w.root.SetPasswordPolicy(bad)
	wantServerError(t, err, "InvalidParameter.MinimumPasswordLength.Range", 400)

	w.createUser(t, "jack")
	lp := ram.CreateCreateLoginProfileRequest()
	lp.UserName, lp.Password = "jack", "short-Pw1"
	_, err = w.root.CreateLoginProfile(lp)
	wantServerError(t, err, "InvalidParameter.Password.TooWeak", 400)
	lp.Password = "jack-is-my-Passw0rd" // contains the user name
	_, err = w.root.CreateLoginProfile(lp)
	wantServerError(t, err, "InvalidParameter.Password.TooWeak", 400)

	pref := ims.CreateSetSecurityPreferenceRequest()
	pref.MFAOperationForLogin, pref.LoginSessionDuration = "mandatory", "8"
	pref.VerificationTypes = &[]string{"sms"}
	sp, err := c.SetSecurityPreference(pref)
	ok(t, "IMS SetSecurityPreference", err)
	if sp.SecurityPreference.LoginProfilePreference.MFAOperationForLogin != "mandatory" ||
		!sp.SecurityPreference.LoginProfilePreference.EnforceMFAForLogin ||
		len(sp.SecurityPreference.VerificationPreference.VerificationTypes) != 1 {
		t.Fatalf("IMS preference %+v", sp.SecurityPreference)
	}
	rs, err := w.root.GetSecurityPreference(ram.CreateGetSecurityPreferenceRequest())
	ok(t, "RAM GetSecurityPreference", err)
	if rs.SecurityPreference.LoginProfilePreference.LoginSessionDuration != 8 ||
		!rs.SecurityPreference.LoginProfilePreference.AllowUserToChangePassword {
		t.Fatalf("RAM preference %+v", rs.SecurityPreference)
	}
	pref = ims.CreateSetSecurityPreferenceRequest()
	pref.LoginSessionDuration = "25"
	_, err = c.SetSecurityPreference(pref)
	wantServerError(t, err, "InvalidParameter.LoginSessionDuration.Range", 400)

	sum, err := c.GetAccountSummary(ims.CreateGetAccountSummaryRequest())
	ok(t, "GetAccountSummary", err)
	if sum.SummaryMap.Users != 1 || sum.SummaryMap.AccessKeysPerUserQuota != 2 || sum.SummaryMap.VersionsPerPolicyQuota != 5 {
		t.Fatalf("summary %+v", sum.SummaryMap)
	}
}

// TestRAMIMSDenyByNameHoldsWhenCalledByID: a Deny on user/<name> must hold
// when an IMS call names that user by UserId instead.
func TestRAMIMSDenyByNameHoldsWhenCalledByID(t *testing.T) {
	w := newRAMWorld(t)
	victim := w.createUser(t, "victim").User.UserId
	other := w.createUser(t, "bystander").User.UserId
	w.createUser(t, "reader")
	w.createPolicy(t, "read-users-but-victim", `{"Version":"1","Statement":[
		{"Effect":"Allow","Action":"ram:GetUser","Resource":"acs:ram::*:user/*"},
		{"Effect":"Deny","Action":"ram:GetUser","Resource":"acs:ram::*:user/victim"}]}`)
	w.attachToUser(t, "reader", "Custom", "read-users-but-victim")
	id, secret := w.userKey(t, "reader")
	client := w.srv.IMSClient(t, id, secret)

	req := ims.CreateGetUserRequest()
	req.UserId = victim
	_, err := client.GetUser(req)
	wantDenied(t, err, "ram:GetUser", "ExplicitDeny")

	req = ims.CreateGetUserRequest()
	req.UserId = other
	resp, err := client.GetUser(req)
	ok(t, "GetUser bystander by id", err)
	if resp.User.UserId != other {
		t.Fatalf("got user %+v", resp.User)
	}
}
