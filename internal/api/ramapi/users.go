package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

type createUserIn struct {
	UserName    string `param:"UserName,required"`
	DisplayName string `param:"DisplayName"`
	MobilePhone string `param:"MobilePhone"`
	Email       string `param:"Email"`
	Comments    string `param:"Comments"`
}

func onNewUser(p *model.Principal, in *createUserIn) string { return iamapi.UserARN(p, in.UserName) }

type updateUserIn struct {
	UserName       string `param:"UserName,required"`
	NewUserName    string `param:"NewUserName"`
	NewDisplayName string `param:"NewDisplayName"`
	NewMobilePhone string `param:"NewMobilePhone"`
	NewEmail       string `param:"NewEmail"`
	NewComments    string `param:"NewComments"`
}

func onUpdatedUser(p *model.Principal, in *updateUserIn) string {
	return iamapi.UserARN(p, in.UserName)
}

type userResult struct{ User userOut }

func toUserResult(u *iam.User) userResult { return userResult{User: toUser(u)} }

type listUsersOut struct {
	iamapi.PageOut
	Users struct{ User []userOut }
}

func toListUsers(page iam.Page[iam.User]) (out listUsersOut) {
	out.PageOut, out.Users.User = iamapi.PageInfo(page), iamapi.MapAll(page.Items, toUser)
	return out
}

func registerUsers(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ram.Write("CreateUser"), onNewUser, func(c *api.Call, in *createUserIn) (*userResult, error) {
		return api.Reply(toUserResult)(svc.CreateUser(c.Tx, c.AccountID(), iam.NewUser{Name: in.UserName,
			DisplayName: in.DisplayName, Email: in.Email, MobilePhone: in.MobilePhone, Comments: in.Comments}, c.Now))
	})
	api.Declare(r, ram.Read("GetUser"), onUser, func(c *api.Call, in *userNameIn) (*userResult, error) {
		return api.Reply(toUserResult)(svc.GetUser(c.Tx, c.AccountID(), in.UserName))
	})
	api.Declare(r, ram.Write("UpdateUser"), onUpdatedUser, func(c *api.Call, in *updateUserIn) (*userResult, error) {
		return api.Reply(toUserResult)(svc.UpdateUser(c.Tx, c.AccountID(), in.UserName, iam.UserUpdate{NewName: in.NewUserName,
			NewDisplayName: in.NewDisplayName, NewEmail: in.NewEmail, NewMobilePhone: in.NewMobilePhone,
			NewComments: in.NewComments}, c.Now))
	})
	api.Declare(r, ram.Write("DeleteUser"), onUser, func(c *api.Call, in *userNameIn) (*api.NoOutput, error) {
		return api.Done(svc.DeleteUser(c.Tx, c.AccountID(), in.UserName))
	})
	api.Declare(r, ram.Read("ListUsers"), iamapi.AllOf[iamapi.ListIn]("user"), func(c *api.Call, in *iamapi.ListIn) (*listUsersOut, error) {
		return api.Reply(toListUsers)(svc.ListUsers(c.Tx, c.AccountID(), in.Page(), nil))
	})
}
