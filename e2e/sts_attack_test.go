package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	sdkerrors "github.com/aliyun/alibaba-cloud-sdk-go/sdk/errors"
	"github.com/aliyun/alibaba-cloud-sdk-go/services/ram"

	"github.com/canopy-iam/canopy/internal/testutil/canopytest"
)

// Adversarial checks of STS sessions (issue 7 review).

// Neither the secret nor the security token of a session ever shows in an
// audit event (AssumeRole's, or a session's calls) or in the request log.
func TestSessionSecretsStayOutOfTrailAndLog(t *testing.T) {
	var log syncBuffer
	srv := canopytest.Start(t, canopytest.WithLog(&log))
	a := accountOn(t, srv)
	b := accountOn(t, srv)
	role := b.createRole(t, "reader", trustDoc(rootARN(a.acct.ID), rootARN(b.acct.ID)), 0)
	b.attachToRole(t, "reader", "System", "AliyunRAMReadOnlyAccess")
	b.attachToRole(t, "reader", "System", "AliyunSTSAssumeRoleAccess")
	alice := a.assumer(t, "alice")
	creds := mustAssume(t, alice, role.Arn, "s1", withSessionPolicy(statementDoc("Allow", "*", ""))).Credentials
	session := sessionRAM(t, srv, creds)
	ok(t, "ListUsers as the session", listUsers(session))
	err := createUserWith(session, "nope")
	if err == nil {
		t.Fatal("the reader session created a user")
	}
	// A refused call whose token does not open, and one with a wrong secret.
	bad := creds
	bad.AccessKeySecret = "wrong"
	_ = listUsers(sessionRAM(t, srv, bad))
	chained := mustAssume(t, sessionSTS(t, srv, creds), role.Arn, "s2")
	_ = chained

	var trails []string
	for _, w := range []*ramWorld{a, b} {
		trail := srv.TrailClient(t, w.acct.AccessKeyID, w.acct.AccessKeySecret)
		resp := lookup(t, trail, "", "", "50", "")
		data, _ := json.Marshal(resp.Events)
		trails = append(trails, string(data))
		if len(resp.Events) == 0 {
			t.Fatalf("account %s has no events", w.acct.ID)
		}
	}
	secrets := map[string]string{"AccessKeySecret": creds.AccessKeySecret, "SecurityToken": creds.SecurityToken,
		"chained AccessKeySecret": chained.Credentials.AccessKeySecret, "chained SecurityToken": chained.Credentials.SecurityToken}
	for what, secret := range secrets {
		for i, tr := range trails {
			if strings.Contains(tr, secret) {
				t.Errorf("the %s shows in trail %d", what, i)
			}
		}
		if strings.Contains(log.String(), secret) {
			t.Errorf("the %s shows in the log", what)
		}
	}
	if log.Len() == 0 {
		t.Error("no log written")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

// 50 concurrent AssumeRole calls all succeed with distinct credentials.
func TestConcurrentAssumeRole(t *testing.T) {
	srv := canopytest.Start(t)
	w := accountOn(t, srv)
	role := w.createRole(t, "reader", trustDoc(rootARN(w.acct.ID)), 0)
	w.attachToRole(t, "reader", "System", "AliyunRAMReadOnlyAccess")
	alice := w.assumer(t, "alice")
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, err := assumeRole(alice, role.Arn, fmt.Sprintf("s%d", i))
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			seen[resp.Credentials.AccessKeyId] = true
			mu.Unlock()
			if err := listUsers(sessionRAM(t, srv, resp.Credentials)); err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if len(seen) != 50 {
		t.Errorf("%d distinct AccessKeyIds for 50 sessions", len(seen))
	}
}

// Oversized and odd parameters are refused with a 4xx, never a 5xx.
func TestAssumeRoleHugeAndOddInputs(t *testing.T) {
	srv := canopytest.Start(t)
	w := accountOn(t, srv)
	role := w.createRole(t, "reader", trustDoc(rootARN(w.acct.ID)), 0)
	alice := w.assumer(t, "alice")
	big := strings.Repeat("a", 1<<20)
	mid := strings.Repeat("a", 100_000)
	policyBig := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:Get*","Resource":"` + mid + `"}]}`
	cases := map[string]func() error{
		"1 MB RoleArn":   func() error { _, err := assumeRole(alice, role.Arn+big, "s1"); return err },
		"100 KB RoleArn": func() error { _, err := assumeRole(alice, role.Arn+mid, "s1"); return err },
		"100 KB RoleArn account": func() error {
			_, err := assumeRole(alice, "acs:ram::"+strings.Repeat("1", 100_000)+":role/x", "s1")
			return err
		},
		"100 KB session name": func() error { _, err := assumeRole(alice, role.Arn, mid); return err },
		"100 KB policy":       func() error { _, err := assumeRole(alice, role.Arn, "s1", withSessionPolicy(policyBig)); return err },
		"1 MB policy":         func() error { _, err := assumeRole(alice, role.Arn, "s1", withSessionPolicy(big)); return err },
		"huge duration":       func() error { _, err := assumeRole(alice, role.Arn, "s1", withDuration(1<<62)); return err },
		"negative duration":   func() error { _, err := assumeRole(alice, role.Arn, "s1", withDuration(-1)); return err },
		"policy not JSON":     func() error { _, err := assumeRole(alice, role.Arn, "s1", withSessionPolicy("{")); return err },
		"policy trust grammar": func() error {
			_, err := assumeRole(alice, role.Arn, "s1", withSessionPolicy(trustDoc(rootARN(w.acct.ID))))
			return err
		},
		"unicode session": func() error { _, err := assumeRole(alice, role.Arn, "séance"); return err },
		"wildcard role":   func() error { _, err := assumeRole(alice, roleARN(w.acct.ID, "*"), "s1"); return err },
		"empty role name": func() error { _, err := assumeRole(alice, "acs:ram::"+w.acct.ID+":role/", "s1"); return err },
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			err := call()
			if err == nil {
				t.Fatalf("accepted")
			}
			if se, isServer := err.(*sdkerrors.ServerError); isServer && se.HttpStatus() >= 500 {
				t.Fatalf("answered %d %s %s", se.HttpStatus(), se.ErrorCode(), se.Message())
			} else if !isServer {
				t.Logf("client-side or non-JSON error: %v", err)
			}
		})
	}
}

