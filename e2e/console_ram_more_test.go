package e2e

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/chromedp/chromedp"

	"github.com/canopy-iam/canopy/internal/accounts"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// ramConSignedIn is a console browser with the account's root signed in.
func ramConSignedIn(t *testing.T, w *ramWorld) *browser {
	t.Helper()
	b := newBrowser(t, w.srv)
	b.signInRoot(w.acct.Email, w.acct.Password)
	return b
}

// ramConRAMUser is a console browser with a new RAM user of w signed in,
// holding the given system or custom policies ("System:<name>" or
// "Custom:<name>").
func ramConRAMUser(t *testing.T, w *ramWorld, name string, policies ...string) *browser {
	t.Helper()
	w.consoleUser(t, name, "Ramcon-Passw0rd-1", false, false)
	for _, p := range policies {
		typ, pol, _ := strings.Cut(p, ":")
		w.attachToUser(t, name, typ, pol)
	}
	b := newBrowser(t, w.srv)
	b.follow(b.ramLogon(name+"@"+w.acct.ID, "Ramcon-Passw0rd-1"))
	return b
}

// ramConRefused checks a refusal page: the status, the cloud's code, and a
// request id shown with it.
func ramConRefused(t *testing.T, p page, status int, code string) {
	t.Helper()
	wantStatus(t, p, status, `data-testid="error-code">`+code, `data-testid="error-request-id">`)
}

func ramConRolePolicies(t *testing.T, w *ramWorld, role string) []string {
	t.Helper()
	req := ram.CreateListPoliciesForRoleRequest()
	req.RoleName = role
	out, err := w.root.ListPoliciesForRole(req)
	ok(t, "ListPoliciesForRole", err)
	var names []string
	for _, p := range out.Policies.Policy {
		names = append(names, p.PolicyName)
	}
	return names
}

