package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var switchCodeInMail = regexp.MustCompile(`resource account is (\d{6})\.`)

// TestConsoleSwitchToResourceAccount: the seed's dialog. The management
// root is refused with the directory's explanation before any code is
// sent; a RAM administrator must tick the risk box, gets a code by e-mail
// to the management account's security email (the outbox), a wrong code
// and an expired one are refused, the right one switches the member
// through UpdateAccount (whose own precondition, no active root
// AccessKey, shows first), and the member's root can no longer sign in.
func TestConsoleSwitchToResourceAccount(t *testing.T) {
	w := newRDWorld(t)
	guest := joinedCloudAccount(t, w)
	path := "/console/rd/members/" + guest.acct.ID + "/switch"

	root := newBrowser(t, w.srv)
	root.signInRoot(w.acct.Email, w.acct.Password)
	wantStatus(t, root.get("/console/rd/members/"+guest.acct.ID), http.StatusOK, `data-testid="rd-switch-type"`)
	refused := root.get(path)
	wantStatus(t, refused, http.StatusConflict, "CallerIdentityError", "root user of the management account", "RAM user")
	wantStatus(t, root.post(path, url.Values{"risk": {"yes"}}), http.StatusConflict, "CallerIdentityError")

	b := newBrowser(t, w.srv)
	b.signedInRAM(w.giveConsolePassword(t, "rd-admin", "Rd-Admin-Passw0rd"), "Rd-Admin-Passw0rd")
	wantStatus(t, b.get(path), http.StatusOK, `data-testid="switch-dialog"`, `data-testid="switch-risk"`, "Its root user is disabled")
	wantStatus(t, b.post(path, url.Values{}), http.StatusBadRequest, "InvalidParameter.RiskNotAccepted")
	wantStatus(t, b.postRaw(path, url.Values{"risk": {"yes"}}, b.base), http.StatusForbidden, "Forbidden.CSRF")
	// Verifying before any code was sent.
	wantStatus(t, b.post(path, url.Values{"step": {"verify"}, "code": {"123456"}}), http.StatusBadRequest, "InvalidVerificationCode", "Get a verification code first")

	sent := b.post(path, url.Values{"risk": {"yes"}})
	wantStatus(t, sent, http.StatusOK, `data-testid="switch-verify-form"`, `data-testid="switch-sent"`)
	if strings.Contains(sent.body, w.acct.Email) {
		t.Fatal("the page spells out the whole security email")
	}
	code := switchCodeInMail.FindStringSubmatch(mails(t, w.srv, w.acct.Email, 1)[0])[1]
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	wantStatus(t, b.post(path, url.Values{"step": {"verify"}, "code": {wrong}}), http.StatusBadRequest, "InvalidVerificationCode")
	// The right code, while the member's root AccessKey is active: the
	// directory's precondition refuses, and the code is spent.
	wantStatus(t, b.post(path, url.Values{"step": {"verify"}, "code": {code}}), http.StatusConflict, "error-code")
	wantStatus(t, b.post(path, url.Values{"step": {"verify"}, "code": {code}}), http.StatusBadRequest, "Get a verification code first")
	ok(t, "disable the member's root key", setRootKeyStatus(guest.root, guest.acct.AccessKeyID, "Inactive"))

	// An expired code.
	b.post(path, url.Values{"risk": {"yes"}})
	expired := switchCodeInMail.FindStringSubmatch(mails(t, w.srv, w.acct.Email, 2)[1])[1]
	w.srv.Advance(6 * time.Minute)
	wantStatus(t, b.post(path, url.Values{"step": {"verify"}, "code": {expired}}), http.StatusBadRequest, "expired")

	// Five wrong codes spend the code.
	b.post(path, url.Values{"risk": {"yes"}})
	guessed := switchCodeInMail.FindStringSubmatch(mails(t, w.srv, w.acct.Email, 3)[2])[1]
	for i := 0; i < 5; i++ {
		bad := "99999" + string(rune('0'+i))
		if bad == guessed {
			bad = "888888"
		}
		wantStatus(t, b.post(path, url.Values{"step": {"verify"}, "code": {bad}}), http.StatusBadRequest, "InvalidVerificationCode")
	}
	wantStatus(t, b.post(path, url.Values{"step": {"verify"}, "code": {guessed}}), http.StatusBadRequest, "Get a verification code first")

	b.post(path, url.Values{"risk": {"yes"}})
	fresh := switchCodeInMail.FindStringSubmatch(mails(t, w.srv, w.acct.Email, 4)[3])[1]
	done := b.post(path, url.Values{"step": {"verify"}, "code": {fresh}})
	if done.status != http.StatusSeeOther {
		t.Fatalf("switch: %d\n%s", done.status, done.body)
	}
	detail := b.follow(done)
	wantStatus(t, detail, http.StatusOK, "is now a resource account", `data-testid="rd-member-type">ResourceAccount<`)
	if strings.Contains(detail.body, `data-testid="rd-switch-type"`) {
		t.Fatal("a resource account still offers Switch to Resource Account")
	}
	if a := getAccount(t, w.admin, guest.acct.ID); a.Type != "ResourceAccount" {
		t.Fatalf("the SDK sees type %s", a.Type)
	}
	// The member's root can no longer sign in to the console.
	in := newBrowser(t, w.srv)
	in.get("/console/signin")
	wantStatus(t, in.post("/console/signin", url.Values{"account": {guest.acct.Email}, "password": {guest.acct.Password}}), http.StatusForbidden, "error-code")
}
