package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/actiontrail"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// EnableResourceDirectory with EnableMode=NewManagementAccount: a new
// account <prefix>@rdadmin.aliyunid.com becomes the management account,
// the caller becomes its member, and the caller's RAM identities get into
// the new account through ResourceDirectoryManagementAccessRole.

const enablePhone = "86-13700000000"

func sendEnableCode(c *resourcemanager.Client, phone string) error {
	req := resourcemanager.CreateSendVerificationCodeForEnableRDRequest()
	req.SecureMobilePhone = phone
	_, err := c.SendVerificationCodeForEnableRD(req)
	return err
}

func enableWithNewManagementAccount(c *resourcemanager.Client, name, phone, code string) (*resourcemanager.EnableResourceDirectoryResponse, error) {
	req := resourcemanager.CreateEnableResourceDirectoryRequest()
	req.EnableMode, req.MAName, req.MASecureMobilePhone, req.VerificationCode = "NewManagementAccount", name, phone, code
	return c.EnableResourceDirectory(req)
}

func TestEnableWithNewManagementAccount(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRAMWorld(t, opts...)
		rd := w.srv.RDClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)

		wantServerError(t, sendEnableCode(rd, ""), "MissingSecureMobilePhone", 409)
		ok(t, "SendVerificationCodeForEnableRD", sendEnableCode(rd, enablePhone))
		code := waitCode(t, w.srv, enablePhone, 1)

		for _, c := range []struct{ name, code string }{
			{"", "MissingParameter.MAName"},
			{"a", "InvalidParameter.ManagementAccountName"},
			{"boss@example.com", "InvalidParameter.ManagementAccountName"},
			{"bo..ss", "InvalidParameter.ManagementAccountName"},
		} {
			_, err := enableWithNewManagementAccount(rd, c.name, enablePhone, code)
			status := 409
			if c.code == "MissingParameter.MAName" {
				status = 400
			}
			wantServerError(t, err, c.code, status)
		}
		_, err := enableWithNewManagementAccount(rd, "boss", "86-1", code)
		wantServerError(t, err, "InvalidParameter.ManagementAccountSecurityInfo", 409)
		_, err = enableWithNewManagementAccount(rd, "boss", "", code)
		wantServerError(t, err, "MissingSecureMobilePhone", 409)
		_, err = enableWithNewManagementAccount(rd, "boss", enablePhone, "")
		wantServerError(t, err, "MissingParameter.VerificationCode", 400)
		_, err = enableWithNewManagementAccount(rd, "boss", "86-13700000009", code)
		wantServerError(t, err, "Invalid.VerificationCode", 409)

		resp, err := enableWithNewManagementAccount(rd, "Boss@rdadmin.aliyunid.com", enablePhone, code)
		ok(t, "EnableResourceDirectory NewManagementAccount", err)
		d := resp.ResourceDirectory
		ma := d.MasterAccountId
		if d.MasterAccountName != "boss@rdadmin.aliyunid.com" || ma == w.acct.ID || len(ma) != 16 {
			t.Fatalf("directory %+v; want a new management account boss@rdadmin.aliyunid.com", d)
		}
		maRow := storedAccount(t, w.srv, ma)
		if maRow.RealName != "Example Ltd" || maRow.Mobile != enablePhone || maRow.Type != "CloudAccount" || maRow.PasswordHash != "" {
			t.Fatalf("new management account %+v", maRow)
		}
		if err := accounts.RootSignIn(maRow, ""); err == nil {
			t.Fatal("the new management account's root signs in without a password")
		}

		// The caller is now a member: it sees the directory, cannot enable
		// another, and its code is spent.
		got, err := rd.GetResourceDirectory(resourcemanager.CreateGetResourceDirectoryRequest())
		ok(t, "GetResourceDirectory as the member", err)
		if got.ResourceDirectory.ResourceDirectoryId != d.ResourceDirectoryId || got.ResourceDirectory.MasterAccountId != ma {
			t.Fatalf("the caller sees %+v", got.ResourceDirectory)
		}
		_, err = enableWithNewManagementAccount(rd, "boss2", enablePhone, code)
		wantServerError(t, err, "NotSupport.AccountInAnotherResourceDirectory", 409)
		wantServerError(t, sendEnableCode(rd, enablePhone), "NotSupport.AccountInAnotherResourceDirectory", 409)

		// The caller's RAM administrator gets into the new management
		// account, makes an RD administrator there, who lists the caller.
		w.createUser(t, "ops")
		w.attachToUser(t, "ops", "System", "AliyunSTSAssumeRoleAccess")
		id, secret := w.userKey(t, "ops")
		ops := w.srv.STSClient(t, id, secret)
		creds := mustAssume(t, ops, roleARN(ma, "ResourceDirectoryManagementAccessRole"), "setup").Credentials
		// The new account's trail starts with its creation, as does the
		// caller's; neither holds the code.
		for who, trail := range map[string]*actiontrail.Client{"the new management account": sessionTrail(t, w.srv, creds),
			"the caller": w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)} {
			ev := findEvent(t, trail, "EventName", "EnableResourceDirectory", resp.RequestId)
			raw, _ := json.Marshal(ev)
			params, _ := ev["requestParameters"].(map[string]any)
			if ev == nil || params["VerificationCode"] != "******" {
				t.Fatalf("%s's trail holds %s; want the event with its code redacted", who, raw)
			}
			for k, v := range params {
				if v == code {
					t.Fatalf("%s's trail holds the code in %s", who, k)
				}
			}
		}
		inMA := &ramWorld{srv: w.srv, root: sessionRAM(t, w.srv, creds)}
		inMA.createUser(t, "rd-admin")
		inMA.attachToUser(t, "rd-admin", "System", "AliyunResourceDirectoryFullAccess")
		id, secret = inMA.userKey(t, "rd-admin")
		admin := w.srv.RDClient(t, id, secret)
		member := getAccount(t, admin, w.acct.ID)
		if member.Type != "CloudAccount" || member.JoinMethod != "invited" || member.Status != "InviteSuccess" ||
			member.FolderId != d.RootFolderId || member.AccountName != w.acct.Email {
			t.Fatalf("the caller as a member: %+v", member)
		}
		// ... and the new management account reaches the caller through
		// the member's access role, like any member.
		admin2 := inMA.srv.STSClient(t, id, secret)
		inMA.attachToUser(t, "rd-admin", "System", "AliyunSTSAssumeRoleAccess")
		mustAssume(t, admin2, accessRoleARN(w.acct.ID), "manage")

		// The name is taken for everyone now.
		other := accountOn(t, w.srv)
		otherRD := w.srv.RDClient(t, other.acct.AccessKeyID, other.acct.AccessKeySecret)
		ok(t, "send another account's code", sendEnableCode(otherRD, "86-13700000002"))
		otherCode := waitCode(t, w.srv, "86-13700000002", 1)
		_, err = enableWithNewManagementAccount(otherRD, "BOSS", "86-13700000002", otherCode)
		wantServerError(t, err, "InvalidParameter.ManagementAccountName.AlreadyUsed", 409)
		_, err = enableWithNewManagementAccount(otherRD, "boss-two", "86-13700000002", otherCode)
		ok(t, "another account enables with another name", err)
	})
}

