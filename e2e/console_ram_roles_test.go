package e2e

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
)

// TestConsoleRAMRoles: the list and search; a role's trust policy shown
// and edited through UpdateRole, the engine's refusal shown with the text
// kept; its attached policies; a user without a policy sees NoPermission.
func TestConsoleRAMRoles(t *testing.T) {
	w := newRAMWorld(t)
	trust := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::` + w.acct.ID + `:root"]}}]}`
	role := w.createRole(t, "ops", trust, 3600)
	w.createRole(t, "audit", trust, 3600)
	att := ram.CreateAttachPolicyToRoleRequest()
	att.RoleName, att.PolicyType, att.PolicyName = "ops", "System", "ReadOnlyAccess"
	_, err := w.root.AttachPolicyToRole(att)
	ok(t, "AttachPolicyToRole", err)

	b := newBrowser(t, w.srv)
	b.signInRoot(w.acct.Email, w.acct.Password)
	list := b.get("/console/ram/roles")
	wantStatus(t, list, http.StatusOK, `data-testid="roles-total">2<`, `data-testid="role-open">ops<`, role.Arn)
	if p := b.get("/console/ram/roles?search=aud"); strings.Count(p.body, `data-testid="role-row"`) != 1 {
		t.Fatal("the search does not narrow the roles")
	}
	detail := b.get("/console/ram/roles/ops")
	wantStatus(t, detail, http.StatusOK, `data-testid="role-arn">`+role.Arn+`<`, `data-testid="role-policy-name">ReadOnlyAccess<`,
		html.EscapeString(`"acs:ram::`+w.acct.ID+`:root"`))

	bad := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`
	refused := b.post("/console/ram/roles/ops/trust", url.Values{"document": {bad}})
	wantStatus(t, refused, http.StatusBadRequest, "MalformedPolicyDocument", `data-testid="error-request-id"`, html.EscapeString(bad))
	newTrust := strings.Replace(trust, `:root"]`, `:root","acs:ram::`+w.acct.ID+`:user/alice"]`, 1)
	wantRedirect(t, b.post("/console/ram/roles/ops/trust", url.Values{"document": {newTrust}}), "/console/ram/roles/ops?saved=1")
	get := ram.CreateGetRoleRequest()
	get.RoleName = "ops"
	got, err := w.root.GetRole(get)
	ok(t, "GetRole", err)
	if !strings.Contains(got.Role.AssumeRolePolicyDocument, "user/alice") {
		t.Fatalf("trust policy after the save: %s", got.Role.AssumeRolePolicyDocument)
	}
	wantStatus(t, b.get("/console/ram/roles/ops?saved=1"), http.StatusOK, "user/alice", "trust policy was saved")
	wantStatus(t, b.get("/console/ram/roles/nosuch"), http.StatusNotFound, "EntityNotExist.Role")
	wantStatus(t, b.postRaw("/console/ram/roles/ops/trust", url.Values{"document": {trust}}, b.base), http.StatusForbidden, "Forbidden.CSRF")

	w.consoleUser(t, "nopol", "Nopol-Passw0rd-1", false, false)
	n := newBrowser(t, w.srv)
	n.follow(n.ramLogon("nopol@"+w.acct.ID, "Nopol-Passw0rd-1"))
	wantStatus(t, n.get("/console/ram/roles"), http.StatusForbidden, "NoPermission", `data-testid="error-request-id"`)
	denied := n.post("/console/ram/roles/ops/trust", url.Values{"document": {trust}, "csrf": {n.csrf}})
	wantStatus(t, denied, http.StatusForbidden, "NoPermission")
	// The request id shown is the refused UpdateRole's.
	trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
	evs := lookup(t, trail, "EventName", "UpdateRole", "50", "").Events
	if len(evs) == 0 || evs[0]["errorCode"] == "" || !strings.Contains(denied.body, `data-testid="error-request-id">`+evs[0]["requestId"].(string)+`<`) {
		t.Fatalf("the refusal does not show the refused UpdateRole's request id: %v", evs)
	}
}
