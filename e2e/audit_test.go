package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/actiontrail"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

func lookup(t *testing.T, c *actiontrail.Client, key, value, max, token string) *actiontrail.LookupEventsResponse {
	t.Helper()
	req := actiontrail.CreateLookupEventsRequest()
	if key != "" {
		req.LookupAttribute = &[]actiontrail.LookupEventsLookupAttribute{{Key: key, Value: value}}
	}
	req.MaxResults, req.NextToken = max, token
	resp, err := c.LookupEvents(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestAuditTrailRecordsEveryCallPerAccount(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	other := srv.CreateAccount(t)
	stsClient := srv.STSClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	for i := 0; i < 3; i++ {
		if _, err := stsClient.GetCallerIdentity(sts.CreateGetCallerIdentityRequest()); err != nil {
			t.Fatal(err)
		}
	}
	// A refused call is recorded too, with its secret parameters redacted.
	req := requests.NewCommonRequest()
	req.Domain, req.Scheme = srv.Endpoint, "http"
	req.Product, req.Version, req.ApiName = "Sts", "2015-04-01", "NoSuchAction"
	req.QueryParams["Password"] = "hunter2-secret"
	req.QueryParams["password"] = "hunter2-lower"     // wrong case: still a secret
	req.QueryParams["NewPassword.1"] = "hunter2-list" // list form: still a secret
	_, err := stsClient.ProcessCommonRequest(req)
	wantServerError(t, err, "InvalidAction.NotFound", http.StatusNotFound)

	trail := srv.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	all := lookup(t, trail, "", "", "", "")
	if len(all.Events) != 4 || all.NextToken != "" {
		t.Fatalf("want 4 events and no NextToken, got %d (%q)", len(all.Events), all.NextToken)
	}
	newest := all.Events[0]
	raw, _ := json.Marshal(newest)
	if newest["eventName"] != "NoSuchAction" || newest["errorCode"] != "InvalidAction.NotFound" ||
		strings.Contains(string(raw), "hunter2") {
		t.Fatalf("newest event is not the refused call or leaks its secret: %s", raw)
	}
	params, _ := newest["requestParameters"].(map[string]any)
	for _, k := range []string{"Password", "password", "NewPassword.1"} {
		if params[k] != "******" {
			t.Errorf("%s not redacted: %v", k, params)
		}
	}
	oldest := all.Events[3]
	identity, _ := oldest["userIdentity"].(map[string]any)
	if oldest["eventName"] != "GetCallerIdentity" || oldest["serviceName"] != "Sts" || oldest["eventRW"] != "Read" ||
		oldest["errorCode"] != "" || oldest["requestId"] == "" || oldest["sourceIpAddress"] != "127.0.0.1" || oldest["eventSource"] != "sts.aliyuncs.com" ||
		identity["type"] != "root-account" || identity["accountId"] != acct.ID || identity["principalId"] != acct.ID ||
		identity["userName"] != "root" || identity["accessKeyId"] != acct.AccessKeyID {
		t.Fatalf("unexpected event %v", oldest)
	}

	filtered := lookup(t, trail, "EventName", "GetCallerIdentity", "", "")
	if len(filtered.Events) != 3 {
		t.Fatalf("EventName filter returned %d events", len(filtered.Events))
	}
	// Paging: two per page, every event exactly once, newest first.
	seen := map[string]bool{}
	token := ""
	for pages := 0; ; pages++ {
		page := lookup(t, trail, "", "", "2", token)
		for _, e := range page.Events {
			id, _ := e["eventId"].(string)
			if seen[id] {
				t.Fatalf("event %s returned twice", id)
			}
			seen[id] = true
		}
		if token = page.NextToken; token == "" {
			break
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
	}
	// The lookups themselves are events too now: at least the 4 first ones.
	if len(seen) < 4 {
		t.Fatalf("paging saw %d events", len(seen))
	}
	// A token only continues the query it came from.
	page := lookup(t, trail, "", "", "1", "")
	bad := actiontrail.CreateLookupEventsRequest()
	bad.NextToken, bad.MaxResults = page.NextToken, "2"
	_, err = trail.LookupEvents(bad)
	wantServerError(t, err, "InvalidQueryParameter", http.StatusBadRequest)

	// Another account sees none of this.
	otherTrail := srv.TrailClient(t, other.AccessKeyID, other.AccessKeySecret)
	if got := lookup(t, otherTrail, "EventAccessKeyId", acct.AccessKeyID, "", ""); len(got.Events) != 0 {
		t.Fatalf("another account sees %d events", len(got.Events))
	}
}

// "root" is a valid RAM user name, and ActionTrail writes userName "root"
// for it as for the root identity. The records stay faithful; the User
// filter tells them apart: User=root is the root identity, and the RAM
// user is found by its principal name root@<account id>.onaliyun.com.
func TestUserFilterTellsRootFromARAMUserNamedRoot(t *testing.T) {
	w := newRAMWorld(t)
	impostor, _ := w.userClient(t, "root")
	if err := listUsers(impostor); err == nil {
		t.Fatal("a RAM user without policies listed users")
	}
	if err := listUsers(w.root); err != nil {
		t.Fatal(err)
	}
	trail := w.srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
	for value, wantType := range map[string]string{"root": "root-account", "root@" + w.acct.ID + ".onaliyun.com": "ram-user"} {
		events := lookup(t, trail, "User", value, "50", "").Events
		if len(events) == 0 {
			t.Fatalf("User=%s found nothing", value)
		}
		for _, e := range events {
			identity, _ := e["userIdentity"].(map[string]any)
			if identity["type"] != wantType || identity["userName"] != "root" {
				t.Errorf("User=%s found an event of %v (%v); want only %s events", value, identity, e["eventName"], wantType)
			}
		}
	}
}

// An AccessKey secret sent as a parameter (a client that puts its
// credentials in the query by mistake) is a secret whatever the action:
// the trail keeps "******", never the value, as it did before any action
// declared its own secrets.
func TestAuditRedactsAnAccessKeySecretSentAsAParameter(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	stsClient := srv.STSClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	req := requests.NewCommonRequest()
	req.Domain, req.Scheme = srv.Endpoint, "http"
	req.Product, req.Version, req.ApiName = "Sts", "2015-04-01", "GetCallerIdentity"
	req.QueryParams["AccessKeySecret"] = acct.AccessKeySecret
	req.QueryParams["accesskeysecret"] = acct.AccessKeySecret + "-lower"
	_, err := stsClient.ProcessCommonRequest(req)
	ok(t, "GetCallerIdentity with an AccessKeySecret parameter", err)

	trail := srv.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	newest := lookup(t, trail, "EventName", "GetCallerIdentity", "1", "").Events[0]
	raw, _ := json.Marshal(newest)
	if strings.Contains(string(raw), acct.AccessKeySecret) {
		t.Fatalf("the trail holds the AccessKey secret: %s", raw)
	}
	params, _ := newest["requestParameters"].(map[string]any)
	for _, k := range []string{"AccessKeySecret", "accesskeysecret"} {
		if params[k] != "******" {
			t.Errorf("%s not redacted: %v", k, params)
		}
	}
}

// The bearer credentials of STS's federation actions (which this server
// does not serve yet, so their calls are refused) never reach the trail;
// nor does any value sent to an action the server does not know, since
// nothing declares which of its parameters are secrets. The names stay.
func TestAuditTrailKeepsNoBearerTokenNorAnUnknownActionsValues(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	stsClient := srv.STSClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	const assertion, token, opaque = "PHNhbWxwOlJlc3BvbnNl-bearer", "eyJhbGciOiJSUzI1NiJ9.bearer.sig", "opaque-value-of-an-unknown-action"

	saml := sts.CreateAssumeRoleWithSAMLRequest()
	saml.SAMLProviderArn, saml.RoleArn, saml.SAMLAssertion = "acs:ram::"+acct.ID+":saml-provider/idp", "acs:ram::"+acct.ID+":role/r", assertion
	_, err := stsClient.AssumeRoleWithSAML(saml)
	wantServerError(t, err, "InvalidAction.NotFound", http.StatusNotFound)
	oidc := sts.CreateAssumeRoleWithOIDCRequest()
	oidc.OIDCProviderArn, oidc.RoleArn, oidc.RoleSessionName, oidc.OIDCToken = "acs:ram::"+acct.ID+":oidc-provider/idp", "acs:ram::"+acct.ID+":role/r", "s", token
	_, err = stsClient.AssumeRoleWithOIDC(oidc)
	wantServerError(t, err, "InvalidAction.NotFound", http.StatusNotFound)
	unknown := requests.NewCommonRequest()
	unknown.Domain, unknown.Scheme = srv.Endpoint, "http"
	unknown.Product, unknown.Version, unknown.ApiName = "Sts", "2015-04-01", "NoSuchAction"
	unknown.QueryParams["ClientSecretThing"] = opaque
	_, err = stsClient.ProcessCommonRequest(unknown)
	wantServerError(t, err, "InvalidAction.NotFound", http.StatusNotFound)
	// A known action sent a token it does not take: redacted by its name.
	stray := requests.NewCommonRequest()
	stray.Domain, stray.Scheme = srv.Endpoint, "http"
	stray.Product, stray.Version, stray.ApiName = "Sts", "2015-04-01", "GetCallerIdentity"
	stray.QueryParams["OIDCToken"] = token + "-stray"
	stsClient.ProcessCommonRequest(stray) // refused or answered: its event is what matters

	events := lookup(t, srv.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret), "", "", "", "").Events
	if len(events) != 4 {
		t.Fatalf("%d events; want 4", len(events))
	}
	for _, ev := range events {
		raw, _ := json.Marshal(ev)
		for _, secret := range []string{assertion, token, opaque} {
			if strings.Contains(string(raw), secret) {
				t.Errorf("the trail keeps %q: %s", secret, raw)
			}
		}
		params, _ := ev["requestParameters"].(map[string]any)
		for name, want := range map[string]string{"AssumeRoleWithSAML": "SAMLAssertion", "AssumeRoleWithOIDC": "OIDCToken",
			"NoSuchAction": "ClientSecretThing", "GetCallerIdentity": "OIDCToken"} {
			if ev["eventName"] == name && params[want] != "******" {
				t.Errorf("%s: %s is %v; want it named and redacted", name, want, params[want])
			}
		}
	}
}
