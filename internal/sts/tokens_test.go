package sts

import (
	"strings"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/keyring"
)

func testRing(t *testing.T, seed byte) *keyring.Keyring {
	t.Helper()
	kek := make([]byte, 32)
	kek[0] = seed
	r, err := keyring.New(kek)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if e := apperr.As(err); err == nil || e.Code != code {
		t.Fatalf("got %v; want %s", err, code)
	}
}

func sample(now time.Time) *claims {
	return &claims{AccessKeyID: "STS.abc", Secret: "s3cret", Account: "1234567890123456", RoleName: "ops",
		RoleID: "3001", SessionName: "ci", Source: source{Type: "ram-user", AccountID: "2", ARN: "acs:ram::2:user/amy", PrincipalID: "9"},
		Policy: `{"Version":"1","Statement":[{"Effect":"Allow","Action":"ram:List*","Resource":"*"}]}`,
		MFA:    true, Issued: now.Unix(), Expires: now.Add(time.Hour).Unix()}
}

func TestTokensRoundTrip(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tokens := NewTokens(testRing(t, 1))
	tok := tokens.issue(sample(now))
	s, err := tokens.Open("STS.abc", tok, now)
	if err != nil {
		t.Fatal(err)
	}
	p := s.Principal
	if !p.MFAPresent {
		t.Error("acs:MFAPresent of the caller does not carry through to its session")
	}
	if s.Secret != "s3cret" || p.AccountID != "1234567890123456" || p.Session.RoleName != "ops" || p.Session.RoleID != "3001" ||
		p.Session.SessionName != "ci" || p.Session.Source.ARN != "acs:ram::2:user/amy" || p.Session.Policy == "" ||
		!p.Session.Expires.Equal(now.Add(time.Hour)) || !p.Session.Issued.Equal(now) || p.ARN() != "acs:ram::1234567890123456:assumed-role/ops/ci" {
		t.Fatalf("opened %+v %+v", s, p.Session)
	}
	if len(tok) > 2048 {
		t.Errorf("a token with a short session policy is %d bytes; SDKs send it in a query string", len(tok))
	}
}

func TestTokensRefuse(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tokens := NewTokens(testRing(t, 1))
	tok := tokens.issue(sample(now))
	tampered := []byte(tok)
	tampered[len(tampered)/2] ^= 1
	if tampered[len(tampered)/2] == '-' || tampered[len(tampered)/2] == '_' {
		tampered[len(tampered)/2] = 'A'
	}
	_, err := tokens.Open("STS.abc", string(tampered), now)
	wantCode(t, err, "InvalidSecurityToken.Malformed")
	_, err = tokens.Open("STS.abc", "not a token!", now)
	wantCode(t, err, "InvalidSecurityToken.Malformed")
	_, err = NewTokens(testRing(t, 2)).Open("STS.abc", tok, now) // another deployment's key
	wantCode(t, err, "InvalidSecurityToken.Malformed")
	_, err = tokens.Open("STS.other", tok, now)
	wantCode(t, err, "InvalidSecurityToken.MismatchWithAccessKey")
	_, err = tokens.Open("STS.abc", tok, now.Add(time.Hour))
	wantCode(t, err, "InvalidSecurityToken.Expired")
	_, err = tokens.Open("STS.abc", "", now)
	wantCode(t, err, "MissingSecurityToken")
}

// A rotation to a new key generation keeps live sessions: the old
// generation still opens, new tokens are sealed with the new one.
func TestTokenKeysRotate(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	ring := testRing(t, 1)
	old := NewTokens(ring, "sts-token/1").issue(sample(now))
	rotated := NewTokens(ring, "sts-token/2", "sts-token/1")
	if _, err := rotated.Open("STS.abc", old, now); err != nil {
		t.Fatalf("a live token of the previous generation: %v", err)
	}
	fresh := rotated.issue(sample(now))
	if _, err := NewTokens(ring, "sts-token/1").Open("STS.abc", fresh, now); err == nil {
		t.Error("a node that only knows the old generation opened a new token")
	}
	if strings.Contains(fresh, "s3cret") {
		t.Error("the secret shows in the token")
	}
}