// A session is not a RAM user and never the root user: calls that default
// to "the caller itself" must not act on root, and self-service never
// applies.
func TestSessionHasNoSelf(t *testing.T) {
	srv := canopytest.Start(t)
	w := accountOn(t, srv)
	role := w.createRole(t, "admin", trustDoc(rootARN(w.acct.ID)), 0)
	w.attachToRole(t, "admin", "System", "AliyunRAMFullAccess")
	alice := w.assumer(t, "alice")
	session := sessionRAM(t, srv, mustAssume(t, alice, role.Arn, "s1").Credentials)

	before, err := w.root.ListAccessKeys(ram.CreateListAccessKeysRequest())
	ok(t, "root ListAccessKeys", err)
	if _, err := session.CreateAccessKey(ram.CreateCreateAccessKeyRequest()); err == nil {
		t.Error("a session created an AccessKey without UserName")
	}
	if resp, err := session.ListAccessKeys(ram.CreateListAccessKeysRequest()); err == nil {
		t.Errorf("a session listed keys without UserName: %+v", resp.AccessKeys)
	}
	after, err := w.root.ListAccessKeys(ram.CreateListAccessKeysRequest())
	ok(t, "root ListAccessKeys", err)
	if len(after.AccessKeys.AccessKey) != len(before.AccessKeys.AccessKey) {
		t.Fatalf("root has %d keys, had %d", len(after.AccessKeys.AccessKey), len(before.AccessKeys.AccessKey))
	}
	if len(before.AccessKeys.AccessKey) > 0 {
		del := ram.CreateDeleteAccessKeyRequest()
		del.UserAccessKeyId = before.AccessKeys.AccessKey[0].AccessKeyId
		if _, err := session.DeleteAccessKey(del); err == nil {
			t.Error("a session deleted a root AccessKey without UserName")
		}
	}
	cp := ram.CreateChangePasswordRequest()
	cp.OldPassword, cp.NewPassword = "x", "Y-very-long-1"
	if _, err := session.ChangePassword(cp); err == nil {
		t.Error("a session changed a password")
	}
	if resp, err := session.GetUser(ram.CreateGetUserRequest()); err == nil {
		t.Errorf("GetUser without UserName as a session answered %+v", resp.User)
	}
}

