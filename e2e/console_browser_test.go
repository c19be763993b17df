package e2e

import (
	"context"
	"fmt"
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
	// stop the browser with it; each step gets one (stepTimeout).
	if err := chromedp.Do(browser); err != nil {
		cancel()
		cancelAlloc()
		t.Fatalf("start Chromium: %v", err)
	}
	t.Cleanup(func() { cancel(); cancelAlloc() })
	return browser
}

// stepTimeout bounds each run, value or waitText call, not the whole test:
// a loaded 2-vCPU machine can take seconds per page, so a test of forty
// pages under one deadline timed out while nothing was wrong; a step that
// waits for what never comes still fails, after this long.
const stepTimeout = 60 * time.Second

func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		t.Fatalf("%s: %v\npage:\n%s", what, err, pageBody(ctx))
	}
}

// value runs one action that returns a value.
func value[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(sctx, a)
	if err != nil {
		t.Fatalf("%s: %v\npage:\n%s", what, err, pageBody(ctx))
	}
	return v
}

// pageBody is the page's HTML for a failure message, read with a fresh
// deadline (the step's may be the one that ran out).
func pageBody(ctx context.Context) string {
	bctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	body, _ := chromedp.Run(bctx, chromedp.OuterHTML(chromedp.CSS("body")))
	return body
}

// clickLoads clicks what navigates (a link, a submit button) and waits
// until the page it leads to has replaced the current one and loaded. A
// bare Click followed by WaitVisible is not enough: when both pages show
// the awaited element (a search reloading its own form, a notice on both),
// the wait is satisfied by the old page before the browser has even sent
// the request, and the next click then lands on a page being replaced and
// is lost.
func clickLoads(sel chromedp.CSS) chromedp.Action[chromedp.Void] {
	return loads(chromedp.Click(sel))
}

// loads runs trigger, which must navigate, and waits for the new document.
// It waits first for the current page to finish loading (a click on a page
// still loading its stylesheet or script can land beside its target or miss
// the handlers), then marks the current window; a navigation makes a new
// window without the mark, so "no mark and readyState complete" holds only
// on the page the trigger led to, whatever its URL (a form posting to
// its own address included).
func loads(trigger chromedp.Action[chromedp.Void]) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		loaded(),
		script(`window.canopyTestLeftPage = true`),
		trigger,
		pollPage(`!window.canopyTestLeftPage && document.readyState === "complete"`))
}

// loaded waits until the current page has finished loading: for a click on
// a page that reloads itself (a check or a deletion in progress) once the
// awaited element has shown up on it.
func loaded() chromedp.Action[chromedp.Void] {
	return pollPage(`document.readyState === "complete"`)
}