// TestConsoleRAMMoreRoles: Create Role for each trusted entity (the trust
// policy written for it, shown on the role), the engine's refusals of a
// duplicate, a 1 MB description and a bad duration with the form kept,
// Grant Permission to a role and Revoke, Delete refused while a policy is
// attached and then done, all confirmed on pages naming the target;
// another account's role, a post without the CSRF token, a user without a
// policy and an explicit Deny are each the cloud's refusal, never a 5xx.
func TestConsoleRAMMoreRoles(t *testing.T) {
	w := newRAMWorld(t)
	other := w.srv.CreateAccount(t)
	b := ramConSignedIn(t, w)
	wantStatus(t, b.get("/console/ram/roles"), http.StatusOK, `data-testid="roles-empty-create"`)
	wantStatus(t, b.get("/console/ram/create-role"), http.StatusOK, `data-testid="role-entity-account"`, `data-testid="role-entity-other"`,
		`data-testid="role-entity-service"`, w.acct.ID)

	create := func(form url.Values) page {
		t.Helper()
		b.get("/console/ram/create-role")
		return b.post("/console/ram/create-role", form)
	}
	preview := create(url.Values{"entity": {"other"}, "other_account": {other.ID}, "name": {"previewed"}, "max_session": {"3600"}, "step": {"preview"}})
	wantStatus(t, preview, http.StatusOK, `data-testid="role-create-trust"`, html.EscapeString(`"acs:ram::`+other.ID+`:root"`),
		`value="previewed" data-testid="role-create-name"`)
	wantRedirect(t, create(url.Values{"entity": {"account"}, "name": {"ops"}, "description": {"operators"}, "max_session": {"7200"}}),
		"/console/ram/roles/ops?created=1")
	detail := b.get("/console/ram/roles/ops?created=1")
	wantStatus(t, detail, http.StatusOK, "was created with the trust policy below", html.EscapeString(`"acs:ram::`+w.acct.ID+`:root"`),
		"7200 seconds", "operators")
	wantRedirect(t, create(url.Values{"entity": {"other"}, "other_account": {other.ID}, "name": {"cross"}, "max_session": {"3600"}}),
		"/console/ram/roles/cross?created=1")
	wantRedirect(t, create(url.Values{"entity": {"service"}, "service": {"ecs.aliyuncs.com"}, "name": {"ecs-role"}, "max_session": {"3600"}}),
		"/console/ram/roles/ecs-role?created=1")
	for role, want := range map[string]string{"ops": `"acs:ram::` + w.acct.ID + `:root"`, "cross": `"acs:ram::` + other.ID + `:root"`,
		"ecs-role": `"Service":["ecs.aliyuncs.com"]`} {
		req := ram.CreateGetRoleRequest()
		req.RoleName = role
		got, err := w.root.GetRole(req)
		ok(t, "GetRole "+role, err)
		if !strings.Contains(strings.ReplaceAll(got.Role.AssumeRolePolicyDocument, " ", ""), want) ||
			!strings.Contains(got.Role.AssumeRolePolicyDocument, "sts:AssumeRole") {
			t.Fatalf("trust policy of %s: %s; want %s", role, got.Role.AssumeRolePolicyDocument, want)
		}
	}

	dup := create(url.Values{"entity": {"account"}, "name": {"ops"}, "max_session": {"3600"}})
	ramConRefused(t, dup, http.StatusConflict, "EntityAlreadyExists.Role")
	wantStatus(t, dup, http.StatusConflict, `value="ops" data-testid="role-create-name"`, `data-testid="role-create-trust"`)
	huge := create(url.Values{"entity": {"account"}, "name": {"big"}, "description": {strings.Repeat("d", 1000000)}, "max_session": {"3600"}})
	if huge.status < 400 || huge.status >= 500 || !strings.Contains(huge.body, `data-testid="error-code">InvalidParameter`) {
		t.Fatalf("a 1 MB description: %d\n%.2000s", huge.status, huge.body)
	}
	ramConRefused(t, create(url.Values{"entity": {"account"}, "name": {"short"}, "max_session": {"60"}}), http.StatusBadRequest, "InvalidParameter")
	ramConRefused(t, create(url.Values{"entity": {"other"}, "other_account": {"not-an-account"}, "name": {"bad-uid"}, "max_session": {"3600"}}),
		http.StatusBadRequest, "MalformedPolicyDocument")
	ramConRefused(t, b.postRaw("/console/ram/create-role", url.Values{"name": {"forged"}, "max_session": {"3600"}}, b.base), http.StatusForbidden, "Forbidden.CSRF")
	ramConRefused(t, b.post("/console/ram/create-role", url.Values{"name": {"huge"}, "description": {strings.Repeat("d", 2<<20)}}),
		http.StatusRequestEntityTooLarge, "RequestEntityTooLarge")
	wantStatus(t, b.get("/console/ram/roles"), http.StatusOK, `data-testid="roles-total">3<`) // Preview created nothing

	// Grant Permission to the role, through the shared panel.
	panel := b.get("/console/ram/roles/ops/grant?type=System&search=ReadOnly")
	wantStatus(t, panel, http.StatusOK, `data-testid="grant-principal">ops<`, `data-testid="grant-pick-ReadOnlyAccess"`)
	granted := b.post("/console/ram/roles/ops/grant", url.Values{"policy": {"System:ReadOnlyAccess"}})
	wantStatus(t, granted, http.StatusOK, `data-action="AttachPolicyToRole" data-status="Done"`, `href="/console/ram/roles/ops" data-testid="grant-complete"`)
	if got := ramConRolePolicies(t, w, "ops"); len(got) != 1 || got[0] != "ReadOnlyAccess" {
		t.Fatalf("role policies after the grant: %v", got)
	}
	wantStatus(t, b.get("/console/ram/roles/ops"), http.StatusOK, `data-testid="role-policy-name">ReadOnlyAccess<`, `data-testid="role-policy-revoke"`)
	wantStatus(t, b.get("/console/ram/roles/ops/grant"), http.StatusOK, `value="System:ReadOnlyAccess" disabled`)
	wantStatus(t, b.post("/console/ram/roles/ops/grant", url.Values{"policy": {"System:ReadOnlyAccess"}}), http.StatusConflict,
		"EntityAlreadyExists.Role.Policy", `data-testid="error-request-id"`)

	// Delete: confirmed naming the role; refused while a policy is attached.
	confirm := b.post("/console/ram/roles/ops/delete", nil)
	wantStatus(t, confirm, http.StatusOK, `data-testid="confirm-dialog"`, html.EscapeString(`Delete the RAM role "ops"?`))
	ramConRefused(t, b.post("/console/ram/roles/ops/delete", url.Values{"confirm": {"yes"}}), http.StatusConflict, "DeleteConflict.Role.Policy")
	revoke := b.post("/console/ram/roles/ops/revoke", url.Values{"type": {"System"}, "policy": {"ReadOnlyAccess"}})
	wantStatus(t, revoke, http.StatusOK, `data-testid="confirm-dialog"`, "ReadOnlyAccess", html.EscapeString(`"ops"`))
	if got := ramConRolePolicies(t, w, "ops"); len(got) != 1 {
		t.Fatal("the revoke ran before it was confirmed")
	}
	wantRedirect(t, b.post("/console/ram/roles/ops/revoke", url.Values{"type": {"System"}, "policy": {"ReadOnlyAccess"}, "confirm": {"yes"}}),
		"/console/ram/roles/ops?revoked=ReadOnlyAccess")
	if got := ramConRolePolicies(t, w, "ops"); len(got) != 0 {
		t.Fatalf("role policies after the revoke: %v", got)
	}
	ramConRefused(t, b.post("/console/ram/roles/ops/revoke", url.Values{"type": {"System"}, "policy": {"ReadOnlyAccess"}, "confirm": {"yes"}}),
		http.StatusNotFound, "EntityNotExist.Role.Policy")
	wantRedirect(t, b.post("/console/ram/roles/ops/delete", url.Values{"confirm": {"yes"}}), "/console/ram/roles?deleted=ops")
	wantStatus(t, b.get("/console/ram/roles?deleted=ops"), http.StatusOK, "The role ops was deleted.", `data-testid="roles-total">2<`)

	// Another account's role is not this account's: the cloud's not-found.
	oc := w.srv.RAMClient(t, other.AccessKeyID, other.AccessKeySecret)
	cr := ram.CreateCreateRoleRequest()
	cr.RoleName = "theirs"
	cr.AssumeRolePolicyDocument = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::` + other.ID + `:root"]}}]}`
	_, err := oc.CreateRole(cr)
	ok(t, "CreateRole in the other account", err)
	ramConRefused(t, b.get("/console/ram/roles/theirs"), http.StatusNotFound, "EntityNotExist.Role")
	ramConRefused(t, b.post("/console/ram/roles/theirs/delete", url.Values{"confirm": {"yes"}}), http.StatusNotFound, "EntityNotExist.Role")
	ramConRefused(t, b.post("/console/ram/roles/theirs/grant", url.Values{"policy": {"System:ReadOnlyAccess"}}), http.StatusNotFound, "EntityNotExist.Role")

	// A RAM user without a policy, and one whose Deny wins over AdministratorAccess.
	n := ramConRAMUser(t, w, "nopol")
	n.get("/console/ram/create-role")
	ramConRefused(t, n.post("/console/ram/create-role", url.Values{"entity": {"account"}, "name": {"mine"}, "max_session": {"3600"}}),
		http.StatusForbidden, "NoPermission")
	ramConRefused(t, n.get("/console/ram/roles/cross/grant"), http.StatusForbidden, "NoPermission")
	ramConRefused(t, n.post("/console/ram/roles/cross/delete", url.Values{"confirm": {"yes"}}), http.StatusForbidden, "NoPermission")
	w.createPolicy(t, "NoRoleDeletes", `{"Version":"1","Statement":[{"Effect":"Deny","Action":["ram:DeleteRole","ram:AttachPolicyToRole"],"Resource":"*"}]}`)
	d := ramConRAMUser(t, w, "denied", "System:AdministratorAccess", "Custom:NoRoleDeletes")
	wantStatus(t, d.get("/console/ram/roles/cross"), http.StatusOK, `data-testid="role-delete"`)
	ramConRefused(t, d.post("/console/ram/roles/cross/delete", url.Values{"confirm": {"yes"}}), http.StatusForbidden, "NoPermission")
	ramConRefused(t, d.post("/console/ram/roles/cross/grant", url.Values{"policy": {"System:ReadOnlyAccess"}}), http.StatusForbidden, "NoPermission")
	if got := ramConRolePolicies(t, w, "cross"); len(got) != 0 {
		t.Fatalf("a denied grant attached %v", got)
	}
}

