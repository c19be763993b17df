package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

type createGroupIn struct {
	GroupName string `param:"GroupName,required"`
	Comments  string `param:"Comments"`
}

type updateGroupIn struct {
	GroupName    string `param:"GroupName,required"`
	NewGroupName string `param:"NewGroupName"`
	NewComments  string `param:"NewComments"`
}

type membershipIn struct {
	UserName  string `param:"UserName,required"`
	GroupName string `param:"GroupName,required"`
}

// A call that creates, renames or changes the members of a group is
// authorized on that group.
func onNewGroup(p *model.Principal, in *createGroupIn) string    { return groupARN(p, in.GroupName) }
func onGroupUpdate(p *model.Principal, in *updateGroupIn) string { return groupARN(p, in.GroupName) }
func onMembership(p *model.Principal, in *membershipIn) string   { return groupARN(p, in.GroupName) }

var asGroup = api.As("Group", toGroup)

type userGroupOut struct{ GroupId, GroupName, Comments, JoinDate string }

func toUserGroup(m *iam.GroupMembership) userGroupOut {
	return userGroupOut{GroupId: m.Group.ID, GroupName: m.Group.Name, Comments: m.Group.Comments, JoinDate: fmtTime(m.Joined)}
}

type memberOut struct{ UserId, UserName, DisplayName, JoinDate string }

func toMember(m *iam.UserMembership) memberOut {
	return memberOut{UserId: m.User.ID, UserName: m.User.Name, DisplayName: m.User.DisplayName, JoinDate: fmtTime(m.Joined)}
}

// DeleteGroup is in iamapi: RAM and IMS share it.
func registerGroups(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ram.Write("CreateGroup"), onNewGroup, func(c *api.Call, in *createGroupIn) (*api.Object[groupOut], error) {
		return api.Reply(asGroup)(svc.CreateGroup(c.Tx, c.AccountID(), iam.NewGroup{Name: in.GroupName, Comments: in.Comments}, c.Now))
	})
	api.Declare(r, ram.Write("UpdateGroup"), onGroupUpdate, func(c *api.Call, in *updateGroupIn) (*api.Object[groupOut], error) {
		return api.Reply(asGroup)(svc.UpdateGroup(c.Tx, c.AccountID(), in.GroupName,
			iam.GroupUpdate{NewName: in.NewGroupName, NewComments: in.NewComments}, c.Now))
	})
	iamapi.RegisterGroupReads(r, svc, ram, toGroup)
	api.Declare(r, ram.Write("AddUserToGroup").Sensitive(), onMembership, func(c *api.Call, in *membershipIn) (*api.NoOutput, error) {
		return api.Done(svc.AddUserToGroup(c.Tx, c.AccountID(), in.UserName, in.GroupName, c.Now))
	})
	api.Declare(r, ram.Write("RemoveUserFromGroup").Sensitive(), onMembership, func(c *api.Call, in *membershipIn) (*api.NoOutput, error) {
		return api.Done(svc.RemoveUserFromGroup(c.Tx, c.AccountID(), in.UserName, in.GroupName))
	})
	api.Declare(r, ram.Read("ListGroupsForUser").Remembered(), onUser, func(c *api.Call, in *userNameIn) (*api.List[userGroupOut], error) {
		return api.Reply(api.Listed("Groups", "Group", toUserGroup))(svc.ListGroupsForUser(c.Tx, c.AccountID(), in.UserName))
	})
	api.Declare(r, ram.Read("ListUsersForGroup").Remembered(), iamapi.OnMembers,
		func(c *api.Call, in *iamapi.GroupMembersIn) (*api.List[memberOut], error) {
			page := iam.PageRequest{Marker: in.Marker, MaxItems: in.MaxItems}
			return api.Reply(iamapi.Paged("Users", "User", toMember))(svc.ListUsersForGroup(c.Tx, c.AccountID(), in.GroupName, page))
		})
}
