package cloudsso

import (
	"errors"
	"time"

	"github.com/canopy-iam/canopy/internal/store"
)

// DeviceTypeTOTP is the type of every MFA device (the portal binds TOTP
// authenticators only).
const DeviceTypeTOTP = "TOTP"

// MaxDeviceName bounds a device's name.
const MaxDeviceName = 64

// GetMFAAuthenticationStatus is the legacy on/off view of the MFA setting:
// anything but Disabled reads as Enabled.
func (s *Service) GetMFAAuthenticationStatus(tx store.Tx, accountID, directoryID string) (string, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return "", err
	}
	if d.MFA.Setting == MFADisabled {
		return Disabled, nil
	}
	return Enabled, nil
}

// SetMFAAuthenticationStatus sets the legacy switch, which maps onto the
// setting of the same name.
func (s *Service) SetMFAAuthenticationStatus(tx store.Tx, accountID, directoryID, status string, now time.Time) error {
	if status == "" {
		return missingParameter.Of("MFAAuthenticationStatus").New("The parameter MFAAuthenticationStatus is required.")
	}
	if err := checkEnum("MFAAuthenticationStatus", status, Enabled, Disabled); err != nil {
		return err
	}
	return s.updateDirectory(tx, accountID, directoryID, now, func(d *Directory) error {
		d.MFA.Setting = status
		return nil
	})
}

// GetMFASettings returns the directory's MFA policy.
func (s *Service) GetMFASettings(tx store.Tx, accountID, directoryID string) (*MFASettings, error) {
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return nil, err
	}
	return &d.MFA, nil
}

// UpdateMFASettings sets the MFA policy; operation "" keeps the risky
// logon behaviour.
func (s *Service) UpdateMFASettings(tx store.Tx, accountID, directoryID, setting, operation string, now time.Time) error {
	if setting == "" {
		return missingParameter.Of("MFAAuthenticationSettings").New("The parameter MFAAuthenticationSettings is required.")
	}
	if err := checkEnum("MFAAuthenticationSettings", setting, MFAEnabled, MFAByUser, MFADisabled, MFAOnlyRiskyLogin); err != nil {
		return err
	}
	if operation != "" {
		if err := checkEnum("OperationForRiskLogin", operation, RiskAutonomous, RiskEnforceVerify); err != nil {
			return err
		}
	}
	return s.updateDirectory(tx, accountID, directoryID, now, func(d *Directory) error {
		d.MFA.Setting = setting
		if operation != "" {
			d.MFA.OperationForRiskLogin = operation
		}
		return nil
	})
}

// userMFASetting is a user's own switch; users start Enabled.
func userMFASetting(u *User) string {
	if u.MFASetting == "" {
		return Enabled
	}
	return u.MFASetting
}

// GetUserMFASetting returns a user's own MFA switch (used while the
// directory's setting is Byuser).
func (s *Service) GetUserMFASetting(tx store.Tx, accountID, directoryID, userID string) (string, error) {
	_, u, err := s.User(tx, accountID, directoryID, userID)
	if err != nil {
		return "", err
	}
	return userMFASetting(u), nil
}

// UpdateUserMFASetting sets a user's own MFA switch.
func (s *Service) UpdateUserMFASetting(tx store.Tx, accountID, directoryID, userID, setting string, now time.Time) error {
	if setting == "" {
		return missingParameter.Of("UserMFAAuthenticationSettings").New("The parameter UserMFAAuthenticationSettings is required.")
	}
	if err := checkEnum("UserMFAAuthenticationSettings", setting, Enabled, Disabled); err != nil {
		return err
	}
	d, _, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return err
	}
	u, rec, err := userByID(tx, d, userID)
	if err != nil {
		return err
	}
	u.MFASetting, u.Updated = setting, now
	return users.Update(tx, rec, u, now)
}

