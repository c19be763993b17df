package imsapi

import (
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
)

// Response objects, spelled as the classic SDK's services/ims structs.

type tagOut struct {
	TagKey   string
	TagValue string
}

type userOut struct {
	UserId            string
	UserPrincipalName string
	DisplayName       string
	Email             string
	MobilePhone       string
	Comments          string
	CreateDate        string
	UpdateDate        string
	LastLoginDate     string `json:",omitempty"`
	ProvisionType     string
	Status            string
	Tags              struct{ Tag []tagOut }
}

// Every user is created by hand here (no SCIM provisioning) and active.
const (
	provisionManual = "Manual"
	userActive      = "Active"
)

func upn(u *iam.User, domain string) string { return u.Name + "@" + domain }

func toUser(u *iam.User, domain string) userOut {
	out := userOut{UserId: u.ID, UserPrincipalName: upn(u, domain), DisplayName: u.DisplayName, Email: u.Email,
		MobilePhone: u.MobilePhone, Comments: u.Comments, CreateDate: fmtTime(u.Created), UpdateDate: fmtTime(u.Updated),
		LastLoginDate: fmtTime(u.LastLogin), ProvisionType: provisionManual, Status: userActive}
	out.Tags.Tag = iamapi.MapAll(u.Tags, func(t *iam.Tag) tagOut { return tagOut{TagKey: t.Key, TagValue: t.Value} })
	return out
}

type groupOut struct {
	GroupId     string
	GroupName   string
	DisplayName string
	Comments    string
	CreateDate  string
	UpdateDate  string
}

func toGroup(g *iam.Group) groupOut {
	return groupOut{GroupId: g.ID, GroupName: g.Name, DisplayName: g.DisplayName, Comments: g.Comments,
		CreateDate: fmtTime(g.Created), UpdateDate: fmtTime(g.Updated)}
}

type loginProfileOut struct {
	UserPrincipalName     string
	Status                string
	PasswordResetRequired bool
	MFABindRequired       bool
	CreateDate            string
	UpdateDate            string
	LastLoginTime         string `json:",omitempty"`
	Password              string `json:",omitempty"` // a generated password, shown once
}

func toLoginProfile(p *iam.LoginProfile, domain, generated string) loginProfileOut {
	return loginProfileOut{UserPrincipalName: p.UserName + "@" + domain, Status: p.Status,
		PasswordResetRequired: p.PasswordResetRequired, MFABindRequired: p.MFABindRequired,
		CreateDate: fmtTime(p.Created), UpdateDate: fmtTime(p.Updated), LastLoginTime: fmtTime(p.LastLogin),
		Password: generated}
}

type accessKeyOut struct {
	AccessKeyId     string
	AccessKeySecret string `json:",omitempty"` // CreateAccessKey only
	Status          string
	CreateDate      string
	UpdateDate      string
}

func toAccessKey(k *iam.AccessKey) accessKeyOut {
	return accessKeyOut{AccessKeyId: k.ID, AccessKeySecret: k.Secret, Status: k.Status,
		CreateDate: fmtTime(k.Created), UpdateDate: fmtTime(k.Updated)}
}

type passwordPolicyOut struct {
	MinimumPasswordLength             int
	RequireLowercaseCharacters        bool
	RequireUppercaseCharacters        bool
	RequireNumbers                    bool
	RequireSymbols                    bool
	HardExpire                        bool
	MaxPasswordAge                    int
	PasswordReusePrevention           int
	MaxLoginAttemps                   int
	MinimumPasswordDifferentCharacter int
	PasswordNotContainUserName        bool
}

func toPasswordPolicy(p *iam.PasswordPolicy) passwordPolicyOut {
	return passwordPolicyOut{MinimumPasswordLength: p.MinimumPasswordLength,
		RequireLowercaseCharacters: p.RequireLowercaseCharacters, RequireUppercaseCharacters: p.RequireUppercaseCharacters,
		RequireNumbers: p.RequireNumbers, RequireSymbols: p.RequireSymbols, HardExpire: p.HardExpire,
		MaxPasswordAge: p.MaxPasswordAge, PasswordReusePrevention: p.PasswordReusePrevention,
		MaxLoginAttemps: p.MaxLoginAttempts, MinimumPasswordDifferentCharacter: p.MinimumPasswordDifferentCharacter,
		PasswordNotContainUserName: p.PasswordNotContainUserName}
}

type securityPreferenceOut struct {
	AccessKeyPreference        struct{ AllowUserToManageAccessKeys bool }
	MFAPreference              struct{ AllowUserToManageMFADevices bool }
	PersonalInfoPreference     struct{ AllowUserToManagePersonalDingTalk bool }
	ApplicationLoginPreference struct{ AllowUserLongTermLogin bool }
	VerificationPreference     struct{ VerificationTypes []string }
	LoginProfilePreference     struct {
		EnableSaveMFATicket       bool
		LoginSessionDuration      int
		LoginNetworkMasks         string
		AllowUserToChangePassword bool
		MFAOperationForLogin      string
		OperationForRiskLogin     string
		EnforceMFAForLogin        bool
	}
}

func toSecurityPreference(p *iam.SecurityPreference) securityPreferenceOut {
	var out securityPreferenceOut
	out.AccessKeyPreference.AllowUserToManageAccessKeys = p.AllowUserToManageAccessKeys
	out.MFAPreference.AllowUserToManageMFADevices = p.AllowUserToManageMFADevices
	out.PersonalInfoPreference.AllowUserToManagePersonalDingTalk = p.AllowUserToManagePersonalDingTalk
	out.ApplicationLoginPreference.AllowUserLongTermLogin = p.AllowUserLongTermLogin
	out.VerificationPreference.VerificationTypes = append([]string{}, p.VerificationTypes...)
	lp := &out.LoginProfilePreference
	lp.EnableSaveMFATicket, lp.LoginSessionDuration = p.EnableSaveMFATicket, p.LoginSessionDuration
	lp.LoginNetworkMasks, lp.AllowUserToChangePassword = p.LoginNetworkMasks, p.AllowUserToChangePassword
	lp.MFAOperationForLogin, lp.OperationForRiskLogin = p.MFAOperationForLogin, p.OperationForRiskLogin
	lp.EnforceMFAForLogin = p.EnforceMFAForLogin()
	return out
}
