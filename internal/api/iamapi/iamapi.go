// Package iamapi holds what the two APIs over the iam service share. RAM
// (Ram 2015-05-01) names users by UserName; IMS (Ims 2019-08-15) by
// UserPrincipalName (<name>@<default domain>) or UserId. Both act on the
// same records and need ram: permissions (ims:CreateUser is
// ram:CreateUser), so the actions whose input and output are the same in
// both are declared here once, for both products (see Register), and
// ramapi and imsapi declare only what differs, with the helpers below.
package iamapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// RAM is Ram 2015-05-01.
var RAM = &api.Product{Code: "Ram", Version: "2015-05-01", Host: "ram.aliyuncs.com", Prefix: "ram"}

// IMS is Ims 2019-08-15; its actions need ram: permissions too.
var IMS = &api.Product{Code: "Ims", Version: "2019-08-15", Host: "ims.aliyuncs.com", Prefix: "ram"}

// Resource names. An action that names a user, group or device is
// authorized on that entity; list and settings calls on the account's
// wildcard names.

// UserARN names a user of the caller's account.
func UserARN(p *model.Principal, name string) string { return model.UserARN(p.AccountID, name) }

// SelfOrUser is the user a call acts on: the one it names, else the
// calling RAM user itself, or the root user.
func SelfOrUser(p *model.Principal, name string) string {
	if name != "" {
		return UserARN(p, name)
	}
	if p.Kind == model.RAMUser {
		return UserARN(p, p.UserName)
	}
	return model.RootARN(p.AccountID)
}

// GroupARN names a group of the caller's account.
func GroupARN(p *model.Principal, name string) string { return model.GroupARN(p.AccountID, name) }

// All is the wildcard name of every entity of a type, e.g.
// acs:ram::<account>:user/*, the resource of the list calls.
func All(p *model.Principal, typ string) string { return "acs:ram::" + p.AccountID + ":" + typ + "/*" }

// AllOf is the resource of a list call: every entity of a type.
func AllOf[In any](typ string) func(*model.Principal, *In) string {
	return func(p *model.Principal, _ *In) string { return All(p, typ) }
}

// OnAccount is the resource of the account-wide settings:
// acs:ram::<account>:*.
func OnAccount[In any](p *model.Principal, _ *In) string { return model.AccountResource(p.AccountID) }

// GroupNameIn is the input of the calls that name one group and nothing
// else.
type GroupNameIn struct {
	GroupName string `param:"GroupName,required"`
}

// OnGroup is the resource of a call on the group its input names.
func OnGroup(p *model.Principal, in *GroupNameIn) string { return GroupARN(p, in.GroupName) }

// OwnedBy is the SelfService check of an action on the user the input
// names ("" = the caller): the security preference decides, no policy.
func OwnedBy[In any](svc *iam.Service, what iam.SelfService, user func(*In) string) func(*api.Call, *In) (bool, error) {
	return func(c *api.Call, in *In) (bool, error) { return svc.AllowsSelfService(c.Tx, c.Caller, user(in), what) }
}

// IsTrue reads an optional flag.
func IsTrue(b *bool) bool { return b != nil && *b }

// Paging. Both products page with Marker and MaxItems and answer with
// IsTruncated and Marker before the list.

// ListIn is the input of the list calls that take nothing but paging.
type ListIn struct {
	Marker   string `param:"Marker"`
	MaxItems *int   `param:"MaxItems"`
}

// Page asks for the page the input names, with the service's defaults.
func (in *ListIn) Page() iam.PageRequest {
	return iam.PageRequest{Marker: in.Marker, MaxItems: in.MaxItems}
}

// GroupMembersIn is the input of ListUsersForGroup, authorized on the group.
type GroupMembersIn struct {
	GroupName string `param:"GroupName,required"`
	Marker    string `param:"Marker"`
	MaxItems  *int   `param:"MaxItems"`
}

// OnMembers is the resource of ListUsersForGroup.
func OnMembers(p *model.Principal, in *GroupMembersIn) string { return GroupARN(p, in.GroupName) }

// PageOut is the paging part of a list answer.
type PageOut struct {
	IsTruncated bool
	Marker      string `json:",omitempty"`
}

// Paged shapes a page of records into a list answer named outer.inner.
//
//	api.Reply(iamapi.Paged("Users", "User", toUser))(svc.ListUsers(...))
func Paged[T, U any](outer, inner string, shape func(*T) U) func(iam.Page[T]) api.List[U] {
	return func(p iam.Page[T]) api.List[U] {
		return api.ListOf(outer, inner, api.MapAll(p.Items, shape), PageOut{p.IsTruncated, p.Marker})
	}
}
