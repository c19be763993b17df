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
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// Product is Ims 2019-08-15; its actions need ram: permissions.
var Product = iamapi.IMS

// ims declares the actions of IMS alone.
var ims = api.Products{Product}

// Register adds the Ims 2019-08-15 actions that are IMS's alone;
// iamapi.Register adds the ones IMS shares with RAM.
func Register(r *api.Registry, svc *iam.Service) {
	registerUsers(r, svc)
	registerAccessKeys(r, svc)
	registerMFA(r, svc)
	registerGroups(r, svc)
	registerSettings(r, svc)
}

// fmtTime is the cloud's time format ("" for never).
var fmtTime = iam.FormatTime

// checkDisplayName applies IMS's display-name limit: 24 characters (RAM
// allows 128).
func checkDisplayName(param, v string) error {
	if v == "" {
		return nil
	}
	return iam.CheckDisplayName(param, v, 24)
}

// principalUser is the user name inside a UserPrincipalName; the domain is
// checked by the handler (which has the transaction).
func principalUser(upn string) string {
	name, _, _ := strings.Cut(upn, "@")
	return name
}

// userResource is the resource of a call that names a user by principal
// name; with neither a principal name nor an id it is the caller itself. A
// call that names the user by id only falls back to every user of the
// account here; resolvedUser gives the exact user when it exists.
func userResource(p *model.Principal, upn, id string) string {
	switch {
	case upn != "":
		return model.UserARN(p.AccountID, principalUser(upn))
	case id != "":
		return iamapi.All(p, "user")
	}
	return iamapi.SelfOrUser(p, "")
}

// resolvedUser is the ResolveResource of calls that may name a user by id
// (or, for GetUser, by AccessKey): the user's ARN read from the store, so a
// policy on user/<name> applies however the call names the user. "" keeps
// the static resource, which is already exact for principal names.
func resolvedUser(c *api.Call, svc *iam.Service, upn, id, keyID string) (string, error) {
	var u *iam.User
	var err error
	switch {
	case upn != "":
		return "", nil
	case id != "":
		u, err = svc.GetUserByID(c.Tx, c.AccountID(), id)
	case keyID != "":
		u, err = svc.UserByAccessKey(c.Tx, c.AccountID(), keyID)
	default:
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return model.UserARN(c.AccountID(), u.Name), nil
}

// userName resolves the user a call names: by UserPrincipalName, else by
// UserId; "" when it names neither (the caller itself, where allowed).
func userName(c *api.Call, svc *iam.Service, upn, id string) (string, error) {
	switch {
	case upn != "":
		return svc.UserNameFromPrincipal(c.Tx, c.AccountID(), "UserPrincipalName", upn)
	case id != "":
		u, err := svc.GetUserByID(c.Tx, c.AccountID(), id)
		if err != nil {
			return "", err
		}
		return u.Name, nil
	}
	return "", nil
}

// requiredUser is userName for calls that must name a user.
func requiredUser(c *api.Call, svc *iam.Service, upn, id string) (string, error) {
	name, err := userName(c, svc, upn, id)
	if err == nil && name == "" {
		err = iamapi.Missing("UserPrincipalName")
	}
	return name, err
}

// namesUser is an input that names its user by principal name alone (""
// = the caller, for the calls that allow it).
type namesUser interface{ principal() string }

// onNamedUser is the resource of a call on the user its input names.
func onNamedUser[In namesUser](p *model.Principal, in *In) string {
	return userResource(p, (*in).principal(), "")
}

// forUser adapts a handler of a call on the user its input names: the
// handler gets the user's name, its domain checked ("" when it names none).
func forUser[In namesUser, Out any](svc *iam.Service, handle func(c *api.Call, in *In, name string) (*Out, error)) func(*api.Call, *In) (*Out, error) {
	return func(c *api.Call, in *In) (*Out, error) {
		name, err := userName(c, svc, (*in).principal(), "")
		if err != nil {
			return nil, err
		}
		return handle(c, in, name)
	}
}

// ownedBy is the SelfService check of a call on the user its input names:
// the security preference may let a user do it to itself.
func ownedBy[In namesUser](svc *iam.Service, what iam.SelfService) func(*api.Call, *In) (bool, error) {
	return iamapi.OwnedBy(svc, what, func(in *In) string { return principalUser((*in).principal()) })
}

// selfService declares an action on a user's own credentials: on the user
// the input names (the caller when it names none), which the security
// preference may let a user do to itself without a policy.
func selfService[In namesUser, Out any](r *api.Registry, svc *iam.Service, what iam.SelfService, spec api.Spec,
	handle func(c *api.Call, in *In, name string) (*Out, error)) {
	api.Register(r, api.Action[In, Out]{Spec: spec, Resource: onNamedUser[In], Handle: forUser(svc, handle),
		SelfService: ownedBy[In](svc, what)})
}

// withDomain shapes a result that shows users by principal name, which
// needs the account's default domain.
func withDomain[T, Out any](c *api.Call, svc *iam.Service, shape func(T, string) Out) func(T, error) (*Out, error) {
	return func(v T, err error) (*Out, error) {
		if err != nil {
			return nil, err
		}
		domain, err := svc.DefaultDomain(c.Tx, c.AccountID())
		if err != nil {
			return nil, err
		}
		out := shape(v, domain)
		return &out, nil
	}
}
