package e2e

import (
	"fmt"
	"sync"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// A renamed user keeps its id, its policies and a working AccessKey.
func TestRAMRenamedUserKeepsKeyAndPolicies(t *testing.T) {
	w := newRAMWorld(t)
	created := w.createUser(t, "kate")
	keyID, secret := w.userKey(t, "kate")
	kate := w.srv.RAMClient(t, keyID, secret)
	w.attachToUser(t, "kate", "System", "AliyunRAMReadOnlyAccess")
	ok(t, "ListUsers before the rename", listUsers(kate))

	up := ram.CreateUpdateUserRequest()
	up.UserName, up.NewUserName, up.NewDisplayName = "kate", "katherine", "Katherine"
	resp, err := w.root.UpdateUser(up)
	ok(t, "UpdateUser", err)
	if resp.User.UserName != "katherine" || resp.User.DisplayName != "Katherine" {
		t.Fatalf("updated %+v", resp.User)
	}
	ok(t, "ListUsers after the rename", listUsers(kate))
	id, err := w.srv.STSClient(t, keyID, secret).GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	ok(t, "GetCallerIdentity after the rename", err)
	if id.Arn != "acs:ram::"+w.acct.ID+":user/katherine" || id.UserId != created.User.UserId {
		t.Fatalf("identity after rename %+v", id)
	}
	get := ram.CreateGetUserRequest()
	get.UserName = "kate"
	_, err = w.root.GetUser(get)
	wantServerError(t, err, "EntityNotExist.User", 404)
	keys := ram.CreateListAccessKeysRequest()
	keys.UserName = "katherine"
	list, err := w.root.ListAccessKeys(keys)
	ok(t, "ListAccessKeys of the new name", err)
	if len(list.AccessKeys.AccessKey) != 1 || list.AccessKeys.AccessKey[0].AccessKeyId != keyID {
		t.Fatalf("keys after rename %+v", list.AccessKeys.AccessKey)
	}
}

// Users manage their own keys only where the account allows it, and may
// change their own password; a read-only user cannot grant itself more.
func TestRAMSelfService(t *testing.T) {
	w := newRAMWorld(t)
	leo, _ := w.userClient(t, "leo")
	self := ram.CreateListAccessKeysRequest() // no UserName: my own keys
	w.createPolicy(t, "OwnKeys", `{"Version":"1","Statement":[{"Effect":"Allow","Action":["ram:*AccessKey*","ram:ChangePassword"],"Resource":"acs:ram::`+w.acct.ID+`:user/leo"}]}`)
	w.attachToUser(t, "leo", "Custom", "OwnKeys")

	_, err := leo.ListAccessKeys(self)
	wantServerError(t, err, "NoPermission", 403)
	pref := ram.CreateSetSecurityPreferenceRequest()
	pref.AllowUserToManageAccessKeys = "true"
	_, err = w.root.SetSecurityPreference(pref)
	ok(t, "SetSecurityPreference", err)
	mine, err := leo.ListAccessKeys(self)
	ok(t, "ListAccessKeys of myself", err)
	if len(mine.AccessKeys.AccessKey) != 1 {
		t.Fatalf("own keys %+v", mine.AccessKeys.AccessKey)
	}
	other := ram.CreateListAccessKeysRequest()
	other.UserName = "someone-else"
	_, err = leo.ListAccessKeys(other)
	wantDenied(t, err, "ram:ListAccessKeys", "ImplicitDeny")

	lp := ram.CreateCreateLoginProfileRequest()
	lp.UserName, lp.Password = "leo", "Leo-Passw0rd-1"
	_, err = w.root.CreateLoginProfile(lp)
	ok(t, "CreateLoginProfile", err)
	cp := ram.CreateChangePasswordRequest()
	cp.OldPassword, cp.NewPassword = "wrong-Passw0rd", "Leo-Passw0rd-2"
	_, err = leo.ChangePassword(cp)
	wantServerError(t, err, "InvalidParameter.OldPassword.Incorrect", 400)
	cp.OldPassword = "Leo-Passw0rd-1"
	_, err = leo.ChangePassword(cp)
	ok(t, "ChangePassword", err)
	_, err = w.root.ChangePassword(cp)
	wantServerError(t, err, "NotSupport.Account", 400)

	attach := ram.CreateAttachPolicyToUserRequest()
	attach.UserName, attach.PolicyType, attach.PolicyName = "leo", "System", "AdministratorAccess"
	_, err = leo.AttachPolicyToUser(attach)
	wantDenied(t, err, "ram:AttachPolicyToUser", "ImplicitDeny")

	id, err := w.srv.STSClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret).GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	ok(t, "root GetCallerIdentity", err)
	if id.IdentityType != "Account" {
		t.Fatalf("root identity %+v", id)
	}
}