// A code sent to one account does not enable a directory for another.
func TestEnableCodeBelongsToItsAccount(t *testing.T) {
	w := newRAMWorld(t)
	rd := w.srv.RDClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
	ok(t, "SendVerificationCodeForEnableRD", sendEnableCode(rd, enablePhone))
	code := waitCode(t, w.srv, enablePhone, 1)
	other := accountOn(t, w.srv)
	otherRD := w.srv.RDClient(t, other.acct.AccessKeyID, other.acct.AccessKeySecret)
	_, err := enableWithNewManagementAccount(otherRD, "thief", enablePhone, code)
	wantServerError(t, err, "Invalid.VerificationCode", 409)

	// A RAM user without the permission cannot ask for codes.
	w.createUser(t, "nobody")
	id, secret := w.userKey(t, "nobody")
	wantDenied(t, sendEnableCode(w.srv.RDClient(t, id, secret), enablePhone), "resourcemanager:SendVerificationCodeForEnableRD", "ImplicitDeny")
	_, err = enableWithNewManagementAccount(rd, "mine", enablePhone, code)
	ok(t, "the owner's own code", err)
}

// Fifty identical enables racing with one code: one directory, one new
// account; the others are refused as the caller already belongs to it.
// Oversized parameters are refused with a 4xx, never a 5xx.
func TestEnableRacesAndHugeInputs(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRAMWorld(t, opts...)
		rd := w.srv.RDClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		ok(t, "SendVerificationCodeForEnableRD", sendEnableCode(rd, enablePhone))
		code := waitCode(t, w.srv, enablePhone, 1)

		big := strings.Repeat("1", 1<<20)
		for name, call := range map[string]func() error{
			"1 MB MAName":    func() error { _, err := enableWithNewManagementAccount(rd, big, enablePhone, code); return err },
			"1 MB phone":     func() error { _, err := enableWithNewManagementAccount(rd, "racer", "86-"+big, code); return err },
			"1 MB code":      func() error { _, err := enableWithNewManagementAccount(rd, "racer", enablePhone, big); return err },
			"1 MB SMS phone": func() error { return sendEnableCode(rd, "86-"+big) },
		} {
			err := call()
			var se *sdkerrors.ServerError
			if err == nil || errors.As(err, &se) && se.HttpStatus() >= 500 {
				t.Fatalf("%s: %v; want a 4xx", name, err)
			}
		}

		var wg sync.WaitGroup
		errs := make([]error, 50)
		for i := range errs {
			wg.Go(func() { _, errs[i] = enableWithNewManagementAccount(rd, "racer", enablePhone, code) })
		}
		wg.Wait()
		enabled := 0
		for _, err := range errs {
			if err == nil {
				enabled++
				continue
			}
			wantServerError(t, err, "NotSupport.AccountInAnotherResourceDirectory", 409)
		}
		if enabled != 1 {
			t.Fatalf("%d of 50 racing enables succeeded; want 1", enabled)
		}
		created := 0
		ok(t, "count accounts", w.srv.App.Store.Read(context.Background(), func(tx store.Tx) error {
			all, err := tx.Accounts().List("", 1000)
			for _, a := range all {
				if strings.HasSuffix(a.Email, "@rdadmin.aliyunid.com") {
					created++
				}
			}
			return err
		}))
		if created != 1 {
			t.Fatalf("%d management accounts created; want 1", created)
		}
	})
}
