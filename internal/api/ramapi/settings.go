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

var (
	asPasswordPolicy     = api.As("PasswordPolicy", toPasswordPolicy)
	asSecurityPreference = api.As("SecurityPreference", toSecurityPreference)
)

// passwordPolicyIn spells the expiry flag HardExpiry (IMS: HardExpire).
type passwordPolicyIn struct {
	iamapi.PasswordRulesIn
	HardExpiry *bool `param:"HardExpiry"`
}

type securityPreferenceIn struct {
	iamapi.PreferencesIn
	AllowUserToManagePublicKeys *bool `param:"AllowUserToManagePublicKeys"`
}

// toPasswordPolicy shows RAM's spelling of the expiry flag.
func toPasswordPolicy(p *iam.PasswordPolicy) iamapi.PasswordPolicyOut {
	out := iamapi.PasswordRules(p)
	out.HardExpiry = &p.HardExpire
	return out
}

type securityPreferenceOut struct {
	iamapi.PreferencesOut
	PublicKeyPreference    struct{ AllowUserToManagePublicKeys bool }
	LoginProfilePreference iamapi.LoginPreferenceOut
}

func toSecurityPreference(p *iam.SecurityPreference) (out securityPreferenceOut) {
	out.PreferencesOut, out.LoginProfilePreference = iamapi.Preferences(p)
	out.PublicKeyPreference.AllowUserToManagePublicKeys = p.AllowUserToManagePublicKeys
	return out
}

func registerSettings(r *api.Registry, svc *iam.Service) {
	onAccount := iamapi.OnAccount[struct{}]
	api.Declare(r, ram.Write("SetAccountAlias"), iamapi.OnAccount[aliasIn],
		func(c *api.Call, in *aliasIn) (*api.NoOutput, error) {
			return api.Done(svc.SetAccountAlias(c.Tx, c.AccountID(), in.AccountAlias, c.Now))
		})
	api.Declare(r, ram.Read("GetAccountAlias"), onAccount, func(c *api.Call, _ *struct{}) (*aliasOut, error) {
		return api.Reply(func(alias string) aliasOut { return aliasOut{alias} })(svc.GetAccountAlias(c.Tx, c.AccountID()))
	})
	api.Declare(r, ram.Write("ClearAccountAlias"), onAccount, func(c *api.Call, _ *struct{}) (*api.NoOutput, error) {
		return api.Done(svc.ClearAccountAlias(c.Tx, c.AccountID(), c.Now))
	})
	api.Declare(r, ram.Write("SetPasswordPolicy").Sensitive(), iamapi.OnAccount[passwordPolicyIn],
		func(c *api.Call, in *passwordPolicyIn) (*api.Object[iamapi.PasswordPolicyOut], error) {
			return api.Reply(asPasswordPolicy)(svc.SetPasswordPolicy(c.Tx, c.AccountID(), in.Update(in.HardExpiry), c.Now))
		})
	api.Declare(r, ram.Read("GetPasswordPolicy"), onAccount,
		func(c *api.Call, _ *struct{}) (*api.Object[iamapi.PasswordPolicyOut], error) {
			return api.Reply(asPasswordPolicy)(svc.GetPasswordPolicy(c.Tx, c.AccountID()))
		})
	api.Declare(r, ram.Write("SetSecurityPreference").Sensitive(), iamapi.OnAccount[securityPreferenceIn],
		func(c *api.Call, in *securityPreferenceIn) (*api.Object[securityPreferenceOut], error) {
			up := in.Update()
			up.AllowUserToManagePublicKeys = in.AllowUserToManagePublicKeys
			return api.Reply(asSecurityPreference)(svc.SetSecurityPreference(c.Tx, c.AccountID(), up, c.Now))
		})
	api.Declare(r, ram.Read("GetSecurityPreference"), onAccount,
		func(c *api.Call, _ *struct{}) (*api.Object[securityPreferenceOut], error) {
			return api.Reply(asSecurityPreference)(svc.GetSecurityPreference(c.Tx, c.AccountID()))
		})
}
