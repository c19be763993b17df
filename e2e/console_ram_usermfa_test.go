package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestConsoleAdminBindsMFAForAUser: an administrator enables a virtual MFA
// device for another RAM user from the user's page (CreateVirtualMFADevice
// then BindMFADevice through the invoker). Wrong codes show the action's
// refusal with the same secret to retry; right codes bind, and the user's
// next logon asks for a code. A user without ram:BindMFADevice gets
// NoPermission binding for someone else; a token-less post changes nothing.
func TestConsoleAdminBindsMFAForAUser(t *testing.T) {
	w := newRAMWorld(t)
	w.consoleUser(t, "erin", "Erin-Passw0rd-1", false, false)
	b := newBrowser(t, w.srv)
	b.signInRoot(w.acct.Email, w.acct.Password)
	wantStatus(t, b.get("/console/ram/users/erin"), http.StatusOK, `data-testid="mfa-none"`, `data-testid="mfa-enable"`)
	wantStatus(t, b.postRaw("/console/ram/users/erin/mfa/create", url.Values{}, b.base), http.StatusForbidden, "Forbidden.CSRF")

	created := b.post("/console/ram/users/erin/mfa/create", url.Values{})
	wantStatus(t, created, http.StatusOK, `data-testid="mfa-qr"`, `data-testid="user-mfa-bind-form"`)
	secret := secretShown.FindStringSubmatch(created.body)[1]
	serial := shownValue(t, created, "mfa-device")
	form := url.Values{"serial": {serial}, "secret": {secret}, "qr": {"not base64 <script>"}, "code1": {"000000"}, "code2": {"000001"}}
	wrong := b.post("/console/ram/users/erin/mfa/bind", form)
	wantStatus(t, wrong, http.StatusForbidden, "CheckAuthenticationCodeFail", `data-testid="mfa-secret">`+secret+`<`)
	if strings.Contains(wrong.body, "<script>") || strings.Contains(wrong.body, `data-testid="mfa-qr"`) {
		t.Fatal("a posted-back QR value that is not base64 reached the page")
	}

	form.Set("code1", totpAt(t, secret, w.srv.App.Now().Add(-30e9)))
	form.Set("code2", totpAt(t, secret, w.srv.App.Now()))
	wantRedirect(t, b.post("/console/ram/users/erin/mfa/bind", form), "/console/ram/users/erin?")
	wantStatus(t, b.get("/console/ram/users/erin"), http.StatusOK, `data-testid="mfa-serial">`+serial+`<`)
	wantRedirect(t, newBrowser(t, w.srv).ramLogon("erin@"+w.acct.ID+".onaliyun.com", "Erin-Passw0rd-1"), "/console/verify-mfa")

	// Fred, with no policy, may create a device (self-service, the
	// security preference's default) but not bind it to another user.
	w.consoleUser(t, "fred", "Fred-Passw0rd-1", false, false)
	w.consoleUser(t, "gina", "Gina-Passw0rd-1", false, false)
	fred := newBrowser(t, w.srv)
	wantRedirect(t, fred.ramLogon("fred@"+w.acct.ID+".onaliyun.com", "Fred-Passw0rd-1"), "/console/")
	fred.get("/console/")
	own := fred.post("/console/ram/users/gina/mfa/create", url.Values{})
	secret = secretShown.FindStringSubmatch(own.body)[1]
	form = url.Values{"serial": {shownValue(t, own, "mfa-device")}, "secret": {secret},
		"code1": {totpAt(t, secret, w.srv.App.Now().Add(-30e9))}, "code2": {totpAt(t, secret, w.srv.App.Now())}}
	wantStatus(t, fred.post("/console/ram/users/gina/mfa/bind", form), http.StatusForbidden, "NoPermission")
	wantStatus(t, b.get("/console/ram/users/gina"), http.StatusOK, `data-testid="mfa-none"`)
}
