package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

type roleNameIn struct {
	RoleName string `param:"RoleName,required"`
}

type createRoleIn struct {
	RoleName                 string `param:"RoleName,required"`
	Description              string `param:"Description"`
	AssumeRolePolicyDocument string `param:"AssumeRolePolicyDocument,required"`
	MaxSessionDuration       *int   `param:"MaxSessionDuration"`
}

type updateRoleIn struct {
	RoleName                    string `param:"RoleName,required"`
	NewAssumeRolePolicyDocument string `param:"NewAssumeRolePolicyDocument"`
	NewMaxSessionDuration       *int   `param:"NewMaxSessionDuration"`
	NewDescription              string `param:"NewDescription"`
}

func onRole(p *model.Principal, in *roleNameIn) string         { return roleARN(p, in.RoleName) }
func onNewRole(p *model.Principal, in *createRoleIn) string    { return roleARN(p, in.RoleName) }
func onRoleUpdate(p *model.Principal, in *updateRoleIn) string { return roleARN(p, in.RoleName) }

// A role's answer carries its ARN, which names the account, and its trust
// policy except in lists.
func asRole(accountID string) func(*iam.Role) api.Object[roleOut] {
	return api.As("Role", func(role *iam.Role) roleOut { return toRole(accountID, role, true) })
}

func registerRoles(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ram.Write("CreateRole").Sensitive(), onNewRole, func(c *api.Call, in *createRoleIn) (*api.Object[roleOut], error) {
		return api.Reply(asRole(c.AccountID()))(svc.CreateRole(c.Tx, c.AccountID(), iam.NewRole{Name: in.RoleName,
			Description: in.Description, TrustPolicy: in.AssumeRolePolicyDocument, MaxSessionDuration: in.MaxSessionDuration}, c.Now))
	})
	api.Declare(r, ram.Read("GetRole").Remembered(), onRole, func(c *api.Call, in *roleNameIn) (*api.Object[roleOut], error) {
		return api.Reply(asRole(c.AccountID()))(svc.GetRole(c.Tx, c.AccountID(), in.RoleName))
	})
	api.Declare(r, ram.Write("UpdateRole").Sensitive(), onRoleUpdate, func(c *api.Call, in *updateRoleIn) (*api.Object[roleOut], error) {
		return api.Reply(asRole(c.AccountID()))(svc.UpdateRole(c.Tx, c.AccountID(), in.RoleName, iam.RoleUpdate{
			NewTrustPolicy: in.NewAssumeRolePolicyDocument, NewDescription: in.NewDescription,
			NewMaxSessionDuration: in.NewMaxSessionDuration}, c.Now))
	})
	api.Declare(r, ram.Write("DeleteRole").Sensitive(), onRole, func(c *api.Call, in *roleNameIn) (*api.NoOutput, error) {
		return api.Done(svc.DeleteRole(c.Tx, c.AccountID(), in.RoleName))
	})
	api.Declare(r, ram.Read("ListRoles").Remembered(), iamapi.AllOf[iamapi.ListIn]("role"),
		func(c *api.Call, in *iamapi.ListIn) (*api.List[roleOut], error) {
			listed := func(role *iam.Role) roleOut { return toRole(c.AccountID(), role, false) }
			return api.Reply(iamapi.Paged("Roles", "Role", listed))(svc.ListRoles(c.Tx, c.AccountID(), in.Page()))
		})
}
