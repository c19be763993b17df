package console

// RAM > Identities > Groups: the list with Create Group, and a group's
// members (add, remove) and policies (the Grant Permission panel, Revoke);
// removals, revocations and deletion are confirmed on a page naming the
// target.

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

type groupRow struct{ Name, Comments, Created string }

type groupsData struct {
	Search string
	Groups []groupRow
}

func groupsCrumbs(a *active, title string, more ...crumb) *view {
	return shell(a, title, "ram-groups", append([]crumb{{Label: "RAM", Href: "/console/ram/overview"},
		{Label: "Groups", Href: "/console/ram/groups"}}, more...)...)
}

func groupHome(name string) string { return "/console/ram/groups/" + url.PathEscape(name) }

func (c *Console) groupsPage(w http.ResponseWriter, r *http.Request, a *active) {
	q := r.URL.Query()
	d := &groupsData{Search: strings.TrimSpace(q.Get("search"))}
	marker := ""
	for pages := 0; pages < searchPages; pages++ {
		out, err := c.call(r, a, ramVersion, "ListGroups", map[string]string{"Marker": marker, "MaxItems": "100"})
		if err != nil {
			c.fail(w, r, a, 0, err)
			return
		}
		for _, g := range listOf(out, "Groups", "Group") {
			row := groupRow{Name: str(g["GroupName"]), Comments: str(g["Comments"]), Created: str(g["CreateDate"])}
			if s := strings.ToLower(d.Search); s == "" || strings.Contains(strings.ToLower(row.Name), s) || strings.Contains(strings.ToLower(row.Comments), s) {
				d.Groups = append(d.Groups, row)
			}
		}
		if t, _ := out["IsTruncated"].(bool); !t {
			break
		}
		marker = str(out["Marker"])
	}
	v := groupsCrumbs(a, "Groups")
	if del := q.Get("deleted"); del != "" {
		v.Notice = fmt.Sprintf("The group %s was deleted.", del)
	}
	v.Data = d
	c.render(w, http.StatusOK, "ram_groups", v)
}

// createGroup is Create Group (name and note) through CreateGroup.
func (c *Console) createGroup(w http.ResponseWriter, r *http.Request, a *active) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	if _, err := c.call(r, a, ramVersion, "CreateGroup", map[string]string{"GroupName": name,
		"Comments": strings.TrimSpace(r.PostFormValue("comments"))}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, groupHome(name))
}

type groupDetail struct {
	Name, Comments, Created string
	Members                 section
	MemberRows              []string
	Policies                section
	PolicyRows              []policyRow
}

var groupNotices = map[string]string{
	"added":   "%s was added to the group.",
	"removed": "%s was removed from the group.",
	"revoked": "The policy %s was revoked.",
}

func (c *Console) groupPage(w http.ResponseWriter, r *http.Request, a *active) {
	name := r.PathValue("name")
	out, err := c.call(r, a, ramVersion, "GetGroup", map[string]string{"GroupName": name})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	g, _ := out["Group"].(map[string]any)
	d := &groupDetail{Name: str(g["GroupName"]), Comments: str(g["Comments"]), Created: str(g["CreateDate"])}
	by := map[string]string{"GroupName": name}
	if m := c.readSection(r, a, &d.Members, ramVersion, "ListUsersForGroup", by); m != nil {
		for _, u := range listOf(m, "Users", "User") {
			d.MemberRows = append(d.MemberRows, str(u["UserName"]))
		}
	}
	if p := c.readSection(r, a, &d.Policies, ramVersion, "ListPoliciesForGroup", by); p != nil {
		for _, pol := range listOf(p, "Policies", "Policy") {
			d.PolicyRows = append(d.PolicyRows, policyRow{Name: str(pol["PolicyName"]), Type: str(pol["PolicyType"]),
				Description: str(pol["Description"]), Attached: str(pol["AttachDate"])})
		}
	}
	v := groupsCrumbs(a, d.Name, crumb{Label: d.Name})
	q := r.URL.Query()
	if f, ok := groupNotices[q.Get("done")]; ok {
		v.Notice = fmt.Sprintf(f, q.Get("target"))
	}
	v.Data = d
	c.render(w, http.StatusOK, "ram_group", v)
}

// groupAction adds a member, removes one (confirmed) or deletes the group
// (confirmed; the API refuses while it has members or policies).
func (c *Console) groupAction(w http.ResponseWriter, r *http.Request, a *active) {
	name := r.PathValue("name")
	user := strings.TrimSpace(r.PostFormValue("user"))
	confirm := func(question, button string, fields map[string]string) bool {
		return c.confirmed(w, r, groupsCrumbs(a, "Confirm", crumb{Label: name, Href: groupHome(name)}, crumb{Label: "Confirm"}),
			&confirmation{Question: question, Fields: fields, Cancel: groupHome(name), Button: button})
	}
	var err error
	var to string
	switch r.PathValue("op") {
	case "add":
		_, err = c.call(r, a, ramVersion, "AddUserToGroup", map[string]string{"GroupName": name, "UserName": user})
		to = groupHome(name) + "?" + url.Values{"done": {"added"}, "target": {user}}.Encode()
	case "remove":
		if !confirm(fmt.Sprintf("Remove %q from the group %q?", user, name), "Remove "+user, map[string]string{"user": user}) {
			return
		}
		_, err = c.call(r, a, ramVersion, "RemoveUserFromGroup", map[string]string{"GroupName": name, "UserName": user})
		to = groupHome(name) + "?" + url.Values{"done": {"removed"}, "target": {user}}.Encode()
	case "revoke":
		typ, pol := r.PostFormValue("type"), r.PostFormValue("policy")
		if !confirm(fmt.Sprintf("Revoke the %s policy %s from the group %q?", typ, pol, name), "Revoke "+pol,
			map[string]string{"type": typ, "policy": pol}) {
			return
		}
		_, err = c.call(r, a, ramVersion, "DetachPolicyFromGroup", map[string]string{"GroupName": name, "PolicyType": typ, "PolicyName": pol})
		to = groupHome(name) + "?" + url.Values{"done": {"revoked"}, "target": {pol}}.Encode()
	case "delete":
		if !confirm(fmt.Sprintf("Delete the group %q? This cannot be undone.", name), "Delete "+name, nil) {
			return
		}
		_, err = c.call(r, a, ramVersion, "DeleteGroup", map[string]string{"GroupName": name})
		to = "/console/ram/groups?" + url.Values{"deleted": {name}}.Encode()
	default:
		c.noPage(w, r, a)
		return
	}
	c.after(w, r, a, err, to)
}
