package e2e

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserRootCreatesTheAccountAdministrator is the seed "Create an
// account administrator": the root opens RAM Overview > Get Started >
// Account Administrator, reads the plan, clicks Perform, reads the
// generated password from the page and signs out; administrator logs on
// with the RAM-user logon URL, is forced to change the password and bind
// an MFA device, lands in the console, and finds the root's three calls in
// ActionTrail.
func TestBrowserRootCreatesTheAccountAdministrator(t *testing.T) {
	w := newRAMWorld(t)
	ctx := chrome(t)
	base := "http://" + w.srv.Endpoint
	run(t, ctx, "root signs in", chromedp.Navigate(base+"/console/signin"),
		chromedp.WaitVisible(tid("signin-form")),
		chromedp.SendKeys(tid("signin-account"), w.acct.Email),
		chromedp.SendKeys(tid("signin-password"), w.acct.Password),
		clickLoads(tid("signin-submit")),
		chromedp.WaitVisible(tid("identity")))
	run(t, ctx, "open RAM Overview", clickLoads(tid("nav-ram-overview")), chromedp.WaitVisible(tid("ram-basic-info")))
	if got := textOf(t, ctx, tid("ram-account-id")); got != w.acct.ID {
		t.Fatalf("Overview shows account %q, want %s", got, w.acct.ID)
	}
	loginURL := textOf(t, ctx, tid("ram-login-url"))
	if want := base + "/console/ram-signin/" + w.acct.ID + ".onaliyun.com"; loginURL != want {
		t.Fatalf("login URL %q, want %s", loginURL, want)
	}
	screenshot(t, ctx, "ram-overview.png")
	run(t, ctx, "Get Started > Account Administrator", clickLoads(tid("ram-admin-start")), chromedp.WaitVisible(tid("admin-plan")))
	if got := textOf(t, ctx, tid("admin-plan-policy")); got != "AdministratorAccess" {
		t.Fatalf("planned policy %q", got)
	}
	screenshot(t, ctx, "ram-admin-plan.png")
	run(t, ctx, "Perform", clickLoads(tid("admin-perform")), chromedp.WaitVisible(tid("admin-result")))
	statuses := value(t, ctx, "read the progress", chromedp.Evaluate[[]string](
		`[...document.querySelectorAll('[data-testid="admin-step-status"]')].map(e => e.textContent)`))
	if strings.Join(statuses, ",") != "Done,Done,Done" {
		t.Fatalf("progress %v, want three steps done", statuses)
	}
	password := textOf(t, ctx, tid("admin-password"))
	logon := textOf(t, ctx, tid("admin-logon"))
	if len(password) < 16 || logon != "administrator@"+w.acct.ID+".onaliyun.com" {
		t.Fatalf("result: logon %q, password of %d characters", logon, len(password))
	}
	csvHref := value(t, ctx, "Download CSV link", chromedp.Evaluate[string](
		`document.querySelector('[data-testid="admin-csv"]').getAttribute('href')`))
	if !strings.HasPrefix(csvHref, "data:text/csv;base64,") {
		t.Fatalf("Download CSV link %q", csvHref)
	}
	screenshot(t, ctx, "ram-admin-result.png")
	run(t, ctx, "root signs out", clickLoads(tid("signout")), chromedp.WaitVisible(tid("signin-form")))

	run(t, ctx, "administrator opens the logon URL", chromedp.Navigate(loginURL),
		chromedp.WaitVisible(tid("ram-logon-name")),
		chromedp.SendKeys(tid("ram-logon-name"), "administrator"),
		clickLoads(tid("ram-next")),
		chromedp.WaitVisible(tid("ram-password")),
		chromedp.SendKeys(tid("ram-password"), password),
		clickLoads(tid("ram-logon")),
		chromedp.WaitVisible(tid("change-password-form")))
	run(t, ctx, "forced password change",
		chromedp.SendKeys(tid("old-password"), password),
		chromedp.SendKeys(tid("new-password"), "Admin-Chosen-Passw0rd"),
		chromedp.SendKeys(tid("confirm-password"), "Admin-Chosen-Passw0rd"),
		clickLoads(tid("change-password-submit")),
		chromedp.WaitVisible(tid("mfa-secret")))
	secret := textOf(t, ctx, tid("mfa-secret"))
	c1, c2 := consecutiveCodes(t, secret, w.srv.App.Now())
	run(t, ctx, "bind MFA",
		chromedp.SendKeys(tid("mfa-code1"), c1),
		chromedp.SendKeys(tid("mfa-code2"), c2),
		clickLoads(tid("bind-mfa-submit")),
		chromedp.WaitVisible(tid("identity")))
	if got := textOf(t, ctx, tid("identity-name")); got != "administrator" {
		t.Fatalf("identity %q, want administrator", got)
	}

	// ActionTrail, read by administrator (AdministratorAccess): each of the
	// quick creation's calls by the root, as a console operation.
	for _, action := range []string{"CreateUser", "CreateLoginProfile", "AttachPolicyToUser"} {
		q := url.Values{"key": {"EventName"}, "value": {action}}
		run(t, ctx, "Event Query "+action, chromedp.Navigate(base+"/console/trail?"+q.Encode()), chromedp.WaitVisible(tid("trail-table")))
		users := value(t, ctx, "read users", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="trail-user"]')].map(e => e.textContent)`))
		types := value(t, ctx, "read types", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="trail-event-type"]')].map(e => e.textContent)`))
		if len(users) != 1 || users[0] != "root" || types[0] != "ConsoleOperation" {
			t.Fatalf("%s events: users %v types %v, want one ConsoleOperation by root", action, users, types)
		}
		if action == "CreateLoginProfile" {
			js := textOf(t, ctx, tid("trail-json"))
			if strings.Contains(js, password) {
				t.Fatal("the generated password is in the trail")
			}
			screenshot(t, ctx, "ram-admin-trail.png")
		}
	}
	// administrator's own logon steps name it.
	q := url.Values{"key": {"User"}, "value": {"administrator"}}
	run(t, ctx, "administrator's events", chromedp.Navigate(base+"/console/trail?"+q.Encode()), chromedp.WaitVisible(tid("trail-table")))
	names := value(t, ctx, "read events", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="trail-event-name"]')].map(e => e.textContent)`))
	for _, want := range []string{"ConsoleSignin", "ChangePassword", "BindMFADevice"} {
		if !contains(names, want) {
			t.Fatalf("administrator's events %v lack %s", names, want)
		}
	}
}

