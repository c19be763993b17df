package console

// The Grant Permission panel of a user: pick system and custom policies
// (search, type filter) and attach them, one AttachPolicyToUser each.

import (
	"fmt"
	"net/http"
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

type grantData struct {
	User, Search, Type string
	Policies           []grantRow
	Steps              []*planStep
	Performed          bool
}

// maxGrantPolicies bounds one submit, as the real console did (five).
const maxGrantPolicies = 5

func grantCrumbs(a *active, name string) *view {
	return usersCrumbs(a, "Grant Permission", crumb{Label: name, Href: userHome(name)}, crumb{Label: "Grant Permission"})
}

// grantPage lists the policies to pick from (ListPolicies through the
// invoker: the caller's own permission to list them applies).
func (c *Console) grantPage(w http.ResponseWriter, r *http.Request, a *active) {
	name, ok := c.userName(w, r, a)
	if !ok {
		return
	}
	q := r.URL.Query()
	d := &grantData{User: name, Search: strings.TrimSpace(q.Get("search")), Type: q.Get("type")}
	if d.Type != "System" && d.Type != "Custom" {
		d.Type = ""
	}
	attached := map[string]bool{}
	out, err := c.call(r, a, ramVersion, "ListPoliciesForUser", map[string]string{"UserName": name})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	for _, p := range listOf(out, "Policies", "Policy") {
		attached[str(p["PolicyType"])+":"+str(p["PolicyName"])] = true
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
	v := grantCrumbs(a, name)
	v.Data = d
	c.render(w, http.StatusOK, "ram_grant", v)
}

// grant attaches the picked policies in order, stopping at the first
// refusal (EntityAlreadyExists.User.Policy for one already attached).
func (c *Console) grant(w http.ResponseWriter, r *http.Request, a *active) {
	name, ok := c.userName(w, r, a)
	if !ok {
		return
	}
	picked := r.PostForm["policy"]
	if len(picked) == 0 || len(picked) > maxGrantPolicies {
		c.fail(w, r, a, http.StatusBadRequest, codeBadQuery.New("Select between 1 and %d policies.", maxGrantPolicies))
		return
	}
	d := &grantData{User: name, Performed: true}
	for _, p := range picked {
		typ, pol, ok := strings.Cut(p, ":")
		if !ok || (typ != "System" && typ != "Custom") || pol == "" || len(pol) > 128 {
			c.fail(w, r, a, http.StatusBadRequest, codeBadQuery.New("A selected policy is not <System|Custom>:<name>."))
			return
		}
		d.Steps = append(d.Steps, &planStep{Action: "AttachPolicyToUser", Product: "RAM",
			What: fmt.Sprintf("Attach the %s policy %s", typ, pol), version: ramVersion,
			params: map[string]string{"UserName": name, "PolicyType": typ, "PolicyName": pol}})
	}
	status := c.runSteps(r, a, d.Steps)
	v := grantCrumbs(a, name)
	v.Data = d
	c.render(w, status, "ram_grant", v)
}
