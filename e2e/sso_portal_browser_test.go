package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/chromedp/chromedp"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// TestBrowserSSOPortal walks the Done means in headless Chromium
// after the administrator's API work (newPortalWorld): the user signs in
// to the portal, changes the password, binds MFA, sees exactly the
// assigned account, enters it (banner, relay state), lists the member's
// RAM users and is refused creating one with NoPermission, gets CLI
// credentials, and loses the open console session when unassigned; the
// reserved role resists the member's RAM admin and follows re-provisioning.
func TestBrowserSSOPortal(t *testing.T) {
	w := newPortalWorld(t, canopytest.Start(t))
	w.ssoAdmin.must(t, "UpdateMFAAuthenticationSettings", w.in(map[string]any{"MFAAuthenticationSettings": "Enabled"}))
	w.ssoAdmin.must(t, "SetLoginPreference", w.in(map[string]any{"AllowUserToGetCredentials": true}))
	memberAdmin := sessionRAM(t, w.srv, mustAssume(t, w.adminSTS, accessRoleARN(w.member.AccountId), "ram-admin").Credentials)
	cu := ram.CreateCreateUserRequest()
	cu.UserName = "member-dev"
	_, err := memberAdmin.CreateUser(cu)
	ok(t, "CreateUser in the member", err)

	ctx := chrome(t)
	base := "http://" + w.srv.Endpoint
	run(t, ctx, "open the portal", chromedp.Navigate(base+"/sso/"+w.dirName), chromedp.WaitVisible(tid("sso-signin-form")))
	screenshot(t, ctx, "sso-signin.png")
	run(t, ctx, "sign in with the reset password",
		chromedp.SendKeys(tid("sso-username"), portalUser),
		chromedp.SendKeys(tid("sso-password"), w.password),
		clickLoads(tid("sso-signin-submit")),
		chromedp.WaitVisible(tid("sso-change-password-form")))
	screenshot(t, ctx, "sso-change-password.png")
	run(t, ctx, "change the password",
		chromedp.SendKeys(tid("old-password"), w.password),
		chromedp.SendKeys(tid("new-password"), "Chosen-Passw0rd-2"),
		chromedp.SendKeys(tid("confirm-password"), "Chosen-Passw0rd-2"),
		clickLoads(tid("change-password-submit")),
		chromedp.WaitVisible(tid("mfa-qr")))
	w.password = "Chosen-Passw0rd-2"
	if n := value(t, ctx, "QR code", chromedp.Evaluate[int](`document.querySelector('[data-testid="mfa-qr"]').naturalWidth`)); n != 200 {
		t.Fatalf("the QR code image did not load (naturalWidth %d)", n)
	}
	screenshot(t, ctx, "sso-bind-mfa.png")
	c1, c2 := consecutiveCodes(t, textOf(t, ctx, tid("mfa-secret")), w.srv.App.Now())
	run(t, ctx, "bind the device",
		chromedp.SendKeys(tid("mfa-code1"), c1),
		chromedp.SendKeys(tid("mfa-code2"), c2),
		clickLoads(tid("bind-mfa-submit")),
		chromedp.WaitVisible(tid("sso-identity")))
	if n := value(t, ctx, "accounts", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="sso-account"]').length`)); n != 1 {
		t.Fatalf("the portal lists %d accounts, want exactly the assigned one", n)
	}
	if got := textOf(t, ctx, tid("sso-account-id")); got != w.member.AccountId {
		t.Fatalf("the portal lists account %q, want %s", got, w.member.AccountId)
	}
	if got := textOf(t, ctx, tid("sso-ac-name")); got != portalAC {
		t.Fatalf("access configuration %q, want %s", got, portalAC)
	}
	screenshot(t, ctx, "sso-portal.png")

	// Access: the member's console as the reserved role, on the relay
	// state (the RAM users page), with the role banner.
	run(t, ctx, "Access", clickLoads(tid("sso-access")), chromedp.WaitVisible(tid("role-banner")), chromedp.WaitVisible(tid("users-table")))
	for id, want := range map[string]string{"role-name": "AliyunReservedSSO-" + portalAC, "role-session": portalUser, "role-account": w.member.AccountId} {
		if got := textOf(t, ctx, tid(id)); got != want {
			t.Fatalf("banner %s = %q, want %q", id, got, want)
		}
	}
	if got := textOf(t, ctx, tid("users-table")); !strings.Contains(got, "member-dev") {
		t.Fatalf("the member's users are not listed: %q", got)
	}
	screenshot(t, ctx, "sso-member-console.png")
	run(t, ctx, "create a user (not allowed)", chromedp.Navigate(base+"/console/ram/create-user"),
		chromedp.WaitVisible(tid("newuser-name")),
		chromedp.SendKeys(tid("newuser-name"), "intruder"),
		clickLoads(tid("newuser-submit")),
		chromedp.WaitVisible(tid("error-code")))
	if body := textOf(t, ctx, tid("error-code")); body != "NoPermission" {
		t.Fatalf("creating a user as the read-only role was not refused with NoPermission: %q", body)
	}
	screenshot(t, ctx, "sso-refused.png")

	// Switch back returns to the portal; CLI/SDK credentials are shown.
	run(t, ctx, "switch back", clickLoads(tid("switch-back")), chromedp.WaitVisible(tid("sso-identity")),
		clickLoads(tid("sso-credentials")), chromedp.WaitVisible(tid("sso-creds")))
	if id := textOf(t, ctx, tid("sso-cred-akid")); !strings.HasPrefix(id, "STS.") {
		t.Fatalf("the credentials page shows AccessKeyId %q", id)
	}
	screenshot(t, ctx, "sso-credentials.png")

	// The reserved role is the configuration's: its member's RAM admin
	// cannot edit it, and an edit of the configuration reaches it only
	// through re-provisioning.
	w.portalReservedAndReprovision(t)

	// Unassigning ends the open console session at once.
	run(t, ctx, "enter again", clickLoads(tid("sso-back")), chromedp.WaitVisible(tid("sso-access")),
		clickLoads(tid("sso-access")), chromedp.WaitVisible(tid("role-banner")))
	w.portalAssign(t, "DeleteAccessAssignment", map[string]any{"DeprovisionStrategy": "DeprovisionForLastAccessAssignmentOnAccount"})
	run(t, ctx, "the next request", clickLoads(tid("nav-ram-roles")), chromedp.WaitVisible(tid("sso-ended")),
		chromedp.WaitVisible(tid("sso-no-access")))
	screenshot(t, ctx, "sso-access-ended.png")

}

