package iam

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

func TestVirtualMFALifecycle(t *testing.T) {
	e := newEnv(t)
	acct := e.account()
	e.createUser(acct, "frank")
	var dev *VirtualMFADevice
	e.write(func(tx store.Tx) (err error) {
		dev, err = e.svc.CreateVirtualMFADevice(tx, acct, "frank-phone", e.now)
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
