package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/actiontrail"
	imssdk "github.com/aliyun/alibaba-cloud-sdk-go/services/ims"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// signinEvents are the ConsoleSignin events of an account, newest first.
func signinEvents(t *testing.T, trail *actiontrail.Client) []map[string]interface{} {
	t.Helper()
	var out []map[string]interface{}
	for _, ev := range lookup(t, trail, "EventName", "ConsoleSignin", "50", "").Events {
		out = append(out, ev)
	}
	return out
}

func additional(ev map[string]interface{}) map[string]interface{} {
	m, _ := ev["additionalEventData"].(map[string]interface{})
	return m
}

// TestConsoleSharesTheListenerWithTheAPI: / sends a person to the console,
// while SDK calls (which always name an action) and /healthz answer as
// before.
func TestConsoleSharesTheListenerWithTheAPI(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRAMWorld(t, opts...)
		b := newBrowser(t, w.srv)
		root := b.get("/")
		if root.status != http.StatusFound || root.location != "/console/" {
			t.Fatalf("GET / = %d %q, want a redirect to /console/", root.status, root.location)
		}
		if p := b.get("/console/"); p.status != http.StatusSeeOther || p.location != "/console/signin" {
			t.Fatalf("GET /console/ without a session = %d %q", p.status, p.location)
		}
		wantStatus(t, b.get("/healthz"), http.StatusOK, "ok")
		w.createUser(t, "alice") // an SDK call through "/"
		if _, err := w.srv.STSClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret).GetCallerIdentity(sts.CreateGetCallerIdentityRequest()); err != nil {
			t.Fatal(err)
		}
		// A GET of / that names an action is an API call, answered as one.
		wantStatus(t, b.get("/?Action=GetCallerIdentity&Version=2015-04-01"), http.StatusBadRequest, "IncompleteSignature")
	})
}

