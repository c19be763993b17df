package ssoapi

import (
	"github.com/canopy-iam/canopy/internal/api"
	"github.com/canopy-iam/canopy/internal/cloudsso"
)

type mfaStatusIn struct {
	inDirectory
	MFAAuthenticationStatus string `param:"MFAAuthenticationStatus"`
}

type mfaStatusOut struct{ MFAAuthenticationStatus string }

type mfaSettingsIn struct {
	inDirectory
	MFAAuthenticationSettings string `param:"MFAAuthenticationSettings"`
	OperationForRiskLogin     string `param:"OperationForRiskLogin"`
}

// mfaSettingInfoOut keeps the cloud's casing: MfaAuthenticationAdvanceSettings.
type mfaSettingInfoOut struct {
	MfaAuthenticationAdvanceSettings string
	OperationForRiskLogin            string
}

type mfaLegacySettingsOut struct{ MFAAuthenticationAdvanceSettings string }

type userMFAIn struct {
	userIn
	UserMFAAuthenticationSettings string `param:"UserMFAAuthenticationSettings"`
}

type userMFAOut struct{ UserMFAAuthenticationSettings string }

type deviceOut struct {
	DeviceId      string
	DeviceName    string
	DeviceType    string
	EffectiveTime string
	UserId        string
}

type devicesOut struct {
	MFADevices  []deviceOut
	TotalCounts int
}

type deleteDeviceIn struct {
	userIn
	MFADeviceID string `param:"MFADeviceId"`
}

type loginPreferenceIn struct {
	inDirectory
	LoginNetworkMasks         *string `param:"LoginNetworkMasks"`
	AllowUserToGetCredentials *string `param:"AllowUserToGetCredentials"`
}

type loginPreferenceOut struct {
	LoginNetworkMasks         string
	AllowUserToGetCredentials bool
}

type passwordPolicyIn struct {
	inDirectory
	MinPasswordLength          *int    `param:"MinPasswordLength"`
	MinPasswordDifferentChars  *int    `param:"MinPasswordDifferentChars"`
	PasswordNotContainUsername *string `param:"PasswordNotContainUsername"`
	MaxPasswordAge             *int    `param:"MaxPasswordAge"`
	PasswordReusePrevention    *int    `param:"PasswordReusePrevention"`
	MaxLoginAttempts           *int    `param:"MaxLoginAttempts"`
}

type passwordPolicyOut struct {
	MinPasswordLength          int
	MaxPasswordLength          int
	MinPasswordDifferentChars  int
	PasswordNotContainUsername bool
	MaxPasswordAge             int
	PasswordReusePrevention    int
	MaxLoginAttempts           int
	RequireLowerCaseChars      bool
	RequireUpperCaseChars      bool
	RequireNumbers             bool
	RequireSymbols             bool
	HardExpire                 bool
}

func toPasswordPolicy(p *cloudsso.PasswordPolicy) passwordPolicyOut {
	return passwordPolicyOut{MinPasswordLength: p.MinPasswordLength, MaxPasswordLength: cloudsso.MaxPasswordLength,
		MinPasswordDifferentChars: p.MinPasswordDifferentChars, PasswordNotContainUsername: p.PasswordNotContainUsername,
		MaxPasswordAge: p.MaxPasswordAge, PasswordReusePrevention: p.PasswordReusePrevention, MaxLoginAttempts: p.MaxLoginAttempts,
		RequireLowerCaseChars: true, RequireUpperCaseChars: true, RequireNumbers: true, RequireSymbols: true,
		HardExpire: cloudsso.HardExpire}
}

