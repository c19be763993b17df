// Package ramapi declares the Ram 2015-05-01 actions: one registry entry
// per action with its permission, resource, typed input and the cloud's
// response shape, all served by the iam service.
package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// Product is Ram 2015-05-01.
var Product = &api.Product{Code: "Ram", Version: "2015-05-01", Host: "ram.aliyuncs.com", Prefix: "ram"}

// spec declares an action that needs ram:<name>.
func spec(name string, write bool, secrets ...string) api.Spec {
	return api.Spec{Products: []*api.Product{Product}, Name: name, Write: write, Secrets: secrets}
}

// none is the output of actions that answer with RequestId only.
type none struct{}

var done = &none{}

// Resource builders. An action that names a user, group, role, policy or
// device is authorized on that entity; list and settings calls on the
// account's wildcard names.

func userARN(p *model.Principal, name string) string { return model.UserARN(p.AccountID, name) }

// selfOrUser is the user a call without UserName acts on: the calling RAM
// user itself, or the root user.
func selfOrUser(p *model.Principal, name string) string {
	if name != "" {
		return userARN(p, name)
	}
	if p.Kind == model.RAMUser {
		return userARN(p, p.UserName)
	}
	return model.RootARN(p.AccountID)
}

func groupARN(p *model.Principal, name string) string { return model.GroupARN(p.AccountID, name) }
func roleARN(p *model.Principal, name string) string  { return model.RoleARN(p.AccountID, name) }

func policyARN(p *model.Principal, policyType, name string) string {
	return model.PolicyARN(p.AccountID, policyType, name)
}

func customPolicyARN(p *model.Principal, name string) string {
	return policyARN(p, iam.PolicyTypeCustom, name)
}

func accountARN(p *model.Principal) string { return model.AccountResource(p.AccountID) }

// allOf is the wildcard name of every entity of a type, e.g.
// acs:ram::<account>:user/*, the resource of the list calls.
func allOf(p *model.Principal, typ string) string {
	return "acs:ram::" + p.AccountID + ":" + typ + "/*"
}

// pageOut is the paging part of a list response.
type pageOut struct {
	IsTruncated bool
	Marker      string `json:",omitempty"`
}

func pageInfo[T any](p iam.Page[T]) pageOut {
	return pageOut{IsTruncated: p.IsTruncated, Marker: p.Marker}
}

func pageReq(marker string, maxItems *int) iam.PageRequest {
	return iam.PageRequest{Marker: marker, MaxItems: maxItems}
}

// mapAll converts a list, never returning nil: the SDKs expect a JSON
// array, not null, inside every list wrapper.
func mapAll[T, U any](in []T, f func(*T) U) []U {
	out := make([]U, len(in))
	for i := range in {
		out[i] = f(&in[i])
	}
	return out
}

// missing reports a parameter the action needs but the binder could not
// require (because the parameter is optional in another product's shape).
func missing(name string) error {
	return apperr.BadRequest("MissingParameter."+name, "The input parameter %q that is mandatory for processing this request is not supplied.", name)
}

// ownedBy is the SelfService check of an action on the user the input
// names ("" = the caller): the security preference decides, no policy.
func ownedBy[In any](svc *iam.Service, what iam.SelfService, user func(*In) string) func(*api.Call, *In) (bool, error) {
	return func(c *api.Call, in *In) (bool, error) { return svc.AllowsSelfService(c.Tx, c.Caller, user(in), what) }
}