// TestConsoleRAMMoreGroupsAndUsers: a group's Grant Permission and Revoke;
// a user's Groups tab adds to and removes from a group; the Users list's
// batch bar adds the ticked users to a group, grants them policies and
// deletes them after a confirmation naming every one, each refusal shown
// with the cloud's code in the result list.
func TestConsoleRAMMoreGroupsAndUsers(t *testing.T) {
	w := newRAMWorld(t)
	for _, u := range []string{"ann", "bob", "cat"} {
		w.createUser(t, u)
	}
	b := ramConSignedIn(t, w)
	b.get("/console/ram/groups")
	wantRedirect(t, b.post("/console/ram/groups", url.Values{"name": {"devs"}}), "/console/ram/groups/devs")
	wantRedirect(t, b.post("/console/ram/groups", url.Values{"name": {"ops"}}), "/console/ram/groups/ops")

	// The group's permissions.
	wantStatus(t, b.get("/console/ram/groups/devs"), http.StatusOK, `data-testid="group-grant-open"`, `data-testid="group-policies-empty"`)
	wantStatus(t, b.get("/console/ram/groups/devs/grant?search=ReadOnlyAccess"), http.StatusOK, `data-testid="grant-principal">devs<`)
	wantStatus(t, b.post("/console/ram/groups/devs/grant", url.Values{"policy": {"System:ReadOnlyAccess"}}), http.StatusOK,
		`data-action="AttachPolicyToGroup" data-status="Done"`)
	wantStatus(t, b.get("/console/ram/groups/devs"), http.StatusOK, `data-testid="group-policy-name">ReadOnlyAccess<`)
	wantStatus(t, b.post("/console/ram/groups/devs/revoke", url.Values{"type": {"System"}, "policy": {"ReadOnlyAccess"}}), http.StatusOK,
		`data-testid="confirm-dialog"`, "ReadOnlyAccess", html.EscapeString(`"devs"`))
	wantRedirect(t, b.post("/console/ram/groups/devs/revoke", url.Values{"type": {"System"}, "policy": {"ReadOnlyAccess"}, "confirm": {"yes"}}),
		"/console/ram/groups/devs?done=revoked")
	wantStatus(t, b.get("/console/ram/groups/devs"), http.StatusOK, `data-testid="group-policies-empty"`)

	// The user's Groups tab.
	tab := b.get("/console/ram/users/ann")
	wantStatus(t, tab, http.StatusOK, `data-testid="user-group-choice"`, `<option value="devs">devs</option>`)
	wantRedirect(t, b.post("/console/ram/users/ann/groups/add", url.Values{"group": {"devs"}}), "/console/ram/users/ann?done=group-added")
	joined := b.get("/console/ram/users/ann")
	wantStatus(t, joined, http.StatusOK, `data-testid="group-name">devs<`, `data-testid="user-group-remove"`)
	if strings.Contains(joined.body, `<option value="devs">`) {
		t.Fatal("Add to Group still offers a group the user is in")
	}
	ramConRefused(t, b.post("/console/ram/users/ann/groups/add", url.Values{"group": {"devs"}}), http.StatusConflict, "EntityAlreadyExists.User.Group")
	ramConRefused(t, b.post("/console/ram/users/ann/groups/add", url.Values{"group": {"nosuch"}}), http.StatusNotFound, "EntityNotExist.Group")
	wantStatus(t, b.post("/console/ram/users/ann/groups/remove", url.Values{"group": {"devs"}}), http.StatusOK,
		html.EscapeString(`Remove "ann" from the group "devs"?`))
	wantRedirect(t, b.post("/console/ram/users/ann/groups/remove", url.Values{"group": {"devs"}, "confirm": {"yes"}}), "/console/ram/users/ann?done=group-removed")

	// The Users list's batch bar.
	list := b.get("/console/ram/users")
	wantStatus(t, list, http.StatusOK, `data-testid="users-batch"`, `data-testid="user-select-ann"`, `data-testid="batch-add-group"`,
		`data-testid="batch-grant"`, `data-testid="batch-delete"`, `data-testid="users-select-all"`)
	added := b.post("/console/ram/users-batch/add-group", url.Values{"user": {"ann", "bob"}, "group": {"ops"}})
	wantStatus(t, added, http.StatusOK, `data-testid="batch-steps"`)
	if strings.Count(added.body, `data-status="Done"`) != 2 {
		t.Fatalf("batch Add to Group:\n%s", added.body)
	}
	members := b.get("/console/ram/groups/ops")
	wantStatus(t, members, http.StatusOK, `data-testid="member-name"><a href="/console/ram/users/ann">ann</a>`, `<a href="/console/ram/users/bob">bob</a>`)
	again := b.post("/console/ram/users-batch/add-group", url.Values{"user": {"cat", "ann"}, "group": {"ops"}})
	wantStatus(t, again, http.StatusConflict, `data-status="Done"`, `data-status="Failed"`, "EntityAlreadyExists.User.Group", `data-testid="error-request-id"`)
	ramConRefused(t, b.post("/console/ram/users-batch/add-group", url.Values{"group": {"ops"}}), http.StatusBadRequest, "InvalidParameter")

	panel := b.post("/console/ram/users-batch/grant", url.Values{"user": {"ann", "bob"}})
	wantStatus(t, panel, http.StatusOK, `data-testid="grant-principal">ann<`, `data-testid="grant-principal">bob<`, `name="step" value="grant"`)
	narrowed := b.get("/console/ram/users-batch/grant?user=ann&user=bob&search=ReadOnlyAccess")
	wantStatus(t, narrowed, http.StatusOK, `data-testid="grant-pick-ReadOnlyAccess"`)
	grant := b.post("/console/ram/users-batch/grant", url.Values{"user": {"ann", "bob"}, "step": {"grant"}, "policy": {"System:ReadOnlyAccess"}})
	if grant.status != http.StatusOK || strings.Count(grant.body, `data-action="AttachPolicyToUser" data-status="Done"`) != 2 {
		t.Fatalf("batch grant: %d\n%s", grant.status, grant.body)
	}
	for _, u := range []string{"ann", "bob"} {
		wantStatus(t, b.get("/console/ram/users/"+u), http.StatusOK, `data-testid="policy-name">ReadOnlyAccess<`)
	}

	confirm := b.post("/console/ram/users/delete", url.Values{"user": {"cat", "bob"}})
	wantStatus(t, confirm, http.StatusOK, `data-testid="confirm-dialog"`, "Delete 2 RAM users: cat, bob?", `name="user" value="cat"`, `name="user" value="bob"`)
	deleted := b.post("/console/ram/users/delete", url.Values{"user": {"cat", "bob"}, "confirm": {"yes"}})
	// cat is in ops: DeleteUser refuses with the cloud's conflict; bob is not reached.
	wantStatus(t, deleted, http.StatusConflict, `data-status="Failed"`, "DeleteConflict.User", `data-status="Not run"`)
	b.post("/console/ram/groups/ops/remove", url.Values{"user": {"cat"}, "confirm": {"yes"}})
	b.post("/console/ram/groups/ops/remove", url.Values{"user": {"bob"}, "confirm": {"yes"}})
	w.detachFromUser(t, "bob", "System", "ReadOnlyAccess")
	done := b.post("/console/ram/users/delete", url.Values{"user": {"cat", "bob"}, "confirm": {"yes"}})
	if done.status != http.StatusOK || strings.Count(done.body, `data-status="Done"`) != 2 {
		t.Fatalf("batch delete: %d\n%s", done.status, done.body)
	}
	list = b.get("/console/ram/users")
	if strings.Contains(list.body, `data-testid="user-select-cat"`) || strings.Contains(list.body, `data-testid="user-select-bob"`) {
		t.Fatal("deleted users are still listed")
	}

	// No policy: each batch call is the cloud's refusal, in the result list.
	n := ramConRAMUser(t, w, "nopol")
	ramConRefused(t, n.post("/console/ram/users-batch/add-group", url.Values{"user": {"ann"}, "group": {"ops"}}), http.StatusForbidden, "NoPermission")
	ramConRefused(t, n.post("/console/ram/users/delete", url.Values{"user": {"ann"}, "confirm": {"yes"}}), http.StatusForbidden, "NoPermission")
	ramConRefused(t, n.post("/console/ram/groups/devs/grant", url.Values{"policy": {"System:ReadOnlyAccess"}}), http.StatusForbidden, "NoPermission")
	ramConRefused(t, n.postRaw("/console/ram/users-batch/add-group", url.Values{"user": {"ann"}, "group": {"devs"}}, n.base), http.StatusForbidden, "Forbidden.CSRF")
}

