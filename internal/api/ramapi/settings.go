package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// Account-wide settings are authorized on acs:ram::<account>:*.

func onAccount[In any](p *model.Principal, _ *In) string { return accountARN(p) }

type aliasIn struct {
	AccountAlias string `param:"AccountAlias,required"`
}

type aliasOut struct{ AccountAlias string }

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

func registerSettings(r *api.Registry, svc *iam.Service) {
	api.Register(r, api.Action[aliasIn, none]{
		Spec:     spec("SetAccountAlias", true),
		Resource: onAccount[aliasIn],
		Handle: func(c *api.Call, in *aliasIn) (*none, error) {
			return done, svc.SetAccountAlias(c.Tx, c.AccountID(), in.AccountAlias, c.Now)
		},
	})
	api.Register(r, api.Action[struct{}, aliasOut]{
		Spec:     spec("GetAccountAlias", false),
		Resource: onAccount[struct{}],
		Handle: func(c *api.Call, _ *struct{}) (*aliasOut, error) {
			alias, err := svc.GetAccountAlias(c.Tx, c.AccountID())
			if err != nil {
				return nil, err
			}
			return &aliasOut{AccountAlias: alias}, nil
		},
	})
	api.Register(r, api.Action[struct{}, none]{
		Spec:     spec("ClearAccountAlias", true),
		Resource: onAccount[struct{}],
		Handle: func(c *api.Call, _ *struct{}) (*none, error) {
			return done, svc.ClearAccountAlias(c.Tx, c.AccountID(), c.Now)
		},
	})
	api.Register(r, api.Action[passwordPolicyIn, passwordPolicyResult]{
		Spec:     spec("SetPasswordPolicy", true),
		Resource: onAccount[passwordPolicyIn],
		Handle: func(c *api.Call, in *passwordPolicyIn) (*passwordPolicyResult, error) {
			p, err := svc.SetPasswordPolicy(c.Tx, c.AccountID(), iam.PasswordPolicyUpdate{
				MinimumPasswordLength: in.MinimumPasswordLength, RequireLowercaseCharacters: in.RequireLowercaseCharacters,
				RequireUppercaseCharacters: in.RequireUppercaseCharacters, RequireNumbers: in.RequireNumbers,
				RequireSymbols: in.RequireSymbols, HardExpire: in.HardExpiry, MaxPasswordAge: in.MaxPasswordAge,
				PasswordReusePrevention: in.PasswordReusePrevention, MaxLoginAttempts: in.MaxLoginAttemps}, c.Now)
			if err != nil {
				return nil, err
			}
			return &passwordPolicyResult{PasswordPolicy: toPasswordPolicy(p)}, nil
		},
	})
	api.Register(r, api.Action[struct{}, passwordPolicyResult]{
		Spec:     spec("GetPasswordPolicy", false),
		Resource: onAccount[struct{}],
		Handle: func(c *api.Call, _ *struct{}) (*passwordPolicyResult, error) {
			p, err := svc.GetPasswordPolicy(c.Tx, c.AccountID())
			if err != nil {
				return nil, err
			}
			return &passwordPolicyResult{PasswordPolicy: toPasswordPolicy(p)}, nil
		},
	})
	api.Register(r, api.Action[securityPreferenceIn, securityPreferenceResult]{
		Spec:     spec("SetSecurityPreference", true),
		Resource: onAccount[securityPreferenceIn],
		Handle: func(c *api.Call, in *securityPreferenceIn) (*securityPreferenceResult, error) {
			p, err := svc.SetSecurityPreference(c.Tx, c.AccountID(), iam.SecurityPreferenceUpdate{
				EnableSaveMFATicket: in.EnableSaveMFATicket, AllowUserToChangePassword: in.AllowUserToChangePassword,
				AllowUserToManageAccessKeys: in.AllowUserToManageAccessKeys, AllowUserToManagePublicKeys: in.AllowUserToManagePublicKeys,
				AllowUserToManageMFADevices: in.AllowUserToManageMFADevices, LoginSessionDuration: in.LoginSessionDuration,
				LoginNetworkMasks: in.LoginNetworkMasks}, c.Now)
			if err != nil {
				return nil, err
			}
			return &securityPreferenceResult{SecurityPreference: toSecurityPreference(p)}, nil
		},
	})
	api.Register(r, api.Action[struct{}, securityPreferenceResult]{
		Spec:     spec("GetSecurityPreference", false),
		Resource: onAccount[struct{}],
		Handle: func(c *api.Call, _ *struct{}) (*securityPreferenceResult, error) {
			p, err := svc.GetSecurityPreference(c.Tx, c.AccountID())
			if err != nil {
				return nil, err
			}
			return &securityPreferenceResult{SecurityPreference: toSecurityPreference(p)}, nil
		},
	})
}
