package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/chromedp/chromedp"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// chromiumPath is Debian's Chromium, which scripts/test.sh installs.
const chromiumPath = "/usr/bin/chromium"

// screenshotsEnv, when set to 1, makes the browser tests write their
// screenshots into docs/screenshots (the README shows them); otherwise they
// go to a temporary directory, so a test run leaves the tree clean.
const screenshotsEnv = "CANOPY_UPDATE_SCREENSHOTS"

// chrome starts a headless Chromium for one test, with the flags this
// machine's closed network needs and a fresh profile. Chromium missing is a
// failure, never a skip: scripts/test.sh installs it.
func chrome(t *testing.T) context.Context {
	t.Helper()
	path := chromiumPath
	if _, err := os.Stat(path); err != nil {
		if p, lerr := exec.LookPath("chromium"); lerr == nil {
			path = p
		} else {
			t.Fatalf("Chromium is not installed (%v): run scripts/test.sh, which installs Debian's chromium package", err)
		}
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true), chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browser, cancel := chromedp.NewContext(actx)
	// The first run starts the browser: without a timeout, which would
	// stop the browser with it; the steps get one.
	if err := chromedp.Do(browser); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(browser, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		body, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
		t.Fatalf("%s: %v\npage:\n%s", what, err, body)
	}
}

// value runs one action that returns a value.
func value[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		body, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("body")))
		t.Fatalf("%s: %v\npage:\n%s", what, err, body)
	}
	return v
}

// script runs JavaScript for its effect.
func script(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Evaluate[any](expr)(ctx, tg)
		return err
	})
}

func tid(id string) chromedp.CSS { return chromedp.CSS(`[data-testid="` + id + `"]`) }

