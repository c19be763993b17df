package ssoapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/cloudsso"
)

type externalIDOut struct {
	Id     string
	Issuer string
}

// userOut is the User object.
type userOut struct {
	UserId        string
	UserName      string
	DisplayName   string
	FirstName     string
	LastName      string
	Email         string
	Description   string
	Status        string
	ProvisionType string
	ExternalId    *externalIDOut `json:",omitempty"`
	CreateTime    string
	UpdateTime    string
}

func toUser(u *cloudsso.User) userOut {
	out := userOut{UserId: u.ID, UserName: u.Name, DisplayName: u.DisplayName, FirstName: u.FirstName,
		LastName: u.LastName, Email: u.Email, Description: u.Description, Status: u.Status,
		ProvisionType: u.ProvisionType, CreateTime: fmtTime(u.Created), UpdateTime: fmtTime(u.Updated)}
	if u.ExternalID != nil {
		out.ExternalId = &externalIDOut{Id: u.ExternalID.ID, Issuer: u.ExternalID.Issuer}
	}
	return out
}

var asUser = api.As("User", toUser)

type createUserIn struct {
	inDirectory
	UserName    string `param:"UserName"`
	DisplayName string `param:"DisplayName"`
	FirstName   string `param:"FirstName"`
	LastName    string `param:"LastName"`
	Email       string `param:"Email"`
	Description string `param:"Description"`
	Status      string `param:"Status"`
}

type userIn struct {
	inDirectory
	UserID string `param:"UserId"`
}

type listUsersIn struct {
	inDirectory
	pageIn
	Filter        string `param:"Filter"`
	Status        string `param:"Status"`
	ProvisionType string `param:"ProvisionType"`
}

type usersOut struct {
	paging
	Users []userOut
}

type updateUserIn struct {
	userIn
	NewDisplayName *string `param:"NewDisplayName"`
	NewFirstName   *string `param:"NewFirstName"`
	NewLastName    *string `param:"NewLastName"`
	NewEmail       *string `param:"NewEmail"`
	NewDescription *string `param:"NewDescription"`
}

type userStatusIn struct {
	userIn
	NewStatus string `param:"NewStatus"`
}

type resetPasswordIn struct {
	userIn
	Password                         string  `param:"Password"`
	GenerateRandomPassword           *string `param:"GenerateRandomPassword"`
	RequirePasswordResetForNextLogin *string `param:"RequirePasswordResetForNextLogin"`
}

type resetPasswordOut struct {
	NewPassword string `json:",omitempty"` // only when generated
}

func registerUsers(r *api.Registry, svc *cloudsso.Service) {
	api.Declare(r, sso.Write("CreateUser"), onDirectory[createUserIn],
		func(c *api.Call, in *createUserIn) (*api.Object[userOut], error) {
			return api.Reply(asUser)(svc.CreateUser(c.Tx, c.AccountID(), in.DirectoryID, cloudsso.NewUser{
				Name: in.UserName, DisplayName: in.DisplayName, FirstName: in.FirstName, LastName: in.LastName,
				Email: in.Email, Description: in.Description, Status: in.Status}, c.Now))
		})
	api.Declare(r, sso.Read("GetUser"), onDirectory[userIn],
		func(c *api.Call, in *userIn) (*api.Object[userOut], error) {
			return api.Reply(asUser)(svc.GetUser(c.Tx, c.AccountID(), in.DirectoryID, in.UserID))
		})
	api.Declare(r, sso.Read("ListUsers"), onDirectory[listUsersIn],
		func(c *api.Call, in *listUsersIn) (*usersOut, error) {
			l, err := svc.ListUsers(c.Tx, c.AccountID(), in.DirectoryID, cloudsso.UserFilter{
				Filter: in.Filter, Status: in.Status, ProvisionType: in.ProvisionType}, in.page())
			if err != nil {
				return nil, err
			}
			return &usersOut{paging: pagingOf(l), Users: api.MapAll(l.Items, toUser)}, nil
		})
	api.Declare(r, sso.Write("UpdateUser"), onDirectory[updateUserIn],
		func(c *api.Call, in *updateUserIn) (*api.Object[userOut], error) {
			return api.Reply(asUser)(svc.UpdateUser(c.Tx, c.AccountID(), in.DirectoryID, in.UserID, cloudsso.UserUpdate{
				DisplayName: in.NewDisplayName, FirstName: in.NewFirstName, LastName: in.NewLastName,
				Email: in.NewEmail, Description: in.NewDescription}, c.Now))
		})
	api.Declare(r, sso.Write("UpdateUserStatus").Sensitive(), onDirectory[userStatusIn],
		func(c *api.Call, in *userStatusIn) (*api.NoOutput, error) {
			return api.Done(svc.UpdateUserStatus(c.Tx, c.AccountID(), in.DirectoryID, in.UserID, in.NewStatus, c.Now))
		})
	api.Declare(r, sso.Write("DeleteUser"), onDirectory[userIn],
		func(c *api.Call, in *userIn) (*api.NoOutput, error) {
			return api.Done(svc.DeleteUser(c.Tx, c.AccountID(), in.DirectoryID, in.UserID, c.Now))
		})
	api.Declare(r, sso.Write("ResetUserPassword", "Password").Sensitive(), onDirectory[resetPasswordIn],
		func(c *api.Call, in *resetPasswordIn) (*resetPasswordOut, error) {
			generate, err := cloudsso.ParseBool("GenerateRandomPassword", in.GenerateRandomPassword)
			if err != nil {
				return nil, err
			}
			requireReset, err := cloudsso.ParseBool("RequirePasswordResetForNextLogin", in.RequirePasswordResetForNextLogin)
			if err != nil {
				return nil, err
			}
			generated, err := svc.ResetUserPassword(c.Tx, c.AccountID(), in.DirectoryID, in.UserID, cloudsso.PasswordReset{
				Password: in.Password, Generate: generate != nil && *generate,
				RequireResetAtNextLogin: requireReset != nil && *requireReset}, c.Now)
			if err != nil {
				return nil, err
			}
			return &resetPasswordOut{NewPassword: generated}, nil
		})
}
