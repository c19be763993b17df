package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/ramapi"
	"github.com/canopy-iam/canopy/internal/api/trailapi"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/authn/signature"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// invokeAs calls an action through the Invoker for a principal built by the
// test: no HTTP, no signature, no nonce, as the console will. It returns
// the output as JSON and the call's request id.
func invokeAs(t *testing.T, srv *canopytest.Server, p *model.Principal, product *api.Product, action string, params map[string]string) (map[string]any, string, error) {
	t.Helper()
	inv := &api.Invocation{RequestID: model.NewRequestID(), Received: time.Now(), Caller: p,
		Version: product.Version, Action: action, Params: signature.ParamsOf(params),
		SourceIP: netip.MustParseAddr("192.0.2.7"), UserAgent: "invoker-test"}
	out, err := srv.App.Invoker.Invoke(context.Background(), inv)
	if err != nil {
		return nil, inv.RequestID, err
	}
	raw, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m, inv.RequestID, nil
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("got %v; want %s", err, code)
	}
}

// TestInvokerRunsActionsForAPrincipal drives RAM actions through the
// Invoker alone: the same authorization and audit as a signed request.
func TestInvokerRunsActionsForAPrincipal(t *testing.T) {
	for name, opts := range map[string][]canopytest.Option{"sqlite": nil, "postgres": {canopytest.WithPostgres()}} {
		t.Run(name, func(t *testing.T) {
			srv := canopytest.Start(t, opts...)
			acct := srv.CreateAccount(t)
			root := &model.Principal{Kind: model.Root, AccountID: acct.ID}
			call := func(p *model.Principal, action string, params map[string]string) (map[string]any, string, error) {
				return invokeAs(t, srv, p, ramapi.Product, action, params)
			}

			created, createID, err := call(root, "CreateUser", map[string]string{"UserName": "alice"})
			ok(t, "CreateUser", err)
			aliceID := created["User"].(map[string]any)["UserId"].(string)
			_, _, err = call(root, "CreateUser", map[string]string{"UserName": "bob"})
			ok(t, "CreateUser bob", err)
			_, _, err = call(root, "CreatePolicy", map[string]string{"PolicyName": "read-alice",
				"PolicyDocument": `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:GetUser","Resource":"acs:ram::` + acct.ID + `:user/alice"}]}`})
			ok(t, "CreatePolicy", err)
			_, _, err = call(root, "AttachPolicyToUser", map[string]string{"PolicyType": "Custom", "PolicyName": "read-alice", "UserName": "alice"})
			ok(t, "AttachPolicyToUser", err)

			alice := &model.Principal{Kind: model.RAMUser, AccountID: acct.ID, UserName: "alice", UserID: aliceID}
			got, _, err := call(alice, "GetUser", map[string]string{"UserName": "alice"})
			ok(t, "alice GetUser alice", err)
			if got["User"].(map[string]any)["UserName"] != "alice" {
				t.Fatalf("GetUser = %v", got)
			}
			_, deniedID, err := call(alice, "GetUser", map[string]string{"UserName": "bob"})
			wantCode(t, err, "NoPermission")
			_, _, err = call(alice, "CreateUser", map[string]string{"UserName": "mallory"})
			wantCode(t, err, "NoPermission")

			// A write that fails leaves nothing behind: no user, and only its
			// refusal in the trail.
			_, failedID, err := call(root, "AttachPolicyToUser", map[string]string{"PolicyType": "Custom", "PolicyName": "missing", "UserName": "bob"})
			wantCode(t, err, "EntityNotExist.Policy")
			_, _, err = call(root, "GetUser", map[string]string{"UserName": "mallory"})
			wantCode(t, err, "EntityNotExist.User")

			// Every call is audited, with the principal that made it.
			event := func(id string) map[string]any {
				t.Helper()
				out, _, err := invokeAs(t, srv, root, trailapi.Product, "LookupEvents",
					map[string]string{"LookupAttribute.1.Key": "EventId", "LookupAttribute.1.Value": id})
				ok(t, "LookupEvents", err)
				events := out["Events"].([]any)
				if len(events) != 1 {
					t.Fatalf("event %s: found %d", id, len(events))
				}
				return events[0].(map[string]any)
			}
			ev := event(createID)
			if ev["eventName"] != "CreateUser" || ev["eventRW"] != "Write" || ev["errorCode"] != "" ||
				ev["userIdentity"].(map[string]any)["type"] != "root-account" || ev["sourceIpAddress"] != "192.0.2.7" {
				t.Errorf("CreateUser event = %v", ev)
			}
			ev = event(deniedID)
			who := ev["userIdentity"].(map[string]any)
			if ev["errorCode"] != "NoPermission" || who["type"] != "ram-user" || who["userName"] != "alice" ||
				who["principalId"] != aliceID || ev["accessDeniedDetail"] == nil {
				t.Errorf("denied GetUser event = %v", ev)
			}
			if ev = event(failedID); ev["errorCode"] != "EntityNotExist.Policy" {
				t.Errorf("failed AttachPolicyToUser event = %v", ev)
			}
		})
	}
}

