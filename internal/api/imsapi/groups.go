package imsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

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

type membershipIn struct {
	UserPrincipalName string `param:"UserPrincipalName,required"`
	GroupName         string `param:"GroupName,required"`
}

func (in membershipIn) principal() string { return in.UserPrincipalName }

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

type userGroupOut struct{ GroupId, GroupName, DisplayName, Comments, JoinDate string }

type listGroupsForUserOut struct {
	Groups struct{ Group []userGroupOut }
}

func toGroupsOfUser(ms []iam.GroupMembership) (out listGroupsForUserOut) {
	out.Groups.Group = iamapi.MapAll(ms, func(m *iam.GroupMembership) userGroupOut {
		return userGroupOut{GroupId: m.Group.ID, GroupName: m.Group.Name, DisplayName: m.Group.DisplayName,
			Comments: m.Group.Comments, JoinDate: fmtTime(m.Joined)}
	})
	return out
}

type memberOut struct{ UserId, UserPrincipalName, DisplayName, JoinDate string }

type listUsersForGroupOut struct {
	iamapi.PageOut
	Users struct{ User []memberOut }
}

func toMembers(page iam.Page[iam.UserMembership], domain string) (out listUsersForGroupOut) {
	out.PageOut = iamapi.PageInfo(page)
	out.Users.User = iamapi.MapAll(page.Items, func(m *iam.UserMembership) memberOut {
		return memberOut{UserId: m.User.ID, UserPrincipalName: upn(&m.User, domain), DisplayName: m.User.DisplayName,
			JoinDate: fmtTime(m.Joined)}
	})
	return out
}

// DeleteGroup is in iamapi: RAM and IMS share it.
func registerGroups(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ims.Write("CreateGroup"), onNewGroup, func(c *api.Call, in *createGroupIn) (*groupResult, error) {
		if err := checkDisplayName("DisplayName", in.DisplayName); err != nil {
			return nil, err
		}
		return api.Reply(toGroupResult)(svc.CreateGroup(c.Tx, c.AccountID(), iam.NewGroup{Name: in.GroupName,
			DisplayName: in.DisplayName, Comments: in.Comments}, c.Now))
	})
	api.Declare(r, ims.Read("GetGroup"), iamapi.OnGroup, func(c *api.Call, in *iamapi.GroupNameIn) (*groupResult, error) {
		return api.Reply(toGroupResult)(svc.GetGroup(c.Tx, c.AccountID(), in.GroupName))
	})
	api.Declare(r, ims.Write("UpdateGroup"), onGroupUpdate, func(c *api.Call, in *updateGroupIn) (*groupResult, error) {
		if err := checkDisplayName("NewDisplayName", in.NewDisplayName); err != nil {
			return nil, err
		}
		return api.Reply(toGroupResult)(svc.UpdateGroup(c.Tx, c.AccountID(), in.GroupName, iam.GroupUpdate{NewName: in.NewGroupName,
			NewDisplayName: in.NewDisplayName, NewComments: in.NewComments}, c.Now))
	})
	api.Declare(r, ims.Read("ListGroups"), iamapi.AllOf[iamapi.ListIn]("group"), func(c *api.Call, in *iamapi.ListIn) (*listGroupsOut, error) {
		return api.Reply(toGroupList)(svc.ListGroups(c.Tx, c.AccountID(), in.Page()))
	})
	api.Declare(r, ims.Write("AddUserToGroup"), onMembership,
		forUser(svc, func(c *api.Call, in *membershipIn, name string) (*api.NoOutput, error) {
			return api.Done(svc.AddUserToGroup(c.Tx, c.AccountID(), name, in.GroupName, c.Now))
		}))
	api.Declare(r, ims.Write("RemoveUserFromGroup"), onMembership,
		forUser(svc, func(c *api.Call, in *membershipIn, name string) (*api.NoOutput, error) {
			return api.Done(svc.RemoveUserFromGroup(c.Tx, c.AccountID(), name, in.GroupName))
		}))
	api.Declare(r, ims.Read("ListGroupsForUser"), onNamedUser[upnIn],
		forUser(svc, func(c *api.Call, _ *upnIn, name string) (*listGroupsForUserOut, error) {
			return api.Reply(toGroupsOfUser)(svc.ListGroupsForUser(c.Tx, c.AccountID(), name))
		}))
	api.Declare(r, ims.Read("ListUsersForGroup"), iamapi.OnMembers, func(c *api.Call, in *iamapi.GroupMembersIn) (*listUsersForGroupOut, error) {
		return withDomain(c, svc, toMembers)(svc.ListUsersForGroup(c.Tx, c.AccountID(), in.GroupName, in.Page()))
	})
}