// TestConsoleRootSignIn: a wrong password and an unknown account get the
// same refusal; both attempts on a real account are in its trail; the
// session cookie is HttpOnly and SameSite, with a fresh id; the shell shows
// who is signed in; the trail page goes through the invoker and is itself
// audited as a ConsoleOperation.
func TestConsoleRootSignIn(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRAMWorld(t, opts...)
		b := newBrowser(t, w.srv)
		b.get("/console/signin")
		wrong := b.post("/console/signin", url.Values{"account": {w.acct.Email}, "password": {"not-the-password-1"}})
		nobody := b.post("/console/signin", url.Values{"account": {"nobody@example.com"}, "password": {"not-the-password-1"}})
		wantStatus(t, wrong, http.StatusForbidden, "InvalidCredentials")
		wantStatus(t, nobody, http.StatusForbidden, "InvalidCredentials")
		if msg := func(p page) string { return p.body[strings.Index(p.body, `data-testid="error-message"`):][:200] }; msg(wrong) != msg(nobody) {
			t.Fatalf("refusals differ (user enumeration):\n%s\n%s", msg(wrong), msg(nobody))
		}

		// A cookie planted before sign-in is never adopted (fixation).
		planted := &http.Cookie{Name: "canopy-session", Value: w.acct.ID + ".planted-planted-planted-planted-planted-planted", Path: "/"}
		u, _ := url.Parse(b.base + "/")
		b.client.Jar.SetCookies(u, []*http.Cookie{planted})
		p := b.post("/console/signin", url.Values{"account": {w.acct.Email}, "password": {w.acct.Password}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("sign-in: %d\n%s", p.status, p.body)
		}
		var set *http.Cookie
		for _, c := range p.cookies {
			if c.Name == "canopy-session" {
				set = c
			}
		}
		if set == nil || !set.HttpOnly || set.SameSite != http.SameSiteLaxMode || set.Path != "/" || set.Secure {
			t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP", set)
		}
		if set.Value == planted.Value || !strings.HasPrefix(set.Value, w.acct.ID+".") {
			t.Fatalf("session id %q: want a fresh one", set.Value)
		}
		home := b.follow(p)
		wantStatus(t, home, http.StatusOK, `data-testid="identity-name">root<`, w.acct.ID)

		trailPage := b.get("/console/trail?key=EventName&value=ConsoleSignin")
		wantStatus(t, trailPage, http.StatusOK, `data-testid="trail-event-name">ConsoleSignin<`, `isMFAChecked`)
		if n := strings.Count(trailPage.body, `data-testid="trail-row"`); n != 2 {
			t.Fatalf("trail page shows %d ConsoleSignin events, want 2 (the failure and the success)", n)
		}

		trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		evs := signinEvents(t, trail)
		if len(evs) != 2 || evs[0]["errorCode"] != "" || evs[1]["errorCode"] != "InvalidCredentials" {
			t.Fatalf("ConsoleSignin events: %v", evs)
		}
		shownID := regexp.MustCompile(`data-testid="error-request-id">([^<]+)<`).FindStringSubmatch(wrong.body)
		if shownID == nil || evs[1]["requestId"] != shownID[1] {
			t.Fatalf("the refusal shows request id %v, its event has %v", shownID, evs[1]["requestId"])
		}
		if ad := additional(evs[0]); ad["isMFAChecked"] != "false" || ad["loginAccount"] != w.acct.Email {
			t.Fatalf("success event's additionalEventData: %v", ad)
		}
		if id := evs[0]["userIdentity"].(map[string]interface{}); id["type"] != "root-account" || id["userName"] != "root" {
			t.Fatalf("success event's identity: %v", id)
		}
		ops := lookup(t, trail, "EventName", "LookupEvents", "50", "").Events
		if len(ops) < 1 || ops[len(ops)-1]["eventType"] != "ConsoleOperation" || ops[len(ops)-1]["userAgent"] != "AliyunConsole" {
			t.Fatalf("the console's LookupEvents is not audited as a ConsoleOperation: %v", ops)
		}

		// Sign-out ends the session on the server: the old cookie is dead.
		old := b.cookie("canopy-session").Value
		out := b.post("/console/signout", url.Values{})
		if out.status != http.StatusSeeOther || out.location != "/console/signin" {
			t.Fatalf("sign-out: %d %s", out.status, out.location)
		}
		replay := newBrowser(t, w.srv)
		replay.client.Jar.SetCookies(u, []*http.Cookie{{Name: "canopy-session", Value: old, Path: "/"}})
		if p := replay.get("/console/"); p.status != http.StatusSeeOther || p.location != "/console/signin" {
			t.Fatalf("a signed-out session still opens the console: %d", p.status)
		}
	})
}

// TestConsoleRefusesResourceAccountRoots: a resource account's root has no
// password; the refusal says how such an account is reached.
func TestConsoleRefusesResourceAccountRoots(t *testing.T) {
	w := newRDWorld(t)
	member := createResourceAccount(t, w.admin, w.directory.RootFolderId, "Dev", "dev")
	b := newBrowser(t, w.srv)
	b.get("/console/signin")
	p := b.post("/console/signin", url.Values{"account": {member.AccountId}, "password": {"Initial-Passw0rd"}})
	wantStatus(t, p, http.StatusForbidden, "InvalidCredentials", "RAM users", "role the management account assumes")
}

