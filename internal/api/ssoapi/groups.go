package ssoapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/cloudsso"
)

// groupOut is the Group object.
type groupOut struct {
	GroupId       string
	GroupName     string
	Description   string
	ProvisionType string
	CreateTime    string
	UpdateTime    string
}

func toGroup(g *cloudsso.Group) groupOut {
	return groupOut{GroupId: g.ID, GroupName: g.Name, Description: g.Description, ProvisionType: g.ProvisionType,
		CreateTime: fmtTime(g.Created), UpdateTime: fmtTime(g.Updated)}
}

var asGroup = api.As("Group", toGroup)

type createGroupIn struct {
	inDirectory
	GroupName   string `param:"GroupName"`
	Description string `param:"Description"`
}

type groupIn struct {
	inDirectory
	GroupID string `param:"GroupId"`
}

type listGroupsIn struct {
	inDirectory
	pageIn
	Filter        string `param:"Filter"`
	ProvisionType string `param:"ProvisionType"`
}

type groupsOut struct {
	paging
	Groups []groupOut
}

type updateGroupIn struct {
	groupIn
	NewGroupName   *string `param:"NewGroupName"`
	NewDescription *string `param:"NewDescription"`
}

type membershipIn struct {
	groupIn
	UserID string `param:"UserId"`
}

type groupMembersIn struct {
	groupIn
	pageIn
}

type groupMemberOut struct {
	GroupId       string
	UserId        string
	UserName      string
	DisplayName   string
	Email         string
	Description   string
	Status        string
	ProvisionType string
	JoinTime      string
}

type groupMembersOut struct {
	paging
	GroupMembers []groupMemberOut
}

type joinedGroupsIn struct {
	userIn
	pageIn
}

type joinedGroupOut struct {
	GroupId       string
	GroupName     string
	Description   string
	ProvisionType string
	UserId        string
	JoinTime      string
}

type joinedGroupsOut struct {
	paging
	JoinedGroups []joinedGroupOut
}

func registerGroups(r *api.Registry, svc *cloudsso.Service) {
	api.Declare(r, sso.Write("CreateGroup"), onDirectory[createGroupIn],
		func(c *api.Call, in *createGroupIn) (*api.Object[groupOut], error) {
			return api.Reply(asGroup)(svc.CreateGroup(c.Tx, c.AccountID(), in.DirectoryID, in.GroupName, in.Description, c.Now))
		})
	api.Declare(r, sso.Read("GetGroup"), onDirectory[groupIn],
		func(c *api.Call, in *groupIn) (*api.Object[groupOut], error) {
			return api.Reply(asGroup)(svc.GetGroup(c.Tx, c.AccountID(), in.DirectoryID, in.GroupID))
		})
	api.Declare(r, sso.Read("ListGroups"), onDirectory[listGroupsIn],
		func(c *api.Call, in *listGroupsIn) (*groupsOut, error) {
			l, err := svc.ListGroups(c.Tx, c.AccountID(), in.DirectoryID, cloudsso.GroupFilter{
				Filter: in.Filter, ProvisionType: in.ProvisionType}, in.page())
			if err != nil {
				return nil, err
			}
			return &groupsOut{paging: pagingOf(l), Groups: api.MapAll(l.Items, toGroup)}, nil
		})
	api.Declare(r, sso.Write("UpdateGroup"), onDirectory[updateGroupIn],
		func(c *api.Call, in *updateGroupIn) (*api.Object[groupOut], error) {
			return api.Reply(asGroup)(svc.UpdateGroup(c.Tx, c.AccountID(), in.DirectoryID, in.GroupID, in.NewGroupName, in.NewDescription, c.Now))
		})
	api.Declare(r, sso.Write("DeleteGroup"), onDirectory[groupIn],
		func(c *api.Call, in *groupIn) (*api.NoOutput, error) {
			return api.Done(svc.DeleteGroup(c.Tx, c.AccountID(), in.DirectoryID, in.GroupID, c.Now))
		})
	api.Declare(r, sso.Write("AddUserToGroup").Sensitive(), onDirectory[membershipIn],
		func(c *api.Call, in *membershipIn) (*api.NoOutput, error) {
			return api.Done(svc.AddUserToGroup(c.Tx, c.AccountID(), in.DirectoryID, in.GroupID, in.UserID, c.Now))
		})
	api.Declare(r, sso.Write("RemoveUserFromGroup").Sensitive(), onDirectory[membershipIn],
		func(c *api.Call, in *membershipIn) (*api.NoOutput, error) {
			return api.Done(svc.RemoveUserFromGroup(c.Tx, c.AccountID(), in.DirectoryID, in.GroupID, in.UserID, c.Now))
		})
	api.Declare(r, sso.Read("ListGroupMembers"), onDirectory[groupMembersIn],
		func(c *api.Call, in *groupMembersIn) (*groupMembersOut, error) {
			l, err := svc.ListGroupMembers(c.Tx, c.AccountID(), in.DirectoryID, in.GroupID, in.page())
			if err != nil {
				return nil, err
			}
			return &groupMembersOut{paging: pagingOf(l), GroupMembers: api.MapAll(l.Items, func(m *cloudsso.Member) groupMemberOut {
				u := &m.User
				return groupMemberOut{GroupId: in.GroupID, UserId: u.ID, UserName: u.Name, DisplayName: u.DisplayName,
					Email: u.Email, Description: u.Description, Status: u.Status, ProvisionType: u.ProvisionType,
					JoinTime: fmtTime(m.Joined)}
			})}, nil
		})
	api.Declare(r, sso.Read("ListJoinedGroupsForUser"), onDirectory[joinedGroupsIn],
		func(c *api.Call, in *joinedGroupsIn) (*joinedGroupsOut, error) {
			l, err := svc.ListJoinedGroupsForUser(c.Tx, c.AccountID(), in.DirectoryID, in.UserID, in.page())
			if err != nil {
				return nil, err
			}
			return &joinedGroupsOut{paging: pagingOf(l), JoinedGroups: api.MapAll(l.Items, func(j *cloudsso.JoinedGroup) joinedGroupOut {
				g := &j.Group
				return joinedGroupOut{GroupId: g.ID, GroupName: g.Name, Description: g.Description,
					ProvisionType: g.ProvisionType, UserId: j.UserID, JoinTime: fmtTime(j.Joined)}
			})}, nil
		})
}
