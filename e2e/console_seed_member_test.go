package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSeedTomInAMember is the seed "a RAM admin enables the
// directory, builds folders, creates a resource member, logs on to it,
// creates Tom there; Tom signs in to the member", end to end in Chromium.
// The member's trail then holds Tom's CreateUser as a console operation of
// the administrator's assumed access role.
func TestBrowserSeedTomInAMember(t *testing.T) {
	w := newRAMWorld(t)
	logon := rdConsoleAdmin(t, w, "rd-admin", "Rd-Admin-Passw0rd")
	ctx := chrome(t)
	base := "http://" + w.srv.Endpoint

	ramSignInBrowser(t, ctx, base, logon, "Rd-Admin-Passw0rd")
	run(t, ctx, "enable the directory", clickLoads(tid("nav-rd")), chromedp.WaitVisible(tid("rd-enable")),
		clickLoads(tid("rd-enable")), chromedp.WaitVisible(tid("rd-tree")))
	run(t, ctx, "create Production under Root",
		chromedp.SendKeys(tid("rd-folder-new-name"), "Production"),
		clickLoads(tid("rd-create-folder")))
	waitText(t, ctx, "notice", "The folder Production was created.")
	productionID := textOf(t, ctx, tid("rd-folder-id"))
	run(t, ctx, "Create Member Account from Production", clickLoads(`[data-testid="rd-folder-empty"] a`),
		chromedp.WaitVisible(tid("rd-create-member-form")),
		chromedp.SendKeys(tid("rd-member-display-name"), "Shop"),
		chromedp.SendKeys(tid("rd-member-prefix"), "shop"),
		clickLoads(tid("rd-member-create")), chromedp.WaitVisible(tid("rd-member-detail")))
	memberID := textOf(t, ctx, tid("rd-member-id"))
	if path := textOf(t, ctx, tid("rd-member-path")); !strings.HasSuffix(path, "Production ("+productionID+") / "+memberID) {
		t.Fatalf("the member's path %q", path)
	}

	run(t, ctx, "Log On to the member", clickLoads(tid("rd-logon")), chromedp.WaitVisible(tid("role-banner")))
	if got := textOf(t, ctx, tid("role-member")); got != "Shop" {
		t.Fatalf("the banner names member %q, want Shop", got)
	}
	if got := textOf(t, ctx, tid("identity-account")); got != memberID {
		t.Fatalf("the top bar names account %q, want the member %s", got, memberID)
	}
	// RAM pages act on the member: its UID and logon domain, not the
	// management account's.
	run(t, ctx, "the member's RAM Overview", clickLoads(tid("nav-ram-overview")), chromedp.WaitVisible(tid("ram-basic-info")))
	if id, u := textOf(t, ctx, tid("ram-account-id")), textOf(t, ctx, tid("ram-login-url")); id != memberID || u != base+"/console/ram-signin/"+memberID+".onaliyun.com" {
		t.Fatalf("the member's Overview shows account %q, logon URL %q", id, u)
	}
	run(t, ctx, "Users > Create User in the member", clickLoads(tid("nav-users")), chromedp.WaitVisible(tid("users-empty-create")),
		clickLoads(tid("users-empty-create")), chromedp.WaitVisible(tid("newuser-form")),
		chromedp.SendKeys(tid("newuser-name"), "tom"),
		chromedp.SendKeys(tid("newuser-display"), "Tom"))
	if !value(t, ctx, "console access preset", chromedp.Evaluate[bool](`document.querySelector('[data-testid="newuser-console"]').checked`)) ||
		!value(t, ctx, "reset preset", chromedp.Evaluate[bool](`document.querySelector('[data-testid="newuser-reset"]').checked`)) {
		t.Fatal("Create User does not preset console access with a reset at next logon")
	}
	run(t, ctx, "OK", clickLoads(tid("newuser-submit")), chromedp.WaitVisible(tid("newuser-result")))
	password := textOf(t, ctx, tid("newuser-password"))
	tomLogon := "tom@" + memberID + ".onaliyun.com"
	if got := textOf(t, ctx, tid("newuser-logon")); got != tomLogon || len(password) < 16 {
		t.Fatalf("result: logon %q (want %s), password of %d characters", got, tomLogon, len(password))
	}
	screenshot(t, ctx, "seed-member-create-tom.png")
	run(t, ctx, "open tom > Grant Permission", clickLoads(tid("newuser-open")), chromedp.WaitVisible(tid("user-basic")),
		clickLoads(tid("grant-open")), chromedp.WaitVisible(tid("grant-form")),
		chromedp.SetValue(tid("grant-type"), "System"),
		chromedp.SendKeys(tid("grant-search"), "RAMReadOnly"),
		clickLoads(tid("grant-search-submit")),
		chromedp.WaitVisible(tid("grant-pick-AliyunRAMReadOnlyAccess")),
		chromedp.Click(tid("grant-pick-AliyunRAMReadOnlyAccess")),
		clickLoads(tid("grant-submit")), chromedp.WaitVisible(tid("grant-complete")),
		clickLoads(tid("grant-complete")), chromedp.WaitVisible(tid("policies-table")))
	if got := textOf(t, ctx, tid("policy-name")); got != "AliyunRAMReadOnlyAccess" {
		t.Fatalf("tom's permissions list %q", got)
	}
	if got := textOf(t, ctx, tid("identity-account")); got != memberID {
		t.Fatalf("tom's detail page is shown in account %q, want the member %s", got, memberID)
	}
	run(t, ctx, "Switch back", clickLoads(tid("switch-back")), chromedp.WaitVisible(tid("rd-member-detail")))
	if got := textOf(t, ctx, tid("identity-account")); got != w.acct.ID {
		t.Fatalf("after Switch back the top bar names %q, want %s", got, w.acct.ID)
	}
	signOutBrowser(t, ctx)

	// Tom, at the member's logon URL, must change the generated password.
	run(t, ctx, "tom logs on to the member", chromedp.Navigate(base+"/console/ram-signin/"+memberID+".onaliyun.com"),
		chromedp.WaitVisible(tid("ram-logon-name")),
		chromedp.SendKeys(tid("ram-logon-name"), "tom"),
		clickLoads(tid("ram-next")),
		chromedp.WaitVisible(tid("ram-password")),
		chromedp.SendKeys(tid("ram-password"), password),
		clickLoads(tid("ram-logon")),
		chromedp.WaitVisible(tid("change-password-form")))
	run(t, ctx, "forced password change",
		chromedp.SendKeys(tid("old-password"), password),
		chromedp.SendKeys(tid("new-password"), "Tom-Chosen-Passw0rd"),
		chromedp.SendKeys(tid("confirm-password"), "Tom-Chosen-Passw0rd"),
		clickLoads(tid("change-password-submit")),
		chromedp.WaitVisible(tid("identity")))
	if name, account := textOf(t, ctx, tid("identity-name")), textOf(t, ctx, tid("identity-account")); name != "tom" || account != memberID {
		t.Fatalf("tom lands as %q in account %q, want tom in the member %s", name, account, memberID)
	}
	// AliyunRAMReadOnlyAccess lets him read the member's users: himself.
	run(t, ctx, "tom's Users page", clickLoads(tid("nav-users")), chromedp.WaitVisible(tid("users-table")))
	if got := value(t, ctx, "listed users", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="user-name"]')].map(e => e.textContent.trim())`)); strings.Join(got, ",") != tomLogon {
		t.Fatalf("tom's Users page lists %v, want only %s", got, tomLogon)
	}
	screenshot(t, ctx, "seed-member-tom-signed-in.png")

	// The member's trail, read through the access role: CreateUser tom,
	// a console operation of the assumed role named after rd-admin.
	keyID, keySecret := w.userKey(t, "rd-admin")
	creds := mustAssume(t, w.srv.STSClient(t, keyID, keySecret), accessRoleARN(memberID), "auditor").Credentials
	trail := sessionTrail(t, w.srv, creds)
	events := lookup(t, trail, "EventName", "CreateUser", "50", "").Events
	if len(events) != 1 {
		t.Fatalf("the member's trail has %d CreateUser events, want 1: %v", len(events), events)
	}
	ev := events[0]
	id, _ := ev["userIdentity"].(map[string]interface{})
	if ev["eventType"] != "ConsoleOperation" || id["type"] != "assumed-role" || id["userName"] != "ResourceDirectoryAccountAccessRole:rd-admin" ||
		id["accountId"] != memberID {
		t.Fatalf("CreateUser in the member's trail: type %v, identity %v", ev["eventType"], id)
	}
	if params, _ := ev["requestParameters"].(map[string]interface{}); params["UserName"] != "tom" {
		t.Fatalf("CreateUser's parameters %v, want UserName tom", ev["requestParameters"])
	}
}
