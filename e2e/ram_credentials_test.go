package e2e

import (
	"encoding/json"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ims"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/pquerna/otp/totp"
)

// Two AccessKeys per user; the secret is only in CreateAccessKey's answer.
func TestRAMAccessKeyLimit(t *testing.T) {
	w := newRAMWorld(t)
	w.createUser(t, "keys")
	req := ram.CreateCreateAccessKeyRequest()
	req.UserName = "keys"
	for i := 0; i < 2; i++ {
		resp, err := w.root.CreateAccessKey(req)
		ok(t, "CreateAccessKey", err)
		if resp.AccessKey.AccessKeySecret == "" || resp.AccessKey.Status != "Active" || resp.AccessKey.CreateDate == "" {
			t.Fatalf("new key %+v", resp.AccessKey)
		}
	}
	_, err := w.root.CreateAccessKey(req)
	wantServerError(t, err, "LimitExceeded.User.AccessKey", 409)

	list := ram.CreateListAccessKeysRequest()
	list.UserName = "keys"
	keys, err := w.root.ListAccessKeys(list)
	ok(t, "ListAccessKeys", err)
	if len(keys.AccessKeys.AccessKey) != 2 {
		t.Fatalf("%d keys listed; want 2", len(keys.AccessKeys.AccessKey))
	}
	for _, k := range keys.AccessKeys.AccessKey {
		if k.AccessKeySecret != "" {
			t.Fatal("ListAccessKeys revealed a secret")
		}
	}
}

// An inactive key is refused on its next request; reactivated, it works.
func TestRAMInactiveKeyStopsWorking(t *testing.T) {
	w := newRAMWorld(t)
	erin, keyID := w.userClient(t, "erin")
	w.attachToUser(t, "erin", "System", "AliyunRAMReadOnlyAccess")
	ok(t, "ListUsers with an active key", listUsers(erin))

	set := func(status string) {
		req := ram.CreateUpdateAccessKeyRequest()
		req.UserName, req.UserAccessKeyId, req.Status = "erin", keyID, status
		_, err := w.root.UpdateAccessKey(req)
		ok(t, "UpdateAccessKey "+status, err)
	}
	set("Inactive")
	wantServerError(t, listUsers(erin), "InvalidAccessKeyId.Inactive", 400)
	set("Active")
	ok(t, "ListUsers with the key reactivated", listUsers(erin))

	bad := ram.CreateUpdateAccessKeyRequest()
	bad.UserName, bad.UserAccessKeyId, bad.Status = "erin", keyID, "Paused"
	_, err := w.root.UpdateAccessKey(bad)
	wantServerError(t, err, "InvalidParameter.Status", 400)
	other := ram.CreateDeleteAccessKeyRequest()
	other.UserName, other.UserAccessKeyId = "erin", w.acct.AccessKeyID // the root's key, not erin's
	_, err = w.root.DeleteAccessKey(other)
	wantServerError(t, err, "EntityNotExist.User.AccessKey", 404)
}

