package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ramSignInBrowser runs the RAM-user logon's two steps in the browser.
func ramSignInBrowser(t *testing.T, ctx context.Context, base, logon, password string) {
	t.Helper()
	run(t, ctx, "RAM logon of "+logon, chromedp.Navigate(base+"/console/ram-signin"),
		chromedp.WaitVisible(tid("ram-logon-name")),
		chromedp.SendKeys(tid("ram-logon-name"), logon),
		clickLoads(tid("ram-next")),
		chromedp.WaitVisible(tid("ram-password")),
		chromedp.SendKeys(tid("ram-password"), password),
		clickLoads(tid("ram-logon")),
		chromedp.WaitVisible(tid("identity")))
}

// TestBrowserRDAdminBuildsTheDirectory: the seed's walk-through in
// Chromium. A RAM administrator of the management account enables the
// resource directory, builds two folders (one inside the other), creates
// a resource member in the inner one from the folder's own Create Member
// Account, and finds it in the Member List with its path.
func TestBrowserRDAdminBuildsTheDirectory(t *testing.T) {
	w := newRAMWorld(t)
	logon := rdConsoleAdmin(t, w, "rd-admin", "Rd-Admin-Passw0rd")
	ctx := chrome(t)
	base := "http://" + w.srv.Endpoint
	ramSignInBrowser(t, ctx, base, logon, "Rd-Admin-Passw0rd")
	run(t, ctx, "open Resource Management", clickLoads(tid("nav-rd")), chromedp.WaitVisible(tid("rd-enable")))
	screenshot(t, ctx, "rd-enable.png")
	run(t, ctx, "enable", clickLoads(tid("rd-enable")), chromedp.WaitVisible(tid("rd-tree")))
	if got := textOf(t, ctx, tid("rd-master")); got != w.acct.ID {
		t.Fatalf("management account %q, want %s", got, w.acct.ID)
	}
	run(t, ctx, "create Production under Root",
		chromedp.SendKeys(tid("rd-folder-new-name"), "Production"),
		clickLoads(tid("rd-create-folder")))
	waitText(t, ctx, "notice", "The folder Production was created.")
	if got := textOf(t, ctx, tid("rd-folder-name")); got != "Production" {
		t.Fatalf("after creating Production the page shows %q", got)
	}
	run(t, ctx, "create Apps under Production",
		chromedp.SendKeys(tid("rd-folder-new-name"), "Apps"),
		clickLoads(tid("rd-create-folder")))
	waitText(t, ctx, "notice", "The folder Apps was created.")
	appsID := textOf(t, ctx, tid("rd-folder-id"))
	if path := textOf(t, ctx, tid("rd-folder-path")); !strings.Contains(path, "Production") || !strings.HasSuffix(path, "Apps ("+appsID+")") {
		t.Fatalf("Apps's path %q", path)
	}
	folders := value(t, ctx, "read the tree", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="rd-tree-link"]')].map(e => e.textContent)`))
	if strings.Join(folders, ",") != "Root,Production,Apps" {
		t.Fatalf("the tree shows %v", folders)
	}
	screenshot(t, ctx, "rd-organization.png")
	run(t, ctx, "Create Member Account from Apps", clickLoads(`[data-testid="rd-folder-empty"] a`),
		chromedp.WaitVisible(tid("rd-create-member-form")))
	if sel := value(t, ctx, "folder preselected", chromedp.Evaluate[string](`document.querySelector('[data-testid="rd-member-folder"]').value`)); sel != appsID {
		t.Fatalf("the form preselects %q, want Apps %s", sel, appsID)
	}
	run(t, ctx, "fill the form",
		chromedp.SendKeys(tid("rd-member-display-name"), "Shop"),
		chromedp.SendKeys(tid("rd-member-prefix"), "shop"))
	screenshot(t, ctx, "rd-create-member.png")
	run(t, ctx, "create", clickLoads(tid("rd-member-create")), chromedp.WaitVisible(tid("rd-member-detail")))
	memberID := textOf(t, ctx, tid("rd-member-id"))
	if got := textOf(t, ctx, tid("rd-member-type")); got != "ResourceAccount" {
		t.Fatalf("type %q", got)
	}
	if path := textOf(t, ctx, tid("rd-member-path")); !strings.Contains(path, "Production (") || !strings.HasSuffix(path, "Apps ("+appsID+") / "+memberID) {
		t.Fatalf("path %q", path)
	}
	screenshot(t, ctx, "rd-member.png")
	run(t, ctx, "Member List", chromedp.Navigate(base+"/console/rd/members"), chromedp.WaitVisible(tid("rd-members-table")))
	if got := textOf(t, ctx, tid("rd-members-total")); got != "1" {
		t.Fatalf("total %q", got)
	}
	if got := textOf(t, ctx, tid("rd-member-id")); got != memberID {
		t.Fatalf("the list shows %q, want %s", got, memberID)
	}
	screenshot(t, ctx, "rd-members.png")
	acct := getAccount(t, w.srv.RDClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret), memberID)
	if acct.FolderId != appsID || acct.DisplayName != "Shop" {
		t.Fatalf("the SDK sees %+v", acct)
	}
}

