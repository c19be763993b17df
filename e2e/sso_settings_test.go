package e2e

import (
	"net/http"
	"testing"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// The end-to-end specification of CloudSSO's portal settings: MFA
// (reference 5.8), login preference and password policy (5.9).
func TestSSOPortalSettings(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		srv := canopytest.Start(t, opts...)
		w := newSSOWorld(t, srv)
		c := w.ssoAdmin

		status := func() any { return c.must(t, "GetMFAAuthenticationStatus", w.in(nil))["MFAAuthenticationStatus"] }
		info := func() map[string]any {
			return ssoObject(t, c.must(t, "GetMFAAuthenticationSettingInfo", w.in(nil)), "MFAAuthenticationSettingInfo")
		}
		if status() != "Enabled" || info()["MfaAuthenticationAdvanceSettings"] != "Enabled" {
			t.Errorf("a new directory's MFA: %v, %v", status(), info())
		}
		c.must(t, "SetMFAAuthenticationStatus", w.in(map[string]any{"MFAAuthenticationStatus": "Disabled"}))
		if status() != "Disabled" || info()["MfaAuthenticationAdvanceSettings"] != "Disabled" {
			t.Errorf("after SetMFAAuthenticationStatus Disabled: %v, %v", status(), info())
		}
		for _, setting := range []string{"Byuser", "OnlyRiskyLogin", "Enabled"} {
			c.must(t, "UpdateMFAAuthenticationSettings", w.in(map[string]any{"MFAAuthenticationSettings": setting,
				"OperationForRiskLogin": "EnforceVerify"}))
			got := info()
			if got["MfaAuthenticationAdvanceSettings"] != setting || got["OperationForRiskLogin"] != "EnforceVerify" || status() != "Enabled" {
				t.Errorf("after %s: %v, legacy status %v", setting, got, status())
			}
			legacy := c.must(t, "GetMFAAuthenticationSettings", w.in(nil))
			if legacy["MFAAuthenticationAdvanceSettings"] != setting {
				t.Errorf("GetMFAAuthenticationSettings = %v", legacy)
			}
		}
		_, err := c.call("UpdateMFAAuthenticationSettings", w.in(map[string]any{"MFAAuthenticationSettings": "Sometimes"}))
		wantDaraError(t, err, "InvalidParameter.MFAAuthenticationSettings", http.StatusBadRequest)
		_, err = c.call("SetMFAAuthenticationStatus", w.in(map[string]any{"MFAAuthenticationStatus": "Byuser"}))
		wantDaraError(t, err, "InvalidParameter.MFAAuthenticationStatus", http.StatusBadRequest)

		userID := w.ssoCreateUser(t, "alice", nil)
		userSetting := func() any {
			return c.must(t, "GetUserMFAAuthenticationSettings", w.in(map[string]any{"UserId": userID}))["UserMFAAuthenticationSettings"]
		}
		if userSetting() != "Enabled" {
			t.Errorf("a new user's MFA setting = %v", userSetting())
		}
		c.must(t, "UpdateUserMFAAuthenticationSettings", w.in(map[string]any{"UserId": userID, "UserMFAAuthenticationSettings": "Disabled"}))
		if userSetting() != "Disabled" {
			t.Errorf("user MFA setting after update = %v", userSetting())
		}

		pref := func() map[string]any {
			return ssoObject(t, c.must(t, "GetLoginPreference", w.in(nil)), "LoginPreference")
		}
		if p := pref(); p["LoginNetworkMasks"] != "" || p["AllowUserToGetCredentials"] != false {
			t.Errorf("default LoginPreference = %v", p)
		}
		c.must(t, "SetLoginPreference", w.in(map[string]any{"LoginNetworkMasks": "10.0.0.0/8; 192.168.1.7", "AllowUserToGetCredentials": true}))
		if p := pref(); p["LoginNetworkMasks"] != "10.0.0.0/8;192.168.1.7/32" || p["AllowUserToGetCredentials"] != true {
			t.Errorf("LoginPreference = %v", p)
		}
		c.must(t, "SetLoginPreference", w.in(map[string]any{"AllowUserToGetCredentials": "False"})) // masks unchanged
		if p := pref(); p["LoginNetworkMasks"] != "10.0.0.0/8;192.168.1.7/32" || p["AllowUserToGetCredentials"] != false {
			t.Errorf("LoginPreference after a partial set = %v", p)
		}
		for _, bad := range []string{"10.0.0.0/33", "::1", "example.com"} {
			_, err = c.call("SetLoginPreference", w.in(map[string]any{"LoginNetworkMasks": bad}))
			wantDaraError(t, err, "InvalidParameter.LoginNetworkMasks", http.StatusBadRequest)
		}
		c.must(t, "SetLoginPreference", w.in(map[string]any{"LoginNetworkMasks": ";"}))
		if p := pref(); p["LoginNetworkMasks"] != "" {
			t.Errorf("LoginNetworkMasks after ; = %v", p)
		}

		policy := func() map[string]any {
			return ssoObject(t, c.must(t, "GetPasswordPolicy", w.in(nil)), "PasswordPolicy")
		}
		p := policy()
		if ssoNumber(t, p["MinPasswordLength"]) != 8 || ssoNumber(t, p["MaxPasswordLength"]) != 32 || p["RequireSymbols"] != true ||
			p["HardExpire"] != false || ssoNumber(t, p["MaxLoginAttempts"]) != 5 {
			t.Errorf("default PasswordPolicy = %v", p)
		}
		c.must(t, "SetPasswordPolicy", w.in(map[string]any{"MinPasswordLength": 12, "MinPasswordDifferentChars": 6,
			"PasswordNotContainUsername": false, "MaxPasswordAge": 30, "PasswordReusePrevention": 3, "MaxLoginAttempts": 0}))
		p = policy()
		if ssoNumber(t, p["MinPasswordLength"]) != 12 || ssoNumber(t, p["MinPasswordDifferentChars"]) != 6 || p["PasswordNotContainUsername"] != false ||
			ssoNumber(t, p["MaxPasswordAge"]) != 30 || ssoNumber(t, p["PasswordReusePrevention"]) != 3 || ssoNumber(t, p["MaxLoginAttempts"]) != 0 {
			t.Errorf("PasswordPolicy after SetPasswordPolicy = %v", p)
		}
		for param, value := range map[string]int{"MinPasswordLength": 7, "MaxPasswordAge": 121, "PasswordReusePrevention": 25,
			"MaxLoginAttempts": 33, "MinPasswordDifferentChars": 13} {
			_, err = c.call("SetPasswordPolicy", w.in(map[string]any{param: value}))
			wantDaraError(t, err, "InvalidParameter."+param, http.StatusBadRequest)
		}
		// The policy rules the next reset.
		_, err = c.call("ResetUserPassword", w.in(map[string]any{"UserId": userID, "Password": "Short-pw-1"}))
		wantDaraError(t, err, "InvalidParameter.Password.TooWeak", http.StatusBadRequest)
		c.must(t, "ResetUserPassword", w.in(map[string]any{"UserId": userID, "Password": "Long-enough-pw-1"}))
	})
}