// TestConsoleCSRFAndOrigin: every state-changing request needs the page's
// token and this server's Origin.
func TestConsoleCSRFAndOrigin(t *testing.T) {
	w := newRAMWorld(t)
	b := newBrowser(t, w.srv)
	b.get("/console/signin")
	form := url.Values{"account": {w.acct.Email}, "password": {w.acct.Password}}
	noToken := b.postRaw("/console/signin", form, b.base)
	wantStatus(t, noToken, http.StatusForbidden, "Forbidden.CSRF")
	withToken := cloneForm(form)
	withToken.Set("csrf", b.csrf)
	wantStatus(t, b.postRaw("/console/signin", withToken, "http://evil.example"), http.StatusForbidden, "Forbidden.CSRF")
	wantStatus(t, b.postRaw("/console/signin", withToken, ""), http.StatusForbidden, "Forbidden.CSRF")

	b.signInRoot(w.acct.Email, w.acct.Password)
	// Sign-out without the session's token, or from another origin, does nothing.
	wantStatus(t, b.postRaw("/console/signout", url.Values{}, b.base), http.StatusForbidden, "Forbidden.CSRF")
	wantStatus(t, b.postRaw("/console/signout", url.Values{"csrf": {b.csrf}}, "http://evil.example"), http.StatusForbidden, "Forbidden.CSRF")
	wantStatus(t, b.get("/console/"), http.StatusOK, `data-testid="identity-name">root<`)
}

// TestConsoleSessionTimeouts: idle and absolute timeouts on the domain
// clock.
func TestConsoleSessionTimeouts(t *testing.T) {
	w := newRAMWorld(t)
	b := newBrowser(t, w.srv)
	b.signInRoot(w.acct.Email, w.acct.Password)
	w.srv.Advance(29 * time.Minute)
	wantStatus(t, b.get("/console/"), http.StatusOK) // still alive, and touched
	w.srv.Advance(29 * time.Minute)
	wantStatus(t, b.get("/console/"), http.StatusOK)
	w.srv.Advance(31 * time.Minute)
	if p := b.get("/console/"); p.status != http.StatusSeeOther {
		t.Fatalf("after 31 idle minutes: %d, want the sign-in page", p.status)
	}

	b.signInRoot(w.acct.Email, w.acct.Password)
	for i := 0; i < 17; i++ { // active every 20 minutes: 5h40m
		w.srv.Advance(20 * time.Minute)
		wantStatus(t, b.get("/console/"), http.StatusOK)
	}
	w.srv.Advance(20 * time.Minute) // 6h: the root session's absolute end
	if p := b.get("/console/"); p.status != http.StatusSeeOther {
		t.Fatalf("after 6 hours: %d, want the sign-in page", p.status)
	}

	// Abandoned sessions (a browser that never comes back) are purged when
	// the account opens a new one, once past their absolute end.
	gone := newBrowser(t, w.srv)
	gone.signInRoot(w.acct.Email, w.acct.Password)
	if n := countSessions(t, w.srv, w.acct.ID); n != 1 {
		t.Fatalf("%d session records, want 1", n)
	}
	w.srv.Advance(6*time.Hour + time.Minute)
	b.signInRoot(w.acct.Email, w.acct.Password)
	if n := countSessions(t, w.srv, w.acct.ID); n != 1 {
		t.Fatalf("%d session records after an abandoned one expired, want 1", n)
	}
}

