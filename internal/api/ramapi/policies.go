package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// policyIn names a system or custom policy.
type policyIn struct {
	PolicyType string `param:"PolicyType,required"`
	PolicyName string `param:"PolicyName,required"`
}

// customPolicyIn names a custom policy (the calls that change one).
type customPolicyIn struct {
	PolicyName string `param:"PolicyName,required"`
}

type createPolicyIn struct {
	PolicyName     string `param:"PolicyName,required"`
	Description    string `param:"Description"`
	PolicyDocument string `param:"PolicyDocument,required"`
}

type descriptionIn struct {
	PolicyName     string `param:"PolicyName,required"`
	NewDescription string `param:"NewDescription"`
}

type listPoliciesIn struct {
	PolicyType string `param:"PolicyType"`
	Marker     string `param:"Marker"`
	MaxItems   *int   `param:"MaxItems"`
}

type createVersionIn struct {
	PolicyName     string `param:"PolicyName,required"`
	PolicyDocument string `param:"PolicyDocument,required"`
	SetAsDefault   bool   `param:"SetAsDefault"`
	RotateStrategy string `param:"RotateStrategy"`
}

type versionIn struct {
	policyIn
	VersionId string `param:"VersionId,required"`
}

type customVersionIn struct {
	customPolicyIn
	VersionId string `param:"VersionId,required"`
}

func onPolicy(p *model.Principal, in *policyIn) string {
	return policyARN(p, in.PolicyType, in.PolicyName)
}
func onVersion(p *model.Principal, in *versionIn) string {
	return policyARN(p, in.PolicyType, in.PolicyName)
}

// The calls that change a policy name a custom one.
func onCustom(p *model.Principal, in *customPolicyIn) string { return customPolicy(p, in.PolicyName) }
func onNewPolicy(p *model.Principal, in *createPolicyIn) string {
	return customPolicy(p, in.PolicyName)
}
func onDescription(p *model.Principal, in *descriptionIn) string {
	return customPolicy(p, in.PolicyName)
}
func onNewVersion(p *model.Principal, in *createVersionIn) string {
	return customPolicy(p, in.PolicyName)
}
func onCustomVersion(p *model.Principal, in *customVersionIn) string {
	return customPolicy(p, in.PolicyName)
}

var (
	asPolicy  = api.As("Policy", toPolicy)
	asVersion = api.As("PolicyVersion", toVersion)
)

type getPolicyOut struct {
	Policy               policyOut
	DefaultPolicyVersion versionOut
}

func registerPolicies(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ram.Write("CreatePolicy"), onNewPolicy, func(c *api.Call, in *createPolicyIn) (*api.Object[policyOut], error) {
		return api.Reply(asPolicy)(svc.CreatePolicy(c.Tx, c.AccountID(), iam.NewPolicy{Name: in.PolicyName,
			Description: in.Description, Document: in.PolicyDocument}, c.Now))
	})
	api.Declare(r, ram.Read("GetPolicy").Remembered(), onPolicy, func(c *api.Call, in *policyIn) (*getPolicyOut, error) {
		p, v, err := svc.GetPolicy(c.Tx, c.AccountID(), in.PolicyType, in.PolicyName)
		if err != nil {
			return nil, err
		}
		out := &getPolicyOut{Policy: toPolicy(p), DefaultPolicyVersion: toVersion(v)}
		out.Policy.PolicyDocument = v.Document
		return out, nil
	})
	api.Declare(r, ram.Write("UpdatePolicyDescription"), onDescription,
		func(c *api.Call, in *descriptionIn) (*api.Object[policyOut], error) {
			return api.Reply(asPolicy)(svc.UpdatePolicyDescription(c.Tx, c.AccountID(), in.PolicyName, in.NewDescription, c.Now))
		})
	api.Declare(r, ram.Write("DeletePolicy").Sensitive(), onCustom, func(c *api.Call, in *customPolicyIn) (*api.NoOutput, error) {
		return api.Done(svc.DeletePolicy(c.Tx, c.AccountID(), in.PolicyName))
	})
	api.Declare(r, ram.Read("ListPolicies").Remembered(), iamapi.AllOf[listPoliciesIn]("policy"),
		func(c *api.Call, in *listPoliciesIn) (*api.List[policyOut], error) {
			page := iam.PageRequest{Marker: in.Marker, MaxItems: in.MaxItems}
			return api.Reply(iamapi.Paged("Policies", "Policy", toPolicy))(svc.ListPolicies(c.Tx, c.AccountID(), in.PolicyType, page))
		})
	api.Declare(r, ram.Write("CreatePolicyVersion").Sensitive(), onNewVersion,
		func(c *api.Call, in *createVersionIn) (*api.Object[versionOut], error) {
			return api.Reply(asVersion)(svc.CreatePolicyVersion(c.Tx, c.AccountID(), in.PolicyName, in.PolicyDocument,
				in.SetAsDefault, in.RotateStrategy, c.Now))
		})
	api.Declare(r, ram.Read("GetPolicyVersion"), onVersion, func(c *api.Call, in *versionIn) (*api.Object[versionOut], error) {
		return api.Reply(asVersion)(svc.GetPolicyVersion(c.Tx, c.AccountID(), in.PolicyType, in.PolicyName, in.VersionId))
	})
	api.Declare(r, ram.Write("DeletePolicyVersion").Sensitive(), onCustomVersion,
		func(c *api.Call, in *customVersionIn) (*api.NoOutput, error) {
			return api.Done(svc.DeletePolicyVersion(c.Tx, c.AccountID(), in.PolicyName, in.VersionId))
		})
	api.Declare(r, ram.Write("SetDefaultPolicyVersion").Sensitive(), onCustomVersion,
		func(c *api.Call, in *customVersionIn) (*api.NoOutput, error) {
			return api.Done(svc.SetDefaultPolicyVersion(c.Tx, c.AccountID(), in.PolicyName, in.VersionId, c.Now))
		})
	api.Declare(r, ram.Read("ListPolicyVersions"), onPolicy, func(c *api.Call, in *policyIn) (*api.List[versionOut], error) {
		return api.Reply(api.Listed("PolicyVersions", "PolicyVersion", toVersion))(svc.ListPolicyVersions(c.Tx, c.AccountID(),
			in.PolicyType, in.PolicyName))
	})
}

