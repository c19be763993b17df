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
