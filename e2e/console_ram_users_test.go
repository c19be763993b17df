package e2e

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	imssdk "github.com/aliyun/alibaba-cloud-sdk-go/services/ims"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

func shownValue(t *testing.T, p page, testid string) string {
	t.Helper()
	m := regexp.MustCompile(`data-testid="` + testid + `">([^<]+)<`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("the page shows no %s:\n%s", testid, p.body)
	}
	return html.UnescapeString(m[1])
}

func csvOf(t *testing.T, p page, testid string) string {
	t.Helper()
	m := regexp.MustCompile(`href="data:text/csv;base64,([^"]+)" download="[^"]+" data-testid="` + testid + `"`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no %s link:\n%s", testid, p.body)
	}
	raw, err := base64.StdEncoding.DecodeString(m[1])
	ok(t, "decode the CSV", err)
	return string(raw)
}

func wantRedirect(t *testing.T, p page, prefix string) {
	t.Helper()
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, prefix) {
		t.Fatalf("want a redirect to %s, got %d %s:\n%s", prefix, p.status, p.location, p.body)
	}
}

// TestConsoleRAMCreateUserAndUserDetail: Create User with console and
// OpenAPI access shows the generated password and the AccessKey secret
// once (page and CSV), never in the trail nor on the detail page; the
// detail page manages AccessKeys, console logon and policies through the
// invoker, confirming each destructive action on a page naming the target.
func TestConsoleRAMCreateUserAndUserDetail(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRAMWorld(t, opts...)
		b := newBrowser(t, w.srv)
		b.signInRoot(w.acct.Email, w.acct.Password)
		domain := w.acct.ID + ".onaliyun.com"
		wantStatus(t, b.get("/console/ram/users"), http.StatusOK, `data-testid="users-empty-create"`)
		wantStatus(t, b.get("/console/ram/create-user"), http.StatusOK, `data-testid="newuser-form"`, "@"+domain)
		wantStatus(t, b.postRaw("/console/ram/create-user", url.Values{"name": {"alice"}}, b.base), http.StatusForbidden, "Forbidden.CSRF")

		made := b.post("/console/ram/create-user", url.Values{"name": {"alice"}, "display": {"Alice"}, "console": {"on"},
			"openapi": {"on"}, "password_mode": {"generate"}, "reset": {"on"}})
		wantStatus(t, made, http.StatusOK, `data-testid="newuser-result"`)
		if s := stepsOf(made); len(s) != 3 || s["CreateUser"] != "Done" || s["CreateLoginProfile"] != "Done" || s["CreateAccessKey"] != "Done" {
			t.Fatalf("progress: %v", s)
		}
		password := shownValue(t, made, "newuser-password")
		keyID, secret := shownValue(t, made, "newuser-key-id"), shownValue(t, made, "newuser-key-secret")
		if want := "User Logon Name,Password,AccessKey ID,AccessKey Secret,Login URL\nalice@" + domain + "," + password + "," + keyID + "," + secret + "," +
			b.base + "/console/ram-signin/" + domain + "\n"; csvOf(t, made, "newuser-csv") != want {
			t.Fatalf("CSV:\n%s\nwant:\n%s", csvOf(t, made, "newuser-csv"), want)
		}
		if _, err := w.srv.STSClient(t, keyID, secret).GetCallerIdentity(sts.CreateGetCallerIdentityRequest()); err != nil {
			t.Fatalf("the shown AccessKey does not sign: %v", err)
		}
		lp := ram.CreateGetLoginProfileRequest()
		lp.UserName = "alice"
		prof, err := w.root.GetLoginProfile(lp)
		ok(t, "GetLoginProfile", err)
		if !prof.LoginProfile.PasswordResetRequired || prof.LoginProfile.MFABindRequired {
			t.Fatalf("login profile %+v: want reset required, MFA not required", prof.LoginProfile)
		}
		alice := newBrowser(t, w.srv)
		wantRedirect(t, alice.ramLogon("alice@"+domain, password), "/console/change-password")

		// A typed password goes through the password policy; a duplicate
		// name is the API's conflict.
		weak := b.post("/console/ram/create-user", url.Values{"name": {"bob"}, "console": {"on"}, "password_mode": {"custom"}, "password": {"weak"}})
		wantStatus(t, weak, http.StatusBadRequest, "InvalidParameter.Password", `data-testid="error-request-id"`)
		if s := stepsOf(weak); s["CreateUser"] != "Done" || s["CreateLoginProfile"] != "Failed" {
			t.Fatalf("progress with a weak password: %v", s)
		}
		typed := b.post("/console/ram/create-user", url.Values{"name": {"carl"}, "console": {"on"}, "password_mode": {"custom"}, "password": {"Carl-Passw0rd-1"}})
		wantStatus(t, typed, http.StatusOK)
		if strings.Contains(typed.body, `data-testid="newuser-result"`) || strings.Contains(typed.body, "Carl-Passw0rd-1") {
			t.Fatal("a typed password is shown back")
		}
		wantRedirect(t, newBrowser(t, w.srv).ramLogon("carl@"+domain, "Carl-Passw0rd-1"), "/console/")
		wantStatus(t, b.post("/console/ram/create-user", url.Values{"name": {"alice"}}), http.StatusConflict, "EntityAlreadyExists.User")

		// The detail page: the key's ID, never its secret.
		detail := b.get("/console/ram/users/alice")
		wantStatus(t, detail, http.StatusOK, `data-testid="user-logon">alice@`+domain+`<`, `data-testid="login-status">Active<`,
			`data-testid="key-id">`+keyID+`<`, `data-testid="policies-empty"`, `data-testid="mfa-none"`, `data-testid="groups-empty"`)
		if strings.Contains(detail.body, secret) || strings.Contains(detail.body, password) {
			t.Fatal("the detail page shows a secret")
		}
		second := b.post("/console/ram/users/alice/keys/create", url.Values{})
		wantStatus(t, second, http.StatusOK, `data-testid="newkey-secret"`, `data-testid="key-create" disabled`)
		secondID := shownValue(t, second, "newkey-id")
		wantStatus(t, b.post("/console/ram/users/alice/keys/create", url.Values{}), http.StatusConflict, "LimitExceeded.User.AccessKey")

		ask := b.post("/console/ram/users/alice/keys/disable", url.Values{"key": {keyID}})
		wantStatus(t, ask, http.StatusOK, `data-testid="confirm-question"`, keyID, "alice")
		wantRedirect(t, b.post("/console/ram/users/alice/keys/disable", url.Values{"key": {keyID}, "confirm": {"yes"}}), "/console/ram/users/alice?")
		if _, err := w.srv.STSClient(t, keyID, secret).GetCallerIdentity(sts.CreateGetCallerIdentityRequest()); err == nil {
			t.Fatal("a disabled key still signs")
		}
		wantStatus(t, b.get("/console/ram/users/alice?done=key-Inactive&target="+keyID), http.StatusOK, `data-testid="key-status">Inactive<`, "was disabled")
		wantRedirect(t, b.post("/console/ram/users/alice/keys/enable", url.Values{"key": {keyID}}), "/console/ram/users/alice?")
		wantStatus(t, b.post("/console/ram/users/alice/keys/delete", url.Values{"key": {secondID}}), http.StatusOK, `data-testid="confirm-question"`, secondID)
		wantRedirect(t, b.post("/console/ram/users/alice/keys/delete", url.Values{"key": {secondID}, "confirm": {"yes"}}), "/console/ram/users/alice?")
		if p := b.get("/console/ram/users/alice"); strings.Contains(p.body, secondID) || strings.Count(p.body, `data-testid="key-row"`) != 1 {
			t.Fatal("the deleted key is still listed")
		}

		// Console logon off (Status=Inactive), on again, then deleted.
		wantStatus(t, b.post("/console/ram/users/alice/login/disable", url.Values{}), http.StatusOK, `data-testid="confirm-question"`, `&#34;alice&#34;`)
		wantRedirect(t, b.post("/console/ram/users/alice/login/disable", url.Values{"confirm": {"yes"}}), "/console/ram/users/alice?")
		ims := w.srv.IMSClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		gl := imssdk.CreateGetLoginProfileRequest()
		gl.UserPrincipalName = "alice@" + domain
		got, err := ims.GetLoginProfile(gl)
		ok(t, "IMS GetLoginProfile", err)
		if got.LoginProfile.Status != "Inactive" {
			t.Fatalf("status %q after Disable console logon", got.LoginProfile.Status)
		}
		wantStatus(t, newBrowser(t, w.srv).ramLogon("alice@"+domain, password), http.StatusForbidden, "Forbidden.LoginProfileInactive")
		wantRedirect(t, b.post("/console/ram/users/alice/login/enable", url.Values{}), "/console/ram/users/alice?")
		wantStatus(t, b.get("/console/ram/users/alice"), http.StatusOK, `data-testid="login-status">Active<`)

		// Grant Permission: pick two system policies; the detail lists them;
		// granting one again is the API's conflict; Revoke confirms first.
		panel := b.get("/console/ram/users/alice/grant?type=System")
		wantStatus(t, panel, http.StatusOK, `data-testid="grant-pick-AliyunSTSAssumeRoleAccess"`, `data-testid="grant-high-risk"`)
		narrowed := b.get("/console/ram/users/alice/grant?type=System&search=ResourceDirectory")
		if strings.Contains(narrowed.body, "grant-pick-AliyunSTSAssumeRoleAccess") || !strings.Contains(narrowed.body, "grant-pick-AliyunResourceDirectoryFullAccess") {
			t.Fatal("the search does not narrow the policies")
		}
		granted := b.post("/console/ram/users/alice/grant", url.Values{"policy": {"System:AliyunSTSAssumeRoleAccess", "System:AliyunResourceDirectoryFullAccess"}})
		wantStatus(t, granted, http.StatusOK, `data-testid="grant-complete"`)
		if s := stepsOf(granted); s["AttachPolicyToUser"] != "Done" || strings.Count(granted.body, `data-status="Done"`) != 2 {
			t.Fatalf("grant result: %v", s)
		}
		wantStatus(t, b.get("/console/ram/users/alice"), http.StatusOK, `data-testid="policy-name">AliyunSTSAssumeRoleAccess<`,
			`data-testid="policy-name">AliyunResourceDirectoryFullAccess<`)
		wantStatus(t, b.get("/console/ram/users/alice/grant"), http.StatusOK, `value="System:AliyunSTSAssumeRoleAccess" disabled`)
		wantStatus(t, b.post("/console/ram/users/alice/grant", url.Values{"policy": {"System:AliyunSTSAssumeRoleAccess"}}), http.StatusConflict, "EntityAlreadyExists.User.Policy")
		wantStatus(t, b.post("/console/ram/users/alice/grant", url.Values{"policy": {"Nope"}}), http.StatusBadRequest, "InvalidParameter")
		wantStatus(t, b.post("/console/ram/users/alice/revoke", url.Values{"type": {"System"}, "policy": {"AliyunSTSAssumeRoleAccess"}}), http.StatusOK,
			`data-testid="confirm-question"`, "AliyunSTSAssumeRoleAccess")
		wantRedirect(t, b.post("/console/ram/users/alice/revoke", url.Values{"type": {"System"}, "policy": {"AliyunSTSAssumeRoleAccess"}, "confirm": {"yes"}}), "/console/ram/users/alice?")
		pols := ram.CreateListPoliciesForUserRequest()
		pols.UserName = "alice"
		left, err := w.root.ListPoliciesForUser(pols)
		ok(t, "ListPoliciesForUser", err)
		if ps := left.Policies.Policy; len(ps) != 1 || ps[0].PolicyName != "AliyunResourceDirectoryFullAccess" {
			t.Fatalf("after the revoke: %+v", ps)
		}

		wantRedirect(t, b.post("/console/ram/users/alice/login/delete", url.Values{"confirm": {"yes"}}), "/console/ram/users/alice?")
		wantStatus(t, b.get("/console/ram/users/alice"), http.StatusOK, `data-testid="login-none"`)

		// The trail: console operations of the root; no secret anywhere.
		trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		for _, action := range []string{"CreateUser", "CreateLoginProfile", "CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey",
			"UpdateLoginProfile", "AttachPolicyToUser", "DetachPolicyFromUser", "DeleteLoginProfile"} {
			evs := lookup(t, trail, "EventName", action, "50", "").Events
			if len(evs) == 0 || evs[0]["eventType"] != "ConsoleOperation" {
				t.Fatalf("%s: no console operation in the trail: %v", action, evs)
			}
		}
		var all []map[string]interface{}
		for token := ""; ; {
			res := lookup(t, trail, "", "", "50", token)
			all = append(all, res.Events...)
			if token = res.NextToken; token == "" {
				break
			}
		}
		raw, _ := json.Marshal(all)
		if strings.Contains(string(raw), secret) || strings.Contains(string(raw), password) || strings.Contains(string(raw), "Carl-Passw0rd-1") {
			t.Fatal("a secret is in the trail")
		}
	})
}