// DeleteUser refuses while anything still hangs off the user.
func TestRAMDeleteUserConflicts(t *testing.T) {
	w := newRAMWorld(t)
	_, keyID := w.userClient(t, "frank")
	del := ram.CreateDeleteUserRequest()
	del.UserName = "frank"
	deleteUser := func() error { _, err := w.root.DeleteUser(del); return err }

	wantServerError(t, deleteUser(), "DeleteConflict.User.AccessKey", 409)
	dk := ram.CreateDeleteAccessKeyRequest()
	dk.UserName, dk.UserAccessKeyId = "frank", keyID
	_, err := w.root.DeleteAccessKey(dk)
	ok(t, "DeleteAccessKey", err)

	lp := ram.CreateCreateLoginProfileRequest()
	lp.UserName, lp.Password = "frank", "Frank-Passw0rd!"
	_, err = w.root.CreateLoginProfile(lp)
	ok(t, "CreateLoginProfile", err)
	wantServerError(t, deleteUser(), "DeleteConflict.User.LoginProfile", 409)
	dlp := ram.CreateDeleteLoginProfileRequest()
	dlp.UserName = "frank"
	_, err = w.root.DeleteLoginProfile(dlp)
	ok(t, "DeleteLoginProfile", err)

	serial, seed := createMFA(t, w, "frank-phone")
	bindMFA(t, w, serial, "frank", seed)
	wantServerError(t, deleteUser(), "DeleteConflict.User.MFADevice", 409)
	ub := ram.CreateUnbindMFADeviceRequest()
	ub.UserName = "frank"
	_, err = w.root.UnbindMFADevice(ub)
	ok(t, "UnbindMFADevice", err)

	g := ram.CreateCreateGroupRequest()
	g.GroupName = "team"
	_, err = w.root.CreateGroup(g)
	ok(t, "CreateGroup", err)
	add := ram.CreateAddUserToGroupRequest()
	add.UserName, add.GroupName = "frank", "team"
	_, err = w.root.AddUserToGroup(add)
	ok(t, "AddUserToGroup", err)
	wantServerError(t, deleteUser(), "DeleteConflict.User.Group", 409)
	dg := ram.CreateDeleteGroupRequest()
	dg.GroupName = "team"
	_, err = w.root.DeleteGroup(dg)
	wantServerError(t, err, "DeleteConflict.Group.User", 409)
	rm := ram.CreateRemoveUserFromGroupRequest()
	rm.UserName, rm.GroupName = "frank", "team"
	_, err = w.root.RemoveUserFromGroup(rm)
	ok(t, "RemoveUserFromGroup", err)

	w.attachToUser(t, "frank", "System", "ReadOnlyAccess")
	wantServerError(t, deleteUser(), "DeleteConflict.User.Policy", 409)
	w.detachFromUser(t, "frank", "System", "ReadOnlyAccess")

	ok(t, "DeleteUser once nothing is left", deleteUser())
	get := ram.CreateGetUserRequest()
	get.UserName = "frank"
	_, err = w.root.GetUser(get)
	wantServerError(t, err, "EntityNotExist.User", 404)
}

func createMFA(t *testing.T, w *ramWorld, name string) (serial, seed string) {
	t.Helper()
	req := ram.CreateCreateVirtualMFADeviceRequest()
	req.VirtualMFADeviceName = name
	resp, err := w.root.CreateVirtualMFADevice(req)
	ok(t, "CreateVirtualMFADevice", err)
	d := resp.VirtualMFADevice
	if d.SerialNumber != "acs:ram::"+w.acct.ID+":mfa/"+name || len(d.Base32StringSeed) < 32 || d.QRCodePNG == "" {
		t.Fatalf("device %+v", d)
	}
	return d.SerialNumber, d.Base32StringSeed
}

// codesFrom returns the codes of the step `back` steps ago and of the one
// after it.
func codesFrom(t *testing.T, seed string, back int) (string, string) {
	t.Helper()
	now := time.Now()
	c1, err := totp.GenerateCode(seed, now.Add(-time.Duration(back)*30*time.Second))
	ok(t, "totp", err)
	c2, err := totp.GenerateCode(seed, now.Add(-time.Duration(back-1)*30*time.Second))
	ok(t, "totp", err)
	return c1, c2
}

func bindMFA(t *testing.T, w *ramWorld, serial, user, seed string) {
	t.Helper()
	req := ram.CreateBindMFADeviceRequest()
	req.SerialNumber, req.UserName = serial, user
	req.AuthenticationCode1, req.AuthenticationCode2 = codesFrom(t, seed, 1)
	_, err := w.root.BindMFADevice(req)
	ok(t, "BindMFADevice", err)
}

