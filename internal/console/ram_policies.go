package console

// RAM > Permissions > Policies: the list (system and custom, search), a
// policy's document, and custom policies created or given a new version in
// a JSON editor whose errors are the engine's (the page keeps the text);
// a custom policy's versions: view any, set a non-default one as default,
// delete a non-default one (confirmed).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

type policyListData struct {
	Search, Type string
	Policies     []grantRow
}

func policiesCrumbs(a *active, title string, more ...crumb) *view {
	return shell(a, title, "ram-policies", append([]crumb{{Label: "RAM", Href: "/console/ram/overview"},
		{Label: "Policies", Href: "/console/ram/policies"}}, more...)...)
}

func (c *Console) policiesPage(w http.ResponseWriter, r *http.Request, a *active) {
	q := r.URL.Query()
	d := &policyListData{Search: strings.TrimSpace(q.Get("search")), Type: q.Get("type")}
	if d.Type != "System" && d.Type != "Custom" {
		d.Type = ""
	}
	marker := ""
	for pages := 0; pages < searchPages; pages++ {
		out, err := c.call(r, a, ramVersion, "ListPolicies", map[string]string{"PolicyType": d.Type, "Marker": marker, "MaxItems": "100"})
		if err != nil {
			c.fail(w, r, a, 0, err)
			return
		}
		for _, p := range listOf(out, "Policies", "Policy") {
			row := grantRow{Name: str(p["PolicyName"]), Type: str(p["PolicyType"]), Description: str(p["Description"])}
			if s := strings.ToLower(d.Search); s != "" && !strings.Contains(strings.ToLower(row.Name), s) && !strings.Contains(strings.ToLower(row.Description), s) {
				continue
			}
			row.HighRisk = highRisk[row.Name]
			d.Policies = append(d.Policies, row)
		}
		if t, _ := out["IsTruncated"].(bool); !t {
			break
		}
		marker = str(out["Marker"])
	}
	v := policiesCrumbs(a, "Policies")
	if del := q.Get("deleted"); del != "" {
		v.Notice = fmt.Sprintf("The policy %s was deleted.", del)
	}
	v.Data = d
	c.render(w, http.StatusOK, "ram_policies", v)
}

// policyEditor is the create / edit page of a custom policy.
type policyEditor struct {
	Name, Type, Description string
	Document                string
	Create                  bool // a new policy (else: a new version of Name)
	Version                 string
	Versions                []versionRow // a custom policy's (ListPolicyVersions)
	VersionList             section
}

type versionRow struct {
	ID, Created string
	Default     bool
}

// starterDocument is the editor's first text for a new policy.
const starterDocument = `{
  "Version": "1",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["ecs:Describe*"],
      "Resource": "*"
    }
  ]
}`

func policyHome(typ, name string) string {
	return "/console/ram/policies/" + url.PathEscape(typ) + "/" + url.PathEscape(name)
}

// prettyJSON indents a document for the editor; text that is not JSON is
// shown as it is.
func prettyJSON(doc string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(doc), "", "  "); err != nil {
		return doc
	}
	return b.String()
}

func (c *Console) newPolicyPage(w http.ResponseWriter, r *http.Request, a *active) {
	v := policiesCrumbs(a, "Create Policy", crumb{Label: "Create Policy"})
	v.Data = &policyEditor{Create: true, Type: "Custom", Document: starterDocument}
	c.render(w, http.StatusOK, "ram_policy", v)
}

// createPolicy is CreatePolicy; a refusal (the engine's MalformedPolicyDocument
// naming what is wrong, a duplicate name) is shown above the editor, which
// keeps the text.
func (c *Console) createPolicy(w http.ResponseWriter, r *http.Request, a *active) {
	e := &policyEditor{Create: true, Type: "Custom", Name: strings.TrimSpace(r.PostFormValue("name")),
		Description: strings.TrimSpace(r.PostFormValue("description")), Document: r.PostFormValue("document")}
	_, err := c.call(r, a, ramVersion, "CreatePolicy", map[string]string{"PolicyName": e.Name, "Description": e.Description, "PolicyDocument": e.Document})
	if err != nil {
		v := policiesCrumbs(a, "Create Policy", crumb{Label: "Create Policy"})
		v.Error, v.Data = shown(err), e
		c.render(w, statusOf(err), "ram_policy", v)
		return
	}
	redirect(w, r, policyHome("Custom", e.Name)+"?saved=1")
}

