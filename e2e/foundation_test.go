package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aliyun/alibaba-cloud-sdk-go/sdk/requests"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/sts"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

func TestRootGetCallerIdentityClassicSDK(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend.name, func(t *testing.T) {
			srv := canopytest.Start(t, backend.opts...)
			acct := srv.CreateAccount(t)
			resp, err := srv.STSClient(t, acct.AccessKeyID, acct.AccessKeySecret).GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
			if err != nil {
				t.Fatal(err)
			}
			if resp.IdentityType != "Account" || resp.AccountId != acct.ID || resp.Arn != "acs:ram::"+acct.ID+":root" ||
				resp.PrincipalId != acct.ID || resp.UserId != acct.ID || resp.RequestId == "" {
				t.Fatalf("unexpected identity %+v", resp)
			}
		})
	}
}

func TestWrongSecretIsRefused(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	_, err := srv.STSClient(t, acct.AccessKeyID, acct.AccessKeySecret+"x").GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	se := wantServerError(t, err, "SignatureDoesNotMatch", http.StatusBadRequest)
	if !strings.Contains(se.Message(), "server string to sign is:") {
		t.Errorf("message lacks the string to sign: %q", se.Message())
	}
}

func TestUnknownAccessKeyIsRefused(t *testing.T) {
	srv := canopytest.Start(t)
	_, err := srv.STSClient(t, "LTAIunknownunknownunkn", "secret").GetCallerIdentity(sts.CreateGetCallerIdentityRequest())
	wantServerError(t, err, "InvalidAccessKeyId.NotFound", http.StatusNotFound)
}

func TestUnknownActionIsNotFound(t *testing.T) {
	srv := canopytest.Start(t)
	acct := srv.CreateAccount(t)
	client := srv.STSClient(t, acct.AccessKeyID, acct.AccessKeySecret)
	req := requests.NewCommonRequest()
	req.Domain, req.Scheme = srv.Endpoint, "http"
	req.Product, req.Version, req.ApiName = "Sts", "2015-04-01", "NoSuchAction"
	_, err := client.ProcessCommonRequest(req)
	wantServerError(t, err, "InvalidAction.NotFound", http.StatusNotFound)

	req.Version = "1999-01-01"
	_, err = client.ProcessCommonRequest(req)
	wantServerError(t, err, "InvalidVersion", http.StatusNotFound)
}

func TestReplayedNonceIsRefusedAlsoAfterRestart(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend.name, func(t *testing.T) {
			srv := canopytest.Start(t, backend.opts...)
			acct := srv.CreateAccount(t)
			client := srv.STSClient(t, acct.AccessKeyID, acct.AccessKeySecret)
			rec := &recorder{}
			client.SetTransport(rec)
			if _, err := client.GetCallerIdentity(sts.CreateGetCallerIdentityRequest()); err != nil {
				t.Fatal(err)
			}
			first := rec.last(t)
			status, body := replay(t, first, "")
			assertErrorBody(t, status, body, "SignatureNonceUsed", http.StatusBadRequest)

			// A restarted node remembers the nonce: it is in the store.
			srv.Stop(t)
			again := canopytest.Start(t, canopytest.WithStore(srv.DataDir, srv.DB))
			status, body = replay(t, first, again.Endpoint)
			assertErrorBody(t, status, body, "SignatureNonceUsed", http.StatusBadRequest)

			// A fresh request with a new nonce still works on the new node.
			fresh := again.STSClient(t, acct.AccessKeyID, acct.AccessKeySecret)
			if _, err := fresh.GetCallerIdentity(sts.CreateGetCallerIdentityRequest()); err != nil {
				t.Fatalf("fresh request after restart: %v", err)
			}
			// The trail tells the truth: two answered calls, two refused
			// replays, and no success recorded for a replay.
			trail := again.TrailClient(t, acct.AccessKeyID, acct.AccessKeySecret)
			events := lookup(t, trail, "EventName", "GetCallerIdentity", "", "").Events
			var ok, replays int
			for _, e := range events {
				switch e["errorCode"] {
				case "":
					ok++
				case "SignatureNonceUsed":
					replays++
				}
			}
			if ok != 2 || replays != 2 || len(events) != 4 {
				t.Fatalf("trail has %d successes, %d refused replays, %d events; want 2, 2, 4", ok, replays, len(events))
			}
		})
	}
}

// assertErrorBody checks a raw error response: status, JSON envelope with
// string fields, and the code.
func assertErrorBody(t *testing.T, status int, body []byte, code string, wantStatus int) {
	t.Helper()
	var env map[string]any
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatalf("status %d, body is not JSON: %s", status, body)
	}
	for _, k := range []string{"RequestId", "HostId", "Code", "Message", "Recommend"} {
		if _, ok := env[k].(string); !ok {
			t.Errorf("envelope field %s is not a string: %s", k, body)
		}
	}
	if status != wantStatus || env["Code"] != code {
		t.Fatalf("got %d %v; want %d %s (%s)", status, env["Code"], wantStatus, code, body)
	}
}
