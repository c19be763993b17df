package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/apperr"
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

type updateUserIn struct {
	UserName       string `param:"UserName,required"`
	NewUserName    string `param:"NewUserName"`
	NewDisplayName string `param:"NewDisplayName"`
	NewMobilePhone string `param:"NewMobilePhone"`
	NewEmail       string `param:"NewEmail"`
	NewComments    string `param:"NewComments"`
}

type loginProfileIn struct {
	UserName              string `param:"UserName,required"`
	Password              string `param:"Password"`
	PasswordResetRequired *bool  `param:"PasswordResetRequired"`
	MFABindRequired       *bool  `param:"MFABindRequired"`
}

func onNewUser(p *model.Principal, in *createUserIn) string    { return userARN(p, in.UserName) }
func onUserUpdate(p *model.Principal, in *updateUserIn) string { return userARN(p, in.UserName) }
func onProfile(p *model.Principal, in *loginProfileIn) string  { return userARN(p, in.UserName) }

var (
	asUser    = api.As("User", toUser)
	asProfile = api.As("LoginProfile", toLoginProfile)
)

// ChangePassword is in iamapi: RAM and IMS share it.
func registerUsers(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ram.Write("CreateUser"), onNewUser, func(c *api.Call, in *createUserIn) (*api.Object[userOut], error) {
		return api.Reply(asUser)(svc.CreateUser(c.Tx, c.AccountID(), iam.NewUser{Name: in.UserName,
			DisplayName: in.DisplayName, Email: in.Email, MobilePhone: in.MobilePhone, Comments: in.Comments}, c.Now))
	})
	api.Declare(r, ram.Read("GetUser").Remembered(), onUser, func(c *api.Call, in *userNameIn) (*api.Object[userOut], error) {
		return api.Reply(asUser)(svc.GetUser(c.Tx, c.AccountID(), in.UserName))
	})
	api.Declare(r, ram.Write("UpdateUser"), onUserUpdate, func(c *api.Call, in *updateUserIn) (*api.Object[userOut], error) {
		return api.Reply(asUser)(svc.UpdateUser(c.Tx, c.AccountID(), in.UserName, iam.UserUpdate{NewName: in.NewUserName,
			NewDisplayName: in.NewDisplayName, NewEmail: in.NewEmail, NewMobilePhone: in.NewMobilePhone,
			NewComments: in.NewComments}, c.Now))
	})
	api.Declare(r, ram.Write("DeleteUser").Sensitive(), onUser, func(c *api.Call, in *userNameIn) (*api.NoOutput, error) {
		return api.Done(svc.DeleteUser(c.Tx, c.AccountID(), in.UserName))
	})
	api.Declare(r, ram.Read("ListUsers").Remembered(), iamapi.AllOf[iamapi.ListIn]("user"),
		func(c *api.Call, in *iamapi.ListIn) (*api.List[userOut], error) {
			return api.Reply(iamapi.Paged("Users", "User", toUser))(svc.ListUsers(c.Tx, c.AccountID(), in.Page(), nil))
		})
	api.Declare(r, ram.Write("CreateLoginProfile", "Password").Sensitive(), onProfile,
		func(c *api.Call, in *loginProfileIn) (*api.Object[loginProfileOut], error) {
			if in.Password == "" { // RAM never generates one (IMS may)
				return nil, apperr.MissingParameter("Password")
			}
			p, _, err := svc.CreateLoginProfile(c.Tx, c.AccountID(), in.UserName, iam.NewLoginProfile{Password: in.Password,
				PasswordResetRequired: iamapi.IsTrue(in.PasswordResetRequired), MFABindRequired: iamapi.IsTrue(in.MFABindRequired)}, c.Now)
			return api.Reply(asProfile)(p, err)
		})
	api.Declare(r, ram.Read("GetLoginProfile"), onUser, func(c *api.Call, in *userNameIn) (*api.Object[loginProfileOut], error) {
		return api.Reply(asProfile)(svc.GetLoginProfile(c.Tx, c.AccountID(), in.UserName))
	})
	api.Declare(r, ram.Write("UpdateLoginProfile", "Password").Sensitive(), onProfile,
		func(c *api.Call, in *loginProfileIn) (*api.Object[loginProfileOut], error) {
			p, _, err := svc.UpdateLoginProfile(c.Tx, c.AccountID(), in.UserName, iam.LoginProfileUpdate{Password: in.Password,
				PasswordResetRequired: in.PasswordResetRequired, MFABindRequired: in.MFABindRequired}, c.Now)
			return api.Reply(asProfile)(p, err)
		})
	api.Declare(r, ram.Write("DeleteLoginProfile").Sensitive(), onUser, func(c *api.Call, in *userNameIn) (*api.NoOutput, error) {
		return api.Done(svc.DeleteLoginProfile(c.Tx, c.AccountID(), in.UserName))
	})
}

// ownerIn names whose keys a call manages; without UserName the caller's
// own (the root user's for a root caller).
type ownerIn struct {
	UserName string `param:"UserName"`
}

// keyIn names one of those keys.
type keyIn struct {
	ownerIn
	UserAccessKeyId string `param:"UserAccessKeyId,required"`
}

type updateKeyIn struct {
	keyIn
	Status string `param:"Status,required"`
}

func (in *ownerIn) user() string { return in.UserName }

func registerAccessKeys(r *api.Registry, svc *iam.Service) {
	own := iam.OwnAccessKeys
	selfService(r, svc, own, ram.Write("CreateAccessKey").Sensitive(), (*ownerIn).user,
		func(c *api.Call, in *ownerIn) (*api.Object[accessKeyOut], error) {
			return api.Reply(api.As("AccessKey", toAccessKey))(svc.CreateAccessKey(c.Tx, c.Caller, in.UserName, c.Now))
		})
	selfService(r, svc, own, ram.Write("UpdateAccessKey").Sensitive(), (*updateKeyIn).user,
		func(c *api.Call, in *updateKeyIn) (*api.NoOutput, error) {
			return api.Done(svc.UpdateAccessKey(c.Tx, c.Caller, in.UserName, in.UserAccessKeyId, in.Status, c.Now))
		})
	selfService(r, svc, own, ram.Write("DeleteAccessKey").Sensitive(), (*keyIn).user, func(c *api.Call, in *keyIn) (*api.NoOutput, error) {
		return api.Done(svc.DeleteAccessKey(c.Tx, c.Caller, in.UserName, in.UserAccessKeyId))
	})
	selfService(r, svc, own, ram.Read("ListAccessKeys"), (*ownerIn).user,
		func(c *api.Call, in *ownerIn) (*api.List[accessKeyOut], error) {
			return api.Reply(api.Listed("AccessKeys", "AccessKey", toAccessKey))(svc.ListAccessKeys(c.Tx, c.Caller, in.UserName))
		})
	selfService(r, svc, own, ram.Read("GetAccessKeyLastUsed"), (*keyIn).user,
		func(c *api.Call, in *keyIn) (*api.Object[iamapi.LastUsedOut], error) {
			return api.Reply(iamapi.AsLastUsed)(svc.GetAccessKeyLastUsed(c.Tx, c.Caller, in.UserName, in.UserAccessKeyId))
		})
}