// waitText waits until the element with the test id shows want (the
// previous page may show the same element with another text).
func waitText(t *testing.T, ctx context.Context, testID, want string) {
	t.Helper()
	expr := `(document.querySelector('[data-testid="` + testID + `"]')||{}).textContent||""`
	deadline := time.Now().Add(stepTimeout)
	got := ""
	for time.Now().Before(deadline) {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if got = strings.TrimSpace(v); err == nil && got == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s shows %q, want %q", testID, got, want)
}

// TestBrowserRDAdminLogsOnToAMember: from the Member List's Actions
// column, the administrator logs on to a member, sees the banner with the
// role, session and member and the member's account id, lists the
// member's RAM users as the role, and switches back.
func TestBrowserRDAdminLogsOnToAMember(t *testing.T) {
	w := newRDWorld(t)
	logon := w.giveConsolePassword(t, "rd-admin", "Rd-Admin-Passw0rd")
	member := memberWithUser(t, w, "Prod", "prod")
	ctx := chrome(t)
	base := "http://" + w.srv.Endpoint
	ramSignInBrowser(t, ctx, base, logon, "Rd-Admin-Passw0rd")
	run(t, ctx, "Member List", chromedp.Navigate(base+"/console/rd/members"), chromedp.WaitVisible(tid("rd-members-table")))
	run(t, ctx, "Log On", clickLoads(tid("rd-member-logon")), chromedp.WaitVisible(tid("role-banner")))
	if got := textOf(t, ctx, tid("identity-account")); got != member.AccountId {
		t.Fatalf("the top bar names account %q, want the member %s", got, member.AccountId)
	}
	for id, want := range map[string]string{"role-name": "ResourceDirectoryAccountAccessRole", "role-session": "rd-admin",
		"role-member": "Prod", "role-account": member.AccountId} {
		if got := textOf(t, ctx, tid(id)); got != want {
			t.Fatalf("banner %s = %q, want %q", id, got, want)
		}
	}
	run(t, ctx, "the member's users", clickLoads(tid("nav-users")), chromedp.WaitVisible(tid("users-table")))
	if got := textOf(t, ctx, tid("user-name")); got != "alice@"+member.AccountId+".onaliyun.com" {
		t.Fatalf("the member's Users page shows %q", got)
	}
	screenshot(t, ctx, "rd-logon-banner.png")
	run(t, ctx, "Switch back", clickLoads(tid("switch-back")), chromedp.WaitVisible(tid("rd-member-detail")))
	if got := textOf(t, ctx, tid("identity-account")); got != w.acct.ID {
		t.Fatalf("after Switch back the top bar names %q, want %s", got, w.acct.ID)
	}
	if n := value(t, ctx, "banner gone", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="role-banner"]').length`)); n != 0 {
		t.Fatal("the banner stays after Switch back")
	}
	screenshot(t, ctx, "rd-switched-back.png")
}

// signOutBrowser ends the browser's session.
func signOutBrowser(t *testing.T, ctx context.Context) {
	t.Helper()
	run(t, ctx, "sign out", clickLoads(tid("signout")), chromedp.WaitVisible(tid("signin-form")))
}