func countSessions(t *testing.T, srv *canopytest.Server, acct string) int {
	t.Helper()
	var n int
	err := srv.App.Store.Read(context.Background(), func(tx store.Tx) error {
		var err error
		n, err = tx.Records().Count(store.Query{AccountID: acct, Kind: "console-session"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestConsoleRAMUserForcedPasswordAndMFA walks the logon of a user whose
// login profile requires a new password and an MFA device, then a second
// logon with the bound device, with code replay refused.
func TestConsoleRAMUserForcedPasswordAndMFA(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRAMWorld(t, opts...)
		w.consoleUser(t, "alice", "First-Passw0rd!", true, true)
		b := newBrowser(t, w.srv)
		logon := "alice@" + w.acct.ID + ".onaliyun.com"
		p := b.ramLogon(logon, "First-Passw0rd!")
		if p.status != http.StatusSeeOther || p.location != "/console/change-password" {
			t.Fatalf("logon: %d %s\n%s", p.status, p.location, p.body)
		}
		// Nothing else opens before the change.
		if q := b.get("/console/trail"); q.location != "/console/change-password" {
			t.Fatalf("trail page during the forced change: %d %s", q.status, q.location)
		}
		b.get("/console/change-password")
		short := b.post("/console/change-password", url.Values{"old": {"First-Passw0rd!"}, "new": {"x"}, "confirm": {"x"}})
		wantStatus(t, short, http.StatusBadRequest, "InvalidParameter.NewPassword")
		p = b.post("/console/change-password", url.Values{"old": {"First-Passw0rd!"}, "new": {"Second-Passw0rd!"}, "confirm": {"Second-Passw0rd!"}})
		if p.status != http.StatusSeeOther || p.location != "/console/bind-mfa" {
			t.Fatalf("after the change: %d %s\n%s", p.status, p.location, p.body)
		}
		bind := b.get("/console/bind-mfa")
		m := secretShown.FindStringSubmatch(bind.body)
		if m == nil || !strings.Contains(bind.body, `data-testid="mfa-qr"`) {
			t.Fatalf("binding page shows no secret or QR code:\n%s", bind.body)
		}
		secret := m[1]
		now := w.srv.App.Now()
		c1, c2 := consecutiveCodes(t, secret, now)
		wantStatus(t, b.post("/console/bind-mfa", url.Values{"code1": {c2}, "code2": {c1}}), http.StatusBadRequest, "CheckAuthenticationCodeFail")
		p = b.post("/console/bind-mfa", url.Values{"code1": {c1}, "code2": {c2}})
		if p.status != http.StatusSeeOther || p.location != "/console/" {
			t.Fatalf("after binding: %d %s\n%s", p.status, p.location, p.body)
		}
		wantStatus(t, b.follow(p), http.StatusOK, `data-testid="identity-name">alice<`, "RAM user")

		// Second logon: the device's code, once.
		b.post("/console/signout", url.Values{})
		p = b.ramLogon("alice@"+w.acct.ID, "Second-Passw0rd!")
		if p.location != "/console/verify-mfa" {
			t.Fatalf("second logon: %d %s", p.status, p.location)
		}
		b.get("/console/verify-mfa")
		wantStatus(t, b.post("/console/verify-mfa", url.Values{"code": {c2}}), http.StatusForbidden, "AuthenticationCode")
		w.srv.Advance(30 * time.Second)
		code := totpAt(t, secret, w.srv.App.Now())
		p = b.post("/console/verify-mfa", url.Values{"code": {code}})
		if p.status != http.StatusSeeOther || p.location != "/console/" {
			t.Fatalf("verify: %d %s\n%s", p.status, p.location, p.body)
		}
		b.follow(p)

		// A third logon cannot reuse that code.
		other := newBrowser(t, w.srv)
		other.ramLogon(logon, "Second-Passw0rd!")
		other.get("/console/verify-mfa")
		wantStatus(t, other.post("/console/verify-mfa", url.Values{"code": {code}}), http.StatusForbidden, "AuthenticationCode")
		// Guessing is bounded: the fifth wrong code ends the logon.
		for i := 0; i < 4; i++ {
			other.post("/console/verify-mfa", url.Values{"code": {"000000"}, "csrf": {other.csrf}})
		}
		if q := other.get("/console/verify-mfa"); q.location != "/console/signin" {
			t.Fatalf("after 5 wrong MFA codes the logon goes on: %d %s", q.status, q.location)
		}

		trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		evs := signinEvents(t, trail)
		var ok, failed int
		for _, ev := range evs {
			ad := additional(ev)
			if ev["errorCode"] == "" && ad["isMFAChecked"] == "true" && ad["loginAccount"] != "" {
				ok++
			}
			if ev["errorCode"] != "" {
				failed++
			}
		}
		if ok != 2 || failed != 6 {
			t.Fatalf("want 2 MFA-checked sign-ins and 6 refused codes in the trail, got %d and %d: %v", ok, failed, evs)
		}

		// The logon's own steps are console operations of alice in the trail.
		for action, want := range map[string][]string{
			"ChangePassword":         {"", "InvalidParameter.NewPassword.TooWeak"},
			"CreateVirtualMFADevice": {""},
			"BindMFADevice":          {"", "CheckAuthenticationCodeFail"},
		} {
			evs := lookup(t, trail, "EventName", action, "50", "").Events
			if len(evs) != len(want) {
				t.Fatalf("%s: %d events, want %d", action, len(evs), len(want))
			}
			for i, ev := range evs {
				id := ev["userIdentity"].(map[string]interface{})
				code, _ := ev["errorCode"].(string)
				if ev["eventType"] != "ConsoleOperation" || id["userName"] != "alice" || !strings.HasPrefix(code, want[i]) || (want[i] == "") != (code == "") {
					t.Fatalf("%s event %d: %v", action, i, ev)
				}
				if raw, _ := json.Marshal(ev); strings.Contains(string(raw), "Passw0rd") {
					t.Fatalf("%s event leaks a password: %s", action, raw)
				}
			}
		}

		// Changing the password elsewhere ends the user's sessions.
		up := ram.CreateUpdateLoginProfileRequest()
		up.UserName, up.Password = "alice", "Third-Passw0rd!"
		_, err := w.root.UpdateLoginProfile(up)
		ok2(t, err)
		if q := b.get("/console/"); q.status != http.StatusSeeOther || q.location != "/console/signin" {
			t.Fatalf("a session outlived its password: %d %s", q.status, q.location)
		}
	})
}

func ok2(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestConsoleRAMUserLockout: MaxLoginAttemps failures lock the user for an
// hour, even against the right password; the refusals look alike.
func TestConsoleRAMUserLockout(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRAMWorld(t, opts...)
		pol := ram.CreateSetPasswordPolicyRequest()
		pol.MaxLoginAttemps = requests.NewInteger(3)
		_, err := w.root.SetPasswordPolicy(pol)
		ok2(t, err)
		w.consoleUser(t, "bob", "Bob-Passw0rd-1", false, false)
		b := newBrowser(t, w.srv)
		logon := "bob@" + w.acct.ID + ".onaliyun.com"
		for i := 0; i < 3; i++ {
			wantStatus(t, b.ramLogon(logon, "wrong-password"), http.StatusForbidden, "InvalidCredentials")
		}
		locked := b.ramLogon(logon, "Bob-Passw0rd-1")
		wantStatus(t, locked, http.StatusForbidden, "InvalidCredentials")
		ghost := b.ramLogon("ghost@"+w.acct.ID+".onaliyun.com", "Bob-Passw0rd-1")
		wantStatus(t, ghost, http.StatusForbidden, "InvalidCredentials")
		w.srv.Advance(61 * time.Minute)
		if p := b.ramLogon(logon, "Bob-Passw0rd-1"); p.status != http.StatusSeeOther || p.location != "/console/" {
			t.Fatalf("after the lock: %d %s\n%s", p.status, p.location, p.body)
		}
	})
}

// TestConsoleRAMUserLogonRules: Inactive login profiles, network masks,
// hard and soft password expiry, deleted users, unknown domains.
func TestConsoleRAMUserLogonRules(t *testing.T) {
	w := newRAMWorld(t)
	w.consoleUser(t, "carol", "Carol-Passw0rd-1", false, false)
	logon := "carol@" + w.acct.ID + ".onaliyun.com"
	b := newBrowser(t, w.srv)

	b.get("/console/ram-signin")
	wantStatus(t, b.post("/console/ram-signin", url.Values{"logon": {"carol@nosuchalias.onaliyun.com"}}), http.StatusNotFound, "EntityNotExist.Account")
	wantStatus(t, b.post("/console/ram-signin", url.Values{"logon": {"carol"}}), http.StatusBadRequest, "InvalidParameter.LogonName")

	pref := ram.CreateSetSecurityPreferenceRequest()
	pref.LoginNetworkMasks = "10.0.0.0/8"
	_, err := w.root.SetSecurityPreference(pref)
	ok2(t, err)
	wantStatus(t, b.ramLogon(logon, "Carol-Passw0rd-1"), http.StatusForbidden, "Forbidden.LoginNetworkMask")
	pref.LoginNetworkMasks = "127.0.0.0/8"
	_, err = w.root.SetSecurityPreference(pref)
	ok2(t, err)

	pol := ram.CreateSetPasswordPolicyRequest()
	pol.MaxPasswordAge, pol.HardExpiry = requests.NewInteger(1), requests.NewBoolean(false)
	_, err = w.root.SetPasswordPolicy(pol)
	ok2(t, err)
	w.srv.Advance(25 * time.Hour)
	if p := b.ramLogon(logon, "Carol-Passw0rd-1"); p.location != "/console/change-password" {
		t.Fatalf("an expired password (soft) must be changed first: %d %s\n%s", p.status, p.location, p.body)
	}
	pol.HardExpiry = requests.NewBoolean(true)
	_, err = w.root.SetPasswordPolicy(pol)
	ok2(t, err)
	fresh := newBrowser(t, w.srv)
	wantStatus(t, fresh.ramLogon(logon, "Carol-Passw0rd-1"), http.StatusForbidden, "Forbidden.PasswordExpired")
	pol.MaxPasswordAge = requests.NewInteger(0)
	_, err = w.root.SetPasswordPolicy(pol)
	ok2(t, err)

	p := fresh.ramLogon(logon, "Carol-Passw0rd-1")
	if p.location != "/console/" {
		t.Fatalf("logon: %d %s\n%s", p.status, p.location, p.body)
	}
	fresh.follow(p)
	// carol has no policy: the users page is the refusal, with its code
	// and request id, not an empty table.
	wantStatus(t, fresh.get("/console/ram/users"), http.StatusForbidden, "NoPermission", `data-testid="error-request-id"`)

	// Status=Inactive ends the session and refuses the next logon.
	ims := w.srv.IMSClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
	up := imssdk.CreateUpdateLoginProfileRequest()
	up.UserPrincipalName, up.Status = logon, "Inactive"
	_, err = ims.UpdateLoginProfile(up)
	ok2(t, err)
	if q := fresh.get("/console/"); q.location != "/console/signin" {
		t.Fatalf("a session outlived its login profile: %d %s", q.status, q.location)
	}
	wantStatus(t, fresh.ramLogon(logon, "Carol-Passw0rd-1"), http.StatusForbidden, "Forbidden.LoginProfileInactive")
}

// TestConsoleUsersPage: the RAM Users list pages through ListUsers, shows
// the total, searches names, and has an empty state.
func TestConsoleUsersPage(t *testing.T) {
	w := newRAMWorld(t)
	b := newBrowser(t, w.srv)
	b.signInRoot(w.acct.Email, w.acct.Password)
	wantStatus(t, b.get("/console/ram/users"), http.StatusOK, `data-testid="users-empty"`, `data-testid="users-total">0<`,
		`data-testid="login-url">`+b.base+"/console/ram-signin/"+w.acct.ID+".onaliyun.com<")
	anon := newBrowser(t, w.srv)
	wantStatus(t, anon.get("/console/ram-signin/"+w.acct.ID+".onaliyun.com?username=zed"), http.StatusOK,
		`data-domain="`+w.acct.ID+`.onaliyun.com"`, `value="zed"`)
	for i := 0; i < 25; i++ {
		w.createUser(t, "user-"+strconv.Itoa(i))
	}
	first := b.get("/console/ram/users")
	wantStatus(t, first, http.StatusOK, `data-testid="users-total">25<`, `data-testid="users-next"`)
	if n := strings.Count(first.body, `data-testid="user-row"`); n != 20 {
		t.Fatalf("first page has %d rows, want 20", n)
	}
	next := regexp.MustCompile(`href="([^"]+)" data-testid="users-next"`).FindStringSubmatch(first.body)
	second := b.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	if n := strings.Count(second.body, `data-testid="user-row"`); n != 5 || strings.Contains(second.body, `data-testid="users-next"`) {
		t.Fatalf("second page has %d rows (want 5) or a next link", n)
	}
	found := b.get("/console/ram/users?search=USER-1")
	if n := strings.Count(found.body, `data-testid="user-row"`); n != 11 { // user-1, user-10..19
		t.Fatalf("search user-1 found %d rows, want 11", n)
	}
	wantStatus(t, b.get("/console/ram/users?search=nobody"), http.StatusOK, `data-testid="users-empty"`, "No user matches")
}

// TestConsoleDeleteUserConfirmsAndGoesThroughTheInvoker: Delete names the
// user on a confirmation page first; the deletion is the API's DeleteUser
// (its conflicts shown with code and request id, its permission needed),
// audited as a write ConsoleOperation.
func TestConsoleDeleteUserConfirmsAndGoesThroughTheInvoker(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRAMWorld(t, opts...)
		w.createUser(t, "gina")
		w.consoleUser(t, "hank", "Hank-Passw0rd-1", false, false)
		b := newBrowser(t, w.srv)
		b.signInRoot(w.acct.Email, w.acct.Password)
		b.get("/console/ram/users")
		ask := b.post("/console/ram/users/delete", url.Values{"user": {"gina"}})
		wantStatus(t, ask, http.StatusOK, `data-testid="confirm-question"`, `Delete the RAM user &#34;gina&#34;?`)
		get := ram.CreateGetUserRequest()
		get.UserName = "gina"
		if _, err := w.root.GetUser(get); err != nil {
			t.Fatalf("the user is gone before the confirmation: %v", err)
		}
		done := b.post("/console/ram/users/delete", url.Values{"user": {"gina"}, "confirm": {"yes"}})
		if done.status != http.StatusSeeOther {
			t.Fatalf("confirmed delete: %d\n%s", done.status, done.body)
		}
		wantStatus(t, b.follow(done), http.StatusOK, `data-testid="notice"`, "gina was deleted")
		if _, err := w.root.GetUser(get); serverCode(err) != "EntityNotExist.User" {
			t.Fatalf("GetUser after the console deleted it: %v", err)
		}
		// The API's conflict, shown as the cloud's code with a request id.
		blocked := b.post("/console/ram/users/delete", url.Values{"user": {"hank"}, "confirm": {"yes"}})
		wantStatus(t, blocked, http.StatusConflict, "DeleteConflict.User.LoginProfile", `data-testid="error-request-id"`)
		// No token, no deletion.
		wantStatus(t, b.postRaw("/console/ram/users/delete", url.Values{"user": {"hank"}, "confirm": {"yes"}}, b.base), http.StatusForbidden, "Forbidden.CSRF")

		trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		evs := lookup(t, trail, "EventName", "DeleteUser", "50", "").Events
		if len(evs) != 2 {
			t.Fatalf("want 2 DeleteUser events (done, refused), got %d", len(evs))
		}
		for _, ev := range evs {
			if ev["eventType"] != "ConsoleOperation" || ev["eventRW"] != "Write" {
				t.Fatalf("DeleteUser event: %v", ev)
			}
		}
		if evs[0]["errorCode"] != "DeleteConflict.User.LoginProfile" || evs[1]["errorCode"] != "" {
			t.Fatalf("DeleteUser events' outcomes: %v / %v", evs[0]["errorCode"], evs[1]["errorCode"])
		}

		// A RAM user without a policy is refused by the same authorization.
		hank := newBrowser(t, w.srv)
		hank.follow(hank.ramLogon("hank@"+w.acct.ID+".onaliyun.com", "Hank-Passw0rd-1"))
		w.createUser(t, "ivan")
		wantStatus(t, hank.post("/console/ram/users/delete", url.Values{"user": {"ivan"}, "confirm": {"yes"}}), http.StatusForbidden, "NoPermission")
	})
}