// Aliases are unique across accounts.
func TestRAMAccountAlias(t *testing.T) {
	w := newRAMWorld(t)
	other := w.srv.CreateAccount(t)
	otherRoot := w.srv.RAMClient(t, other.AccessKeyID, other.AccessKeySecret)
	alias := "corp-" + w.acct.ID[:8]
	set := ram.CreateSetAccountAliasRequest()
	set.AccountAlias = alias
	_, err := w.root.SetAccountAlias(set)
	ok(t, "SetAccountAlias", err)
	_, err = otherRoot.SetAccountAlias(set)
	wantServerError(t, err, "EntityAlreadyExists.AccountAlias", 409)
	set.AccountAlias = "Bad_Alias"
	_, err = otherRoot.SetAccountAlias(set)
	wantServerError(t, err, "InvalidParameter.AccountAlias.Format", 400)

	_, err = w.root.ClearAccountAlias(ram.CreateClearAccountAliasRequest())
	ok(t, "ClearAccountAlias", err)
	got, err := w.root.GetAccountAlias(ram.CreateGetAccountAliasRequest())
	ok(t, "GetAccountAlias", err)
	if got.AccountAlias != w.acct.ID {
		t.Fatalf("alias after clearing %q; want the account id", got.AccountAlias)
	}
	set.AccountAlias = alias
	_, err = otherRoot.SetAccountAlias(set)
	ok(t, "the cleared alias is free again", err)
}

