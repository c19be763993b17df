package console

// RAM > Identities > Users: the list (ListUsers pages by Marker, a search
// over logon and display names, the total from GetAccountSummary), its
// row Delete and the batch bar under it: the ticked users are added to a
// group, granted policies (the Grant Permission panel for several users)
// or deleted, each a list of calls whose progress the result page shows,
// stopping at the first refusal.

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/canopy-iam/canopy/internal/store"
)

type userRow struct{ Name, DisplayName, Comments, Created, ID string }

type usersData struct {
	Search     string
	Users      []userRow
	Total      string
	Domain     string
	LoginURL   string // the account's RAM-user logon page, suffix pre-filled
	NextQuery  string
	FirstQuery string
	// GroupNames are the batch bar's Add to Group choices (ListGroups);
	// GroupList holds its refusal.
	GroupNames []string
	GroupList  section
}

func (c *Console) usersPage(w http.ResponseWriter, r *http.Request, a *active) {
	q := r.URL.Query()
	d := &usersData{Search: strings.TrimSpace(q.Get("search"))}
	marker := q.Get("marker")
	size := 20
	if d.Search != "" {
		size = 100
	}
	for pages := 0; ; pages++ {
		out, err := c.call(r, a, ramVersion, "ListUsers", map[string]string{"Marker": marker, "MaxItems": strconv.Itoa(size)})
		if err != nil {
			c.fail(w, r, a, 0, err)
			return
		}
		for _, u := range listOf(out, "Users", "User") {
			row := userRow{Name: str(u["UserName"]), DisplayName: str(u["DisplayName"]), Comments: str(u["Comments"]),
				Created: str(u["CreateDate"]), ID: str(u["UserId"])}
			if d.Search == "" || matches(row, d.Search) {
				d.Users = append(d.Users, row)
			}
		}
		marker = ""
		if t, _ := out["IsTruncated"].(bool); t {
			marker = str(out["Marker"])
		}
		if d.Search == "" || marker == "" || pages >= searchPages {
			break
		}
	}
	if marker != "" && d.Search == "" {
		d.NextQuery = "/console/ram/users?" + url.Values{"marker": {marker}}.Encode()
	}
	if q.Get("marker") != "" {
		d.FirstQuery = "/console/ram/users"
	}
	if sum, err := c.call(r, a, imsVersion, "GetAccountSummary", nil); err == nil {
		m, _ := sum["SummaryMap"].(map[string]any)
		if n, ok := m["Users"].(float64); ok {
			d.Total = strconv.Itoa(int(n))
		}
	}
	if err := c.store.Read(r.Context(), func(tx store.Tx) error {
		var err error
		d.Domain, err = c.iam.DefaultDomain(tx, a.principal().AccountID) // a member's, after Log On
		return err
	}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	d.LoginURL = origin(r) + "/console/ram-signin/" + d.Domain
	if len(d.Users) > 0 {
		d.GroupNames = c.groupNames(r, a, &d.GroupList)
	}
	v := shell(a, "Users", "users", crumb{Label: "RAM", Href: "/console/ram/users"}, crumb{Label: "Users"})
	if del := q.Get("deleted"); del != "" {
		v.Notice = fmt.Sprintf("The user %s was deleted.", del)
	}
	v.Data = d
	c.render(w, http.StatusOK, "users", v)
}

func matches(u userRow, s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(strings.ToLower(u.Name), s) || strings.Contains(strings.ToLower(u.DisplayName), s)
}

// groupNames lists the account's groups for an Add to Group choice; a
// refusal is kept in s and shown where the choice would be.
func (c *Console) groupNames(r *http.Request, a *active, s *section) []string {
	var names []string
	marker := ""
	for pages := 0; pages < searchPages; pages++ {
		out := c.readSection(r, a, s, ramVersion, "ListGroups", map[string]string{"Marker": marker, "MaxItems": "100"})
		if out == nil {
			return names
		}
		for _, g := range listOf(out, "Groups", "Group") {
			names = append(names, str(g["GroupName"]))
		}
		if t, _ := out["IsTruncated"].(bool); !t {
			break
		}
		marker = str(out["Marker"])
	}
	return names
}

// batchUsers reads the ticked users of the batch bar.
func batchUsers(r *http.Request) ([]string, error) {
	g, err := granteeOf(r, "")
	return g.Names, err
}

// stepsData is the result page of a list of calls (a batch action, a
// grant): ID prefixes its test ids; Kind and Names, when set, name the
// principal.
type stepsData struct {
	Steps []*planStep
	Back  string
	ID    string
	Kind  string
	Names []string
}

func (c *Console) showSteps(w http.ResponseWriter, r *http.Request, a *active, title string, steps []*planStep) {
	status := c.runSteps(r, a, steps)
	v := usersCrumbs(a, title, crumb{Label: title})
	v.Data = &stepsData{Steps: steps, Back: "/console/ram/users", ID: "batch"}
	c.render(w, status, "ram_steps", v)
}

// deleteUsers is Delete, of a row or of the ticked users: a confirmation
// naming every target, then DeleteUser for each through the invoker (the
// API's rules: DeleteConflict while a user has a login profile, keys,
// groups or policies).
func (c *Console) deleteUsers(w http.ResponseWriter, r *http.Request, a *active) {
	names, err := batchUsers(r)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		v := usersCrumbs(a, "Delete users", crumb{Label: "Delete"})
		what := fmt.Sprintf("the RAM user %q", names[0])
		if len(names) > 1 {
			what = fmt.Sprintf("%d RAM users: %s", len(names), strings.Join(names, ", "))
		}
		v.Data = &confirmation{Question: fmt.Sprintf("Delete %s? This cannot be undone.", what),
			Action: "/console/ram/users/delete", List: map[string][]string{"user": names}, Cancel: "/console/ram/users",
			Button: "Delete " + strings.Join(names, ", ")}
		c.render(w, http.StatusOK, "confirm", v)
		return
	}
	if len(names) == 1 {
		if _, err := c.call(r, a, ramVersion, "DeleteUser", map[string]string{"UserName": names[0]}); err != nil {
			c.fail(w, r, a, 0, err)
			return
		}
		redirect(w, r, "/console/ram/users?"+url.Values{"deleted": {names[0]}}.Encode())
		return
	}
	steps := make([]*planStep, 0, len(names))
	for _, n := range names {
		steps = append(steps, &planStep{Action: "DeleteUser", Product: "RAM", What: "Delete the RAM user " + n,
			version: ramVersion, params: map[string]string{"UserName": n}})
	}
	c.showSteps(w, r, a, "Delete users", steps)
}

// batchAddToGroup is the batch bar's Add to Group: AddUserToGroup for each
// ticked user.
func (c *Console) batchAddToGroup(w http.ResponseWriter, r *http.Request, a *active) {
	names, err := batchUsers(r)
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	group := r.PostFormValue("group")
	steps := make([]*planStep, 0, len(names))
	for _, n := range names {
		steps = append(steps, &planStep{Action: "AddUserToGroup", Product: "RAM", What: fmt.Sprintf("Add %s to the group %s", n, group),
			version: ramVersion, params: map[string]string{"UserName": n, "GroupName": group}})
	}
	c.showSteps(w, r, a, "Add to Group", steps)
}

// batchGrantPost is the batch bar's Grant Permission: the bar's post opens
// the panel for the ticked users; the panel's own post (step=grant)
// attaches.
func (c *Console) batchGrantPost(w http.ResponseWriter, r *http.Request, a *active) {
	if r.PostFormValue("step") != "grant" {
		c.grantPanel(w, r, a, "")
		return
	}
	c.grant(w, r, a, "")
}
