package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

type roleNameIn struct {
	RoleName string `param:"RoleName,required"`
}

func onRole(p *model.Principal, in *roleNameIn) string { return roleARN(p, in.RoleName) }

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

type roleResult struct{ Role roleOut }

type listRolesOut struct {
	pageOut
	Roles struct{ Role []roleOut }
}

func registerRoles(r *api.Registry, svc *iam.Service) {
	api.Register(r, api.Action[createRoleIn, roleResult]{
		Spec:     spec("CreateRole", true),
		Resource: func(p *model.Principal, in *createRoleIn) string { return roleARN(p, in.RoleName) },
		Handle: func(c *api.Call, in *createRoleIn) (*roleResult, error) {
			role, err := svc.CreateRole(c.Tx, c.AccountID(), iam.NewRole{Name: in.RoleName, Description: in.Description,
				TrustPolicy: in.AssumeRolePolicyDocument, MaxSessionDuration: in.MaxSessionDuration}, c.Now)
			if err != nil {
				return nil, err
			}
			return &roleResult{Role: toRole(c.AccountID(), role, true)}, nil
		},
	})
	api.Register(r, api.Action[roleNameIn, roleResult]{
		Spec:     spec("GetRole", false),
		Resource: onRole,
		Handle: func(c *api.Call, in *roleNameIn) (*roleResult, error) {
			role, err := svc.GetRole(c.Tx, c.AccountID(), in.RoleName)
			if err != nil {
				return nil, err
			}
			return &roleResult{Role: toRole(c.AccountID(), role, true)}, nil
		},
	})
	api.Register(r, api.Action[updateRoleIn, roleResult]{
		Spec:     spec("UpdateRole", true),
		Resource: func(p *model.Principal, in *updateRoleIn) string { return roleARN(p, in.RoleName) },
		Handle: func(c *api.Call, in *updateRoleIn) (*roleResult, error) {
			role, err := svc.UpdateRole(c.Tx, c.AccountID(), in.RoleName, iam.RoleUpdate{NewTrustPolicy: in.NewAssumeRolePolicyDocument,
				NewDescription: in.NewDescription, NewMaxSessionDuration: in.NewMaxSessionDuration}, c.Now)
			if err != nil {
				return nil, err
			}
			return &roleResult{Role: toRole(c.AccountID(), role, true)}, nil
		},
	})
	api.Register(r, api.Action[roleNameIn, none]{
		Spec:     spec("DeleteRole", true),
		Resource: onRole,
		Handle: func(c *api.Call, in *roleNameIn) (*none, error) {
			return done, svc.DeleteRole(c.Tx, c.AccountID(), in.RoleName)
		},
	})
	api.Register(r, api.Action[listIn, listRolesOut]{
		Spec:     spec("ListRoles", false),
		Resource: func(p *model.Principal, _ *listIn) string { return allOf(p, "role") },
		Handle: func(c *api.Call, in *listIn) (*listRolesOut, error) {
			page, err := svc.ListRoles(c.Tx, c.AccountID(), pageReq(in.Marker, in.MaxItems))
			if err != nil {
				return nil, err
			}
			out := &listRolesOut{pageOut: pageInfo(page)}
			out.Roles.Role = mapAll(page.Items, func(role *iam.Role) roleOut { return toRole(c.AccountID(), role, false) })
			return out, nil
		},
	})
}
