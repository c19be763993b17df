package console

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"github.com/canopy-iam/canopy/internal/directory"
)

// Member deletion: Settings > Member Deletion turns it on or off
// (SetMemberDeletionPermission); a member's Delete opens a dialog naming
// it with an irreversible warning, runs the pre-deletion check
// (CheckAccountDelete, a job) and shows its result
// (GetAccountDeletionCheckResult: every check of the catalogue with pass
// or fail, the abandonable failures as checkboxes, a blocking failure
// stops it), then DeleteAccount with the ticked checks and a status page
// (GetAccountDeletionStatus) until the job ends. Pages whose state moves
// on by itself reload themselves (console.js, data-autorefresh) and
// carry a Refresh link for a browser without scripts.

func (c *Console) deletionRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /console/rd/settings", c.ready(c.rdSettingsPage))
	m.HandleFunc("POST /console/rd/settings/deletion", c.readyPost(c.rdSetDeletion))
	m.HandleFunc("GET /console/rd/members/{id}/delete", c.ready(c.rdDeleteDialog))
	m.HandleFunc("POST /console/rd/members/{id}/delete/check", c.readyPost(c.rdDeleteCheck))
	m.HandleFunc("GET /console/rd/members/{id}/delete/check", c.ready(c.rdDeleteCheckPage))
	m.HandleFunc("POST /console/rd/members/{id}/delete", c.readyPost(c.rdDelete))
	m.HandleFunc("GET /console/rd/members/{id}/delete/status", c.ready(c.rdDeleteStatusPage))
}

type rdSettingsData struct {
	DirectoryID string
	Deletion    string // Enabled | Disabled
	// Manages is false in a member account: it reads its directory's
	// setting, only the management account changes it.
	Manages bool
	Master  string
}

// rdSettingsPage is Settings > Member Deletion: the current state from
// GetResourceDirectory and the button that flips it.
func (c *Console) rdSettingsPage(w http.ResponseWriter, r *http.Request, a *active) {
	rd, ok := c.rdEnabled(w, r, a)
	if !ok {
		return
	}
	d := &rdSettingsData{DirectoryID: str(rd["ResourceDirectoryId"]), Deletion: str(rd["MemberDeletionStatus"]),
		Master: str(rd["MasterAccountId"])}
	d.Manages = d.Master == a.principal().AccountID
	if d.Deletion == "" {
		d.Deletion = directory.Disabled
	}
	v := rdShell(a, "Settings", "rd", crumb{Label: "Settings"})
	v.Notice = rdNotice(r.URL.Query())
	v.Data = d
	c.render(w, http.StatusOK, "rd_settings", v)
}

func (c *Console) rdSetDeletion(w http.ResponseWriter, r *http.Request, a *active) {
	status := formValue(r, "status")
	if _, err := c.call(r, a, rdVersion, "SetMemberDeletionPermission", map[string]string{"Status": status}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, "/console/rd/settings?"+url.Values{"done": {"deletion-set"}, "name": {status}}.Encode())
}

// rdCheckItem is one line of the check list.
type rdCheckItem struct {
	ID, Name, Description string
	Passed, Abandonable   bool
}

type rdDeleteData struct {
	Member rdMember
	// The dialog: Disabled says why no check can start.
	Disabled string
	// The check's result.
	CheckStatus string
	Checks      []rdCheckItem
	Blocked     bool
	// The deletion's status.
	Status      string
	FailReasons []rdCheckItem
	Created     string
	Deleted     string
}

// rdDeleteShell is the view of every deletion page of member m.
func rdDeleteShell(a *active, m *rdMember, d *rdDeleteData) *view {
	v := memberShell(a, m, "Delete member")
	d.Member = *m
	v.Data = d
	return v
}

// rdDeleteDialog names the member, warns that deletion cannot be undone,
// and offers to start the check; the management root is refused with the
// directory's rule and a disabled deletion is explained, both before any
// call that would fail.
func (c *Console) rdDeleteDialog(w http.ResponseWriter, r *http.Request, a *active) {
	rd, ok := c.rdEnabled(w, r, a)
	if !ok {
		return
	}
	m, ok := c.rdReadMember(w, r, a)
	if !ok {
		return
	}
	d := &rdDeleteData{}
	v := rdDeleteShell(a, m, d)
	status := http.StatusOK
	if err := directory.CheckDeletionCaller(a.principal(), true); err != nil {
		v.Error, status = c.shownErrorOf(r, err)
	} else if str(rd["MemberDeletionStatus"]) != directory.Enabled {
		d.Disabled = rdDeletionOff
	}
	c.render(w, status, "rd_delete", v)
}

func deletePage(id, step string) string {
	return "/console/rd/members/" + url.PathEscape(id) + "/delete/" + step
}