// TestBrowserSSOPortalSignInRules: a disabled user is signed out at once
// and refused; enabled again, it is asked for its bound device's code; after
// MaxLoginAttempts wrong passwords even the right one is refused.
func TestBrowserSSOPortalSignInRules(t *testing.T) {
	w := newPortalWorld(t, canopytest.Start(t))
	b := newBrowser(t, w.srv)
	w.portalReady(t, b, "Chosen-Passw0rd-2")
	secret := w.portalSecret
	ctx := chrome(t)
	base := "http://" + w.srv.Endpoint
	run(t, ctx, "sign in", chromedp.Navigate(base+w.portalBase()), chromedp.WaitVisible(tid("sso-signin-form")))
	w.srv.Advance(31 * time.Second) // the binding's codes are spent
	run(t, ctx, "password", chromedp.SendKeys(tid("sso-username"), portalUser), chromedp.SendKeys(tid("sso-password"), w.password),
		clickLoads(tid("sso-signin-submit")), chromedp.WaitVisible(tid("verify-mfa-form")))
	screenshot(t, ctx, "sso-verify-mfa.png")
	run(t, ctx, "verify", chromedp.SendKeys(tid("mfa-code"), totpAt(t, secret, w.srv.App.Now())),
		clickLoads(tid("verify-mfa-submit")), chromedp.WaitVisible(tid("sso-identity")))

	// A disabled user is signed out at once and cannot sign in.
	w.ssoAdmin.must(t, "UpdateUserStatus", w.in(map[string]any{"UserId": w.userID, "NewStatus": "Disabled"}))
	run(t, ctx, "reload", chromedp.Reload(), chromedp.WaitVisible(tid("sso-signin-form")),
		chromedp.SendKeys(tid("sso-username"), portalUser),
		chromedp.SendKeys(tid("sso-password"), w.password),
		clickLoads(tid("sso-signin-submit")),
		chromedp.WaitVisible(tid("error-code")))
	if code := textOf(t, ctx, tid("error-code")); code != "Forbidden.UserDisabled" {
		t.Fatalf("a disabled user's sign-in: %q", code)
	}
	w.ssoAdmin.must(t, "UpdateUserStatus", w.in(map[string]any{"UserId": w.userID, "NewStatus": "Enabled"}))

	// Lockout: MaxLoginAttempts (5) wrong passwords (over HTTP), then the
	// right one is refused with the same answer as a wrong one.
	for i := 0; i < 5; i++ {
		w.portalSignIn(newBrowser(t, w.srv), portalUser, "Wrong-Passw0rd")
	}
	run(t, ctx, "the right password", chromedp.Navigate(base+w.portalBase()+"login"), chromedp.WaitVisible(tid("sso-signin-form")),
		chromedp.SendKeys(tid("sso-username"), portalUser), chromedp.SendKeys(tid("sso-password"), w.password),
		clickLoads(tid("sso-signin-submit")), chromedp.WaitVisible(tid("error-code")))
	if code := textOf(t, ctx, tid("error-code")); code != "InvalidCredentials" {
		t.Fatalf("a locked user's sign-in: %q", code)
	}
	screenshot(t, ctx, "sso-locked.png")
}