// Binding needs two consecutive codes of the device.
func TestRAMBindMFADevice(t *testing.T) {
	w := newRAMWorld(t)
	w.createUser(t, "gina")
	serial, seed := createMFA(t, w, "gina-phone")

	req := ram.CreateBindMFADeviceRequest()
	req.SerialNumber, req.UserName = serial, "gina"
	first, _ := codesFrom(t, seed, 2)
	_, now := codesFrom(t, seed, 1)
	req.AuthenticationCode1, req.AuthenticationCode2 = first, now // a step is missing in between
	_, err := w.root.BindMFADevice(req)
	wantServerError(t, err, "CheckAuthenticationCodeFail", 403)
	req.AuthenticationCode1, req.AuthenticationCode2 = "12345", now
	_, err = w.root.BindMFADevice(req)
	wantServerError(t, err, "InvalidParameter.AuthenticationCode.Format", 400)

	info := ram.CreateGetUserMFAInfoRequest()
	info.UserName = "gina"
	_, err = w.root.GetUserMFAInfo(info)
	wantServerError(t, err, "EntityNotExist.User.MFADevice", 404)

	bind := ram.CreateBindMFADeviceRequest()
	bind.SerialNumber, bind.UserName = serial, "gina"
	bind.AuthenticationCode1, bind.AuthenticationCode2 = codesFrom(t, seed, 1)
	_, err = w.root.BindMFADevice(bind)
	ok(t, "BindMFADevice", err)
	got, err := w.root.GetUserMFAInfo(info)
	ok(t, "GetUserMFAInfo", err)
	if got.MFADevice.SerialNumber != serial || got.MFADevice.Type != "VMFA" {
		t.Fatalf("MFA info %+v", got.MFADevice)
	}
	list, err := w.root.ListVirtualMFADevices(ram.CreateListVirtualMFADevicesRequest())
	ok(t, "ListVirtualMFADevices", err)
	if ds := list.VirtualMFADevices.VirtualMFADevice; len(ds) != 1 || ds[0].User.UserName != "gina" || ds[0].ActivateDate == "" {
		t.Fatalf("devices %+v", ds)
	}
	del := ram.CreateDeleteVirtualMFADeviceRequest()
	del.SerialNumber = serial
	_, err = w.root.DeleteVirtualMFADevice(del)
	wantServerError(t, err, "DeleteConflict.VirtualMFADevice.User", 409)

	ub := ram.CreateUnbindMFADeviceRequest()
	ub.UserName = "gina"
	unbound, err := w.root.UnbindMFADevice(ub)
	ok(t, "UnbindMFADevice", err)
	if unbound.MFADevice.SerialNumber != serial {
		t.Fatalf("unbind returned %q", unbound.MFADevice.SerialNumber)
	}
	// The codes that bound the device never bind it again.
	w.createUser(t, "gina-thief")
	bind.UserName = "gina-thief"
	_, err = w.root.BindMFADevice(bind)
	wantServerError(t, err, "CheckAuthenticationCodeFail", 403)
	_, err = w.root.DeleteVirtualMFADevice(del)
	ok(t, "DeleteVirtualMFADevice", err)
}

// keysOf returns the sorted field names of a JSON object.
func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkDeviceShapes reads a ListVirtualMFADevices body as sent: an unbound
// device is only its SerialNumber (no empty User object); a bound one adds
// ActivateDate and a User object with exactly userFields.
func checkDeviceShapes(t *testing.T, product, body, unbound, bound string, userFields []string) {
	t.Helper()
	var resp struct {
		VirtualMFADevices struct{ VirtualMFADevice []map[string]any }
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatalf("%s: %v in %s", product, err, body)
	}
	seen := 0
	for _, d := range resp.VirtualMFADevices.VirtualMFADevice {
		switch d["SerialNumber"] {
		case unbound:
			seen++
			if got := keysOf(d); !reflect.DeepEqual(got, []string{"SerialNumber"}) {
				t.Errorf("%s: unbound device has fields %v; want only SerialNumber: %s", product, got, body)
			}
		case bound:
			seen++
			user, _ := d["User"].(map[string]any)
			if got := keysOf(d); !reflect.DeepEqual(got, []string{"ActivateDate", "SerialNumber", "User"}) || d["ActivateDate"] == "" {
				t.Errorf("%s: bound device has fields %v: %s", product, got, body)
			}
			if got := keysOf(user); !reflect.DeepEqual(got, userFields) || user["UserId"] == "" {
				t.Errorf("%s: bound device's User has fields %v; want %v: %s", product, got, userFields, body)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("%s: listed %d of the 2 devices: %s", product, seen, body)
	}
}

// ListVirtualMFADevices gives a bound device's user and bind date, and an
// unbound device no User object at all, in RAM and in IMS.
func TestListVirtualMFADevicesShapes(t *testing.T) {
	w := newRAMWorld(t)
	w.createUser(t, "hana")
	bound, seed := createMFA(t, w, "hana-phone")
	bindMFA(t, w, bound, "hana", seed)
	unbound, _ := createMFA(t, w, "spare")

	list, err := w.root.ListVirtualMFADevices(ram.CreateListVirtualMFADevicesRequest())
	ok(t, "ListVirtualMFADevices (RAM)", err)
	checkDeviceShapes(t, "RAM", list.GetHttpContentString(), unbound, bound, []string{"DisplayName", "UserId", "UserName"})

	imsClient := w.srv.IMSClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
	imsList, err := imsClient.ListVirtualMFADevices(ims.CreateListVirtualMFADevicesRequest())
	ok(t, "ListVirtualMFADevices (IMS)", err)
	checkDeviceShapes(t, "IMS", imsList.GetHttpContentString(), unbound, bound, []string{"DisplayName", "UserId", "UserPrincipalName"})
}