// MFARequired reports whether the portal asks u for an MFA code at
// sign-in. Canopy has no risk engine: OnlyRiskyLogin never asks.
func MFARequired(d *Directory, u *User) bool {
	switch d.MFA.Setting {
	case MFAEnabled:
		return true
	case MFAByUser:
		return userMFASetting(u) == Enabled
	}
	return false
}

// deviceAAD binds a sealed secret to its directory, user and device.
func deviceAAD(d *MFADevice) []byte {
	return []byte("cloudsso-mfa/" + d.DirectoryID + "/" + d.UserID + "/" + d.ID)
}

// AddMFADevice records a TOTP device the user bound in the portal, its
// secret sealed with the keyring (at most MaxDevicesPerUser per user).
func (s *Service) AddMFADevice(tx store.Tx, d *Directory, userID, name, secret string, now time.Time) (*MFADevice, error) {
	u, _, err := userByID(tx, d, userID)
	if err != nil {
		return nil, err
	}
	if err := checkLength("DeviceName", name, MaxDeviceName); err != nil {
		return nil, err
	}
	if secret == "" {
		return nil, missingParameter.Of("Secret").New("An MFA device needs its TOTP secret.")
	}
	n, err := mfaDevices.Count(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, u.ID, "")})
	if err != nil {
		return nil, err
	}
	if n >= MaxDevicesPerUser {
		return nil, codeDeviceQuota.New("The user already has %d MFA devices, the most a user may have.", MaxDevicesPerUser)
	}
	dev := &MFADevice{ID: newDeviceID(), DirectoryID: d.ID, UserID: u.ID, Name: name, Type: DeviceTypeTOTP, Created: now}
	dev.SealedSecret = s.ring.Seal([]byte(secret), deviceAAD(dev))
	return dev, mfaDevices.Insert(tx, d.AccountID, scoped(d.ID, u.ID, dev.ID), dev.ID, dev, now)
}

// MFASecret opens a device's TOTP secret (portal verification).
func (s *Service) MFASecret(dev *MFADevice) (string, error) {
	secret, err := s.ring.Open(dev.SealedSecret, deviceAAD(dev))
	return string(secret), err
}

// MFADevicesOf lists a user's devices (the portal's sign-in).
func (s *Service) MFADevicesOf(tx store.Tx, d *Directory, userID string) ([]MFADevice, error) {
	return mfaDevices.List(tx, store.Query{AccountID: d.AccountID, Prefix: scoped(d.ID, userID, "")})
}

// ListMFADevicesForUser lists a user's devices.
func (s *Service) ListMFADevicesForUser(tx store.Tx, accountID, directoryID, userID string) ([]MFADevice, error) {
	d, u, err := s.User(tx, accountID, directoryID, userID)
	if err != nil {
		return nil, err
	}
	return s.MFADevicesOf(tx, d, u.ID)
}

// DeleteMFADeviceForUser removes one of a user's devices.
func (s *Service) DeleteMFADeviceForUser(tx store.Tx, accountID, directoryID, userID, deviceID string) error {
	d, u, err := s.User(tx, accountID, directoryID, userID)
	if err != nil {
		return err
	}
	if deviceID == "" {
		return missingParameter.Of("MFADeviceId").New("The parameter MFADeviceId is required.")
	}
	missing := codeNoMFADevice.New("The user %s has no MFA device %q.", u.ID, clip(deviceID))
	if !isID(deviceID, "mfa-") {
		return missing
	}
	err = mfaDevices.Delete(tx, accountID, scoped(d.ID, u.ID, deviceID))
	if errors.Is(err, store.ErrNotFound) {
		return missing
	}
	return err
}

// updateDirectory rewrites a directory's settings after change, which
// may refuse.
func (s *Service) updateDirectory(tx store.Tx, accountID, directoryID string, now time.Time, change func(*Directory) error) error {
	d, rec, err := directoryOf(tx, accountID, directoryID)
	if err != nil {
		return err
	}
	if err := change(d); err != nil {
		return err
	}
	// Settings are not the directory's own fields: UpdateTime stays.
	return directories.Update(tx, rec, d, now)
}
