package imsapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

// upnIn names one user by principal name.
type upnIn struct {
	UserPrincipalName string `param:"UserPrincipalName,required"`
}

func onUPN(p *model.Principal, in *upnIn) string { return userResource(p, in.UserPrincipalName, "") }

type loginProfileIn struct {
	UserPrincipalName      string `param:"UserPrincipalName,required"`
	Password               string `param:"Password"`
	GenerateRandomPassword bool   `param:"GenerateRandomPassword"`
	PasswordResetRequired  *bool  `param:"PasswordResetRequired"`
	MFABindRequired        *bool  `param:"MFABindRequired"`
	Status                 string `param:"Status"`
}

func onProfile(p *model.Principal, in *loginProfileIn) string {
	return userResource(p, in.UserPrincipalName, "")
}

type loginProfileResult struct{ LoginProfile loginProfileOut }

type changePasswordIn struct {
	OldPassword string `param:"OldPassword,required"`
	NewPassword string `param:"NewPassword,required"`
}

// profileResponse renders a login profile with the account's domain.
func profileResponse(c *api.Call, svc *iam.Service, p *iam.LoginProfile, generated string) (*loginProfileResult, error) {
	domain, err := svc.DefaultDomain(c.Tx, c.AccountID())
	if err != nil {
		return nil, err
	}
	return &loginProfileResult{LoginProfile: toLoginProfile(p, domain, generated)}, nil
}

func registerLoginProfiles(r *api.Registry, svc *iam.Service) {
	api.Register(r, api.Action[loginProfileIn, loginProfileResult]{
		Spec:     spec("CreateLoginProfile", true, "Password"),
		Resource: onProfile,
		Handle: func(c *api.Call, in *loginProfileIn) (*loginProfileResult, error) {
			name, err := requiredUser(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			p, generated, err := svc.CreateLoginProfile(c.Tx, c.AccountID(), name, iam.NewLoginProfile{Password: in.Password,
				GeneratePassword: in.GenerateRandomPassword, PasswordResetRequired: isTrue(in.PasswordResetRequired),
				MFABindRequired: isTrue(in.MFABindRequired), Status: in.Status}, c.Now)
			if err != nil {
				return nil, err
			}
			return profileResponse(c, svc, p, generated)
		},
	})
	api.Register(r, api.Action[upnIn, loginProfileResult]{
		Spec:     spec("GetLoginProfile", false),
		Resource: onUPN,
		Handle: func(c *api.Call, in *upnIn) (*loginProfileResult, error) {
			name, err := requiredUser(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			p, err := svc.GetLoginProfile(c.Tx, c.AccountID(), name)
			if err != nil {
				return nil, err
			}
			return profileResponse(c, svc, p, "")
		},
	})
	api.Register(r, api.Action[loginProfileIn, loginProfileResult]{
		Spec:     spec("UpdateLoginProfile", true, "Password"),
		Resource: onProfile,
		Handle: func(c *api.Call, in *loginProfileIn) (*loginProfileResult, error) {
			name, err := requiredUser(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			p, generated, err := svc.UpdateLoginProfile(c.Tx, c.AccountID(), name, iam.LoginProfileUpdate{Password: in.Password,
				GeneratePassword: in.GenerateRandomPassword, PasswordResetRequired: in.PasswordResetRequired,
				MFABindRequired: in.MFABindRequired, Status: in.Status}, c.Now)
			if err != nil {
				return nil, err
			}
			return profileResponse(c, svc, p, generated)
		},
	})
	api.Register(r, api.Action[upnIn, none]{
		Spec:     spec("DeleteLoginProfile", true),
		Resource: onUPN,
		Handle: func(c *api.Call, in *upnIn) (*none, error) {
			name, err := requiredUser(c, svc, in.UserPrincipalName, "")
			if err != nil {
				return nil, err
			}
			return done, svc.DeleteLoginProfile(c.Tx, c.AccountID(), name)
		},
	})
	api.Register(r, api.Action[changePasswordIn, none]{
		Spec:        spec("ChangePassword", true, "OldPassword", "NewPassword"),
		Resource:    func(p *model.Principal, _ *changePasswordIn) string { return userResource(p, "", "") },
		SelfService: ownedBy(svc, iam.OwnPassword, func(*changePasswordIn) string { return "" }),
		Handle: func(c *api.Call, in *changePasswordIn) (*none, error) {
			return done, svc.ChangePassword(c.Tx, c.Caller, in.OldPassword, in.NewPassword, c.Now)
		},
	})
}

func isTrue(b *bool) bool { return b != nil && *b }
