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

func onRole(p *model.Principal, in *roleNameIn) string          { return roleARN(p, in.RoleName) }
func onNewRole(p *model.Principal, in *createRoleIn) string     { return roleARN(p, in.RoleName) }
func onUpdatedRole(p *model.Principal, in *updateRoleIn) string { return roleARN(p, in.RoleName) }

type roleResult struct{ Role roleOut }

type listRolesOut struct {
	iamapi.PageOut
	Roles struct{ Role []roleOut }
}

// A role's answer carries its ARN, which names the account: these shapes
// take the account first.

func toRoleResult(accountID string) func(*iam.Role) roleResult {
	return func(role *iam.Role) roleResult { return roleResult{Role: toRole(accountID, role, true)} }
}

func toRoleList(accountID string) func(iam.Page[iam.Role]) listRolesOut {
	return func(page iam.Page[iam.Role]) (out listRolesOut) {
		out.PageOut = iamapi.PageInfo(page)
		out.Roles.Role = iamapi.MapAll(page.Items, func(role *iam.Role) roleOut { return toRole(accountID, role, false) })
		return out
	}
}

func registerRoles(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ram.Write("CreateRole"), onNewRole, func(c *api.Call, in *createRoleIn) (*roleResult, error) {
		return api.Reply(toRoleResult(c.AccountID()))(svc.CreateRole(c.Tx, c.AccountID(), iam.NewRole{Name: in.RoleName, Description: in.Description,
			TrustPolicy: in.AssumeRolePolicyDocument, MaxSessionDuration: in.MaxSessionDuration}, c.Now))
	})
	api.Declare(r, ram.Read("GetRole"), onRole, func(c *api.Call, in *roleNameIn) (*roleResult, error) {
		return api.Reply(toRoleResult(c.AccountID()))(svc.GetRole(c.Tx, c.AccountID(), in.RoleName))
	})
	api.Declare(r, ram.Write("UpdateRole"), onUpdatedRole, func(c *api.Call, in *updateRoleIn) (*roleResult, error) {
		return api.Reply(toRoleResult(c.AccountID()))(svc.UpdateRole(c.Tx, c.AccountID(), in.RoleName, iam.RoleUpdate{
			NewTrustPolicy: in.NewAssumeRolePolicyDocument, NewDescription: in.NewDescription,
			NewMaxSessionDuration: in.NewMaxSessionDuration}, c.Now))
	})
	api.Declare(r, ram.Write("DeleteRole"), onRole, func(c *api.Call, in *roleNameIn) (*api.NoOutput, error) {
		return api.Done(svc.DeleteRole(c.Tx, c.AccountID(), in.RoleName))
	})
	api.Declare(r, ram.Read("ListRoles"), iamapi.AllOf[iamapi.ListIn]("role"), func(c *api.Call, in *iamapi.ListIn) (*listRolesOut, error) {
		return api.Reply(toRoleList(c.AccountID()))(svc.ListRoles(c.Tx, c.AccountID(), in.Page()))
	})
}
