package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

var portalCred = regexp.MustCompile(`data-testid="sso-cred-(akid|secret|token|expiration)">([^<]+)<`)

// TestPortalHTTPFlow walks the portal over HTTP: the forced change and MFA
// binding, exactly the assigned account, Access into the member's console
// as the reserved role (banner, relay state), CLI credentials that can do
// what the configuration allows and nothing more, the reserved role safe
// from the member's RAM admin, re-provisioning, and unassigning and
// disabling taking effect on the open session at once.
func TestPortalHTTPFlow(t *testing.T) {
	w := newPortalWorld(t, canopytest.Start(t))
	w.ssoAdmin.must(t, "SetLoginPreference", w.in(map[string]any{"AllowUserToGetCredentials": true}))
	b := newBrowser(t, w.srv)

	home := w.portalReady(t, b, "Chosen-Passw0rd-2")
	if n := strings.Count(home.body, `data-testid="sso-account"`); n != 1 || !strings.Contains(home.body, w.member.AccountId) ||
		!strings.Contains(home.body, `data-ac="`+portalAC+`"`) {
		t.Fatalf("the portal does not list exactly the assigned account (%d accounts):\n%s", n, home.body)
	}
	// A portal session has no console identity of its own.
	if p := b.get("/console/ram/users"); p.status != http.StatusSeeOther || p.location != w.portalBase() {
		t.Fatalf("a portal session reached a console page: %d %s", p.status, p.location)
	}

	// Access: the member's console as the reserved role, on the relay state.
	p := w.portalAccess(b, "access")
	if p.status != http.StatusSeeOther || p.location != "/console/ram/users" {
		t.Fatalf("Access: %d %s\n%s", p.status, p.location, p.body)
	}
	users := b.follow(p)
	wantStatus(t, users, http.StatusOK, `data-testid="role-banner"`, "AliyunReservedSSO-"+portalAC, portalUser, w.member.AccountId)

	// CLI/SDK credentials: shown once; they read RAM and the alias (the
	// inline policy) and may not create a user.
	b.get(w.portalBase())
	cp := w.portalAccess(b, "credentials")
	wantStatus(t, cp, http.StatusOK, `data-testid="sso-creds"`)
	got := map[string]string{}
	for _, m := range portalCred.FindAllStringSubmatch(cp.body, -1) {
		got[m[1]] = m[2]
	}
	creds := sts.Credentials{AccessKeyId: got["akid"], AccessKeySecret: got["secret"], SecurityToken: got["token"], Expiration: got["expiration"]}
	if creds.AccessKeyId == "" || creds.SecurityToken == "" || creds.Expiration == "" {
		t.Fatalf("credentials page: %v\n%s", got, cp.body)
	}
	asRole := sessionRAM(t, w.srv, creds)
	_, err := asRole.ListUsers(ram.CreateListUsersRequest())
	ok(t, "ListUsers as the reserved role", err)
	_, err = asRole.GetAccountAlias(ram.CreateGetAccountAliasRequest())
	ok(t, "GetAccountAlias (the inline policy)", err)
	cu := ram.CreateCreateUserRequest()
	cu.UserName = "intruder"
	if _, err := asRole.CreateUser(cu); err == nil || !strings.Contains(err.Error(), "NoPermission") {
		t.Fatalf("CreateUser as the read-only role: %v", err)
	}

	w.portalReservedAndReprovision(t)
	// Unassigning ends the open console session at once.
	b.get(w.portalBase())
	wantStatus(t, b.follow(w.portalAccess(b, "access")), http.StatusOK, `data-testid="role-banner"`)
	w.portalAssign(t, "DeleteAccessAssignment", map[string]any{"DeprovisionStrategy": "DeprovisionForLastAccessAssignmentOnAccount"})
	p = b.get("/console/ram/users")
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.location, w.portalBase()+"?ended") {
		t.Fatalf("the console session outlived its assignment: %d %s", p.status, p.location)
	}
	wantStatus(t, b.follow(p), http.StatusOK, `data-testid="sso-ended"`, `data-testid="sso-no-access"`)
	if p := w.portalAccess(b, "access"); p.status != http.StatusNotFound || !strings.Contains(p.body, "EntityNotExists.AccessAssignment") {
		t.Fatalf("Access after unassigning: %d\n%s", p.status, p.body)
	}

	// Disabling the user signs it out at once, and it cannot sign in.
	w.ssoAdmin.must(t, "UpdateUserStatus", w.in(map[string]any{"UserId": w.userID, "NewStatus": "Disabled"}))
	if p := b.get(w.portalBase()); p.status != http.StatusSeeOther || p.location != w.portalBase()+"login" {
		t.Fatalf("a disabled user's session lived on: %d %s", p.status, p.location)
	}
	wantStatus(t, w.portalSignIn(b, portalUser, w.password), http.StatusForbidden, "Forbidden.UserDisabled")

	// The trail of the management account names the CloudSSO user.
	w.srv.App.FlushAudit()
	trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
	names := map[string]int{}
	for _, e := range lookup(t, trail, "User", portalUser, "50", "").Events {
		names[e["eventName"].(string)]++
		if id, _ := e["userIdentity"].(map[string]any); id["type"] != "cloudsso-user" || id["userName"] != portalUser {
			t.Fatalf("an event does not name the CloudSSO user: %v", e)
		}
	}
	for _, n := range []string{"ConsoleSignin", "ChangePassword", "BindMFADevice", "AssumeRoleWithSAML"} {
		if names[n] == 0 {
			t.Fatalf("no %s event names %s: %v", n, portalUser, names)
		}
	}
	// The member's trail names the role session (the user) for each call.
	memberTrail := sessionTrail(t, w.srv, mustAssume(t, w.adminSTS, accessRoleARN(w.member.AccountId), "auditor").Credentials)
	if evs := lookup(t, memberTrail, "User", "AliyunReservedSSO-"+portalAC+":"+portalUser, "50", "").Events; len(evs) == 0 {
		t.Fatal("the member's trail has no event of the portal user's role session")
	}
}