// TestConsoleRAMUserPagesNeedPermissions: a RAM user without a policy sees
// the cloud's NoPermission, message and request id on every user page and
// action, and changes nothing.
func TestConsoleRAMUserPagesNeedPermissions(t *testing.T) {
	w := newRAMWorld(t)
	w.consoleUser(t, "nopol", "Nopol-Passw0rd-1", false, false)
	w.createUser(t, "target")
	b := newBrowser(t, w.srv)
	b.follow(b.ramLogon("nopol@"+w.acct.ID, "Nopol-Passw0rd-1"))
	for _, path := range []string{"/console/ram/users/target", "/console/ram/users/target/grant"} {
		wantStatus(t, b.get(path), http.StatusForbidden, "NoPermission", `data-testid="error-message"`, `data-testid="error-request-id"`)
	}
	b.get("/console/ram/create-user")
	refused := b.post("/console/ram/create-user", url.Values{"name": {"sneaky"}, "console": {"on"}, "openapi": {"on"}})
	wantStatus(t, refused, http.StatusForbidden, "NoPermission", `data-testid="error-request-id"`)
	if s := stepsOf(refused); s["CreateUser"] != "Failed" || s["CreateLoginProfile"] != "Not run" || s["CreateAccessKey"] != "Not run" {
		t.Fatalf("progress: %v", s)
	}
	for path, form := range map[string]url.Values{
		"/console/ram/users/target/keys/create":   {},
		"/console/ram/users/target/grant":         {"policy": {"System:AdministratorAccess"}},
		"/console/ram/users/target/login/disable": {"confirm": {"yes"}},
		"/console/ram/users/target/revoke":        {"type": {"System"}, "policy": {"AdministratorAccess"}, "confirm": {"yes"}},
	} {
		wantStatus(t, b.post(path, form), http.StatusForbidden, "NoPermission", `data-testid="error-request-id"`)
	}
	get := ram.CreateGetUserRequest()
	get.UserName = "sneaky"
	if _, err := w.root.GetUser(get); serverCode(err) != "EntityNotExist.User" {
		t.Fatalf("a refused Create User created the user: %v", err)
	}
	keys := ram.CreateListAccessKeysRequest()
	keys.UserName = "target"
	listed, err := w.root.ListAccessKeys(keys)
	ok(t, "ListAccessKeys", err)
	if len(listed.AccessKeys.AccessKey) != 0 {
		t.Fatal("a refused Create AccessKey made a key")
	}
}

