package console

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/directory"
)

// A member's Actions: which links its row and its detail page offer, by
// its type and state, and the dialogs behind them that the deletion flow
// (rd_delete.go) and the type switch (rd_switch.go) do not cover: rename,
// remove a cloud account, bind a resource account's security phone,
// switch a resource account to a cloud account, and the Member List's
// bulk Move. Each dialog names its target; each write is the
// ResourceManager action through the invoker, whose rules decide.

func (c *Console) actionRoutes(m *http.ServeMux) {
	m.HandleFunc("POST /console/rd/members/{id}/rename", c.readyPost(c.rdRenameMember))
	m.HandleFunc("GET /console/rd/members/{id}/remove", c.ready(c.rdRemoveDialog))
	m.HandleFunc("POST /console/rd/members/{id}/remove", c.readyPost(c.rdRemoveMember))
	m.HandleFunc("GET /console/rd/members/{id}/phone", c.ready(c.rdPhoneDialog))
	m.HandleFunc("POST /console/rd/members/{id}/phone", c.readyPost(c.rdPhoneStep))
	m.HandleFunc("GET /console/rd/members/{id}/upgrade", c.ready(c.rdUpgradeDialog))
	m.HandleFunc("POST /console/rd/members/{id}/upgrade", c.readyPost(c.rdUpgrade))
	m.HandleFunc("POST /console/rd/members/move", c.readyPost(c.rdBulkMove))
}

// rdActions is the link set of one member.
type rdActions struct {
	SwitchToResource bool // cloud accounts (rd_switch.go)
	SwitchToCloud    bool // resource accounts ("upgrade")
	BindPhone        bool // resource accounts
	Delete           bool // resource accounts the directory created
	Remove           bool // cloud accounts
	// DeleteOff says why Delete cannot run now (member deletion is off):
	// the link stays, with the reason, rather than vanishing.
	DeleteOff string
}

// settled are the statuses of a member that has joined and is not in a
// pending creation or promotion: only those get the type and lifecycle
// actions (the directory refuses the others anyway).
var settled = map[string]bool{directory.StatusCreateSuccess: true, directory.StatusInviteSuccess: true,
	directory.StatusSwitchSuccess: true, directory.StatusPromoteSuccess: true}

// rdDeletionOff is the Delete link's explanation while deletion is off.
const rdDeletionOff = "Member deletion is disabled for this resource directory: enable it in Settings > Member Deletion first."

// actionsFor is m's link set in the directory rd (GetResourceDirectory):
// the management account itself is neither removed, deleted nor switched.
func actionsFor(m rdMember, rd map[string]any) rdActions {
	if !settled[m.Status] || m.ID == str(rd["MasterAccountId"]) {
		return rdActions{}
	}
	var acts rdActions
	switch m.Type {
	case directory.TypeCloudAccount:
		acts.SwitchToResource, acts.Remove = true, true
	case directory.TypeResourceAccount:
		acts.SwitchToCloud, acts.BindPhone = true, true
		acts.Delete = m.JoinMethod == directory.JoinCreated
		if acts.Delete && str(rd["MemberDeletionStatus"]) != directory.Enabled {
			acts.DeleteOff = rdDeletionOff
		}
	}
	return acts
}

// shownErrorOf is an error as a dialog shows it above its form, and the
// status the page answers with (a refusal's own, never a 5xx for it).
func (c *Console) shownErrorOf(r *http.Request, err error) (*shownError, int) {
	e := apperr.As(err)
	status, ok := api.HTTPStatus[e.Kind]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		c.log.Error("console request failed", "path", r.URL.Path, "cause", errors.Unwrap(e))
	}
	return &shownError{Code: e.Code, Message: e.Message, RequestID: requestIDOf(err)}, status
}

// rdReadMember is GetAccount of the path's member as the signed-in
// identity: a member of another directory, or none, is the action's own
// refusal.
func (c *Console) rdReadMember(w http.ResponseWriter, r *http.Request, a *active) (*rdMember, bool) {
	out, err := c.call(r, a, rdVersion, "GetAccount", map[string]string{"AccountId": r.PathValue("id")})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return nil, false
	}
	acct, _ := out["Account"].(map[string]any)
	m := memberOf(acct)
	return &m, true
}

