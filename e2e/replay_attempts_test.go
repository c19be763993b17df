package e2e

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// A request refused because its key was disabled uses its nonce up, like
// every other refusal of a proven request: the same bytes do not run once
// the key is enabled again, on this node or after a restart.
func TestADisabledKeysRefusalUsesItsNonceUp(t *testing.T) {
	w := newRAMWorld(t)
	w.createUser(t, "alice")
	id, secret := w.userKey(t, "alice")
	w.attachToUser(t, "alice", "System", "AliyunRAMFullAccess")
	setStatus := func(status string) {
		req := ram.CreateUpdateAccessKeyRequest()
		req.UserName, req.UserAccessKeyId, req.Status = "alice", id, status
		_, err := w.root.UpdateAccessKey(req)
		ok(t, "UpdateAccessKey "+status, err)
	}
	setStatus("Inactive")
	create := func(name string) string {
		return signedURL(t, w.srv.Endpoint, id, secret, url.Values{"Action": {"CreateUser"}, "Version": {"2015-05-01"}, "UserName": {name}}, time.Now())
	}
	here, later := create("ghost"), create("ghost-after-restart")
	for _, u := range []string{here, later} {
		if status, body, _ := get(t, u); status != http.StatusBadRequest || !strings.Contains(string(body), "InvalidAccessKeyId.Inactive") {
			t.Fatalf("with the key disabled: %d %s", status, body)
		}
	}
	setStatus("Active")
	wantReplayRefused := func(u string) {
		t.Helper()
		if status, body, _ := get(t, u); status != http.StatusBadRequest || !strings.Contains(string(body), "SignatureNonceUsed") {
			t.Fatalf("the refused request again, key enabled: %d %s", status, body)
		}
	}
	wantReplayRefused(here)
	before := w.srv.Endpoint
	w.srv.Stop(t)
	w.srv = canopytest.Start(t, canopytest.WithStore(w.srv.DataDir, w.srv.DB))
	wantReplayRefused(strings.Replace(later, before, w.srv.Endpoint, 1))
	root := w.srv.RAMClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
	for _, name := range []string{"ghost", "ghost-after-restart"} {
		req := ram.CreateGetUserRequest()
		req.UserName = name
		if _, err := root.GetUser(req); err == nil {
			t.Errorf("user %s exists: a refused request ran", name)
		}
	}
}

// A replay proves only that someone holds a request the key signed, not
// who sent it: it reaches the owner's trail as an unverified attempt,
// within the key's attempt budget, so replaying one captured request
// cannot fill the trail.
func TestReplaysAreBudgetedAttemptsOnTheKey(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	u := signedURL(t, srv.Endpoint, acct.AccessKeyID, acct.AccessKeySecret,
		url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2015-04-01"}}, time.Now())
	if status, body, _ := get(t, u); status != http.StatusOK {
		t.Fatalf("the original: %d %s", status, body)
	}
	const replays = api.DefaultKeyAttemptBurst + 5 // within the address's budget of failures
	for i := 0; i < replays; i++ {
		if status, body, _ := get(t, u); status != http.StatusBadRequest || !strings.Contains(string(body), "SignatureNonceUsed") {
			t.Fatalf("replay %d: %d %s", i, status, body)
		}
	}
	events := lookup(t, srv.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret), "EventName", "GetCallerIdentity", "50", "").Events
	var refused, answered int
	for _, ev := range events {
		extra, _ := ev["additionalEventData"].(map[string]any)
		switch ev["errorCode"] {
		case "SignatureNonceUsed":
			refused++
			if extra["IdentityVerified"] != "false" {
				t.Errorf("a replay recorded as the signer's own call: %v", ev)
			}
		case "":
			answered++
		}
	}
	if answered != 1 || refused != api.DefaultKeyAttemptBurst {
		t.Fatalf("trail: %d answered, %d replays of %d; want 1 and %d", answered, refused, replays, api.DefaultKeyAttemptBurst)
	}
}
