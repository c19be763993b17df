package e2e

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/tea"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// ssoWantDenied asserts a NoPermission refusal of action of the given kind
// (ImplicitDeny, ExplicitDeny) with its AccessDeniedDetail.
func ssoWantDenied(t *testing.T, err error, action, kind string) {
	t.Helper()
	wantDaraError(t, err, "NoPermission", http.StatusForbidden)
	var se *tea.SDKError
	errors.As(err, &se)
	if !strings.Contains(tea.StringValue(se.Message), action) {
		t.Errorf("denial message %q does not name %s", tea.StringValue(se.Message), action)
	}
	var body struct{ AccessDeniedDetail map[string]any }
	if err := json.Unmarshal([]byte(tea.StringValue(se.Data)), &body); err != nil || body.AccessDeniedDetail == nil {
		t.Fatalf("denial without AccessDeniedDetail: %v %q", err, tea.StringValue(se.Data))
	}
	if d := body.AccessDeniedDetail; d["AuthAction"] != action || d["NoPermissionType"] != kind {
		t.Errorf("AccessDeniedDetail %v; want AuthAction %s, NoPermissionType %s", d, action, kind)
	}
}

// Who may administer CloudSSO: a RAM user needs cloudsso:<Action> on the
// directory; read-only access reads; an explicit Deny on the directory
// wins over full access; another account's directory and a member
// account see nothing; the trail names the operator and never a password.
func TestSSOAuthorizationAndAudit(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		srv := canopytest.Start(t, opts...)
		w := newSSOWorld(t, srv)

		w.createUser(t, "nobody")
		id, secret := w.userKey(t, "nobody")
		nobody := ssoClientFor(t, srv, id, secret, false)
		_, err := nobody.call("GetServiceStatus", nil)
		ssoWantDenied(t, err, "cloudsso:GetServiceStatus", "ImplicitDeny")
		_, err = nobody.call("CreateUser", w.in(map[string]any{"UserName": "x"}))
		ssoWantDenied(t, err, "cloudsso:CreateUser", "ImplicitDeny")

		w.createUser(t, "reader")
		w.attachToUser(t, "reader", "System", "AliyunCloudSSOReadOnlyAccess")
		id, secret = w.userKey(t, "reader")
		reader := ssoClientFor(t, srv, id, secret, true) // a classic V1 client
		reader.must(t, "ListUsers", w.in(nil))
		reader.must(t, "GetDirectory", w.in(nil))
		_, err = reader.call("CreateGroup", w.in(map[string]any{"GroupName": "x"}))
		ssoWantDenied(t, err, "cloudsso:CreateGroup", "ImplicitDeny")

		// An explicit Deny on this directory beats AliyunCloudSSOFullAccess;
		// one on another directory does not touch it.
		w.createPolicy(t, "deny-sso-users", `{"Version":"1","Statement":[{"Effect":"Deny","Action":"cloudsso:CreateUser",`+
			`"Resource":"acs:cloudsso:*:`+w.acct.ID+`:directory/`+w.dirID+`"},{"Effect":"Deny","Action":"cloudsso:CreateGroup",`+
			`"Resource":"acs:cloudsso:*:*:directory/d-someotherdir"}]}`)
		w.attachToUser(t, "sso-admin", "Custom", "deny-sso-users")
		_, err = w.ssoAdmin.call("CreateUser", w.in(map[string]any{"UserName": "denied"}))
		ssoWantDenied(t, err, "cloudsso:CreateUser", "ExplicitDeny")
		w.ssoCreateGroup(t, "still-allowed")
		w.detachFromUser(t, "sso-admin", "Custom", "deny-sso-users")

		// Another management account cannot reach this directory at all.
		other := newSSOWorld(t, srv)
		for _, action := range []string{"GetDirectory", "ListUsers", "GetDirectoryStatistics", "DeleteDirectory"} {
			_, err = other.ssoAdmin.call(action, w.in(nil))
			wantDaraError(t, err, "EntityNotExists.Directory", http.StatusNotFound)
		}
		// A member account (its access role, assumed by the RD admin)
		// cannot enable CloudSSO nor see the management account's directory.
		member := w.ssoMemberSession(t)
		_, err = member.call("EnableService", nil)
		wantDaraError(t, err, "Forbidden.NotManagementAccount", http.StatusForbidden)
		_, err = member.call("GetDirectory", w.in(nil))
		wantDaraError(t, err, "EntityNotExists.Directory", http.StatusNotFound)

		// The trail names the operator, and never the password.
		created := w.ssoAdmin.must(t, "CreateUser", w.in(map[string]any{"UserName": "audited"}))
		userID, _ := ssoObject(t, created, "User")["UserId"].(string)
		reset := w.ssoAdmin.must(t, "ResetUserPassword", w.in(map[string]any{"UserId": userID, "Password": "Secret-Pass-42"}))
		generated := w.ssoAdmin.must(t, "ResetUserPassword", w.in(map[string]any{"UserId": userID, "GenerateRandomPassword": true}))
		secret, _ = generated["NewPassword"].(string)
		if secret == "" {
			t.Fatalf("no generated password: %v", generated)
		}
		trail := srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		for _, call := range []struct {
			name string
			body map[string]any
		}{{"CreateUser", created}, {"ResetUserPassword", reset}, {"ResetUserPassword", generated}} {
			requestID, _ := call.body["RequestId"].(string)
			ev := findEvent(t, trail, "EventName", call.name, requestID)
			if ev == nil {
				t.Fatalf("no %s event with requestId %s", call.name, requestID)
			}
			who, _ := ev["userIdentity"].(map[string]any)
			if who["type"] != "ram-user" || who["userName"] != "sso-admin" || who["accountId"] != w.acct.ID ||
				ev["serviceName"] != "cloudsso" || ev["errorCode"] != "" {
				t.Errorf("%s event: %v", call.name, ev)
			}
			raw, _ := json.Marshal(ev)
			if strings.Contains(string(raw), "Secret-Pass-42") || strings.Contains(string(raw), secret) {
				t.Errorf("the %s event holds the password: %s", call.name, raw)
			}
		}
	})
}

