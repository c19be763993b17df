package e2e

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/notify"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// TestConsoleOverTLSUsesHostPrefixedSecureCookies: over TLS the session
// cookie is __Host-canopy-session, Secure, and the Origin check expects
// https.
func TestConsoleOverTLSUsesHostPrefixedSecureCookies(t *testing.T) {
	srv := canopytest.Start(t, canopytest.WithTLS())
	acct := srv.CreateAccount(t)
	jar, _ := cookiejar.New(nil)
	tr := srv.HTTPSTransport(t)
	b := &browser{t: t, base: "https://" + srv.TLSEndpoint, client: &http.Client{Jar: jar, Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	b.get("/console/signin")
	form := url.Values{"account": {acct.Email}, "password": {acct.Password}}
	// An http:// Origin is another origin for an https page.
	plain := cloneForm(form)
	plain.Set("csrf", b.csrf)
	wantStatus(t, b.postRaw("/console/signin", plain, "http://"+srv.TLSEndpoint), http.StatusForbidden, "Forbidden.CSRF")
	p := b.post("/console/signin", form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("sign-in over TLS: %d\n%s", p.status, p.body)
	}
	var set *http.Cookie
	for _, c := range p.cookies {
		if strings.Contains(c.Name, "session") {
			set = c
		}
	}
	if set == nil || set.Name != "__Host-canopy-session" || !set.Secure || !set.HttpOnly || set.Path != "/" || set.Domain != "" {
		t.Fatalf("session cookie over TLS: %+v", set)
	}
	wantStatus(t, b.follow(p), http.StatusOK, `data-testid="identity-name">root<`)
}

// TestConsoleSessionFollowsTheSecurityPreference: a RAM user's session
// lasts LoginSessionDuration hours however active it is, and ends when
// the user is deleted.
func TestConsoleSessionFollowsTheSecurityPreference(t *testing.T) {
	w := newRAMWorld(t)
	pref := ram.CreateSetSecurityPreferenceRequest()
	pref.LoginSessionDuration = requests.NewInteger(1)
	_, err := w.root.SetSecurityPreference(pref)
	ok(t, "SetSecurityPreference", err)
	w.consoleUser(t, "erin", "Erin-Passw0rd-1", false, false)
	b := newBrowser(t, w.srv)
	logon := "erin@" + w.acct.ID + ".onaliyun.com"
	b.follow(b.ramLogon(logon, "Erin-Passw0rd-1"))
	for i := 0; i < 2; i++ {
		w.srv.Advance(25 * time.Minute)
		wantStatus(t, b.get("/console/"), http.StatusOK)
	}
	w.srv.Advance(11 * time.Minute) // 61 minutes after sign-in
	if p := b.get("/console/"); p.location != "/console/signin" {
		t.Fatalf("the session outlived LoginSessionDuration: %d %s", p.status, p.location)
	}

	b.follow(b.ramLogon(logon, "Erin-Passw0rd-1"))
	del := ram.CreateDeleteLoginProfileRequest()
	del.UserName = "erin"
	_, err = w.root.DeleteLoginProfile(del)
	ok(t, "DeleteLoginProfile", err)
	delUser := ram.CreateDeleteUserRequest()
	delUser.UserName = "erin"
	_, err = w.root.DeleteUser(delUser)
	ok(t, "DeleteUser", err)
	// A new erin with the same password is another user: the old session
	// does not become hers.
	w.consoleUser(t, "erin", "Erin-Passw0rd-1", false, false)
	if p := b.get("/console/"); p.location != "/console/signin" {
		t.Fatalf("a deleted user's session survived: %d %s", p.status, p.location)
	}
}

// TestConsoleSessionsAreSeenByEveryNode: a session opened on one node
// works on another sharing the store, and signing out on that one ends it
// on the first.
func TestConsoleSessionsAreSeenByEveryNode(t *testing.T) {
	a := canopytest.Start(t, canopytest.WithPostgres())
	b := canopytest.Start(t, canopytest.WithStore(a.DataDir, a.DB))
	acct := a.CreateAccount(t)
	onA := newBrowser(t, a)
	onA.signInRoot(acct.Email, acct.Password)
	cookie := onA.cookie("canopy-session")
	onB := newBrowser(t, b)
	u, _ := url.Parse(onB.base + "/")
	onB.client.Jar.SetCookies(u, []*http.Cookie{{Name: cookie.Name, Value: cookie.Value, Path: "/"}})
	wantStatus(t, onB.get("/console/"), http.StatusOK, `data-testid="identity-name">root<`)
	// The session's CSRF token is the same on both nodes: it is stored.
	origin := onB.base
	req := url.Values{"csrf": {onB.csrf}}
	if p := onB.postRaw("/console/signout", req, origin); p.status != http.StatusSeeOther {
		t.Fatalf("sign-out on node B: %d\n%s", p.status, p.body)
	}
	if p := onA.get("/console/"); p.location != "/console/signin" {
		t.Fatalf("node A still accepts a session signed out on node B: %d", p.status)
	}
}

// TestConsoleOutboxPage: development mode (the SQLite default) lists the
// sent messages; a server on PostgreSQL has no Outbox page by default.
func TestConsoleOutboxPage(t *testing.T) {
	w := newRAMWorld(t)
	b := newBrowser(t, w.srv)
	b.signInRoot(w.acct.Email, w.acct.Password)
	wantStatus(t, b.get("/console/outbox"), http.StatusOK, `data-testid="outbox-empty"`, `data-testid="nav-outbox"`)
	err := w.srv.App.Notify.Send(context.Background(), notify.Message{Kind: notify.SMS, To: "86-13800000000", Body: "Your code is 424242"})
	ok(t, "send an SMS", err)
	wantStatus(t, b.get("/console/outbox"), http.StatusOK, `data-testid="outbox-count">1<`, "Your code is 424242", "SMS")

	pg := canopytest.Start(t, canopytest.WithPostgres())
	acct := pg.CreateAccount(t)
	prod := newBrowser(t, pg)
	home := prod.signInRoot(acct.Email, acct.Password)
	if strings.Contains(home.body, `data-testid="nav-outbox"`) {
		t.Fatal("the navigation offers the Outbox outside development mode")
	}
	wantStatus(t, prod.get("/console/outbox"), http.StatusNotFound, "Forbidden.DevelopmentModeOff")
}

// TestConsoleLockoutUnderRacingAttempts: wrong passwords sent at once are
// all counted (the count is written in each attempt's transaction), so the
// user is locked however the attempts interleave; a 1 MB form is refused,
// never a 5xx.
func TestConsoleLockoutUnderRacingAttempts(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRAMWorld(t, opts...)
		pol := ram.CreateSetPasswordPolicyRequest()
		pol.MaxLoginAttemps = requests.NewInteger(5)
		_, err := w.root.SetPasswordPolicy(pol)
		ok(t, "SetPasswordPolicy", err)
		w.consoleUser(t, "frank", "Frank-Passw0rd-1", false, false)
		logon := "frank@" + w.acct.ID + ".onaliyun.com"
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := newBrowser(t, w.srv)
				b.get("/console/ram-signin")
				p := b.post("/console/ram-signin", url.Values{"logon": {logon}, "step": {"password"}, "password": {"wrong-password"}})
				if p.status != http.StatusForbidden {
					t.Errorf("racing wrong password: %d", p.status)
				}
			}()
		}
		wg.Wait()
		b := newBrowser(t, w.srv)
		wantStatus(t, b.ramLogon(logon, "Frank-Passw0rd-1"), http.StatusForbidden, "InvalidCredentials")

		b.get("/console/signin")
		huge := url.Values{"account": {w.acct.Email}, "password": {strings.Repeat("x", 1<<20)}}
		if p := b.post("/console/signin", huge); p.status >= 500 || p.status < 400 {
			t.Fatalf("a 1 MB password: %d", p.status)
		}
	})
}
