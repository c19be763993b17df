package e2e

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/resourcemanager"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// portalWorld is what the user-portal tests start from: the issue's
// administrator flow done through the API by a RAM user of the management
// account (the CloudSSO administrator): a member, a user in a group, an
// access configuration with a system and an inline policy assigned to the
// group on the member (task polled to Success), the user's password reset
// with RequirePasswordResetForNextLogin.
type portalWorld struct {
	*ssoWorld
	member   resourcemanager.Account
	userID   string
	groupID  string
	acID     string
	password string // the admin's reset, then the user's own
	// portalSecret is the MFA secret portalReady bound.
	portalSecret string
}

const (
	portalUser   = "alice.sso"
	portalAC     = "RAMReader"
	portalInline = `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:GetAccountAlias","Resource":"*"}]}`
)

func newPortalWorld(t *testing.T, srv *canopytest.Server) *portalWorld {
	t.Helper()
	w := &portalWorld{ssoWorld: newSSOWorld(t, srv), password: "Reset-Passw0rd-1"}
	w.member = createResourceAccount(t, w.rootRD, w.directory.RootFolderId, "portal member", "portal-member")
	w.userID = w.ssoCreateUser(t, portalUser, map[string]any{"DisplayName": "Alice"})
	w.groupID = w.ssoCreateGroup(t, "readers")
	w.ssoAdmin.must(t, "AddUserToGroup", w.in(map[string]any{"GroupId": w.groupID, "UserId": w.userID}))
	ac := ssoObject(t, w.ssoAdmin.must(t, "CreateAccessConfiguration", w.in(map[string]any{
		"AccessConfigurationName": portalAC, "SessionDuration": 1800, "RelayState": "/console/ram/users"})), "AccessConfiguration")
	w.acID, _ = ac["AccessConfigurationId"].(string)
	w.ssoAdmin.must(t, "AddPermissionPolicyToAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": w.acID,
		"PermissionPolicyType": "System", "PermissionPolicyName": "AliyunRAMReadOnlyAccess"}))
	w.ssoAdmin.must(t, "AddPermissionPolicyToAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": w.acID,
		"PermissionPolicyType": "Inline", "PermissionPolicyName": "alias", "InlinePolicyDocument": portalInline}))
	w.portalAssign(t, "CreateAccessAssignment", nil)
	w.ssoAdmin.must(t, "ResetUserPassword", w.in(map[string]any{"UserId": w.userID, "Password": w.password,
		"RequirePasswordResetForNextLogin": true}))
	return w
}

// portalAssign creates or deletes the group's assignment and waits for
// its task to succeed.
func (w *portalWorld) portalAssign(t *testing.T, action string, extra map[string]any) {
	t.Helper()
	params := w.in(map[string]any{"AccessConfigurationId": w.acID, "TargetType": "RD-Account", "TargetId": w.member.AccountId,
		"PrincipalType": "Group", "PrincipalId": w.groupID})
	for k, v := range extra {
		params[k] = v
	}
	task := ssoObject(t, w.ssoAdmin.must(t, action, params), "Task")
	w.portalWaitTask(t, task["TaskId"].(string))
}