// policyPage shows a policy's default version; a custom one is editable
// (a new default version).
func (c *Console) policyPage(w http.ResponseWriter, r *http.Request, a *active) {
	typ, name := r.PathValue("type"), r.PathValue("name")
	out, err := c.call(r, a, ramVersion, "GetPolicy", map[string]string{"PolicyType": typ, "PolicyName": name})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	p, _ := out["Policy"].(map[string]any)
	ver, _ := out["DefaultPolicyVersion"].(map[string]any)
	e := &policyEditor{Name: str(p["PolicyName"]), Type: str(p["PolicyType"]), Description: str(p["Description"]),
		Document: prettyJSON(str(ver["PolicyDocument"])), Version: str(ver["VersionId"])}
	if e.Type == "Custom" {
		if vs := c.readSection(r, a, &e.VersionList, ramVersion, "ListPolicyVersions", map[string]string{"PolicyType": "Custom", "PolicyName": name}); vs != nil {
			for _, pv := range listOf(vs, "PolicyVersions", "PolicyVersion") {
				def, _ := pv["IsDefaultVersion"].(bool)
				e.Versions = append(e.Versions, versionRow{ID: str(pv["VersionId"]), Created: str(pv["CreateDate"]), Default: def})
			}
		}
	}
	v := policiesCrumbs(a, e.Name, crumb{Label: e.Name})
	q := r.URL.Query()
	switch {
	case q.Get("saved") != "":
		v.Notice = fmt.Sprintf("The policy %s was saved (default version %s).", e.Name, e.Version)
	case q.Get("default") != "":
		v.Notice = fmt.Sprintf("Version %s is now the default version of %s.", q.Get("default"), e.Name)
	case q.Get("deleted") != "":
		v.Notice = fmt.Sprintf("Version %s of %s was deleted.", q.Get("deleted"), e.Name)
	}
	v.Data = e
	c.render(w, http.StatusOK, "ram_policy", v)
}

// savePolicyVersion is CreatePolicyVersion SetAsDefault=true on a custom
// policy; the engine's refusal keeps the edited text on the page.
func (c *Console) savePolicyVersion(w http.ResponseWriter, r *http.Request, a *active) {
	name := r.PathValue("name")
	e := &policyEditor{Name: name, Type: "Custom", Document: r.PostFormValue("document")}
	_, err := c.call(r, a, ramVersion, "CreatePolicyVersion", map[string]string{"PolicyName": name, "PolicyDocument": e.Document,
		"SetAsDefault": "true", "RotateStrategy": "DeleteOldestNonDefaultVersionWhenLimitExceeded"})
	if err != nil {
		v := policiesCrumbs(a, name, crumb{Label: name})
		v.Error, v.Data = shown(err), e
		c.render(w, statusOf(err), "ram_policy", v)
		return
	}
	redirect(w, r, policyHome("Custom", name)+"?saved=1")
}

// deletePolicy deletes a custom policy after a confirmation naming it.
func (c *Console) deletePolicy(w http.ResponseWriter, r *http.Request, a *active) {
	name := r.PathValue("name")
	if r.PostFormValue("confirm") != "yes" {
		v := policiesCrumbs(a, "Delete policy", crumb{Label: name, Href: policyHome("Custom", name)}, crumb{Label: "Delete"})
		v.Data = &confirmation{Question: fmt.Sprintf("Delete the custom policy %q? This cannot be undone.", name),
			Action: r.URL.Path, Cancel: policyHome("Custom", name), Button: "Delete " + name}
		c.render(w, http.StatusOK, "confirm", v)
		return
	}
	if _, err := c.call(r, a, ramVersion, "DeletePolicy", map[string]string{"PolicyName": name}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, "/console/ram/policies?"+url.Values{"deleted": {name}}.Encode())
}

// versionView is one version's document, read only.
type versionView struct {
	Name, Version, Created, Document string
	Default                          bool
}

// policyVersionPage shows any version of a custom policy (GetPolicyVersion).
func (c *Console) policyVersionPage(w http.ResponseWriter, r *http.Request, a *active) {
	name, id := r.PathValue("name"), r.PathValue("version")
	out, err := c.call(r, a, ramVersion, "GetPolicyVersion", map[string]string{"PolicyType": "Custom", "PolicyName": name, "VersionId": id})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	pv, _ := out["PolicyVersion"].(map[string]any)
	d := &versionView{Name: name, Version: str(pv["VersionId"]), Created: str(pv["CreateDate"]), Document: prettyJSON(str(pv["PolicyDocument"]))}
	d.Default, _ = pv["IsDefaultVersion"].(bool)
	v := policiesCrumbs(a, name+" "+d.Version, crumb{Label: name, Href: policyHome("Custom", name)}, crumb{Label: d.Version})
	v.Data = d
	c.render(w, http.StatusOK, "ram_policyversion", v)
}

// policyVersionAction sets a version as the default (SetDefaultPolicyVersion)
// or deletes it (DeletePolicyVersion, confirmed naming it; the API refuses
// the default version).
func (c *Console) policyVersionAction(w http.ResponseWriter, r *http.Request, a *active) {
	name, id := r.PathValue("name"), r.PathValue("version")
	home := policyHome("Custom", name)
	var err error
	var done url.Values
	switch r.PathValue("op") {
	case "default":
		_, err = c.call(r, a, ramVersion, "SetDefaultPolicyVersion", map[string]string{"PolicyName": name, "VersionId": id})
		done = url.Values{"default": {id}}
	case "delete":
		if !c.confirmed(w, r, policiesCrumbs(a, "Delete version", crumb{Label: name, Href: home}, crumb{Label: "Delete " + id}),
			&confirmation{Question: fmt.Sprintf("Delete version %s of the custom policy %q? This cannot be undone.", id, name),
				Cancel: home, Button: "Delete " + id}) {
			return
		}
		_, err = c.call(r, a, ramVersion, "DeletePolicyVersion", map[string]string{"PolicyName": name, "VersionId": id})
		done = url.Values{"deleted": {id}}
	default:
		c.noPage(w, r, a)
		return
	}
	c.after(w, r, a, err, home+"?"+done.Encode())
}
