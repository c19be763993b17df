package e2e

import (
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ims"
)

// TestIMSTour calls, through the SDK's typed IMS client, the IMS actions no
// scenario test needs: groups and membership, login profiles with Status,
// ChangePassword, AccessKeys, MFA, settings and listings.
func TestIMSTour(t *testing.T) {
	w := newRAMWorld(t)
	c := w.srv.IMSClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
	dom, err := c.GetDefaultDomain(ims.CreateGetDefaultDomainRequest())
	ok(t, "GetDefaultDomain", err)
	upn := "uma@" + dom.DefaultDomainName
	cu := ims.CreateCreateUserRequest()
	cu.UserPrincipalName, cu.DisplayName = upn, "Uma"
	_, err = c.CreateUser(cu)
	ok(t, "CreateUser", err)

	uu := ims.CreateUpdateUserRequest()
	uu.UserPrincipalName, uu.NewDisplayName, uu.NewComments = upn, "Uma B", "moved teams"
	updated, err := c.UpdateUser(uu)
	ok(t, "UpdateUser", err)
	if updated.User.DisplayName != "Uma B" || updated.User.Comments != "moved teams" {
		t.Fatalf("UpdateUser answered %+v", updated.User)
	}
	basic, err := c.ListUserBasicInfos(ims.CreateListUserBasicInfosRequest())
	ok(t, "ListUserBasicInfos", err)
	if len(basic.UserBasicInfos.UserBasicInfo) != 1 || basic.UserBasicInfos.UserBasicInfo[0].UserPrincipalName != upn {
		t.Fatalf("ListUserBasicInfos answered %+v", basic.UserBasicInfos)
	}

	cg := ims.CreateCreateGroupRequest()
	cg.GroupName, cg.DisplayName = "design", "Design"
	_, err = c.CreateGroup(cg)
	ok(t, "CreateGroup", err)
	ug := ims.CreateUpdateGroupRequest()
	ug.GroupName, ug.NewDisplayName = "design", "Product design"
	group, err := c.UpdateGroup(ug)
	ok(t, "UpdateGroup", err)
	if group.Group.DisplayName != "Product design" {
		t.Fatalf("UpdateGroup answered %+v", group.Group)
	}
	gg := ims.CreateGetGroupRequest()
	gg.GroupName = "design"
	_, err = c.GetGroup(gg)
	ok(t, "GetGroup", err)
	groups, err := c.ListGroups(ims.CreateListGroupsRequest())
	ok(t, "ListGroups", err)
	if len(groups.Groups.Group) != 1 {
		t.Fatalf("ListGroups answered %+v", groups.Groups)
	}
	add := ims.CreateAddUserToGroupRequest()
	add.GroupName, add.UserPrincipalName = "design", upn
	_, err = c.AddUserToGroup(add)
	ok(t, "AddUserToGroup", err)
	lgu := ims.CreateListGroupsForUserRequest()
	lgu.UserPrincipalName = upn
	forUser, err := c.ListGroupsForUser(lgu)
	ok(t, "ListGroupsForUser", err)
	if len(forUser.Groups.Group) != 1 || forUser.Groups.Group[0].GroupName != "design" {
		t.Fatalf("ListGroupsForUser answered %+v", forUser.Groups)
	}
	lug := ims.CreateListUsersForGroupRequest()
	lug.GroupName = "design"
	members, err := c.ListUsersForGroup(lug)
	ok(t, "ListUsersForGroup", err)
	if len(members.Users.User) != 1 || members.Users.User[0].UserPrincipalName != upn {
		t.Fatalf("ListUsersForGroup answered %+v", members.Users)
	}
	dg := ims.CreateDeleteGroupRequest()
	dg.GroupName = "design"
	_, err = c.DeleteGroup(dg)
	wantServerError(t, err, "DeleteConflict.Group.User", 409)
	rm := ims.CreateRemoveUserFromGroupRequest()
	rm.GroupName, rm.UserPrincipalName = "design", upn
	_, err = c.RemoveUserFromGroup(rm)
	ok(t, "RemoveUserFromGroup", err)
	_, err = c.DeleteGroup(dg)
	ok(t, "DeleteGroup", err)

	clp := ims.CreateCreateLoginProfileRequest()
	clp.UserPrincipalName, clp.Password = upn, "First-Passw0rd!"
	_, err = c.CreateLoginProfile(clp)
	ok(t, "CreateLoginProfile", err)
	ulp := ims.CreateUpdateLoginProfileRequest()
	ulp.UserPrincipalName, ulp.Status = upn, "Inactive"
	profile, err := c.UpdateLoginProfile(ulp)
	ok(t, "UpdateLoginProfile", err)
	if profile.LoginProfile.Status != "Inactive" {
		t.Fatalf("UpdateLoginProfile answered %+v", profile.LoginProfile)
	}

	ck := ims.CreateCreateAccessKeyRequest()
	ck.UserPrincipalName = upn
	key, err := c.CreateAccessKey(ck)
	ok(t, "CreateAccessKey", err)
	// The user changes its own password with its own key.
	self := w.srv.IMSClient(t, key.AccessKey.AccessKeyId, key.AccessKey.AccessKeySecret)
	cp := ims.CreateChangePasswordRequest()
	cp.OldPassword, cp.NewPassword = "wrong-Passw0rd!", "Second-Passw0rd!"
	_, err = self.ChangePassword(cp) // no policy needed: the security preference allows it
	wantServerError(t, err, "InvalidParameter.OldPassword.Incorrect", 400)
	cp.OldPassword = "First-Passw0rd!"
	_, err = self.ChangePassword(cp)
	ok(t, "ChangePassword", err)

	lk := ims.CreateListAccessKeysRequest()
	lk.UserPrincipalName = upn
	keys, err := c.ListAccessKeys(lk)
	ok(t, "ListAccessKeys", err)
	if len(keys.AccessKeys.AccessKey) != 1 || keys.AccessKeys.AccessKey[0].Status != "Active" {
		t.Fatalf("ListAccessKeys answered %+v", keys.AccessKeys)
	}
	last := ims.CreateGetAccessKeyLastUsedRequest()
	last.UserPrincipalName, last.UserAccessKeyId = upn, key.AccessKey.AccessKeyId
	_, err = c.GetAccessKeyLastUsed(last)
	ok(t, "GetAccessKeyLastUsed", err)
	uk := ims.CreateUpdateAccessKeyRequest()
	uk.UserPrincipalName, uk.UserAccessKeyId, uk.Status = upn, key.AccessKey.AccessKeyId, "Inactive"
	_, err = c.UpdateAccessKey(uk)
	ok(t, "UpdateAccessKey", err)
	_, err = self.ChangePassword(cp)
	wantServerError(t, err, "InvalidAccessKeyId.Inactive", 400)
	dk := ims.CreateDeleteAccessKeyRequest()
	dk.UserPrincipalName, dk.UserAccessKeyId = upn, key.AccessKey.AccessKeyId
	_, err = c.DeleteAccessKey(dk)
	ok(t, "DeleteAccessKey", err)

	mfa := ims.CreateCreateVirtualMFADeviceRequest()
	mfa.VirtualMFADeviceName = "uma-phone"
	device, err := c.CreateVirtualMFADevice(mfa)
	ok(t, "CreateVirtualMFADevice", err)
	bind := ims.CreateBindMFADeviceRequest()
	bind.UserPrincipalName, bind.SerialNumber = upn, device.VirtualMFADevice.SerialNumber
	bind.AuthenticationCode1, bind.AuthenticationCode2 = codesFrom(t, device.VirtualMFADevice.Base32StringSeed, 1)
	_, err = c.BindMFADevice(bind)
	ok(t, "BindMFADevice", err)
	info := ims.CreateGetUserMFAInfoRequest()
	info.UserPrincipalName = upn
	got, err := c.GetUserMFAInfo(info)
	ok(t, "GetUserMFAInfo", err)
	if got.MFADevice.SerialNumber != device.VirtualMFADevice.SerialNumber {
		t.Fatalf("GetUserMFAInfo answered %+v", got.MFADevice)
	}
	devices, err := c.ListVirtualMFADevices(ims.CreateListVirtualMFADevicesRequest())
	ok(t, "ListVirtualMFADevices", err)
	if len(devices.VirtualMFADevices.VirtualMFADevice) != 1 {
		t.Fatalf("ListVirtualMFADevices answered %+v", devices.VirtualMFADevices)
	}
	ub := ims.CreateUnbindMFADeviceRequest()
	ub.UserPrincipalName = upn
	_, err = c.UnbindMFADevice(ub)
	ok(t, "UnbindMFADevice", err)
	del := ims.CreateDeleteVirtualMFADeviceRequest()
	del.SerialNumber = device.VirtualMFADevice.SerialNumber
	_, err = c.DeleteVirtualMFADevice(del)
	ok(t, "DeleteVirtualMFADevice", err)

	// DisableVirtualMFA unbinds and deletes in one call.
	mfa.VirtualMFADeviceName = "uma-phone-2"
	second, err := c.CreateVirtualMFADevice(mfa)
	ok(t, "CreateVirtualMFADevice", err)
	bind.SerialNumber = second.VirtualMFADevice.SerialNumber
	bind.AuthenticationCode1, bind.AuthenticationCode2 = codesFrom(t, second.VirtualMFADevice.Base32StringSeed, 1)
	_, err = c.BindMFADevice(bind)
	ok(t, "BindMFADevice second", err)
	dis := ims.CreateDisableVirtualMFARequest()
	dis.UserPrincipalName = upn
	_, err = c.DisableVirtualMFA(dis)
	ok(t, "DisableVirtualMFA", err)
	devices, err = c.ListVirtualMFADevices(ims.CreateListVirtualMFADevicesRequest())
	ok(t, "ListVirtualMFADevices", err)
	if len(devices.VirtualMFADevices.VirtualMFADevice) != 0 {
		t.Fatalf("DisableVirtualMFA left %+v", devices.VirtualMFADevices)
	}

	dlp := ims.CreateDeleteLoginProfileRequest()
	dlp.UserPrincipalName = upn
	_, err = c.DeleteLoginProfile(dlp)
	ok(t, "DeleteLoginProfile", err)
	pp, err := c.GetPasswordPolicy(ims.CreateGetPasswordPolicyRequest())
	ok(t, "GetPasswordPolicy", err)
	if pp.PasswordPolicy.MinimumPasswordLength != 8 {
		t.Fatalf("GetPasswordPolicy answered %+v", pp.PasswordPolicy)
	}
	sp, err := c.GetSecurityPreference(ims.CreateGetSecurityPreferenceRequest())
	ok(t, "GetSecurityPreference", err)
	if !sp.SecurityPreference.LoginProfilePreference.AllowUserToChangePassword {
		t.Fatalf("GetSecurityPreference answered %+v", sp.SecurityPreference)
	}
}
