package console

// RAM > Identities > Roles: the list, and a role's detail with its trust
// policy shown and edited (UpdateRole NewAssumeRolePolicyDocument, the
// engine's refusal kept with the text) and its attached policies.

import (
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
	if r.URL.Query().Get("saved") != "" {
		v.Notice = "The trust policy was saved."
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
