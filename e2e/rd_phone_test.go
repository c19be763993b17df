package e2e

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// The seed "upgrade a resource account to a cloud account": a RAM
// administrator of the management account binds a security phone to a
// resource account with the SMS code read from the outbox, then switches
// its type.

var smsCode = regexp.MustCompile(`\b[0-9]{6}\b`)

// smsCodes returns the codes of the SMS in srv's outbox addressed to
// phone, oldest first (file names sort by sending time).
func smsCodes(t *testing.T, srv *canopytest.Server, phone string) []string {
	t.Helper()
	entries, err := os.ReadDir(srv.App.Config.Outbox)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sms") && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var codes []string
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(srv.App.Config.Outbox, name))
		if err != nil {
			t.Fatal(err)
		}
		if body, ok := strings.CutPrefix(string(data), "To: "+phone+"\n\n"); ok {
			codes = append(codes, smsCode.FindString(body))
		}
	}
	return codes
}

// waitCode waits for the n-th SMS to phone and returns its code.
func waitCode(t *testing.T, srv *canopytest.Server, phone string, n int) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		codes := smsCodes(t, srv, phone)
		if len(codes) >= n {
			if len(codes[n-1]) != 6 {
				t.Fatalf("SMS %d to %s carries no 6-digit code", n, phone)
			}
			return codes[n-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d SMS to %s in the outbox after 10s; want %d", len(codes), phone, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func sendBindCode(c *resourcemanager.Client, accountID, phone string) (*resourcemanager.SendVerificationCodeForBindSecureMobilePhoneResponse, error) {
	req := resourcemanager.CreateSendVerificationCodeForBindSecureMobilePhoneRequest()
	req.AccountId, req.SecureMobilePhone = accountID, phone
	return c.SendVerificationCodeForBindSecureMobilePhone(req)
}

func bindPhone(c *resourcemanager.Client, accountID, phone, code string) error {
	req := resourcemanager.CreateBindSecureMobilePhoneRequest()
	req.AccountId, req.SecureMobilePhone, req.VerificationCode = accountID, phone, code
	_, err := c.BindSecureMobilePhone(req)
	return err
}

func switchType(c *resourcemanager.Client, accountID, newType string) (*resourcemanager.UpdateAccountResponse, error) {
	req := resourcemanager.CreateUpdateAccountRequest()
	req.AccountId, req.NewAccountType = accountID, newType
	return c.UpdateAccount(req)
}

const memberPhone = "86-13800000001"

func TestBindPhoneAndUpgradeResourceAccount(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		m := createResourceAccount(t, w.admin, "", "builds", "builds")

		_, err := switchType(w.admin, m.AccountId, "CloudAccount")
		wantServerError(t, err, "MissingSecurityInfo", 409)
		_, err = sendBindCode(w.rootRD, m.AccountId, memberPhone)
		wantServerError(t, err, "CallerIdentityError", 409)
		wantServerError(t, bindPhone(w.rootRD, m.AccountId, memberPhone, "123456"), "CallerIdentityError", 409)

		sent := time.Now()
		resp, err := sendBindCode(w.admin, m.AccountId, memberPhone)
		ok(t, "SendVerificationCodeForBindSecureMobilePhone", err)
		expires, err := time.Parse(time.RFC3339, resp.ExpirationDate)
		if err != nil || expires.Before(sent.Add(5*time.Minute-time.Second)) || expires.After(time.Now().Add(5*time.Minute+time.Second)) {
			t.Fatalf("ExpirationDate %q (%v); want five minutes from now", resp.ExpirationDate, err)
		}
		code := waitCode(t, w.srv, memberPhone, 1)
		_, err = sendBindCode(w.admin, m.AccountId, memberPhone)
		wantServerError(t, err, "LimitExceeded.Frequency", 409)

		wantServerError(t, bindPhone(w.admin, m.AccountId, "86-13900000000", code), "Invalid.VerificationCode", 409)
		ok(t, "BindSecureMobilePhone", bindPhone(w.admin, m.AccountId, memberPhone, code))
		if got := storedAccount(t, w.srv, m.AccountId).Mobile; got != memberPhone {
			t.Fatalf("the member's security phone is %q; want %s", got, memberPhone)
		}
		wantServerError(t, bindPhone(w.admin, m.AccountId, memberPhone, code), "AccountSecureMobileAlreadyExists", 409)
		_, err = sendBindCode(w.admin, m.AccountId, "86-13900000000")
		wantServerError(t, err, "AccountSecureMobileAlreadyExists", 409)

		_, err = switchType(w.rootRD, m.AccountId, "CloudAccount")
		wantServerError(t, err, "CallerIdentityError", 409)
		up, err := switchType(w.admin, m.AccountId, "CloudAccount")
		ok(t, "UpdateAccount NewAccountType=CloudAccount", err)
		if up.Account.Type != "CloudAccount" || up.Account.Status != "SwitchSuccess" || up.Account.AccountId != m.AccountId {
			t.Fatalf("upgraded member %+v", up.Account)
		}
		if got := getAccount(t, w.admin, m.AccountId); got.Type != "CloudAccount" || got.Status != "SwitchSuccess" || got.JoinMethod != "created" {
			t.Fatalf("GetAccount after the upgrade: %+v", got)
		}
		if a := storedAccount(t, w.srv, m.AccountId); a.Type != "CloudAccount" || a.PasswordHash != "" {
			t.Fatalf("the upgraded account is %s with password hash %q; want a cloud account without password", a.Type, a.PasswordHash)
		}
		_, err = switchType(w.admin, m.AccountId, "CloudAccount")
		wantServerError(t, err, "AccountTypeMismatch", 409)
		_, err = sendBindCode(w.admin, m.AccountId, "86-13900000000")
		wantServerError(t, err, "AccountTypeMismatch", 409)

		// Back again: a cloud account of the same legal entity, with a
		// security phone and no root AccessKey.
		down, err := switchType(w.admin, m.AccountId, "ResourceAccount")
		ok(t, "UpdateAccount NewAccountType=ResourceAccount", err)
		if down.Account.Type != "ResourceAccount" || down.Account.Status != "SwitchSuccess" {
			t.Fatalf("switched member %+v", down.Account)
		}
		_, err = switchType(w.admin, m.AccountId, "Other")
		wantServerError(t, err, "InvalidParameter.NewAccountType", 400)
	})
}

