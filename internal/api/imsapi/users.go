package imsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// userIn names a user by principal name or id.
type userIn struct {
	UserPrincipalName string `param:"UserPrincipalName"`
	UserId            string `param:"UserId"`
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

func toUserResult(u *iam.User, domain string) userResult { return userResult{User: toUser(u, domain)} }

type listUsersOut struct {
	iamapi.PageOut
	Users struct{ User []userOut }
}

func toUserList(page iam.Page[iam.User], domain string) (out listUsersOut) {
	out.PageOut = iamapi.PageInfo(page)
	out.Users.User = iamapi.MapAll(page.Items, func(u *iam.User) userOut { return toUser(u, domain) })
	return out
}

type basicInfoOut struct{ UserId, UserPrincipalName, DisplayName, Status string }

type listBasicInfosOut struct {
	iamapi.PageOut
	UserBasicInfos struct{ UserBasicInfo []basicInfoOut }
}

func toBasicInfos(page iam.Page[iam.User], domain string) (out listBasicInfosOut) {
	out.PageOut = iamapi.PageInfo(page)
	out.UserBasicInfos.UserBasicInfo = iamapi.MapAll(page.Items, func(u *iam.User) basicInfoOut {
		return basicInfoOut{UserId: u.ID, UserPrincipalName: upn(u, domain), DisplayName: u.DisplayName, Status: userActive}
	})
	return out
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

func (in upnIn) principal() string          { return in.UserPrincipalName }
func (in loginProfileIn) principal() string { return in.UserPrincipalName }

type loginProfileResult struct{ LoginProfile loginProfileOut }

// toProfileResult shapes a login profile; generated is a password the
// service made up, shown this once.
func toProfileResult(generated string) func(*iam.LoginProfile, string) loginProfileResult {
	return func(p *iam.LoginProfile, domain string) loginProfileResult {
		return loginProfileResult{LoginProfile: toLoginProfile(p, domain, generated)}
	}
}

func registerUsers(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ims.Write("CreateUser"), func(p *model.Principal, in *createUserIn) string {
		return iamapi.UserARN(p, principalUser(in.UserPrincipalName))
	}, func(c *api.Call, in *createUserIn) (*userResult, error) {
		name, err := svc.UserNameFromPrincipal(c.Tx, c.AccountID(), "UserPrincipalName", in.UserPrincipalName)
		if err == nil {
			err = checkDisplayName("DisplayName", in.DisplayName)
		}
		if err != nil {
			return nil, err
		}
		return withDomain(c, svc, toUserResult)(svc.CreateUser(c.Tx, c.AccountID(), iam.NewUser{Name: name, DisplayName: in.DisplayName,
			Email: in.Email, MobilePhone: in.MobilePhone, Comments: in.Comments, Tags: tags(in.Tag)}, c.Now))
	})
	api.Register(r, api.Action[getUserIn, userResult]{
		Spec: ims.Read("GetUser"),
		Resource: func(p *model.Principal, in *getUserIn) string {
			if in.UserPrincipalName == "" && in.UserId == "" && in.UserAccessKeyId != "" {
				return iamapi.All(p, "user")
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
			case name != "":
				u, err = svc.GetUser(c.Tx, c.AccountID(), name)
			case in.UserAccessKeyId != "":
				u, err = svc.UserByAccessKey(c.Tx, c.AccountID(), in.UserAccessKeyId)
			default:
				err = iamapi.Missing("UserPrincipalName")
			}
			return withDomain(c, svc, toUserResult)(u, err)
		},
	})
	api.Register(r, api.Action[updateUserIn, userResult]{
		Spec: ims.Write("UpdateUser"),
		Resource: func(p *model.Principal, in *updateUserIn) string {
			return userResource(p, in.UserPrincipalName, in.UserId)
		},
		ResolveResource: func(c *api.Call, in *updateUserIn) (string, error) {
			return resolvedUser(c, svc, in.UserPrincipalName, in.UserId, "")
		},
		Handle: func(c *api.Call, in *updateUserIn) (*userResult, error) {
			name, err := requiredUser(c, svc, in.UserPrincipalName, in.UserId)
			var newName string
			if err == nil && in.NewUserPrincipalName != "" {
				newName, err = svc.UserNameFromPrincipal(c.Tx, c.AccountID(), "NewUserPrincipalName", in.NewUserPrincipalName)
			}
			if err == nil {
				err = checkDisplayName("NewDisplayName", in.NewDisplayName)
			}
			if err != nil {
				return nil, err
			}
			return withDomain(c, svc, toUserResult)(svc.UpdateUser(c.Tx, c.AccountID(), name, iam.UserUpdate{NewName: newName,
				NewDisplayName: in.NewDisplayName, NewEmail: in.NewEmail, NewMobilePhone: in.NewMobilePhone, NewComments: in.NewComments}, c.Now))
		},
	})
	api.Register(r, api.Action[userIn, api.NoOutput]{
		Spec:     ims.Write("DeleteUser"),
		Resource: func(p *model.Principal, in *userIn) string { return userResource(p, in.UserPrincipalName, in.UserId) },
		ResolveResource: func(c *api.Call, in *userIn) (string, error) {
			return resolvedUser(c, svc, in.UserPrincipalName, in.UserId, "")
		},
		Handle: func(c *api.Call, in *userIn) (*api.NoOutput, error) {
			name, err := requiredUser(c, svc, in.UserPrincipalName, in.UserId)
			if err != nil {
				return nil, err
			}
			return api.Done(svc.DeleteUser(c.Tx, c.AccountID(), name))
		},
	})
	api.Declare(r, ims.Read("ListUsers"), iamapi.AllOf[listUsersIn]("user"), func(c *api.Call, in *listUsersIn) (*listUsersOut, error) {
		return withDomain(c, svc, toUserList)(listUsers(c, svc, in))
	})
	api.Declare(r, ims.Read("ListUserBasicInfos"), iamapi.AllOf[listUsersIn]("user"),
		func(c *api.Call, in *listUsersIn) (*listBasicInfosOut, error) {
			return withDomain(c, svc, toBasicInfos)(listUsers(c, svc, in))
		})
	registerLoginProfiles(r, svc)
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

// ChangePassword is in iamapi: RAM and IMS share it.
func registerLoginProfiles(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ims.Write("CreateLoginProfile", "Password"), onNamedUser[loginProfileIn],
		forUser(svc, func(c *api.Call, in *loginProfileIn, name string) (*loginProfileResult, error) {
			p, generated, err := svc.CreateLoginProfile(c.Tx, c.AccountID(), name, iam.NewLoginProfile{Password: in.Password,
				GeneratePassword: in.GenerateRandomPassword, PasswordResetRequired: iamapi.IsTrue(in.PasswordResetRequired),
				MFABindRequired: iamapi.IsTrue(in.MFABindRequired), Status: in.Status}, c.Now)
			return withDomain(c, svc, toProfileResult(generated))(p, err)
		}))
	api.Declare(r, ims.Read("GetLoginProfile"), onNamedUser[upnIn],
		forUser(svc, func(c *api.Call, _ *upnIn, name string) (*loginProfileResult, error) {
			return withDomain(c, svc, toProfileResult(""))(svc.GetLoginProfile(c.Tx, c.AccountID(), name))
		}))
	api.Declare(r, ims.Write("UpdateLoginProfile", "Password"), onNamedUser[loginProfileIn],
		forUser(svc, func(c *api.Call, in *loginProfileIn, name string) (*loginProfileResult, error) {
			p, generated, err := svc.UpdateLoginProfile(c.Tx, c.AccountID(), name, iam.LoginProfileUpdate{Password: in.Password,
				GeneratePassword: in.GenerateRandomPassword, PasswordResetRequired: in.PasswordResetRequired,
				MFABindRequired: in.MFABindRequired, Status: in.Status}, c.Now)
			return withDomain(c, svc, toProfileResult(generated))(p, err)
		}))
	api.Declare(r, ims.Write("DeleteLoginProfile"), onNamedUser[upnIn],
		forUser(svc, func(c *api.Call, _ *upnIn, name string) (*api.NoOutput, error) {
			return api.Done(svc.DeleteLoginProfile(c.Tx, c.AccountID(), name))
		}))
}
