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
	registerAccessKeys(r, svc)
	registerMFA(r, svc)
	registerGroups(r, svc)
	registerRoles(r, svc)
	registerPolicies(r, svc)
	registerAttachments(r, svc)
	registerSettings(r, svc)
}

var fmtTime = iam.FormatTime // the cloud's time format ("" for never)

// Resource names: an action is authorized on the entity it names.
var (
	userARN  = iamapi.UserARN
	groupARN = iamapi.GroupARN
)

func roleARN(p *model.Principal, name string) string { return model.RoleARN(p.AccountID, name) }

func policyARN(p *model.Principal, typ, name string) string {
	return model.PolicyARN(p.AccountID, typ, name)
}

// customPolicy names a custom policy: the calls that change one.
func customPolicy(p *model.Principal, name string) string {
	return policyARN(p, iam.PolicyTypeCustom, name)
}

// userNameIn is the input of the calls that name one user and nothing else.
type userNameIn struct {
	UserName string `param:"UserName,required"`
}

func onUser(p *model.Principal, in *userNameIn) string { return userARN(p, in.UserName) }
func (in *userNameIn) user() string                    { return in.UserName }

// selfService declares an action on a user's own credentials: on the user
// the input names (user picks the name out; "" = the caller), which the
// security preference may let a user do to itself without a policy.
func selfService[In, Out any](r *api.Registry, svc *iam.Service, what iam.SelfService, spec api.Spec,
	user func(*In) string, handle func(*api.Call, *In) (*Out, error)) {
	api.Register(r, api.Action[In, Out]{Spec: spec, Handle: handle, SelfService: iamapi.OwnedBy(svc, what, user),
		Resource: func(p *model.Principal, in *In) string { return iamapi.SelfOrUser(p, user(in)) }})
}