// TestBrowserCreateUserAndGrantPermission: the root creates tom with
// console and OpenAPI access from the Users page, reads the secrets shown
// once, opens tom, grants a system policy through the Grant Permission
// panel and sees it under Permissions; tom logs on with the password.
func TestBrowserCreateUserAndGrantPermission(t *testing.T) {
	w := newRAMWorld(t)
	ctx := chrome(t)
	base := "http://" + w.srv.Endpoint
	run(t, ctx, "root signs in", chromedp.Navigate(base+"/console/signin"),
		chromedp.WaitVisible(tid("signin-form")),
		chromedp.SendKeys(tid("signin-account"), w.acct.Email),
		chromedp.SendKeys(tid("signin-password"), w.acct.Password),
		clickLoads(tid("signin-submit")),
		chromedp.WaitVisible(tid("identity")))
	run(t, ctx, "Users > Create User", clickLoads(tid("nav-users")), chromedp.WaitVisible(tid("users-create")),
		clickLoads(tid("users-create")), chromedp.WaitVisible(tid("newuser-form")),
		chromedp.SendKeys(tid("newuser-name"), "tom"),
		chromedp.SendKeys(tid("newuser-display"), "Tom"),
		chromedp.Click(tid("newuser-openapi")),
		chromedp.Click(tid("newuser-reset"))) // not required: tom logs on straight away
	screenshot(t, ctx, "ram-create-user.png")
	run(t, ctx, "OK", clickLoads(tid("newuser-submit")), chromedp.WaitVisible(tid("newuser-result")))
	password := textOf(t, ctx, tid("newuser-password"))
	keyID, secret := textOf(t, ctx, tid("newuser-key-id")), textOf(t, ctx, tid("newuser-key-secret"))
	if len(password) < 16 || keyID == "" || secret == "" {
		t.Fatalf("result: password of %d characters, key %q, secret of %d", len(password), keyID, len(secret))
	}
	screenshot(t, ctx, "ram-create-user-result.png")
	run(t, ctx, "open tom", clickLoads(tid("newuser-open")), chromedp.WaitVisible(tid("user-basic")))
	if got := textOf(t, ctx, tid("key-id")); got != keyID {
		t.Fatalf("detail lists key %q, want %s", got, keyID)
	}
	if body := value(t, ctx, "page text", chromedp.Evaluate[string](`document.body.innerText`)); strings.Contains(body, secret) || strings.Contains(body, password) {
		t.Fatal("the detail page shows a secret")
	}
	run(t, ctx, "Grant Permission", clickLoads(tid("grant-open")), chromedp.WaitVisible(tid("grant-form")),
		chromedp.SetValue(tid("grant-type"), "System"),
		chromedp.SendKeys(tid("grant-search"), "STSAssumeRole"),
		clickLoads(tid("grant-search-submit")),
		chromedp.WaitVisible(tid("grant-pick-AliyunSTSAssumeRoleAccess")),
		chromedp.Click(tid("grant-pick-AliyunSTSAssumeRoleAccess")))
	if n := value(t, ctx, "rows", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="grant-row"]').length`)); n != 1 {
		t.Fatalf("the search left %d policies, want 1", n)
	}
	screenshot(t, ctx, "ram-grant.png")
	run(t, ctx, "OK", clickLoads(tid("grant-submit")), chromedp.WaitVisible(tid("grant-complete")),
		clickLoads(tid("grant-complete")), chromedp.WaitVisible(tid("policies-table")))
	if got := textOf(t, ctx, tid("policy-name")); got != "AliyunSTSAssumeRoleAccess" {
		t.Fatalf("Permissions lists %q", got)
	}
	run(t, ctx, "scroll to the keys and permissions", script(`document.querySelector('[data-testid="user-keys"]').scrollIntoView()`))
	screenshot(t, ctx, "ram-user-detail.png")
	run(t, ctx, "root signs out", clickLoads(tid("signout")), chromedp.WaitVisible(tid("signin-form")))
	run(t, ctx, "tom logs on", chromedp.Navigate(base+"/console/ram-signin/"+w.acct.ID+".onaliyun.com"),
		chromedp.WaitVisible(tid("ram-logon-name")),
		chromedp.SendKeys(tid("ram-logon-name"), "tom"),
		clickLoads(tid("ram-next")),
		chromedp.WaitVisible(tid("ram-password")),
		chromedp.SendKeys(tid("ram-password"), password),
		clickLoads(tid("ram-logon")),
		chromedp.WaitVisible(tid("identity")))
	if got := textOf(t, ctx, tid("identity-name")); got != "tom" {
		t.Fatalf("identity %q, want tom", got)
	}
}

