package imsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

type groupNameIn struct {
	GroupName string `param:"GroupName,required"`
}

func onGroup(p *model.Principal, in *groupNameIn) string { return groupARN(p, in.GroupName) }

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

// A membership change is authorized on the group it changes, as in RAM.
func onMembership(p *model.Principal, in *membershipIn) string { return groupARN(p, in.GroupName) }

type groupListIn struct {
	Marker   string `param:"Marker"`
	MaxItems *int   `param:"MaxItems"`
}

type groupMembersIn struct {
	GroupName string `param:"GroupName,required"`
	Marker    string `param:"Marker"`
	MaxItems  *int   `param:"MaxItems"`
}

type groupResult struct{ Group groupOut }

type listGroupsOut struct {
	pageOut
	Groups struct{ Group []groupOut }
}

type userGroupOut struct {
	GroupId     string
	GroupName   string
	DisplayName string
	Comments    string
	JoinDate    string
}

type listGroupsForUserOut struct {
	Groups struct{ Group []userGroupOut }
}

type memberOut struct {
	UserId            string
	UserPrincipalName string
	DisplayName       string
	JoinDate          string
}

type listUsersForGroupOut struct {
	pageOut
	Users struct{ User []memberOut }
}

func registerGroups(r *api.Registry, svc *iam.Service) {
	api.Register(r, api.Action[createGroupIn, groupResult]{
		Spec:     spec("CreateGroup", true),
		Resource: func(p *model.Principal, in *createGroupIn) string { return groupARN(p, in.GroupName) },
		Handle: func(c *api.Call, in *createGroupIn) (*groupResult, error) {
			if err := checkDisplayName("DisplayName", in.DisplayName); err != nil {
				return nil, err
			}
			g, err := svc.CreateGroup(c.Tx, c.AccountID(), iam.NewGroup{Name: in.GroupName, DisplayName: in.DisplayName,
				Comments: in.Comments}, c.Now)
			if err != nil {
				return nil, err
			}
			return &groupResult{Group: toGroup(g)}, nil
		},
	})
	api.Register(r, api.Action[groupNameIn, groupResult]{
		Spec:     spec("GetGroup", false),
		Resource: onGroup,
		Handle: func(c *api.Call, in *groupNameIn) (*groupResult, error) {
			g, err := svc.GetGroup(c.Tx, c.AccountID(), in.GroupName)
			if err != nil {
				return nil, err
			}
			return &groupResult{Group: toGroup(g)}, nil
		},
	})
	api.Register(r, api.Action[updateGroupIn, groupResult]{
		Spec:     spec("UpdateGroup", true),
		Resource: func(p *model.Principal, in *updateGroupIn) string { return groupARN(p, in.GroupName) },
		Handle: func(c *api.Call, in *updateGroupIn) (*groupResult, error) {
			if err := checkDisplayName("NewDisplayName", in.NewDisplayName); err != nil {
				return nil, err
			}
			g, err := svc.UpdateGroup(c.Tx, c.AccountID(), in.GroupName, iam.GroupUpdate{NewName: in.NewGroupName,
				NewDisplayName: in.NewDisplayName, NewComments: in.NewComments}, c.Now)
			if err != nil {
				return nil, err
			}
			return &groupResult{Group: toGroup(g)}, nil
		},
	})
	api.Register(r, api.Action[groupNameIn, none]{
		Spec:     spec("DeleteGroup", true),
		Resource: onGroup,
		Handle: func(c *api.Call, in *groupNameIn) (*none, error) {
			return done, svc.DeleteGroup(c.Tx, c.AccountID(), in.GroupName)
		},
	})
	api.Register(r, api.Action[groupListIn, listGroupsOut]{
		Spec:     spec("ListGroups", false),
		Resource: func(p *model.Principal, _ *groupListIn) string { return allOf(p, "group") },
		Handle: func(c *api.Call, in *groupListIn) (*listGroupsOut, error) {
			page, err := svc.ListGroups(c.Tx, c.AccountID(), pageReq(in.Marker, in.MaxItems, 0, 0))
			if err != nil {
				return nil, err
			}
			out := &listGroupsOut{pageOut: pageInfo(page)}
			out.Groups.Group = mapAll(page.Items, toGroup)
			return out, nil
		},
	})
	api.Register(r, api.Action[membershipIn, none]{
		Spec:     spec("AddUserToGroup", true),
		Resource: onMembership,
		Handle: func(c *api.Call, in *membershipIn) (*none, error) {
			name, err := requiredUser(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			return done, svc.AddUserToGroup(c.Tx, c.AccountID(), name, in.GroupName, c.Now)
		},
	})
	api.Register(r, api.Action[membershipIn, none]{
		Spec:     spec("RemoveUserFromGroup", true),
		Resource: onMembership,
		Handle: func(c *api.Call, in *membershipIn) (*none, error) {
			name, err := requiredUser(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			return done, svc.RemoveUserFromGroup(c.Tx, c.AccountID(), name, in.GroupName)
		},
	})
	api.Register(r, api.Action[upnIn, listGroupsForUserOut]{
		Spec:     spec("ListGroupsForUser", false),
		Resource: onUPN,
		Handle: func(c *api.Call, in *upnIn) (*listGroupsForUserOut, error) {
			name, err := requiredUser(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			ms, err := svc.ListGroupsForUser(c.Tx, c.AccountID(), name)
			if err != nil {
				return nil, err
			}
			out := &listGroupsForUserOut{}
			out.Groups.Group = mapAll(ms, func(m *iam.GroupMembership) userGroupOut {
				return userGroupOut{GroupId: m.Group.ID, GroupName: m.Group.Name, DisplayName: m.Group.DisplayName,
					Comments: m.Group.Comments, JoinDate: fmtTime(m.Joined)}
			})
			return out, nil
		},
	})
	api.Register(r, api.Action[groupMembersIn, listUsersForGroupOut]{
		Spec:     spec("ListUsersForGroup", false),
		Resource: func(p *model.Principal, in *groupMembersIn) string { return groupARN(p, in.GroupName) },
		Handle: func(c *api.Call, in *groupMembersIn) (*listUsersForGroupOut, error) {
			domain, err := svc.DefaultDomain(c.Tx, c.AccountID())
			if err != nil {
				return nil, err
			}
			page, err := svc.ListUsersForGroup(c.Tx, c.AccountID(), in.GroupName, pageReq(in.Marker, in.MaxItems, 0, 0))
			if err != nil {
				return nil, err
			}
			out := &listUsersForGroupOut{pageOut: pageInfo(page)}
			out.Users.User = mapAll(page.Items, func(m *iam.UserMembership) memberOut {
				return memberOut{UserId: m.User.ID, UserPrincipalName: upn(&m.User, domain), DisplayName: m.User.DisplayName,
					JoinDate: fmtTime(m.Joined)}
			})
			return out, nil
		},
	})
}