// Refusals of the binding calls: parameters, callers, and other members.
func TestBindPhoneRefusals(t *testing.T) {
	w := newRDWorld(t)
	m := createResourceAccount(t, w.admin, "", "web", "web")

	for _, c := range []struct {
		phone, code string
		status      int
	}{
		{"", "MissingParameter.SecureMobilePhone", 400},
		{"13800000000", "InvalidParameter.SecureMobilePhone", 400},
		{"86-12ab", "InvalidParameter.SecureMobilePhone", 400},
		{"0086-13800000000", "InvalidParameter.MobileCountryCode", 409},
		{"12345-13800000000", "InvalidParameter.MobileCountryCode", 409},
		{"86-" + strings.Repeat("1", 1<<16), "InvalidParameter.SecureMobilePhone", 400},
	} {
		_, err := sendBindCode(w.admin, m.AccountId, c.phone)
		wantServerError(t, err, c.code, c.status)
	}
	_, err := sendBindCode(w.admin, "", memberPhone)
	wantServerError(t, err, "MissingParameter.AccountId", 400)
	_, err = sendBindCode(w.admin, "1234567890123456", memberPhone)
	wantServerError(t, err, "EntityNotExists.Account", 404)
	wantServerError(t, bindPhone(w.admin, m.AccountId, memberPhone, ""), "MissingParameter.VerificationCode", 400)
	wantServerError(t, bindPhone(w.admin, m.AccountId, memberPhone, "123456"), "Invalid.VerificationCode", 409)

	// A RAM user without a policy, and one denied explicitly.
	w.createUser(t, "nobody")
	id, secret := w.userKey(t, "nobody")
	nobody := w.srv.RDClient(t, id, secret)
	_, err = sendBindCode(nobody, m.AccountId, memberPhone)
	wantDenied(t, err, "resourcemanager:SendVerificationCodeForBindSecureMobilePhone", "ImplicitDeny")
	w.createPolicy(t, "no-phones", statementDoc("Deny", "resourcemanager:BindSecureMobilePhone", ""))
	w.attachToUser(t, "rd-admin", "Custom", "no-phones")
	wantDenied(t, bindPhone(w.admin, m.AccountId, memberPhone, "123456"), "resourcemanager:BindSecureMobilePhone", "ExplicitDeny")

	// Another directory's administrator does not reach this member, nor
	// does an identity of the member itself.
	other := accountOn(t, w.srv)
	otherRD := w.srv.RDClient(t, other.acct.AccessKeyID, other.acct.AccessKeySecret)
	enable := resourcemanager.CreateEnableResourceDirectoryRequest()
	enable.EnableMode = "CurrentAccount"
	_, err = otherRD.EnableResourceDirectory(enable)
	ok(t, "enable another directory", err)
	other.createUser(t, "admin")
	other.attachToUser(t, "admin", "System", "AliyunResourceDirectoryFullAccess")
	id, secret = other.userKey(t, "admin")
	_, err = sendBindCode(w.srv.RDClient(t, id, secret), m.AccountId, memberPhone)
	wantServerError(t, err, "EntityNotExists.Account", 404)

	creds := mustAssume(t, w.adminSTS, accessRoleARN(m.AccountId), "inside").Credentials
	inMember := onSession(t, w.srv, creds, resourcemanager.NewClientWithStsToken, func(c *resourcemanager.Client) *sdk.Client { return &c.Client })
	_, err = sendBindCode(inMember, m.AccountId, memberPhone)
	wantServerError(t, err, "EntityNotExists.ResourceDirectory", 404)
	if n := len(smsCodes(t, w.srv, memberPhone)); n != 0 {
		t.Fatalf("%d SMS sent by refused calls", n)
	}
}