// TestBrowserPolicyEditorRolesAndSettings: the JSON editor shows the
// engine's refusal and keeps the text; a role's trust policy is shown; the
// Settings page saves the alias, which changes the logon URL.
func TestBrowserPolicyEditorRolesAndSettings(t *testing.T) {
	w := newRAMWorld(t)
	trust := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::` + w.acct.ID + `:root"]}}]}`
	w.createRole(t, "ops", trust, 3600)
	ctx := chrome(t)
	base := "http://" + w.srv.Endpoint
	run(t, ctx, "root signs in", chromedp.Navigate(base+"/console/signin"),
		chromedp.WaitVisible(tid("signin-form")),
		chromedp.SendKeys(tid("signin-account"), w.acct.Email),
		chromedp.SendKeys(tid("signin-password"), w.acct.Password),
		clickLoads(tid("signin-submit")),
		chromedp.WaitVisible(tid("identity")))
	bad := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:*"}]}`
	run(t, ctx, "Policies > Create Policy with a bad document", clickLoads(tid("nav-ram-policies")), chromedp.WaitVisible(tid("policies-create")),
		clickLoads(tid("policies-create")), chromedp.WaitVisible(tid("policy-form")),
		chromedp.SendKeys(tid("policy-name-input"), "ecs-all"),
		chromedp.SetValue(tid("policy-document"), bad),
		clickLoads(tid("policy-save")),
		chromedp.WaitVisible(tid("error-code")))
	if got := textOf(t, ctx, tid("error-code")); got != "MalformedPolicyDocument" {
		t.Fatalf("editor refusal %q", got)
	}
	if got := value(t, ctx, "editor text", chromedp.Evaluate[string](`document.querySelector('[data-testid="policy-document"]').value`)); got != bad {
		t.Fatalf("the editor lost the text: %q", got)
	}
	screenshot(t, ctx, "ram-policy-error.png")
	run(t, ctx, "fix and save", chromedp.SetValue(tid("policy-document"), strings.Replace(bad, `"ecs:*"}`, `"ecs:*","Resource":"*"}`, 1)),
		clickLoads(tid("policy-save")), chromedp.WaitVisible(tid("policy-version")))
	run(t, ctx, "Roles > ops", clickLoads(tid("nav-ram-roles")), chromedp.WaitVisible(tid("roles-table")),
		clickLoads(tid("role-open")), chromedp.WaitVisible(tid("trust-document")))
	if got := value(t, ctx, "trust text", chromedp.Evaluate[string](`document.querySelector('[data-testid="trust-document"]').value`)); !strings.Contains(got, "acs:ram::"+w.acct.ID+":root") {
		t.Fatalf("trust policy shown: %q", got)
	}
	screenshot(t, ctx, "ram-role.png")
	run(t, ctx, "Settings: alias", clickLoads(tid("nav-ram-settings")), chromedp.WaitVisible(tid("settings-alias")),
		chromedp.SetValue(tid("settings-alias-input"), "acme"),
		clickLoads(tid("settings-alias-save")), chromedp.WaitVisible(tid("notice")))
	if got := textOf(t, ctx, tid("settings-login-url")); got != base+"/console/ram-signin/acme.onaliyun.com" {
		t.Fatalf("logon URL after the alias: %q", got)
	}
	screenshot(t, ctx, "ram-settings.png")
}
