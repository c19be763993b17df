package imsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// userIn names a user by principal name or id.
type userIn struct {
	UserPrincipalName string `param:"UserPrincipalName"`
	UserId            string `param:"UserId"`
}

func onUser(p *model.Principal, in *userIn) string {
	return userResource(p, in.UserPrincipalName, in.UserId)
}

type tagIn struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

func tags(in []tagIn) []iam.Tag {
	out := make([]iam.Tag, len(in))
	for i, t := range in {
		out[i] = iam.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

type createUserIn struct {
	UserPrincipalName string  `param:"UserPrincipalName,required"`
	DisplayName       string  `param:"DisplayName,required"`
	MobilePhone       string  `param:"MobilePhone"`
	Email             string  `param:"Email"`
	Comments          string  `param:"Comments"`
	Tag               []tagIn `param:"Tag"`
}

type getUserIn struct {
	UserPrincipalName string `param:"UserPrincipalName"`
	UserId            string `param:"UserId"`
	UserAccessKeyId   string `param:"UserAccessKeyId"`
}

type updateUserIn struct {
	UserPrincipalName    string `param:"UserPrincipalName"`
	UserId               string `param:"UserId"`
	NewUserPrincipalName string `param:"NewUserPrincipalName"`
	NewDisplayName       string `param:"NewDisplayName"`
	NewMobilePhone       string `param:"NewMobilePhone"`
	NewEmail             string `param:"NewEmail"`
	NewComments          string `param:"NewComments"`
}

type listUsersIn struct {
	Marker   string  `param:"Marker"`
	MaxItems *int    `param:"MaxItems"`
	Status   string  `param:"Status"`
	Tag      []tagIn `param:"Tag"`
}

type userResult struct{ User userOut }

type listUsersOut struct {
	pageOut
	Users struct{ User []userOut }
}

type basicInfoOut struct {
	UserId            string
	UserPrincipalName string
	DisplayName       string
	Status            string
}

type listBasicInfosOut struct {
	pageOut
	UserBasicInfos struct{ UserBasicInfo []basicInfoOut }
}

// IMS user lists return up to 1000 users by default.
const defaultUserPage = 1000

func registerUsers(r *api.Registry, svc *iam.Service) {
	api.Register(r, api.Action[createUserIn, userResult]{
		Spec: spec("CreateUser", true),
		Resource: func(p *model.Principal, in *createUserIn) string {
			return model.UserARN(p.AccountID, principalUser(in.UserPrincipalName))
		},
		Handle: func(c *api.Call, in *createUserIn) (*userResult, error) {
			name, err := svc.UserNameFromPrincipal(c.Tx, c.AccountID(), "UserPrincipalName", in.UserPrincipalName)
			if err != nil {
				return nil, err
			}
			if err := checkDisplayName("DisplayName", in.DisplayName); err != nil {
				return nil, err
			}
			u, err := svc.CreateUser(c.Tx, c.AccountID(), iam.NewUser{Name: name, DisplayName: in.DisplayName,
				Email: in.Email, MobilePhone: in.MobilePhone, Comments: in.Comments, Tags: tags(in.Tag)}, c.Now)
			if err != nil {
				return nil, err
			}
			return userResponse(c, svc, u)
		},
	})
	api.Register(r, api.Action[getUserIn, userResult]{
		Spec: spec("GetUser", false),
		Resource: func(p *model.Principal, in *getUserIn) string {
			if in.UserPrincipalName == "" && in.UserId == "" && in.UserAccessKeyId != "" {
				return allOf(p, "user")
			}
			return userResource(p, in.UserPrincipalName, in.UserId)
		},
		ResolveResource: func(c *api.Call, in *getUserIn) (string, error) {
			return resolvedUser(c, svc, in.UserPrincipalName, in.UserId, in.UserAccessKeyId)
		},
		Handle: func(c *api.Call, in *getUserIn) (*userResult, error) {
			var u *iam.User
			name, err := userName(c, svc, in.UserPrincipalName, in.UserId)
			switch {
			case err != nil:
				return nil, err
			case name != "":
				u, err = svc.GetUser(c.Tx, c.AccountID(), name)
			case in.UserAccessKeyId != "":
				u, err = svc.UserByAccessKey(c.Tx, c.AccountID(), in.UserAccessKeyId)
			default:
				err = missing("UserPrincipalName")
			}
			if err != nil {
				return nil, err
			}
			return userResponse(c, svc, u)
		},
	})
	api.Register(r, api.Action[updateUserIn, userResult]{
		Spec: spec("UpdateUser", true),
		Resource: func(p *model.Principal, in *updateUserIn) string {
			return userResource(p, in.UserPrincipalName, in.UserId)
		},
		ResolveResource: func(c *api.Call, in *updateUserIn) (string, error) {
			return resolvedUser(c, svc, in.UserPrincipalName, in.UserId, "")
		},
		Handle: func(c *api.Call, in *updateUserIn) (*userResult, error) {
			name, err := requiredUser(c, svc, in.UserPrincipalName, in.UserId)
			if err != nil {
				return nil, err
			}
			var newName string
			if in.NewUserPrincipalName != "" {
				if newName, err = svc.UserNameFromPrincipal(c.Tx, c.AccountID(), "NewUserPrincipalName", in.NewUserPrincipalName); err != nil {
					return nil, err
				}
			}
			if err := checkDisplayName("NewDisplayName", in.NewDisplayName); err != nil {
				return nil, err
			}
			u, err := svc.UpdateUser(c.Tx, c.AccountID(), name, iam.UserUpdate{NewName: newName, NewDisplayName: in.NewDisplayName,
				NewEmail: in.NewEmail, NewMobilePhone: in.NewMobilePhone, NewComments: in.NewComments}, c.Now)
			if err != nil {
				return nil, err
			}
			return userResponse(c, svc, u)
		},
	})
	api.Register(r, api.Action[userIn, none]{
		Spec:     spec("DeleteUser", true),
		Resource: onUser,
		ResolveResource: func(c *api.Call, in *userIn) (string, error) {
			return resolvedUser(c, svc, in.UserPrincipalName, in.UserId, "")
		},
		Handle: func(c *api.Call, in *userIn) (*none, error) {
			name, err := requiredUser(c, svc, in.UserPrincipalName, in.UserId)
			if err != nil {
				return nil, err
			}
			return done, svc.DeleteUser(c.Tx, c.AccountID(), name)
		},
	})
	api.Register(r, api.Action[listUsersIn, listUsersOut]{
		Spec:     spec("ListUsers", false),
		Resource: func(p *model.Principal, _ *listUsersIn) string { return allOf(p, "user") },
		Handle: func(c *api.Call, in *listUsersIn) (*listUsersOut, error) {
			page, domain, err := listUsers(c, svc, in)
			if err != nil {
				return nil, err
			}
			out := &listUsersOut{pageOut: pageInfo(page)}
			out.Users.User = mapAll(page.Items, func(u *iam.User) userOut { return toUser(u, domain) })
			return out, nil
		},
	})
	api.Register(r, api.Action[listUsersIn, listBasicInfosOut]{
		Spec:     spec("ListUserBasicInfos", false),
		Resource: func(p *model.Principal, _ *listUsersIn) string { return allOf(p, "user") },
		Handle: func(c *api.Call, in *listUsersIn) (*listBasicInfosOut, error) {
			page, domain, err := listUsers(c, svc, in)
			if err != nil {
				return nil, err
			}
			out := &listBasicInfosOut{pageOut: pageInfo(page)}
			out.UserBasicInfos.UserBasicInfo = mapAll(page.Items, func(u *iam.User) basicInfoOut {
				return basicInfoOut{UserId: u.ID, UserPrincipalName: upn(u, domain), DisplayName: u.DisplayName, Status: userActive}
			})
			return out, nil
		},
	})
}

func userResponse(c *api.Call, svc *iam.Service, u *iam.User) (*userResult, error) {
	domain, err := svc.DefaultDomain(c.Tx, c.AccountID())
	if err != nil {
		return nil, err
	}
	return &userResult{User: toUser(u, domain)}, nil
}

// listUsers pages through the users that carry every requested tag (and
// have the requested status: every user here is Active).
func listUsers(c *api.Call, svc *iam.Service, in *listUsersIn) (iam.Page[iam.User], string, error) {
	domain, err := svc.DefaultDomain(c.Tx, c.AccountID())
	if err != nil {
		return iam.Page[iam.User]{}, "", err
	}
	var keep func(*iam.User) bool
	if len(in.Tag) > 0 || in.Status != "" {
		keep = func(u *iam.User) bool {
			if in.Status != "" && in.Status != userActive {
				return false
			}
			for _, want := range in.Tag {
				if !hasTag(u, want) {
					return false
				}
			}
			return true
		}
	}
	page, err := svc.ListUsers(c.Tx, c.AccountID(), pageReq(in.Marker, in.MaxItems, defaultUserPage, iam.MaxMaxItems), keep)
	return page, domain, err
}

func hasTag(u *iam.User, want tagIn) bool {
	for _, t := range u.Tags {
		if t.Key == want.Key && (want.Value == "" || t.Value == want.Value) {
			return true
		}
	}
	return false
}