// TestBrowserInviteeAcceptsAndIsSwitched: the seed "switch a cloud
// account to a resource account" in Chromium. The administrator invites a
// cloud account; its root accepts in its own console; the administrator
// switches it through the dialog (the checkbox gates OK) with the code
// from the outbox; the member's root can no longer sign in, and the
// management root is refused the switch with the explanation.
func TestBrowserInviteeAcceptsAndIsSwitched(t *testing.T) {
	w := newRDWorld(t)
	logon := w.giveConsolePassword(t, "rd-admin", "Rd-Admin-Passw0rd")
	guest := w.srv.CreateAccount(t)
	ctx := chrome(t)
	base := "http://" + w.srv.Endpoint

	ramSignInBrowser(t, ctx, base, logon, "Rd-Admin-Passw0rd")
	run(t, ctx, "invite", chromedp.Navigate(base+"/console/rd/invitations"), chromedp.WaitVisible(tid("rd-invite-form")),
		chromedp.SendKeys(tid("rd-invite-target"), guest.ID),
		chromedp.SendKeys(tid("rd-invite-note"), "Join the group"),
		clickLoads(tid("rd-invite")), chromedp.WaitVisible(tid("rd-sent-table")))
	if got := textOf(t, ctx, tid("rd-sent-status")); got != "Pending" {
		t.Fatalf("the invitation is %q", got)
	}
	screenshot(t, ctx, "rd-invitations.png")
	signOutBrowser(t, ctx)

	run(t, ctx, "the invitee signs in", chromedp.SendKeys(tid("signin-account"), guest.Email),
		chromedp.SendKeys(tid("signin-password"), guest.Password), clickLoads(tid("signin-submit")),
		chromedp.WaitVisible(tid("identity")), chromedp.Navigate(base+"/console/rd/invitations"),
		chromedp.WaitVisible(tid("rd-received-table")), clickLoads(tid("rd-invite-accept")), chromedp.WaitVisible(tid("confirm-dialog")))
	if q := textOf(t, ctx, tid("confirm-question")); !strings.Contains(q, w.acct.ID) {
		t.Fatalf("the confirmation does not name the management account: %q", q)
	}
	screenshot(t, ctx, "rd-invitation-accept.png")
	run(t, ctx, "accept", clickLoads(tid("confirm-ok")), chromedp.WaitVisible(tid("notice")))
	if got := textOf(t, ctx, tid("rd-received-status")); got != "Accepted" {
		t.Fatalf("after accepting: %q", got)
	}
	signOutBrowser(t, ctx)
	// The switch needs the member's root AccessKey off (the directory's precondition).
	ok(t, "disable the guest's root key", setRootKeyStatus(w.srv.RAMClient(t, guest.AccessKeyID, guest.AccessKeySecret), guest.AccessKeyID, "Inactive"))

	ramSignInBrowser(t, ctx, base, logon, "Rd-Admin-Passw0rd")
	run(t, ctx, "open the dialog", chromedp.Navigate(base+"/console/rd/members/"+guest.ID), chromedp.WaitVisible(tid("rd-member-detail")),
		clickLoads(tid("rd-switch-type")), chromedp.WaitVisible(tid("switch-dialog")))
	disabled := `document.querySelector('[data-testid="switch-ok"]').disabled`
	if !value(t, ctx, "OK gated", chromedp.Evaluate[bool](disabled)) {
		t.Fatal("OK is enabled before the risk box is ticked")
	}
	run(t, ctx, "tick", chromedp.Click(tid("switch-risk")))
	if value(t, ctx, "OK enabled", chromedp.Evaluate[bool](disabled)) {
		t.Fatal("OK stays disabled after the risk box is ticked")
	}
	screenshot(t, ctx, "rd-switch-dialog.png")
	run(t, ctx, "OK", clickLoads(tid("switch-ok")), chromedp.WaitVisible(tid("switch-code")))
	code := switchCodeInMail.FindStringSubmatch(mails(t, w.srv, w.acct.Email, 1)[0])[1]
	run(t, ctx, "enter the code", chromedp.SendKeys(tid("switch-code"), code))
	screenshot(t, ctx, "rd-switch-verify.png")
	run(t, ctx, "verify", clickLoads(tid("switch-verify")), chromedp.WaitVisible(tid("rd-member-detail")))
	if got := textOf(t, ctx, tid("rd-member-type")); got != "ResourceAccount" {
		t.Fatalf("after the switch the member is %q", got)
	}
	signOutBrowser(t, ctx)

	run(t, ctx, "the switched root", chromedp.SendKeys(tid("signin-account"), guest.Email),
		chromedp.SendKeys(tid("signin-password"), guest.Password), clickLoads(tid("signin-submit")),
		chromedp.WaitVisible(tid("error-message")))

	run(t, ctx, "the management root", chromedp.Navigate(base+"/console/signin"), chromedp.WaitVisible(tid("signin-form")),
		chromedp.SendKeys(tid("signin-account"), w.acct.Email),
		chromedp.SendKeys(tid("signin-password"), w.acct.Password), clickLoads(tid("signin-submit")),
		chromedp.WaitVisible(tid("identity")), chromedp.Navigate(base+"/console/rd/members/"+guest.ID+"/switch"),
		chromedp.WaitVisible(tid("error-code")))
	if got := textOf(t, ctx, tid("error-code")); got != "CallerIdentityError" {
		t.Fatalf("the management root: %q", got)
	}
	if msg := textOf(t, ctx, tid("error-message")); !strings.Contains(msg, "RAM user") {
		t.Fatalf("the refusal does not say what to use: %q", msg)
	}
	screenshot(t, ctx, "rd-switch-root-refused.png")
}
