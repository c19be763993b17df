// Package imsapi declares the Ims 2019-08-15 user-management actions. They
// run on the same iam service and records as RAM; IMS names users by
// UserPrincipalName (<user>@<default domain>) or UserId, and its actions
// are authorized with the ram: prefix (ims:CreateUser is ram:CreateUser).
package imsapi

import (
	"strings"

	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/apperr"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// Product is Ims 2019-08-15; its actions need ram: permissions.
var Product = &api.Product{Code: "Ims", Version: "2019-08-15", Host: "ims.aliyuncs.com", Prefix: "ram"}

const (
	// maxIMSDisplayName is IMS's display-name limit (RAM allows 128).
	maxIMSDisplayName = 24
)

func spec(name string, write bool, secrets ...string) api.Spec {
	return api.Spec{Products: []*api.Product{Product}, Name: name, Write: write, Secrets: secrets}
}

type none struct{}

var done = &none{}

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
		return allOf(p, "user")
	case p.Kind == model.RAMUser:
		return model.UserARN(p.AccountID, p.UserName)
	}
	return model.RootARN(p.AccountID)
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

func groupARN(p *model.Principal, name string) string { return model.GroupARN(p.AccountID, name) }

func allOf(p *model.Principal, typ string) string {
	return "acs:ram::" + p.AccountID + ":" + typ + "/*"
}

func onAccount[In any](p *model.Principal, _ *In) string { return model.AccountResource(p.AccountID) }

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
		err = missing("UserPrincipalName")
	}
	return name, err
}

func missing(name string) error {
	return apperr.BadRequest("MissingParameter."+name, "The input parameter %q that is mandatory for processing this request is not supplied.", name)
}

// checkDisplayName applies IMS's shorter display-name limit.
func checkDisplayName(param, v string) error {
	if v == "" {
		return nil
	}
	return iam.CheckDisplayName(param, v, maxIMSDisplayName)
}

type pageOut struct {
	IsTruncated bool
	Marker      string `json:",omitempty"`
}

func pageInfo[T any](p iam.Page[T]) pageOut {
	return pageOut{IsTruncated: p.IsTruncated, Marker: p.Marker}
}

// IMS list defaults: ListUsers and ListUserBasicInfos return up to 1000
// items by default, ListVirtualMFADevices at most 100.
func pageReq(marker string, maxItems *int, def, max int) iam.PageRequest {
	return iam.PageRequest{Marker: marker, MaxItems: maxItems, Default: def, Max: max}
}

func mapAll[T, U any](in []T, f func(*T) U) []U {
	out := make([]U, len(in))
	for i := range in {
		out[i] = f(&in[i])
	}
	return out
}

var fmtTime = iam.FormatTime

// ownedBy is the SelfService check of an action on the user the input
// names by principal name ("" = the caller): the security preference
// decides, no policy. The handler still checks the name's domain.
func ownedBy[In any](svc *iam.Service, what iam.SelfService, upn func(*In) string) func(*api.Call, *In) (bool, error) {
	return func(c *api.Call, in *In) (bool, error) {
		return svc.AllowsSelfService(c.Tx, c.Caller, principalUser(upn(in)), what)
	}
}