// A RAM user with no policy manages its own password, AccessKeys and MFA
// device exactly as far as the account's security preference allows, and
// never another user's.
func TestRAMSelfServiceFollowsPreference(t *testing.T) {
	w := newRAMWorld(t)
	pia, piaKey := w.userClient(t, "pia")
	w.createUser(t, "quinn")

	// Own password: allowed by default (AllowUserToChangePassword).
	lp := ram.CreateCreateLoginProfileRequest()
	lp.UserName, lp.Password = "pia", "Pia-Passw0rd-1"
	_, err := w.root.CreateLoginProfile(lp)
	ok(t, "CreateLoginProfile", err)
	cp := ram.CreateChangePasswordRequest()
	cp.OldPassword, cp.NewPassword = "Pia-Passw0rd-1", "Pia-Passw0rd-2"
	_, err = pia.ChangePassword(cp)
	ok(t, "ChangePassword without a policy", err)

	// Own AccessKeys: refused until AllowUserToManageAccessKeys is on.
	_, err = pia.ListAccessKeys(ram.CreateListAccessKeysRequest())
	wantDenied(t, err, "ram:ListAccessKeys", "ImplicitDeny")
	pref := ram.CreateSetSecurityPreferenceRequest()
	pref.AllowUserToManageAccessKeys = "true"
	_, err = w.root.SetSecurityPreference(pref)
	ok(t, "SetSecurityPreference", err)
	keys, err := pia.ListAccessKeys(ram.CreateListAccessKeysRequest())
	ok(t, "ListAccessKeys of myself", err)
	if len(keys.AccessKeys.AccessKey) != 1 || keys.AccessKeys.AccessKey[0].AccessKeyId != piaKey {
		t.Fatalf("own keys %+v", keys.AccessKeys.AccessKey)
	}
	_, err = pia.CreateAccessKey(ram.CreateCreateAccessKeyRequest())
	ok(t, "CreateAccessKey for myself", err)
	forQuinn := ram.CreateCreateAccessKeyRequest()
	forQuinn.UserName = "quinn"
	_, err = pia.CreateAccessKey(forQuinn)
	wantDenied(t, err, "ram:CreateAccessKey", "ImplicitDeny")

	// Own MFA device: allowed by default (AllowUserToManageMFADevices).
	mfa := ram.CreateCreateVirtualMFADeviceRequest()
	mfa.VirtualMFADeviceName = "pia-phone"
	device, err := pia.CreateVirtualMFADevice(mfa)
	ok(t, "CreateVirtualMFADevice for myself", err)
	bind := ram.CreateBindMFADeviceRequest()
	bind.SerialNumber, bind.UserName = device.VirtualMFADevice.SerialNumber, "quinn"
	bind.AuthenticationCode1, bind.AuthenticationCode2 = codesFrom(t, device.VirtualMFADevice.Base32StringSeed, 1)
	_, err = pia.BindMFADevice(bind)
	wantDenied(t, err, "ram:BindMFADevice", "ImplicitDeny")
	bind.UserName = "pia"
	_, err = pia.BindMFADevice(bind)
	ok(t, "BindMFADevice to myself", err)

	// Switched off, the same calls need a policy again.
	pref = ram.CreateSetSecurityPreferenceRequest()
	pref.AllowUserToChangePassword, pref.AllowUserToManageMFADevices = "false", "false"
	_, err = w.root.SetSecurityPreference(pref)
	ok(t, "SetSecurityPreference", err)
	cp.OldPassword, cp.NewPassword = "Pia-Passw0rd-2", "Pia-Passw0rd-3"
	_, err = pia.ChangePassword(cp)
	wantDenied(t, err, "ram:ChangePassword", "ImplicitDeny")
	info := ram.CreateGetUserMFAInfoRequest()
	info.UserName = "pia"
	_, err = pia.GetUserMFAInfo(info)
	wantDenied(t, err, "ram:GetUserMFAInfo", "ImplicitDeny")
}

// Self-service replaces the need for an Allow, never an explicit Deny: a
// user whose policy denies everything cannot create keys, MFA devices or
// change its password for itself even where the security preference
// allows each of them.
func TestRAMExplicitDenyBeatsSelfService(t *testing.T) {
	w := newRAMWorld(t)
	mia, _ := w.userClient(t, "mia")
	pref := ram.CreateSetSecurityPreferenceRequest()
	pref.AllowUserToManageAccessKeys, pref.AllowUserToManageMFADevices, pref.AllowUserToChangePassword = "true", "true", "true"
	_, err := w.root.SetSecurityPreference(pref)
	ok(t, "SetSecurityPreference", err)
	_, err = mia.ListAccessKeys(ram.CreateListAccessKeysRequest())
	ok(t, "self-service ListAccessKeys without any policy", err)

	w.createPolicy(t, "DenyAll", statementDoc("Deny", "*", ""))
	w.attachToUser(t, "mia", "Custom", "DenyAll")
	_, err = mia.CreateAccessKey(ram.CreateCreateAccessKeyRequest())
	wantDenied(t, err, "ram:CreateAccessKey", "ExplicitDeny")
	_, err = mia.ListAccessKeys(ram.CreateListAccessKeysRequest())
	wantDenied(t, err, "ram:ListAccessKeys", "ExplicitDeny")
	mfa := ram.CreateCreateVirtualMFADeviceRequest()
	mfa.VirtualMFADeviceName = "mia-phone"
	_, err = mia.CreateVirtualMFADevice(mfa)
	wantDenied(t, err, "ram:CreateVirtualMFADevice", "ExplicitDeny")
	pw := ram.CreateChangePasswordRequest()
	pw.OldPassword, pw.NewPassword = "Whatever-Old-1", "Whatever-New-2"
	_, err = mia.ChangePassword(pw)
	wantDenied(t, err, "ram:ChangePassword", "ExplicitDeny")
}

