package console

// RAM > Users > a user: basic information, console logon (login profile),
// MFA device, AccessKeys, groups and policies, each read through the
// invoker; the actions post back here and are confirmed first when they
// destroy or lock something out.

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// section is a part of the detail page read by one call: its answer, or
// the refusal shown in its place (so a caller allowed GetUser but not
// ListAccessKeys still sees the rest).
type section struct {
	Error *shownError
	None  bool // the entity does not exist (no login profile, no device)
}

type keyRow struct{ ID, Status, Created string }

type policyRow struct{ Name, Type, Description, Attached string }

type userDetail struct {
	Name, DisplayName, ID, Created, Comments, Logon, Domain string

	Login                        section
	LoginStatus, LoginLast       string
	LoginReset, LoginMFARequired bool

	MFA       section
	MFASerial string

	Keys     section
	KeyRows  []keyRow
	KeysFull bool

	Groups    section
	GroupRows []string
	// GroupChoices are Add to Group's groups (ListGroups) the user is not
	// in; GroupList holds ListGroups' refusal.
	GroupChoices []string
	GroupList    section

	Policies    section
	PolicyRows  []policyRow
	NewKeyID    string
	NewSecret   string // CreateAccessKey's answer only
	NewPassword string
	CSV         template.URL
}

// maxKeysPerUser is RAM's AccessKey limit; the Create button is disabled
// at it (the API refuses the third anyway).
const maxKeysPerUser = 2

// userName is the path's user; the actions check it (an over-long name is
// their InvalidParameter, an unknown one their EntityNotExist.User).
func (c *Console) userName(w http.ResponseWriter, r *http.Request, a *active) (string, bool) {
	return r.PathValue("name"), true
}

// readSection calls one read; a missing entity is None, a refusal is shown.
func (c *Console) readSection(r *http.Request, a *active, s *section, version, action string, params map[string]string) map[string]any {
	out, err := c.call(r, a, version, action, params)
	if err != nil {
		if e := shown(err); strings.HasPrefix(e.Code, "EntityNotExist") {
			s.None = true
		} else {
			s.Error = e
		}
		return nil
	}
	return out
}

func (c *Console) loadUser(w http.ResponseWriter, r *http.Request, a *active, name string) (*userDetail, bool) {
	out, err := c.call(r, a, ramVersion, "GetUser", map[string]string{"UserName": name})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return nil, false
	}
	u, _ := out["User"].(map[string]any)
	d := &userDetail{Name: str(u["UserName"]), DisplayName: str(u["DisplayName"]), ID: str(u["UserId"]),
		Created: str(u["CreateDate"]), Comments: str(u["Comments"])}
	if d.Domain, _, err = c.domainOf(r, a); err != nil {
		c.fail(w, r, a, 0, err)
		return nil, false
	}
	d.Logon = d.Name + "@" + d.Domain
	by := map[string]string{"UserName": name}
	if lp := c.readSection(r, a, &d.Login, imsVersion, "GetLoginProfile", map[string]string{"UserPrincipalName": d.Logon}); lp != nil {
		p, _ := lp["LoginProfile"].(map[string]any)
		d.LoginStatus, d.LoginLast = str(p["Status"]), str(p["LastLoginTime"])
		d.LoginReset, _ = p["PasswordResetRequired"].(bool)
		d.LoginMFARequired, _ = p["MFABindRequired"].(bool)
	}
	if m := c.readSection(r, a, &d.MFA, ramVersion, "GetUserMFAInfo", by); m != nil {
		dev, _ := m["MFADevice"].(map[string]any)
		d.MFASerial = str(dev["SerialNumber"])
		d.MFA.None = d.MFASerial == ""
	}
	if k := c.readSection(r, a, &d.Keys, ramVersion, "ListAccessKeys", by); k != nil {
		for _, key := range listOf(k, "AccessKeys", "AccessKey") {
			d.KeyRows = append(d.KeyRows, keyRow{ID: str(key["AccessKeyId"]), Status: str(key["Status"]), Created: str(key["CreateDate"])})
		}
		d.KeysFull = len(d.KeyRows) >= maxKeysPerUser
	}
	if g := c.readSection(r, a, &d.Groups, ramVersion, "ListGroupsForUser", by); g != nil {
		for _, grp := range listOf(g, "Groups", "Group") {
			d.GroupRows = append(d.GroupRows, str(grp["GroupName"]))
		}
		for _, n := range c.groupNames(r, a, &d.GroupList) {
			if !contains(d.GroupRows, n) {
				d.GroupChoices = append(d.GroupChoices, n)
			}
		}
	}
	if p := c.readSection(r, a, &d.Policies, ramVersion, "ListPoliciesForUser", by); p != nil {
		for _, pol := range listOf(p, "Policies", "Policy") {
			d.PolicyRows = append(d.PolicyRows, policyRow{Name: str(pol["PolicyName"]), Type: str(pol["PolicyType"]),
				Description: str(pol["Description"]), Attached: str(pol["AttachDate"])})
		}
	}
	return d, true
}