// Attach and detach calls are authorized on the principal whose rights
// change (a Deny on one's own user ARN then stops self-escalation).

type userPolicyIn struct {
	policyIn
	UserName string `param:"UserName,required"`
}

type groupPolicyIn struct {
	policyIn
	GroupName string `param:"GroupName,required"`
}

type rolePolicyIn struct {
	policyIn
	RoleName string `param:"RoleName,required"`
}

type entityGroupOut struct{ GroupName, Comments, AttachDate string }
type entityRoleOut struct{ RoleId, RoleName, Arn, Description, AttachDate string }
type entityUserOut struct{ UserId, UserName, DisplayName, AttachDate string }

type entitiesOut struct {
	Groups struct{ Group []entityGroupOut }
	Roles  struct{ Role []entityRoleOut }
	Users  struct{ User []entityUserOut }
}

func toEntities(accountID string) func(*iam.PolicyEntities) entitiesOut {
	return func(e *iam.PolicyEntities) (out entitiesOut) {
		out.Users.User = api.MapAll(e.Users, func(a *iam.Attached[iam.User]) entityUserOut {
			return entityUserOut{UserId: a.Entity.ID, UserName: a.Entity.Name, DisplayName: a.Entity.DisplayName,
				AttachDate: fmtTime(a.Attached)}
		})
		out.Groups.Group = api.MapAll(e.Groups, func(a *iam.Attached[iam.Group]) entityGroupOut {
			return entityGroupOut{GroupName: a.Entity.Name, Comments: a.Entity.Comments, AttachDate: fmtTime(a.Attached)}
		})
		out.Roles.Role = api.MapAll(e.Roles, func(a *iam.Attached[iam.Role]) entityRoleOut {
			return entityRoleOut{RoleId: a.Entity.ID, RoleName: a.Entity.Name, Arn: a.Entity.ARN(accountID),
				Description: a.Entity.Description, AttachDate: fmtTime(a.Attached)}
		})
		return out
	}
}

// attachments registers AttachPolicyTo<suffix>, DetachPolicyFrom<suffix>
// and ListPoliciesFor<suffix> for one type of principal, all authorized on
// the principal: arn names it, attachment and principal read it (and the
// policy) out of the inputs.
func attachments[In, NameIn any](r *api.Registry, svc *iam.Service, suffix string, t iam.PrincipalType,
	arn func(*model.Principal, string) string, attachment func(*In) (string, *policyIn), principal func(*NameIn) string) {
	onAttachment := func(p *model.Principal, in *In) string { name, _ := attachment(in); return arn(p, name) }
	api.Declare(r, ram.Write("AttachPolicyTo"+suffix).Sensitive(), onAttachment, func(c *api.Call, in *In) (*api.NoOutput, error) {
		name, policy := attachment(in)
		return api.Done(svc.AttachPolicy(c.Tx, c.AccountID(), t, name, policy.PolicyType, policy.PolicyName, c.Now))
	})
	api.Declare(r, ram.Write("DetachPolicyFrom"+suffix).Sensitive(), onAttachment, func(c *api.Call, in *In) (*api.NoOutput, error) {
		name, policy := attachment(in)
		return api.Done(svc.DetachPolicy(c.Tx, c.AccountID(), t, name, policy.PolicyType, policy.PolicyName))
	})
	onPrincipal := func(p *model.Principal, in *NameIn) string { return arn(p, principal(in)) }
	api.Declare(r, ram.Read("ListPoliciesFor"+suffix), onPrincipal,
		func(c *api.Call, in *NameIn) (*api.List[attachedPolicyOut], error) {
			policies, err := svc.ListPoliciesFor(c.Tx, c.AccountID(), t, principal(in))
			return api.Reply(api.Listed("Policies", "Policy", toAttachedPolicy))(policies, err)
		})
}

func registerAttachments(r *api.Registry, svc *iam.Service) {
	attachments(r, svc, "User", iam.PrincipalUser, userARN,
		func(in *userPolicyIn) (string, *policyIn) { return in.UserName, &in.policyIn },
		func(in *userNameIn) string { return in.UserName })
	attachments(r, svc, "Group", iam.PrincipalGroup, groupARN,
		func(in *groupPolicyIn) (string, *policyIn) { return in.GroupName, &in.policyIn },
		func(in *iamapi.GroupNameIn) string { return in.GroupName })
	attachments(r, svc, "Role", iam.PrincipalRole, roleARN,
		func(in *rolePolicyIn) (string, *policyIn) { return in.RoleName, &in.policyIn },
		func(in *roleNameIn) string { return in.RoleName })
	api.Declare(r, ram.Read("ListEntitiesForPolicy"), onPolicy, func(c *api.Call, in *policyIn) (*entitiesOut, error) {
		return api.Reply(toEntities(c.AccountID()))(svc.ListEntitiesForPolicy(c.Tx, c.AccountID(), in.PolicyType, in.PolicyName))
	})
}
