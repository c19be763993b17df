// Package sts implements Sts 2015-04-01: AssumeRole issues temporary
// credentials for a role session, sealed in a self-contained security token
// (no database write besides the call's audit event); the session's
// principal then acts as the role, narrowed by its session policy. The
// package knows nothing of HTTP or SQL.
package sts

import (
	"encoding/base64"
	"encoding/json"
	"net/netip"
	"strings"
	"time"

	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/keyring"
	"github.com/canopy-iam/canopy/internal/model"
	"github.com/canopy-iam/canopy/internal/policy"
	"github.com/canopy-iam/canopy/internal/store"
)

// Limits of AssumeRole (sts.md).
const (
	MinDuration       = 900
	DefaultDuration   = 3600
	MaxChainDuration  = 3600 // a session that assumes another role gets at most this
	MaxSessionPolicy  = 2048
	minSessionName    = 2
	maxSessionName    = 64
	minExternalID     = 2
	maxExternalID     = 1224
	assumeRoleAction  = "sts:AssumeRole"
	externalIDKeyName = "sts:ExternalId"
)

// Service issues role sessions.
type Service struct {
	iam    *iam.Service
	tokens *Tokens
	ring   *keyring.Keyring // seals denial diagnostics
}

// New builds the service.
func New(identities *iam.Service, tokens *Tokens, ring *keyring.Keyring) *Service {
	return &Service{iam: identities, tokens: tokens, ring: ring}
}

// Tokens opens the security tokens the service issues.
func (s *Service) Tokens() *Tokens { return s.tokens }

// AssumeRoleInput is one AssumeRole request and its circumstances.
type AssumeRoleInput struct {
	RoleArn     string
	SessionName string
	Duration    *int // nil: DefaultDuration
	Policy      string
	ExternalID  string
	SourceIP    netip.Addr
	Secure      bool
}

// Credentials are a new session's temporary credentials.
type Credentials struct {
	AccessKeyID   string
	Secret        string
	Token         string
	Expires       time.Time
	AssumedRoleID string // <RoleId>:<RoleSessionName>
	ARN           string // acs:ram::<account>:assumed-role/<role>/<session>
	RoleAccountID string
}

// AssumeRole checks the caller and the role's trust policy and issues the
// session's credentials. The caller's own permission (sts:AssumeRole on
// the role ARN) was authorized before, like every action's. It reads the
// role from the role's account, which may be another: cross-account
// assumption is the normal case.
func (s *Service) AssumeRole(tx store.Tx, caller *model.Principal, in AssumeRoleInput, now time.Time) (*Credentials, error) {
	if caller.Kind == model.Root {
		return nil, codeNoPermission.New("Roles may not be assumed by root accounts. Call AssumeRole as a RAM user (or a role session) with sts:AssumeRole, e.g. the system policy AliyunSTSAssumeRoleAccess.")
	}
	account, roleName, err := ParseRoleArn(in.RoleArn)
	if err != nil {
		return nil, err
	}
	if err := checkInput(&in); err != nil {
		return nil, err
	}
	role, err := s.iam.FindRole(tx, account, roleName)
	if err != nil {
		if isNotFound(err) {
			return nil, codeRoleNotExist.New("The role %q does not exist.", in.RoleArn)
		}
		return nil, err
	}
	expires, err := sessionEnd(caller, role, in.Duration, now)
	if err != nil {
		return nil, err
	}
	roleARN := model.RoleARN(account, role.Name)
	if err := s.checkTrust(caller, role, roleARN, &in, now); err != nil {
		return nil, err
	}
	c := &claims{AccessKeyID: model.NewTemporaryAccessKeyID(), Secret: model.NewAccessKeySecret(),
		Account: account, RoleName: role.Name, RoleID: role.ID, SessionName: in.SessionName,
		Source: source{Type: caller.AuditType(), AccountID: caller.AccountID, ARN: caller.ARN(), PrincipalID: caller.PrincipalID()},
		Policy: in.Policy, MFA: caller.MFAPresent, Issued: now.Unix(), Expires: expires.Unix()}
	return &Credentials{AccessKeyID: c.AccessKeyID, Secret: c.Secret, Token: s.tokens.issue(c), Expires: expires,
		AssumedRoleID: role.ID + ":" + in.SessionName, ARN: model.AssumedRoleARN(account, role.Name, in.SessionName),
		RoleAccountID: account}, nil
}

// ParseRoleArn splits acs:ram::<account>:role/<name>.
func ParseRoleArn(arn string) (account, roleName string, err error) {
	rest, ok := strings.CutPrefix(arn, "acs:ram::")
	account, name, found := strings.Cut(rest, ":role/")
	if !ok || !found || !model.IsAccountID(account) || name == "" || strings.ContainsAny(name, "/:*? ") {
		return "", "", invalidParameter.Of("RoleArn").New("The RoleArn %q is not of the form acs:ram::<account id>:role/<role name>.", arn)
	}
	return account, name, nil
}