// rdDeleteCheck is the dialog's Check: CheckAccountDelete.
func (c *Console) rdDeleteCheck(w http.ResponseWriter, r *http.Request, a *active) {
	id := r.PathValue("id")
	if _, err := c.call(r, a, rdVersion, "CheckAccountDelete", map[string]string{"AccountId": id}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, deletePage(id, "check"))
}

// rdDeleteCheckPage shows the check: PreChecking (the page reloads), then
// every check with its verdict.
func (c *Console) rdDeleteCheckPage(w http.ResponseWriter, r *http.Request, a *active) {
	m, ok := c.rdReadMember(w, r, a)
	if !ok {
		return
	}
	out, err := c.call(r, a, rdVersion, "GetAccountDeletionCheckResult", map[string]string{"AccountId": m.ID})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	res, _ := out["AccountDeletionCheckResultInfo"].(map[string]any)
	d := &rdDeleteData{CheckStatus: str(res["Status"])}
	if d.CheckStatus == directory.CheckComplete {
		d.Checks, d.Blocked = checkItems(listed(res["NotAllowReason"]), listed(res["AbandonableChecks"]))
	}
	v := rdDeleteShell(a, m, d)
	if err != nil { // gone: its page no longer exists
		v.Crumbs[len(v.Crumbs)-2].Href = ""
	}
	c.render(w, http.StatusOK, "rd_delete", v)
}

// listed reads a plain JSON array of objects.
func listed(v any) []map[string]any {
	items, _ := v.([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// checkItems lays the check's findings over the catalogue: a check that
// found nothing passed; blocked is true when a blocking check failed.
func checkItems(notAllowed, abandonable []map[string]any) (items []rdCheckItem, blocked bool) {
	found := map[string]map[string]any{}
	for _, f := range append(notAllowed, abandonable...) {
		found[str(f["CheckId"])] = f
	}
	for _, c := range directory.DeletionChecks() {
		it := rdCheckItem{ID: c.ID, Name: c.Name, Description: c.Looks, Passed: true, Abandonable: c.Abandonable}
		if f, ok := found[c.ID]; ok {
			it.Passed, it.Description = false, str(f["Description"])
			blocked = blocked || !c.Abandonable
			delete(found, c.ID)
		}
		items = append(items, it)
	}
	// A check the catalogue does not know still shows, and blocks.
	for id, f := range found {
		items = append(items, rdCheckItem{ID: id, Name: str(f["CheckName"]), Description: str(f["Description"])})
		blocked = true
	}
	return items, blocked
}

// rdDelete is the confirmation: DeleteAccount with the abandoned checks
// ticked (the directory refuses a blocking one and any it does not know).
func (c *Console) rdDelete(w http.ResponseWriter, r *http.Request, a *active) {
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		c.fail(w, r, a, http.StatusBadRequest, codeBadQuery.New("The form could not be read: %v", err))
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		redirect(w, r, deletePage(id, "check"))
		return
	}
	params := map[string]string{"AccountId": id}
	if abandon := r.PostForm["abandon"]; len(abandon) > 0 {
		slices.Sort(abandon)
		list, _ := json.Marshal(slices.Compact(abandon))
		params["AbandonableCheckId"] = string(list)
	}
	if _, err := c.call(r, a, rdVersion, "DeleteAccount", params); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, deletePage(id, "status")+"?"+url.Values{"name": {formValue(r, "name")}}.Encode())
}

// rdDeleteStatusPage follows the deletion. The member is named while it
// exists; once deleted, by the name the confirmation passed along (shown
// only, escaped) or its id.
func (c *Console) rdDeleteStatusPage(w http.ResponseWriter, r *http.Request, a *active) {
	id := r.PathValue("id")
	out, err := c.call(r, a, rdVersion, "GetAccountDeletionStatus", map[string]string{"AccountId": id})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	st, _ := out["RdAccountDeletionStatus"].(map[string]any)
	m := &rdMember{ID: id, DisplayName: r.URL.Query().Get("name")}
	if m.DisplayName == "" {
		m.DisplayName = id
	}
	acct, err := c.call(r, a, rdVersion, "GetAccount", map[string]string{"AccountId": id})
	if err == nil {
		am, _ := acct["Account"].(map[string]any)
		*m = memberOf(am)
	}
	d := &rdDeleteData{Status: str(st["Status"]), Created: str(st["CreateTime"]), Deleted: str(st["DeletionTime"])}
	for _, f := range listed(st["FailReasonList"]) {
		d.FailReasons = append(d.FailReasons, rdCheckItem{ID: str(f["Name"]), Description: str(f["Description"])})
	}
	c.render(w, http.StatusOK, "rd_delete", rdDeleteShell(a, m, d))
}
