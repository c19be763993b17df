package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
)

// TestConsoleRAMGroups: create a group, add and remove a member (the
// removal confirmed), see its policies, delete it (refused by the API while
// it has policies); the user detail lists the group; a user without a
// policy sees NoPermission.
func TestConsoleRAMGroups(t *testing.T) {
	w := newRAMWorld(t)
	w.createUser(t, "erin")
	b := newBrowser(t, w.srv)
	b.signInRoot(w.acct.Email, w.acct.Password)
	wantStatus(t, b.get("/console/ram/groups"), http.StatusOK, `data-testid="groups-empty"`)
	wantRedirect(t, b.post("/console/ram/groups", url.Values{"name": {"devs"}, "comments": {"Developers"}}), "/console/ram/groups/devs")
	wantStatus(t, b.post("/console/ram/groups", url.Values{"name": {"devs"}}), http.StatusConflict, "EntityAlreadyExists.Group")
	wantStatus(t, b.get("/console/ram/groups"), http.StatusOK, `data-testid="groups-total">1<`, `data-testid="group-open">devs<`)

	wantRedirect(t, b.post("/console/ram/groups/devs/add", url.Values{"user": {"erin"}}), "/console/ram/groups/devs?")
	wantStatus(t, b.post("/console/ram/groups/devs/add", url.Values{"user": {"nobody"}}), http.StatusNotFound, "EntityNotExist.User")
	wantStatus(t, b.get("/console/ram/groups/devs"), http.StatusOK, `data-testid="member-name"><a href="/console/ram/users/erin">erin</a>`)
	wantStatus(t, b.get("/console/ram/users/erin"), http.StatusOK, `data-testid="group-name">devs<`)
	ag := ram.CreateAttachPolicyToGroupRequest()
	ag.GroupName, ag.PolicyType, ag.PolicyName = "devs", "System", "ReadOnlyAccess"
	_, err := w.root.AttachPolicyToGroup(ag)
	ok(t, "AttachPolicyToGroup", err)
	wantStatus(t, b.get("/console/ram/groups/devs"), http.StatusOK, `data-testid="group-policy-name">ReadOnlyAccess<`)

	wantStatus(t, b.post("/console/ram/groups/devs/remove", url.Values{"user": {"erin"}}), http.StatusOK, `data-testid="confirm-question"`, `&#34;erin&#34;`)
	wantRedirect(t, b.post("/console/ram/groups/devs/remove", url.Values{"user": {"erin"}, "confirm": {"yes"}}), "/console/ram/groups/devs?")
	wantStatus(t, b.get("/console/ram/groups/devs"), http.StatusOK, `data-testid="members-empty"`)

	wantStatus(t, b.post("/console/ram/groups/devs/delete", url.Values{}), http.StatusOK, `data-testid="confirm-question"`, `&#34;devs&#34;`)
	wantStatus(t, b.post("/console/ram/groups/devs/delete", url.Values{"confirm": {"yes"}}), http.StatusConflict, "DeleteConflict.Group.Policy", `data-testid="error-request-id"`)
	dg := ram.CreateDetachPolicyFromGroupRequest()
	dg.GroupName, dg.PolicyType, dg.PolicyName = "devs", "System", "ReadOnlyAccess"
	_, err = w.root.DetachPolicyFromGroup(dg)
	ok(t, "DetachPolicyFromGroup", err)
	done := b.post("/console/ram/groups/devs/delete", url.Values{"confirm": {"yes"}})
	wantRedirect(t, done, "/console/ram/groups?")
	if p := b.follow(done); !strings.Contains(p.body, "devs was deleted") || !strings.Contains(p.body, `data-testid="groups-empty"`) {
		t.Fatalf("after the deletion:\n%s", p.body)
	}

	w.consoleUser(t, "nopol", "Nopol-Passw0rd-1", false, false)
	n := newBrowser(t, w.srv)
	n.follow(n.ramLogon("nopol@"+w.acct.ID, "Nopol-Passw0rd-1"))
	wantStatus(t, n.get("/console/ram/groups"), http.StatusForbidden, "NoPermission", `data-testid="error-request-id"`)
	wantStatus(t, n.post("/console/ram/groups", url.Values{"name": {"x"}, "csrf": {n.csrf}}), http.StatusForbidden, "NoPermission")
}