// TestPortalHTTPRefusals: one refusal for an unknown user and a wrong
// password; lockout after MaxLoginAttempts; CSRF and Origin; no Access
// for another assignment, no credentials while AllowUserToGetCredentials
// is off, no portal for another network; an admin reset ends the session.
func TestPortalHTTPRefusals(t *testing.T) {
	w := newPortalWorld(t, canopytest.Start(t))
	w.ssoAdmin.must(t, "SetPasswordPolicy", w.in(map[string]any{"MaxLoginAttempts": 3}))
	b := newBrowser(t, w.srv)

	unknown := w.portalSignIn(b, "nobody", "Whatever-1")
	wrong := w.portalSignIn(b, portalUser, "Wrong-Passw0rd")
	for _, p := range []page{unknown, wrong} {
		wantStatus(t, p, http.StatusForbidden, "InvalidCredentials", "The user name or password is wrong")
	}
	// Two more wrong passwords lock the user: the right one is refused.
	w.portalSignIn(b, portalUser, "Wrong-Passw0rd")
	w.portalSignIn(b, portalUser, "Wrong-Passw0rd")
	wantStatus(t, w.portalSignIn(b, portalUser, w.password), http.StatusForbidden, "InvalidCredentials")
	w.srv.Advance(61 * 60e9)
	if p := w.portalSignIn(b, portalUser, w.password); p.status != http.StatusSeeOther {
		t.Fatalf("the lock outlived its hour: %d\n%s", p.status, p.body)
	}

	// A form from elsewhere, or without the token, is refused.
	b2 := newBrowser(t, w.srv)
	b2.get(w.portalBase() + "login")
	form := url.Values{"username": {portalUser}, "password": {w.password}, "csrf": {b2.csrf}}
	wantStatus(t, b2.postRaw(w.portalBase()+"login", form, "http://evil.example"), http.StatusForbidden, "Forbidden.CSRF")
	form.Del("csrf")
	wantStatus(t, b2.postRaw(w.portalBase()+"login", form, b2.base), http.StatusForbidden, "Forbidden.CSRF")

	home := newBrowser(t, w.srv)
	w.portalReady(t, home, "Chosen-Passw0rd-3")
	if p := home.post(w.portalBase()+"access", url.Values{"account": {w.member.AccountId}, "ac": {"ac-doesnotexist"}}); p.status != http.StatusNotFound {
		t.Fatalf("Access to an unassigned configuration: %d\n%s", p.status, p.body)
	}
	wantStatus(t, w.portalAccess(home, "credentials"), http.StatusForbidden, "Forbidden.GetCredentials")
	if p := home.postRaw(w.portalBase()+"access", url.Values{"account": {w.member.AccountId}, "ac": {w.acID}, "csrf": {home.csrf}}, "http://evil.example"); p.status != http.StatusForbidden {
		t.Fatalf("a cross-origin Access: %d", p.status)
	}
	// An admin's password reset ends the session.
	w.ssoAdmin.must(t, "ResetUserPassword", w.in(map[string]any{"UserId": w.userID, "Password": "Another-Passw0rd-4"}))
	if p := home.get(w.portalBase()); p.status != http.StatusSeeOther || p.location != w.portalBase()+"login" {
		t.Fatalf("the session outlived a password reset: %d %s", p.status, p.location)
	}
	// Sign-ins from outside LoginNetworkMasks are refused.
	w.ssoAdmin.must(t, "SetLoginPreference", w.in(map[string]any{"LoginNetworkMasks": "10.9.8.0/24"}))
	wantStatus(t, w.portalSignIn(newBrowser(t, w.srv), portalUser, "Another-Passw0rd-4"), http.StatusForbidden, "Forbidden.LoginNetworkMask")
	// No such directory.
	if p := b.get("/sso/no-such-directory-x/login"); p.status != http.StatusNotFound {
		t.Fatalf("an unknown directory's portal: %d", p.status)
	}
}

