package imsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
)

// Response objects, spelled as the classic SDK's services/ims structs.

type tagOut struct{ TagKey, TagValue string }

type userOut struct {
	UserId             string
	UserPrincipalName  string
	iamapi.UserDetails // DisplayName ... LastLoginDate
	ProvisionType      string
	Status             string
	Tags               struct{ Tag []tagOut }
}

// Every user is created by hand here (no SCIM provisioning) and active.
const (
	provisionManual = "Manual"
	userActive      = "Active"
)

func upn(u *iam.User, domain string) string { return u.Name + "@" + domain }

func toUser(u *iam.User, domain string) userOut {
	out := userOut{UserId: u.ID, UserPrincipalName: upn(u, domain), UserDetails: iamapi.DetailsOf(u),
		ProvisionType: provisionManual, Status: userActive}
	out.Tags.Tag = api.MapAll(u.Tags, func(t *iam.Tag) tagOut { return tagOut{TagKey: t.Key, TagValue: t.Value} })
	return out
}

// The shapes that show users by principal name need the account's domain.

func (d domain) user(u *iam.User) userOut               { return toUser(u, string(d)) }
func (d domain) asUser(u *iam.User) api.Object[userOut] { return api.As("User", d.user)(u) }
func (d domain) users(p iam.Page[iam.User]) api.List[userOut] {
	return iamapi.Paged("Users", "User", d.user)(p)
}

type groupOut struct {
	GroupId, GroupName, DisplayName, Comments, CreateDate, UpdateDate string
}

func toGroup(g *iam.Group) groupOut {
	return groupOut{GroupId: g.ID, GroupName: g.Name, DisplayName: g.DisplayName, Comments: g.Comments,
		CreateDate: fmtTime(g.Created), UpdateDate: fmtTime(g.Updated)}
}

type loginProfileOut struct {
	UserPrincipalName, Status              string
	PasswordResetRequired, MFABindRequired bool
	CreateDate, UpdateDate                 string
	LastLoginTime                          string `json:",omitempty"`
	Password                               string `json:",omitempty"` // a generated password, shown once
}

func toLoginProfile(p *iam.LoginProfile, domain, generated string) loginProfileOut {
	return loginProfileOut{UserPrincipalName: p.UserName + "@" + domain, Status: p.Status,
		PasswordResetRequired: p.PasswordResetRequired, MFABindRequired: p.MFABindRequired,
		CreateDate: fmtTime(p.Created), UpdateDate: fmtTime(p.Updated), LastLoginTime: fmtTime(p.LastLogin),
		Password: generated}
}

type accessKeyOut struct {
	AccessKeyId            string
	AccessKeySecret        string `json:",omitempty"` // CreateAccessKey only
	Status                 string
	CreateDate, UpdateDate string
}

func toAccessKey(k *iam.AccessKey) accessKeyOut {
	return accessKeyOut{AccessKeyId: k.ID, AccessKeySecret: k.Secret, Status: k.Status,
		CreateDate: fmtTime(k.Created), UpdateDate: fmtTime(k.Updated)}
}

// toPasswordPolicy shows IMS's spelling of the expiry flag and its two
// more rules.
func toPasswordPolicy(p *iam.PasswordPolicy) iamapi.PasswordPolicyOut {
	out := iamapi.PasswordRules(p)
	out.HardExpire, out.MinimumPasswordDifferentCharacter = &p.HardExpire, &p.MinimumPasswordDifferentCharacter
	out.PasswordNotContainUserName = &p.PasswordNotContainUserName
	return out
}

type securityPreferenceOut struct {
	iamapi.PreferencesOut
	PersonalInfoPreference     struct{ AllowUserToManagePersonalDingTalk bool }
	ApplicationLoginPreference struct{ AllowUserLongTermLogin bool }
	VerificationPreference     struct{ VerificationTypes []string }
	LoginProfilePreference     struct {
		iamapi.LoginPreferenceOut
		MFAOperationForLogin, OperationForRiskLogin string
		EnforceMFAForLogin                          bool
	}
}

func toSecurityPreference(p *iam.SecurityPreference) (out securityPreferenceOut) {
	out.PreferencesOut, out.LoginProfilePreference.LoginPreferenceOut = iamapi.Preferences(p)
	out.PersonalInfoPreference.AllowUserToManagePersonalDingTalk = p.AllowUserToManagePersonalDingTalk
	out.ApplicationLoginPreference.AllowUserLongTermLogin = p.AllowUserLongTermLogin
	out.VerificationPreference.VerificationTypes = append([]string{}, p.VerificationTypes...)
	lp := &out.LoginProfilePreference
	lp.MFAOperationForLogin, lp.OperationForRiskLogin = p.MFAOperationForLogin, p.OperationForRiskLogin
	lp.EnforceMFAForLogin = p.EnforceMFAForLogin()
	return out
}

// deviceOut is one IMS ListVirtualMFADevices entry.
type deviceOut = iamapi.DeviceOut[deviceUserOut]

type deviceUserOut struct {
	UserId            string
	UserPrincipalName string
	DisplayName       string
}

func toDevice(d *iam.VirtualMFADevice, domain string) deviceOut {
	return iamapi.Device(d, func(u *iam.User) deviceUserOut {
		return deviceUserOut{UserId: u.ID, UserPrincipalName: upn(u, domain), DisplayName: u.DisplayName}
	})
}