// A trust policy naming a user of account A admits only that user, not a
// user of the same name in another account; and a user deleted and
// recreated under the same name is trusted again (the cloud compares ARNs).
func TestTrustUserPrincipalIsPerAccount(t *testing.T) {
	srv := canopytest.Start(t)
	a := accountOn(t, srv)
	b := accountOn(t, srv)
	c := accountOn(t, srv)
	role := b.createRole(t, "ops", trustDoc(userARN(a.acct.ID, "alice")), 0)
	other := c.assumer(t, "alice")
	_, err := assumeRole(other, role.Arn, "s1")
	wantDenial(t, err, denial{action: "sts:AssumeRole", policyType: "AssumeRolePolicy", principalType: "SubUser", owner: c.acct.ID, display: "alice"})
	// A user of A called ALICE cannot exist beside alice; a session of a role
	// of A named alice is not the user alice.
	a.createRole(t, "alice", trustDoc(rootARN(a.acct.ID)), 0)
	a.attachToRole(t, "alice", "System", "AliyunSTSAssumeRoleAccess")
	bob := a.assumer(t, "bob")
	hop := sessionSTS(t, srv, mustAssume(t, bob, roleARN(a.acct.ID, "alice"), "alice").Credentials)
	_, err = assumeRole(hop, role.Arn, "s2")
	if se, isServer := err.(*sdkerrors.ServerError); !isServer || se.ErrorCode() != "NoPermission" || se.HttpStatus() != http.StatusForbidden {
		t.Fatalf("a session of role alice assumed a role trusting user alice: %v", err)
	}
}

// A session policy that does not allow sts:AssumeRole stops chaining; a
// session of a deleted role cannot chain into a role that trusts the role
// by ARN, even once a new role takes the name.
func TestChainingNeedsTheSessionsOwnRights(t *testing.T) {
	srv := canopytest.Start(t)
	w := accountOn(t, srv)
	first := w.createRole(t, "first", trustDoc(rootARN(w.acct.ID)), 0)
	w.attachToRole(t, "first", "System", "AliyunSTSAssumeRoleAccess")
	second := w.createRole(t, "second", trustDoc(roleARN(w.acct.ID, "first")), 0)
	alice := w.assumer(t, "alice")

	narrow := sessionSTS(t, srv, mustAssume(t, alice, first.Arn, "narrow",
		withSessionPolicy(statementDoc("Allow", "ram:List*", ""))).Credentials)
	_, err := assumeRole(narrow, second.Arn, "hop")
	wantDenial(t, err, denial{action: "sts:AssumeRole", policyType: "SessionPolicy", principalType: "AssumedRoleUser", owner: w.acct.ID})

	old := sessionSTS(t, srv, mustAssume(t, alice, first.Arn, "old").Credentials)
	mustAssume(t, old, second.Arn, "hop")
	w.detachFromRole(t, "first", "System", "AliyunSTSAssumeRoleAccess")
	del := ram.CreateDeleteRoleRequest()
	del.RoleName = "first"
	_, err = w.root.DeleteRole(del)
	ok(t, "DeleteRole first", err)
	w.createRole(t, "first", trustDoc(rootARN(w.acct.ID)), 0)
	w.attachToRole(t, "first", "System", "AliyunSTSAssumeRoleAccess")
	_, err = assumeRole(old, second.Arn, "hop2")
	wantDenial(t, err, denial{action: "sts:AssumeRole", policyType: "AccountLevelIdentityBasedPolicy", principalType: "AssumedRoleUser", owner: w.acct.ID})
}