// userNotices are the messages after an action's redirect (fixed texts:
// the query names only which one, and its target).
var userNotices = map[string]string{
	"key-Active":    "The AccessKey %s was enabled.",
	"key-Inactive":  "The AccessKey %s was disabled.",
	"key-deleted":   "The AccessKey %s was deleted.",
	"login-off":     "Console logon of %s was disabled (login profile Inactive).",
	"login-on":      "Console logon of %s was enabled.",
	"login-deleted": "The login profile of %s was deleted: it has no console access.",
	"revoked":       "The policy %s was revoked.",
	"login-changed": "The logon settings of %s were saved.",
	"mfa-unbound":   "The MFA device of %s was unbound.",
	"mfa-bound":     "A virtual MFA device is now bound to %s.",
	"group-added":   "The user was added to the group %s.",
	"group-removed": "The user was removed from the group %s.",
}

func (c *Console) userPage(w http.ResponseWriter, r *http.Request, a *active) {
	name, ok := c.userName(w, r, a)
	if !ok {
		return
	}
	d, ok := c.loadUser(w, r, a, name)
	if !ok {
		return
	}
	v := usersCrumbs(a, d.Name, crumb{Label: d.Name})
	q := r.URL.Query()
	if f, ok := userNotices[q.Get("done")]; ok {
		v.Notice = fmt.Sprintf(f, q.Get("target"))
	}
	v.Data = d
	c.render(w, http.StatusOK, "ram_user", v)
}

func userHome(name string) string { return "/console/ram/users/" + url.PathEscape(name) }

func doneAt(name, done, target string) string {
	return userHome(name) + "?" + url.Values{"done": {done}, "target": {target}}.Encode()
}

// confirmFirst shows the confirmation page naming the target unless the
// post confirms; it reports whether the action may run.
func (c *Console) confirmFirst(w http.ResponseWriter, r *http.Request, a *active, name, question, button string, fields map[string]string) bool {
	return c.confirmed(w, r, usersCrumbs(a, "Confirm", crumb{Label: name, Href: userHome(name)}, crumb{Label: "Confirm"}),
		&confirmation{Question: question, Fields: fields, Cancel: userHome(name), Button: button})
}

// confirmed reports whether the post confirms; if not, it shows q (posting
// back to this address) in v and the action must not run.
func (c *Console) confirmed(w http.ResponseWriter, r *http.Request, v *view, q *confirmation) bool {
	if r.PostFormValue("confirm") == "yes" {
		return true
	}
	q.Action = r.URL.Path
	v.Data = q
	c.render(w, http.StatusOK, "confirm", v)
	return false
}

// createKey is Create AccessKey: the secret is in this answer only.
func (c *Console) createKey(w http.ResponseWriter, r *http.Request, a *active) {
	name, ok := c.userName(w, r, a)
	if !ok {
		return
	}
	out, err := c.call(r, a, ramVersion, "CreateAccessKey", map[string]string{"UserName": name})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	d, ok := c.loadUser(w, r, a, name)
	if !ok {
		return
	}
	k, _ := out["AccessKey"].(map[string]any)
	d.NewKeyID, d.NewSecret = str(k["AccessKeyId"]), str(k["AccessKeySecret"])
	d.CSV = csvDataURL([][]string{{"User Logon Name", "AccessKey ID", "AccessKey Secret"}, {d.Logon, d.NewKeyID, d.NewSecret}})
	v := usersCrumbs(a, d.Name, crumb{Label: d.Name})
	v.Data = d
	c.render(w, http.StatusOK, "ram_user", v)
}

