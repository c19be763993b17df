package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
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

// attachPair registers Attach<suffix> and Detach<suffix> for one principal
// type; principal picks the principal's name out of the input.
func attachPair[In any](r *api.Registry, svc *iam.Service, suffix string, t iam.PrincipalType,
	resource func(*model.Principal, *In) string, fields func(*In) (principal, policyType, policyName string)) {
	api.Register(r, api.Action[In, none]{
		Spec:     spec("AttachPolicyTo"+suffix, true),
		Resource: resource,
		Handle: func(c *api.Call, in *In) (*none, error) {
			name, pt, pn := fields(in)
			return done, svc.AttachPolicy(c.Tx, c.AccountID(), t, name, pt, pn, c.Now)
		},
	})
	api.Register(r, api.Action[In, none]{
		Spec:     spec("DetachPolicyFrom"+suffix, true),
		Resource: resource,
		Handle: func(c *api.Call, in *In) (*none, error) {
			name, pt, pn := fields(in)
			return done, svc.DetachPolicy(c.Tx, c.AccountID(), t, name, pt, pn)
		},
	})
}

// listPoliciesFor registers ListPoliciesFor<suffix>.
func listPoliciesFor[In any](r *api.Registry, svc *iam.Service, suffix string, t iam.PrincipalType,
	resource func(*model.Principal, *In) string, principal func(*In) string) {
	api.Register(r, api.Action[In, policiesForOut]{
		Spec:     spec("ListPoliciesFor"+suffix, false),
		Resource: resource,
		Handle: func(c *api.Call, in *In) (*policiesForOut, error) {
			ps, err := svc.ListPoliciesFor(c.Tx, c.AccountID(), t, principal(in))
			if err != nil {
				return nil, err
			}
			out := &policiesForOut{}
			out.Policies.Policy = mapAll(ps, toAttachedPolicy)
			return out, nil
		},
	})
}

func registerAttachments(r *api.Registry, svc *iam.Service) {
	attachPair(r, svc, "User", iam.PrincipalUser,
		func(p *model.Principal, in *userPolicyIn) string { return userARN(p, in.UserName) },
		func(in *userPolicyIn) (string, string, string) { return in.UserName, in.PolicyType, in.PolicyName })
	attachPair(r, svc, "Group", iam.PrincipalGroup,
		func(p *model.Principal, in *groupPolicyIn) string { return groupARN(p, in.GroupName) },
		func(in *groupPolicyIn) (string, string, string) { return in.GroupName, in.PolicyType, in.PolicyName })
	attachPair(r, svc, "Role", iam.PrincipalRole,
		func(p *model.Principal, in *rolePolicyIn) string { return roleARN(p, in.RoleName) },
		func(in *rolePolicyIn) (string, string, string) { return in.RoleName, in.PolicyType, in.PolicyName })

	listPoliciesFor(r, svc, "User", iam.PrincipalUser, onUser, func(in *userNameIn) string { return in.UserName })
	listPoliciesFor(r, svc, "Group", iam.PrincipalGroup, onGroup, func(in *groupNameIn) string { return in.GroupName })
	listPoliciesFor(r, svc, "Role", iam.PrincipalRole, onRole, func(in *roleNameIn) string { return in.RoleName })

	api.Register(r, api.Action[policyIn, entitiesOut]{
		Spec:     spec("ListEntitiesForPolicy", false),
		Resource: onPolicy,
		Handle: func(c *api.Call, in *policyIn) (*entitiesOut, error) {
			e, err := svc.ListEntitiesForPolicy(c.Tx, c.AccountID(), in.PolicyType, in.PolicyName)
			if err != nil {
				return nil, err
			}
			out := &entitiesOut{}
			out.Users.User = mapAll(e.Users, func(a *iam.Attached[iam.User]) entityUserOut {
				return entityUserOut{UserId: a.Entity.ID, UserName: a.Entity.Name, DisplayName: a.Entity.DisplayName, AttachDate: fmtTime(a.Attached)}
			})
			out.Groups.Group = mapAll(e.Groups, func(a *iam.Attached[iam.Group]) entityGroupOut {
				return entityGroupOut{GroupName: a.Entity.Name, Comments: a.Entity.Comments, AttachDate: fmtTime(a.Attached)}
			})
			out.Roles.Role = mapAll(e.Roles, func(a *iam.Attached[iam.Role]) entityRoleOut {
				return entityRoleOut{RoleId: a.Entity.ID, RoleName: a.Entity.Name, Arn: a.Entity.ARN(c.AccountID()),
					Description: a.Entity.Description, AttachDate: fmtTime(a.Attached)}
			})
			return out, nil
		},
	})
}
