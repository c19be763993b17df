// Package imsapi declares the Ims 2019-08-15 user-management actions that
// differ from RAM's (iamapi declares those the two share). They run on the
// same iam service and records as RAM; IMS names users by
// UserPrincipalName (<user>@<default domain>) or UserId, shows them by
// principal name, and allows shorter display names.
package imsapi

import (
	"strings"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// Register adds the Ims 2019-08-15 actions that are IMS's alone;
// iamapi.Register adds the ones IMS shares with RAM.
func Register(r *api.Registry, svc *iam.Service) {
	registerUsers(r, svc) // with their login profiles and AccessKeys
	registerMFA(r, svc)
	registerGroups(r, svc)
	registerSettings(r, svc)
}

// Product is Ims 2019-08-15; its actions need ram: permissions.
var Product = iamapi.IMS

// ims declares the actions of IMS alone.
var ims = api.Products{Product}

var fmtTime = iam.FormatTime // the cloud's time format ("" for never)

// checkDisplayName applies IMS's display-name limit, 24 characters (RAM
// allows 128).
func checkDisplayName(param, v string) error {
	if v == "" {
		return nil
	}
	return iam.CheckDisplayName(param, v, 24)
}

// A userRef is how a call names a user: by UserPrincipalName, by UserId
// or (GetUser) by AccessKey. A call that names none acts on its caller.
type userRef struct{ upn, id, keyID string }

// An input that names a user says how.
type namesUser interface{ user() userRef }

// principalUser is the user name inside a UserPrincipalName; the domain is
// checked by the handler (which has the transaction).
func principalUser(upn string) string {
	name, _, _ := strings.Cut(upn, "@")
	return name
}

// resource is what a call on the user is authorized on. A user named by
// id or AccessKey is every user of the account here; resolve names the
// exact user when it exists.
func (u userRef) resource(p *model.Principal) string {
	switch {
	case u.upn != "":
		return iamapi.UserARN(p, principalUser(u.upn))
	case u.id != "" || u.keyID != "":
		return iamapi.All(p, "user")
	}
	return iamapi.SelfOrUser(p, "")
}

// resolve is the ResolveResource of a call on the user: its ARN read from
// the store, so a policy on user/<name> applies however the call names the
// user ("" keeps the static resource, exact for principal names).
func (u userRef) resolve(c *api.Call, svc *iam.Service) (string, error) {
	if u.upn != "" {
		return "", nil
	}
	name, err := u.name(c, svc)
	if name == "" {
		return "", err
	}
	return model.UserARN(c.AccountID(), name), err
}

// name finds the user's name, a principal name's domain checked; "" when
// the call names no user.
func (u userRef) name(c *api.Call, svc *iam.Service) (string, error) {
	var user *iam.User
	var err error
	switch {
	case u.upn != "":
		return svc.UserNameFromPrincipal(c.Tx, c.AccountID(), "UserPrincipalName", u.upn)
	case u.id != "":
		user, err = svc.GetUserByID(c.Tx, c.AccountID(), u.id)
	case u.keyID != "":
		user, err = svc.UserByAccessKey(c.Tx, c.AccountID(), u.keyID)
	default:
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return user.Name, nil
}

// onUser is the resource of a call on the user its input names.
func onUser[In namesUser](p *model.Principal, in *In) string { return (*in).user().resource(p) }

// forUser adapts a handler of a call on the user its input names: the
// handler gets the user's name ("" when the input names none).
func forUser[In namesUser, Out any](svc *iam.Service,
	handle func(*api.Call, *In, string) (*Out, error)) func(*api.Call, *In) (*Out, error) {
	return func(c *api.Call, in *In) (*Out, error) {
		name, err := (*in).user().name(c, svc)
		if err != nil {
			return nil, err
		}
		return handle(c, in, name)
	}
}

// userAction declares an action on a user the input must name, however
// it names it: authorized on that user as stored.
func userAction[In namesUser, Out any](r *api.Registry, svc *iam.Service, spec api.Spec,
	handle func(*api.Call, *In, string) (*Out, error)) {
	api.Register(r, api.Action[In, Out]{Spec: spec, Resource: onUser[In],
		ResolveResource: func(c *api.Call, in *In) (string, error) { return (*in).user().resolve(c, svc) },
		Handle: forUser(svc, func(c *api.Call, in *In, name string) (*Out, error) {
			if name == "" {
				return nil, apperr.MissingParameter("UserPrincipalName")
			}
			return handle(c, in, name)
		})})
}

// selfService declares an action on a user's own credentials: on the user
// the input names (the caller when it names none), which the security
// preference may let a user do to itself without a policy.
func selfService[In namesUser, Out any](r *api.Registry, svc *iam.Service, what iam.SelfService, spec api.Spec,
	handle func(*api.Call, *In, string) (*Out, error)) {
	api.Register(r, api.Action[In, Out]{Spec: spec, Resource: onUser[In], Handle: forUser(svc, handle),
		SelfService: ownedBy[In](svc, what)})
}

// ownedBy is the SelfService check of a call on the user its input names.
func ownedBy[In namesUser](svc *iam.Service, what iam.SelfService) func(*api.Call, *In) (bool, error) {
	return iamapi.OwnedBy(svc, what, func(in *In) string { return principalUser((*in).user().upn) })
}

// domain is the account's default domain, in which IMS shows users by
// principal name; the shapes that need it are its methods.
type domain string

// inDomain shapes a service result with one of domain's methods.
func inDomain[T, Out any](c *api.Call, svc *iam.Service, shape func(domain, T) Out) func(T, error) (*Out, error) {
	return func(v T, err error) (*Out, error) {
		var d string
		if err == nil {
			d, err = svc.DefaultDomain(c.Tx, c.AccountID())
		}
		return api.Reply(func(v T) Out { return shape(domain(d), v) })(v, err)
	}
}