// TestRevokedPolicyIsNotCachedFromAnOlderSnapshot: a call authorizes in
// its own transaction, whose snapshot may predate a change that commits
// (and drops the caches) while the call runs. The policies that call reads
// are then stale, and must not be cached: a revoked permission would keep
// working on this node until the account next changed. The change is
// committed here at the worst moment, inside the call's transaction, just
// after its snapshot was taken and before authorization reads the cache.
func TestRevokedPolicyIsNotCachedFromAnOlderSnapshot(t *testing.T) {
	for name, opts := range map[string][]canopytest.Option{"sqlite": nil, "postgres": {canopytest.WithPostgres()}} {
		t.Run(name, func(t *testing.T) {
			srv := canopytest.Start(t, opts...)
			acct := srv.CreateAccount(t)
			root := &model.Principal{Kind: model.Root, AccountID: acct.ID}
			call := func(p *model.Principal, action string, params map[string]string) error {
				_, _, err := invokeAs(t, srv, p, ramapi.Product, action, params)
				return err
			}
			created, _, err := invokeAs(t, srv, root, ramapi.Product, "CreateUser", map[string]string{"UserName": "alice"})
			ok(t, "CreateUser alice", err)
			alice := &model.Principal{Kind: model.RAMUser, AccountID: acct.ID, UserName: "alice",
				UserID: created["User"].(map[string]any)["UserId"].(string)}
			ok(t, "CreateUser bob", call(root, "CreateUser", map[string]string{"UserName": "bob"}))
			grant := map[string]string{"PolicyType": "System", "PolicyName": "AliyunRAMReadOnlyAccess", "UserName": "alice"}
			ok(t, "AttachPolicyToUser", call(root, "AttachPolicyToUser", grant))
			readBob := map[string]string{"UserName": "bob"}
			ok(t, "alice reads bob while allowed", call(alice, "GetUser", readBob))

			// The stored-spelling lookup is the call's first read, so its
			// snapshot exists when the detach commits.
			racing := *srv.App.Invoker
			detached := false
			racing.Canonical = func(tx store.Tx, resource string) (string, error) {
				canonical, err := srv.App.IAM.CanonicalResource(tx, resource)
				if !detached {
					detached = true
					ok(t, "DetachPolicyFromUser during alice's call", call(root, "DetachPolicyFromUser", grant))
				}
				return canonical, err
			}
			inv := &api.Invocation{RequestID: model.NewRequestID(), Received: time.Now(), Caller: alice,
				Version: ramapi.Product.Version, Action: "GetUser", Params: signature.ParamsOf(readBob),
				SourceIP: netip.MustParseAddr("192.0.2.7")}
			// Its outcome may go either way: it reads the world before the
			// detach committed.
			racing.Invoke(context.Background(), inv)
			if !detached {
				t.Fatal("the call never resolved its resource")
			}

			for range 3 {
				wantCode(t, call(alice, "GetUser", readBob), "NoPermission")
			}
		})
	}
}

// A front that forgot to authenticate gets an error, never a panic, and
// nothing runs.
func TestInvokerRefusesACallWithoutACaller(t *testing.T) {
	srv := canopytest.Start(t)
	_, _, err := invokeAs(t, srv, nil, ramapi.Product, "CreateUser", map[string]string{"UserName": "ghost"})
	wantCode(t, err, "InternalError")
}
