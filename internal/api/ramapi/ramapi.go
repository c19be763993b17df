// Package ramapi declares the Ram 2015-05-01 actions that are RAM's alone
// (iamapi declares those RAM shares with IMS): one registry entry per
// action with its permission, resource, typed input and the cloud's
// response shape, all served by the iam service.
package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// Product is Ram 2015-05-01.
var Product = iamapi.RAM

// ram declares the actions of RAM alone.
var ram = api.Products{Product}

// Register adds the Ram 2015-05-01 actions that are RAM's alone;
// iamapi.Register adds the ones RAM shares with IMS.
func Register(r *api.Registry, svc *iam.Service) {
	registerUsers(r, svc)
	registerLoginProfiles(r, svc)
	registerAccessKeys(r, svc)
	registerMFA(r, svc)
	registerGroups(r, svc)
	registerRoles(r, svc)
	registerPolicies(r, svc)
	registerAttachments(r, svc)
	registerSettings(r, svc)
}

// fmtTime is the cloud's time format ("" for never).
var fmtTime = iam.FormatTime

// userNameIn is the input of the calls that name one user and nothing else.
type userNameIn struct {
	UserName string `param:"UserName,required"`
}

func onUser(p *model.Principal, in *userNameIn) string { return iamapi.UserARN(p, in.UserName) }

func (in *userNameIn) user() string { return in.UserName }

func roleARN(p *model.Principal, name string) string { return model.RoleARN(p.AccountID, name) }

func policyARN(p *model.Principal, policyType, name string) string {
	return model.PolicyARN(p.AccountID, policyType, name)
}

func customPolicyARN(p *model.Principal, name string) string {
	return policyARN(p, iam.PolicyTypeCustom, name)
}
