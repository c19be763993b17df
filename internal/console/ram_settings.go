package console

// RAM > Settings: the password policy, the RAM-user security preference
// and the account alias, each read and saved through the invoker (the
// engine checks every value; its refusal is shown with the request id).
// The password policy and the security preference are IMS's actions,
// which hold every field the real console's Settings show (different
// characters, no user name, MFA for RAM user logons, long-term logon);
// they need the same ram: permissions as RAM's.

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// passwordInts and passwordBools are IMS SetPasswordPolicy's fields the
// form edits (its spelling: MaxLoginAttemps, HardExpire).
var (
	passwordInts  = []string{"MinimumPasswordLength", "MinimumPasswordDifferentCharacter", "MaxPasswordAge", "PasswordReusePrevention", "MaxLoginAttemps"}
	passwordBools = []string{"RequireLowercaseCharacters", "RequireUppercaseCharacters", "RequireNumbers", "RequireSymbols",
		"PasswordNotContainUserName", "HardExpire"}
	prefBools = []string{"AllowUserToChangePassword", "AllowUserToManageAccessKeys", "AllowUserToManageMFADevices", "EnableSaveMFATicket",
		"AllowUserLongTermLogin"}
	// mfaForLogin are MFAOperationForLogin's values: "MFA for RAM User
	// Logons" (user-specific, all users, risk-based).
	mfaForLogin = []string{"independent", "mandatory", "adaptive"}
)

type settingField struct {
	Name, Value string
	On          bool
}

type settingsData struct {
	PasswordInts, PasswordBools []settingField
	PrefBools                   []settingField
	SessionDuration, Masks      string
	MFAForLogin                 string
	MFAChoices                  []string
	Alias, Domain, LoginURL     string
}

func flat(v any) string {
	switch x := v.(type) {
	case float64:
		return strconv.Itoa(int(x))
	case string:
		return x
	}
	return ""
}

func (c *Console) settingsPage(w http.ResponseWriter, r *http.Request, a *active) {
	pol, err := c.call(r, a, imsVersion, "GetPasswordPolicy", nil)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	pref, err := c.call(r, a, imsVersion, "GetSecurityPreference", nil)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	alias, err := c.call(r, a, ramVersion, "GetAccountAlias", nil)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	d := &settingsData{Alias: str(alias["AccountAlias"]), MFAChoices: mfaForLogin}
	if d.Domain, d.LoginURL, err = c.domainOf(r, a); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	p, _ := pol["PasswordPolicy"].(map[string]any)
	for _, k := range passwordInts {
		d.PasswordInts = append(d.PasswordInts, settingField{Name: k, Value: flat(p[k])})
	}
	for _, k := range passwordBools {
		on, _ := p[k].(bool)
		d.PasswordBools = append(d.PasswordBools, settingField{Name: k, On: on})
	}
	sp, _ := pref["SecurityPreference"].(map[string]any)
	login, _ := sp["LoginProfilePreference"].(map[string]any)
	keys, _ := sp["AccessKeyPreference"].(map[string]any)
	mfa, _ := sp["MFAPreference"].(map[string]any)
	app, _ := sp["ApplicationLoginPreference"].(map[string]any)
	for _, k := range prefBools {
		var on bool
		for _, m := range []map[string]any{login, keys, mfa, app} {
			if b, ok := m[k].(bool); ok {
				on = b
			}
		}
		d.PrefBools = append(d.PrefBools, settingField{Name: k, On: on})
	}
	d.SessionDuration, d.Masks = flat(login["LoginSessionDuration"]), str(login["LoginNetworkMasks"])
	d.MFAForLogin = str(login["MFAOperationForLogin"])
	v := shell(a, "Settings", "ram-settings", crumb{Label: "RAM", Href: "/console/ram/overview"}, crumb{Label: "Settings"})
	if saved := r.URL.Query().Get("saved"); saved != "" {
		v.Notice = fmt.Sprintf("The %s settings were saved.", map[string]string{"password": "password policy", "security": "security", "alias": "account alias"}[saved])
	}
	v.Data = d
	c.render(w, http.StatusOK, "ram_settings", v)
}

// saveSettings is one of the three forms: SetPasswordPolicy,
// SetSecurityPreference, SetAccountAlias (or ClearAccountAlias when
// emptied).
func (c *Console) saveSettings(w http.ResponseWriter, r *http.Request, a *active) {
	part := r.PathValue("part")
	params := map[string]string{}
	action, version := "", imsVersion
	switch part {
	case "password":
		action = "SetPasswordPolicy"
		for _, k := range passwordInts {
			params[k] = strings.TrimSpace(r.PostFormValue(k))
		}
		for _, k := range passwordBools {
			params[k] = boolParam(r.PostFormValue(k) == "on")
		}
	case "security":
		action = "SetSecurityPreference"
		for _, k := range prefBools {
			params[k] = boolParam(r.PostFormValue(k) == "on")
		}
		params["LoginSessionDuration"] = strings.TrimSpace(r.PostFormValue("LoginSessionDuration"))
		params["LoginNetworkMasks"] = strings.TrimSpace(r.PostFormValue("LoginNetworkMasks"))
		params["MFAOperationForLogin"] = r.PostFormValue("MFAOperationForLogin")
	case "alias":
		action, version = "SetAccountAlias", ramVersion
		params["AccountAlias"] = strings.TrimSpace(r.PostFormValue("AccountAlias"))
		if params["AccountAlias"] == "" {
			action, params = "ClearAccountAlias", map[string]string{}
		}
	default:
		c.noPage(w, r, a)
		return
	}
	// Every field the form holds is sent, an emptied one as an empty value:
	// an emptied LoginNetworkMasks clears the masks (logon from anywhere),
	// an emptied number is the engine's InvalidParameter, never
	// "unchanged". A field the post lacks altogether is left unchanged.
	var keep []string
	for k := range params {
		if _, ok := r.PostForm[k]; ok {
			keep = append(keep, k)
		}
	}
	if _, err := c.call(r, a, version, action, params, keep...); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, "/console/ram/settings?saved="+part)
}
