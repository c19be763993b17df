package console

// The Grant Permission panel: pick system and custom policies (search,
// type filter) and attach them to a principal (a user, several users from
// the Users list's batch bar, a group or a role), one AttachPolicyTo<Kind>
// per principal and policy. The caller's own permission to list and attach
// applies: every call goes through the invoker.

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// highRisk are the policies the panel marks (the real console badges
// them).
var highRisk = map[string]bool{"AdministratorAccess": true, "AliyunRAMFullAccess": true}

type grantRow struct {
	Name, Type, Description string
	Value                   string // "<type>:<name>", the checkbox's value
	HighRisk, Attached      bool
}

// grantee is who the panel grants to: Kind is the RAM principal type of the
// Attach/ListPoliciesFor actions (User, Group, Role).
type grantee struct {
	Kind  string
	Names []string
}

// principalKinds maps a principal kind to its name parameter and its
// detail page's path.
var principalKinds = map[string]struct{ param, home string }{
	"User":  {"UserName", "/console/ram/users/"},
	"Group": {"GroupName", "/console/ram/groups/"},
	"Role":  {"RoleName", "/console/ram/roles/"},
}

// home is where Complete and Cancel go: the principal's page, or the Users
// list for several users.
func (g grantee) home() string {
	if len(g.Names) == 1 {
		return principalKinds[g.Kind].home + url.PathEscape(g.Names[0])
	}
	return "/console/ram/users"
}

// action is the panel's own address (it posts back to itself).
func (g grantee) action() string {
	if len(g.Names) == 1 {
		return g.home() + "/grant"
	}
	return "/console/ram/users-batch/grant"
}

type grantData struct {
	Kind     string
	Names    []string
	Action   string // the panel's GET and POST address
	Home     string
	Search   string
	Type     string
	Policies []grantRow
}

// maxGrantPolicies bounds one submit, as the real console did (five).
const maxGrantPolicies = 5

// maxBatchUsers bounds the users of one batch action (a page of the list
// holds at most 100).
const maxBatchUsers = 100

func grantCrumbs(a *active, g grantee) *view {
	if len(g.Names) != 1 {
		return usersCrumbs(a, "Grant Permission", crumb{Label: "Grant Permission"})
	}
	more := crumb{Label: g.Names[0], Href: g.home()}
	switch g.Kind {
	case "Group":
		return groupsCrumbs(a, "Grant Permission", more, crumb{Label: "Grant Permission"})
	case "Role":
		return rolesCrumbs(a, "Grant Permission", more, crumb{Label: "Grant Permission"})
	}
	return usersCrumbs(a, "Grant Permission", more, crumb{Label: "Grant Permission"})
}

// granteeOf reads the principal of a panel request: the path's name for a
// user, group or role; the "user" values for the batch.
func granteeOf(r *http.Request, kind string) (grantee, error) {
	if kind == "" { // the batch: the users ticked in the list
		if err := r.ParseForm(); err != nil {
			return grantee{}, codeBadQuery.New("The form could not be read: %v", err)
		}
		names := r.Form["user"]
		if len(names) == 0 || len(names) > maxBatchUsers {
			// No action answers this: it is the batch bar's own selection.
			return grantee{}, codeBadQuery.New("Select between 1 and %d users.", maxBatchUsers)
		}
		return grantee{Kind: "User", Names: names}, nil
	}
	return grantee{Kind: kind, Names: []string{r.PathValue("name")}}, nil
}

// grantPanelOf is the panel's page for a kind of principal ("" for the
// batch); grantTo its post.
func (c *Console) grantPanelOf(kind string) handler {
	return func(w http.ResponseWriter, r *http.Request, a *active) { c.grantPanel(w, r, a, kind) }
}

func (c *Console) grantTo(kind string) handler {
	return func(w http.ResponseWriter, r *http.Request, a *active) { c.grant(w, r, a, kind) }
}

// grantPanel lists the policies to pick from (ListPolicies); for one
// principal, the ones it has already (ListPoliciesFor<Kind>) are marked.
func (c *Console) grantPanel(w http.ResponseWriter, r *http.Request, a *active, kind string) {
	g, err := granteeOf(r, kind)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	q := r.URL.Query()
	d := &grantData{Kind: g.Kind, Names: g.Names, Action: g.action(), Home: g.home(), Search: strings.TrimSpace(q.Get("search")), Type: q.Get("type")}
	if d.Type != "System" && d.Type != "Custom" {
		d.Type = ""
	}
	attached := map[string]bool{}
	if len(g.Names) == 1 {
		out, err := c.call(r, a, ramVersion, "ListPoliciesFor"+g.Kind, map[string]string{principalKinds[g.Kind].param: g.Names[0]})
		if err != nil {
			c.fail(w, r, a, 0, err)
			return
		}
		for _, p := range listOf(out, "Policies", "Policy") {
			attached[str(p["PolicyType"])+":"+str(p["PolicyName"])] = true
		}
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
			row.Value = row.Type + ":" + row.Name
			row.HighRisk, row.Attached = highRisk[row.Name], attached[row.Value]
			d.Policies = append(d.Policies, row)
		}
		if t, _ := out["IsTruncated"].(bool); !t {
			break
		}
		marker = str(out["Marker"])
	}
	v := grantCrumbs(a, g)
	v.Data = d
	c.render(w, http.StatusOK, "ram_grant", v)
}

// grant attaches the picked policies to each principal in order, stopping
// at the first refusal (EntityAlreadyExists.<Kind>.Policy for one already
// attached), which the result list shows with its request id.
func (c *Console) grant(w http.ResponseWriter, r *http.Request, a *active, kind string) {
	g, err := granteeOf(r, kind)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	picked := r.PostForm["policy"]
	if len(picked) == 0 || len(picked) > maxGrantPolicies {
		// The panel's own limit (the older console's five per submit): no
		// action answers it.
		c.fail(w, r, a, http.StatusBadRequest, codeBadQuery.New("Select between 1 and %d policies.", maxGrantPolicies))
		return
	}
	var steps []*planStep
	param := principalKinds[g.Kind].param
	for _, name := range g.Names {
		for _, p := range picked {
			typ, pol, ok := strings.Cut(p, ":")
			if !ok {
				// The checkbox's value is the panel's own encoding of type and
				// name, which no action reads.
				c.fail(w, r, a, http.StatusBadRequest, codeBadQuery.New("A selected policy is not <System|Custom>:<name>."))
				return
			}
			steps = append(steps, &planStep{Action: "AttachPolicyTo" + g.Kind, Product: "RAM",
				What: fmt.Sprintf("Attach the %s policy %s to %s", typ, pol, name), version: ramVersion,
				params: map[string]string{param: name, "PolicyType": typ, "PolicyName": pol}})
		}
	}
	status := c.runSteps(r, a, steps)
	v := grantCrumbs(a, g)
	v.Data = &stepsData{Steps: steps, Back: g.home(), ID: "grant", Kind: g.Kind, Names: g.Names}
	c.render(w, status, "ram_steps", v)
}