// TestConsoleRAMMorePolicyVersions: a custom policy's versions are listed;
// any version's document is shown; a non-default version becomes the
// default; a non-default version is deleted after a confirmation naming
// it; the default version's deletion is the cloud's refusal.
func TestConsoleRAMMorePolicyVersions(t *testing.T) {
	w := newRAMWorld(t)
	v1 := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}`
	w.createPolicy(t, "EcsRead", v1)
	b := ramConSignedIn(t, w)
	b.get("/console/ram/policies/Custom/EcsRead")
	v2 := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:Get*","Resource":"*"}]}`
	wantRedirect(t, b.post("/console/ram/policies/Custom/EcsRead/versions", url.Values{"document": {v2}}), "/console/ram/policies/Custom/EcsRead?saved=1")
	page := b.get("/console/ram/policies/Custom/EcsRead")
	wantStatus(t, page, http.StatusOK, `data-testid="versions-table"`, `data-testid="version-view-v1"`, `data-testid="version-set-default-v1"`,
		`data-testid="version-delete-v1"`, `data-testid="policy-version">v2<`)
	if strings.Contains(page.body, `data-testid="version-set-default-v2"`) || strings.Contains(page.body, `data-testid="version-delete-v2"`) {
		t.Fatal("the default version offers Set as Default or Delete")
	}
	wantStatus(t, b.get("/console/ram/policies/Custom/EcsRead/versions/v1"), http.StatusOK, "ecs:Describe*", `data-testid="version-id">v1<`)
	ramConRefused(t, b.get("/console/ram/policies/Custom/EcsRead/versions/v9"), http.StatusNotFound, "EntityNotExist.Policy.Version")

	wantRedirect(t, b.post("/console/ram/policies/Custom/EcsRead/versions/v1/default", nil), "/console/ram/policies/Custom/EcsRead?default=v1")
	wantStatus(t, b.get("/console/ram/policies/Custom/EcsRead?default=v1"), http.StatusOK, `data-testid="policy-version">v1<`, "Version v1 is now the default")
	ramConRefused(t, b.post("/console/ram/policies/Custom/EcsRead/versions/v1/delete", url.Values{"confirm": {"yes"}}), http.StatusConflict, "DeleteConflict.Policy.Version")
	confirm := b.post("/console/ram/policies/Custom/EcsRead/versions/v2/delete", nil)
	wantStatus(t, confirm, http.StatusOK, `data-testid="confirm-dialog"`, html.EscapeString(`Delete version v2 of the custom policy "EcsRead"?`))
	wantRedirect(t, b.post("/console/ram/policies/Custom/EcsRead/versions/v2/delete", url.Values{"confirm": {"yes"}}), "/console/ram/policies/Custom/EcsRead?deleted=v2")
	req := ram.CreateListPolicyVersionsRequest()
	req.PolicyType, req.PolicyName = "Custom", "EcsRead"
	got, err := w.root.ListPolicyVersions(req)
	ok(t, "ListPolicyVersions", err)
	if vs := got.PolicyVersions.PolicyVersion; len(vs) != 1 || vs[0].VersionId != "v1" || !vs[0].IsDefaultVersion {
		t.Fatalf("versions after the deletion: %+v", vs)
	}
	n := ramConRAMUser(t, w, "nopol")
	ramConRefused(t, n.post("/console/ram/policies/Custom/EcsRead/versions/v1/default", nil), http.StatusForbidden, "NoPermission")
	ramConRefused(t, n.get("/console/ram/policies/Custom/EcsRead/versions/v1"), http.StatusForbidden, "NoPermission")
}