// screenshot saves the viewport as PNG under name.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := value(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
	dir := t.TempDir()
	if os.Getenv(screenshotsEnv) == "1" {
		dir = filepath.Join("..", "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if len(png) < 1000 || string(png[1:4]) != "PNG" {
		t.Fatalf("screenshot %s is not a PNG (%d bytes)", name, len(png))
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func textOf(t *testing.T, ctx context.Context, sel chromedp.CSS) string {
	t.Helper()
	return strings.TrimSpace(value(t, ctx, "read "+string(sel), chromedp.Text(sel)))
}

// TestBrowserRootSignsInAndSeesItsSignIn: the root signs in, sees the
// shell naming it and its account, and finds its ConsoleSignin on the
// Event Query page.
func TestBrowserRootSignsInAndSeesItsSignIn(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	ctx := chrome(t)
	base := "http://" + srv.Endpoint
	run(t, ctx, "open the console", chromedp.Navigate(base+"/"), chromedp.WaitVisible(tid("signin-form")))
	screenshot(t, ctx, "signin.png")
	run(t, ctx, "sign in",
		chromedp.SendKeys(tid("signin-account"), acct.Email),
		chromedp.SendKeys(tid("signin-password"), acct.Password),
		chromedp.Click(tid("signin-submit")),
		chromedp.WaitVisible(tid("identity")))
	if got := textOf(t, ctx, tid("identity-name")); got != "root" {
		t.Fatalf("identity %q, want root", got)
	}
	if got := textOf(t, ctx, tid("identity-account")); got != acct.ID {
		t.Fatalf("account %q, want %s", got, acct.ID)
	}
	run(t, ctx, "open Event Query", chromedp.Click(tid("nav-trail")),
		chromedp.WaitVisible(tid("trail-table")))
	if got := textOf(t, ctx, tid("page-title")); got != "Event Query" {
		t.Fatalf("page title %q", got)
	}
	names := value(t, ctx, "read events", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="trail-event-name"]')].map(e => e.textContent)`))
	if !contains(names, "ConsoleSignin") {
		t.Fatalf("Event Query shows %v, want the ConsoleSignin", names)
	}
	screenshot(t, ctx, "event-query.png")
	run(t, ctx, "open Users", chromedp.Click(tid("nav-users")),
		chromedp.WaitVisible(tid("users-empty")))
	screenshot(t, ctx, "users-empty.png")
	run(t, ctx, "sign out", chromedp.Click(tid("signout")), chromedp.WaitVisible(tid("signin-form")))
}

// TestBrowserRAMUserIsForcedThroughPasswordAndMFA: the login profile
// requires a new password and an MFA device; the user changes the
// password, binds a device with two codes computed from the shown secret,
// and lands in the console.
func TestBrowserRAMUserIsForcedThroughPasswordAndMFA(t *testing.T) {
	w := newRAMWorld(t)
	w.consoleUser(t, "administrator", "Generated-Passw0rd!", true, true)
	w.attachToUser(t, "administrator", "System", "AdministratorAccess")
	ctx := chrome(t)
	base := "http://" + w.srv.Endpoint
	logon := "administrator@" + w.acct.ID + ".onaliyun.com"
	run(t, ctx, "open the RAM logon", chromedp.Navigate(base+"/console/signin"),
		chromedp.Click(tid("ram-signin-link")),
		chromedp.WaitVisible(tid("ram-logon-name")))
	screenshot(t, ctx, "ram-logon.png")
	run(t, ctx, "logon name, Next, password",
		chromedp.SendKeys(tid("ram-logon-name"), logon),
		chromedp.Click(tid("ram-next")),
		chromedp.WaitVisible(tid("ram-password")),
		chromedp.SendKeys(tid("ram-password"), "Generated-Passw0rd!"),
		chromedp.Click(tid("ram-logon")),
		chromedp.WaitVisible(tid("change-password-form")))
	run(t, ctx, "change the password",
		chromedp.SendKeys(tid("old-password"), "Generated-Passw0rd!"),
		chromedp.SendKeys(tid("new-password"), "Chosen-Passw0rd-2"),
		chromedp.SendKeys(tid("confirm-password"), "Chosen-Passw0rd-2"),
		chromedp.Click(tid("change-password-submit")),
		chromedp.WaitVisible(tid("mfa-qr")))
	if w := value(t, ctx, "QR code", chromedp.Evaluate[int](`document.querySelector('[data-testid="mfa-qr"]').naturalWidth`)); w != 200 {
		t.Fatalf("the QR code image did not load (naturalWidth %d)", w)
	}
	screenshot(t, ctx, "bind-mfa.png")
	secret := textOf(t, ctx, tid("mfa-secret"))
	c1, c2 := consecutiveCodes(t, secret, w.srv.App.Now())
	run(t, ctx, "bind the device",
		chromedp.SendKeys(tid("mfa-code1"), c1),
		chromedp.SendKeys(tid("mfa-code2"), c2),
		chromedp.Click(tid("bind-mfa-submit")),
		chromedp.WaitVisible(tid("identity")))
	if got := textOf(t, ctx, tid("identity-name")); got != "administrator" {
		t.Fatalf("identity %q, want administrator", got)
	}
	screenshot(t, ctx, "console-home.png")
	// AdministratorAccess lets it list the users and delete one, after a
	// confirmation naming it.
	w.createUser(t, "temp")
	run(t, ctx, "open Users", chromedp.Click(tid("nav-users")),
		chromedp.WaitVisible(tid("users-table")))
	if got := textOf(t, ctx, tid("user-name")); got != logon {
		t.Fatalf("users table shows %q first, want %s", got, logon)
	}
	if got := textOf(t, ctx, tid("users-total")); got != "2" {
		t.Fatalf("total %q, want 2", got)
	}
	screenshot(t, ctx, "users.png")
	run(t, ctx, "delete temp", chromedp.Click(chromedp.CSS(`[data-testid="user-row"]:nth-of-type(2) [data-testid="user-delete"]`)),
		chromedp.WaitVisible(tid("confirm-dialog")))
	if q := textOf(t, ctx, tid("confirm-question")); !strings.Contains(q, `"temp"`) {
		t.Fatalf("the confirmation does not name the user: %q", q)
	}
	screenshot(t, ctx, "confirm-delete.png")
	run(t, ctx, "confirm", chromedp.Click(tid("confirm-ok")), chromedp.WaitVisible(tid("notice")))
	if got := textOf(t, ctx, tid("users-total")); got != "1" {
		t.Fatalf("total after the deletion %q, want 1", got)
	}
}

// TestBrowserLockoutCSRFAndResourceRoot: MaxLoginAttemps wrong passwords
// lock the user; a form posted without the CSRF token is refused; a
// resource account's root is refused with the way in.
func TestBrowserLockoutCSRFAndResourceRoot(t *testing.T) {
	w := newRDWorld(t)
	pol := ram.CreateSetPasswordPolicyRequest()
	pol.MaxLoginAttemps = requests.NewInteger(2)
	_, err := w.root.SetPasswordPolicy(pol)
	ok(t, "SetPasswordPolicy", err)
	w.consoleUser(t, "dave", "Dave-Passw0rd-1", false, false)
	ctx := chrome(t)
	base := "http://" + w.srv.Endpoint
	attempt := func(password string) string {
		run(t, ctx, "logon attempt", chromedp.Navigate(base+"/console/ram-signin"),
			chromedp.WaitVisible(tid("ram-logon-name")),
			chromedp.SendKeys(tid("ram-logon-name"), "dave@"+w.acct.ID),
			chromedp.Click(tid("ram-next")),
			chromedp.WaitVisible(tid("ram-password")),
			chromedp.SendKeys(tid("ram-password"), password),
			chromedp.Click(tid("ram-logon")),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-code"], [data-testid="identity"]`)))
		return value(t, ctx, "read the outcome", chromedp.Evaluate[string](`(document.querySelector('[data-testid="error-code"]')||{}).textContent||"signed in"`))
	}
	// The account's logon URL pre-fills the suffix: a bare name is completed.
	run(t, ctx, "logon URL", chromedp.Navigate(base+"/console/ram-signin/"+w.acct.ID+".onaliyun.com"),
		chromedp.WaitVisible(tid("ram-logon-name")),
		chromedp.SendKeys(tid("ram-logon-name"), "dave"),
		chromedp.Click(tid("ram-next")),
		chromedp.WaitVisible(tid("ram-password")))
	if got := textOf(t, ctx, tid("ram-logon-shown")); got != "dave@"+w.acct.ID+".onaliyun.com" {
		t.Fatalf("the pre-filled suffix gave %q", got)
	}
	for i := 0; i < 2; i++ {
		if got := attempt("wrong-password"); got != "InvalidCredentials" {
			t.Fatalf("wrong password %d: %q", i, got)
		}
	}
	if got := attempt("Dave-Passw0rd-1"); got != "InvalidCredentials" {
		t.Fatalf("the right password during the lock: %q, want InvalidCredentials", got)
	}
	screenshot(t, ctx, "logon-refused.png")

	// A form without the token (as another site would post it).
	run(t, ctx, "post without a token", chromedp.Navigate(base+"/console/signin"),
		chromedp.WaitVisible(tid("signin-form")),
		script(`document.querySelector('[data-testid="signin-form"] input[name="csrf"]').remove()`),
		chromedp.SendKeys(tid("signin-account"), w.acct.Email),
		chromedp.SendKeys(tid("signin-password"), w.acct.Password),
		chromedp.Click(tid("signin-submit")),
		chromedp.WaitVisible(tid("error-code")))
	if got := textOf(t, ctx, tid("error-code")); got != "Forbidden.CSRF" {
		t.Fatalf("token-less post: %q, want Forbidden.CSRF", got)
	}

	member := createResourceAccount(t, w.admin, w.directory.RootFolderId, "Prod", "prod")
	run(t, ctx, "resource root", chromedp.Navigate(base+"/console/signin"),
		chromedp.WaitVisible(tid("signin-form")),
		chromedp.SendKeys(tid("signin-account"), member.AccountId),
		chromedp.SendKeys(tid("signin-password"), "Any-Passw0rd-1"),
		chromedp.Click(tid("signin-submit")),
		chromedp.WaitVisible(tid("error-message")))
	if msg := textOf(t, ctx, tid("error-message")); !strings.Contains(msg, "RAM users") || !strings.Contains(msg, "management account") {
		t.Fatalf("resource root refusal does not say how to get in: %q", msg)
	}
}
