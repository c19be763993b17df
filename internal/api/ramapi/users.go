package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// userNameIn is the input of the calls that name one user and nothing else.
type userNameIn struct {
	UserName string `param:"UserName,required"`
}

func onUser(p *model.Principal, in *userNameIn) string { return userARN(p, in.UserName) }

type userResult struct{ User userOut }

type createUserIn struct {
	UserName    string `param:"UserName,required"`
	DisplayName string `param:"DisplayName"`
	MobilePhone string `param:"MobilePhone"`
	Email       string `param:"Email"`
	Comments    string `param:"Comments"`
}

type updateUserIn struct {
	UserName       string `param:"UserName,required"`
	NewUserName    string `param:"NewUserName"`
	NewDisplayName string `param:"NewDisplayName"`
	NewMobilePhone string `param:"NewMobilePhone"`
	NewEmail       string `param:"NewEmail"`
	NewComments    string `param:"NewComments"`
}

type listIn struct {
	Marker   string `param:"Marker"`
	MaxItems *int   `param:"MaxItems"`
}

type listUsersOut struct {
	pageOut
	Users struct{ User []userOut }
}

func registerUsers(r *api.Registry, svc *iam.Service) {
	api.Register(r, api.Action[createUserIn, userResult]{
		Spec:     spec("CreateUser", true),
		Resource: func(p *model.Principal, in *createUserIn) string { return userARN(p, in.UserName) },
		Handle: func(c *api.Call, in *createUserIn) (*userResult, error) {
			u, err := svc.CreateUser(c.Tx, c.AccountID(), iam.NewUser{Name: in.UserName, DisplayName: in.DisplayName,
				Email: in.Email, MobilePhone: in.MobilePhone, Comments: in.Comments}, c.Now)
			if err != nil {
				return nil, err
			}
			return &userResult{User: toUser(u)}, nil
		},
	})
	api.Register(r, api.Action[userNameIn, userResult]{
		Spec:     spec("GetUser", false),
		Resource: onUser,
		Handle: func(c *api.Call, in *userNameIn) (*userResult, error) {
			u, err := svc.GetUser(c.Tx, c.AccountID(), in.UserName)
			if err != nil {
				return nil, err
			}
			return &userResult{User: toUser(u)}, nil
		},
	})
	api.Register(r, api.Action[updateUserIn, userResult]{
		Spec:     spec("UpdateUser", true),
		Resource: func(p *model.Principal, in *updateUserIn) string { return userARN(p, in.UserName) },
		Handle: func(c *api.Call, in *updateUserIn) (*userResult, error) {
			u, err := svc.UpdateUser(c.Tx, c.AccountID(), in.UserName, iam.UserUpdate{NewName: in.NewUserName,
				NewDisplayName: in.NewDisplayName, NewEmail: in.NewEmail, NewMobilePhone: in.NewMobilePhone,
				NewComments: in.NewComments}, c.Now)
			if err != nil {
				return nil, err
			}
			return &userResult{User: toUser(u)}, nil
		},
	})
	api.Register(r, api.Action[userNameIn, none]{
		Spec:     spec("DeleteUser", true),
		Resource: onUser,
		Handle: func(c *api.Call, in *userNameIn) (*none, error) {
			return done, svc.DeleteUser(c.Tx, c.AccountID(), in.UserName)
		},
	})
	api.Register(r, api.Action[listIn, listUsersOut]{
		Spec:     spec("ListUsers", false),
		Resource: func(p *model.Principal, _ *listIn) string { return allOf(p, "user") },
		Handle: func(c *api.Call, in *listIn) (*listUsersOut, error) {
			page, err := svc.ListUsers(c.Tx, c.AccountID(), pageReq(in.Marker, in.MaxItems), nil)
			if err != nil {
				return nil, err
			}
			out := &listUsersOut{pageOut: pageInfo(page)}
			out.Users.User = mapAll(page.Items, toUser)
			return out, nil
		},
	})
}