// TestConsoleRAMLogonSettingsAndMFAUnbind: Modify Logon Settings sets the
// flags and regenerates the password (shown once; the user's sessions
// end); Unbind removes the user's MFA device after a confirmation.
func TestConsoleRAMLogonSettingsAndMFAUnbind(t *testing.T) {
	w := newRAMWorld(t)
	w.consoleUser(t, "dora", "Dora-Passw0rd-1", false, true)
	domain := w.acct.ID + ".onaliyun.com"
	dora := newBrowser(t, w.srv)
	wantRedirect(t, dora.ramLogon("dora@"+domain, "Dora-Passw0rd-1"), "/console/bind-mfa")
	secret := secretShown.FindStringSubmatch(dora.get("/console/bind-mfa").body)[1]
	c1, c2 := consecutiveCodes(t, secret, w.srv.App.Now())
	wantRedirect(t, dora.post("/console/bind-mfa", url.Values{"code1": {c1}, "code2": {c2}}), "/console/")

	b := newBrowser(t, w.srv)
	b.signInRoot(w.acct.Email, w.acct.Password)
	wantStatus(t, b.get("/console/ram/users/dora"), http.StatusOK, `data-testid="mfa-serial"`, `data-testid="mfa-unbind"`, `data-testid="login-mfa">Required<`)
	wantStatus(t, b.post("/console/ram/users/dora/mfa/unbind", url.Values{}), http.StatusOK, `data-testid="confirm-question"`, `&#34;dora&#34;`)
	wantRedirect(t, b.post("/console/ram/users/dora/mfa/unbind", url.Values{"confirm": {"yes"}}), "/console/ram/users/dora?")
	wantStatus(t, b.get("/console/ram/users/dora"), http.StatusOK, `data-testid="mfa-none"`)
	info := ram.CreateGetUserMFAInfoRequest()
	info.UserName = "dora"
	if _, err := w.root.GetUserMFAInfo(info); serverCode(err) == "" {
		t.Fatal("the device is still bound")
	}

	wantStatus(t, b.post("/console/ram/users/dora/login/modify", url.Values{"password_mode": {"custom"}, "password": {"weak"}}), http.StatusBadRequest, "InvalidParameter")
	wantRedirect(t, b.post("/console/ram/users/dora/login/modify", url.Values{"password_mode": {"keep"}}), "/console/ram/users/dora?")
	wantStatus(t, b.get("/console/ram/users/dora"), http.StatusOK, `data-testid="login-mfa">Not required<`, `data-testid="login-reset">Not required<`)
	regen := b.post("/console/ram/users/dora/login/modify", url.Values{"password_mode": {"generate"}, "reset": {"on"}})
	wantStatus(t, regen, http.StatusOK, `data-testid="newpassword-result"`, `data-testid="login-reset">Required<`)
	password := shownValue(t, regen, "newpassword")
	if q := dora.get("/console/"); q.location != "/console/signin" {
		t.Fatalf("dora's session outlived the new password: %d %s", q.status, q.location)
	}
	wantRedirect(t, newBrowser(t, w.srv).ramLogon("dora@"+domain, password), "/console/change-password")
	if strings.Contains(b.get("/console/ram/users/dora").body, password) {
		t.Fatal("the regenerated password is shown again")
	}
}
