package iam

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
)

func TestVirtualMFALifecycle(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	e.createUser(acct, "frank")
	var dev *VirtualMFADevice
	e.write(func(tx store.Tx) (err error) {
		dev, err = e.svc.CreateVirtualMFADevice(tx, root(acct), "frank-phone", false, e.now)
		return err
	})
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(dev.Seed)
	if err != nil || len(seed) < 20 {
		t.Fatalf("seed %q decodes to %d bytes (%v); want >= 20", dev.Seed, len(seed), err)
	}
	img, err := base64.StdEncoding.DecodeString(dev.QRCodePNG)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(img)); err != nil {
		t.Fatalf("QRCodePNG is not a PNG: %v", err)
	}
	e.read(func(tx store.Tx) error {
		rec, err := tx.Records().Get(acct, mfaDevices.Kind, "frank-phone")
		if err != nil || bytes.Contains(rec.Data, []byte(dev.Seed)) {
			t.Fatalf("seed stored in clear (%v)", err)
		}
		return nil
	})

	cur := totpStep(e.now)
	code := func(step int64) string {
		c, err := totpCode(dev.Seed, step)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	bind := func(c1, c2 string) error {
		return e.do(func(tx store.Tx) error {
			return e.svc.BindMFADevice(tx, acct, dev.SerialNumber, "frank", c1, c2, e.now)
		})
	}
	wantCode(t, bind(code(cur), code(cur-1)), "CheckAuthenticationCodeFail")
	wantCode(t, bind(code(cur-3), code(cur)), "CheckAuthenticationCodeFail")
	wantCode(t, bind("12345", code(cur)), "InvalidParameter.AuthenticationCode.Format")
	wantCode(t, bind(code(cur-1), code(cur)), "")
	wantCode(t, bind(code(cur-1), code(cur)), "EntityAlreadyExists.VirtualMFADevice.User")

	// The codes used to bind cannot sign in; the next step's code can.
	wantCode(t, e.do(func(tx store.Tx) error { return e.svc.VerifyMFACode(tx, acct, "frank", code(cur), e.now) }), "CheckAuthenticationCodeFail")
	later := e.now.Add(30 * time.Second)
	wantCode(t, e.do(func(tx store.Tx) error { return e.svc.VerifyMFACode(tx, acct, "frank", code(cur+1), later) }), "")

	wantCode(t, e.do(func(tx store.Tx) error { return e.svc.DeleteUser(tx, acct, "frank") }), "DeleteConflict.User.MFADevice")
	wantCode(t, e.do(func(tx store.Tx) error { return e.svc.DeleteVirtualMFADevice(tx, acct, dev.SerialNumber) }),
		"DeleteConflict.VirtualMFADevice.User")
	e.read(func(tx store.Tx) error {
		info, err := e.svc.GetUserMFAInfo(tx, acct, "frank")
		if err != nil || info.SerialNumber != dev.SerialNumber || info.Type != "VMFA" {
			t.Fatalf("MFA info %+v %v", info, err)
		}
		page, err := e.svc.ListVirtualMFADevices(tx, acct, PageRequest{})
		if err != nil || len(page.Items) != 1 || page.Items[0].User == nil || page.Items[0].User.Name != "frank" {
			t.Fatalf("device list %+v %v", page, err)
		}
		return nil
	})
	e.write(func(tx store.Tx) error {
		info, err := e.svc.UnbindMFADevice(tx, acct, "frank", e.now)
		if err == nil && info.SerialNumber != dev.SerialNumber {
			t.Fatalf("unbind returned %+v", info)
		}
		return err
	})
	wantCode(t, e.do(func(tx store.Tx) error { return e.svc.DeleteVirtualMFADevice(tx, acct, dev.SerialNumber) }), "")
	wantCode(t, e.do(func(tx store.Tx) error { return e.svc.DeleteUser(tx, acct, "frank") }), "")

	// Serial numbers of another account name nothing here.
	other := strings.Replace(dev.SerialNumber, acct, e.account(), 1)
	wantCode(t, e.do(func(tx store.Tx) error { return e.svc.DeleteVirtualMFADevice(tx, acct, other) }), "EntityNotExist.VirtualMFADevice")
	wantCode(t, e.do(func(tx store.Tx) error { return e.svc.DeleteVirtualMFADevice(tx, acct, "mfa/x") }), "InvalidParameter.SerialNumber.Format")
}