// TestConsoleRAMMoreSettingsRoundTrip: every settings field round-trips,
// empty values included: emptied login network masks are cleared (a logon
// from anywhere works again), an emptied number is the engine's
// InvalidParameter and changes nothing, unticked boxes are false.
func TestConsoleRAMMoreSettingsRoundTrip(t *testing.T) {
	w := newRAMWorld(t)
	b := ramConSignedIn(t, w)
	b.get("/console/ram/settings")
	sec := url.Values{"AllowUserToChangePassword": {"on"}, "AllowUserToManageAccessKeys": {"on"}, "AllowUserToManageMFADevices": {"on"},
		"EnableSaveMFATicket": {"on"}, "AllowUserLongTermLogin": {"on"}, "LoginSessionDuration": {"5"}, "LoginNetworkMasks": {"10.9.0.0/16"},
		"MFAOperationForLogin": {"mandatory"}}
	wantRedirect(t, b.post("/console/ram/settings/security", sec), "/console/ram/settings?saved=security")
	page := b.get("/console/ram/settings")
	for _, f := range []string{"AllowUserToChangePassword", "AllowUserToManageAccessKeys", "AllowUserToManageMFADevices", "EnableSaveMFATicket", "AllowUserLongTermLogin"} {
		wantStatus(t, page, http.StatusOK, `checked data-testid="sec-`+f+`"`)
	}
	wantStatus(t, page, http.StatusOK, `value="5" data-testid="sec-LoginSessionDuration"`, `value="10.9.0.0/16" data-testid="sec-LoginNetworkMasks"`,
		`<option value="mandatory" selected>`)
	// The masks keep this browser out (it is on 127.0.0.1): a RAM user's logon is refused.
	w.consoleUser(t, "mia", "Ramcon-Passw0rd-1", false, false)
	wantStatus(t, newBrowser(t, w.srv).ramLogon("mia@"+w.acct.ID, "Ramcon-Passw0rd-1"), http.StatusForbidden, "10.9.0.0/16")

	// Clear the masks and every box: the empty values are sent and kept;
	// MFA for RAM user logons is still mandatory (the post lacks it).
	wantRedirect(t, b.post("/console/ram/settings/security", url.Values{"LoginSessionDuration": {"5"}, "LoginNetworkMasks": {""}}),
		"/console/ram/settings?saved=security")
	wantRedirect(t, newBrowser(t, w.srv).ramLogon("mia@"+w.acct.ID, "Ramcon-Passw0rd-1"), "/console/bind-mfa")
	wantRedirect(t, b.post("/console/ram/settings/security", url.Values{"LoginSessionDuration": {"5"}, "LoginNetworkMasks": {""},
		"MFAOperationForLogin": {"independent"}}), "/console/ram/settings?saved=security")
	pref, err := w.root.GetSecurityPreference(ram.CreateGetSecurityPreferenceRequest())
	ok(t, "GetSecurityPreference", err)
	sp := pref.SecurityPreference
	if lp := sp.LoginProfilePreference; lp.LoginNetworkMasks != "" || lp.LoginSessionDuration != 5 || lp.AllowUserToChangePassword || lp.EnableSaveMFATicket ||
		sp.AccessKeyPreference.AllowUserToManageAccessKeys || sp.MFAPreference.AllowUserToManageMFADevices {
		t.Fatalf("after clearing: %+v", sp)
	}
	wantStatus(t, b.get("/console/ram/settings"), http.StatusOK, `value="" data-testid="sec-LoginNetworkMasks"`)
	wantRedirect(t, newBrowser(t, w.srv).ramLogon("mia@"+w.acct.ID, "Ramcon-Passw0rd-1"), "/console/")
	ramConRefused(t, b.post("/console/ram/settings/security", url.Values{"LoginSessionDuration": {""}}), http.StatusBadRequest, "InvalidParameter")

	// The password policy: all fields, then each number emptied in turn.
	pw := url.Values{"MinimumPasswordLength": {"14"}, "MinimumPasswordDifferentCharacter": {"3"}, "MaxPasswordAge": {"30"},
		"PasswordReusePrevention": {"5"}, "MaxLoginAttemps": {"6"}, "PasswordNotContainUserName": {"on"}, "RequireLowercaseCharacters": {"on"}, "RequireUppercaseCharacters": {"on"}, "RequireNumbers": {"on"}, "RequireSymbols": {"on"}, "HardExpire": {"on"}}
	wantRedirect(t, b.post("/console/ram/settings/password", pw), "/console/ram/settings?saved=password")
	page = b.get("/console/ram/settings")
	for k, v := range pw {
		if v[0] == "on" {
			wantStatus(t, page, http.StatusOK, `checked data-testid="pw-`+k+`"`)
		} else {
			wantStatus(t, page, http.StatusOK, `value="`+v[0]+`" data-testid="pw-`+k+`"`)
		}
	}
	for _, k := range []string{"MinimumPasswordLength", "MinimumPasswordDifferentCharacter", "MaxPasswordAge", "PasswordReusePrevention", "MaxLoginAttemps"} {
		emptied := cloneForm(pw)
		emptied.Set(k, "")
		ramConRefused(t, b.post("/console/ram/settings/password", emptied), http.StatusBadRequest, "InvalidParameter")
	}
	got, err := w.root.GetPasswordPolicy(ram.CreateGetPasswordPolicyRequest())
	ok(t, "GetPasswordPolicy", err)
	if p := got.PasswordPolicy; p.MinimumPasswordLength != 14 || p.MaxPasswordAge != 30 || p.PasswordReusePrevention != 5 || p.MaxLoginAttemps != 6 ||
		!p.RequireLowercaseCharacters || !p.RequireUppercaseCharacters || !p.RequireNumbers || !p.RequireSymbols || !p.HardExpiry {
		t.Fatalf("a refused save changed the policy: %+v", p)
	}
	wantRedirect(t, b.post("/console/ram/settings/password", url.Values{"MinimumPasswordLength": {"8"}, "MinimumPasswordDifferentCharacter": {"0"},
		"MaxPasswordAge": {"0"}, "PasswordReusePrevention": {"0"}, "MaxLoginAttemps": {"0"}}), "/console/ram/settings?saved=password")
	wantStatus(t, b.get("/console/ram/settings"), http.StatusOK, `value="0" data-testid="pw-MinimumPasswordDifferentCharacter"`,
		`name="PasswordNotContainUserName"  data-testid`)
	got, err = w.root.GetPasswordPolicy(ram.CreateGetPasswordPolicyRequest())
	ok(t, "GetPasswordPolicy", err)
	if p := got.PasswordPolicy; p.MinimumPasswordLength != 8 || p.MaxPasswordAge != 0 || p.MaxLoginAttemps != 0 || p.RequireSymbols || p.HardExpiry {
		t.Fatalf("after unticking everything: %+v", p)
	}
}

