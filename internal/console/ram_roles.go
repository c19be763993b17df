package console

// RAM > Identities > Roles: the list, Create Role (the trusted entity
// picked, the trust policy written for it), and a role's detail with its
// trust policy shown and edited (UpdateRole NewAssumeRolePolicyDocument,
// the engine's refusal kept with the text), its permissions (the Grant
// Permission panel, Revoke) and Delete, confirmed on a page naming it.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

type roleRow struct{ Name, Arn, Description, Created string }

type rolesData struct {
	Search string
	Roles  []roleRow
}

func rolesCrumbs(a *active, title string, more ...crumb) *view {
	return shell(a, title, "ram-roles", append([]crumb{{Label: "RAM", Href: "/console/ram/overview"},
		{Label: "Roles", Href: "/console/ram/roles"}}, more...)...)
}

func (c *Console) rolesPage(w http.ResponseWriter, r *http.Request, a *active) {
	d := &rolesData{Search: strings.TrimSpace(r.URL.Query().Get("search"))}
	marker := ""
	for pages := 0; pages < searchPages; pages++ {
		out, err := c.call(r, a, ramVersion, "ListRoles", map[string]string{"Marker": marker, "MaxItems": "100"})
		if err != nil {
			c.fail(w, r, a, 0, err)
			return
		}
		for _, ro := range listOf(out, "Roles", "Role") {
			row := roleRow{Name: str(ro["RoleName"]), Arn: str(ro["Arn"]), Description: str(ro["Description"]), Created: str(ro["CreateDate"])}
			if s := strings.ToLower(d.Search); s == "" || strings.Contains(strings.ToLower(row.Name), s) || strings.Contains(strings.ToLower(row.Description), s) {
				d.Roles = append(d.Roles, row)
			}
		}
		if t, _ := out["IsTruncated"].(bool); !t {
			break
		}
		marker = str(out["Marker"])
	}
	v := rolesCrumbs(a, "Roles")
	if del := r.URL.Query().Get("deleted"); del != "" {
		v.Notice = fmt.Sprintf("The role %s was deleted.", del)
	}
	v.Data = d
	c.render(w, http.StatusOK, "ram_roles", v)
}

type roleDetail struct {
	Name, Arn, ID, Description, Created string
	MaxSessionDuration                  string
	Trust                               string
	Policies                            section
	PolicyRows                          []policyRow
}

func roleHome(name string) string { return "/console/ram/roles/" + url.PathEscape(name) }

func (c *Console) loadRole(r *http.Request, a *active, name string) (*roleDetail, error) {
	out, err := c.call(r, a, ramVersion, "GetRole", map[string]string{"RoleName": name})
	if err != nil {
		return nil, err
	}
	ro, _ := out["Role"].(map[string]any)
	d := &roleDetail{Name: str(ro["RoleName"]), Arn: str(ro["Arn"]), ID: str(ro["RoleId"]), Description: str(ro["Description"]),
		Created: str(ro["CreateDate"]), Trust: prettyJSON(str(ro["AssumeRolePolicyDocument"]))}
	if n, ok := ro["MaxSessionDuration"].(float64); ok {
		d.MaxSessionDuration = strconv.Itoa(int(n)) + " seconds"
	}
	if p := c.readSection(r, a, &d.Policies, ramVersion, "ListPoliciesForRole", map[string]string{"RoleName": name}); p != nil {
		for _, pol := range listOf(p, "Policies", "Policy") {
			d.PolicyRows = append(d.PolicyRows, policyRow{Name: str(pol["PolicyName"]), Type: str(pol["PolicyType"]),
				Description: str(pol["Description"]), Attached: str(pol["AttachDate"])})
		}
	}
	return d, nil
}

func (c *Console) rolePage(w http.ResponseWriter, r *http.Request, a *active) {
	d, err := c.loadRole(r, a, r.PathValue("name"))
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	v := rolesCrumbs(a, d.Name, crumb{Label: d.Name})
	q := r.URL.Query()
	switch {
	case q.Get("saved") != "":
		v.Notice = "The trust policy was saved."
	case q.Get("created") != "":
		v.Notice = fmt.Sprintf("The role %s was created with the trust policy below.", d.Name)
	case q.Get("revoked") != "":
		v.Notice = fmt.Sprintf("The policy %s was revoked.", q.Get("revoked"))
	}
	v.Data = d
	c.render(w, http.StatusOK, "ram_role", v)
}

// saveTrust is Edit Trust Policy: UpdateRole with the new document.
func (c *Console) saveTrust(w http.ResponseWriter, r *http.Request, a *active) {
	name := r.PathValue("name")
	doc := r.PostFormValue("document")
	if _, err := c.call(r, a, ramVersion, "UpdateRole", map[string]string{"RoleName": name, "NewAssumeRolePolicyDocument": doc}); err != nil {
		d, lerr := c.loadRole(r, a, name)
		if lerr != nil { // the refusal shown is UpdateRole's, not the reread's
			c.fail(w, r, a, 0, err)
			return
		}
		d.Trust = doc
		v := rolesCrumbs(a, d.Name, crumb{Label: d.Name})
		v.Error, v.Data = shown(err), d
		c.render(w, statusOf(err), "ram_role", v)
		return
	}
	redirect(w, r, roleHome(name)+"?saved=1")
}

// newRoleForm is Create Role as typed (shown again with a refusal).
type newRoleForm struct {
	Entity             string // "account", "other" (an account UID), "service"
	AccountID          string // this account's UID
	OtherAccount       string
	Service            string
	Name, Description  string
	MaxSessionDuration string // seconds
	Trust              string // the trust policy the entity gives
	TrustShown         string // Trust indented
	Services           []string
}