// TestPortalHTTPDevicesRacesAndAudit: a second MFA device is bound from the
// portal and a third is not offered nor accepted; fifty racing wrong
// passwords lock the user without a server error; a 1 MB user name is
// refused; signing out of the member console returns to the portal's
// sign-in; the administrator's API calls name the administrator.
func TestPortalHTTPDevicesRacesAndAudit(t *testing.T) {
	w := newPortalWorld(t, canopytest.Start(t))
	b := newBrowser(t, w.srv)
	home := w.portalReady(t, b, "Chosen-Passw0rd-2")
	wantStatus(t, home, http.StatusOK, `data-testid="sso-bind-another"`, "1 of 2 devices")
	second := b.get(w.portalBase() + "mfa-devices/new")
	m := secretShown.FindStringSubmatch(second.body)
	if m == nil || m[1] == w.portalSecret {
		t.Fatalf("no new secret for a second device:\n%s", second.body)
	}
	w.srv.Advance(61e9) // past the first binding's codes
	c1, c2 := consecutiveCodes(t, m[1], w.srv.App.Now())
	p := b.post(w.portalBase()+"mfa-devices/new", url.Values{"code1": {c1}, "code2": {c2}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("binding a second device: %d\n%s", p.status, p.body)
	}
	home = b.follow(p)
	wantStatus(t, home, http.StatusOK, `data-testid="sso-bound"`, "2 of 2 devices")
	if strings.Contains(home.body, `data-testid="sso-bind-another"`) {
		t.Fatal("a third device is offered")
	}
	if p := b.get(w.portalBase() + "mfa-devices/new"); p.status != http.StatusSeeOther {
		t.Fatalf("the third device's page: %d", p.status)
	}
	devices := ssoArray(t, w.ssoAdmin.must(t, "ListMFADevicesForUser", w.in(map[string]any{"UserId": w.userID})), "MFADevices")
	if len(devices) != 2 {
		t.Fatalf("ListMFADevicesForUser: %v", devices)
	}

	// Signing out of the member console returns to the portal.
	b.follow(w.portalAccess(b, "access"))
	if p := b.post("/console/signout", url.Values{}); p.status != http.StatusSeeOther || p.location != w.portalBase()+"login" {
		t.Fatalf("sign-out from the member console: %d %s", p.status, p.location)
	}

	// Fifty racing wrong passwords: refusals only (past the address's
	// budget of failures, throttled), and the user is locked. They come
	// from another loopback address, whose throttle this one does not share.
	done := make(chan int, 50)
	for i := 0; i < 50; i++ {
		go func() {
			rb := newBrowserFrom(t, w.srv, "127.0.0.2")
			rb.get(w.portalBase() + "login")
			req := url.Values{"username": {portalUser}, "password": {"Wrong-Passw0rd"}, "csrf": {rb.csrf}}
			done <- rb.postRaw(w.portalBase()+"login", req, rb.base).status
		}()
	}
	for i := 0; i < 50; i++ {
		if s := <-done; s != http.StatusForbidden && s != http.StatusTooManyRequests {
			t.Fatalf("a racing sign-in answered %d", s)
		}
	}
	wantStatus(t, w.portalSignIn(newBrowser(t, w.srv), portalUser, w.password), http.StatusForbidden, "InvalidCredentials")
	// A 1 MB user name is refused before it is read.
	big := newBrowser(t, w.srv)
	big.get(w.portalBase() + "login")
	if p := big.post(w.portalBase()+"login", url.Values{"username": {strings.Repeat("a", 1<<20)}, "password": {"x"}}); p.status < 400 || p.status >= 500 {
		t.Fatalf("a 1 MB user name: %d", p.status)
	}

	// The administrator's calls name it in the trail.
	w.srv.App.FlushAudit()
	trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
	names := map[string]bool{}
	for _, e := range lookup(t, trail, "User", "sso-admin", "50", "").Events {
		names[e["eventName"].(string)] = true
	}
	for _, n := range []string{"CreateAccessConfiguration", "AddPermissionPolicyToAccessConfiguration", "CreateAccessAssignment", "ResetUserPassword"} {
		if !names[n] {
			t.Fatalf("no %s event names the administrator: %v", n, names)
		}
	}
}

// TestPortalHTTPRename: Switch back returns to the portal; renaming the
// directory moves the portal (the old URL is gone) and keeps open sessions.
func TestPortalHTTPRename(t *testing.T) {
	w := newPortalWorld(t, canopytest.Start(t))
	b := newBrowser(t, w.srv)
	w.portalReady(t, b, "Chosen-Passw0rd-2")
	// Switch back returns to the portal, which says nothing ended.
	b.follow(w.portalAccess(b, "access"))
	if p := b.post("/console/switch-back", url.Values{}); p.status != http.StatusSeeOther || p.location != w.portalBase() {
		t.Fatalf("Switch back: %d %s", p.status, p.location)
	}
	if p := b.get("/console/"); p.status != http.StatusSeeOther || p.location != w.portalBase() {
		t.Fatalf("after Switch back a console page sends to %d %s", p.status, p.location)
	}
	old := w.portalBase()
	w.dirName = "renamed-" + w.acct.ID
	w.ssoAdmin.must(t, "UpdateDirectory", w.in(map[string]any{"NewDirectoryName": w.dirName}))
	if p := b.get(old); p.status != http.StatusNotFound {
		t.Fatalf("the old portal URL: %d", p.status)
	}
	wantStatus(t, b.get(w.portalBase()), http.StatusOK, `data-testid="sso-access"`)
	if p := b.get("/console/"); p.status != http.StatusSeeOther || p.location != w.portalBase() {
		t.Fatalf("a console page sends the portal session to %d %s", p.status, p.location)
	}
}

// TestPortalHTTPMFASettings: Disabled asks for no device; Byuser follows
// the user's own switch; the credentials button is offered only while
// AllowUserToGetCredentials is on; CLI credentials last the configuration's
// session duration.
func TestPortalHTTPMFASettings(t *testing.T) {
	w := newPortalWorld(t, canopytest.Start(t))
	signIn := func(b *browser, pw string) page {
		t.Helper()
		p := w.portalSignIn(b, portalUser, pw)
		if p.status != http.StatusSeeOther {
			t.Fatalf("sign-in: %d\n%s", p.status, p.body)
		}
		return p
	}
	w.ssoAdmin.must(t, "UpdateMFAAuthenticationSettings", w.in(map[string]any{"MFAAuthenticationSettings": "Disabled"}))
	b := newBrowser(t, w.srv)
	b.follow(signIn(b, w.password))
	p := b.post(w.portalBase()+"change-password", url.Values{"old": {w.password}, "new": {"Chosen-Passw0rd-2"}, "confirm": {"Chosen-Passw0rd-2"}})
	if p.status != http.StatusSeeOther || p.location != w.portalBase() {
		t.Fatalf("with MFA Disabled the change leads to %d %s", p.status, p.location)
	}
	w.password = "Chosen-Passw0rd-2"
	home := b.follow(p)
	wantStatus(t, home, http.StatusOK, `data-testid="sso-access"`)
	if strings.Contains(home.body, `data-testid="sso-credentials"`) {
		t.Fatal("CLI credentials are offered while AllowUserToGetCredentials is off")
	}

	w.ssoAdmin.must(t, "UpdateMFAAuthenticationSettings", w.in(map[string]any{"MFAAuthenticationSettings": "Byuser"}))
	w.ssoAdmin.must(t, "UpdateUserMFAAuthenticationSettings", w.in(map[string]any{"UserId": w.userID, "UserMFAAuthenticationSettings": "Disabled"}))
	if p := signIn(newBrowser(t, w.srv), w.password); p.location != w.portalBase() {
		t.Fatalf("Byuser with the user's MFA off leads to %s", p.location)
	}
	w.ssoAdmin.must(t, "UpdateUserMFAAuthenticationSettings", w.in(map[string]any{"UserId": w.userID, "UserMFAAuthenticationSettings": "Enabled"}))
	if p := signIn(newBrowser(t, w.srv), w.password); p.location != w.portalBase()+"bind-mfa" {
		t.Fatalf("Byuser with the user's MFA on leads to %s", p.location)
	}

	w.ssoAdmin.must(t, "SetLoginPreference", w.in(map[string]any{"AllowUserToGetCredentials": true}))
	home = b.get(w.portalBase())
	wantStatus(t, home, http.StatusOK, `data-testid="sso-credentials"`)
	cp := w.portalAccess(b, "credentials")
	wantStatus(t, cp, http.StatusOK, `data-testid="sso-creds"`)
	var expiration string
	for _, m := range portalCred.FindAllStringSubmatch(cp.body, -1) {
		if m[1] == "expiration" {
			expiration = m[2]
		}
	}
	at, err := time.Parse(time.RFC3339, expiration)
	if want := w.srv.App.Now().Add(1800 * time.Second); err != nil || at.Sub(want) > 5*time.Second || want.Sub(at) > 5*time.Second {
		t.Fatalf("credentials expire at %q, want about %s (the configuration's 1800 s)", expiration, want)
	}
}
