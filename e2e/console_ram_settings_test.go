package e2e

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
)

// TestConsoleRAMSettings: the password policy, security preference and
// alias round-trip through the API; the engine's refusals are shown; the
// alias changes the logon URL and the accepted suffix; a user without a
// policy sees NoPermission.
func TestConsoleRAMSettings(t *testing.T) {
	w := newRAMWorld(t)
	b := newBrowser(t, w.srv)
	b.signInRoot(w.acct.Email, w.acct.Password)
	wantStatus(t, b.get("/console/ram/settings"), http.StatusOK, `data-testid="settings-password"`, `data-testid="settings-domain">`+w.acct.ID+`.onaliyun.com<`)

	pw := url.Values{"MinimumPasswordLength": {"12"}, "MaxPasswordAge": {"90"}, "PasswordReusePrevention": {"3"}, "MaxLoginAttemps": {"4"},
		"RequireNumbers": {"on"}, "RequireSymbols": {"on"}}
	wantRedirect(t, b.post("/console/ram/settings/password", pw), "/console/ram/settings?saved=password")
	got, err := w.root.GetPasswordPolicy(ram.CreateGetPasswordPolicyRequest())
	ok(t, "GetPasswordPolicy", err)
	if p := got.PasswordPolicy; p.MinimumPasswordLength != 12 || p.MaxPasswordAge != 90 || p.PasswordReusePrevention != 3 || p.MaxLoginAttemps != 4 ||
		!p.RequireNumbers || !p.RequireSymbols || p.RequireLowercaseCharacters || p.HardExpiry {
		t.Fatalf("password policy after the save: %+v", p)
	}
	wantStatus(t, b.get("/console/ram/settings?saved=password"), http.StatusOK, `value="12" data-testid="pw-MinimumPasswordLength"`,
		`checked data-testid="pw-RequireSymbols"`, "password policy settings were saved")
	bad := url.Values{"MinimumPasswordLength": {"3"}}
	wantStatus(t, b.post("/console/ram/settings/password", bad), http.StatusBadRequest, "InvalidParameter", `data-testid="error-request-id"`)

	sec := url.Values{"AllowUserToChangePassword": {"on"}, "LoginSessionDuration": {"3"}, "LoginNetworkMasks": {"127.0.0.0/8"}}
	wantRedirect(t, b.post("/console/ram/settings/security", sec), "/console/ram/settings?saved=security")
	pref, err := w.root.GetSecurityPreference(ram.CreateGetSecurityPreferenceRequest())
	ok(t, "GetSecurityPreference", err)
	if lp := pref.SecurityPreference.LoginProfilePreference; lp.LoginSessionDuration != 3 || lp.LoginNetworkMasks != "127.0.0.0/8" || !lp.AllowUserToChangePassword ||
		pref.SecurityPreference.AccessKeyPreference.AllowUserToManageAccessKeys {
		t.Fatalf("security preference after the save: %+v", pref.SecurityPreference)
	}
	wantStatus(t, b.post("/console/ram/settings/security", url.Values{"LoginSessionDuration": {"99"}}), http.StatusBadRequest, "InvalidParameter")

	wantRedirect(t, b.post("/console/ram/settings/alias", url.Values{"AccountAlias": {"acme-corp"}}), "/console/ram/settings?saved=alias")
	wantStatus(t, b.get("/console/ram/settings"), http.StatusOK, `data-testid="settings-domain">acme-corp.onaliyun.com<`,
		`data-testid="settings-login-url">`+b.base+`/console/ram-signin/acme-corp.onaliyun.com<`)
	w.consoleUser(t, "nopol", "Nopol-Passw0rd-1", false, false)
	n := newBrowser(t, w.srv)
	wantRedirect(t, n.ramLogon("nopol@acme-corp", "Nopol-Passw0rd-1"), "/console/")
	n.get("/console/")
	wantStatus(t, n.get("/console/ram/settings"), http.StatusForbidden, "NoPermission", `data-testid="error-request-id"`)
	wantStatus(t, n.post("/console/ram/settings/alias", url.Values{"AccountAlias": {"stolen"}}), http.StatusForbidden, "NoPermission")
	wantStatus(t, b.post("/console/ram/settings/alias", url.Values{"AccountAlias": {"Bad Alias!"}}), http.StatusBadRequest, "InvalidParameter")
	wantRedirect(t, b.post("/console/ram/settings/alias", url.Values{"AccountAlias": {""}}), "/console/ram/settings?saved=alias")
	wantStatus(t, b.get("/console/ram/settings"), http.StatusOK, `data-testid="settings-domain">`+w.acct.ID+`.onaliyun.com<`)
	wantStatus(t, b.post("/console/ram/settings/other", url.Values{}), http.StatusNotFound, "PageNotFound")
}
