package imsapi

import (
	"encoding/json"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
)

// Account-wide settings are authorized on acs:ram::<account>:*.

type domainIn struct {
	DefaultDomainName string `param:"DefaultDomainName,required"`
}

type domainOut struct{ DefaultDomainName string }

func toDomain(d string) domainOut { return domainOut{DefaultDomainName: d} }

// passwordPolicyIn spells the expiry flag HardExpire (RAM: HardExpiry)
// and has two more rules.
type passwordPolicyIn struct {
	iamapi.PasswordRulesIn
	HardExpire                        *bool `param:"HardExpire"`
	MinimumPasswordDifferentCharacter *int  `param:"MinimumPasswordDifferentCharacter"`
	PasswordNotContainUserName        *bool `param:"PasswordNotContainUserName"`
}

type securityPreferenceIn struct {
	iamapi.PreferencesIn
	AllowUserToManagePersonalDingTalk *bool   `param:"AllowUserToManagePersonalDingTalk"`
	AllowUserLongTermLogin            *bool   `param:"AllowUserLongTermLogin"`
	EnforceMFAForLogin                *bool   `param:"EnforceMFAForLogin"`
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
		return nil, codeInvalidVerificationTypes.New(
			"The parameter VerificationTypes must be a JSON array of strings, e.g. [\"sms\",\"email\"].")
	}
	return &types, nil
}

var (
	asPasswordPolicy     = api.As("PasswordPolicy", toPasswordPolicy)
	asSecurityPreference = api.As("SecurityPreference", toSecurityPreference)
)

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
	onAccount := iamapi.OnAccount[struct{}]
	api.Declare(r, ims.Read("GetDefaultDomain"), onAccount, func(c *api.Call, _ *struct{}) (*domainOut, error) {
		return api.Reply(toDomain)(svc.DefaultDomain(c.Tx, c.AccountID()))
	})
	api.Declare(r, ims.Write("SetDefaultDomain"), iamapi.OnAccount[domainIn],
		func(c *api.Call, in *domainIn) (*domainOut, error) {
			return api.Reply(toDomain)(svc.SetDefaultDomain(c.Tx, c.AccountID(), in.DefaultDomainName, c.Now))
		})
	api.Declare(r, ims.Read("GetPasswordPolicy"), onAccount,
		func(c *api.Call, _ *struct{}) (*api.Object[iamapi.PasswordPolicyOut], error) {
			return api.Reply(asPasswordPolicy)(svc.GetPasswordPolicy(c.Tx, c.AccountID()))
		})
	api.Declare(r, ims.Write("SetPasswordPolicy").Sensitive(), iamapi.OnAccount[passwordPolicyIn],
		func(c *api.Call, in *passwordPolicyIn) (*api.Object[iamapi.PasswordPolicyOut], error) {
			up := in.Update(in.HardExpire)
			up.MinimumPasswordDifferentCharacter = in.MinimumPasswordDifferentCharacter
			up.PasswordNotContainUserName = in.PasswordNotContainUserName
			return api.Reply(asPasswordPolicy)(svc.SetPasswordPolicy(c.Tx, c.AccountID(), up, c.Now))
		})
	api.Declare(r, ims.Read("GetSecurityPreference"), onAccount,
		func(c *api.Call, _ *struct{}) (*api.Object[securityPreferenceOut], error) {
			return api.Reply(asSecurityPreference)(svc.GetSecurityPreference(c.Tx, c.AccountID()))
		})
	api.Declare(r, ims.Write("SetSecurityPreference").Sensitive(), iamapi.OnAccount[securityPreferenceIn],
		func(c *api.Call, in *securityPreferenceIn) (*api.Object[securityPreferenceOut], error) {
			types, err := verificationTypes(in.VerificationTypes)
			if err != nil {
				return nil, err
			}
			up := in.Update()
			up.AllowUserToManagePersonalDingTalk = in.AllowUserToManagePersonalDingTalk
			up.AllowUserLongTermLogin = in.AllowUserLongTermLogin
			up.EnforceMFAForLogin, up.MFAOperationForLogin = in.EnforceMFAForLogin, in.MFAOperationForLogin
			up.OperationForRiskLogin, up.VerificationTypes = in.OperationForRiskLogin, types
			return api.Reply(asSecurityPreference)(svc.SetSecurityPreference(c.Tx, c.AccountID(), up, c.Now))
		})
	api.Declare(r, ims.Read("GetAccountSummary"), onAccount, func(c *api.Call, _ *struct{}) (*summaryOut, error) {
		return api.Reply(toSummary)(svc.GetAccountSummary(c.Tx, c.AccountID()))
	})
}