func memberPage(id string, q url.Values) string {
	return "/console/rd/members/" + url.PathEscape(id) + "?" + q.Encode()
}

// memberCrumbs lead from the Member List through the member to a dialog.
func memberShell(a *active, m *rdMember, title string) *view {
	return rdShell(a, title, "rd-members", crumb{Label: "Member List", Href: "/console/rd/members"},
		crumb{Label: m.DisplayName, Href: "/console/rd/members/" + url.PathEscape(m.ID)}, crumb{Label: title})
}

// rdRenameMember is the detail page's Modify display name.
func (c *Console) rdRenameMember(w http.ResponseWriter, r *http.Request, a *active) {
	id, name := r.PathValue("id"), formValue(r, "display_name")
	if _, err := c.call(r, a, rdVersion, "UpdateAccount", map[string]string{"AccountId": id, "NewDisplayName": name}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, memberPage(id, url.Values{"done": {"member-renamed"}, "name": {name}}))
}

func (c *Console) removeConfirmation(a *active, m *rdMember) *view {
	v := memberShell(a, m, "Remove member")
	v.Data = &confirmation{Question: "Remove the cloud account " + m.DisplayName + " (" + m.ID + ") from the resource directory? " +
		"It leaves the directory and becomes a standalone account again: the management account can no longer manage it or log on to it, " +
		"and the ResourceDirectoryAccountAccessRole is deleted from it.",
		Action: "/console/rd/members/" + url.PathEscape(m.ID) + "/remove", Fields: map[string]string{},
		Cancel: "/console/rd/members/" + url.PathEscape(m.ID), Button: "Remove " + m.DisplayName}
	return v
}

func (c *Console) rdRemoveDialog(w http.ResponseWriter, r *http.Request, a *active) {
	m, ok := c.rdReadMember(w, r, a)
	if !ok {
		return
	}
	c.render(w, http.StatusOK, "confirm", c.removeConfirmation(a, m))
}

// rdRemoveMember is RemoveCloudAccount, after the confirmation.
func (c *Console) rdRemoveMember(w http.ResponseWriter, r *http.Request, a *active) {
	m, ok := c.rdReadMember(w, r, a)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		c.render(w, http.StatusOK, "confirm", c.removeConfirmation(a, m))
		return
	}
	if _, err := c.call(r, a, rdVersion, "RemoveCloudAccount", map[string]string{"AccountId": m.ID}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, "/console/rd/members?"+url.Values{"done": {"member-removed"}, "name": {m.DisplayName}}.Encode())
}

type rdPhoneData struct {
	Member  rdMember
	Phone   string
	Expires string // set once a code was sent
}

func (c *Console) rdPhoneDialog(w http.ResponseWriter, r *http.Request, a *active) {
	m, ok := c.rdReadMember(w, r, a)
	if !ok {
		return
	}
	v := memberShell(a, m, "Bind Mobile Phone Number")
	v.Data = &rdPhoneData{Member: *m}
	c.render(w, http.StatusOK, "rd_phone", v)
}

// rdPhoneStep is the dialog's Get verification code (step send:
// SendVerificationCodeForBindSecureMobilePhone, the SMS goes through the
// outbox) and its OK (step bind: BindSecureMobilePhone). A refusal shows
// above the form, which keeps the number.
func (c *Console) rdPhoneStep(w http.ResponseWriter, r *http.Request, a *active) {
	m, ok := c.rdReadMember(w, r, a)
	if !ok {
		return
	}
	d := &rdPhoneData{Member: *m, Phone: formValue(r, "phone")}
	v := memberShell(a, m, "Bind Mobile Phone Number")
	v.Data = d
	status := http.StatusOK
	if r.PostFormValue("step") == "send" {
		out, err := c.call(r, a, rdVersion, "SendVerificationCodeForBindSecureMobilePhone",
			map[string]string{"AccountId": m.ID, "SecureMobilePhone": d.Phone})
		if err != nil {
			v.Error, status = c.shownErrorOf(r, err)
		} else {
			d.Expires = str(out["ExpirationDate"])
			v.Notice = "A verification code was sent to " + d.Phone + "."
		}
		c.render(w, status, "rd_phone", v)
		return
	}
	_, err := c.call(r, a, rdVersion, "BindSecureMobilePhone",
		map[string]string{"AccountId": m.ID, "SecureMobilePhone": d.Phone, "VerificationCode": formValue(r, "code")})
	if err != nil {
		v.Error, status = c.shownErrorOf(r, err)
		c.render(w, status, "rd_phone", v)
		return
	}
	redirect(w, r, memberPage(m.ID, url.Values{"done": {"phone-bound"}, "name": {d.Phone}}))
}

