package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// Attach and detach calls are authorized on the principal whose rights
// change (a Deny on one's own user ARN then stops self-escalation).

type userPolicyIn struct {
	PolicyType string `param:"PolicyType,required"`
	PolicyName string `param:"PolicyName,required"`
	UserName   string `param:"UserName,required"`
}

type groupPolicyIn struct {
	PolicyType string `param:"PolicyType,required"`
	PolicyName string `param:"PolicyName,required"`
	GroupName  string `param:"GroupName,required"`
}

type rolePolicyIn struct {
	PolicyType string `param:"PolicyType,required"`
	PolicyName string `param:"PolicyName,required"`
	RoleName   string `param:"RoleName,required"`
}

type policiesForOut struct {
	Policies struct{ Policy []attachedPolicyOut }
}

func toPoliciesFor(ps []iam.AttachedPolicy) (out policiesForOut) {
	out.Policies.Policy = iamapi.MapAll(ps, toAttachedPolicy)
	return out
}

type entityGroupOut struct {
	GroupName  string
	Comments   string
	AttachDate string
}

type entityRoleOut struct {
	RoleId      string
	RoleName    string
	Arn         string
	Description string
	AttachDate  string
}

type entityUserOut struct {
	UserId      string
	UserName    string
	DisplayName string
	AttachDate  string
}

type entitiesOut struct {
	Groups struct{ Group []entityGroupOut }
	Roles  struct{ Role []entityRoleOut }
	Users  struct{ User []entityUserOut }
}

func toEntities(accountID string) func(*iam.PolicyEntities) entitiesOut {
	return func(e *iam.PolicyEntities) (out entitiesOut) {
		out.Users.User = iamapi.MapAll(e.Users, func(a *iam.Attached[iam.User]) entityUserOut {
			return entityUserOut{UserId: a.Entity.ID, UserName: a.Entity.Name, DisplayName: a.Entity.DisplayName, AttachDate: fmtTime(a.Attached)}
		})
		out.Groups.Group = iamapi.MapAll(e.Groups, func(a *iam.Attached[iam.Group]) entityGroupOut {
			return entityGroupOut{GroupName: a.Entity.Name, Comments: a.Entity.Comments, AttachDate: fmtTime(a.Attached)}
		})
		out.Roles.Role = iamapi.MapAll(e.Roles, func(a *iam.Attached[iam.Role]) entityRoleOut {
			return entityRoleOut{RoleId: a.Entity.ID, RoleName: a.Entity.Name, Arn: a.Entity.ARN(accountID),
				Description: a.Entity.Description, AttachDate: fmtTime(a.Attached)}
		})
		return out
	}
}

// attachments registers AttachPolicyTo<suffix>, DetachPolicyFrom<suffix>
// and ListPoliciesFor<suffix> for one principal type. onAttachment and
// attachment read the attach and detach input (In); onPrincipal and
// principal read the ListPoliciesFor input (NameIn).
func attachments[In, NameIn any](r *api.Registry, svc *iam.Service, suffix string, t iam.PrincipalType,
	onAttachment func(*model.Principal, *In) string, attachment func(*In) (principal, policyType, policyName string),
	onPrincipal func(*model.Principal, *NameIn) string, principal func(*NameIn) string) {
	api.Declare(r, ram.Write("AttachPolicyTo"+suffix), onAttachment, func(c *api.Call, in *In) (*api.NoOutput, error) {
		name, pt, pn := attachment(in)
		return api.Done(svc.AttachPolicy(c.Tx, c.AccountID(), t, name, pt, pn, c.Now))
	})
	api.Declare(r, ram.Write("DetachPolicyFrom"+suffix), onAttachment, func(c *api.Call, in *In) (*api.NoOutput, error) {
		name, pt, pn := attachment(in)
		return api.Done(svc.DetachPolicy(c.Tx, c.AccountID(), t, name, pt, pn))
	})
	api.Declare(r, ram.Read("ListPoliciesFor"+suffix), onPrincipal, func(c *api.Call, in *NameIn) (*policiesForOut, error) {
		return api.Reply(toPoliciesFor)(svc.ListPoliciesFor(c.Tx, c.AccountID(), t, principal(in)))
	})
}

func registerAttachments(r *api.Registry, svc *iam.Service) {
	attachments(r, svc, "User", iam.PrincipalUser,
		func(p *model.Principal, in *userPolicyIn) string { return iamapi.UserARN(p, in.UserName) },
		func(in *userPolicyIn) (string, string, string) { return in.UserName, in.PolicyType, in.PolicyName },
		onUser, func(in *userNameIn) string { return in.UserName })
	attachments(r, svc, "Group", iam.PrincipalGroup,
		func(p *model.Principal, in *groupPolicyIn) string { return iamapi.GroupARN(p, in.GroupName) },
		func(in *groupPolicyIn) (string, string, string) { return in.GroupName, in.PolicyType, in.PolicyName },
		iamapi.OnGroup, func(in *iamapi.GroupNameIn) string { return in.GroupName })
	attachments(r, svc, "Role", iam.PrincipalRole,
		func(p *model.Principal, in *rolePolicyIn) string { return roleARN(p, in.RoleName) },
		func(in *rolePolicyIn) (string, string, string) { return in.RoleName, in.PolicyType, in.PolicyName },
		onRole, func(in *roleNameIn) string { return in.RoleName })

	api.Declare(r, ram.Read("ListEntitiesForPolicy"), onPolicy, func(c *api.Call, in *policyIn) (*entitiesOut, error) {
		return api.Reply(toEntities(c.AccountID()))(svc.ListEntitiesForPolicy(c.Tx, c.AccountID(), in.PolicyType, in.PolicyName))
	})
}