// trustedServices are the Create Role page's suggestions for a service
// role (any <service>.aliyuncs.com may be typed).
var trustedServices = []string{"ecs.aliyuncs.com", "fc.aliyuncs.com", "actiontrail.aliyuncs.com",
	"resourcemanager.aliyuncs.com", "oss.aliyuncs.com", "cloudsso.aliyuncs.com"}

// trustPolicy is the document the console writes for the trusted entity,
// as the real console does: sts:AssumeRole allowed to an account's root
// (any RAM identity the account lets assume it) or to a service.
func (f *newRoleForm) trustPolicy() string {
	principal := map[string][]string{}
	switch f.Entity {
	case "service":
		principal["Service"] = []string{f.Service}
	case "other":
		principal["RAM"] = []string{"acs:ram::" + f.OtherAccount + ":root"}
	default:
		principal["RAM"] = []string{"acs:ram::" + f.AccountID + ":root"}
	}
	doc := map[string]any{"Version": "1", "Statement": []map[string]any{{
		"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal}}}
	b, _ := json.Marshal(doc) // maps of strings always encode
	return string(b)
}

func (c *Console) newRolePage(w http.ResponseWriter, r *http.Request, a *active) {
	f := &newRoleForm{Entity: "account", AccountID: a.principal().AccountID, MaxSessionDuration: "3600", Services: trustedServices}
	f.Trust = f.trustPolicy()
	f.TrustShown = prettyJSON(f.Trust)
	v := rolesCrumbs(a, "Create Role", crumb{Label: "Create Role"})
	v.Data = f
	c.render(w, http.StatusOK, "ram_newrole", v)
}

// createRole is CreateRole with the trust policy of the picked entity
// (Preview shows that policy first and creates nothing); a refusal (a duplicate name, a bad UID in the document, a duration out of
// range) is shown above the form, which keeps what was typed.
func (c *Console) createRole(w http.ResponseWriter, r *http.Request, a *active) {
	f := &newRoleForm{Entity: r.PostFormValue("entity"), AccountID: a.principal().AccountID,
		OtherAccount: strings.TrimSpace(r.PostFormValue("other_account")), Service: strings.TrimSpace(r.PostFormValue("service")),
		Name: strings.TrimSpace(r.PostFormValue("name")), Description: r.PostFormValue("description"),
		MaxSessionDuration: strings.TrimSpace(r.PostFormValue("max_session")), Services: trustedServices}
	if f.Entity != "other" && f.Entity != "service" {
		f.Entity = "account"
	}
	f.Trust = f.trustPolicy()
	f.TrustShown = prettyJSON(f.Trust)
	if r.PostFormValue("step") == "preview" { // Preview: the trust policy OK would send, nothing created
		v := rolesCrumbs(a, "Create Role", crumb{Label: "Create Role"})
		v.Data = f
		c.render(w, http.StatusOK, "ram_newrole", v)
		return
	}
	_, err := c.call(r, a, ramVersion, "CreateRole", map[string]string{"RoleName": f.Name, "Description": f.Description,
		"AssumeRolePolicyDocument": f.Trust, "MaxSessionDuration": f.MaxSessionDuration})
	if err != nil {
		v := rolesCrumbs(a, "Create Role", crumb{Label: "Create Role"})
		v.Error, v.Data = shown(err), f
		c.render(w, statusOf(err), "ram_newrole", v)
		return
	}
	redirect(w, r, roleHome(f.Name)+"?created=1")
}

// confirmRole shows the confirmation naming a role's target unless the
// post confirms; it reports whether the action may run.
func (c *Console) confirmRole(w http.ResponseWriter, r *http.Request, a *active, name, question, button string, fields map[string]string) bool {
	return c.confirmed(w, r, rolesCrumbs(a, "Confirm", crumb{Label: name, Href: roleHome(name)}, crumb{Label: "Confirm"}),
		&confirmation{Question: question, Fields: fields, Cancel: roleHome(name), Button: button})
}

// revokeRolePolicy is a role's Revoke: DetachPolicyFromRole, confirmed.
func (c *Console) revokeRolePolicy(w http.ResponseWriter, r *http.Request, a *active) {
	name := r.PathValue("name")
	typ, pol := r.PostFormValue("type"), r.PostFormValue("policy")
	if !c.confirmRole(w, r, a, name, fmt.Sprintf("Revoke the %s policy %s from the role %q?", typ, pol, name), "Revoke "+pol,
		map[string]string{"type": typ, "policy": pol}) {
		return
	}
	if _, err := c.call(r, a, ramVersion, "DetachPolicyFromRole", map[string]string{"RoleName": name, "PolicyType": typ, "PolicyName": pol}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, roleHome(name)+"?"+url.Values{"revoked": {pol}}.Encode())
}

// deleteRole is Delete Role, confirmed; the API refuses while policies are
// attached (DeleteConflict.Role.Policy), and the page shows that refusal.
func (c *Console) deleteRole(w http.ResponseWriter, r *http.Request, a *active) {
	name := r.PathValue("name")
	if !c.confirmRole(w, r, a, name, fmt.Sprintf("Delete the RAM role %q? Sessions can no longer assume it. This cannot be undone.", name), "Delete "+name, nil) {
		return
	}
	if _, err := c.call(r, a, ramVersion, "DeleteRole", map[string]string{"RoleName": name}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, "/console/ram/roles?"+url.Values{"deleted": {name}}.Encode())
}
