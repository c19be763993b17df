package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
)

// Response objects, field names exactly as the cloud (and the classic SDK's
// services/ram structs) spell them.

type userOut struct {
	UserId             string
	UserName           string
	iamapi.UserDetails // DisplayName ... LastLoginDate
}

func toUser(u *iam.User) userOut {
	return userOut{UserId: u.ID, UserName: u.Name, UserDetails: iamapi.DetailsOf(u)}
}

type groupOut struct {
	GroupId, GroupName, Comments, CreateDate, UpdateDate string
}

func toGroup(g *iam.Group) groupOut {
	return groupOut{GroupId: g.ID, GroupName: g.Name, Comments: g.Comments,
		CreateDate: fmtTime(g.Created), UpdateDate: fmtTime(g.Updated)}
}

type roleOut struct {
	RoleId, RoleName, Arn, Description string
	AssumeRolePolicyDocument           string `json:",omitempty"` // not in ListRoles
	MaxSessionDuration                 int
	CreateDate, UpdateDate             string
}

// toRole needs the account, which a role's ARN names.
func toRole(accountID string, r *iam.Role, withTrust bool) roleOut {
	out := roleOut{RoleId: r.ID, RoleName: r.Name, Arn: r.ARN(accountID), Description: r.Description,
		MaxSessionDuration: r.MaxSessionDuration, CreateDate: fmtTime(r.Created), UpdateDate: fmtTime(r.Updated)}
	if withTrust {
		out.AssumeRolePolicyDocument = r.TrustPolicy
	}
	return out
}

type policyOut struct {
	PolicyName, PolicyType, Description    string
	DefaultVersion, CreateDate, UpdateDate string
	AttachmentCount                        int
	PolicyDocument                         string `json:",omitempty"` // GetPolicy only
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
	PolicyName, PolicyType, Description, DefaultVersion, AttachDate string
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
	UserName                               string
	PasswordResetRequired, MFABindRequired bool
	CreateDate                             string
}

func toLoginProfile(p *iam.LoginProfile) loginProfileOut {
	return loginProfileOut{UserName: p.UserName, PasswordResetRequired: p.PasswordResetRequired,
		MFABindRequired: p.MFABindRequired, CreateDate: fmtTime(p.Created)}
}