// portalWaitTask polls GetTaskStatus until the task leaves InProgress; it
// must succeed.
func (w *portalWorld) portalWaitTask(t *testing.T, taskID string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		st := ssoObject(t, w.ssoAdmin.must(t, "GetTaskStatus", w.in(map[string]any{"TaskId": taskID})), "TaskStatus")
		switch st["Status"] {
		case "Success":
			return
		case "InProgress":
		default:
			t.Fatalf("task %s: %v", taskID, st)
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s still InProgress", taskID)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// portalBase is the portal's path.
func (w *portalWorld) portalBase() string { return "/sso/" + w.dirName + "/" }

// portalSignIn posts the sign-in form and returns the answer.
func (w *portalWorld) portalSignIn(b *browser, user, password string) page {
	b.t.Helper()
	b.get(w.portalBase() + "login")
	return b.post(w.portalBase()+"login", url.Values{"username": {user}, "password": {password}})
}

// portalReady runs the whole first logon over HTTP: password, forced
// change to newPassword, MFA binding (the directory's default, Enabled);
// it returns the portal home.
func (w *portalWorld) portalReady(t *testing.T, b *browser, newPassword string) page {
	t.Helper()
	p := w.portalSignIn(b, portalUser, w.password)
	if p.status != http.StatusSeeOther || p.location != w.portalBase()+"change-password" {
		t.Fatalf("sign-in: %d %s\n%s", p.status, p.location, p.body)
	}
	b.follow(p)
	p = b.post(w.portalBase()+"change-password", url.Values{"old": {w.password}, "new": {newPassword}, "confirm": {newPassword}})
	if p.status != http.StatusSeeOther || p.location != w.portalBase()+"bind-mfa" {
		t.Fatalf("change password: %d %s\n%s", p.status, p.location, p.body)
	}
	bind := b.follow(p)
	m := secretShown.FindStringSubmatch(bind.body)
	if m == nil {
		t.Fatalf("no MFA secret shown:\n%s", bind.body)
	}
	w.portalSecret = m[1]
	c1, c2 := consecutiveCodes(t, m[1], w.srv.App.Now())
	p = b.post(w.portalBase()+"bind-mfa", url.Values{"code1": {c1}, "code2": {c2}})
	if p.status != http.StatusSeeOther || p.location != w.portalBase() {
		t.Fatalf("bind MFA: %d %s\n%s", p.status, p.location, p.body)
	}
	w.password = newPassword
	home := b.follow(p)
	wantStatus(t, home, http.StatusOK, `data-testid="sso-access"`)
	return home
}

// portalAccess posts Access for the world's assignment.
func (w *portalWorld) portalAccess(b *browser, path string) page {
	return b.post(w.portalBase()+path, url.Values{"account": {w.member.AccountId}, "ac": {w.acID}})
}

// portalReservedAndReprovision checks that the member's RAM administrator
// cannot edit the reserved role, and that editing the configuration marks
// it ReprovisionRequired until re-provisioning applies the change in the
// member.
func (w *portalWorld) portalReservedAndReprovision(t *testing.T) {
	t.Helper()
	// The member's RAM admin cannot edit the reserved role.
	admin := sessionRAM(t, w.srv, mustAssume(t, w.adminSTS, accessRoleARN(w.member.AccountId), "ram-admin").Credentials)
	ur := ram.CreateUpdateRoleRequest()
	ur.RoleName, ur.NewMaxSessionDuration = "AliyunReservedSSO-"+portalAC, "7200"
	if _, err := admin.UpdateRole(ur); err == nil || !strings.Contains(err.Error(), "NoPermission.ReservedEntity") {
		t.Fatalf("the member's admin edited the reserved role: %v", err)
	}

	// Editing the configuration marks it ReprovisionRequired; provisioning
	// applies the change in the member.
	w.ssoAdmin.must(t, "UpdateAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": w.acID, "NewSessionDuration": 7200}))
	ac := ssoObject(t, w.ssoAdmin.must(t, "GetAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": w.acID})), "AccessConfiguration")
	if notes, _ := json.Marshal(ac["StatusNotifications"]); !strings.Contains(string(notes), "ReprovisionRequired") {
		t.Fatalf("an edited configuration is not ReprovisionRequired: %v", ac)
	}
	tasks := ssoArray(t, w.ssoAdmin.must(t, "ProvisionAccessConfiguration", w.in(map[string]any{"AccessConfigurationId": w.acID,
		"TargetType": "RD-Account", "TargetId": w.member.AccountId})), "Tasks")
	w.portalWaitTask(t, tasks[0]["TaskId"].(string))
	gr := ram.CreateGetRoleRequest()
	gr.RoleName = "AliyunReservedSSO-" + portalAC
	role, err := admin.GetRole(gr)
	ok(t, "GetRole", err)
	if role.Role.MaxSessionDuration != 7200 {
		t.Fatalf("re-provisioning did not apply the session duration: %d", role.Role.MaxSessionDuration)
	}

}