func (c *Console) keyAction(w http.ResponseWriter, r *http.Request, a *active) {
	name, ok := c.userName(w, r, a)
	if !ok {
		return
	}
	key := strings.TrimSpace(r.PostFormValue("key"))
	fields := map[string]string{"key": key}
	switch op := r.PathValue("op"); op {
	case "enable", "disable":
		status := map[string]string{"enable": "Active", "disable": "Inactive"}[op]
		if op == "disable" && !c.confirmFirst(w, r, a, name, fmt.Sprintf("Disable the AccessKey %s of %q? Calls signed with it will fail.", key, name), "Disable "+key, fields) {
			return
		}
		if _, err := c.call(r, a, ramVersion, "UpdateAccessKey", map[string]string{"UserName": name, "UserAccessKeyId": key, "Status": status}); err != nil {
			c.fail(w, r, a, 0, err)
			return
		}
		redirect(w, r, doneAt(name, "key-"+status, key))
	case "delete":
		if !c.confirmFirst(w, r, a, name, fmt.Sprintf("Delete the AccessKey %s of %q? This cannot be undone.", key, name), "Delete "+key, fields) {
			return
		}
		if _, err := c.call(r, a, ramVersion, "DeleteAccessKey", map[string]string{"UserName": name, "UserAccessKeyId": key}); err != nil {
			c.fail(w, r, a, 0, err)
			return
		}
		redirect(w, r, doneAt(name, "key-deleted", key))
	default:
		c.noPage(w, r, a)
	}
}

// loginAction disables (Status=Inactive), enables or deletes the login
// profile.
func (c *Console) loginAction(w http.ResponseWriter, r *http.Request, a *active) {
	name, ok := c.userName(w, r, a)
	if !ok {
		return
	}
	var err error
	var done string
	switch op := r.PathValue("op"); op {
	case "enable", "disable":
		if op == "disable" && !c.confirmFirst(w, r, a, name, fmt.Sprintf("Disable console logon of %q? Its sessions end and it cannot log on until enabled again.", name), "Disable logon", nil) {
			return
		}
		domain, _, derr := c.domainOf(r, a)
		if derr != nil {
			c.fail(w, r, a, 0, derr)
			return
		}
		status := map[string]string{"enable": "Active", "disable": "Inactive"}[op]
		_, err = c.call(r, a, imsVersion, "UpdateLoginProfile", map[string]string{"UserPrincipalName": name + "@" + domain, "Status": status})
		done = map[string]string{"enable": "login-on", "disable": "login-off"}[op]
	case "modify":
		c.modifyLogin(w, r, a, name)
		return
	case "delete":
		if !c.confirmFirst(w, r, a, name, fmt.Sprintf("Delete the login profile of %q? It loses console access and its password.", name), "Delete login profile", nil) {
			return
		}
		_, err = c.call(r, a, ramVersion, "DeleteLoginProfile", map[string]string{"UserName": name})
		done = "login-deleted"
	default:
		c.noPage(w, r, a)
		return
	}
	c.after(w, r, a, err, doneAt(name, done, name))
}

// revokePolicy detaches a policy after a confirmation naming it.
func (c *Console) revokePolicy(w http.ResponseWriter, r *http.Request, a *active) {
	name, ok := c.userName(w, r, a)
	if !ok {
		return
	}
	typ, pol := r.PostFormValue("type"), strings.TrimSpace(r.PostFormValue("policy"))
	if !c.confirmFirst(w, r, a, name, fmt.Sprintf("Revoke the %s policy %s from %q?", typ, pol, name), "Revoke "+pol,
		map[string]string{"type": typ, "policy": pol}) {
		return
	}
	if _, err := c.call(r, a, ramVersion, "DetachPolicyFromUser", map[string]string{"UserName": name, "PolicyType": typ, "PolicyName": pol}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, doneAt(name, "revoked", pol))
}