// Self-service lets a policy-less user create one unbound MFA device at a
// time, not the account's whole quota; a user a policy allows, and the
// root user, are not capped that way.
func TestRAMSelfServiceMFADeviceCap(t *testing.T) {
	w := newRAMWorld(t)
	rita, _ := w.userClient(t, "rita")
	sam, _ := w.userClient(t, "sam")
	w.attachToUser(t, "sam", "System", "AliyunRAMFullAccess")

	create := func(c *ram.Client, name string) (*ram.CreateVirtualMFADeviceResponse, error) {
		req := ram.CreateCreateVirtualMFADeviceRequest()
		req.VirtualMFADeviceName = name
		return c.CreateVirtualMFADevice(req)
	}
	first, err := create(rita, "rita-phone")
	ok(t, "first self-service device", err)
	_, err = create(rita, "rita-phone-2")
	wantServerError(t, err, "LimitExceeded.VirtualMFADevice", 409)

	// Bound, the device no longer counts.
	bind := ram.CreateBindMFADeviceRequest()
	bind.SerialNumber, bind.UserName = first.VirtualMFADevice.SerialNumber, "rita"
	bind.AuthenticationCode1, bind.AuthenticationCode2 = codesFrom(t, first.VirtualMFADevice.Base32StringSeed, 1)
	_, err = rita.BindMFADevice(bind)
	ok(t, "BindMFADevice to myself", err)
	_, err = create(rita, "rita-phone-2")
	ok(t, "self-service device once the first is bound", err)
	_, err = create(rita, "rita-phone-3")
	wantServerError(t, err, "LimitExceeded.VirtualMFADevice", 409)

	for _, name := range []string{"sam-1", "sam-2", "sam-3"} {
		_, err = create(sam, name)
		ok(t, "CreateVirtualMFADevice allowed by a policy", err)
	}
	for _, name := range []string{"spare-1", "spare-2"} {
		_, err = create(w.root, name)
		ok(t, "CreateVirtualMFADevice by the root user", err)
	}
	list, err := w.root.ListVirtualMFADevices(ram.CreateListVirtualMFADevicesRequest())
	ok(t, "ListVirtualMFADevices", err)
	if n := len(list.VirtualMFADevices.VirtualMFADevice); n != 7 {
		t.Fatalf("%d devices, want 7", n)
	}
}

// The self-service cap holds under a race: fifty concurrent
// CreateVirtualMFADevice calls of one policy-less user leave one unbound
// device, on SQLite (one writer) as on PostgreSQL (serializable writes on
// several connections). Each call gets its own client: an SDK client is
// not safe for concurrent use.
func TestRAMSelfServiceMFADeviceCapUnderRace(t *testing.T) {
	for name, opts := range map[string][]canopytest.Option{"sqlite": nil, "postgres": {canopytest.WithPostgres()}} {
		t.Run(name, func(t *testing.T) {
			w := newRAMWorld(t, opts...)
			w.createUser(t, "rita")
			id, secret := w.userKey(t, "rita")
			const calls = 50
			errs := make(chan error, calls)
			var wg sync.WaitGroup
			for i := range calls {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req := ram.CreateCreateVirtualMFADeviceRequest()
					req.VirtualMFADeviceName = fmt.Sprintf("rita-%d", i)
					_, err := w.srv.RAMClient(t, id, secret).CreateVirtualMFADevice(req)
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			created := 0
			for err := range errs {
				if err == nil {
					created++
					continue
				}
				wantServerError(t, err, "LimitExceeded.VirtualMFADevice", 409)
			}
			list, err := w.root.ListVirtualMFADevices(ram.CreateListVirtualMFADevicesRequest())
			ok(t, "ListVirtualMFADevices", err)
			if n := len(list.VirtualMFADevices.VirtualMFADevice); created != 1 || n != 1 {
				t.Fatalf("%d calls succeeded and %d devices exist; want 1 and 1", created, n)
			}
		})
	}
}
