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
func onNewGroup(p *model.Principal, in *createGroupIn) string {
	return iamapi.GroupARN(p, in.GroupName)
}
func onUpdatedGroup(p *model.Principal, in *updateGroupIn) string {
	return iamapi.GroupARN(p, in.GroupName)
}
func onMembership(p *model.Principal, in *membershipIn) string {
	return iamapi.GroupARN(p, in.GroupName)
}

type groupResult struct{ Group groupOut }

func toGroupResult(g *iam.Group) groupResult { return groupResult{Group: toGroup(g)} }

type listGroupsOut struct {
	iamapi.PageOut
	Groups struct{ Group []groupOut }
}

func toGroupList(page iam.Page[iam.Group]) (out listGroupsOut) {
	out.PageOut, out.Groups.Group = iamapi.PageInfo(page), iamapi.MapAll(page.Items, toGroup)
	return out
}

type userGroupOut struct {
	GroupId   string
	GroupName string
	Comments  string
	JoinDate  string
}

type listGroupsForUserOut struct {
	Groups struct{ Group []userGroupOut }
}

func toGroupsOfUser(ms []iam.GroupMembership) (out listGroupsForUserOut) {
	out.Groups.Group = iamapi.MapAll(ms, func(m *iam.GroupMembership) userGroupOut {
		return userGroupOut{GroupId: m.Group.ID, GroupName: m.Group.Name, Comments: m.Group.Comments, JoinDate: fmtTime(m.Joined)}
	})
	return out
}

type memberOut struct {
	UserId      string
	UserName    string
	DisplayName string
	JoinDate    string
}

type listUsersForGroupOut struct {
	iamapi.PageOut
	Users struct{ User []memberOut }
}

func toMembers(page iam.Page[iam.UserMembership]) (out listUsersForGroupOut) {
	out.PageOut = iamapi.PageInfo(page)
	out.Users.User = iamapi.MapAll(page.Items, func(m *iam.UserMembership) memberOut {
		return memberOut{UserId: m.User.ID, UserName: m.User.Name, DisplayName: m.User.DisplayName, JoinDate: fmtTime(m.Joined)}
	})
	return out
}

// DeleteGroup is in iamapi: RAM and IMS share it.
func registerGroups(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ram.Write("CreateGroup"), onNewGroup, func(c *api.Call, in *createGroupIn) (*groupResult, error) {
		return api.Reply(toGroupResult)(svc.CreateGroup(c.Tx, c.AccountID(), iam.NewGroup{Name: in.GroupName, Comments: in.Comments}, c.Now))
	})
	api.Declare(r, ram.Read("GetGroup"), iamapi.OnGroup, func(c *api.Call, in *iamapi.GroupNameIn) (*groupResult, error) {
		return api.Reply(toGroupResult)(svc.GetGroup(c.Tx, c.AccountID(), in.GroupName))
	})
	api.Declare(r, ram.Write("UpdateGroup"), onUpdatedGroup, func(c *api.Call, in *updateGroupIn) (*groupResult, error) {
		return api.Reply(toGroupResult)(svc.UpdateGroup(c.Tx, c.AccountID(), in.GroupName,
			iam.GroupUpdate{NewName: in.NewGroupName, NewComments: in.NewComments}, c.Now))
	})
	api.Declare(r, ram.Read("ListGroups"), iamapi.AllOf[iamapi.ListIn]("group"), func(c *api.Call, in *iamapi.ListIn) (*listGroupsOut, error) {
		return api.Reply(toGroupList)(svc.ListGroups(c.Tx, c.AccountID(), in.Page()))
	})
	api.Declare(r, ram.Write("AddUserToGroup"), onMembership, func(c *api.Call, in *membershipIn) (*api.NoOutput, error) {
		return api.Done(svc.AddUserToGroup(c.Tx, c.AccountID(), in.UserName, in.GroupName, c.Now))
	})
	api.Declare(r, ram.Write("RemoveUserFromGroup"), onMembership, func(c *api.Call, in *membershipIn) (*api.NoOutput, error) {
		return api.Done(svc.RemoveUserFromGroup(c.Tx, c.AccountID(), in.UserName, in.GroupName))
	})
	api.Declare(r, ram.Read("ListGroupsForUser"), onUser, func(c *api.Call, in *userNameIn) (*listGroupsForUserOut, error) {
		return api.Reply(toGroupsOfUser)(svc.ListGroupsForUser(c.Tx, c.AccountID(), in.UserName))
	})
	api.Declare(r, ram.Read("ListUsersForGroup"), iamapi.OnMembers, func(c *api.Call, in *iamapi.GroupMembersIn) (*listUsersForGroupOut, error) {
		return api.Reply(toMembers)(svc.ListUsersForGroup(c.Tx, c.AccountID(), in.GroupName, in.Page()))
	})
}
