package console

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/canopy-iam/canopy/internal/apperr"
)

// Invitations: the management account sends, lists and cancels them; the
// invited account accepts or declines from its own console. Each is the
// handshake action through the invoker; the accepting and declining and
// the cancelling are confirmed on a page naming the invitation first.

func (c *Console) invitationRoutes(m *http.ServeMux) {
	m.HandleFunc("GET /console/rd/invitations", c.ready(c.rdInvitationsPage))
	m.HandleFunc("POST /console/rd/invitations", c.readyPost(c.rdInvite))
	for _, t := range handshakeTransitions {
		m.HandleFunc("POST /console/rd/invitations/"+t.path, c.readyPost(c.rdHandshakeTransition(t)))
	}
}

// handshakeTransition is Cancel (sender), Accept or Decline (invitee).
type handshakeTransition struct {
	path, action, verb, question, done string
	danger                             bool
}

var handshakeTransitions = []handshakeTransition{
	{path: "cancel", action: "CancelHandshake", verb: "Cancel invitation", danger: true, done: "canceled",
		question: "Cancel the invitation %s to %s? The invited account can no longer accept it."},
	{path: "accept", action: "AcceptHandshake", verb: "Accept", done: "accepted",
		question: "Accept the invitation %s from the management account %s (%s)? This account joins its resource directory: the management account can then manage it, log on to it through the ResourceDirectoryAccountAccessRole created in it, and apply the directory's policies."},
	{path: "decline", action: "DeclineHandshake", verb: "Decline", danger: true, done: "declined",
		question: "Decline the invitation %s from the management account %s (%s)?"},
}

type rdHandshake struct {
	ID, Target, TargetType, Note, Status, Created, Expires, MasterID, MasterName, DirectoryID string
}

func handshakeOf(m map[string]any) rdHandshake {
	return rdHandshake{ID: str(m["HandshakeId"]), Target: str(m["TargetEntity"]), TargetType: str(m["TargetType"]),
		Note: str(m["Note"]), Status: str(m["Status"]), Created: str(m["CreateTime"]), Expires: str(m["ExpireTime"]),
		MasterID: str(m["MasterAccountId"]), MasterName: str(m["MasterAccountName"]), DirectoryID: str(m["ResourceDirectoryId"])}
}

type rdInvitationsData struct {
	Manages  bool // the account manages a directory: the sender's part
	Sent     []rdHandshake
	Received []rdHandshake
}

var invitationNotices = map[string]string{
	"invited":  "The invitation %s was sent.",
	"canceled": "The invitation %s was cancelled.",
	"accepted": "The invitation %s was accepted: this account is now a member of the resource directory.",
	"declined": "The invitation %s was declined.",
}

// rdInvitationsPage lists the directory's invitations (when the account
// manages one) and the invitations this account received.
func (c *Console) rdInvitationsPage(w http.ResponseWriter, r *http.Request, a *active) {
	d := &rdInvitationsData{}
	sent, err := c.call(r, a, rdVersion, "ListHandshakesForResourceDirectory", map[string]string{"PageSize": "100"})
	switch {
	case err == nil:
		d.Manages = true
		for _, h := range listOf(sent, "Handshakes", "Handshake") {
			d.Sent = append(d.Sent, handshakeOf(h))
		}
	case apperr.As(err).Kind != apperr.KindNotFound:
		c.fail(w, r, a, 0, err)
		return
	}
	received, err := c.call(r, a, rdVersion, "ListHandshakesForAccount", map[string]string{"PageSize": "100"})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	for _, h := range listOf(received, "Handshakes", "Handshake") {
		d.Received = append(d.Received, handshakeOf(h))
	}
	v := rdShell(a, "Invitations", "rd", crumb{Label: "Invitations"})
	q := r.URL.Query()
	if f, ok := invitationNotices[q.Get("done")]; ok {
		v.Notice = fmt.Sprintf(f, q.Get("id"))
	}
	v.Data = d
	c.render(w, http.StatusOK, "rd_invitations", v)
}

func (c *Console) rdInvite(w http.ResponseWriter, r *http.Request, a *active) {
	out, err := c.call(r, a, rdVersion, "InviteAccountToResourceDirectory", map[string]string{
		"TargetEntity": formValue(r, "target"), "TargetType": formValue(r, "target_type"), "Note": formValue(r, "note")})
	if err != nil {
		c.fail(w, r, a, 0, err)
		return
	}
	h, _ := out["Handshake"].(map[string]any)
	redirect(w, r, "/console/rd/invitations?"+url.Values{"done": {"invited"}, "id": {str(h["HandshakeId"])}}.Encode())
}

// rdHandshakeTransition reads the invitation (GetHandshake: either side
// may), asks on a page naming it, then runs the transition.
func (c *Console) rdHandshakeTransition(t handshakeTransition) handler {
	return func(w http.ResponseWriter, r *http.Request, a *active) {
		id := formValue(r, "handshake")
		out, err := c.call(r, a, rdVersion, "GetHandshake", map[string]string{"HandshakeId": id})
		if err != nil {
			c.fail(w, r, a, 0, err)
			return
		}
		hm, _ := out["Handshake"].(map[string]any)
		h := handshakeOf(hm)
		if r.PostFormValue("confirm") != "yes" {
			q := fmt.Sprintf(t.question, h.ID, h.MasterName, h.MasterID)
			if t.path == "cancel" {
				q = fmt.Sprintf(t.question, h.ID, h.Target)
			}
			v := rdShell(a, t.verb, "rd", crumb{Label: "Invitations", Href: "/console/rd/invitations"}, crumb{Label: h.ID})
			v.Data = &confirmation{Question: q, Action: "/console/rd/invitations/" + t.path, Fields: map[string]string{"handshake": h.ID},
				Cancel: "/console/rd/invitations", Button: t.verb}
			c.render(w, http.StatusOK, "confirm", v)
			return
		}
		if _, err := c.call(r, a, rdVersion, t.action, map[string]string{"HandshakeId": h.ID}); err != nil {
			c.fail(w, r, a, 0, err)
			return
		}
		redirect(w, r, "/console/rd/invitations?"+url.Values{"done": {t.done}, "id": {h.ID}}.Encode())
	}
}
