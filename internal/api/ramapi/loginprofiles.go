package ramapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/api/iamapi"
	"github.com/canopy-iam/canopy/internal/iam"
	"github.com/canopy-iam/canopy/internal/model"
)

type loginProfileIn struct {
	UserName              string `param:"UserName,required"`
	Password              string `param:"Password"`
	PasswordResetRequired *bool  `param:"PasswordResetRequired"`
	MFABindRequired       *bool  `param:"MFABindRequired"`
}

func onProfileUser(p *model.Principal, in *loginProfileIn) string {
	return iamapi.UserARN(p, in.UserName)
}

type loginProfileResult struct{ LoginProfile loginProfileOut }

func toLoginProfileResult(p *iam.LoginProfile) loginProfileResult {
	return loginProfileResult{LoginProfile: toLoginProfile(p)}
}

// ChangePassword is in iamapi: RAM and IMS share it.
func registerLoginProfiles(r *api.Registry, svc *iam.Service) {
	api.Declare(r, ram.Write("CreateLoginProfile", "Password"), onProfileUser,
		func(c *api.Call, in *loginProfileIn) (*loginProfileResult, error) {
			if in.Password == "" { // RAM never generates one (IMS may)
				return nil, iamapi.Missing("Password")
			}
			p, _, err := svc.CreateLoginProfile(c.Tx, c.AccountID(), in.UserName, iam.NewLoginProfile{Password: in.Password,
				PasswordResetRequired: iamapi.IsTrue(in.PasswordResetRequired), MFABindRequired: iamapi.IsTrue(in.MFABindRequired)}, c.Now)
			return api.Reply(toLoginProfileResult)(p, err)
		})
	api.Declare(r, ram.Read("GetLoginProfile"), onUser, func(c *api.Call, in *userNameIn) (*loginProfileResult, error) {
		return api.Reply(toLoginProfileResult)(svc.GetLoginProfile(c.Tx, c.AccountID(), in.UserName))
	})
	api.Declare(r, ram.Write("UpdateLoginProfile", "Password"), onProfileUser,
		func(c *api.Call, in *loginProfileIn) (*loginProfileResult, error) {
			p, _, err := svc.UpdateLoginProfile(c.Tx, c.AccountID(), in.UserName, iam.LoginProfileUpdate{Password: in.Password,
				PasswordResetRequired: in.PasswordResetRequired, MFABindRequired: in.MFABindRequired}, c.Now)
			return api.Reply(toLoginProfileResult)(p, err)
		})
	api.Declare(r, ram.Write("DeleteLoginProfile"), onUser, func(c *api.Call, in *userNameIn) (*api.NoOutput, error) {
		return api.Done(svc.DeleteLoginProfile(c.Tx, c.AccountID(), in.UserName))
	})
}
