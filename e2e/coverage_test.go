package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// TestEveryActionIsAuthorized walks the whole registry: every action that
// declares a RAM action refuses a RAM user without policies with 403
// NoPermission naming that action, and AccessDeniedDetail says why. An
// action added without authorization fails here.
func TestEveryActionIsAuthorized(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	root := srv.RAMClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	create := ram.CreateCreateUserRequest()
	create.UserName = "nobody"
	if _, err := root.CreateUser(create); err != nil {
		t.Fatal(err)
	}
	keyReq := ram.CreateCreateAccessKeyRequest()
	keyReq.UserName = "nobody"
	key, err := root.CreateAccessKey(keyReq)
	if err != nil {
		t.Fatal(err)
	}
	client := srv.RAMClient(t, key.AccessKey.AccessKeyId, key.AccessKey.AccessKeySecret)
	// Self-service (own password, keys, MFA) is allowed by the security
	// preference rather than a policy: switch it off so that every action
	// needs a policy here (TestRAMSelfServiceFollowsPreference covers it).
	pref := ram.CreateSetSecurityPreferenceRequest()
	pref.AllowUserToChangePassword, pref.AllowUserToManageAccessKeys, pref.AllowUserToManageMFADevices = "false", "false", "false"
	if _, err := root.SetSecurityPreference(pref); err != nil {
		t.Fatal(err)
	}

	specs := srv.App.Registry.Specs()
	checked := 0
	for _, spec := range specs {
		if spec.RAMAction == "" {
			if spec.Name != "GetCallerIdentity" {
				t.Errorf("%s %s declares no RAM action", spec.Product, spec.Name)
			}
			continue
		}
		t.Run(spec.Product+"/"+spec.Name, func(t *testing.T) {
			req := requests.NewCommonRequest()
			req.Domain, req.Scheme = srv.Endpoint, "http"
			req.Product, req.Version, req.ApiName = spec.Product, spec.Version, spec.Name
			for k, v := range srv.App.Registry.SampleParams(spec.Version, spec.Name) {
				req.QueryParams[k] = v
			}
			_, err := client.ProcessCommonRequest(req)
			se := wantServerError(t, err, "NoPermission", http.StatusForbidden)
			if !strings.Contains(se.Message(), spec.RAMAction) {
				t.Errorf("message does not name %s: %q", spec.RAMAction, se.Message())
			}
			detail := se.AccessDeniedDetail()
			if detail == nil || detail["AuthAction"] != spec.RAMAction || detail["NoPermissionType"] != "ImplicitDeny" ||
				detail["AuthPrincipalType"] != "SubUser" || detail["AuthPrincipalOwnerId"] != acct.ID ||
				detail["PolicyType"] != "AccountLevelIdentityBasedPolicy" || detail["EncodedDiagnosticMessage"] == "" {
				t.Errorf("AccessDeniedDetail = %v", detail)
			}
		})
		checked++
	}
	if checked < 100 {
		t.Fatalf("only %d actions checked; the registry should hold every RAM, IMS and ActionTrail action", checked)
	}
	// The audit trail records each denial with the same detail.
	trail := srv.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	events := lookup(t, trail, "User", "nobody", "50", "").Events
	if len(events) == 0 {
		t.Fatal("no audit events for the refused calls")
	}
	for _, e := range events {
		detail, _ := e["accessDeniedDetail"].(map[string]any)
		if e["errorCode"] != "NoPermission" || detail == nil || detail["AuthAction"] == "" ||
			detail["NoPermissionType"] != "ImplicitDeny" {
			t.Fatalf("denial event without its detail: %v", e)
		}
	}
}
