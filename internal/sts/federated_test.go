package sts

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/store"
	"github.com/canopy-iam/canopy/internal/store/sqlstore"
)

// TestAssumeRoleAsFederated: the role's trust policy decides, through the
// policy engine: the provider it names with the recipient its condition
// requires is admitted; another provider, another recipient, a role that
// trusts only RAM identities and a short duration are refused; a duration
// past the role's maximum is cut to it; the session names its role,
// session and federated source.
func TestAssumeRoleAsFederated(t *testing.T) {
	ring := testRing(t, 7)
	st, err := sqlstore.Open(context.Background(), sqlstore.Options{Dialect: sqlstore.DialectSQLite,
		Path: filepath.Join(t.TempDir(), "sts.db")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ids := iam.New(ring)
	svc := New(ids, NewTokens(ring), ring)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	acct := model.NewAccountID()
	provider := "acs:ram::" + acct + ":saml-provider/portal"
	const recipient = "https://signin.example/saml-role/sso"
	trust := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"Federated":["` + provider +
		`"]},"Condition":{"StringEquals":{"saml:recipient":"` + recipient + `"}}}]}`
	ramOnly := `{"Version":"1","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Principal":{"RAM":["acs:ram::` + acct + `:root"]}}]}`
	maxSession := 7200
	write := func(fn func(tx store.Tx) error) error { return st.Write(context.Background(), fn) }
	if err := write(func(tx store.Tx) error {
		if err := tx.Accounts().Insert(store.Account{ID: acct, Email: acct + "@example.com", Type: "CloudAccount",
			Status: "Active", Created: now, Updated: now}); err != nil {
			return err
		}
		if _, err := ids.CreateRole(tx, acct, iam.NewRole{Name: "portal-role", TrustPolicy: trust, MaxSessionDuration: &maxSession}, now); err != nil {
			return err
		}
		_, err := ids.CreateRole(tx, acct, iam.NewRole{Name: "ram-only", TrustPolicy: ramOnly}, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	assume := func(in FederatedInput) (*Credentials, error) {
		var c *Credentials
		err := write(func(tx store.Tx) error {
			var err error
			c, err = svc.AssumeRoleAsFederated(tx, in, now)
			return err
		})
		return c, err
	}
	good := FederatedInput{RoleArn: model.RoleARN(acct, "portal-role"), ProviderArn: provider, Recipient: recipient,
		Subject: "u-alice", SessionName: "alice", Duration: 7200, MFA: true}

	c, err := assume(good)
	if err != nil {
		t.Fatal(err)
	}
	if want := model.AssumedRoleARN(acct, "portal-role", "alice"); c.ARN != want || !c.Expires.Equal(now.Add(2*time.Hour)) {
		t.Fatalf("session %s until %s; want %s until %s", c.ARN, c.Expires, want, now.Add(2*time.Hour))
	}
	if long, err := assume(FederatedInput{RoleArn: good.RoleArn, ProviderArn: provider, Recipient: recipient,
		Subject: "u-alice", SessionName: "alice", Duration: 43200}); err != nil || !long.Expires.Equal(now.Add(2*time.Hour)) {
		t.Fatalf("a duration past the role's maximum was not cut to it: %v, %v", long, err)
	}
	opened, err := svc.Tokens().Open(c.AccessKeyID, c.Token, now)
	if err != nil {
		t.Fatal(err)
	}
	p := opened.Principal
	if p.Session.RoleName != "portal-role" || p.Session.SessionName != "alice" || !p.MFAPresent ||
		p.Session.Source.Type != federatedSourceType || p.Session.Source.ARN != provider || p.Session.Source.PrincipalID != "u-alice" {
		t.Fatalf("opened session %+v / %+v", p, p.Session)
	}

	for name, c := range map[string]struct {
		in   func(FederatedInput) FederatedInput
		code string
	}{
		"another provider":  {func(in FederatedInput) FederatedInput { in.ProviderArn += "x"; return in }, "NoPermission"},
		"another recipient": {func(in FederatedInput) FederatedInput { in.Recipient = "https://evil.example/"; return in }, "NoPermission"},
		"no recipient":      {func(in FederatedInput) FederatedInput { in.Recipient = ""; return in }, "NoPermission"},
		"RAM-only role": {func(in FederatedInput) FederatedInput {
			in.RoleArn = model.RoleARN(acct, "ram-only")
			in.Duration = 3600
			return in
		}, "NoPermission"},
		"no such role":       {func(in FederatedInput) FederatedInput { in.RoleArn = model.RoleARN(acct, "gone"); return in }, "EntityNotExist.Role"},
		"too short":          {func(in FederatedInput) FederatedInput { in.Duration = 899; return in }, "InvalidParameter.DurationSeconds"},
		"bad session name":   {func(in FederatedInput) FederatedInput { in.SessionName = "a b"; return in }, "InvalidParameter.RoleSessionName"},
		"malformed role arn": {func(in FederatedInput) FederatedInput { in.RoleArn = "role/portal-role"; return in }, "InvalidParameter.RoleArn"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := assume(c.in(good))
			wantCode(t, err, c.code)
		})
	}
}