// Oversized input is refused with a 4xx, and leaves nothing behind.
func TestSSOOversizedParameters(t *testing.T) {
	srv := canopytest.Start(t)
	w := newSSOWorld(t, srv)
	_, err := w.ssoAdmin.call("CreateUser", w.in(map[string]any{"UserName": "big", "Description": strings.Repeat("d", 200<<10)}))
	wantDaraError(t, err, "InvalidParameter.Description", http.StatusBadRequest)
	_, err = w.ssoAdmin.call("CreateUser", w.in(map[string]any{"UserName": strings.Repeat("u", 1<<20)}))
	var se *tea.SDKError
	if !errors.As(err, &se) || tea.IntValue(se.StatusCode) < 400 || tea.IntValue(se.StatusCode) > 499 {
		t.Fatalf("a 1 MB UserName: %v; want a 4xx", err)
	}
	t.Logf("a 1 MB UserName: %d %s", tea.IntValue(se.StatusCode), tea.StringValue(se.Code))
	_, err = w.ssoAdmin.call("CreateDirectory", map[string]any{"DirectoryName": strings.Repeat("n", 1<<20)})
	if !errors.As(err, &se) || tea.IntValue(se.StatusCode) < 400 || tea.IntValue(se.StatusCode) > 499 {
		t.Fatalf("a 1 MB DirectoryName: %v; want a 4xx", err)
	}
	if users := ssoArray(t, w.ssoAdmin.must(t, "ListUsers", w.in(nil)), "Users"); len(users) != 0 {
		t.Errorf("refused calls left users: %v", users)
	}
}
