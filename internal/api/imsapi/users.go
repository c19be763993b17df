package imsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

type tagIn struct {
	Key   string `param:"Key"`
	Value string `param:"Value"`
}

type createUserIn struct {
	UserPrincipalName string  `param:"UserPrincipalName,required"`
	DisplayName       string  `param:"DisplayName,required"`
	MobilePhone       string  `param:"MobilePhone"`
	Email             string  `param:"Email"`
	Comments          string  `param:"Comments"`
	Tag               []tagIn `param:"Tag"`
}

// userIn names a user by principal name or id.
type userIn struct {
	UserPrincipalName string `param:"UserPrincipalName"`
	UserId            string `param:"UserId"`
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

func (in userIn) user() userRef { return userRef{upn: in.UserPrincipalName, id: in.UserId} }
func (in getUserIn) user() userRef {
	return userRef{in.UserPrincipalName, in.UserId, in.UserAccessKeyId}
}
func (in updateUserIn) user() userRef { return userRef{upn: in.UserPrincipalName, id: in.UserId} }

func onNewUser(p *model.Principal, in *createUserIn) string {
	return iamapi.UserARN(p, principalUser(in.UserPrincipalName))
}

type basicInfoOut struct{ UserId, UserPrincipalName, DisplayName, Status string }

func (d domain) basicInfos(p iam.Page[iam.User]) api.List[basicInfoOut] {
	return iamapi.Paged("UserBasicInfos", "UserBasicInfo", func(u *iam.User) basicInfoOut {
		return basicInfoOut{UserId: u.ID, UserPrincipalName: upn(u, string(d)), DisplayName: u.DisplayName, Status: userActive}
	})(p)
}

func registerUsers(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ims.Write("CreateUser"), onNewUser, func(c *api.Call, in *createUserIn) (*api.Object[userOut], error) {
		name, err := svc.UserNameFromPrincipal(c.Tx, c.AccountID(), "UserPrincipalName", in.UserPrincipalName)
		if err == nil {
			err = checkDisplayName("DisplayName", in.DisplayName)
		}
		if err != nil {
			return nil, err
		}
		tags := api.MapAll(in.Tag, func(t *tagIn) iam.Tag { return iam.Tag{Key: t.Key, Value: t.Value} })
		return inDomain(c, svc, domain.asUser)(svc.CreateUser(c.Tx, c.AccountID(), iam.NewUser{Name: name,
			DisplayName: in.DisplayName, Email: in.Email, MobilePhone: in.MobilePhone, Comments: in.Comments, Tags: tags}, c.Now))
	})
	userAction(r, svc, ims.Read("GetUser"), func(c *api.Call, _ *getUserIn, name string) (*api.Object[userOut], error) {
		return inDomain(c, svc, domain.asUser)(svc.GetUser(c.Tx, c.AccountID(), name))
	})
	userAction(r, svc, ims.Write("UpdateUser"), func(c *api.Call, in *updateUserIn, name string) (*api.Object[userOut], error) {
		var newName string
		var err error
		if in.NewUserPrincipalName != "" {
			newName, err = svc.UserNameFromPrincipal(c.Tx, c.AccountID(), "NewUserPrincipalName", in.NewUserPrincipalName)
		}
		if err == nil {
			err = checkDisplayName("NewDisplayName", in.NewDisplayName)
		}
		if err != nil {
			return nil, err
		}
		return inDomain(c, svc, domain.asUser)(svc.UpdateUser(c.Tx, c.AccountID(), name, iam.UserUpdate{NewName: newName,
			NewDisplayName: in.NewDisplayName, NewEmail: in.NewEmail, NewMobilePhone: in.NewMobilePhone,
			NewComments: in.NewComments}, c.Now))
	})
	userAction(r, svc, ims.Write("DeleteUser").Sensitive(), func(c *api.Call, _ *userIn, name string) (*api.NoOutput, error) {
		return api.Done(svc.DeleteUser(c.Tx, c.AccountID(), name))
	})
	api.Declare(r, ims.Read("ListUsers"), iamapi.AllOf[listUsersIn]("user"),
		func(c *api.Call, in *listUsersIn) (*api.List[userOut], error) {
			return inDomain(c, svc, domain.users)(listUsers(c, svc, in))
		})
	api.Declare(r, ims.Read("ListUserBasicInfos"), iamapi.AllOf[listUsersIn]("user"),
		func(c *api.Call, in *listUsersIn) (*api.List[basicInfoOut], error) {
			return inDomain(c, svc, domain.basicInfos)(listUsers(c, svc, in))
		})
	registerLoginProfiles(r, svc)
	registerAccessKeys(r, svc)
}

// listUsers pages through the users that carry every requested tag (and
// have the requested status: every user here is Active). IMS user lists
// return up to 1000 users by default.
func listUsers(c *api.Call, svc *iam.Service, in *listUsersIn) (iam.Page[iam.User], error) {
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
	page := iam.PageRequest{Marker: in.Marker, MaxItems: in.MaxItems, Default: 1000, Max: iam.MaxMaxItems}
	return svc.ListUsers(c.Tx, c.AccountID(), page, keep)
}

func hasTag(u *iam.User, want tagIn) bool {
	for _, t := range u.Tags {
		if t.Key == want.Key && (want.Value == "" || t.Value == want.Value) {
			return true
		}
	}
	return false
}

// upnIn names one user by principal name.
type upnIn struct {
	UserPrincipalName string `param:"UserPrincipalName,required"`
}