// TestConsoleRootSignInLockout: MaxRootSignInFailures wrong passwords lock
// the root for an hour with the one refusal (the right password too);
// each attempt is a ConsoleSignin event; after the hour it signs in.
func TestConsoleRootSignInLockout(t *testing.T) {
	w := newRAMWorld(t)
	b := newBrowser(t, w.srv)
	attempt := func(pw string) page {
		t.Helper()
		b.get("/console/signin")
		return b.post("/console/signin", url.Values{"account": {w.acct.Email}, "password": {pw}})
	}
	for i := 0; i < accounts.MaxRootSignInFailures; i++ {
		ramConRefused(t, attempt("Wrong-Passw0rd-1"), http.StatusForbidden, "InvalidCredentials")
	}
	locked := attempt(w.acct.Password)
	ramConRefused(t, locked, http.StatusForbidden, "InvalidCredentials")
	wrong := attempt("Wrong-Passw0rd-1")
	message := regexp.MustCompile(`data-testid="error-message">([^<]*)<`)
	lm, wm := message.FindStringSubmatch(locked.body), message.FindStringSubmatch(wrong.body)
	if lm == nil || wm == nil || lm[1] != wm[1] {
		t.Fatalf("the lock's refusal %q is not the wrong password's %q", lm, wm)
	}
	w.srv.Advance(accounts.RootLockDuration + time.Second)
	wantRedirect(t, attempt(w.acct.Password), "/console/")
	trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
	evs := lookup(t, trail, "EventName", "ConsoleSignin", "50", "").Events
	failed := 0
	for _, e := range evs {
		if e["errorCode"] == "InvalidCredentials" {
			failed++
		}
	}
	if len(evs) != accounts.MaxRootSignInFailures+3 || failed != accounts.MaxRootSignInFailures+2 {
		t.Fatalf("ConsoleSignin events: %d, %d refused; want %d and %d", len(evs), failed, accounts.MaxRootSignInFailures+3, accounts.MaxRootSignInFailures+2)
	}
}

