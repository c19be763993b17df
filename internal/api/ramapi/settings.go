package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
)

// Account-wide settings are authorized on acs:ram::<account>:*.

type aliasIn struct {
	AccountAlias string `param:"AccountAlias,required"`
}

type aliasOut struct{ AccountAlias string }

// passwordPolicyIn spells HardExpiry as RAM does (IMS: HardExpire).
type passwordPolicyIn struct {
	MinimumPasswordLength      *int  `param:"MinimumPasswordLength"`
	RequireLowercaseCharacters *bool `param:"RequireLowercaseCharacters"`
	RequireUppercaseCharacters *bool `param:"RequireUppercaseCharacters"`
	RequireNumbers             *bool `param:"RequireNumbers"`
	RequireSymbols             *bool `param:"RequireSymbols"`
	HardExpiry                 *bool `param:"HardExpiry"`
	MaxPasswordAge             *int  `param:"MaxPasswordAge"`
	PasswordReusePrevention    *int  `param:"PasswordReusePrevention"`
	MaxLoginAttemps            *int  `param:"MaxLoginAttemps"`
}

type passwordPolicyResult struct{ PasswordPolicy passwordPolicyOut }

func toPasswordPolicyResult(p *iam.PasswordPolicy) passwordPolicyResult {
	return passwordPolicyResult{PasswordPolicy: toPasswordPolicy(p)}
}

type securityPreferenceIn struct {
	EnableSaveMFATicket         *bool   `param:"EnableSaveMFATicket"`
	AllowUserToChangePassword   *bool   `param:"AllowUserToChangePassword"`
	AllowUserToManageAccessKeys *bool   `param:"AllowUserToManageAccessKeys"`
	AllowUserToManagePublicKeys *bool   `param:"AllowUserToManagePublicKeys"`
	AllowUserToManageMFADevices *bool   `param:"AllowUserToManageMFADevices"`
	LoginSessionDuration        *int    `param:"LoginSessionDuration"`
	LoginNetworkMasks           *string `param:"LoginNetworkMasks"`
}

type securityPreferenceResult struct{ SecurityPreference securityPreferenceOut }

func toSecurityPreferenceResult(p *iam.SecurityPreference) securityPreferenceResult {
	return securityPreferenceResult{SecurityPreference: toSecurityPreference(p)}
}

func registerSettings(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ram.Write("SetAccountAlias"), iamapi.OnAccount[aliasIn], func(c *api.Call, in *aliasIn) (*api.NoOutput, error) {
		return api.Done(svc.SetAccountAlias(c.Tx, c.AccountID(), in.AccountAlias, c.Now))
	})
	api.Declare(r, ram.Read("GetAccountAlias"), iamapi.OnAccount[struct{}], func(c *api.Call, _ *struct{}) (*aliasOut, error) {
		return api.Reply(func(alias string) aliasOut { return aliasOut{AccountAlias: alias} })(svc.GetAccountAlias(c.Tx, c.AccountID()))
	})
	api.Declare(r, ram.Write("ClearAccountAlias"), iamapi.OnAccount[struct{}], func(c *api.Call, _ *struct{}) (*api.NoOutput, error) {
		return api.Done(svc.ClearAccountAlias(c.Tx, c.AccountID(), c.Now))
	})
	api.Declare(r, ram.Write("SetPasswordPolicy"), iamapi.OnAccount[passwordPolicyIn],
		func(c *api.Call, in *passwordPolicyIn) (*passwordPolicyResult, error) {
			return api.Reply(toPasswordPolicyResult)(svc.SetPasswordPolicy(c.Tx, c.AccountID(), iam.PasswordPolicyUpdate{
				MinimumPasswordLength: in.MinimumPasswordLength, RequireLowercaseCharacters: in.RequireLowercaseCharacters,
				RequireUppercaseCharacters: in.RequireUppercaseCharacters, RequireNumbers: in.RequireNumbers,
				RequireSymbols: in.RequireSymbols, HardExpire: in.HardExpiry, MaxPasswordAge: in.MaxPasswordAge,
				PasswordReusePrevention: in.PasswordReusePrevention, MaxLoginAttempts: in.MaxLoginAttemps}, c.Now))
		})
	api.Declare(r, ram.Read("GetPasswordPolicy"), iamapi.OnAccount[struct{}], func(c *api.Call, _ *struct{}) (*passwordPolicyResult, error) {
		return api.Reply(toPasswordPolicyResult)(svc.GetPasswordPolicy(c.Tx, c.AccountID()))
	})
	api.Declare(r, ram.Write("SetSecurityPreference"), iamapi.OnAccount[securityPreferenceIn],
		func(c *api.Call, in *securityPreferenceIn) (*securityPreferenceResult, error) {
			return api.Reply(toSecurityPreferenceResult)(svc.SetSecurityPreference(c.Tx, c.AccountID(), iam.SecurityPreferenceUpdate{
				EnableSaveMFATicket: in.EnableSaveMFATicket, AllowUserToChangePassword: in.AllowUserToChangePassword,
				AllowUserToManageAccessKeys: in.AllowUserToManageAccessKeys, AllowUserToManagePublicKeys: in.AllowUserToManagePublicKeys,
				AllowUserToManageMFADevices: in.AllowUserToManageMFADevices, LoginSessionDuration: in.LoginSessionDuration,
				LoginNetworkMasks: in.LoginNetworkMasks}, c.Now))
		})
	api.Declare(r, ram.Read("GetSecurityPreference"), iamapi.OnAccount[struct{}],
		func(c *api.Call, _ *struct{}) (*securityPreferenceResult, error) {
			return api.Reply(toSecurityPreferenceResult)(svc.GetSecurityPreference(c.Tx, c.AccountID()))
		})
}