// pollPage evaluates cond in the current top document until it is true. An
// evaluation failing while one document replaces another is retried; the
// step's deadline ends the wait.
func pollPage(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		var last error
		for {
			ok, err := chromedp.Evaluate[bool](cond)(ctx, tg)
			if err == nil && ok {
				return nil
			}
			if err != nil {
				last = err
			}
			select {
			case <-ctx.Done():
				if last != nil {
					return fmt.Errorf("waiting for %s: %w (last evaluation error: %v)", cond, ctx.Err(), last)
				}
				return fmt.Errorf("waiting for %s: %w", cond, ctx.Err())
			case <-time.After(25 * time.Millisecond):
			}
		}
	})
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
		clickLoads(tid("signin-submit")),
		chromedp.WaitVisible(tid("identity")))
	if got := textOf(t, ctx, tid("identity-name")); got != "root" {
		t.Fatalf("identity %q, want root", got)
	}
	if got := textOf(t, ctx, tid("identity-account")); got != acct.ID {
		t.Fatalf("account %q, want %s", got, acct.ID)
	}
	run(t, ctx, "open Event Query", clickLoads(tid("nav-trail")),
		chromedp.WaitVisible(tid("trail-table")))
	if got := textOf(t, ctx, tid("page-title")); got != "Event Query" {
		t.Fatalf("page title %q", got)
	}
	names := value(t, ctx, "read events", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="trail-event-name"]')].map(e => e.textContent)`))
	if !contains(names, "ConsoleSignin") {
		t.Fatalf("Event Query shows %v, want the ConsoleSignin", names)
	}
	screenshot(t, ctx, "event-query.png")
	run(t, ctx, "open Users", clickLoads(tid("nav-users")),
		chromedp.WaitVisible(tid("users-empty")))
	screenshot(t, ctx, "users-empty.png")
	run(t, ctx, "sign out", clickLoads(tid("signout")), chromedp.WaitVisible(tid("signin-form")))
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
		clickLoads(tid("ram-signin-link")),
		chromedp.WaitVisible(tid("ram-logon-name")))
	screenshot(t, ctx, "ram-logon.png")
	run(t, ctx, "logon name, Next, password",
		chromedp.SendKeys(tid("ram-logon-name"), logon),
		clickLoads(tid("ram-next")),
		chromedp.WaitVisible(tid("ram-password")),
		chromedp.SendKeys(tid("ram-password"), "Generated-Passw0rd!"),
		clickLoads(tid("ram-logon")),
		chromedp.WaitVisible(tid("change-password-form")))
	run(t, ctx, "change the password",
		chromedp.SendKeys(tid("old-password"), "Generated-Passw0rd!"),
		chromedp.SendKeys(tid("new-password"), "Chosen-Passw0rd-2"),
		chromedp.SendKeys(tid("confirm-password"), "Chosen-Passw0rd-2"),
		clickLoads(tid("change-password-submit")),
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
		clickLoads(tid("bind-mfa-submit")),
		chromedp.WaitVisible(tid("identity")))
	if got := textOf(t, ctx, tid("identity-name")); got != "administrator" {
		t.Fatalf("identity %q, want administrator", got)
	}
	screenshot(t, ctx, "console-home.png")
	// AdministratorAccess lets it list the users and delete one, after a
	// confirmation naming it.
	w.createUser(t, "temp")
	run(t, ctx, "open Users", clickLoads(tid("nav-users")),
		chromedp.WaitVisible(tid("users-table")))
	if got := textOf(t, ctx, tid("user-name")); got != logon {
		t.Fatalf("users table shows %q first, want %s", got, logon)
	}
	if got := textOf(t, ctx, tid("users-total")); got != "2" {
		t.Fatalf("total %q, want 2", got)
	}
	screenshot(t, ctx, "users.png")
	run(t, ctx, "delete temp", clickLoads(chromedp.CSS(`[data-testid="user-row"]:nth-of-type(2) [data-testid="user-delete"]`)),
		chromedp.WaitVisible(tid("confirm-dialog")))
	if q := textOf(t, ctx, tid("confirm-question")); !strings.Contains(q, `"temp"`) {
		t.Fatalf("the confirmation does not name the user: %q", q)
	}
	screenshot(t, ctx, "confirm-delete.png")
	run(t, ctx, "confirm", clickLoads(tid("confirm-ok")), chromedp.WaitVisible(tid("notice")))
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
			clickLoads(tid("ram-next")),
			chromedp.WaitVisible(tid("ram-password")),
			chromedp.SendKeys(tid("ram-password"), password),
			clickLoads(tid("ram-logon")),
			chromedp.WaitVisible(chromedp.CSS(`[data-testid="error-code"], [data-testid="identity"]`)))
		return value(t, ctx, "read the outcome", chromedp.Evaluate[string](`(document.querySelector('[data-testid="error-code"]')||{}).textContent||"signed in"`))
	}
	// The account's logon URL pre-fills the suffix: a bare name is completed.
	run(t, ctx, "logon URL", chromedp.Navigate(base+"/console/ram-signin/"+w.acct.ID+".onaliyun.com"),
		chromedp.WaitVisible(tid("ram-logon-name")),
		chromedp.SendKeys(tid("ram-logon-name"), "dave"),
		clickLoads(tid("ram-next")),
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
		clickLoads(tid("signin-submit")),
		chromedp.WaitVisible(tid("error-code")))
	if got := textOf(t, ctx, tid("error-code")); got != "Forbidden.CSRF" {
		t.Fatalf("token-less post: %q, want Forbidden.CSRF", got)
	}

	member := createResourceAccount(t, w.admin, w.directory.RootFolderId, "Prod", "prod")
	run(t, ctx, "resource root", chromedp.Navigate(base+"/console/signin"),
		chromedp.WaitVisible(tid("signin-form")),
		chromedp.SendKeys(tid("signin-account"), member.AccountId),
		chromedp.SendKeys(tid("signin-password"), "Any-Passw0rd-1"),
		clickLoads(tid("signin-submit")),
		chromedp.WaitVisible(tid("error-message")))
	if msg := textOf(t, ctx, tid("error-message")); !strings.Contains(msg, "RAM users") || !strings.Contains(msg, "management account") {
		t.Fatalf("resource root refusal does not say how to get in: %q", msg)
	}
}
