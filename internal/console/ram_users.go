package console

// RAM > Users > Create User: console access and/or OpenAPI access, the
// password generated or typed, the secrets of the answer shown once.

import (
	"html/template"
	"net/http"
	"strings"
)

// newUserForm is the Create User form as typed (shown again on a refusal,
// never with the password).
type newUserForm struct {
	Name, DisplayName       string
	Console, OpenAPI        bool
	CustomPassword          bool
	ResetRequired, Required bool // Required: MFA
}

type newUserData struct {
	Form      newUserForm
	Domain    string
	LoginURL  string
	Steps     []*planStep
	Performed bool
	Logon     string
	Password  string // generated: this answer only
	KeyID     string
	KeySecret string // this answer only
	CSV       template.URL
}

func usersCrumbs(a *active, title string, more ...crumb) *view {
	return shell(a, title, "users", append([]crumb{{Label: "RAM", Href: "/console/ram/overview"},
		{Label: "Users", Href: "/console/ram/users"}}, more...)...)
}

func (c *Console) newUserPage(w http.ResponseWriter, r *http.Request, a *active) {
	d := &newUserData{Form: newUserForm{Console: true, ResetRequired: true}}
	var err error
	if d.Domain, d.LoginURL, err = c.domainOf(r, a); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	v := usersCrumbs(a, "Create User", crumb{Label: "Create User"})
	v.Data = d
	c.render(w, http.StatusOK, "ram_newuser", v)
}

// createUser runs CreateUser, then CreateLoginProfile (IMS, so the engine
// can generate the password against the policy) when console access is
// asked, then CreateAccessKey when OpenAPI access is; the first refusal
// stops the rest. The answer is the only place the password and the
// AccessKey secret ever appear.
func (c *Console) createUser(w http.ResponseWriter, r *http.Request, a *active) {
	f := newUserForm{Name: strings.TrimSpace(r.PostFormValue("name")), DisplayName: strings.TrimSpace(r.PostFormValue("display")),
		Console: r.PostFormValue("console") == "on", OpenAPI: r.PostFormValue("openapi") == "on",
		CustomPassword: r.PostFormValue("password_mode") == "custom", ResetRequired: r.PostFormValue("reset") == "on",
		Required: r.PostFormValue("mfa") == "on"}
	d := &newUserData{Form: f, Performed: true}
	var err error
	if d.Domain, d.LoginURL, err = c.domainOf(r, a); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	d.Logon = f.Name + "@" + d.Domain
	display := f.DisplayName
	if display == "" {
		display = f.Name
	}
	d.Steps = append(d.Steps, &planStep{Action: "CreateUser", Product: "RAM", What: "Create the RAM user " + f.Name,
		version: ramVersion, params: map[string]string{"UserName": f.Name, "DisplayName": display}})
	if f.Console {
		p := map[string]string{"UserPrincipalName": d.Logon, "PasswordResetRequired": boolParam(f.ResetRequired),
			"MFABindRequired": boolParam(f.Required)}
		what := "Enable console logon with a generated password"
		if f.CustomPassword {
			p["Password"] = r.PostFormValue("password")
			what = "Enable console logon with the password you typed"
		} else {
			p["GenerateRandomPassword"] = "true"
		}
		d.Steps = append(d.Steps, &planStep{Action: "CreateLoginProfile", Product: "IMS", What: what, version: imsVersion, params: p})
	}
	if f.OpenAPI {
		d.Steps = append(d.Steps, &planStep{Action: "CreateAccessKey", Product: "RAM", What: "Create an AccessKey",
			version: ramVersion, params: map[string]string{"UserName": f.Name}})
	}
	status := c.runSteps(r, a, d.Steps)
	for _, s := range d.Steps {
		switch s.Action {
		case "CreateLoginProfile":
			d.Password = generatedPassword(s.out)
		case "CreateAccessKey":
			k, _ := s.out["AccessKey"].(map[string]any)
			d.KeyID, d.KeySecret = str(k["AccessKeyId"]), str(k["AccessKeySecret"])
		}
	}
	if d.Password != "" || d.KeySecret != "" {
		d.CSV = csvDataURL([][]string{{"User Logon Name", "Password", "AccessKey ID", "AccessKey Secret", "Login URL"},
			{d.Logon, d.Password, d.KeyID, d.KeySecret, d.LoginURL}})
	}
	v := usersCrumbs(a, "Create User", crumb{Label: "Create User"})
	v.Data = d
	c.render(w, status, "ram_newuser", v)
}

func boolParam(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
