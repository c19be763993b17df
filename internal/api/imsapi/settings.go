package imsapi

import (
	"encoding/json"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/iam"
)

// Account-wide settings are authorized on acs:ram::<account>:*.

type domainIn struct {
	DefaultDomainName string `param:"DefaultDomainName,required"`
}

type domainOut struct{ DefaultDomainName string }

func toDomain(d string) domainOut { return domainOut{DefaultDomainName: d} }

// passwordPolicyIn spells HardExpire as IMS does (RAM: HardExpiry) and has
// two more rules than RAM's.
type passwordPolicyIn struct {
	MinimumPasswordLength             *int  `param:"MinimumPasswordLength"`
	RequireLowercaseCharacters        *bool `param:"RequireLowercaseCharacters"`
	RequireUppercaseCharacters        *bool `param:"RequireUppercaseCharacters"`
	RequireNumbers                    *bool `param:"RequireNumbers"`
	RequireSymbols                    *bool `param:"RequireSymbols"`
	HardExpire                        *bool `param:"HardExpire"`
	MaxPasswordAge                    *int  `param:"MaxPasswordAge"`
	PasswordReusePrevention           *int  `param:"PasswordReusePrevention"`
	MaxLoginAttemps                   *int  `param:"MaxLoginAttemps"`
	MinimumPasswordDifferentCharacter *int  `param:"MinimumPasswordDifferentCharacter"`
	PasswordNotContainUserName        *bool `param:"PasswordNotContainUserName"`
}

type passwordPolicyResult struct{ PasswordPolicy passwordPolicyOut }

func toPasswordPolicyResult(p *iam.PasswordPolicy) passwordPolicyResult {
	return passwordPolicyResult{toPasswordPolicy(p)}
}

type securityPreferenceIn struct {
	EnableSaveMFATicket               *bool   `param:"EnableSaveMFATicket"`
	AllowUserToChangePassword         *bool   `param:"AllowUserToChangePassword"`
	AllowUserToManageAccessKeys       *bool   `param:"AllowUserToManageAccessKeys"`
	AllowUserToManageMFADevices       *bool   `param:"AllowUserToManageMFADevices"`
	AllowUserToManagePersonalDingTalk *bool   `param:"AllowUserToManagePersonalDingTalk"`
	AllowUserLongTermLogin            *bool   `param:"AllowUserLongTermLogin"`
	EnforceMFAForLogin                *bool   `param:"EnforceMFAForLogin"`
	LoginSessionDuration              *int    `param:"LoginSessionDuration"`
	LoginNetworkMasks                 *string `param:"LoginNetworkMasks"`
	MFAOperationForLogin              *string `param:"MFAOperationForLogin"`
	OperationForRiskLogin             *string `param:"OperationForRiskLogin"`
	// VerificationTypes is a JSON array in one parameter, e.g.
	// ["sms","email"]; the classic SDK sends "null" when it is unset.
	VerificationTypes string `param:"VerificationTypes"`
}

func verificationTypes(raw string) (*[]string, error) {
	if raw == "" || raw == "null" {
		return nil, nil
	}
	var types []string
	if err := json.Unmarshal([]byte(raw), &types); err != nil {
		return nil, apperr.BadRequest("InvalidParameter.VerificationTypes", "The parameter VerificationTypes must be a JSON array of strings, e.g. [\"sms\",\"email\"].")
	}
	return &types, nil
}

type securityPreferenceResult struct{ SecurityPreference securityPreferenceOut }

func toSecurityPreferenceResult(p *iam.SecurityPreference) securityPreferenceResult {
	return securityPreferenceResult{toSecurityPreference(p)}
}

// summaryOut counts the account's entities and states Canopy's quotas.
type summaryOut struct {
	SummaryMap struct {
		Users, Groups, Roles, Policies                     int
		MFADevices, MFADevicesInUse                        int
		UsersQuota, GroupsQuota, RolesQuota, PoliciesQuota int
		VirtualMFADevicesQuota                             int
		AccessKeysPerUserQuota                             int
		GroupsPerUserQuota                                 int
		VersionsPerPolicyQuota                             int
		PolicySizeQuota                                    int
		AttachedPoliciesPerUserQuota                       int
		AttachedPoliciesPerGroupQuota                      int
		AttachedPoliciesPerRoleQuota                       int
		AttachedSystemPoliciesPerUserQuota                 int
		AttachedSystemPoliciesPerGroupQuota                int
		AttachedSystemPoliciesPerRoleQuota                 int
	}
}

