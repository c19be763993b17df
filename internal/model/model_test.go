package model

import (
	"regexp"
	"testing"
	"time"
)

func TestMFAARNRoundTrip(t *testing.T) {
	acct, name, ok := ParseMFAARN(MFAARN("1234567890123456", "phone.1"))
	if !ok || acct != "1234567890123456" || name != "phone.1" {
		t.Fatalf("got %q %q %v", acct, name, ok)
	}
	for _, bad := range []string{"", "acs:ram::1:user/x", "acs:ram:::mfa/x", "acs:ram::1:mfa/", "arn:ram::1:mfa/x"} {
		if _, _, ok := ParseMFAARN(bad); ok {
			t.Errorf("ParseMFAARN(%q) accepted", bad)
		}
	}
}

var uuidShape = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-7[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)

func TestRequestIDsAreTimeOrderedUUIDv7(t *testing.T) {
	first := NewRequestID()
	time.Sleep(2 * time.Millisecond)
	second := NewRequestID()
	if !uuidShape.MatchString(first) || !uuidShape.MatchString(second) {
		t.Fatalf("not UUIDv7-shaped: %s %s", first, second)
	}
	if second <= first {
		t.Fatalf("ids do not grow with time: %s then %s", first, second)
	}
}

func TestIDShapes(t *testing.T) {
	if id := NewAccountID(); len(id) != 16 || id[0] == '0' || !regexp.MustCompile(`^[0-9]+$`).MatchString(id) {
		t.Errorf("account id %q", id)
	}
	if id := NewAccessKeyID(); len(id) != 24 || id[:4] != "LTAI" {
		t.Errorf("access key id %q", id)
	}
	if NewAccessKeySecret() == NewAccessKeySecret() {
		t.Error("two secrets are equal")
	}
	p := Principal{Kind: RAMUser, AccountID: "1", UserName: "alice", UserID: "9"}
	if p.ARN() != "acs:ram::1:user/alice" || p.IdentityType() != "RAMUser" || p.PrincipalID() != "9" || p.AuditType() != "ram-user" {
		t.Errorf("RAM user principal %+v", p)
	}
	root := Principal{Kind: Root, AccountID: "1"}
	if root.ARN() != "acs:ram::1:root" || root.IdentityType() != "Account" || root.AuditUserName() != "root" {
		t.Errorf("root principal %+v", root)
	}
}

// Every Principal method answers for each kind of identity, as
// GetCallerIdentity, ActionTrail and AccessDeniedDetail spell it.
func TestPrincipalKinds(t *testing.T) {
	session := &Session{RoleName: "ops", RoleID: "3001", SessionName: "alice-ci",
		Source: SourceIdentity{Type: "ram-user", AccountID: "2", ARN: "acs:ram::2:user/alice", PrincipalID: "9"}}
	cases := []struct {
		p                                                            Principal
		arn, id, identityType, auditType, auditUser, denied, display string
		identity                                                     IdentityRef
	}{
		{Principal{Kind: Root, AccountID: "1"}, "acs:ram::1:root", "1", "Account", "root-account", "root", "Account", "1",
			IdentityRef{AccountID: "1"}},
		{Principal{Kind: RAMUser, AccountID: "1", UserName: "alice", UserID: "9"}, "acs:ram::1:user/alice", "9", "RAMUser",
			"ram-user", "alice", "SubUser", "alice", IdentityRef{AccountID: "1", Type: IdentityUser, Name: "alice", ID: "9"}},
		{Principal{Kind: AssumedRole, AccountID: "1", AccessKeyID: "STS.x", Session: session},
			"acs:ram::1:assumed-role/ops/alice-ci", "3001:alice-ci", "AssumedRoleUser", "assumed-role", "ops:alice-ci",
			"AssumedRoleUser", "ops:alice-ci", IdentityRef{AccountID: "1", Type: IdentityRole, Name: "ops", ID: "3001"}},
	}
	for _, c := range cases {
		p := c.p
		got := []string{p.ARN(), p.PrincipalID(), p.IdentityType(), p.AuditType(), p.AuditUserName(), p.DeniedPrincipalType(), p.DisplayName()}
		want := []string{c.arn, c.id, c.identityType, c.auditType, c.auditUser, c.denied, c.display}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%v: answer %d = %q, want %q", p.Kind, i, got[i], want[i])
			}
		}
		if p.Identity() != c.identity {
			t.Errorf("%v: Identity() = %+v, want %+v", p.Kind, p.Identity(), c.identity)
		}
	}
	// A user and a role with the same id never share a cache key.
	user := Principal{Kind: RAMUser, AccountID: "1", UserName: "x", UserID: "5"}
	role := Principal{Kind: AssumedRole, AccountID: "1", Session: &Session{RoleName: "x", RoleID: "5", SessionName: "s"}}
	if user.Identity().Key() == role.Identity().Key() {
		t.Error("a user and a role share an identity key")
	}
}