// Fifty identical sends racing: one code goes out, the others are refused
// for frequency; a hundred a day; a replayed Bind is refused.
func TestBindCodeLimits(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		m := createResourceAccount(t, w.admin, "", "data", "data")

		var wg sync.WaitGroup
		errs := make([]error, 50)
		for i := range errs {
			wg.Go(func() { _, errs[i] = sendBindCode(w.admin, m.AccountId, memberPhone) })
		}
		wg.Wait()
		sent := 0
		for _, err := range errs {
			if err == nil {
				sent++
				continue
			}
			wantServerError(t, err, "LimitExceeded.Frequency", 409)
		}
		if sent != 1 {
			t.Fatalf("%d of 50 racing sends succeeded; want 1", sent)
		}
		waitCode(t, w.srv, memberPhone, 1)

		for n := 2; n <= 100; n++ {
			w.srv.Advance(time.Minute)
			_, err := sendBindCode(w.admin, m.AccountId, memberPhone)
			ok(t, "send within the daily limit", err)
		}
		w.srv.Advance(time.Minute)
		_, err := sendBindCode(w.admin, m.AccountId, memberPhone)
		wantServerError(t, err, "SendValidateCodeExceedsLimitForAccount", 409)
		code := waitCode(t, w.srv, memberPhone, 100)
		time.Sleep(100 * time.Millisecond)
		if n := len(smsCodes(t, w.srv, memberPhone)); n != 100 {
			t.Fatalf("%d SMS in the outbox; want 100", n)
		}

		// Five wrong tries void the live code.
		wrong := "000000"
		if code == wrong {
			wrong = "000001"
		}
		for i := 0; i < 5; i++ {
			wantServerError(t, bindPhone(w.admin, m.AccountId, memberPhone, wrong), "Invalid.VerificationCode", 409)
		}
		wantServerError(t, bindPhone(w.admin, m.AccountId, memberPhone, code), "Invalid.VerificationCode", 409)
		// Committed refusals are audited like any other, code redacted.
		refused := 0
		for _, ev := range lookup(t, w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret), "EventName", "BindSecureMobilePhone", "50", "").Events {
			params, _ := ev["requestParameters"].(map[string]any)
			if ev["errorCode"] == "Invalid.VerificationCode" && params["VerificationCode"] == "******" {
				refused++
			}
		}
		if refused != 6 {
			t.Fatalf("%d refused binds in the trail; want 6", refused)
		}

		// A day later codes flow again; a code expires after five minutes.
		w.srv.Advance(24 * time.Hour)
		_, err = sendBindCode(w.admin, m.AccountId, memberPhone)
		ok(t, "send a day later", err)
		code = waitCode(t, w.srv, memberPhone, 101)
		w.srv.Advance(5 * time.Minute)
		wantServerError(t, bindPhone(w.admin, m.AccountId, memberPhone, code), "Invalid.VerificationCode", 409)

		// The bind that works, then its exact replay and a fresh request
		// with the used code.
		_, err = sendBindCode(w.admin, m.AccountId, memberPhone)
		ok(t, "send again", err)
		code = waitCode(t, w.srv, memberPhone, 102)
		rec := &recorder{}
		w.admin.SetTransport(rec)
		ok(t, "BindSecureMobilePhone", bindPhone(w.admin, m.AccountId, memberPhone, code))
		status, body := replay(t, rec.last(t), "")
		if status != 400 || !strings.Contains(string(body), "SignatureNonceUsed") {
			t.Fatalf("the replayed Bind answered %d %s; want 400 SignatureNonceUsed", status, body)
		}
		err = bindPhone(w.admin, m.AccountId, memberPhone, code)
		wantServerError(t, err, "AccountSecureMobileAlreadyExists", 409)
	})
}
