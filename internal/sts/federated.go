package sts

import (
	"net/netip"
	"time"

	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/policy"
	"github.com/canopy-iam/canopy/internal/store"
)

// A federated role session: what AssumeRoleWithSAML issues after a SAML
// assertion, here for an identity provider that lives in Canopy itself
// (the CloudSSO portal, which vouches for its signed-in user instead of
// posting an assertion). The role's trust policy decides, evaluated by the
// policy engine exactly as for AssumeRole, with the provider as the
// Federated principal and the assertion's attributes (saml:recipient) as
// condition keys: a role that does not trust the provider, or whose
// condition the request does not meet, is refused with NoPermission.

// federatedSourceType is the audit type of a federated session's source.
const federatedSourceType = "saml-user"

// FederatedInput is one federated session request.
type FederatedInput struct {
	RoleArn string
	// ProviderArn is the identity provider the trust policy must name:
	// acs:ram::<account>:saml-provider/<name>.
	ProviderArn string
	// Recipient is the assertion's saml:recipient.
	Recipient string
	// Subject names the federated user in the provider (its id), and
	// SessionName the session (the user's name).
	Subject     string
	SessionName string
	Duration    int // seconds, at least 900; more than the role's MaxSessionDuration is cut to it
	MFA         bool
	SourceIP    netip.Addr
	Secure      bool
}

// AssumeRoleAsFederated checks the role's trust policy for the provider and
// issues the session's credentials.
func (s *Service) AssumeRoleAsFederated(tx store.Tx, in FederatedInput, now time.Time) (*Credentials, error) {
	account, roleName, err := ParseRoleArn(in.RoleArn)
	if err != nil {
		return nil, err
	}
	if err := checkInput(&AssumeRoleInput{SessionName: in.SessionName}); err != nil {
		return nil, err
	}
	role, err := s.iam.FindRole(tx, account, roleName)
	if err != nil {
		if isNotFound(err) {
			return nil, codeRoleNotExist.New("The role %q does not exist.", in.RoleArn)
		}
		return nil, err
	}
	if in.Duration < MinDuration {
		return nil, invalidParameter.Of("DurationSeconds").New("The DurationSeconds must be at least %d; got %d.", MinDuration, in.Duration)
	}
	// The role's maximum bounds the session: a provider that asks for more
	// (a CloudSSO configuration edited but not yet re-provisioned) gets
	// what the role allows.
	in.Duration = min(in.Duration, role.MaxSessionDuration)
	// The source of the session, as the trust policy and the trail see it.
	caller := &model.Principal{Kind: model.AssumedRole, AccountID: account, MFAPresent: in.MFA,
		Session: &model.Session{RoleName: role.Name, RoleID: role.ID, SessionName: in.SessionName}}
	roleARN := model.RoleARN(account, role.Name)
	ctx := &policy.Context{SourceIP: in.SourceIP, CurrentTime: now, SecureTransport: in.Secure, MFAPresent: in.MFA,
		Extra: []policy.KeyValues{{Key: policy.NormalizeConditionKey("saml:recipient"), Values: []string{in.Recipient}}}}
	req := &policy.Request{Action: assumeRoleAction, Resource: roleARN, Context: ctx}
	trust, err := policy.Parse(role.TrustPolicy, policy.Trust)
	if err != nil {
		return nil, err // stored documents were validated on the way in
	}
	if decision := trust.TrustsPrincipal(req, policy.Principal{Federated: in.ProviderArn}); decision != policy.Allow {
		return nil, s.trustRefusal(caller, roleARN, in.ProviderArn, decision)
	}
	expires := now.Add(time.Duration(in.Duration) * time.Second).Truncate(time.Second)
	c := &claims{AccessKeyID: model.NewTemporaryAccessKeyID(), Secret: model.NewAccessKeySecret(),
		Account: account, RoleName: role.Name, RoleID: role.ID, SessionName: in.SessionName,
		Source: source{Type: federatedSourceType, AccountID: account, ARN: in.ProviderArn, PrincipalID: in.Subject},
		MFA:    in.MFA, Issued: now.Unix(), Expires: expires.Unix()}
	return &Credentials{AccessKeyID: c.AccessKeyID, Secret: c.Secret, Token: s.tokens.issue(c), Expires: expires,
		AssumedRoleID: role.ID + ":" + in.SessionName, ARN: model.AssumedRoleARN(account, role.Name, in.SessionName),
		RoleAccountID: account}, nil
}
