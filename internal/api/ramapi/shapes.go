package ramapi

import (
	"github.com/canopy-iam/canopy/internal/iam"
)

// Response objects, field names exactly as the cloud (and the classic SDK's
// services/ram structs) spell them.

type userOut struct {
	UserId        string
	UserName      string
	DisplayName   string
	Email         string
	MobilePhone   string
	Comments      string
	CreateDate    string
	UpdateDate    string
	LastLoginDate string `json:",omitempty"`
}

func toUser(u *iam.User) userOut {
	return userOut{UserId: u.ID, UserName: u.Name, DisplayName: u.DisplayName, Email: u.Email,
		MobilePhone: u.MobilePhone, Comments: u.Comments, CreateDate: fmtTime(u.Created),
		UpdateDate: fmtTime(u.Updated), LastLoginDate: fmtTime(u.LastLogin)}
}

type groupOut struct {
	GroupId    string
	GroupName  string
	Comments   string
	CreateDate string
	UpdateDate string
}

func toGroup(g *iam.Group) groupOut {
	return groupOut{GroupId: g.ID, GroupName: g.Name, Comments: g.Comments,
		CreateDate: fmtTime(g.Created), UpdateDate: fmtTime(g.Updated)}
}

type roleOut struct {
	RoleId                   string
	RoleName                 string
	Arn                      string
	Description              string
	AssumeRolePolicyDocument string `json:",omitempty"` // not in ListRoles
	MaxSessionDuration       int
	CreateDate               string
	UpdateDate               string
}

func toRole(accountID string, r *iam.Role, withTrust bool) roleOut {
	out := roleOut{RoleId: r.ID, RoleName: r.Name, Arn: r.ARN(accountID), Description: r.Description,
		MaxSessionDuration: r.MaxSessionDuration, CreateDate: fmtTime(r.Created), UpdateDate: fmtTime(r.Updated)}
	if withTrust {
		out.AssumeRolePolicyDocument = r.TrustPolicy
	}
	return out
}

type policyOut struct {
	PolicyName      string
	PolicyType      string
	Description     string
	DefaultVersion  string
	CreateDate      string
	UpdateDate      string
	AttachmentCount int
	PolicyDocument  string `json:",omitempty"` // GetPolicy only
}

func toPolicy(p *iam.Policy) policyOut {
	return policyOut{PolicyName: p.Name, PolicyType: p.Type, Description: p.Description,
		DefaultVersion: p.DefaultVersion, CreateDate: fmtTime(p.Created), UpdateDate: fmtTime(p.Updated),
		AttachmentCount: p.AttachmentCount}
}

type versionOut struct {
	VersionId        string
	IsDefaultVersion bool
	PolicyDocument   string
	CreateDate       string
}

func toVersion(v *iam.PolicyVersion) versionOut {
	return versionOut{VersionId: v.ID, IsDefaultVersion: v.IsDefault, PolicyDocument: v.Document, CreateDate: fmtTime(v.Created)}
}

// attachedPolicyOut is a policy of a user, group or role.
type attachedPolicyOut struct {
	PolicyName     string
	PolicyType     string
	Description    string
	DefaultVersion string
	AttachDate     string
}

func toAttachedPolicy(a *iam.AttachedPolicy) attachedPolicyOut {
	return attachedPolicyOut{PolicyName: a.Name, PolicyType: a.Type, Description: a.Description,
		DefaultVersion: a.DefaultVersion, AttachDate: fmtTime(a.Attached)}
}

type accessKeyOut struct {
	AccessKeyId     string
	AccessKeySecret string `json:",omitempty"` // CreateAccessKey only
	Status          string
	CreateDate      string
}

func toAccessKey(k *iam.AccessKey) accessKeyOut {
	return accessKeyOut{AccessKeyId: k.ID, AccessKeySecret: k.Secret, Status: k.Status, CreateDate: fmtTime(k.Created)}
}

type loginProfileOut struct {
	UserName              string
	PasswordResetRequired bool
	MFABindRequired       bool
	CreateDate            string
}

func toLoginProfile(p *iam.LoginProfile) loginProfileOut {
	return loginProfileOut{UserName: p.UserName, PasswordResetRequired: p.PasswordResetRequired,
		MFABindRequired: p.MFABindRequired, CreateDate: fmtTime(p.Created)}
}

type passwordPolicyOut struct {
	MinimumPasswordLength      int
	RequireLowercaseCharacters bool
	RequireUppercaseCharacters bool
	RequireNumbers             bool
	RequireSymbols             bool
	HardExpiry                 bool
	MaxPasswordAge             int
	PasswordReusePrevention    int
	MaxLoginAttemps            int
}

func toPasswordPolicy(p *iam.PasswordPolicy) passwordPolicyOut {
	return passwordPolicyOut{MinimumPasswordLength: p.MinimumPasswordLength,
		RequireLowercaseCharacters: p.RequireLowercaseCharacters, RequireUppercaseCharacters: p.RequireUppercaseCharacters,
		RequireNumbers: p.RequireNumbers, RequireSymbols: p.RequireSymbols, HardExpiry: p.HardExpire,
		MaxPasswordAge: p.MaxPasswordAge, PasswordReusePrevention: p.PasswordReusePrevention, MaxLoginAttemps: p.MaxLoginAttempts}
}

type securityPreferenceOut struct {
	AccessKeyPreference    struct{ AllowUserToManageAccessKeys bool }
	MFAPreference          struct{ AllowUserToManageMFADevices bool }
	PublicKeyPreference    struct{ AllowUserToManagePublicKeys bool }
	LoginProfilePreference struct {
		EnableSaveMFATicket       bool
		LoginSessionDuration      int
		LoginNetworkMasks         string
		AllowUserToChangePassword bool
	}
}

func toSecurityPreference(p *iam.SecurityPreference) securityPreferenceOut {
	var out securityPreferenceOut
	out.AccessKeyPreference.AllowUserToManageAccessKeys = p.AllowUserToManageAccessKeys
	out.MFAPreference.AllowUserToManageMFADevices = p.AllowUserToManageMFADevices
	out.PublicKeyPreference.AllowUserToManagePublicKeys = p.AllowUserToManagePublicKeys
	lp := &out.LoginProfilePreference
	lp.EnableSaveMFATicket, lp.LoginSessionDuration = p.EnableSaveMFATicket, p.LoginSessionDuration
	lp.LoginNetworkMasks, lp.AllowUserToChangePassword = p.LoginNetworkMasks, p.AllowUserToChangePassword
	return out
}