func toSummary(s *iam.AccountSummary) (out summaryOut) {
	m := &out.SummaryMap
	m.Users, m.Groups, m.Roles, m.Policies = s.Users, s.Groups, s.Roles, s.Policies
	m.MFADevices, m.MFADevicesInUse = s.MFADevices, s.MFADevicesInUse
	m.UsersQuota, m.GroupsQuota, m.RolesQuota, m.PoliciesQuota = iam.MaxUsers, iam.MaxGroups, iam.MaxRoles, iam.MaxCustomPolicies
	m.VirtualMFADevicesQuota, m.AccessKeysPerUserQuota = iam.MaxVirtualMFADevices, iam.MaxAccessKeysPerUser
	m.GroupsPerUserQuota, m.VersionsPerPolicyQuota = iam.MaxGroupsPerUser, iam.MaxPolicyVersions
	m.PolicySizeQuota = iam.MaxPolicyDocumentLength
	m.AttachedPoliciesPerUserQuota = iam.MaxCustomPoliciesPerPrincipal
	m.AttachedPoliciesPerGroupQuota = iam.MaxCustomPoliciesPerPrincipal
	m.AttachedPoliciesPerRoleQuota = iam.MaxCustomPoliciesPerPrincipal
	m.AttachedSystemPoliciesPerUserQuota = iam.MaxSystemPoliciesPerPrincipal
	m.AttachedSystemPoliciesPerGroupQuota = iam.MaxSystemPoliciesPerPrincipal
	m.AttachedSystemPoliciesPerRoleQuota = iam.MaxSystemPoliciesPerPrincipal
	return out
}

func registerSettings(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ims.Read("GetDefaultDomain"), iamapi.OnAccount[struct{}], func(c *api.Call, _ *struct{}) (*domainOut, error) {
		return api.Reply(toDomain)(svc.DefaultDomain(c.Tx, c.AccountID()))
	})
	api.Declare(r, ims.Write("SetDefaultDomain"), iamapi.OnAccount[domainIn], func(c *api.Call, in *domainIn) (*domainOut, error) {
		return api.Reply(toDomain)(svc.SetDefaultDomain(c.Tx, c.AccountID(), in.DefaultDomainName, c.Now))
	})
	api.Declare(r, ims.Read("GetPasswordPolicy"), iamapi.OnAccount[struct{}], func(c *api.Call, _ *struct{}) (*passwordPolicyResult, error) {
		return api.Reply(toPasswordPolicyResult)(svc.GetPasswordPolicy(c.Tx, c.AccountID()))
	})
	api.Declare(r, ims.Write("SetPasswordPolicy"), iamapi.OnAccount[passwordPolicyIn],
		func(c *api.Call, in *passwordPolicyIn) (*passwordPolicyResult, error) {
			return api.Reply(toPasswordPolicyResult)(svc.SetPasswordPolicy(c.Tx, c.AccountID(), iam.PasswordPolicyUpdate{
				MinimumPasswordLength: in.MinimumPasswordLength, RequireLowercaseCharacters: in.RequireLowercaseCharacters,
				RequireUppercaseCharacters: in.RequireUppercaseCharacters, RequireNumbers: in.RequireNumbers,
				RequireSymbols: in.RequireSymbols, HardExpire: in.HardExpire, MaxPasswordAge: in.MaxPasswordAge,
				PasswordReusePrevention: in.PasswordReusePrevention, MaxLoginAttempts: in.MaxLoginAttemps,
				MinimumPasswordDifferentCharacter: in.MinimumPasswordDifferentCharacter,
				PasswordNotContainUserName:        in.PasswordNotContainUserName}, c.Now))
		})
	api.Declare(r, ims.Read("GetSecurityPreference"), iamapi.OnAccount[struct{}],
		func(c *api.Call, _ *struct{}) (*securityPreferenceResult, error) {
			return api.Reply(toSecurityPreferenceResult)(svc.GetSecurityPreference(c.Tx, c.AccountID()))
		})
	api.Declare(r, ims.Write("SetSecurityPreference"), iamapi.OnAccount[securityPreferenceIn],
		func(c *api.Call, in *securityPreferenceIn) (*securityPreferenceResult, error) {
			types, err := verificationTypes(in.VerificationTypes)
			if err != nil {
				return nil, err
			}
			return api.Reply(toSecurityPreferenceResult)(svc.SetSecurityPreference(c.Tx, c.AccountID(), iam.SecurityPreferenceUpdate{
				EnableSaveMFATicket: in.EnableSaveMFATicket, AllowUserToChangePassword: in.AllowUserToChangePassword,
				AllowUserToManageAccessKeys: in.AllowUserToManageAccessKeys, AllowUserToManageMFADevices: in.AllowUserToManageMFADevices,
				AllowUserToManagePersonalDingTalk: in.AllowUserToManagePersonalDingTalk, AllowUserLongTermLogin: in.AllowUserLongTermLogin,
				EnforceMFAForLogin: in.EnforceMFAForLogin, LoginSessionDuration: in.LoginSessionDuration,
				LoginNetworkMasks: in.LoginNetworkMasks, MFAOperationForLogin: in.MFAOperationForLogin,
				OperationForRiskLogin: in.OperationForRiskLogin, VerificationTypes: types}, c.Now))
		})
	api.Declare(r, ims.Read("GetAccountSummary"), iamapi.OnAccount[struct{}], func(c *api.Call, _ *struct{}) (*summaryOut, error) {
		return api.Reply(toSummary)(svc.GetAccountSummary(c.Tx, c.AccountID()))
	})
}
