package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// The end-to-end specification of CloudSSO's SCIM API (reference 5.11):
// the synchronization switch and the SCIM server's bearer-token
// credentials, whose secret is shown once and never again, not even to
// the trail.
func TestSSOSCIMCredentials(t *testing.T) {
	onEveryBackend(t, func(t *testing.T, opts ...canopytest.Option) {
		srv := canopytest.Start(t, opts...)
		w := newSSOWorld(t, srv)
		c := w.ssoAdmin

		syncStatus := func() any {
			return c.must(t, "GetSCIMSynchronizationStatus", w.in(nil))["SCIMSynchronizationStatus"]
		}
		stats := func() map[string]any {
			return ssoObject(t, c.must(t, "GetDirectoryStatistics", w.in(nil)), "DirectoryStatistics")
		}
		if syncStatus() != "Disabled" || stats()["SCIMSyncEnabled"] != false || ssoNumber(t, stats()["SCIMServerCredentialCount"]) != 0 {
			t.Errorf("a new directory's SCIM: %v, %v", syncStatus(), stats())
		}
		c.must(t, "SetSCIMSynchronizationStatus", w.in(map[string]any{"SCIMSynchronizationStatus": "Enabled"}))
		if syncStatus() != "Enabled" || stats()["SCIMSyncEnabled"] != true {
			t.Errorf("after enabling SCIM: %v, %v", syncStatus(), stats())
		}
		_, err := c.call("SetSCIMSynchronizationStatus", w.in(map[string]any{"SCIMSynchronizationStatus": "On"}))
		wantDaraError(t, err, "InvalidParameter.SCIMSynchronizationStatus", http.StatusBadRequest)
		_, err = c.call("SetSCIMSynchronizationStatus", w.in(nil))
		wantDaraError(t, err, "MissingParameter.SCIMSynchronizationStatus", http.StatusBadRequest)

		// Two credentials, each with its secret in the creating answer only.
		created := map[string]map[string]any{}
		secrets := map[string]string{}
		var requestIDs []string
		for range 2 {
			body := c.must(t, "CreateSCIMServerCredential", w.in(nil))
			cred := ssoObject(t, body, "SCIMServerCredential")
			id, _ := cred["CredentialId"].(string)
			secret, _ := cred["CredentialSecret"].(string)
			if !strings.HasPrefix(id, "scimcred-") || len(secret) < 32 || cred["CredentialType"] != "BearerToken" ||
				cred["Status"] != "Enabled" || cred["DirectoryId"] != w.dirID {
				t.Fatalf("created credential %v", cred)
			}
			createTime, err1 := time.Parse(time.RFC3339, cred["CreateTime"].(string))
			expireTime, err2 := time.Parse(time.RFC3339, cred["ExpireTime"].(string))
			if err1 != nil || err2 != nil || expireTime.Sub(createTime) != 365*24*time.Hour {
				t.Errorf("credential times %v, %v", cred["CreateTime"], cred["ExpireTime"])
			}
			created[id], secrets[id] = cred, secret
			requestIDs = append(requestIDs, body["RequestId"].(string))
		}
		if len(created) != 2 {
			t.Fatalf("two creates gave the ids %v", created)
		}
		_, err = c.call("CreateSCIMServerCredential", w.in(nil))
		wantDaraError(t, err, "QuotaExceeded.SCIMCredential", http.StatusBadRequest)
		if n := ssoNumber(t, stats()["SCIMServerCredentialCount"]); n != 2 {
			t.Errorf("SCIMServerCredentialCount = %d, want 2", n)
		}

		list := func() []map[string]any {
			body := c.must(t, "ListSCIMServerCredentials", w.in(nil))
			all := ssoArray(t, body, "SCIMServerCredentials")
			if ssoNumber(t, body["TotalCounts"]) != len(all) {
				t.Errorf("TotalCounts %v for %d credentials", body["TotalCounts"], len(all))
			}
			raw, _ := json.Marshal(body)
			for id, secret := range secrets {
				if strings.Contains(string(raw), secret) {
					t.Errorf("the list shows the secret of %s: %s", id, raw)
				}
			}
			return all
		}
		all := list()
		if len(all) != 2 {
			t.Fatalf("listed %v", all)
		}
		for _, got := range all {
			want := created[got["CredentialId"].(string)]
			if want == nil || got["Status"] != "Enabled" || got["CreateTime"] != want["CreateTime"] ||
				got["ExpireTime"] != want["ExpireTime"] || got["CredentialType"] != "BearerToken" || got["DirectoryId"] != w.dirID {
				t.Errorf("listed %v, created %v", got, want)
			}
			if _, has := got["CredentialSecret"]; has {
				t.Errorf("the list has a CredentialSecret field: %v", got)
			}
		}

		// Status update and delete.
		first, _ := all[0]["CredentialId"].(string)
		updated := ssoObject(t, c.must(t, "UpdateSCIMServerCredentialStatus", w.in(map[string]any{"CredentialId": first, "NewStatus": "Disabled"})), "SCIMServerCredential")
		if updated["Status"] != "Disabled" || updated["CredentialId"] != first {
			t.Errorf("updated credential %v", updated)
		}
		if _, has := updated["CredentialSecret"]; has {
			t.Errorf("the update shows a CredentialSecret: %v", updated)
		}
		for _, got := range list() {
			if got["CredentialId"] == first && got["Status"] != "Disabled" {
				t.Errorf("after disabling: %v", got)
			}
		}
		_, err = c.call("UpdateSCIMServerCredentialStatus", w.in(map[string]any{"CredentialId": first, "NewStatus": "Paused"}))
		wantDaraError(t, err, "InvalidParameter.NewStatus", http.StatusBadRequest)
		c.must(t, "DeleteSCIMServerCredential", w.in(map[string]any{"CredentialId": first}))
		if l := list(); len(l) != 1 || l[0]["CredentialId"] == first {
			t.Errorf("after delete: %v", l)
		}
		if n := ssoNumber(t, stats()["SCIMServerCredentialCount"]); n != 1 {
			t.Errorf("SCIMServerCredentialCount after delete = %d, want 1", n)
		}
		third := ssoObject(t, c.must(t, "CreateSCIMServerCredential", w.in(nil)), "SCIMServerCredential")
		secrets[third["CredentialId"].(string)] = third["CredentialSecret"].(string)

		// Unknown ids: never existed, deleted, or malformed.
		for _, id := range []string{"scimcred-nosuchcredential000", first, strings.Repeat("x", 300)} {
			_, err = c.call("UpdateSCIMServerCredentialStatus", w.in(map[string]any{"CredentialId": id, "NewStatus": "Enabled"}))
			wantDaraError(t, err, "EntityNotExists.SCIMCredential", http.StatusNotFound)
			_, err = c.call("DeleteSCIMServerCredential", w.in(map[string]any{"CredentialId": id}))
			wantDaraError(t, err, "EntityNotExists.SCIMCredential", http.StatusNotFound)
		}
		_, err = c.call("DeleteSCIMServerCredential", w.in(nil))
		wantDaraError(t, err, "MissingParameter.CredentialId", http.StatusBadRequest)

		// Another management account sees no such directory, and changes
		// nothing in it.
		other := newSSOWorld(t, srv)
		for action, params := range map[string]map[string]any{
			"ListSCIMServerCredentials":        nil,
			"CreateSCIMServerCredential":       nil,
			"GetSCIMSynchronizationStatus":     nil,
			"SetSCIMSynchronizationStatus":     {"SCIMSynchronizationStatus": "Disabled"},
			"DeleteSCIMServerCredential":       {"CredentialId": third["CredentialId"]},
			"UpdateSCIMServerCredentialStatus": {"CredentialId": third["CredentialId"], "NewStatus": "Disabled"},
		} {
			_, err = other.ssoAdmin.call(action, w.in(params))
			wantDaraError(t, err, "EntityNotExists.Directory", http.StatusNotFound)
		}
		if l := list(); len(l) != 2 || syncStatus() != "Enabled" {
			t.Errorf("after the other account's attempts: %v, %v", l, syncStatus())
		}

		// A caller with no policy is refused; read-only access lists only.
		w.createUser(t, "nobody")
		id, secret := w.userKey(t, "nobody")
		nobody := ssoClientFor(t, srv, id, secret, false)
		_, err = nobody.call("ListSCIMServerCredentials", w.in(nil))
		ssoWantDenied(t, err, "cloudsso:ListSCIMServerCredentials", "ImplicitDeny")
		_, err = nobody.call("CreateSCIMServerCredential", w.in(nil))
		ssoWantDenied(t, err, "cloudsso:CreateSCIMServerCredential", "ImplicitDeny")
		w.createUser(t, "reader")
		w.attachToUser(t, "reader", "System", "AliyunCloudSSOReadOnlyAccess")
		id, secret = w.userKey(t, "reader")
		reader := ssoClientFor(t, srv, id, secret, true)
		reader.must(t, "ListSCIMServerCredentials", w.in(nil))
		reader.must(t, "GetSCIMSynchronizationStatus", w.in(nil))
		_, err = reader.call("DeleteSCIMServerCredential", w.in(map[string]any{"CredentialId": third["CredentialId"]}))
		ssoWantDenied(t, err, "cloudsso:DeleteSCIMServerCredential", "ImplicitDeny")

		// The trail records the creations, and holds no secret.
		trail := srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		for _, requestID := range requestIDs {
			if ev := findEvent(t, trail, "EventName", "CreateSCIMServerCredential", requestID); ev == nil {
				t.Errorf("no CreateSCIMServerCredential event with requestId %s", requestID)
			}
		}
		var events []map[string]any
		for _, action := range []string{"CreateSCIMServerCredential", "ListSCIMServerCredentials", "UpdateSCIMServerCredentialStatus"} {
			events = append(events, lookup(t, trail, "EventName", action, "50", "").Events...)
		}
		raw, _ := json.Marshal(events)
		if len(events) < 3+5 || !strings.Contains(string(raw), "responseElements") {
			t.Fatalf("the trail lacks the SCIM calls: %s", raw)
		}
		for id, secret := range secrets {
			if strings.Contains(string(raw), secret) {
				t.Errorf("the trail holds the secret of %s", id)
			}
		}
	})
}

// Twenty creations racing on an empty directory make exactly two
// credentials; the others are refused with the quota's code.
func TestSSOSCIMCredentialsRace(t *testing.T) {
	srv := canopytest.Start(t)
	w := newSSOWorld(t, srv)
	errs := make(chan error, 20)
	for range 20 {
		go func() {
			_, err := w.ssoAdmin.call("CreateSCIMServerCredential", w.in(nil))
			errs <- err
		}()
	}
	made := 0
	for range 20 {
		if err := <-errs; err == nil {
			made++
		} else {
			wantDaraError(t, err, "QuotaExceeded.SCIMCredential", http.StatusBadRequest)
		}
	}
	listed := ssoArray(t, w.ssoAdmin.must(t, "ListSCIMServerCredentials", w.in(nil)), "SCIMServerCredentials")
	if made != 2 || len(listed) != 2 {
		t.Errorf("%d creations succeeded, %d credentials listed; want 2 and 2", made, len(listed))
	}
}
