package iamapi

import "github.com/canopy-iam/canopy/internal/iam"

// The account settings both products take and show. Each product's input
// embeds the parameters both take and adds its own; RAM spells the
// expiry flag HardExpiry, IMS HardExpire, and IMS has more rules and
// preferences.

// PasswordRulesIn are the password-policy parameters both products take.
type PasswordRulesIn struct {
	MinimumPasswordLength      *int  `param:"MinimumPasswordLength"`
	RequireLowercaseCharacters *bool `param:"RequireLowercaseCharacters"`
	RequireUppercaseCharacters *bool `param:"RequireUppercaseCharacters"`
	RequireNumbers             *bool `param:"RequireNumbers"`
	RequireSymbols             *bool `param:"RequireSymbols"`
	MaxPasswordAge             *int  `param:"MaxPasswordAge"`
	PasswordReusePrevention    *int  `param:"PasswordReusePrevention"`
	MaxLoginAttemps            *int  `param:"MaxLoginAttemps"`
}

// Update is the change the parameters ask for; hardExpire is the
// product's expiry flag.
func (in *PasswordRulesIn) Update(hardExpire *bool) iam.PasswordPolicyUpdate {
	return iam.PasswordPolicyUpdate{MinimumPasswordLength: in.MinimumPasswordLength,
		RequireLowercaseCharacters: in.RequireLowercaseCharacters, RequireUppercaseCharacters: in.RequireUppercaseCharacters,
		RequireNumbers: in.RequireNumbers, RequireSymbols: in.RequireSymbols, HardExpire: hardExpire,
		MaxPasswordAge: in.MaxPasswordAge, PasswordReusePrevention: in.PasswordReusePrevention, MaxLoginAttempts: in.MaxLoginAttemps}
}

// PasswordPolicyOut is the password policy as both products show it; a
// field only one of them shows is a pointer the other leaves nil.
type PasswordPolicyOut struct {
	MinimumPasswordLength                                    int
	RequireLowercaseCharacters, RequireUppercaseCharacters   bool
	RequireNumbers, RequireSymbols                           bool
	HardExpiry                                               *bool `json:",omitempty"` // RAM's spelling
	HardExpire                                               *bool `json:",omitempty"` // IMS's
	MaxPasswordAge, PasswordReusePrevention, MaxLoginAttemps int
	MinimumPasswordDifferentCharacter                        *int  `json:",omitempty"` // IMS only
	PasswordNotContainUserName                               *bool `json:",omitempty"` // IMS only
}

// PasswordRules shapes the rules both products show.
func PasswordRules(p *iam.PasswordPolicy) PasswordPolicyOut {
	return PasswordPolicyOut{MinimumPasswordLength: p.MinimumPasswordLength,
		RequireLowercaseCharacters: p.RequireLowercaseCharacters, RequireUppercaseCharacters: p.RequireUppercaseCharacters,
		RequireNumbers: p.RequireNumbers, RequireSymbols: p.RequireSymbols, MaxPasswordAge: p.MaxPasswordAge,
		PasswordReusePrevention: p.PasswordReusePrevention, MaxLoginAttemps: p.MaxLoginAttempts}
}

// PreferencesIn are the security-preference parameters both products take.
type PreferencesIn struct {
	EnableSaveMFATicket         *bool   `param:"EnableSaveMFATicket"`
	AllowUserToChangePassword   *bool   `param:"AllowUserToChangePassword"`
	AllowUserToManageAccessKeys *bool   `param:"AllowUserToManageAccessKeys"`
	AllowUserToManageMFADevices *bool   `param:"AllowUserToManageMFADevices"`
	LoginSessionDuration        *int    `param:"LoginSessionDuration"`
	LoginNetworkMasks           *string `param:"LoginNetworkMasks"`
}

// Update is the change the parameters ask for.
func (in *PreferencesIn) Update() iam.SecurityPreferenceUpdate {
	return iam.SecurityPreferenceUpdate{EnableSaveMFATicket: in.EnableSaveMFATicket,
		AllowUserToChangePassword: in.AllowUserToChangePassword, AllowUserToManageAccessKeys: in.AllowUserToManageAccessKeys,
		AllowUserToManageMFADevices: in.AllowUserToManageMFADevices, LoginSessionDuration: in.LoginSessionDuration,
		LoginNetworkMasks: in.LoginNetworkMasks}
}

// PreferencesOut are the preferences both products show first.
type PreferencesOut struct {
	AccessKeyPreference struct{ AllowUserToManageAccessKeys bool }
	MFAPreference       struct{ AllowUserToManageMFADevices bool }
}

// LoginPreferenceOut is the LoginProfilePreference both products show (IMS
// adds to it).
type LoginPreferenceOut struct {
	EnableSaveMFATicket       bool
	LoginSessionDuration      int
	LoginNetworkMasks         string
	AllowUserToChangePassword bool
}

// Preferences shapes the preferences both products show.
func Preferences(p *iam.SecurityPreference) (first PreferencesOut, login LoginPreferenceOut) {
	first.AccessKeyPreference.AllowUserToManageAccessKeys = p.AllowUserToManageAccessKeys
	first.MFAPreference.AllowUserToManageMFADevices = p.AllowUserToManageMFADevices
	return first, LoginPreferenceOut{EnableSaveMFATicket: p.EnableSaveMFATicket, LoginSessionDuration: p.LoginSessionDuration,
		LoginNetworkMasks: p.LoginNetworkMasks, AllowUserToChangePassword: p.AllowUserToChangePassword}
}