func checkInput(in *AssumeRoleInput) error {
	if n := len(in.SessionName); n < minSessionName || n > maxSessionName || !onlyChars(in.SessionName, ".@-_") {
		return invalidParameter.Of("RoleSessionName").New("The RoleSessionName must be %d to %d letters, digits or .@-_; got %q.", minSessionName, maxSessionName, in.SessionName)
	}
	if in.ExternalID != "" {
		if n := len(in.ExternalID); n < minExternalID || n > maxExternalID || !onlyChars(in.ExternalID, "_+=,.@:/-") {
			return invalidParameter.Of("ExternalId").New("The ExternalId must be %d to %d letters, digits or _+=,.@:/-.", minExternalID, maxExternalID)
		}
	}
	if in.Policy != "" {
		if len(in.Policy) > MaxSessionPolicy {
			return invalidParameter.Of("PolicySize").New("The session policy is longer than %d characters.", MaxSessionPolicy)
		}
		if _, err := policy.Parse(in.Policy, policy.Identity); err != nil {
			return invalidParameter.Of("PolicyGrammar").New("The session policy is malformed: %v", err)
		}
	}
	return nil
}

// sessionEnd is when the new session expires: DurationSeconds (900 to the
// role's MaxSessionDuration, default 3600) from now; a session that
// assumes a role (chaining) gets at most MaxChainDuration and never
// outlives itself.
func sessionEnd(caller *model.Principal, role *iam.Role, requested *int, now time.Time) (time.Time, error) {
	limit := role.MaxSessionDuration
	if caller.Kind == model.AssumedRole && limit > MaxChainDuration {
		limit = MaxChainDuration
	}
	d := DefaultDuration
	if requested != nil {
		d = *requested
	}
	if d < MinDuration || d > limit {
		return time.Time{}, invalidParameter.Of("DurationSeconds").New("The DurationSeconds must be from %d to %d for this role and caller; got %d.", MinDuration, limit, d)
	}
	end := now.Add(time.Duration(d) * time.Second).Truncate(time.Second)
	if caller.Kind == model.AssumedRole && caller.Session.Expires.Before(end) {
		end = caller.Session.Expires
	}
	return end, nil
}

// checkTrust evaluates the role's trust policy for the caller.
func (s *Service) checkTrust(caller *model.Principal, role *iam.Role, roleARN string, in *AssumeRoleInput, now time.Time) error {
	trust, err := policy.Parse(role.TrustPolicy, policy.Trust)
	if err != nil {
		return err // stored documents were validated on the way in
	}
	ctx := &policy.Context{SourceIP: in.SourceIP, CurrentTime: now, SecureTransport: in.Secure,
		MFAPresent: caller.MFAPresent, PrincipalARN: caller.ARN(), AccessID: caller.AccessKeyID}
	if in.ExternalID != "" {
		ctx.Extra = []policy.KeyValues{{Key: policy.NormalizeConditionKey(externalIDKeyName), Values: []string{in.ExternalID}}}
	}
	req := &policy.Request{Action: assumeRoleAction, Resource: roleARN, Context: ctx}
	decision := trust.TrustsPrincipal(req, policy.Principal{AccountID: caller.AccountID, ARN: caller.ARN()})
	if decision == policy.Allow {
		return nil
	}
	return s.trustRefusal(caller, roleARN, caller.ARN(), decision)
}

// trustRefusal is NoPermission for a trust policy that does not admit
// who (the caller's ARN, or a federated provider's).
func (s *Service) trustRefusal(caller *model.Principal, roleARN, who string, decision policy.Decision) error {
	kind := "ImplicitDeny"
	if decision == policy.ExplicitDeny {
		kind = "ExplicitDeny"
	}
	e := codeNoPermission.New("You are not authorized to do this action. You should be authorized by RAM. Action: %s, Resource: %s, %s by %s: the role's trust policy does not admit %s.",
		assumeRoleAction, roleARN, kind, policy.LayerAssumeRole, who)
	e.Denied = &apperr.AccessDenied{AuthAction: assumeRoleAction, AuthPrincipalType: caller.DeniedPrincipalType(),
		AuthPrincipalOwnerId: caller.AccountID, AuthPrincipalDisplayName: caller.DisplayName(),
		PolicyType: string(policy.LayerAssumeRole), NoPermissionType: kind, EncodedDiagnosticMessage: s.diagnostic(caller, roleARN, kind)}
	return e
}

// diagnostic seals the details of a trust refusal, as authz does for
// identity denials.
func (s *Service) diagnostic(caller *model.Principal, roleARN, kind string) string {
	body, _ := json.Marshal(map[string]any{"AuthAction": assumeRoleAction, "AuthResource": roleARN,
		"NoPermissionType": kind, "NoPermissionPolicyType": policy.LayerAssumeRole,
		"AuthPrincipal": map[string]string{"Arn": caller.ARN(), "OwnerId": caller.AccountID, "AccessKeyId": caller.AccessKeyID}})
	return base64.RawURLEncoding.EncodeToString(s.ring.Seal(body, []byte("diagnostic")))
}

// onlyChars reports whether s holds only ASCII letters, digits and extra.
func onlyChars(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(extra, c) >= 0) {
			return false
		}
	}
	return true
}