type loginProfileIn struct {
	UserPrincipalName      string `param:"UserPrincipalName,required"`
	Password               string `param:"Password"`
	GenerateRandomPassword bool   `param:"GenerateRandomPassword"`
	PasswordResetRequired  *bool  `param:"PasswordResetRequired"`
	MFABindRequired        *bool  `param:"MFABindRequired"`
	Status                 string `param:"Status"`
}

func (in upnIn) user() userRef          { return userRef{upn: in.UserPrincipalName} }
func (in loginProfileIn) user() userRef { return userRef{upn: in.UserPrincipalName} }

// profile shapes a login profile; generated is a password the service
// made up, shown this once.
func profile(generated string) func(domain, *iam.LoginProfile) api.Object[loginProfileOut] {
	return func(d domain, p *iam.LoginProfile) api.Object[loginProfileOut] {
		return api.As("LoginProfile", func(p *iam.LoginProfile) loginProfileOut { return toLoginProfile(p, string(d), generated) })(p)
	}
}

// ChangePassword is in iamapi: RAM and IMS share it.
func registerLoginProfiles(r *api.Registry, svc *iam.Service) {
	userAction(r, svc, ims.Write("CreateLoginProfile", "Password").Sensitive(),
		func(c *api.Call, in *loginProfileIn, name string) (*api.Object[loginProfileOut], error) {
			p, generated, err := svc.CreateLoginProfile(c.Tx, c.AccountID(), name, iam.NewLoginProfile{Password: in.Password,
				GeneratePassword: in.GenerateRandomPassword, PasswordResetRequired: iamapi.IsTrue(in.PasswordResetRequired),
				MFABindRequired: iamapi.IsTrue(in.MFABindRequired), Status: in.Status}, c.Now)
			return inDomain(c, svc, profile(generated))(p, err)
		})
	userAction(r, svc, ims.Read("GetLoginProfile"),
		func(c *api.Call, _ *upnIn, name string) (*api.Object[loginProfileOut], error) {
			return inDomain(c, svc, profile(""))(svc.GetLoginProfile(c.Tx, c.AccountID(), name))
		})
	userAction(r, svc, ims.Write("UpdateLoginProfile", "Password").Sensitive(),
		func(c *api.Call, in *loginProfileIn, name string) (*api.Object[loginProfileOut], error) {
			p, generated, err := svc.UpdateLoginProfile(c.Tx, c.AccountID(), name, iam.LoginProfileUpdate{Password: in.Password,
				GeneratePassword: in.GenerateRandomPassword, PasswordResetRequired: in.PasswordResetRequired,
				MFABindRequired: in.MFABindRequired, Status: in.Status}, c.Now)
			return inDomain(c, svc, profile(generated))(p, err)
		})
	userAction(r, svc, ims.Write("DeleteLoginProfile").Sensitive(), func(c *api.Call, _ *upnIn, name string) (*api.NoOutput, error) {
		return api.Done(svc.DeleteLoginProfile(c.Tx, c.AccountID(), name))
	})
}

// ownerIn names whose keys a call manages; without a principal name the
// caller's own.
type ownerIn struct {
	UserPrincipalName string `param:"UserPrincipalName"`
}

type keyIn struct {
	UserPrincipalName string `param:"UserPrincipalName"`
	UserAccessKeyId   string `param:"UserAccessKeyId,required"`
}

type updateKeyIn struct {
	keyIn
	Status string `param:"Status,required"`
}

func (in ownerIn) user() userRef { return userRef{upn: in.UserPrincipalName} }
func (in keyIn) user() userRef   { return userRef{upn: in.UserPrincipalName} }

func registerAccessKeys(r *api.Registry, svc *iam.Service) {
	own := iam.OwnAccessKeys
	selfService(r, svc, own, ims.Write("CreateAccessKey").Sensitive(),
		func(c *api.Call, _ *ownerIn, name string) (*api.Object[accessKeyOut], error) {
			return api.Reply(api.As("AccessKey", toAccessKey))(svc.CreateAccessKey(c.Tx, c.Caller, name, c.Now))
		})
	selfService(r, svc, own, ims.Write("UpdateAccessKey").Sensitive(),
		func(c *api.Call, in *updateKeyIn, name string) (*api.NoOutput, error) {
			return api.Done(svc.UpdateAccessKey(c.Tx, c.Caller, name, in.UserAccessKeyId, in.Status, c.Now))
		})
	selfService(r, svc, own, ims.Write("DeleteAccessKey").Sensitive(), func(c *api.Call, in *keyIn, name string) (*api.NoOutput, error) {
		return api.Done(svc.DeleteAccessKey(c.Tx, c.Caller, name, in.UserAccessKeyId))
	})
	selfService(r, svc, own, ims.Read("ListAccessKeys"),
		func(c *api.Call, _ *ownerIn, name string) (*api.List[accessKeyOut], error) {
			return api.Reply(api.Listed("AccessKeys", "AccessKey", toAccessKey))(svc.ListAccessKeys(c.Tx, c.Caller, name))
		})
	selfService(r, svc, own, ims.Read("GetAccessKeyLastUsed"),
		func(c *api.Call, in *keyIn, name string) (*api.Object[iamapi.LastUsedOut], error) {
			return api.Reply(iamapi.AsLastUsed)(svc.GetAccessKeyLastUsed(c.Tx, c.Caller, name, in.UserAccessKeyId))
		})
}
