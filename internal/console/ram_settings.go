package console

// RAM > Settings: the password policy, the RAM-user security preference
// and the account alias, each read and saved through the invoker (the
// engine checks every value; its refusal is shown with the request id).

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// passwordInts and passwordBools are SetPasswordPolicy's fields the form
// edits (RAM's spelling, MaxLoginAttemps included).
var (
	passwordInts  = []string{"MinimumPasswordLength", "MaxPasswordAge", "PasswordReusePrevention", "MaxLoginAttemps"}
	passwordBools = []string{"RequireLowercaseCharacters", "RequireUppercaseCharacters", "RequireNumbers", "RequireSymbols", "HardExpiry"}
	prefBools     = []string{"AllowUserToChangePassword", "AllowUserToManageAccessKeys", "AllowUserToManageMFADevices", "EnableSaveMFATicket"}
)

type settingField struct {
	Name, Value string
	On          bool
}

type settingsData struct {
	PasswordInts, PasswordBools []settingField
	PrefBools                   []settingField
	SessionDuration, Masks      string
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
	pol, err := c.call(r, a, ramVersion, "GetPasswordPolicy", nil)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	pref, err := c.call(r, a, ramVersion, "GetSecurityPreference", nil)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	alias, err := c.call(r, a, ramVersion, "GetAccountAlias", nil)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	d := &settingsData{Alias: str(alias["AccountAlias"])}
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
	for _, k := range prefBools {
		var on bool
		for _, m := range []map[string]any{login, keys, mfa} {
			if b, ok := m[k].(bool); ok {
				on = b
			}
		}
		d.PrefBools = append(d.PrefBools, settingField{Name: k, On: on})
	}
	d.SessionDuration, d.Masks = flat(login["LoginSessionDuration"]), str(login["LoginNetworkMasks"])
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
	action := ""
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
	case "alias":
		action = "SetAccountAlias"
		params["AccountAlias"] = strings.TrimSpace(r.PostFormValue("AccountAlias"))
		if params["AccountAlias"] == "" {
			action, params = "ClearAccountAlias", map[string]string{}
		}
	default:
		c.fail(w, r, a, http.StatusNotFound, pageNotFound.New("There is no console page at %s.", r.URL.Path))
		return
	}
	// Every field of the form is sent, an emptied one as an empty value: an
	// emptied LoginNetworkMasks clears the masks (logon from anywhere), an
	// emptied number is the engine's InvalidParameter, never "unchanged".
	keep := make([]string, 0, len(params))
	for k := range params {
		keep = append(keep, k)
	}
	if _, err := c.call(r, a, ramVersion, action, params, keep...); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, "/console/ram/settings?saved="+part)
}
