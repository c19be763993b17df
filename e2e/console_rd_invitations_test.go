package e2e

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

var rdSentID = regexp.MustCompile(`data-testid="rd-sent-id">([^<]+)<`)

// TestConsoleInvitations: the directory's administrator invites two cloud
// accounts from the console and cancels a third invitation (confirmed on
// a page naming it); each invitee's root sees its invitation in its own
// console and accepts or declines it after a confirmation naming the
// management account; the accepted one joins as an invited cloud account.
func TestConsoleInvitations(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRDWorld(t, opts...)
		logon := w.giveConsolePassword(t, "rd-admin", "Rd-Admin-Passw0rd")
		joiner, decliner, dropped := w.srv.CreateAccount(t), w.srv.CreateAccount(t), w.srv.CreateAccount(t)
		admin := newBrowser(t, w.srv)
		admin.signedInRAM(logon, "Rd-Admin-Passw0rd")
		wantStatus(t, admin.get("/console/rd/invitations"), http.StatusOK, `data-testid="rd-invite-form"`, `data-testid="rd-sent-empty"`)
		invite := func(target string) string {
			p := admin.post("/console/rd/invitations", url.Values{"target": {target}, "target_type": {"Account"}, "note": {"join us"}})
			if p.status != http.StatusSeeOther {
				t.Fatalf("invite %s: %d\n%s", target, p.status, p.body)
			}
			page := admin.follow(p)
			wantStatus(t, page, http.StatusOK, "was sent.")
			u, _ := url.Parse(p.location)
			return u.Query().Get("id")
		}
		joinID, declineID, dropID := invite(joiner.ID), invite(decliner.ID), invite(dropped.ID)
		// A second pending invitation to the same account is the API's refusal.
		if p := admin.post("/console/rd/invitations", url.Values{"target": {joiner.ID}, "target_type": {"Account"}}); p.status < 400 || p.status >= 500 {
			t.Fatalf("a second invitation: %d", p.status)
		}
		list := admin.get("/console/rd/invitations")
		if ids := rdSentID.FindAllStringSubmatch(list.body, -1); len(ids) != 3 {
			t.Fatalf("the list shows %d invitations, want 3", len(ids))
		}
		wantStatus(t, admin.post("/console/rd/invitations/cancel", url.Values{"handshake": {dropID}}), http.StatusOK,
			`data-testid="confirm-dialog"`, dropID, dropped.ID)
		wantStatus(t, admin.follow(admin.post("/console/rd/invitations/cancel", url.Values{"handshake": {dropID}, "confirm": {"yes"}})),
			http.StatusOK, "was cancelled")

		// The invitee's own console.
		in := newBrowser(t, w.srv)
		in.signInRoot(joiner.Email, joiner.Password)
		page := in.get("/console/rd/invitations")
		wantStatus(t, page, http.StatusOK, `data-testid="rd-received-id">`+joinID+`<`, `data-testid="rd-invite-accept"`)
		if strings.Contains(page.body, `data-testid="rd-invite-form"`) {
			t.Fatal("an account without a directory is offered the Invite form")
		}
		wantStatus(t, in.post("/console/rd/invitations/accept", url.Values{"handshake": {joinID}}), http.StatusOK,
			`data-testid="confirm-dialog"`, w.acct.ID, "ResourceDirectoryAccountAccessRole")
		wantStatus(t, in.postRaw("/console/rd/invitations/accept", url.Values{"handshake": {joinID}, "confirm": {"yes"}}, in.base), http.StatusForbidden, "Forbidden.CSRF")
		wantStatus(t, in.follow(in.post("/console/rd/invitations/accept", url.Values{"handshake": {joinID}, "confirm": {"yes"}})),
			http.StatusOK, "was accepted", `data-testid="rd-received-status">Accepted<`)
		// Another account cannot act on it.
		other := newBrowser(t, w.srv)
		other.signInRoot(decliner.Email, decliner.Password)
		if p := other.post("/console/rd/invitations/accept", url.Values{"handshake": {joinID}, "confirm": {"yes"}}); p.status < 400 || p.status >= 500 {
			t.Fatalf("another account accepting: %d", p.status)
		}
		wantStatus(t, other.follow(other.post("/console/rd/invitations/decline", url.Values{"handshake": {declineID}, "confirm": {"yes"}})),
			http.StatusOK, "was declined")

		acct := getAccount(t, w.admin, joiner.ID)
		if acct.Type != "CloudAccount" || acct.JoinMethod != "invited" {
			t.Fatalf("the joined member: %+v", acct)
		}
		members := admin.get("/console/rd/members")
		wantStatus(t, members, http.StatusOK, `data-testid="rd-member-id">`+joiner.ID+`<`)
		if strings.Contains(members.body, decliner.ID) {
			t.Fatal("the account that declined is a member")
		}
		final := admin.get("/console/rd/invitations")
		for id, status := range map[string]string{joinID: "Accepted", declineID: "Declined", dropID: "Cancelled"} {
			row := regexp.MustCompile(`(?s)rd-sent-id">` + regexp.QuoteMeta(id) + `<.*?rd-sent-status">([^<]+)<`).FindStringSubmatch(final.body)
			if row == nil || row[1] != status {
				t.Fatalf("invitation %s shows %v, want %s", id, row, status)
			}
		}
	})
}