func registerSettings(r *api.Registry, svc *cloudsso.Service) {
	api.Declare(r, sso.Read("GetMFAAuthenticationStatus"), onDirectory[inDirectory],
		func(c *api.Call, in *inDirectory) (*mfaStatusOut, error) {
			status, err := svc.GetMFAAuthenticationStatus(c.Tx, c.AccountID(), in.DirectoryID)
			return &mfaStatusOut{MFAAuthenticationStatus: status}, err
		})
	api.Declare(r, sso.Write("SetMFAAuthenticationStatus").Sensitive(), onDirectory[mfaStatusIn],
		func(c *api.Call, in *mfaStatusIn) (*api.NoOutput, error) {
			return api.Done(svc.SetMFAAuthenticationStatus(c.Tx, c.AccountID(), in.DirectoryID, in.MFAAuthenticationStatus, c.Now))
		})
	api.Declare(r, sso.Read("GetMFAAuthenticationSettingInfo"), onDirectory[inDirectory],
		func(c *api.Call, in *inDirectory) (*api.Object[mfaSettingInfoOut], error) {
			return api.Reply(api.As("MFAAuthenticationSettingInfo", func(m *cloudsso.MFASettings) mfaSettingInfoOut {
				return mfaSettingInfoOut{MfaAuthenticationAdvanceSettings: m.Setting, OperationForRiskLogin: m.OperationForRiskLogin}
			}))(svc.GetMFASettings(c.Tx, c.AccountID(), in.DirectoryID))
		})
	api.Declare(r, sso.Read("GetMFAAuthenticationSettings"), onDirectory[inDirectory],
		func(c *api.Call, in *inDirectory) (*mfaLegacySettingsOut, error) {
			m, err := svc.GetMFASettings(c.Tx, c.AccountID(), in.DirectoryID)
			if err != nil {
				return nil, err
			}
			return &mfaLegacySettingsOut{MFAAuthenticationAdvanceSettings: m.Setting}, nil
		})
	api.Declare(r, sso.Write("UpdateMFAAuthenticationSettings").Sensitive(), onDirectory[mfaSettingsIn],
		func(c *api.Call, in *mfaSettingsIn) (*api.NoOutput, error) {
			return api.Done(svc.UpdateMFASettings(c.Tx, c.AccountID(), in.DirectoryID, in.MFAAuthenticationSettings, in.OperationForRiskLogin, c.Now))
		})
	api.Declare(r, sso.Read("GetUserMFAAuthenticationSettings"), onDirectory[userIn],
		func(c *api.Call, in *userIn) (*userMFAOut, error) {
			setting, err := svc.GetUserMFASetting(c.Tx, c.AccountID(), in.DirectoryID, in.UserID)
			return &userMFAOut{UserMFAAuthenticationSettings: setting}, err
		})
	api.Declare(r, sso.Write("UpdateUserMFAAuthenticationSettings").Sensitive(), onDirectory[userMFAIn],
		func(c *api.Call, in *userMFAIn) (*api.NoOutput, error) {
			return api.Done(svc.UpdateUserMFASetting(c.Tx, c.AccountID(), in.DirectoryID, in.UserID, in.UserMFAAuthenticationSettings, c.Now))
		})
	api.Declare(r, sso.Read("ListMFADevicesForUser"), onDirectory[userIn],
		func(c *api.Call, in *userIn) (*devicesOut, error) {
			all, err := svc.ListMFADevicesForUser(c.Tx, c.AccountID(), in.DirectoryID, in.UserID)
			if err != nil {
				return nil, err
			}
			out := api.MapAll(all, func(d *cloudsso.MFADevice) deviceOut {
				return deviceOut{DeviceId: d.ID, DeviceName: d.Name, DeviceType: d.Type, EffectiveTime: fmtTime(d.Created), UserId: d.UserID}
			})
			return &devicesOut{MFADevices: out, TotalCounts: len(out)}, nil
		})
	api.Declare(r, sso.Write("DeleteMFADeviceForUser").Sensitive(), onDirectory[deleteDeviceIn],
		func(c *api.Call, in *deleteDeviceIn) (*api.NoOutput, error) {
			return api.Done(svc.DeleteMFADeviceForUser(c.Tx, c.AccountID(), in.DirectoryID, in.UserID, in.MFADeviceID))
		})
	api.Declare(r, sso.Read("GetLoginPreference"), onDirectory[inDirectory],
		func(c *api.Call, in *inDirectory) (*api.Object[loginPreferenceOut], error) {
			return api.Reply(api.As("LoginPreference", func(p *cloudsso.LoginPreference) loginPreferenceOut {
				return loginPreferenceOut{LoginNetworkMasks: p.LoginNetworkMasks, AllowUserToGetCredentials: p.AllowUserToGetCredentials}
			}))(svc.GetLoginPreference(c.Tx, c.AccountID(), in.DirectoryID))
		})
	api.Declare(r, sso.Write("SetLoginPreference").Sensitive(), onDirectory[loginPreferenceIn],
		func(c *api.Call, in *loginPreferenceIn) (*api.NoOutput, error) {
			allow, err := cloudsso.ParseBool("AllowUserToGetCredentials", in.AllowUserToGetCredentials)
			if err != nil {
				return nil, err
			}
			return api.Done(svc.SetLoginPreference(c.Tx, c.AccountID(), in.DirectoryID, cloudsso.LoginPreferenceUpdate{
				LoginNetworkMasks: in.LoginNetworkMasks, AllowUserToGetCredentials: allow}, c.Now))
		})
	api.Declare(r, sso.Read("GetPasswordPolicy"), onDirectory[inDirectory],
		func(c *api.Call, in *inDirectory) (*api.Object[passwordPolicyOut], error) {
			return api.Reply(api.As("PasswordPolicy", toPasswordPolicy))(svc.GetPasswordPolicy(c.Tx, c.AccountID(), in.DirectoryID))
		})
	api.Declare(r, sso.Write("SetPasswordPolicy").Sensitive(), onDirectory[passwordPolicyIn],
		func(c *api.Call, in *passwordPolicyIn) (*api.NoOutput, error) {
			notContain, err := cloudsso.ParseBool("PasswordNotContainUsername", in.PasswordNotContainUsername)
			if err != nil {
				return nil, err
			}
			return api.Done(svc.SetPasswordPolicy(c.Tx, c.AccountID(), in.DirectoryID, cloudsso.PasswordPolicyUpdate{
				MinPasswordLength: in.MinPasswordLength, MinPasswordDifferentChars: in.MinPasswordDifferentChars,
				PasswordNotContainUsername: notContain, MaxPasswordAge: in.MaxPasswordAge,
				PasswordReusePrevention: in.PasswordReusePrevention, MaxLoginAttempts: in.MaxLoginAttempts}, c.Now))
		})
}