// TestBrowserRAMMore walks the new RAM pages in Chromium: Create Role for
// a service, Grant Permission to it and Revoke; a group's grant; the Users
// list's batch bar (Add to Group, the Delete dialog naming the targets);
// a policy's versions; clearing the login network masks.
func TestBrowserRAMMore(t *testing.T) {
	w := newRAMWorld(t)
	for _, u := range []string{"ann", "bob"} {
		w.createUser(t, u)
	}
	w.createPolicy(t, "EcsRead", `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ecs:Describe*","Resource":"*"}]}`)
	ctx := chrome(t)
	base := "http://" + w.srv.Endpoint
	run(t, ctx, "root signs in", chromedp.Navigate(base+"/console/signin"), chromedp.WaitVisible(tid("signin-form")),
		chromedp.SendKeys(tid("signin-account"), w.acct.Email), chromedp.SendKeys(tid("signin-password"), w.acct.Password),
		clickLoads(tid("signin-submit")), chromedp.WaitVisible(tid("identity")))

	run(t, ctx, "Roles > Create Role", clickLoads(tid("nav-ram-roles")), chromedp.WaitVisible(tid("roles-create")),
		clickLoads(tid("roles-create")), chromedp.WaitVisible(tid("role-create-form")),
		chromedp.Click(tid("role-entity-service")), chromedp.SendKeys(tid("role-service"), "ecs.aliyuncs.com"),
		chromedp.SendKeys(tid("role-create-name"), "EcsInstanceRole"), chromedp.SendKeys(tid("role-create-description"), "for the web servers"),
		clickLoads(tid("role-create-preview")), chromedp.WaitVisible(chromedp.CSS(`[data-testid="role-create-trust"][data-entity="service"]`)))
	if trust := textOf(t, ctx, tid("role-create-trust")); !strings.Contains(trust, `"ecs.aliyuncs.com"`) {
		t.Fatalf("the previewed trust policy: %s", trust)
	}
	screenshot(t, ctx, "ram-create-role.png")
	run(t, ctx, "OK", clickLoads(tid("role-create-submit")), chromedp.WaitVisible(tid("trust-document")))
	if trust := value(t, ctx, "trust", chromedp.Evaluate[string](`document.querySelector('[data-testid="trust-document"]').value`)); !strings.Contains(trust, `"ecs.aliyuncs.com"`) {
		t.Fatalf("the new role's trust policy: %s", trust)
	}
	run(t, ctx, "Grant Permission to the role", clickLoads(tid("role-grant-open")), chromedp.WaitVisible(tid("grant-form")),
		chromedp.Click(tid("grant-pick-ReadOnlyAccess")), clickLoads(tid("grant-submit")), chromedp.WaitVisible(tid("grant-steps")))
	if got := textOf(t, ctx, tid("step-status")); got != "Done" {
		t.Fatalf("grant to the role: %s", got)
	}
	run(t, ctx, "back to the role", clickLoads(tid("grant-complete")), chromedp.WaitVisible(tid("role-policy-name")))
	screenshot(t, ctx, "ram-role-permissions.png")
	run(t, ctx, "Revoke, confirmed", clickLoads(tid("role-policy-revoke")), chromedp.WaitVisible(tid("confirm-dialog")))
	if q := textOf(t, ctx, tid("confirm-question")); !strings.Contains(q, "ReadOnlyAccess") || !strings.Contains(q, "EcsInstanceRole") {
		t.Fatalf("the revoke dialog does not name its target: %s", q)
	}
	run(t, ctx, "OK", clickLoads(tid("confirm-ok")), chromedp.WaitVisible(tid("role-policies-empty")))

	run(t, ctx, "Groups > Create Group", clickLoads(tid("nav-ram-groups")), chromedp.WaitVisible(tid("group-create")),
		chromedp.Click(chromedp.CSS(`[data-testid="group-create"] summary`)), chromedp.SendKeys(tid("group-create-name"), "web"),
		clickLoads(tid("group-create-submit")), chromedp.WaitVisible(tid("group-grant-open")))
	run(t, ctx, "grant the group", clickLoads(tid("group-grant-open")), chromedp.WaitVisible(tid("grant-form")),
		chromedp.Click(tid("grant-pick-EcsRead")), clickLoads(tid("grant-submit")), chromedp.WaitVisible(tid("grant-complete")),
		clickLoads(tid("grant-complete")), chromedp.WaitVisible(tid("group-policy-name")))

	run(t, ctx, "Users: tick both", clickLoads(tid("nav-users")), chromedp.WaitVisible(tid("users-batch")),
		chromedp.Click(tid("users-select-all")))
	ticked := value(t, ctx, "ticked", chromedp.Evaluate[int](`document.querySelectorAll('input[name="user"]:checked').length`))
	if ticked != 2 {
		t.Fatalf("select all ticked %d users", ticked)
	}
	screenshot(t, ctx, "ram-users-batch.png")
	run(t, ctx, "Add to Group", clickLoads(tid("batch-add-group")), chromedp.WaitVisible(tid("batch-steps")))
	statuses := value(t, ctx, "statuses", chromedp.Evaluate[[]string](`[...document.querySelectorAll('[data-testid="step-status"]')].map(e => e.textContent)`))
	if strings.Join(statuses, ",") != "Done,Done" {
		t.Fatalf("Add to Group: %v", statuses)
	}
	run(t, ctx, "Users: tick ann, Delete", clickLoads(tid("batch-complete")), chromedp.WaitVisible(tid("users-batch")),
		chromedp.Click(tid("user-select-ann")), chromedp.Click(tid("user-select-bob")), clickLoads(tid("batch-delete")),
		chromedp.WaitVisible(tid("confirm-dialog")))
	if q := textOf(t, ctx, tid("confirm-question")); !strings.Contains(q, "ann") || !strings.Contains(q, "bob") {
		t.Fatalf("the delete dialog does not name both users: %s", q)
	}
	screenshot(t, ctx, "ram-users-delete-confirm.png")
	run(t, ctx, "OK: refused while in the group", clickLoads(tid("confirm-ok")), chromedp.WaitVisible(tid("error-code")))
	if code := textOf(t, ctx, tid("error-code")); !strings.HasPrefix(code, "DeleteConflict.User") {
		t.Fatalf("deleting a group member: %s", code)
	}

	run(t, ctx, "a policy's versions", chromedp.Navigate(base+"/console/ram/policies/Custom/EcsRead"), chromedp.WaitVisible(tid("policy-document")),
		chromedp.SetValue(tid("policy-document"), `{"Version":"1","Statement":[{"Effect":"Allow","Action":"oss:Get*","Resource":"*"}]}`),
		clickLoads(tid("policy-save")), chromedp.WaitVisible(tid("version-set-default-v1")),
		script(`document.querySelector('[data-testid="policy-versions"]').scrollIntoView()`))
	screenshot(t, ctx, "ram-policy-versions.png")
	run(t, ctx, "v1 as default", clickLoads(tid("version-set-default-v1")), chromedp.WaitVisible(tid("version-delete-v2")))
	if v := textOf(t, ctx, tid("policy-version")); v != "v1" {
		t.Fatalf("default version %s", v)
	}
	run(t, ctx, "delete v2", clickLoads(tid("version-delete-v2")), chromedp.WaitVisible(tid("confirm-dialog")),
		clickLoads(tid("confirm-ok")), chromedp.WaitVisible(tid("notice")))
	if n := value(t, ctx, "rows", chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="version-row"]').length`)); n != 1 {
		t.Fatalf("%d versions left", n)
	}

	run(t, ctx, "Settings: set masks", clickLoads(tid("nav-ram-settings")), chromedp.WaitVisible(tid("settings-security")),
		chromedp.SetValue(tid("sec-LoginNetworkMasks"), "10.0.0.0/8"), clickLoads(tid("settings-security-save")), chromedp.WaitVisible(tid("notice")))
	run(t, ctx, "Settings: clear masks", chromedp.Navigate(base+"/console/ram/settings"), chromedp.WaitVisible(tid("sec-LoginNetworkMasks")),
		script(`document.querySelector('[data-testid="sec-LoginNetworkMasks"]').value = ""`),
		clickLoads(tid("settings-security-save")), chromedp.WaitVisible(tid("notice")))
	pref, err := w.root.GetSecurityPreference(ram.CreateGetSecurityPreferenceRequest())
	ok(t, "GetSecurityPreference", err)
	if m := pref.SecurityPreference.LoginProfilePreference.LoginNetworkMasks; m != "" {
		t.Fatalf("masks after clearing them in the browser: %q", m)
	}

	run(t, ctx, "narrow screen", chromedp.EmulateViewport(390, 844), chromedp.Navigate(base+"/console/ram/users"), chromedp.WaitVisible(tid("users-batch")))
	if wide := value(t, ctx, "overflow", chromedp.Evaluate[bool](`document.querySelector('[data-testid="users-batch"]').scrollWidth > document.querySelector('[data-testid="users-batch"]').clientWidth + 1`)); wide {
		t.Fatal("the batch bar overflows a narrow screen")
	}
}

// TestConsoleRootLockoutUnderRacingAttempts: wrong root passwords sent at
// once are each a 403 (never a 5xx) and all counted, so the root is locked
// however they interleave, on every backend.
func TestConsoleRootLockoutUnderRacingAttempts(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		w := newRAMWorld(t, opts...)
		const racers = 3 * accounts.MaxRootSignInFailures
		statuses := make(chan int, racers)
		var wg sync.WaitGroup
		for i := 0; i < racers; i++ {
			b := newBrowser(t, w.srv)
			b.get("/console/signin")
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses <- b.post("/console/signin", url.Values{"account": {w.acct.Email}, "password": {"Wrong-Passw0rd-1"}}).status
			}()
		}
		wg.Wait()
		close(statuses)
		for s := range statuses {
			if s != http.StatusForbidden {
				t.Fatalf("a racing wrong root password: %d", s)
			}
		}
		b := newBrowser(t, w.srv)
		b.get("/console/signin")
		ramConRefused(t, b.post("/console/signin", url.Values{"account": {w.acct.Email}, "password": {w.acct.Password}}),
			http.StatusForbidden, "InvalidCredentials")
	})
}
