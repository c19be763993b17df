package imsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

type membershipIn struct {
	UserPrincipalName string `param:"UserPrincipalName,required"`
	GroupName         string `param:"GroupName,required"`
}

func (in membershipIn) user() userRef { return userRef{upn: in.UserPrincipalName} }

// IMS groups carry a DisplayName, which RAM's do not.

type createGroupIn struct {
	GroupName   string `param:"GroupName,required"`
	DisplayName string `param:"DisplayName"`
	Comments    string `param:"Comments"`
}

type updateGroupIn struct {
	GroupName      string `param:"GroupName,required"`
	NewGroupName   string `param:"NewGroupName"`
	NewDisplayName string `param:"NewDisplayName"`
	NewComments    string `param:"NewComments"`
}

// A call that creates, renames or changes the members of a group is
// authorized on that group, as in RAM.
func onNewGroup(p *model.Principal, in *createGroupIn) string {
	return iamapi.GroupARN(p, in.GroupName)
}
func onGroupUpdate(p *model.Principal, in *updateGroupIn) string {
	return iamapi.GroupARN(p, in.GroupName)
}
func onMembership(p *model.Principal, in *membershipIn) string {
	return iamapi.GroupARN(p, in.GroupName)
}

var asGroup = api.As("Group", toGroup)

type userGroupOut struct{ GroupId, GroupName, DisplayName, Comments, JoinDate string }

func toUserGroup(m *iam.GroupMembership) userGroupOut {
	return userGroupOut{GroupId: m.Group.ID, GroupName: m.Group.Name, DisplayName: m.Group.DisplayName,
		Comments: m.Group.Comments, JoinDate: fmtTime(m.Joined)}
}

type memberOut struct{ UserId, UserPrincipalName, DisplayName, JoinDate string }

func (d domain) members(p iam.Page[iam.UserMembership]) api.List[memberOut] {
	return iamapi.Paged("Users", "User", func(m *iam.UserMembership) memberOut {
		return memberOut{UserId: m.User.ID, UserPrincipalName: upn(&m.User, string(d)), DisplayName: m.User.DisplayName,
			JoinDate: fmtTime(m.Joined)}
	})(p)
}

// DeleteGroup is in iamapi: RAM and IMS share it.
func registerGroups(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ims.Write("CreateGroup"), onNewGroup, func(c *api.Call, in *createGroupIn) (*api.Object[groupOut], error) {
		if err := checkDisplayName("DisplayName", in.DisplayName); err != nil {
			return nil, err
		}
		return api.Reply(asGroup)(svc.CreateGroup(c.Tx, c.AccountID(), iam.NewGroup{Name: in.GroupName,
			DisplayName: in.DisplayName, Comments: in.Comments}, c.Now))
	})
	api.Declare(r, ims.Write("UpdateGroup"), onGroupUpdate, func(c *api.Call, in *updateGroupIn) (*api.Object[groupOut], error) {
		if err := checkDisplayName("NewDisplayName", in.NewDisplayName); err != nil {
			return nil, err
		}
		return api.Reply(asGroup)(svc.UpdateGroup(c.Tx, c.AccountID(), in.GroupName, iam.GroupUpdate{NewName: in.NewGroupName,
			NewDisplayName: in.NewDisplayName, NewComments: in.NewComments}, c.Now))
	})
	iamapi.RegisterGroupReads(r, svc, ims, toGroup)
	api.Declare(r, ims.Write("AddUserToGroup").Sensitive(), onMembership, forUser(svc,
		func(c *api.Call, in *membershipIn, name string) (*api.NoOutput, error) {
			return api.Done(svc.AddUserToGroup(c.Tx, c.AccountID(), name, in.GroupName, c.Now))
		}))
	api.Declare(r, ims.Write("RemoveUserFromGroup").Sensitive(), onMembership, forUser(svc,
		func(c *api.Call, in *membershipIn, name string) (*api.NoOutput, error) {
			return api.Done(svc.RemoveUserFromGroup(c.Tx, c.AccountID(), name, in.GroupName))
		}))
	userAction(r, svc, ims.Read("ListGroupsForUser"), func(c *api.Call, _ *upnIn, name string) (*api.List[userGroupOut], error) {
		return api.Reply(api.Listed("Groups", "Group", toUserGroup))(svc.ListGroupsForUser(c.Tx, c.AccountID(), name))
	})
	api.Declare(r, ims.Read("ListUsersForGroup"), iamapi.OnMembers,
		func(c *api.Call, in *iamapi.GroupMembersIn) (*api.List[memberOut], error) {
			page := iam.PageRequest{Marker: in.Marker, MaxItems: in.MaxItems}
			return inDomain(c, svc, domain.members)(svc.ListUsersForGroup(c.Tx, c.AccountID(), in.GroupName, page))
		})
}
