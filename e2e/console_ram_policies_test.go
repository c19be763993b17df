package e2e

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
)

// TestConsoleRAMPolicies: the list filters and searches; the JSON editor
// shows the engine's refusal with the text kept; a saved custom policy
// gets new default versions; Delete confirms first; a user without a
// policy sees NoPermission.
func TestConsoleRAMPolicies(t *testing.T) {
	w := newRAMWorld(t)
	b := newBrowser(t, w.srv)
	b.signInRoot(w.acct.Email, w.acct.Password)
	wantStatus(t, b.get("/console/ram/policies?type=System"), http.StatusOK, `data-testid="policies-open">AdministratorAccess<`)
	narrowed := b.get("/console/ram/policies?type=System&search=ResourceDirectory")
	if strings.Contains(narrowed.body, ">AdministratorAccess<") || !strings.Contains(narrowed.body, ">AliyunResourceDirectoryFullAccess<") {
		t.Fatal("the search does not narrow the list")
	}
	wantStatus(t, b.get("/console/ram/policies?type=Custom"), http.StatusOK, `data-testid="policies-empty"`)
	wantStatus(t, b.get("/console/ram/policies/System/AdministratorAccess"), http.StatusOK, `data-testid="policy-type">System<`, `&#34;Effect&#34;: &#34;Allow&#34;`)

	b.get("/console/ram/create-policy")
	bad := `{"Version":"1","Statement":[{"Effect":"Maybe","Action":"ecs:*","Resource":"*"}]}`
	refused := b.post("/console/ram/create-policy", url.Values{"name": {"ecs-read"}, "document": {bad}})
	wantStatus(t, refused, http.StatusBadRequest, "MalformedPolicyDocument", `data-testid="error-request-id"`, html.EscapeString(bad))
	wantStatus(t, b.post("/console/ram/create-policy", url.Values{"name": {"ecs-read"}, "document": {"{not json"}}), http.StatusBadRequest, "MalformedPolicyDocument")
	good := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}`
	saved := b.post("/console/ram/create-policy", url.Values{"name": {"ecs-read"}, "description": {"ECS read"}, "document": {good}})
	wantRedirect(t, saved, "/console/ram/policies/Custom/ecs-read?saved=1")
	wantStatus(t, b.follow(saved), http.StatusOK, `data-testid="policy-version">v1<`, "ecs:Describe*")
	wantStatus(t, b.post("/console/ram/create-policy", url.Values{"name": {"ecs-read"}, "document": {good}}), http.StatusConflict, "EntityAlreadyExists.Policy")

	wantStatus(t, b.post("/console/ram/policies/Custom/ecs-read/versions", url.Values{"document": {bad}}), http.StatusBadRequest, "MalformedPolicyDocument", html.EscapeString(bad))
	v2 := strings.Replace(good, "Describe*", "List*", 1)
	wantRedirect(t, b.post("/console/ram/policies/Custom/ecs-read/versions", url.Values{"document": {v2}}), "/console/ram/policies/Custom/ecs-read?saved=1")
	get := ram.CreateGetPolicyRequest()
	get.PolicyType, get.PolicyName = "Custom", "ecs-read"
	pol, err := w.root.GetPolicy(get)
	ok(t, "GetPolicy", err)
	if pol.DefaultPolicyVersion.VersionId != "v2" || !strings.Contains(pol.DefaultPolicyVersion.PolicyDocument, "ecs:List*") {
		t.Fatalf("default version %+v", pol.DefaultPolicyVersion)
	}

	wantStatus(t, b.post("/console/ram/policies/Custom/ecs-read/delete", url.Values{}), http.StatusOK, `data-testid="confirm-question"`, `&#34;ecs-read&#34;`)
	// The API's rule stands: the old version must go first.
	wantStatus(t, b.post("/console/ram/policies/Custom/ecs-read/delete", url.Values{"confirm": {"yes"}}), http.StatusConflict,
		"DeleteConflict.Policy.Version", `data-testid="error-request-id"`)
	dv := ram.CreateDeletePolicyVersionRequest()
	dv.PolicyName, dv.VersionId = "ecs-read", "v1"
	_, err = w.root.DeletePolicyVersion(dv)
	ok(t, "DeletePolicyVersion", err)
	done := b.post("/console/ram/policies/Custom/ecs-read/delete", url.Values{"confirm": {"yes"}})
	wantRedirect(t, done, "/console/ram/policies?")
	wantStatus(t, b.follow(done), http.StatusOK, "ecs-read was deleted")
	if _, err := w.root.GetPolicy(get); serverCode(err) != "EntityNotExist.Policy" {
		t.Fatalf("GetPolicy after the delete: %v", err)
	}

	w.consoleUser(t, "nopol", "Nopol-Passw0rd-1", false, false)
	n := newBrowser(t, w.srv)
	n.follow(n.ramLogon("nopol@"+w.acct.ID, "Nopol-Passw0rd-1"))
	wantStatus(t, n.get("/console/ram/policies"), http.StatusForbidden, "NoPermission", `data-testid="error-request-id"`)
	n.get("/console/ram/create-policy")
	wantStatus(t, n.post("/console/ram/create-policy", url.Values{"name": {"x"}, "document": {good}}), http.StatusForbidden, "NoPermission")
}