// modifyLogin is Modify Logon Settings: the reset and MFA flags, and the
// password kept, generated (shown once, here) or typed (checked against
// the policy), in one IMS UpdateLoginProfile.
func (c *Console) modifyLogin(w http.ResponseWriter, r *http.Request, a *active, name string) {
	domain, _, err := c.domainOf(r, a)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	p := map[string]string{"UserPrincipalName": name + "@" + domain,
		"PasswordResetRequired": boolParam(r.PostFormValue("reset") == "on"), "MFABindRequired": boolParam(r.PostFormValue("mfa") == "on")}
	switch r.PostFormValue("password_mode") {
	case "generate":
		p["GenerateRandomPassword"] = "true"
	case "custom":
		p["Password"] = r.PostFormValue("password")
		// UpdateLoginProfile without a password keeps the current one: an
		// empty custom password would silently change nothing, so the form
		// refuses it itself.
		if p["Password"] == "" {
			c.fail(w, r, a, http.StatusBadRequest, codeBadQuery.New("Type the new password, or keep the current one."))
			return
		}
	}
	out, err := c.call(r, a, imsVersion, "UpdateLoginProfile", p)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	pw := generatedPassword(out)
	if pw == "" {
		redirect(w, r, doneAt(name, "login-changed", name))
		return
	}
	d, ok := c.loadUser(w, r, a, name)
	if !ok {
		return
	}
	d.NewPassword = pw
	d.CSV = csvDataURL([][]string{{"User Logon Name", "Password"}, {d.Logon, pw}})
	v := usersCrumbs(a, d.Name, crumb{Label: d.Name})
	v.Notice = fmt.Sprintf(userNotices["login-changed"], name)
	v.Data = d
	c.render(w, http.StatusOK, "ram_user", v)
}

// unbindMFA unbinds the user's device after a confirmation naming it.
func (c *Console) unbindMFA(w http.ResponseWriter, r *http.Request, a *active) {
	name, ok := c.userName(w, r, a)
	if !ok {
		return
	}
	if !c.confirmFirst(w, r, a, name, fmt.Sprintf("Unbind the MFA device of %q? A logon that requires MFA will ask it to bind a new one.", name), "Unbind", nil) {
		return
	}
	if _, err := c.call(r, a, ramVersion, "UnbindMFADevice", map[string]string{"UserName": name}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, doneAt(name, "mfa-unbound", name))
}

// userGroupAction is the Groups tab's Add to Group (AddUserToGroup) and
// Remove (RemoveUserFromGroup, confirmed naming user and group).
func (c *Console) userGroupAction(w http.ResponseWriter, r *http.Request, a *active) {
	name, _ := c.userName(w, r, a)
	group := r.PostFormValue("group")
	var err error
	var done string
	switch r.PathValue("op") {
	case "add":
		_, err = c.call(r, a, ramVersion, "AddUserToGroup", map[string]string{"UserName": name, "GroupName": group})
		done = "group-added"
	case "remove":
		if !c.confirmFirst(w, r, a, name, fmt.Sprintf("Remove %q from the group %q?", name, group), "Remove from "+group,
			map[string]string{"group": group}) {
			return
		}
		_, err = c.call(r, a, ramVersion, "RemoveUserFromGroup", map[string]string{"UserName": name, "GroupName": group})
		done = "group-removed"
	default:
		c.noPage(w, r, a)
		return
	}
	c.after(w, r, a, err, doneAt(name, done, group))
}

// noPage answers an operation a route does not know.
func (c *Console) noPage(w http.ResponseWriter, r *http.Request, a *active) {
	c.fail(w, r, a, http.StatusNotFound, pageNotFound.New("There is no console page at %s.", r.URL.Path))
}

// after ends an action's post: the page its success leads to, or its
// refusal.
func (c *Console) after(w http.ResponseWriter, r *http.Request, a *active, err error, to string) {
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, to)
}