// rdUpgradeDialog is Switch to cloud account: a risk warning and a
// checkbox that gates OK. The management root is refused up front with
// UpdateAccount's own rule.
func (c *Console) rdUpgradeDialog(w http.ResponseWriter, r *http.Request, a *active) {
	if err := directory.CheckTypeSwitchCaller(a.principal()); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	m, ok := c.rdReadMember(w, r, a)
	if !ok {
		return
	}
	v := memberShell(a, m, "Switch to Cloud Account")
	v.Data = m
	c.render(w, http.StatusOK, "rd_upgrade", v)
}

// rdUpgrade is the dialog's OK: UpdateAccount(NewAccountType=CloudAccount),
// whose preconditions (a resource account, a security phone) decide.
func (c *Console) rdUpgrade(w http.ResponseWriter, r *http.Request, a *active) {
	m, ok := c.rdReadMember(w, r, a)
	if !ok {
		return
	}
	if r.PostFormValue("risk") != "yes" {
		c.fail(w, r, a, http.StatusBadRequest, codeRiskNotAccepted.New("Tick the box to confirm you understand the risks of switching %s to a cloud account.", m.DisplayName))
		return
	}
	if _, err := c.call(r, a, rdVersion, "UpdateAccount", map[string]string{"AccountId": m.ID, "NewAccountType": directory.TypeCloudAccount}); err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	redirect(w, r, memberPage(m.ID, url.Values{"done": {"member-upgraded"}, "name": {m.DisplayName}}))
}

// rdBulkMoveMax bounds one bulk Move: the largest Member List page.
const rdBulkMoveMax = 100

// rdMoveResult is one member's line of a bulk Move's report.
type rdMoveResult struct {
	ID    string
	Error *shownError
}

type rdBulkMoveData struct {
	Folder, FolderName string
	Results            []rdMoveResult
	Moved, Failed      int
}

// rdBulkMove is the Member List's bottom Move: MoveAccount for each
// selected member, one call each (one member's refusal does not stop the
// others), reported member by member.
func (c *Console) rdBulkMove(w http.ResponseWriter, r *http.Request, a *active) {
	if err := r.ParseForm(); err != nil {
		c.fail(w, r, a, http.StatusBadRequest, codeBadQuery.New("The form could not be read: %v", err))
		return
	}
	ids, to := r.PostForm["member"], formValue(r, "folder")
	switch {
	case len(ids) == 0:
		c.fail(w, r, a, http.StatusBadRequest, codeBadQuery.New("Select at least one member to move."))
		return
	case len(ids) > rdBulkMoveMax:
		c.fail(w, r, a, http.StatusBadRequest, codeBadQuery.New("Move at most %d members at a time; %d were selected.", rdBulkMoveMax, len(ids)))
		return
	}
	d := &rdBulkMoveData{Folder: to, FolderName: to}
	if out, err := c.call(r, a, rdVersion, "GetFolder", map[string]string{"FolderId": to}); err == nil {
		f, _ := out["Folder"].(map[string]any)
		d.FolderName = str(f["FolderName"])
	}
	for _, id := range ids {
		res := rdMoveResult{ID: id}
		if _, err := c.call(r, a, rdVersion, "MoveAccount", map[string]string{"AccountId": id, "DestinationFolderId": to}); err != nil {
			res.Error, _ = c.shownErrorOf(r, err)
			d.Failed++
		} else {
			d.Moved++
		}
		d.Results = append(d.Results, res)
	}
	v := rdShell(a, "Move members", "rd-members", crumb{Label: "Member List", Href: "/console/rd/members"}, crumb{Label: "Move"})
	v.Data = d
	c.render(w, http.StatusOK, "rd_bulkmove", v)
}
