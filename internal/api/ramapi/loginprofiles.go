package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

type loginProfileIn struct {
	UserName              string `param:"UserName,required"`
	Password              string `param:"Password"`
	PasswordResetRequired *bool  `param:"PasswordResetRequired"`
	MFABindRequired       *bool  `param:"MFABindRequired"`
}

func onProfileUser(p *model.Principal, in *loginProfileIn) string { return userARN(p, in.UserName) }

type loginProfileResult struct{ LoginProfile loginProfileOut }

type changePasswordIn struct {
	OldPassword string `param:"OldPassword,required"`
	NewPassword string `param:"NewPassword,required"`
}

func registerLoginProfiles(r *api.Registry, svc *iam.Service) {
	api.Register(r, api.Action[loginProfileIn, loginProfileResult]{
		Spec:     spec("CreateLoginProfile", true, "Password"),
		Resource: onProfileUser,
		Handle: func(c *api.Call, in *loginProfileIn) (*loginProfileResult, error) {
			if in.Password == "" {
				return nil, missing("Password")
			}
			p, _, err := svc.CreateLoginProfile(c.Tx, c.AccountID(), in.UserName, iam.NewLoginProfile{Password: in.Password,
				PasswordResetRequired: isTrue(in.PasswordResetRequired), MFABindRequired: isTrue(in.MFABindRequired)}, c.Now)
			if err != nil {
				return nil, err
			}
			return &loginProfileResult{LoginProfile: toLoginProfile(p)}, nil
		},
	})
	api.Register(r, api.Action[userNameIn, loginProfileResult]{
		Spec:     spec("GetLoginProfile", false),
		Resource: onUser,
		Handle: func(c *api.Call, in *userNameIn) (*loginProfileResult, error) {
			p, err := svc.GetLoginProfile(c.Tx, c.AccountID(), in.UserName)
			if err != nil {
				return nil, err
			}
			return &loginProfileResult{LoginProfile: toLoginProfile(p)}, nil
		},
	})
	api.Register(r, api.Action[loginProfileIn, loginProfileResult]{
		Spec:     spec("UpdateLoginProfile", true, "Password"),
		Resource: onProfileUser,
		Handle: func(c *api.Call, in *loginProfileIn) (*loginProfileResult, error) {
			p, _, err := svc.UpdateLoginProfile(c.Tx, c.AccountID(), in.UserName, iam.LoginProfileUpdate{Password: in.Password,
				PasswordResetRequired: in.PasswordResetRequired, MFABindRequired: in.MFABindRequired}, c.Now)
			if err != nil {
				return nil, err
			}
			return &loginProfileResult{LoginProfile: toLoginProfile(p)}, nil
		},
	})
	api.Register(r, api.Action[userNameIn, none]{
		Spec:     spec("DeleteLoginProfile", true),
		Resource: onUser,
		Handle: func(c *api.Call, in *userNameIn) (*none, error) {
			return done, svc.DeleteLoginProfile(c.Tx, c.AccountID(), in.UserName)
		},
	})
	api.Register(r, api.Action[changePasswordIn, none]{
		Spec:        spec("ChangePassword", true, "OldPassword", "NewPassword"),
		Resource:    func(p *model.Principal, _ *changePasswordIn) string { return selfOrUser(p, "") },
		SelfService: ownedBy(svc, iam.OwnPassword, func(*changePasswordIn) string { return "" }),
		Handle: func(c *api.Call, in *changePasswordIn) (*none, error) {
			return done, svc.ChangePassword(c.Tx, c.Caller, in.OldPassword, in.NewPassword, c.Now)
		},
	})
}

func isTrue(b *bool) bool { return b != nil && *b }