// A RAM user that may create MFA devices only through self-service holds
// at most one unbound device it created: a policy-less user can no longer
// exhaust the account's quota. Callers a policy allows are not capped (the
// Invoker passes selfService only when no policy allowed the call).
func TestSelfServiceMFACap(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	principal := func(name string) *model.Principal {
		u := e.createUser(acct, name)
		return &model.Principal{Kind: model.RAMUser, AccountID: acct, UserName: u.Name, UserID: u.ID}
	}
	mallory, admin, reader := principal("mallory"), principal("admin"), principal("reader")
	e.write(func(tx store.Tx) error {
		if err := e.svc.AttachPolicy(tx, acct, PrincipalUser, "admin", PolicyTypeSystem, "AdministratorAccess", e.now); err != nil {
			return err
		}
		if _, err := e.svc.CreateGroup(tx, acct, NewGroup{Name: "readers"}, e.now); err != nil {
			return err
		}
		if err := e.svc.AddUserToGroup(tx, acct, "reader", "readers", e.now); err != nil {
			return err
		}
		return e.svc.AttachPolicy(tx, acct, PrincipalGroup, "readers", PolicyTypeSystem, "ReadOnlyAccess", e.now)
	})
	// selfServe runs a create as the pipeline does for a caller no policy
	// allows: the SelfService check, then the handler told that only
	// self-service allowed it.
	selfServe := func(p *model.Principal, name string) (*VirtualMFADevice, bool, error) {
		var dev *VirtualMFADevice
		var self bool
		err := e.do(func(tx store.Tx) (err error) {
			if self, err = e.svc.AllowsSelfService(tx, p, "", OwnMFADevice); err != nil {
				return err
			}
			dev, err = e.svc.CreateVirtualMFADevice(tx, p, name, self, e.now)
			return err
		})
		return dev, self, err
	}

	first, self, err := selfServe(mallory, "m1")
	if err != nil || !self {
		t.Fatalf("first self-service device: self %v, %v", self, err)
	}
	_, _, err = selfServe(mallory, "m2")
	wantCode(t, err, "LimitExceeded.VirtualMFADevice")
	// Concurrent calls that all passed the check are stopped in the write.
	wantCode(t, e.do(func(tx store.Tx) error {
		_, err := e.svc.CreateVirtualMFADevice(tx, mallory, "m2", true, e.now)
		return err
	}), "LimitExceeded.VirtualMFADevice")
	e.read(func(tx store.Tx) error {
		d, rec, err := mfaDevices.Get(tx, acct, "m1")
		if err != nil || d.CreatedBy != mallory.UserID || rec.Ref != mallory.UserID {
			t.Fatalf("device records its creator: %+v %+v %v", d, rec, err)
		}
		return nil
	})

	// Binding the device frees the cap; unbinding it takes it again.
	cur := totpStep(e.now)
	code := func(step int64) string {
		c, err := totpCode(first.Seed, step)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	e.write(func(tx store.Tx) error {
		return e.svc.BindMFADevice(tx, acct, first.SerialNumber, "mallory", code(cur-1), code(cur), e.now)
	})
	if _, self, err := selfServe(mallory, "m2"); err != nil || !self {
		t.Fatalf("self-service after binding: self %v, %v", self, err)
	}
	e.write(func(tx store.Tx) error { _, err := e.svc.UnbindMFADevice(tx, acct, "mallory", e.now); return err })
	_, _, err = selfServe(mallory, "m3")
	wantCode(t, err, "LimitExceeded.VirtualMFADevice")
	// Deleting unbound devices (an administrator's job) frees it too.
	e.write(func(tx store.Tx) error { return e.svc.DeleteVirtualMFADevice(tx, acct, first.SerialNumber) })
	e.write(func(tx store.Tx) error { return e.svc.DeleteVirtualMFADevice(tx, acct, model.MFAARN(acct, "m2")) })
	if _, _, err := selfServe(mallory, "m3"); err != nil {
		t.Fatalf("self-service after deletes: %v", err)
	}

	// A user whose policies do not allow the call (ReadOnlyAccess through
	// its group) has only self-service for it, and the cap with it.
	if _, self, err := selfServe(reader, "reader-1"); err != nil || !self {
		t.Fatalf("reader: first device: self %v, %v", self, err)
	}
	_, _, err = selfServe(reader, "reader-2")
	wantCode(t, err, "LimitExceeded.VirtualMFADevice")
	// One a policy allows is not capped beyond the account's quota.
	for i := range 3 {
		e.write(func(tx store.Tx) error {
			_, err := e.svc.CreateVirtualMFADevice(tx, admin, fmt.Sprintf("admin-more-%d", i), false, e.now)
			return err
		})
	}
	// Nor is the root user, and devices it creates have no creator.
	for i := range 3 {
		e.write(func(tx store.Tx) error {
			_, err := e.svc.CreateVirtualMFADevice(tx, root(acct), fmt.Sprintf("root-%d", i), false, e.now)
			return err
		})
	}
	e.read(func(tx store.Tx) error {
		d, rec, err := mfaDevices.Get(tx, acct, "root-0")
		if err != nil || d.CreatedBy != "" || rec.Ref != "" {
			t.Fatalf("root's device: %+v %+v %v", d, rec, err)
		}
		return nil
	})

	// Without the security preference there is no self-service at all.
	off := false
	e.write(func(tx store.Tx) error {
		_, err := e.svc.SetSecurityPreference(tx, acct, SecurityPreferenceUpdate{AllowUserToManageMFADevices: &off}, e.now)
		return err
	})
	e.read(func(tx store.Tx) error {
		self, err := e.svc.AllowsSelfService(tx, mallory, "", OwnMFADevice)
		if err != nil || self {
			t.Fatalf("self-service with the preference off: %v, %v", self, err)
		}
		return nil
	})
}
